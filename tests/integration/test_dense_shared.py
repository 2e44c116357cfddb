"""Dense vectors through ingest and the engine, on the real slice and the real model."""

from __future__ import annotations

import pytest

from curbside import paths
from curbside.engine import Engine
from curbside.ingest import ingest
from curbside.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dense_settings(shared_dir, corpus_slice, tmp_path_factory):
    settings = Settings.from_env(shared_dir=shared_dir, data_dir=tmp_path_factory.mktemp("dense"))
    first = ingest(settings, [corpus_slice], embed=True)
    assert first.passages_embedded > 100
    return settings


def test_embeddings_are_incremental(dense_settings, corpus_slice):
    again = ingest(dense_settings, [corpus_slice], embed=True)
    assert again.passages_embedded == 0 and again.files_read == 0
    assert (paths.dense_dir(dense_settings.data_dir) / "state.json").exists()


def test_engine_uses_dense_vectors(dense_settings):
    engine = Engine.open(dense_settings)
    try:
        assert engine.has_dense
        r = engine.retrieve("Do mitochondria take part in programmed cell death in the lace plant?")
        assert "dense" in r.timings_ms and "embed_query" in r.timings_ms
        assert r.ranked()[0].doc_id == "pmid:21645374"
        a = engine.ask("What is the indication for Baclofen (Lioresal)?")
        assert not a.abstained and a.sections[0].key == "indications"
    finally:
        engine.close()


def test_dense_can_be_switched_off(dense_settings):
    engine = Engine.open(dense_settings.replace(use_dense=False))
    try:
        assert not engine.has_dense
        assert "dense" not in engine.retrieve("lace plant programmed cell death").timings_ms
    finally:
        engine.close()
