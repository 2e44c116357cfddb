"""Ingest's file bookkeeping on tiny guideline files: a document id held by several
files, and files or folders that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curbside.ingest import _collect, _ingest_files
from curbside.store.sqlite import SQLiteStore

RECOMMENDATIONS = (
    "Oral baclofen should be used as first line therapy for generalised spasticity ( Grade 1B ). "
    "Tizanidine is an alternative when baclofen is not tolerated ( Grade 1C )."
)


def _record(ngc_id: str, harms: str = "Drowsiness and weakness may occur with oral agents.") -> str:
    return json.dumps({
        "ngc_id": ngc_id, "title": f"Management of spasticity ({ngc_id}).",
        "developer": "Example Society of Neurology - Medical Specialty Society",
        "date_released": "2013 Aug", "disease_condition": "Spasticity",
        "target_population": "Adults with spasticity", "major_recommendations": RECOMMENDATIONS,
        "potential_benefits": "Reduced spasticity.", "potential_harms": harms,
    })


def _write(path: Path, *records: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(r + "\n" for r in records))
    return path


def _run(store: SQLiteStore, *paths: Path) -> dict:
    return _ingest_files(store, _collect(list(paths)), lambda stage, done, total: None)


def _passages(store: SQLiteStore, doc_id: str) -> list[tuple[str, str]]:
    return [(p.section_code, p.text) for p in store.passages_of_docs([doc_id])]


def _harms(store: SQLiteStore, doc_id: str) -> str:
    return next(text for code, text in _passages(store, doc_id) if code == "harms")


def _duplicates(report: dict) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(d.doc_id, d.used, d.others) for d in report["duplicates"]]


@pytest.fixture
def store(tmp_path: Path):
    s = SQLiteStore(tmp_path / "store" / "s.sqlite")
    yield s
    s.close()


# ---- one document id in several files ------------------------------------------------
def test_a_document_stays_while_another_file_still_holds_it(tmp_path, store):
    big = _write(tmp_path / "b" / "guidelines.jsonl", _record("ngc-1"), _record("ngc-2"))
    small = _write(tmp_path / "a" / "first.jsonl", _record("ngc-1"))
    _run(store, big)
    before = _passages(store, "ngc:ngc-1")
    assert before
    both = _run(store, small)
    # the small file no longer holds ngc-1: the big file still does, so it stays
    _write(small, _record("ngc-3"))
    report = _run(store, small)
    assert _passages(store, "ngc:ngc-1") == before
    assert report["docs_removed"] == 0 and report["duplicates"] == ()
    assert _duplicates(both) == [("ngc:ngc-1", str(small), (str(big),))]
    again = _run(store, big)
    assert (again["files_unchanged"], again["docs_removed"]) == (1, 0)
    assert _passages(store, "ngc:ngc-1") == before
    # once no file holds it, it goes
    _write(big, _record("ngc-2"))
    assert _run(store, big)["docs_removed"] == 1
    assert _passages(store, "ngc:ngc-1") == []
    assert store.counts()["documents"] == 2


@pytest.mark.parametrize("order", ["a-then-b", "b-then-a", "folder"])
def test_the_first_file_by_path_wins_whatever_the_ingest_order(tmp_path, store, order):
    a = _write(tmp_path / "c" / "a.jsonl", _record("ngc-1", harms="Version A of the harms statement."))
    b = _write(tmp_path / "c" / "b.jsonl", _record("ngc-1", harms="Version B of the harms statement."))
    runs = {"a-then-b": [[a], [b]], "b-then-a": [[b], [a]], "folder": [[tmp_path / "c"]]}[order]
    reports = [_run(store, *paths) for paths in runs]
    assert _harms(store, "ngc:ngc-1") == "Version A of the harms statement."
    assert _duplicates(reports[-1]) == [("ngc:ngc-1", str(a), (str(b),))]
    assert reports[-1]["n_duplicates"] == 1


def test_the_other_files_version_comes_back_when_the_used_file_drops_the_id(tmp_path, store):
    a = _write(tmp_path / "a.jsonl", _record("ngc-1", harms="Version A of the harms statement."))
    b = _write(tmp_path / "b.jsonl", _record("ngc-1", harms="Version B of the harms statement."))
    _run(store, a, b)
    _write(a, _record("ngc-9"))
    report = _run(store, a)  # b is read again in the same run, though not named
    assert _harms(store, "ngc:ngc-1") == "Version B of the harms statement."
    assert report["docs_removed"] == 0 and report["docs_changed"] == 1
    assert _run(store, a, b)["files_read"] == 0


def test_a_deleted_file_gives_way_to_the_other_holders_version(tmp_path, store):
    folder = tmp_path / "c"
    a = _write(folder / "a.jsonl", _record("ngc-1", harms="Version A of the harms statement."))
    b = _write(folder / "b.jsonl", _record("ngc-1", harms="Version B of the harms statement."), _record("ngc-2"))
    _run(store, b)
    _run(store, folder)
    assert _harms(store, "ngc:ngc-1") == "Version A of the harms statement."
    a.unlink()
    report = _run(store, folder)
    assert _harms(store, "ngc:ngc-1") == "Version B of the harms statement."
    assert report["docs_removed"] == 0 and report["failed"] == ()
    assert store.counts()["documents"] == 2


# ---- files and folders that cannot be read --------------------------------------------
def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "c"
    _write(folder / "good.jsonl", _record("ngc-1"))
    _write(folder / "secret.jsonl", _record("ngc-2"))
    _write(folder / "sub" / "inner.jsonl", _record("ngc-3"))
    _write(folder / "unstattable.jsonl", _record("ngc-4"))
    return folder


def _problems(report: dict) -> dict[str, str]:
    return {Path(f.file).name: f.reason for f in report["failed"]}


def test_unreadable_files_and_folders_are_reported_and_the_rest_ingested(tmp_path, store, deny_access):
    folder = _corpus(tmp_path)
    deny_access(read=folder / "secret.jsonl", listing=folder / "sub", stat=folder / "unstattable.jsonl")
    report = _run(store, folder)
    problems = _problems(report)
    assert sorted(problems) == ["secret.jsonl", "sub", "unstattable.jsonl"]
    assert all(reason.startswith("permission denied: cannot read") for reason in problems.values())
    assert "folder" in problems["sub"]
    assert _passages(store, "ngc:ngc-1") and store.counts()["documents"] == 1
    # a file named on its own that cannot be read is a problem too, not a crash
    assert list(_problems(_run(store, folder / "secret.jsonl"))) == ["secret.jsonl"]


def test_documents_of_a_folder_that_becomes_unreadable_are_kept(tmp_path, store, deny_access):
    folder = _corpus(tmp_path)
    _run(store, folder)
    assert store.counts()["documents"] == 4
    _write(folder / "secret.jsonl", _record("ngc-2", harms="A changed harms statement."))
    deny_access(read=folder / "secret.jsonl", listing=folder / "sub")
    report = _run(store, folder)
    assert sorted(_problems(report)) == ["secret.jsonl", "sub"]
    assert report["docs_removed"] == 0 and store.counts()["documents"] == 4


def test_a_folder_that_cannot_be_listed_at_all_is_a_problem_not_a_crash(tmp_path, store, deny_access):
    folder = _corpus(tmp_path)
    deny_access(listing=folder)
    report = _run(store, folder)
    assert list(_problems(report)) == ["c"] and store.counts()["documents"] == 0


def _permissions_bite(tmp_path: Path) -> bool:
    """False for root (or any user allowed to read every file)."""
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0)
    try:
        probe.read_text()
    except PermissionError:
        return True
    finally:
        probe.chmod(0o644)
    return False


def test_chmod_000_file_and_folder(tmp_path, store):
    if not _permissions_bite(tmp_path):
        pytest.skip("this user reads chmod 000 files (root); the monkeypatched tests cover it")
    folder = _corpus(tmp_path / "t")
    (folder / "secret.jsonl").chmod(0)
    (folder / "sub").chmod(0)
    try:
        report = _run(store, folder)
    finally:
        (folder / "secret.jsonl").chmod(0o644)
        (folder / "sub").chmod(0o755)
    assert sorted(_problems(report)) == ["secret.jsonl", "sub"]
    assert store.counts()["documents"] == 2
