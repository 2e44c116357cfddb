"""The engine's ports (curbside/ports.py): the concrete classes Engine.open wires in and
the fakes of fakes.py implement them, and a real Engine runs over the fakes alone."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest
from fakes import (
    PASSAGE_1,
    FakeEmbedder,
    FakeEngine,
    FakeLexical,
    FakeQuestions,
    FakeReranker,
    FakeStore,
    FakeVectors,
)

from curbside.engine import Engine
from curbside.index.dense import DenseIndex
from curbside.index.embedder import Embedder
from curbside.index.lexical import LexicalIndex
from curbside.index.questions import QuestionMatcher
from curbside.index.rerank import Reranker
from curbside.ports import (
    AnswerEngine,
    LexicalSearch,
    PassageReranker,
    PassageStore,
    QuestionIndex,
    TextEmbedder,
    VectorSearch,
)
from curbside.settings import Settings
from curbside.store.sqlite import SQLiteStore
from curbside.types import Audience, SourceHit, SourceType, StoredPassage
from curbside.understanding.conditions import ConditionMatcher
from curbside.understanding.lexicon import DrugLexicon
from curbside.understanding.parser import QuestionParser

# (port, the concrete class Engine.open wires in, the test fake)
PORTS = [
    (PassageStore, SQLiteStore, FakeStore),
    (LexicalSearch, LexicalIndex, FakeLexical),
    (VectorSearch, DenseIndex, FakeVectors),
    (TextEmbedder, Embedder, FakeEmbedder),
    (PassageReranker, Reranker, FakeReranker),
    (QuestionIndex, QuestionMatcher, FakeQuestions),
]


def _methods(port: type) -> list[str]:
    return [n for n, v in vars(port).items() if inspect.isfunction(v) and not n.startswith("_")]


def _fits(wanted: inspect.Signature, have: inspect.Signature) -> str | None:
    """Why a method with signature ``have`` cannot be called every way the port's
    ``wanted`` allows (same names, same positional/keyword kinds, defaults where the port
    has them, no other required parameter), or None."""
    params = dict(have.parameters)
    for name, p in wanted.parameters.items():
        q = params.pop(name, None)
        if q is None:
            return f"lacks the parameter {name}"
        if q.kind != p.kind:
            return f"takes {name} as {q.kind.description}, the port as {p.kind.description}"
        if p.default is not inspect.Parameter.empty and q.default is inspect.Parameter.empty:
            return f"requires {name}, which the port lets callers leave out"
    extra = [n for n, q in params.items() if q.default is inspect.Parameter.empty
             and q.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    return f"also requires {', '.join(extra)}" if extra else None


@pytest.mark.parametrize("port, concrete, fake", PORTS, ids=[p[0].__name__ for p in PORTS])
def test_concrete_classes_and_fakes_implement_the_ports(port: type, concrete: type, fake: type) -> None:
    assert _methods(port)
    for cls in (concrete, fake):
        assert issubclass(cls, port), f"{cls.__name__} is not a {port.__name__}"
        for name in _methods(port):
            why = _fits(inspect.signature(getattr(port, name)), inspect.signature(getattr(cls, name)))
            assert why is None, f"{cls.__name__}.{name} {why}"


def test_the_engine_and_the_fake_engine_are_answer_engines() -> None:
    for engine in (_engine(), FakeEngine()):
        assert isinstance(engine, AnswerEngine)
        for name in _methods(AnswerEngine):
            why = _fits(inspect.signature(getattr(AnswerEngine, name)), inspect.signature(getattr(type(engine), name)))
            assert why is None, f"{type(engine).__name__}.{name} {why}"


AllPorts = tuple[PassageStore, LexicalSearch, VectorSearch, TextEmbedder, PassageReranker, QuestionIndex,
                 AnswerEngine]


def _static_fit(store: SQLiteStore, lexical: LexicalIndex, dense: DenseIndex, embedder: Embedder,
                reranker: Reranker, questions: QuestionMatcher, engine: Engine) -> tuple[AllPorts, AllPorts]:
    """Never called: mypy checks that the concrete classes and the fakes are their ports."""
    fakes: AllPorts = (FakeStore(), FakeLexical(), FakeVectors(), FakeEmbedder(), FakeReranker(), FakeQuestions(),
                       FakeEngine())
    return (store, lexical, dense, embedder, reranker, questions, engine), fakes


# ---- a real Engine over the fakes -------------------------------------------------------

LABEL_2 = "Baclofen is a muscle relaxant and antispastic agent. Baclofen reduces spasms."
STUDY = "Intrathecal baclofen improves muscle tone in severe spasticity of spinal origin."


def _passage(rowid: int, text: str, *, doc: str, section: str = "Indications and usage",
             code: str = "indications", kind: SourceType = SourceType.DRUG_LABEL, ordinal: int = 0,
             url: str | None = "https://dailymed.nlm.nih.gov/dailymed/") -> StoredPassage:
    return StoredPassage(
        rowid=rowid, passage_id=f"{doc}#{ordinal}", doc_id=doc, ordinal=ordinal, section=section,
        section_code=code, text=text, source_type=kind, title=f"Title of {doc}", publisher="Acme Pharma",
        year=2019, date="2019-05-01", url=url, drugs=("baclofen",) if kind is SourceType.DRUG_LABEL else (),
    )


PASSAGES = [
    _passage(1, PASSAGE_1, doc="label:abc"),
    _passage(2, LABEL_2, doc="label:abc", section="Clinical pharmacology", code="mechanism", ordinal=1),
    _passage(3, STUDY, doc="pmid:1", section="Abstract", code="abstract", kind=SourceType.RESEARCH, url=None),
]


def _engine(**parts: Any) -> Engine:
    parser = QuestionParser(DrugLexicon(["baclofen"], {"baclofen": 0}, ["baclofen"]),
                            ConditionMatcher([], [], {}, [], []))
    counts = {"baclofen": 3, "spasticity": 2, "muscle": 2, "tone": 1, "indication": 1}
    store = parts.pop("store", None) or FakeStore(list(PASSAGES))
    lexical = parts.pop("lexical", None) or FakeLexical(hits=[(1, 3.0), (3, 2.0), (2, 1.0)], counts=counts)
    return Engine(parts.pop("settings", Settings()), store, lexical, parser, **parts)


def test_search_sources_gives_typed_hits_with_snippets() -> None:
    engine = _engine()
    hits = engine.search_sources("baclofen spasticity", 2)
    assert [type(h) for h in hits] == [SourceHit, SourceHit]
    first = hits[0]
    assert (first.passage_id, first.source_type, first.publisher, first.year, first.score) == (
        "label:abc#0", SourceType.DRUG_LABEL, "Acme Pharma", 2019, 3.0)
    assert first.snippet.startswith("Baclofen tablets are indicated") and len(first.snippet) <= 245
    assert hits[1].doc_id == "pmid:1" and hits[1].url is None
    assert engine.search_sources("the of and", 5) == [] and engine.search_sources("baclofen", 0) == []


def test_engine_answers_from_the_fakes() -> None:
    engine = _engine()
    article = engine.ask("What is the indication for baclofen?", Audience.PHYSICIAN)
    assert not article.abstained, article.abstain_reason
    assert article.sections[0].key == "indications"
    assert any("spasticity resulting from multiple sclerosis" in s.text for s in article.sections[0].statements)
    assert article.corpus_version == "corpus-1" and article.last_updated == "2019-05-01"
    assert engine.counts()["passages"] == 3 and engine.record_errors() == []
    engine.close()
    assert engine.store.closed  # type: ignore[attr-defined]


def test_dense_rerank_and_question_ports_are_used() -> None:
    vectors, embedder = FakeVectors(hits=[(3, 0.9), (1, 0.5)]), FakeEmbedder()
    engine = _engine(dense=vectors, embedder=embedder, reranker=FakeReranker(),
                     questions=FakeQuestions(matches=[(3, 0.95), (2, 0.5)]),
                     settings=Settings(use_rerank=True))
    assert engine.has_dense
    r = engine.retrieve("Does intrathecal baclofen improve muscle tone?")
    assert {"dense", "embed_query", "rerank"} <= r.timings_ms.keys()
    assert r.ranked()[0].doc_id == "pmid:1"
    assert embedder.queries == ["Does intrathecal baclofen improve muscle tone?"]
    matches = engine.similar_questions("Is intrathecal baclofen of use?", topic_check=False)
    assert [m.rowid for m in matches] == [3]  # the other match is under question_match_threshold


def test_dense_search_needs_an_embedder() -> None:
    with pytest.raises(ValueError, match="embedder"):
        _engine(dense=FakeVectors())
    assert not _engine(embedder=FakeEmbedder()).has_dense


def test_fake_vectors_keep_to_the_allow_list() -> None:
    assert FakeVectors(hits=[(1, 0.9), (2, 0.8)]).search(np.zeros(4), 5, allow=np.array([2])) == [(2, 0.8)]


def test_a_follow_up_is_answered_as_its_standalone_question() -> None:
    engine = _engine()
    article = engine.ask("And for children?", Audience.PHYSICIAN, context="What is the indication for baclofen?")
    assert article.question == "And for children?" and article.title == "And for children?"
    assert article.understood_as == "What is the indication for baclofen for children?"
    assert [d.generic for d in article.drugs] == ["baclofen"] and not article.abstained
    # answered as asked: nothing recorded (and nothing written in the JSON)
    plain = engine.ask("What is the indication for baclofen?", Audience.PHYSICIAN)
    assert plain.understood_as is None and "understood_as" not in plain.to_json()
    # an abstained follow-up keeps the question as asked too
    away = engine.ask("And the Quintaplexor dose?", Audience.PHYSICIAN, context="What is baclofen for?")
    assert away.abstained and away.question == "And the Quintaplexor dose?"


def test_suggest_offers_only_follow_ups_the_corpus_answers() -> None:
    engine = _engine()
    article = engine.ask("What is the dose of baclofen?", Audience.PHYSICIAN)
    offered = engine.suggest(article, Audience.PHYSICIAN)
    assert [s.question for s in offered] == ["How does baclofen work?", "What is baclofen used for?"]
    for s in offered:  # each one, asked, is answered: not abstained, not partial, its own section first
        answer = engine.ask(s.question, Audience.PHYSICIAN)
        assert not answer.abstained and not answer.partial and answer.question_type is s.aspect
    # the thread's aspects are not offered again; k caps them; an abstained article gets none
    assert [s.question for s in engine.suggest(article, Audience.PHYSICIAN, asked={s.aspect for s in offered})] == []
    assert len(engine.suggest(article, Audience.PHYSICIAN, k=1)) == 1
    assert engine.suggest(engine.ask("What is the dose of Quintaplexor?"), Audience.PHYSICIAN) == []
    assert engine.suggest("What is the dose of baclofen?", Audience.PHYSICIAN) == offered  # a question works too
