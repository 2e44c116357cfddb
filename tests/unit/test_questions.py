"""Question-to-question matching: the question index kept in step with the store, and
the matcher's order and threshold (a fake bag-of-words embedder stands in for bge)."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest

from curbside import paths
from curbside.index.dense import DenseIndex
from curbside.index.questions import QuestionMatcher, model_id, question_input
from curbside.index.sync import sync_questions
from curbside.settings import Settings
from curbside.store.base import FileState
from curbside.store.sqlite import SQLiteStore
from curbside.types import Document, Passage, SourceType

DIM = 64


class FakeEmbedder:
    """Hashed bag of words: texts sharing words are similar. Counts what it embeds."""

    model_id = "fake@0/cls/max128"
    dim = DIM

    def __init__(self) -> None:
        self.embedded: list[str] = []
        self.queries: list[tuple[str, bool]] = []

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(DIM, dtype=np.float32)
        for w in text.lower().replace("?", " ").split():
            v[zlib.crc32(w.encode()) % DIM] += 1.0
        return v / max(float(np.linalg.norm(v)), 1e-12)

    def embed_passages(self, texts, batch_size: int = 32) -> np.ndarray:
        self.embedded.extend(texts)
        return np.vstack([self._vec(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)

    def embed_query(self, text: str, *, instruction: bool = True) -> np.ndarray:
        self.queries.append((text, instruction))
        return self._vec(text)


def _qa(doc_id: str, focus: str, pairs: list[tuple[str, list[str]]]) -> Document:
    passages = tuple(Passage(q, "qa", t) for q, texts in pairs for t in texts)
    return Document(
        doc_id=f"medquad:{doc_id}", source_type=SourceType.PATIENT_INFO, title=focus,
        publisher="NIH", year=None, date=None, url=None, passages=passages,
    )


GOUT = _qa("gout", "Gout", [
    ("What causes Gout ?", ["Gout is caused by uric acid crystals.", "Diet plays a part."]),
    ("What are the treatments for Gout ?", ["Colchicine treats flares."]),
])
ASTHMA = _qa("asthma", "Asthma", [("What is (are) Asthma ?", ["Asthma narrows the airways."])])
LABEL = Document(
    doc_id="label:x", source_type=SourceType.DRUG_LABEL, title="Colchicine", publisher="Maker",
    year=2020, date=None, url=None, drugs=("colchicine",),
    passages=(Passage("Indications and usage", "indications", "Colchicine is indicated for gout flares."),),
)


def _state(path: str, sha: str) -> FileState:
    return FileState(path, 10, 1, sha, "test", 0, 0)


@pytest.fixture
def env(tmp_path: Path):
    store = SQLiteStore(tmp_path / "s.sqlite")
    settings = Settings(data_dir=tmp_path, shared_dir=tmp_path)
    store.replace_file(_state("/gout.xml", "1"), [GOUT], [])
    store.replace_file(_state("/asthma.xml", "1"), [ASTHMA], [])
    store.replace_file(_state("/label.json", "1"), [LABEL], [])
    yield store, settings, FakeEmbedder()
    store.close()


def _sync(store: SQLiteStore, settings: Settings, fake: FakeEmbedder) -> int:
    return sync_questions(store, settings.data_dir, settings, lambda *a: None, embedder=fake)


def _index(settings: Settings) -> DenseIndex:
    return DenseIndex.load(paths.questions_dir(settings.data_dir))


def _questions(store: SQLiteStore, index: DenseIndex) -> list[str]:
    return [store.passages([int(r)])[0].section for r in index.rowids]


def test_one_row_per_answered_question(env):
    store, settings, fake = env
    assert _sync(store, settings, fake) == 3
    index = _index(settings)
    assert index.model_id == model_id(fake.model_id)
    # the two-passage answer is one row, at its first passage; the label has no questions
    assert _questions(store, index) == ["What causes Gout ?", "What are the treatments for Gout ?",
                                        "What is (are) Asthma ?"]
    assert sorted(fake.embedded) == ["What are the treatments for Gout?", "What causes Gout?", "What is Asthma?"]
    first = store.answer_passages(int(index.rowids[0]))
    assert [p.text for p in first] == ["Gout is caused by uric acid crystals.", "Diet plays a part."]


def test_sync_is_incremental_and_drops_removed_answers(env):
    store, settings, fake = env
    _sync(store, settings, fake)
    fake.embedded.clear()
    assert _sync(store, settings, fake) == 0 and fake.embedded == []
    # a changed document: only its new question is embedded
    gout2 = _qa("gout", "Gout", [
        ("What causes Gout ?", ["Gout is caused by uric acid crystals."]),
        ("How to prevent Gout ?", ["Drink water."]),
    ])
    store.replace_file(_state("/gout.xml", "2"), [gout2], [])
    assert _sync(store, settings, fake) == 1 and fake.embedded == ["How to prevent Gout?"]
    assert _questions(store, _index(settings)) == ["What is (are) Asthma ?", "What causes Gout ?",
                                                   "How to prevent Gout ?"]
    # a removed file: its answers leave the index without embedding anything
    fake.embedded.clear()
    store.forget_files([], "/asthma.xml")
    assert _sync(store, settings, fake) == 0 and fake.embedded == []
    assert _questions(store, _index(settings)) == ["What causes Gout ?", "How to prevent Gout ?"]


def test_an_interrupted_write_is_redone(env):
    store, settings, fake = env
    _sync(store, settings, fake)
    folder = paths.questions_dir(settings.data_dir)
    (folder / "meta.json").unlink()  # as if killed between the files and meta.json
    assert _sync(store, settings, fake) == 0  # vectors come from the store
    assert len(_index(settings)) == 3


def test_matches_best_first_above_the_threshold(env):
    store, settings, fake = env
    _sync(store, settings, fake)
    matcher = QuestionMatcher.load(paths.questions_dir(settings.data_dir), fake)
    assert matcher is not None and len(matcher) == 3
    hits = matcher.match("What causes gout?", 3)
    assert [store.passages([r])[0].section for r, _ in hits][:2] == ["What causes Gout ?",
                                                                     "What are the treatments for Gout ?"]
    sims = [s for _, s in hits]
    assert sims == sorted(sims, reverse=True) and sims[0] == pytest.approx(1.0, abs=1e-3)
    assert fake.queries[-1] == ("What causes gout?", True)  # bge's retrieval instruction
    only = matcher.match("What causes gout?", 3, min_similarity=0.99)
    assert [r for r, _ in only] == [hits[0][0]]
    assert matcher.match("What causes gout?", 0) == [] and matcher.match("  ", 3) == []


def test_another_models_index_is_not_used(env):
    store, settings, fake = env
    _sync(store, settings, fake)
    other = FakeEmbedder()
    other.model_id = "other@1/cls/max128"
    assert QuestionMatcher.load(paths.questions_dir(settings.data_dir), other) is None
    assert QuestionMatcher.load(settings.data_dir / "nowhere", fake) is None


def test_question_input_tidies_medquad_templates():
    assert question_input("What is (are) Gout ?", "Gout") == "What is Gout?"
    assert question_input("Who is at risk for Breast Cancer? ?", "Breast Cancer") == "Who is at risk for Breast Cancer?"
    assert question_input("Do you have information about Potassium",
                          "Potassium") == "Do you have information about Potassium?"
    # an empty topic slot takes the title; with no title to take, nothing to match on
    assert question_input("What is (are) ?", "Staph infections") == "What is Staph infections?"
    assert question_input("What is (are) ?", "What is (are) ?") is None
    assert question_input("what is staphylococcus aureus?", "What is (are) ?") == "what is staphylococcus aureus?"


def test_topic_must_be_named_by_the_user():
    from curbside.index.questions import topic_covered

    assert topic_covered("How is gout treated?", "What are the treatments for Gout ?")
    assert not topic_covered("Is migraine hereditary?", "Is familial hemiplegic migraine inherited ?")
    assert not topic_covered("what causes kidney stones", "What causes Kidney Stones in Children ?")
    # near spellings, and either side of a focus's parenthesis or dash
    assert topic_covered("insulin for type2 diabetics", "What is (are) Diabetes Type 2 ?")
    assert topic_covered("how is bile duct cancer treated",
                         "What are the treatments for Bile Duct Cancer (Cholangiocarcinoma) ?")
    assert topic_covered("is cholangiocarcinoma curable",
                         "What are the treatments for Bile Duct Cancer (Cholangiocarcinoma) ?")
    assert topic_covered("how do you get babesiosis", "Who is at risk for Parasites - Babesiosis? ?")
