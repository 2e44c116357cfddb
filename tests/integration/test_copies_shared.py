"""One fact, many copies, on a real slice: the slice and three copies of it (new ids,
other manufacturers: scripts/bench_scale.py's copies) ingested together answer exactly
as the slice alone, and each reference says how many other documents carry its text."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from curbside.engine import Engine
from curbside.index.lexical import LexicalIndex
from curbside.ingest import ingest
from curbside.settings import Settings
from curbside.store.sqlite import SQLiteStore

pytestmark = pytest.mark.integration

COPIES = 3
QUESTIONS = (
    "What is the indication for Baclofen (Lioresal)?",
    "What are the side effects of baclofen?",
    "Can baclofen be stopped suddenly?",
    "What is the dose of baclofen for spasticity?",
)


def _bench_scale():
    path = Path(__file__).resolve().parents[2] / "scripts" / "bench_scale.py"
    spec = importlib.util.spec_from_file_location("bench_scale", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def copied(shared_dir: Path, corpus_slice: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    bench = _bench_scale()
    folders = []
    for i in range(1, COPIES + 1):
        folder = tmp_path_factory.mktemp("copies") / f"c{i:02d}"
        bench.write_copy(corpus_slice, folder, i)
        folders.append(folder)
    settings = Settings.from_env(shared_dir=shared_dir, data_dir=tmp_path_factory.mktemp("data-copies"))
    report = ingest(settings, [corpus_slice, *folders])
    assert report.files_read > 0 and not report.failed
    return settings


def _store(settings: Settings) -> SQLiteStore:
    return SQLiteStore(settings.data_dir / "curbside.sqlite", readonly=True)


def test_the_indexes_hold_one_passage_per_text(slice_settings: Settings, copied: Settings) -> None:
    one, many = _store(slice_settings), _store(copied)
    try:
        n1, n4 = one.counts(), many.counts()
        medquad = one.conn.execute("SELECT count(*) FROM passages p JOIN documents d USING(doc_id)"
                                   " WHERE d.source_type = 'patient_information'").fetchone()[0]
        assert n4["passages"] == (COPIES + 1) * n1["passages"] - COPIES * medquad  # MedQuAD is not copied
        assert n4["passages"] - n4["copies"] == n1["passages"] - n1["copies"]  # as many texts as before
        # every group has exactly one representative, and copies are never indexed
        assert many.conn.execute("SELECT count(*) FROM copy_groups g WHERE (SELECT count(*) FROM passages p"
                                 " WHERE p.copy_key = g.copy_key AND p.rep = 1) != 1").fetchone()[0] == 0
    finally:
        one.close()
        many.close()
    assert LexicalIndex(copied.data_dir / "lexical").num_docs() == LexicalIndex(
        slice_settings.data_dir / "lexical").num_docs()


def test_copies_change_no_answer_and_are_listed(engine: Engine, copied: Settings) -> None:
    many = Engine.open(copied)
    try:
        for q in QUESTIONS:
            a, b = engine.ask(q), many.ask(q)
            assert [s.text for s in b.statements()] == [s.text for s in a.statements()], q
            assert [r.passage for r in b.references] == [r.passage for r in a.references], q
            texts = [" ".join(r.passage.split()) for r in b.references]
            assert len(texts) == len(set(texts)), q  # no text cited twice
            for ra, rb in zip(a.references, b.references):
                if rb.source_type.value != "patient_information":
                    assert rb.copies == (ra.copies + 1) * (COPIES + 1) - 1, (q, rb.passage_id)
                    assert len(rb.also_in) == rb.copies and rb.passage_id not in {o.passage_id for o in rb.also_in}
        article = many.ask(QUESTIONS[0]).to_json()
        assert all(r["copies"] >= COPIES and len(r["also_in"]) == r["copies"] for r in article["references"]
                   if r["type"] == "drug_label")
    finally:
        many.close()
