"""Incremental, interrupted and bad-input ingest on real files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from curbside import paths
from curbside.errors import CorpusPathError
from curbside.ingest import ingest
from curbside.settings import Settings
from curbside.store.sqlite import SQLiteStore

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-m", "curbside.cli.main"]


def _copy_small(shared_dir: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for f in sorted((shared_dir / "corpus" / "openfda").glob("*.json"))[:4]:
        shutil.copy(f, dest / f.name)
    with open(shared_dir / "corpus" / "guidelines.jsonl") as src, open(dest / "guidelines.jsonl", "w") as out:
        for _, line in zip(range(30), src):
            out.write(line)
    return dest


def test_reingest_unchanged_does_no_work_and_changes_replace(shared_dir, tmp_path):
    corpus = _copy_small(shared_dir, tmp_path / "c")
    settings = Settings.from_env(shared_dir=shared_dir, data_dir=tmp_path / "d")
    first = ingest(settings, [corpus])
    assert first.files_read == 5 and first.docs_added == 34 and first.passages_indexed > 0
    again = ingest(settings, [corpus])
    assert (again.files_read, again.files_unchanged, again.passages_indexed) == (0, 5, 0)
    # readers that changed read every file again; documents that come out the same stay
    store = SQLiteStore(paths.store_file(settings.data_dir))
    store.set_meta_value("readers_version", "0")
    store.close()
    reread = ingest(settings, [corpus])
    assert (reread.files_read, reread.docs_unchanged, reread.docs_changed, reread.passages_indexed) == (5, 34, 0, 0)
    assert ingest(settings, [corpus]).files_read == 0
    # touch without change: hashed, still no work
    os.utime(corpus / "guidelines.jsonl", None)
    assert ingest(settings, [corpus]).files_read == 0
    # change one guideline: exactly that document is replaced
    lines = (corpus / "guidelines.jsonl").read_text().splitlines()
    rec = json.loads(lines[3])
    rec["potential_harms"] = "A changed harms statement for the incremental ingest test."
    lines[3] = json.dumps(rec)
    (corpus / "guidelines.jsonl").write_text("\n".join(lines) + "\n")
    changed = ingest(settings, [corpus])
    assert (changed.docs_changed, changed.docs_added, changed.docs_unchanged) == (1, 0, 29)
    store = SQLiteStore(paths.store_file(settings.data_dir), readonly=True)
    assert store.index_diff("lexical") == ([], [])
    store.close()
    # a deleted file's documents leave the store
    (corpus / "guidelines.jsonl").unlink()
    assert ingest(settings, [corpus]).docs_removed == 30


def test_interrupted_ingest_resumes_to_the_same_state(shared_dir, corpus_slice, slice_settings, tmp_path):
    data = tmp_path / "killed"
    env = dict(os.environ, CURBSIDE_SHARED_DIR=str(shared_dir))
    proc = subprocess.Popen(CLI + ["--data-dir", str(data), "ingest", "--quiet", str(corpus_slice)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = paths.store_file(data)
    deadline = time.time() + 60
    while time.time() < deadline:  # kill it once some but not all files are in
        if db.exists():
            try:
                store = SQLiteStore(db, readonly=True)
                n = store.counts()["files"]
                store.close()
            except Exception:
                n = 0
            if n >= 2:
                break
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    # the kill must land mid-ingest, or this test proves nothing
    assert proc.poll() is None, "the ingest ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    store = SQLiteStore(db, readonly=True)
    partial = store.counts()
    store.close()
    resumed = ingest(Settings.from_env(shared_dir=shared_dir, data_dir=data), [corpus_slice])
    assert resumed.files_unchanged >= partial["files"] - 1
    store = SQLiteStore(db, readonly=True)
    full = SQLiteStore(paths.store_file(slice_settings.data_dir), readonly=True)
    assert partial["files"] < full.counts()["files"]  # it was cut short...
    assert store.counts() == full.counts()  # ...and the next run completed it
    assert store.index_diff("lexical") == ([], [])
    store.close()
    full.close()


def test_malformed_files_are_reported_and_nothing_else_lost(shared_dir, tmp_path):
    corpus = _copy_small(shared_dir, tmp_path / "c")
    (corpus / "broken.json").write_text('{"meta": {}, "results": [{"id": "x", "indications_and_usage": ["tr')
    with open(corpus / "guidelines.jsonl", "a") as f:
        f.write("{not json at all\n")
    settings = Settings.from_env(shared_dir=shared_dir, data_dir=tmp_path / "d")
    report = ingest(settings, [corpus])
    assert [Path(f.file).name for f in report.failed] == ["broken.json"]
    assert report.n_record_errors >= 1
    assert any(e.record for e in report.record_errors)
    assert report.docs_added == 34


def test_missing_and_empty_corpus_paths(shared_dir, tmp_path):
    settings = Settings.from_env(shared_dir=shared_dir, data_dir=tmp_path / "d")
    with pytest.raises(CorpusPathError):
        ingest(settings, [tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusPathError):
        ingest(settings, [tmp_path / "empty"])
    assert not paths.store_file(settings.data_dir).exists()


def run_cli(args, env_extra=None, input_bytes=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run(CLI + args, capture_output=True, text=True, env=env, timeout=120)


def test_cli_bad_inputs_give_messages_and_exit_codes(slice_settings, tmp_path):
    d = ["--data-dir", str(slice_settings.data_dir), "--shared-dir", str(slice_settings.shared_dir)]
    r = run_cli(d + ["ask", ""])
    assert r.returncode == 2 and "empty" in r.stderr and "Traceback" not in r.stderr
    r = run_cli(d + ["ask", "x" * 20_000])
    assert r.returncode == 2 and "limit" in r.stderr
    r = run_cli(d + ["ask", "\x01\x02\x03 \x04"])
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = run_cli(d + ["ask", "What is the indication for Zorblatex?"])
    assert r.returncode == 6 and "Zorblatex" in r.stdout
    r = run_cli(["--data-dir", str(tmp_path / "none"), "ask", "baclofen?"])
    assert r.returncode == 3 and "curbside ingest" in r.stderr
    r = run_cli(["--data-dir", str(tmp_path / "x"), "ingest", str(tmp_path / "missing")])
    assert r.returncode == 2 and "does not exist" in r.stderr
    r = run_cli(d + ["ask", "--json", "What is the indication for Baclofen (Lioresal)?"])
    assert r.returncode == 0
    body = json.loads(r.stdout)
    assert body["sections"][0]["key"] == "indications"


def _guideline_lines(shared_dir: Path, n: int) -> list[str]:
    with open(shared_dir / "corpus" / "guidelines.jsonl") as f:
        return [line for _, line in zip(range(n), f)]


def test_a_record_id_in_two_files_is_reported_and_never_lost(shared_dir, tmp_path):
    """The probe: a one-record slice takes ngc-10000 from a guideline file, then holds
    another id; ngc-10000 must stay (the store and the lexical index), and re-ingesting
    the guideline file must find nothing to do."""
    from curbside.index.sync import LEXICAL, sync_lexical
    from curbside.ingest import _collect, _ingest_files

    lines = _guideline_lines(shared_dir, 3)
    guidelines = tmp_path / "corpus" / "guidelines.jsonl"
    guidelines.parent.mkdir()
    guidelines.write_text("".join(lines))
    small = tmp_path / "a-slice.jsonl"  # sorts first: its version of ngc-10000 is used
    small.write_text(lines[0])
    settings = Settings.from_env(shared_dir=shared_dir, data_dir=tmp_path / "d")
    store = SQLiteStore(paths.store_file(settings.data_dir))

    def run(path: Path) -> dict:
        report = _ingest_files(store, _collect([path]), lambda *a: None)
        sync_lexical(store, settings.data_dir, settings, lambda *a: None)
        return report

    run(guidelines)
    before = [(p.section, p.text) for p in store.passages_of_docs(["ngc:ngc-10000"])]
    assert len(before) == 22
    both = run(small)
    rec = json.loads(lines[0])
    rec["ngc_id"] = "ngc-test-1"
    small.write_text(json.dumps(rec) + "\n")
    report = run(small)
    assert (report["docs_added"], report["docs_removed"]) == (1, 0)
    assert [(p.section, p.text) for p in store.passages_of_docs(["ngc:ngc-10000"])] == before
    again = run(guidelines)
    assert (again["files_unchanged"], again["files_read"]) == (1, 0)
    assert store.counts()["documents"] == 4 and store.index_diff(LEXICAL) == ([], [])
    store.close()
    assert [(d.doc_id, d.used, d.others) for d in both["duplicates"]] == [
        ("ngc:ngc-10000", str(small), (str(guidelines),))]


def test_cli_ingest_reports_unreadable_files_and_duplicate_ids_and_exits_4(shared_dir, tmp_path, deny_access):
    from click.testing import CliRunner

    from curbside.cli.main import cli

    lines = _guideline_lines(shared_dir, 4)
    corpus = tmp_path / "c"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "guidelines.jsonl").write_text("".join(lines[:2]))
    (corpus / "copy.jsonl").write_text(lines[0])
    (corpus / "secret.jsonl").write_text(lines[2])
    (corpus / "sub" / "inner.jsonl").write_text(lines[3])
    deny_access(read=corpus / "secret.jsonl", listing=corpus / "sub")
    data = tmp_path / "d"
    res = CliRunner().invoke(
        cli, ["--data-dir", str(data), "--shared-dir", str(shared_dir), "ingest", "--quiet", str(corpus)],
        catch_exceptions=False,
    )
    assert res.exit_code == 4, res.output
    assert "Traceback" not in res.output
    assert f"FAILED {corpus / 'secret.jsonl'}: permission denied: cannot read this file" in res.output
    assert f"FAILED {corpus / 'sub'}: permission denied: cannot read this folder" in res.output
    assert "Duplicate ids: 1" in res.output
    assert f"ngc:ngc-10000 is in {corpus / 'copy.jsonl'} and {corpus / 'guidelines.jsonl'}" in res.output
    store = SQLiteStore(paths.store_file(data), readonly=True)
    assert store.counts()["documents"] == 2
    store.close()
