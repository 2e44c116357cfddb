"""The answer engine: question -> understanding -> retrieval -> composition -> Article.

    engine = Engine.open(Settings.from_env())
    article = engine.ask("What is the indication for Baclofen (Lioresal)?")
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from curbside import paths
from curbside.composition.compose import Composer, Context, abstained_article, title_for
from curbside.composition.plan import ASKED_FOR, SectionSpec
from curbside.errors import EmptyQuestionError, NotIngestedError, QuestionTooLongError, UserInputError
from curbside.index.lexical import LexicalIndex, query_terms
from curbside.index.retrieve import Retriever
from curbside.settings import Settings
from curbside.store.sqlite import SQLiteStore
from curbside.types import Article, Audience, ParsedQuestion, SourceType, StoredPassage
from curbside.understanding.conditions import ConditionMatcher
from curbside.understanding.lexicon import DrugLexicon
from curbside.understanding.parser import QuestionParser

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")


def clean_question(raw: str, max_chars: int) -> str:
    if raw is None or not raw.strip():
        raise EmptyQuestionError("The question is empty.", fix="Type a question, e.g. \"What is baclofen used for?\"")
    if len(raw) > max_chars:
        raise QuestionTooLongError(
            f"The question is {len(raw):,} characters long; the limit is {max_chars:,}.",
            fix="Ask one short question (a sentence or two).",
        )
    q = " ".join(_CONTROL.sub(" ", raw).split())
    letters = sum(ch.isalpha() for ch in q)
    if letters < 2 or letters < 0.5 * len(q.replace(" ", "")):
        raise UserInputError(
            "The question is not readable text.", fix="Type the question in plain words."
        )
    return q


class Engine:
    def __init__(
        self,
        settings: Settings,
        store: SQLiteStore,
        lexical: LexicalIndex,
        parser: QuestionParser,
        dense: object | None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.lexical = lexical
        self.parser = parser
        self.dense = dense
        self._embedder: object | None = None
        self._reranker: object | None = None
        self._lock = threading.Lock()
        self.composer = Composer()
        self.corpus_version = store.corpus_version()
        self.settings_hash = settings.answer_hash()

    @classmethod
    def open(cls, settings: Settings) -> Engine:
        data = settings.data_dir
        db = paths.store_file(data)
        if not db.exists() or not LexicalIndex.exists(paths.lexical_dir(data)):
            raise NotIngestedError(
                f"No ingested corpus in {data}.",
                fix=f"Run `curbside ingest {settings.corpus_dir}` first (or pass --data-dir).",
            )
        store = SQLiteStore(db, readonly=True)
        lexical = LexicalIndex(paths.lexical_dir(data))
        parser = QuestionParser(
            DrugLexicon.load(paths.lexicon_file(data)), ConditionMatcher.load(paths.conditions_file(data))
        )
        dense = None
        if settings.use_dense and (paths.dense_dir(data) / "meta.json").exists():
            from curbside.index.dense import DenseIndex

            dense = DenseIndex.load(paths.dense_dir(data))
        return cls(settings, store, lexical, parser, dense)

    @property
    def has_dense(self) -> bool:
        return self.dense is not None

    def _retriever(self) -> Retriever:
        embedder = reranker = None
        if self.dense is not None:
            with self._lock:
                if self._embedder is None:
                    from curbside.index.embedder import Embedder
                    from curbside.index.models import model_dir

                    self._embedder = Embedder(
                        model_dir("bge_small_en"), threads=self.settings.threads,
                        max_tokens=self.settings.embed_max_tokens,
                    )
            embedder = self._embedder
        if self.settings.use_rerank:
            with self._lock:
                if self._reranker is None:
                    from curbside.index.models import model_dir
                    from curbside.index.rerank import Reranker

                    self._reranker = Reranker(model_dir("reranker_en"), threads=self.settings.threads)
            reranker = self._reranker
        return Retriever(self.store, self.lexical, self.settings, dense=self.dense, embedder=embedder, reranker=reranker)

    def parse(self, question: str, context: str | None = None) -> ParsedQuestion:
        pq = self.parser.parse(question)
        if context and not pq.drugs:
            prev = self.parser.parse(clean_question(context, self.settings.max_question_chars))
            if prev.drugs:  # a follow-up ("and the dose?") keeps the drug asked about before
                pq = ParsedQuestion(
                    text=pq.text, qtype=pq.qtype, drugs=prev.drugs,
                    conditions=pq.conditions or prev.conditions,
                    secondary_types=pq.secondary_types, language=pq.language,
                )
        return pq

    def label_passages(self, pq: ParsedQuestion) -> list[StoredPassage]:
        """Label passages of the asked drugs, fuller and newer labels first."""
        rowids = sorted({r for d in pq.drugs for r in self.store.rowids_for_drug(d.generic)})
        ps = [p for p in self.store.passages(rowids) if p.source_type is SourceType.DRUG_LABEL]
        by_doc: dict[str, list[StoredPassage]] = {}
        for p in ps:
            by_doc.setdefault(p.doc_id, []).append(p)

        def rank(doc_ps: list[StoredPassage]) -> tuple:
            p0 = doc_ps[0]
            return (-len({p.section_code for p in doc_ps}), -(p0.year or 0), p0.doc_id)

        out: list[StoredPassage] = []
        for doc_ps in sorted(by_doc.values(), key=rank):
            out.extend(sorted(doc_ps, key=lambda p: p.ordinal))
        return out

    def _section_search(self, pq: ParsedQuestion):  # type: ignore[no-untyped-def]
        def search(spec: SectionSpec) -> list[StoredPassage]:
            terms = [w for d in pq.drugs for w in query_terms(d.generic)] + query_terms(spec.search_terms)
            q = self.lexical.build_query(
                terms,
                sources=[SourceType.GUIDELINE.value, SourceType.RESEARCH.value, SourceType.PATIENT_INFO.value],
            )
            return self.store.passages([r for r, _ in self.lexical.search(q, 10)])

        return search

    def ask(self, question: str, audience: Audience = Audience.PHYSICIAN, context: str | None = None) -> Article:
        t_start = time.perf_counter()
        timings: dict[str, float] = {}
        q = clean_question(question, self.settings.max_question_chars)
        t0 = time.perf_counter()
        pq = self.parse(q, context)
        timings["understand"] = (time.perf_counter() - t0) * 1000
        common = dict(corpus_version=self.corpus_version, settings_hash=self.settings_hash)
        if pq.language != "en":
            timings["total"] = (time.perf_counter() - t_start) * 1000
            return abstained_article(
                pq, audience, "The question does not look like English; curbside answers English questions only.",
                (f"The question as asked: {ASKED_FOR[pq.qtype]}.",), timings=timings, **common,
            )
        retrieved = self._retriever().retrieve(pq, audience)
        timings.update({f"retrieve_{k}": v for k, v in retrieved.timings_ms.items()})
        if not pq.drugs and retrieved.unknown_terms:
            names = ", ".join(f"“{w}”" for w in retrieved.unknown_terms)
            timings["total"] = (time.perf_counter() - t_start) * 1000
            return abstained_article(
                pq, audience, f"No source in the corpus mentions {names}; curbside does not guess.",
                (f"Anything about {names}.",), timings=timings, **common,
            )
        t0 = time.perf_counter()
        labels = self.label_passages(pq) if pq.drugs else []
        ctx = Context(
            audience=audience, ranked=retrieved.ranked(), labels=labels,
            section_search=self._section_search(pq),
            max_statements=self.settings.max_statements_per_section,
            max_chars=self.settings.max_sentence_chars,
        )
        summary, sections, bottom, book, uncovered = self.composer.compose(pq, ctx)
        timings["compose"] = (time.perf_counter() - t0) * 1000
        if not sections:
            timings["total"] = (time.perf_counter() - t_start) * 1000
            what = pq.drugs[0].generic if pq.drugs else "this question"
            return abstained_article(
                pq, audience, f"The sources in the corpus do not cover {what}; curbside does not guess.",
                uncovered or (f"{ASKED_FOR[pq.qtype].capitalize()}.",), timings=timings, **common,
            )
        timings["total"] = (time.perf_counter() - t_start) * 1000
        return Article(
            question=q, audience=audience, question_type=pq.qtype, drugs=pq.drugs,
            conditions=pq.conditions, title=title_for(q), summary=summary, sections=sections,
            bottom_line=bottom, references=book.references(), uncovered=uncovered,
            abstained=False, abstain_reason=None, last_updated=self.store.newest_date(book.doc_ids()),
            timings_ms=timings, **common,
        )

    def close(self) -> None:
        self.store.close()


def data_ready(data_dir: Path) -> bool:
    return paths.store_file(data_dir).exists() and LexicalIndex.exists(paths.lexical_dir(data_dir))
