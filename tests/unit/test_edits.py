"""Editors' edits (editorial/edits.py): remove, reorder, add verbatim statements, the
editor's note, citations kept valid; and the repository's edit() making a new version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from curbside.editorial import Actor, EditorialRepository, ReviewInputError, Status, VersionConflictError
from curbside.editorial.edits import (
    AddStatement,
    Edit,
    Place,
    RefreshReference,
    RemoveStatement,
    ReorderSections,
    ReorderStatements,
    apply_edit,
    is_quoted,
    is_verbatim,
)

P1 = ("Baclofen tablets are indicated for the alleviation of signs and symptoms of spasticity resulting from "
      "multiple sclerosis. Baclofen may also be of some value in patients with spinal cord injuries.")
P2 = "Intrathecal baclofen is reserved for severe spasticity. More than 80% of patients show improvement."
P3 = "Abrupt discontinuation of baclofen has resulted in hallucinations and seizures."
Q = "What is baclofen used for?"


def st(text: str, *cites: int) -> dict[str, Any]:
    return {"text": text, "citations": list(cites)}


def ref(n: int, passage: str, pid: str) -> dict[str, Any]:
    return {"number": n, "type": "drug_label", "type_label": "Drug label", "title": f"Source {pid}",
            "source": "Acme", "year": 2019, "url": None, "doc_id": pid.split("#")[0], "passage_id": pid,
            "section": "Indications", "passage": passage}


def article() -> dict[str, Any]:
    return {
        "schema_version": "1.1", "question": Q, "audience": "physician", "question_type": "indication",
        "entities": {"drugs": [{"text": "baclofen", "generic": "baclofen", "matched_as": "generic"}], "conditions": []},
        "title": Q,
        "summary": [st("Baclofen tablets are indicated for the alleviation of signs and symptoms of spasticity "
                       "resulting from multiple sclerosis.", 1)],
        "sections": [
            {"key": "labels", "heading": "What the labels say", "statements": [
                st("Baclofen may also be of some value in patients with spinal cord injuries.", 1),
                st("Intrathecal baclofen is reserved for severe spasticity.", 2),
            ]},
            {"key": "safety", "heading": "Safety", "statements": [
                st("Abrupt discontinuation of baclofen has resulted in hallucinations and seizures.", 3),
            ]},
        ],
        "bottom_line": [], "references": [ref(1, P1, "label:a#0"), ref(2, P2, "pmid:1#0"), ref(3, P3, "label:a#5")],
        "uncovered": [], "abstained": False, "abstain_reason": None, "partial": False, "partial_note": None,
        "last_updated": "2019", "corpus_version": "c1", "settings_hash": "s1", "timings_ms": {"total": 1.0},
    }


def texts(a: dict[str, Any], key: str) -> list[str]:
    return [s["text"] for s in next(sec for sec in a["sections"] if sec["key"] == key)["statements"]]


def valid_citations(a: dict[str, Any]) -> bool:
    numbers = [r["number"] for r in a["references"]]
    cited = [c for s in a["summary"] + a["bottom_line"] + [x for sec in a["sections"] for x in sec["statements"]]
             for c in s["citations"]]
    return numbers == list(range(1, len(numbers) + 1)) and set(cited) == set(numbers)


def test_verbatim_span_is_added_with_its_citation() -> None:
    a = article()
    e = Edit((AddStatement(Place.of_section("labels"), "More than 80%  of patients\nshow improvement.", 2, 0),),
             reason="Add the response rate.")
    new = apply_edit(a, e)
    assert texts(new, "labels")[0] == "More than 80% of patients show improvement."  # whitespace normalised
    assert next(sec for sec in new["sections"] if sec["key"] == "labels")["statements"][0]["citations"] == [2]
    assert a["sections"][0]["statements"][0]["text"].startswith("Baclofen may")  # the input is not changed
    assert valid_citations(new)


def test_paraphrase_is_refused_naming_the_reference_to_copy_from() -> None:
    e = Edit((AddStatement(Place.summary(), "Most patients (over 80%) improve.", 2),), reason="Simpler.")
    with pytest.raises(ReviewInputError) as err:
        apply_edit(article(), e)
    assert "reference 2" in err.value.message and "Source pmid:1#0" in err.value.message
    assert "Copy it exactly from reference 2" in (err.value.fix or "")
    # case and wording must match; a span of another reference does not count
    for text, n in (("more than 80% of patients show improvement.", 2),
                    ("More than 80% of patients show improvement.", 1)):
        with pytest.raises(ReviewInputError):
            apply_edit(article(), Edit((AddStatement(Place.summary(), text, n),), reason="x"))


def test_a_quote_must_start_and_end_on_word_boundaries() -> None:
    passage = "Baclofen is contraindicated in patients with X. Use under 12 years of age is not studied."
    for part in ("indicated in patients with X.", "traindicated in patients", "Use under 1", "under 12 year",
                 "Baclofen is contra"):
        assert not is_verbatim(part, passage), part
        assert not is_quoted(part, passage), part
    for whole in ("Baclofen is contraindicated in patients with X.", "contraindicated in patients with X",
                  "Use under 12 years of age", "X. Use", "12", "studied."):
        assert is_verbatim(whole, passage), whole
    assert is_verbatim("a b", "ba b a b")  # a later occurrence on word boundaries counts
    assert is_verbatim("Warnings (5.2)", "see Warnings (5.2).") and not is_verbatim("(5.2", "see Warnings (5.23).")
    assert is_quoted("Baclofen may cause drowsiness.", "Baclofen may cause drowsiness [see Warnings (5.2)].")
    e = Edit((AddStatement(Place.summary(), "indicated for the alleviation of signs", 1),), reason="x")
    apply_edit(article(), e)  # a whole-word span is fine...
    with pytest.raises(ReviewInputError, match="word for word"):  # ... a piece of a word is not
        apply_edit(article(), Edit((AddStatement(Place.summary(), "ndicated for the alleviation", 1),), reason="x"))


def test_unknown_reference_and_place_are_refused() -> None:
    with pytest.raises(ReviewInputError, match="no reference 9"):
        apply_edit(article(), Edit((AddStatement(Place.summary(), "Baclofen", 9),), reason="x"))
    with pytest.raises(ReviewInputError, match="no section 'dosing'"):
        apply_edit(article(), Edit((RemoveStatement(Place.of_section("dosing"), 0),), reason="x"))
    with pytest.raises(ReviewInputError, match="already has this statement"):
        apply_edit(article(), Edit((AddStatement(Place.of_section("safety"), P3, 3),), reason="x"))


def test_remove_drops_uncited_references_and_renumbers() -> None:
    new = apply_edit(article(), Edit((RemoveStatement(Place.of_section("labels"), 1),), reason="Not about tablets."))
    assert texts(new, "labels") == ["Baclofen may also be of some value in patients with spinal cord injuries."]
    assert [(r["number"], r["passage_id"]) for r in new["references"]] == [(1, "label:a#0"), (2, "label:a#5")]
    assert new["sections"][1]["statements"][0]["citations"] == [2]  # was reference 3
    assert valid_citations(new)


def test_operations_apply_in_order_and_empty_sections_go() -> None:
    e = Edit((RemoveStatement(Place.of_section("safety"), 0),
              ReorderStatements(Place.of_section("labels"), (1, 0))), reason="Tighter.")
    new = apply_edit(article(), e)
    assert [s["key"] for s in new["sections"]] == ["labels"]
    assert texts(new, "labels")[0] == "Intrathecal baclofen is reserved for severe spasticity."
    # first use now: summary -> ref label:a#0 (1), labels[0] -> pmid:1#0 (2)
    assert [r["passage_id"] for r in new["references"]] == ["label:a#0", "pmid:1#0"]
    assert valid_citations(new)


def test_reorder_sections_and_bad_permutations() -> None:
    new = apply_edit(article(), Edit((ReorderSections(("safety", "labels")),), reason="Safety first."))
    assert [s["key"] for s in new["sections"]] == ["safety", "labels"]
    assert new["references"][1]["passage_id"] == "label:a#5"  # renumbered by first use
    with pytest.raises(ReviewInputError, match="each section once"):
        apply_edit(article(), Edit((ReorderSections(("safety",)),), reason="x"))
    with pytest.raises(ReviewInputError, match="each of its 2 statements once"):
        apply_edit(article(), Edit((ReorderStatements(Place.of_section("labels"), (0, 0)),), reason="x"))


def test_summary_may_not_be_emptied_and_nothing_is_no_edit() -> None:
    with pytest.raises(ReviewInputError, match="summary empty"):
        apply_edit(article(), Edit((RemoveStatement(Place.summary(), 0),), reason="x"))
    with pytest.raises(ReviewInputError, match="changes nothing"):
        apply_edit(article(), Edit((ReorderStatements(Place.of_section("labels"), (0, 1)),), reason="x"))
    with pytest.raises(ReviewInputError, match="needs a reason"):
        apply_edit(article(), Edit((RemoveStatement(Place.of_section("labels"), 0),), reason="  "))


def test_editor_note_is_set_kept_and_removed() -> None:
    new = apply_edit(article(), Edit((), reason="Context.", note="Dosing follows the 2019 label."),
                     author="Dr A. Rivera, MD", at="2025-08-10T10:00:00Z")
    assert new["editor_note"] == {"text": "Dosing follows the 2019 label.", "author": "Dr A. Rivera, MD",
                                  "at": "2025-08-10T10:00:00Z"}
    kept = apply_edit(new, Edit((RemoveStatement(Place.of_section("safety"), 0),), reason="x"))
    assert kept["editor_note"] == new["editor_note"]
    gone = apply_edit(new, Edit((), reason="No longer needed.", note=""))
    assert "editor_note" not in gone
    with pytest.raises(ReviewInputError, match="changes nothing"):  # the same note again
        apply_edit(new, Edit((), reason="x", note=" Dosing follows the 2019 label. "), author="Other", at="later")


def test_refresh_reference_needs_every_citing_statement_in_the_new_text() -> None:
    changed = "Warning. " + P3 + " Taper the dose."
    new = apply_edit(article(), Edit((RefreshReference(3, changed, "label:a#6"),), reason="Source updated."))
    assert new["references"][2]["passage"] == changed and new["references"][2]["passage_id"] == "label:a#6"
    rewritten = "Stopping baclofen suddenly can cause hallucinations."
    with pytest.raises(ReviewInputError, match="no longer in the current text of reference 3"):
        apply_edit(article(), Edit((RefreshReference(3, rewritten),), reason="x"))
    # removing the statement first (same edit) makes the refresh possible... and drops the reference
    ok = apply_edit(article(), Edit((RemoveStatement(Place.of_section("safety"), 0), RefreshReference(3, rewritten)),
                                    reason="x"))
    assert len(ok["references"]) == 2


def test_an_added_statement_records_its_quote_and_a_refresh_moves_it() -> None:
    from curbside.composition.serialize import quote_from_dict
    from curbside.composition.verify import verify
    from curbside.types import Statement

    def verifies(s: dict[str, Any], r: dict[str, Any]) -> bool:
        st = Statement(s["text"], tuple(s["citations"]), quote_from_dict(s["quote"]))
        return verify(st, r["passage"], passage_id=r["passage_id"], section=r["section"]).ok

    new = apply_edit(article(), Edit((AddStatement(Place.summary(), "More than 80%  of patients show improvement.",
                                                   2),), reason="Add the response rate."))
    added = new["summary"][-1]
    r2 = next(r for r in new["references"] if r["passage_id"] == "pmid:1#0")
    assert added["quote"]["spans"] == [[P2.index("More"), len(P2)]] and verifies(added, r2)
    # words that start inside a word are no quote: refused (edits.quote_span)
    with pytest.raises(ReviewInputError, match="word for word"):
        apply_edit(article(), Edit((AddStatement(Place.summary(), "ore than 80% of patients show improvement.",
                                                 2),), reason="x"))
    # the source gains a sentence before the quoted one: the quote moves with its words
    a = article()
    a["sections"][1]["statements"][0]["quote"] = {"passage_id": "label:a#5", "spans": [[0, len(P3)]], "cuts": []}
    changed = "Warning. " + P3 + " Taper the dose."
    new = apply_edit(a, Edit((RefreshReference(3, changed, "label:a#6"),), reason="Source updated."))
    moved = new["sections"][1]["statements"][0]
    assert moved["quote"] == {"passage_id": "label:a#6", "spans": [[9, 9 + len(P3)]], "cuts": []}
    assert verifies(moved, new["references"][2])


def test_generated_statements_without_label_cross_references_still_count_as_quoted() -> None:
    passage = "Baclofen may cause drowsiness [see Warnings and Precautions (5.2)]. Use caution."
    assert is_quoted("Baclofen may cause drowsiness.", passage)
    assert not is_quoted("Baclofen always causes drowsiness.", passage)


def test_edit_from_json() -> None:
    e = Edit.from_dict({"reason": "r", "note": "n", "operations": [
        {"op": "remove", "place": "section:labels", "index": 1},
        {"op": "reorder", "place": "summary", "order": [0]},
        {"op": "reorder_sections", "order": ["safety", "labels"]},
        {"op": "add", "place": "bottom_line", "text": "t", "reference": 2},
        {"op": "refresh_reference", "reference": 1, "passage": "p"},
    ]})
    assert e.operations[0] == RemoveStatement(Place.of_section("labels"), 1)
    assert e.operations[3] == AddStatement(Place.bottom_line(), "t", 2, None)
    assert str(Place.parse("section:a:b")) == "section:a:b"
    for bad in ({"reason": "r", "operations": [{"op": "rename"}]}, {"reason": "r", "operations": [{"op": "remove"}]},
                {"reason": "r", "operations": [{"op": "remove", "place": "middle", "index": 0}]},
                {"reason": "r", "operations": [{"op": "remove", "place": "summary", "index": True}]}):
        with pytest.raises(ReviewInputError):
            Edit.from_dict(bad)


@pytest.mark.parametrize("op", [
    {"op": "reorder", "place": "section:labels", "order": "10"},  # once read as (1, 0)
    {"op": "reorder", "place": "summary", "order": {"0": 1}},
    {"op": "reorder", "place": "summary", "order": [0.9]},
    {"op": "reorder", "place": "summary", "order": ["0"]},
    {"op": "reorder_sections", "order": "labels"},
    {"op": "reorder_sections", "order": [1, 2]},
    {"op": "remove", "place": 5, "index": 0},
    {"op": "remove", "place": ["summary"], "index": 0},
    {"op": "remove", "place": "summary", "index": "0"},
    {"op": "remove", "place": "summary", "index": 1.5},
    {"op": "add", "place": "summary", "text": ["t"], "reference": 1},
    {"op": "add", "place": "summary", "text": "t", "reference": "1"},
    {"op": "add", "place": "summary", "text": "t", "reference": 1, "index": "0"},
    {"op": "refresh_reference", "reference": 1, "passage": 3},
    {"op": "refresh_reference", "reference": 1, "passage": "p", "passage_id": 7},
    {"op": ["remove"]},
])
def test_edit_from_json_refuses_values_of_the_wrong_type(op: dict[str, Any]) -> None:
    with pytest.raises(ReviewInputError):
        Edit.from_dict({"reason": "r", "operations": [op]})


@pytest.mark.parametrize("edit", [{"reason": "r", "operations": "remove"}, {"reason": "r", "operations": {}},
                                  {"reason": "r", "operations": 0}, {"reason": 5, "note": "n"},
                                  {"reason": "r", "note": 5}, {"reason": ["r"], "note": "n"}])
def test_edit_from_json_refuses_fields_of_the_wrong_type(edit: dict[str, Any]) -> None:
    with pytest.raises(ReviewInputError):
        Edit.from_dict(edit)


# ---- the repository: an edit is a new version with who, when and why ---------------------------
@pytest.fixture
def repo(tmp_path: Path, database_url: str) -> Iterator[EditorialRepository]:
    r = EditorialRepository.open(database_url, tmp_path, clock=lambda: "2025-08-10T10:00:00Z")
    yield r
    r.close()


def test_repository_edit_makes_a_new_version_by_the_editor(repo: EditorialRepository) -> None:
    editor = Actor("rivera", "Dr A. Rivera", id=None, credentials="MD", role="editor")
    stored, _ = repo.save_answer(Q, "physician", article())
    e = Edit((RemoveStatement(Place.of_section("safety"), 0),), reason="Off topic.", note="Checked the label.")
    edited = repo.edit(stored.id, e, editor, expected_version=1)
    assert (edited.version, edited.status) == (2, Status.SUBMITTED)
    assert edited.article["editor_note"] == {"text": "Checked the label.", "author": "Dr A. Rivera, MD",
                                             "at": "2025-08-10T10:00:00Z"}
    v = repo.versions(stored.id)[-1]
    assert (v.version, v.reason, v.author) == (2, "Off topic.", "Dr A. Rivera")
    assert repo.events(stored.id)[-1].action == "edit"
    assert repo.version_article(stored.id, 1)["sections"][1]["key"] == "safety"  # v1 kept as it was
    with pytest.raises(VersionConflictError):
        repo.edit(stored.id, e, editor, expected_version=1)

    from curbside.editorial.compare import compare_stored

    cmp = compare_stored(repo, stored.id, 1)
    assert (cmp.old_version, cmp.new_version, cmp.counts()["removed"]) == (1, 2, 1)
    assert cmp.note is not None and cmp.note.kind == "added"


def test_repository_refresh_only_to_the_text_a_reingest_recorded(repo: EditorialRepository) -> None:
    stored, _ = repo.save_answer(Q, "physician", article())
    forged = Edit((RefreshReference(3, P3 + " Forged."),), reason="x")
    with pytest.raises(ReviewInputError, match="current text"):
        repo.edit(stored.id, forged, Actor("e", "E"), expected_version=1)
    for action in ("start", "approve"):
        repo.transition(stored.id, action, Actor("r", "R", id=None), expected_version=1)
    new_text = P3 + " Taper the dose."
    assert repo.mark_needs_rereview(stored.id, [{"reference": 3, "passage_id": "label:a#5", "doc_id": "label:a",
                                                 "title": "t", "kind": "changed", "old": P3, "new": new_text,
                                                 "new_passage_id": None}], expected_version=1)
    edited = repo.edit(stored.id, Edit((RefreshReference(3, new_text),), reason="Sources updated."),
                       Actor("e", "E"), expected_version=1)
    assert edited.article["references"][2]["passage"] == new_text
    assert edited.stale_sources == () and edited.status is Status.SUBMITTED


def _flag(repo: EditorialRepository, new_text: str) -> str:
    stored, _ = repo.save_answer(Q, "physician", article())
    for action in ("start", "approve"):
        repo.transition(stored.id, action, Actor("r", "R", id=None), expected_version=1)
    changes = [{"reference": 3, "passage_id": "label:a#5", "doc_id": "label:a", "title": "t", "kind": "changed",
                "old": P3, "new": new_text, "new_passage_id": None},
               {"reference": 2, "passage_id": "pmid:1#0", "doc_id": "pmid:1", "title": "t", "kind": "removed",
                "old": P2, "new": None, "new_passage_id": None}]
    assert repo.mark_needs_rereview(stored.id, changes, expected_version=1)
    return stored.id


def test_an_edit_keeps_the_source_changes_it_does_not_resolve(repo: EditorialRepository) -> None:
    new_text = P3 + " Taper the dose."
    aid = _flag(repo, new_text)
    editor = Actor("e", "E", id=None, role="editor")
    # a note alone resolves nothing: both changes stay with the new version
    noted = repo.edit(aid, Edit((), reason="typo", note="Reviewed 2025."), editor, expected_version=1)
    assert noted.status is Status.SUBMITTED and [c["reference"] for c in noted.stale_sources] == [3, 2]
    # removing the statement that cites the removed passage resolves that one
    dropped = repo.edit(aid, Edit((RemoveStatement(Place.of_section("labels"), 1),), reason="source gone"),
                        editor, expected_version=2)
    assert [c["passage_id"] for c in dropped.stale_sources] == ["label:a#5"]
    # taking the source's current text in resolves the other
    number = next(r["number"] for r in dropped.article["references"] if r["passage_id"] == "label:a#5")
    fresh = repo.edit(aid, Edit((RefreshReference(number, new_text),), reason="Sources updated."), editor,
                      expected_version=3)
    assert fresh.stale_sources == ()


def test_approving_over_changed_sources_needs_a_comment(repo: EditorialRepository) -> None:
    aid = _flag(repo, P3 + " Taper the dose.")
    reviewer = Actor("c", "Dr C", id=None)
    repo.transition(aid, "start", reviewer, expected_version=1)
    with pytest.raises(ReviewInputError, match="changed"):
        repo.transition(aid, "approve", reviewer, expected_version=1)
    assert repo.get(aid).status is Status.UNDER_REVIEW
    ok = repo.transition(aid, "approve", reviewer, expected_version=1, note="The added sentence changes nothing here.")
    assert ok.status is Status.APPROVED and len(ok.stale_sources) == 2  # kept: seen, so not flagged again
