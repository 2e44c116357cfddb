"""Living answers (editorial/living.py) on a tiny real store: ingest a guideline file into
tmp_path, approve answers citing its passages, change the source, re-ingest, re-check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from curbside.editorial import Actor, EditorialRepository, Status
from curbside.editorial.living import changed_sources, recheck_approved, refresh_operations, source_diff
from curbside.ingest import ingest
from curbside.settings import Settings
from curbside.store.sqlite import SQLiteStore

FIRST = "Oral baclofen should be used as first line therapy for generalised spasticity."
LATER = "Intrathecal baclofen should be considered for severe spasticity refractory to oral agents."
TAPER = "Baclofen should be tapered over one to two weeks when it is stopped."


def record(ngc: str, recommendations: str, condition: str = "Spasticity") -> dict[str, Any]:
    return {"ngc_id": ngc, "title": f"Guideline {ngc}", "developer": "Example Society",
            "date_released": "2013 Aug", "disease_condition": condition,
            "target_population": "Adults with spasticity", "major_recommendations": recommendations,
            "potential_benefits": "Reduced spasticity and improved function."}


def write_source(path: Path, *records: dict[str, Any]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


class Corpus:
    def __init__(self, tmp: Path) -> None:
        self.file = tmp / "corpus" / "guidelines.jsonl"
        self.file.parent.mkdir()
        self.settings = Settings(data_dir=tmp / "data", shared_dir=tmp / "no-shared")

    def ingest(self, *records: dict[str, Any]) -> None:
        write_source(self.file, *records)
        report = ingest(self.settings, [self.file])
        assert not report.failed

    def store(self) -> SQLiteStore:
        return SQLiteStore(self.settings.data_dir / "curbside.sqlite", readonly=True)

    def passage(self, containing: str) -> tuple[str, str, str]:
        s = self.store()
        try:
            rows = s.conn.execute("SELECT passage_id, doc_id, text FROM passages WHERE text LIKE ?",
                                  (f"%{containing}%",)).fetchall()
        finally:
            s.close()
        assert len(rows) == 1, rows
        return rows[0]


def answer(question: str, cited: list[tuple[str, str, str]], quote: str) -> dict[str, Any]:
    refs = [{"number": n, "type": "guideline", "type_label": "Guideline", "title": f"Guideline {doc}",
             "source": "Example Society", "year": 2013, "url": None, "doc_id": doc, "passage_id": pid,
             "section": "Major recommendations", "passage": text}
            for n, (pid, doc, text) in enumerate(cited, start=1)]
    return {"schema_version": "1.1", "question": question, "audience": "physician", "title": question,
            "question_type": "treatment", "entities": {"drugs": [], "conditions": []},
            "summary": [{"text": quote, "citations": [1]}], "sections": [], "bottom_line": [],
            "references": refs, "uncovered": [], "abstained": False, "corpus_version": "c1", "settings_hash": "s1"}


@pytest.fixture
def repo(tmp_path: Path, database_url: str) -> Iterator[EditorialRepository]:
    r = EditorialRepository.open(database_url, tmp_path / "data")
    yield r
    r.close()


def approve(repo: EditorialRepository, article: dict[str, Any]) -> str:
    stored, _ = repo.save_answer(article["question"], "physician", article)
    for action in ("start", "approve"):
        stored = repo.transition(stored.id, action, Actor("rivera", "Dr A. Rivera", id=None),
                                 expected_version=stored.version)
    assert stored.status is Status.APPROVED
    return stored.id


def test_changed_and_removed_sources_flag_approved_answers(tmp_path: Path, repo: EditorialRepository) -> None:
    corpus = Corpus(tmp_path)
    corpus.ingest(record("ngc-1", f"Oral Treatment {FIRST} Recommendation 3 : {LATER}"),
                  record("ngc-2", f"Stopping {TAPER}", condition="Baclofen withdrawal"))
    later, taper = corpus.passage(LATER), corpus.passage(TAPER)
    scope = corpus.passage("Spasticity Adults with spasticity")
    a = approve(repo, answer("When is intrathecal baclofen used?", [later], LATER))
    b = approve(repo, answer("How is baclofen stopped?", [taper], TAPER))
    c = approve(repo, answer("Who is the guideline for?", [scope], "Adults with spasticity"))
    pending, _ = repo.save_answer("Not approved yet?", "physician", answer("Not approved yet?", [later], LATER))

    store = corpus.store()
    try:
        assert recheck_approved(repo, store).count == 0  # nothing changed yet
    finally:
        store.close()

    changed = LATER.replace("severe spasticity", "severe generalised spasticity")
    corpus.ingest(record("ngc-1", f"Oral Treatment {FIRST} Recommendation 3 : {changed}"))  # ngc-2 is gone
    store = corpus.store()
    try:
        report = recheck_approved(repo, store, batch=2)  # several rounds
        assert report.checked == 3 and {f.article_id for f in report.flagged} == {a, b}
        again = recheck_approved(repo, store)
    finally:
        store.close()
    assert again.count == 0 and again.checked == 1  # flagged answers are no longer approved

    sa, sb = repo.get(a), repo.get(b)
    assert sa.status is Status.NEEDS_REREVIEW and repo.get(c).status is Status.APPROVED
    assert repo.get(pending.id).status is Status.SUBMITTED  # only approved answers are checked
    (ch,) = sa.stale_sources
    assert (ch["kind"], ch["reference"], ch["passage_id"], ch["old"]) == ("changed", 1, later[0], later[2])
    assert "generalised" in ch["new"] and "generalised" not in ch["old"]
    diff = source_diff(ch["old"], ch["new"])
    assert ("insert", "generalised ") in [(s.kind, s.text) for s in diff]
    (rm,) = sb.stale_sources
    assert (rm["kind"], rm["new"]) == ("removed", None)
    assert repo.list_articles()[0].status is Status.NEEDS_REREVIEW  # top of the queue
    assert repo.events(a)[-1].action == "stale"

    # the Board re-approves the flagged version as it is (deliberately: with a comment); the
    # same change does not flag it again
    for action in ("start", "approve"):
        repo.transition(a, action, Actor("chen", "Dr B. Chen", id=None), expected_version=1,
                        note="Only the wording of the scope changed.")
    store = corpus.store()
    try:
        assert recheck_approved(repo, store).count == 0
    finally:
        store.close()
    # ... or an editor takes the current text in: a new version to review
    ops = refresh_operations(repo.get(a).stale_sources, repo.get(a).article)
    assert len(ops) == 1 and ops[0].passage == ch["new"]


def test_a_passage_that_moved_within_its_document_is_not_a_change() -> None:
    art = {"references": [{"number": 1, "passage_id": "d#2", "doc_id": "d", "title": "t", "passage": "Same words."}]}
    assert changed_sources(art, {"d#2": "Inserted before."}, {"d": [("d#2", "Inserted before."),
                                                                    ("d#3", "Same  words.")]}) == []
    (ch,) = changed_sources(art, {}, {"d": [("d#0", "Other text entirely."), ("d#5", "Same words, amended.")]})
    assert (ch.kind, ch.new, ch.new_passage_id) == ("changed", "Same words, amended.", "d#5")
    (gone,) = changed_sources(art, {}, {})
    assert gone.kind == "removed"


def test_ingest_and_review_recheck_commands(tmp_path: Path) -> None:
    from curbside.cli.main import cli

    corpus = Corpus(tmp_path)
    corpus.ingest(record("ngc-1", f"Oral Treatment {FIRST} Recommendation 3 : {LATER}"))
    repo = EditorialRepository.open("", corpus.settings.data_dir)
    try:
        aid = approve(repo, answer("When is intrathecal baclofen used?", [corpus.passage(LATER)], LATER))
    finally:
        repo.close()
    write_source(corpus.file, record("ngc-1", f"Oral Treatment {FIRST} Recommendation 3 : {LATER} Reassess yearly."))
    base = ["--data-dir", str(corpus.settings.data_dir), "--shared-dir", str(tmp_path / "no-shared")]
    runner = CliRunner()
    out = runner.invoke(cli, [*base, "ingest", "--quiet", str(corpus.file)])
    assert out.exit_code == 0, out.output
    assert "1 approved answers need re-review (of 1 checked)." in out.output

    from curbside.cli.review import command as review

    cli.add_command(review)
    out = runner.invoke(cli, [*base, "review", "recheck"])
    assert out.exit_code == 0, out.output
    assert "0 approved answers need re-review (of 0 checked)." in out.output
    repo = EditorialRepository.open("", corpus.settings.data_dir)
    try:
        assert repo.get(aid).status is Status.NEEDS_REREVIEW
    finally:
        repo.close()


def test_ingest_without_an_editorial_database_does_not_create_one(tmp_path: Path) -> None:
    from curbside.cli.main import cli

    src = tmp_path / "g.jsonl"
    write_source(src, record("ngc-1", FIRST))
    data = tmp_path / "data"
    out = CliRunner().invoke(cli, ["--data-dir", str(data), "--shared-dir", str(tmp_path / "x"), "ingest", "--quiet",
                                   str(src)])
    assert out.exit_code == 0, out.output
    assert "need re-review" not in out.output and not (data / "editorial.sqlite").exists()


def test_copies_coming_and_going_and_a_representative_that_goes_while_a_copy_stays(
        tmp_path: Path, repo: EditorialRepository) -> None:
    from curbside.composition.references import with_copies
    from curbside.types import Reference

    corpus = Corpus(tmp_path)
    original = record("ngc-1", f"Oral Treatment {FIRST}")
    copy_ = {**original, "ngc_id": "ngc-1-copy", "developer": "Another Society", "date_released": "2011 Aug"}
    corpus.ingest(original, copy_)
    store = corpus.store()
    try:
        pid, doc, text = store.conn.execute(
            "SELECT passage_id, doc_id, text FROM passages WHERE text LIKE ? AND rep = 1", (f"%{FIRST}%",)).fetchone()
        assert doc == "ngc:ngc-1"  # the newer guideline represents the text
        art = answer("What is first line for spasticity?", [(pid, doc, text)], FIRST)
        art["references"][0]["title"] = "Guideline ngc-1"
        ref = Reference.from_json(art["references"][0])
        (with_also,) = with_copies([ref], store.copies_of)
        assert with_also.copies == 1 and with_also.also_in[0].doc_id == "ngc:ngc-1-copy"
        art["references"][0] = with_also.to_json()
    finally:
        store.close()
    aid = approve(repo, art)
    third = {**original, "ngc_id": "ngc-1-third", "developer": "A Third Society"}
    for records in ([original, copy_, third], [original], [original, copy_], [copy_]):
        corpus.ingest(*records)  # a copy appears, both go, one comes back, then the cited one goes
        store = corpus.store()
        try:
            assert recheck_approved(repo, store).count == 0, records
        finally:
            store.close()
    assert repo.get(aid).status is Status.APPROVED  # the statement is still supported, by the copy
    corpus.ingest(record("ngc-2", f"Stopping {TAPER}"))  # now no document says it
    store = corpus.store()
    try:
        (flagged,) = recheck_approved(repo, store).flagged
    finally:
        store.close()
    assert flagged.article_id == aid and flagged.changes[0].kind == "removed"
