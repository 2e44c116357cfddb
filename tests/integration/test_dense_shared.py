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
    assert first.questions_embedded >= 100  # 40 NINDS files, 4 questions or so each
    return settings


def test_embeddings_are_incremental(dense_settings, corpus_slice):
    again = ingest(dense_settings, [corpus_slice], embed=True)
    assert again.passages_embedded == 0 and again.files_read == 0
    assert again.questions_embedded == 0
    assert (paths.dense_dir(dense_settings.data_dir) / "state.json").exists()
    assert (paths.questions_dir(dense_settings.data_dir) / "state.json").exists()


def test_similar_questions_find_the_answered_question(dense_settings):
    engine = Engine.open(dense_settings)
    try:
        matches = engine.similar_questions("How is Pompe disease treated?", k=3)
        assert matches, "the slice answers 'What are the treatments for Pompe Disease ?'"
        best = matches[0]
        assert best.question == "What are the treatments for Pompe Disease ?"
        assert best.similarity >= dense_settings.question_match_threshold
        assert all(p.doc_id == best.passages[0].doc_id and p.section == best.question for p in best.passages)
        assert [m.similarity for m in matches] == sorted((m.similarity for m in matches), reverse=True)
        # only questions about Pompe disease: the topic check keeps other diseases out
        assert all("pompe" in m.question.lower() for m in matches)
        # nothing in the slice is about gout; a question the corpus has no twin for
        assert engine.similar_questions("How is gout treated?") == []
        assert engine.similar_questions("How is gout treated?", min_similarity=0.0, topic_check=False)
    finally:
        engine.close()


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


def test_no_question_index_means_no_matches(engine):
    # the session's engine was ingested without --embed: no vectors, no question index
    assert engine.question_matcher() is None
    assert engine.similar_questions("How is Pompe disease treated?") == []
