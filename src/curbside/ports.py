"""The engine's ports: what it needs of each outside part, as typing.Protocols.

The engine (engine.py) and the retriever (index/retrieve.py) are written against these,
never against a concrete class; ``Engine.open(settings)`` is the one place that wires
the concrete parts in:

    port             concrete (wired by Engine.open)               fake (tests/web/fakes.py)
    PassageStore     store/sqlite.SQLiteStore (SQLite)             FakeStore
    LexicalSearch    index/lexical.LexicalIndex (tantivy BM25)     FakeLexical
    VectorSearch     index/dense.DenseIndex (float16, ONNX)        FakeVectors
    TextEmbedder     index/embedder.Embedder (bge-small, ONNX)     FakeEmbedder
    PassageReranker  index/rerank.Reranker (cross-encoder, ONNX)   FakeReranker
    QuestionIndex    index/questions.QuestionMatcher               FakeQuestions

and the other way round, what the web layer (web/service.py) uses of an engine:

    AnswerEngine     engine.Engine                    FakeEngine

Each protocol holds exactly the methods its user calls, so a fake (or another backend:
a server database, another search library) implements a handful of methods, not a
class's whole surface. Ingest and the indexes' upkeep (ingest.py, index/sync.py) work on
the concrete classes: writing is specific to each backend. The protocols are
runtime-checkable so tests can assert that the concrete classes and the fakes fit
(tests/web/test_ports.py, which also compares the methods' parameters).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # only for annotations: numpy costs import time
    import numpy as np

    from curbside.composition.explain import Explained
    from curbside.types import AlsoIn, Article, Audience, QuestionType, RecordError, SourceHit, StoredPassage
    from curbside.understanding.suggestions import Suggestion

# What LexicalSearch.build_query makes and LexicalSearch.search takes: opaque to the
# engine (a tantivy query for LexicalIndex, None when there are no terms).
Query = Any


@runtime_checkable
class PassageStore(Protocol):
    """Reads of the passage store."""

    def passages(self, rowids: Sequence[int]) -> list[StoredPassage]:
        """The passages with these rowids, in the order given (unknown ones left out)."""
        ...

    def rowids_for_drug(self, key: str) -> list[int]:
        """Rowids of the passages of the documents about the drug ``key`` (drug_key) that
        the indexes hold: one for each text (a copy's is its representative's)."""
        ...

    def label_passages(self, keys: Sequence[str], max_documents: int) -> list[StoredPassage]:
        """The drug labels' passages about any of the drugs ``keys``, one for each text,
        of at most ``max_documents`` labels: fullest, then newest labels first, each
        label's passages in order."""
        ...

    def copies_of(self, passage_ids: Sequence[str], limit: int) -> dict[str, tuple[int, tuple[AlsoIn, ...]]]:
        """passage_id -> (how many other documents hold a copy of it, the first ``limit``
        of them), for the passages that have copies."""
        ...

    def answer_passages(self, rowid: int) -> list[StoredPassage]:
        """Every passage of the answer (same document and section) ``rowid`` belongs to,
        in order; empty when the passage is gone."""
        ...

    def newest_date(self, doc_ids: Sequence[str]) -> str | None: ...

    def corpus_version(self) -> str: ...

    def newest_year(self) -> int | None:
        """The year of the corpus's newest dated document (recency is counted from it)."""
        ...

    def counts(self) -> dict[str, int]:
        """How many files, documents, passages, copies (passages that repeat another
        document's text, left out of the indexes) and record errors the store holds."""
        ...

    def errors(self, limit: int = ...) -> list[RecordError]:
        """Malformed records skipped at ingest."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class LexicalSearch(Protocol):
    """Word search (BM25) over the passages; hits are (rowid, score), best first."""

    def build_query(
        self,
        terms: Sequence[str],
        *,
        drug_keys: Sequence[str] = ...,
        drug_filter: bool = ...,
        sources: Sequence[str] = ...,
    ) -> Query:
        """A query for passages with ``terms``: those about ``drug_keys`` rank higher (or,
        with ``drug_filter``, are the only ones); ``sources`` limits the source types."""
        ...

    def search(self, query: Query, k: int) -> list[tuple[int, float]]: ...

    def count(self, term: str) -> int:
        """How many passages contain ``term``."""
        ...

    def num_docs(self) -> int: ...


@runtime_checkable
class VectorSearch(Protocol):
    """Nearest passage vectors to a query vector; hits are (rowid, cosine), best first."""

    def search(self, qvec: np.ndarray, k: int, allow: np.ndarray | None = ...) -> list[tuple[int, float]]:
        """``allow``: only these rowids may be returned."""
        ...


@runtime_checkable
class TextEmbedder(Protocol):
    """Unit-length embeddings of questions and of passages (one model, one space)."""

    def embed_query(self, text: str, *, instruction: bool = ...) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str], batch_size: int = ...) -> np.ndarray: ...


@runtime_checkable
class PassageReranker(Protocol):
    """Relevance of each passage to a question, read together (higher is better)."""

    def score(self, query: str, passages: Sequence[str], batch_size: int = ...) -> np.ndarray: ...


@runtime_checkable
class QuestionIndex(Protocol):
    """The corpus's answered questions most similar to a text: (rowid of the answer's
    first passage, cosine similarity), best first."""

    def match(self, text: str, k: int = ..., min_similarity: float = ...) -> list[tuple[int, float]]: ...


@runtime_checkable
class AnswerEngine(Protocol):
    """What the web layer asks of an engine (one request at a time, web/service.py)."""

    corpus_version: str
    settings_hash: str

    def ask(self, question: str, audience: Audience = ..., context: str | None = ...) -> Article: ...

    def explain(self, question: str, audience: Audience = ..., context: str | None = ...) -> Explained:
        """``ask``'s article with why each statement was chosen (composition/explain.py)."""
        ...

    def suggest(self, article_or_question: Article | str, audience: Audience = ..., k: int = ...,
                *, asked: Collection[QuestionType] = ...) -> list[Suggestion]:
        """Up to ``k`` follow-up questions the corpus answers (understanding/suggestions.py)."""
        ...

    def search_sources(self, text: str, limit: int = ...) -> list[SourceHit]: ...

    def close(self) -> None: ...
