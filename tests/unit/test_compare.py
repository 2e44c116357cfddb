"""Comparing two versions of an answer (editorial/compare.py) and the word diff."""

from __future__ import annotations

import json

from test_edits import P2, article

from curbside.editorial.compare import compare_versions, word_diff
from curbside.editorial.edits import AddStatement, Edit, Place, RemoveStatement, ReorderStatements, apply_edit


def spell(segments: list, *kinds: str) -> str:
    return "".join(s.text for s in segments if s.kind in kinds)


def test_word_diff_spells_both_texts_and_marks_the_change() -> None:
    old = "Baclofen is indicated for spasticity in MS."
    new = "Baclofen is indicated for severe spasticity in multiple sclerosis."
    d = word_diff(old, new)
    assert spell(d, "equal", "delete") == old and spell(d, "equal", "insert") == new
    assert [(s.kind, s.text) for s in d if s.kind != "equal"] == [("insert", "severe "), ("delete", "MS"),
                                                                   ("insert", "multiple sclerosis")]
    assert word_diff("same  text", "same text") == [word_diff("same text", "same text")[0]]  # spacing is equal
    assert [s.kind for s in word_diff("", "new")] == ["insert"]
    assert [s.kind for s in word_diff("old", "")] == ["delete"]


def test_word_diff_groups_a_run_of_changes() -> None:
    d = word_diff("take one tablet daily", "take two capsules daily")
    assert [(s.kind, s.text) for s in d] == [("equal", "take "), ("delete", "one tablet"), ("insert", "two capsules"),
                                             ("equal", " daily")]


def test_compare_kept_moved_added_removed_changed() -> None:
    old = article()
    new = apply_edit(old, Edit((
        ReorderStatements(Place.of_section("labels"), (1, 0)),
        AddStatement(Place.of_section("labels"), "More than 80% of patients show improvement.", 2),
        RemoveStatement(Place.of_section("safety"), 0),
    ), reason="x", note="Checked."), author="Ed", at="2025-08-10T10:00:00Z")
    cmp = compare_versions(old, new, old_version=1, new_version=2)
    labels = next(p for p in cmp.parts if p.place == "section:labels")
    got = [(s.old_index, s.new_index) for s in labels.statements]
    assert got == [(1, 0), (0, 1), (None, 2)]
    # a swap: one of the two stays on the longest common order, the other moved
    assert sorted(s.kind for s in labels.statements) == ["added", "kept", "moved"]
    safety = next(p for p in cmp.parts if p.place == "section:safety")
    assert safety.kind == "removed" and [s.kind for s in safety.statements] == ["removed"]
    summary = next(p for p in cmp.parts if p.place == "summary")
    assert summary.kind == "kept" and not summary.changed
    refs = {r.passage_id: (r.kind, r.old_number, r.new_number) for r in cmp.references}
    assert refs == {"label:a#0": ("kept", 1, 1), "pmid:1#0": ("kept", 2, 2), "label:a#5": ("removed", 3, None)}
    assert cmp.note is not None and cmp.note.kind == "added" and cmp.note.new["text"] == "Checked."
    assert cmp.counts() == {"added": 1, "removed": 1, "changed": 0, "moved": 1, "kept": 2}
    assert cmp.changed
    data = json.loads(json.dumps(cmp.to_dict()))  # JSON-ready
    assert data["old_version"] == 1 and data["parts"][1]["statements"][2]["kind"] == "added"


def test_similar_statement_is_changed_with_an_inline_diff() -> None:
    old = article()
    new = json.loads(json.dumps(old))
    new["sections"][0]["statements"][1]["text"] = "Intrathecal baclofen is reserved for very severe spasticity."
    cmp = compare_versions(old, new)
    ch = [s for p in cmp.parts for s in p.statements if s.kind == "changed"]
    assert len(ch) == 1 and ch[0].old_text == "Intrathecal baclofen is reserved for severe spasticity."
    assert ("insert", "very ") in [(s.kind, s.text) for s in ch[0].diff]


def test_renumbered_citations_are_not_a_change_but_another_passage_is() -> None:
    old = article()
    swapped = json.loads(json.dumps(old))
    # same passages, numbered the other way round
    swapped["references"][0]["number"], swapped["references"][1]["number"] = 2, 1
    for s in swapped["summary"] + [x for sec in swapped["sections"] for x in sec["statements"]]:
        s["citations"] = [{1: 2, 2: 1}.get(c, c) for c in s["citations"]]
    assert not compare_versions(old, swapped).changed
    other = json.loads(json.dumps(old))
    other["references"][1] = {**other["references"][1], "passage_id": "pmid:9#0", "passage": P2}
    cmp = compare_versions(old, other)
    kinds = [s.kind for p in cmp.parts for s in p.statements]
    assert kinds.count("changed") == 1  # the statement citing reference 2 now cites another passage
    assert {r.kind for r in cmp.references} == {"kept", "added", "removed"}


def test_identical_versions_have_no_changes() -> None:
    cmp = compare_versions(article(), article())
    assert not cmp.changed and cmp.note is None and cmp.title is None
