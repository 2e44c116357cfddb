"""The answer engine: question -> understanding -> retrieval -> composition -> Article.

    engine = Engine.open(Settings.from_env())
    article = engine.ask("What is the indication for Baclofen (Lioresal)?")

The engine works through its ports (ports.py: passage store, lexical and vector search,
embedder, reranker, question index); ``Engine.open`` wires in the concrete ones of a
data folder (SQLite, tantivy, float16 vectors, ONNX models), a test may pass fakes.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path

from curbside import paths
from curbside.composition.compose import Composer, Context, abstained_article, title_for
from curbside.composition.explain import Explained, Trace
from curbside.composition.explain import explain as explain_article
from curbside.composition.glossing import Matcher as GlossMatcher
from curbside.composition.glossing import gloss_article
from curbside.composition.plain import carry_warnings, point_to_doses
from curbside.composition.plan import ASKED_FOR, PATIENT_WARNING_HEADINGS, SectionSpec, plan_for
from curbside.composition.references import with_copies
from curbside.composition.select import stem
from curbside.errors import (
    CorruptStoreError,
    EmptyQuestionError,
    NotIngestedError,
    QuestionTooLongError,
    StoreError,
    UserInputError,
)
from curbside.index.lexical import LexicalIndex, query_terms
from curbside.index.retrieve import Retrieved, Retriever
from curbside.index.source_search import search_sources
from curbside.ports import (
    LexicalSearch,
    PassageReranker,
    PassageStore,
    QuestionIndex,
    TextEmbedder,
    VectorSearch,
)
from curbside.scoring import Weights
from curbside.settings import Settings
from curbside.store.sqlite import SQLiteStore
from curbside.types import (
    Article,
    Audience,
    ParsedQuestion,
    QuestionMatch,
    QuestionType,
    RecordError,
    SourceHit,
    SourceType,
    StoredPassage,
)
from curbside.understanding.commonness import everyday, field_words
from curbside.understanding.conditions import ConditionMatcher
from curbside.understanding.followup import Resolution
from curbside.understanding.followup import resolve as resolve_followup
from curbside.understanding.glossary import Glossary
from curbside.understanding.lexicon import DrugLexicon
from curbside.understanding.parser import QuestionParser
from curbside.understanding.qtype import asks_overview
from curbside.understanding.scope import abstain_reason
from curbside.understanding.suggestions import Suggestion, answers_aspect
from curbside.understanding.suggestions import candidates as suggestion_candidates
from curbside.validate import check_text

# Words that say what kind of answer is wanted, not what it is about.
GENERIC_WORDS = frozenset(
    """indication indications indicated used uses usage dose doses dosage dosing side effect
    effects adverse reaction reactions drug drugs medication medications medicine medicines
    treat treats treatment treated therapy take taken work works mechanism action safe
    pregnancy interaction interactions contraindications contraindicated overdose monitoring
    long much often many""".split()
)

_SUGGESTION_CHECKS = 5000  # candidate follow-ups remembered (question, audience) -> answered

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")


def clean_question(raw: str, max_chars: int, what: str = "question") -> str:
    """The question (or, with ``what="context"``, a follow-up's previous question) with
    control characters and runs of space collapsed; refused when it is empty, too long,
    not text (invalid UTF-8, validate.py) or mostly not letters. Messages name ``what``."""
    if raw is None or not raw.strip():
        raise EmptyQuestionError(f"The {what} is empty.", fix="Type a question, e.g. \"What is baclofen used for?\"")
    check_text(raw, what)
    if len(raw) > max_chars:
        raise QuestionTooLongError(
            f"The {what} is {len(raw):,} characters long; the limit is {max_chars:,}.",
            fix="Ask one short question (a sentence or two)." if what == "question"
            else f"Keep the {what} to the previous question alone (a sentence or two).",
        )
    q = " ".join(_CONTROL.sub(" ", raw).split())
    letters = sum(ch.isalpha() for ch in q)
    if letters < 2 or letters < 0.5 * len(q.replace(" ", "")):
        raise UserInputError(
            f"The {what} is not readable text.", fix="Type the question in plain words."
        )
    return q


class Engine:
    """Answers questions from one corpus. Not safe for concurrent use (the web keeps a
    pool of engines, each lent to one request at a time)."""

    def __init__(
        self,
        settings: Settings,
        store: PassageStore,
        lexical: LexicalSearch,
        parser: QuestionParser,
        dense: VectorSearch | None = None,
        *,
        embedder: TextEmbedder | None = None,
        reranker: PassageReranker | None = None,
        questions: QuestionIndex | None = None,
    ) -> None:
        """``dense`` (passage vectors) needs the ``embedder`` that made them, for the
        question's vector; the embedder alone serves ``questions`` (the answered
        questions' index) and the semantic shortlist. ``reranker`` is used when the
        use_rerank setting is on."""
        if dense is not None and embedder is None:
            raise ValueError("dense search needs the embedder that made its vectors")
        self.settings = settings
        self.store = store
        self.lexical = lexical
        self.parser = parser
        self.dense = dense
        self.embedder = embedder
        self.reranker = reranker
        self.questions = questions
        self.composer = Composer()
        self.corpus_version = store.corpus_version()
        self.settings_hash = settings.answer_hash()
        # passage ages count from the corpus's newest source, not from the calendar: an
        # answer changes with the corpus (and its version), never on new year's day
        self.newest_year = store.newest_year()
        self.weights = Weights.from_settings(settings)
        self._suggestion_checks: dict[tuple[str, str], bool] = {}  # Engine.suggest's answers, remembered

    @classmethod
    def open(cls, settings: Settings) -> Engine:
        """The engine over the data folder ``settings.data_dir``: its SQLite store,
        tantivy index and vocabularies, and, when they were built (`curbside ingest
        --embed`) and the settings use them, its passage vectors, answered questions and
        the ONNX models (whose weights load on first use)."""
        data = settings.data_dir
        if not data_ready(data):
            raise NotIngestedError(
                f"No ingested corpus in {data}.",
                fix=f"Run `curbside ingest {settings.corpus_dir}` first (or pass --data-dir).",
            )
        store = SQLiteStore(paths.store_file(data), readonly=True)  # CorruptStoreError when damaged
        try:
            lexical = LexicalIndex(paths.lexical_dir(data))
        except (OSError, ValueError) as e:
            store.close()
            raise CorruptStoreError(
                f"The lexical index in {paths.lexical_dir(data)} is damaged ({e}).",
                fix=f"Move {paths.lexical_dir(data).name}/ and {paths.store_file(data).name} out of {data} and run "
                    f"`curbside ingest {settings.corpus_dir}` again to rebuild both.",
            ) from e
        try:
            parser = QuestionParser(
                DrugLexicon.load(paths.lexicon_file(data)), ConditionMatcher.load(paths.conditions_file(data))
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            store.close()
            raise StoreError(
                f"The vocabularies in {data} are missing or from another version ({e}).",
                fix=f"Run `curbside ingest {settings.corpus_dir}` again; it rebuilds them.",
            ) from e
        try:
            more = _optional_parts(settings)
        except BaseException:
            store.close()
            raise
        return cls(settings, store, lexical, parser, more.dense, embedder=more.embedder,
                   reranker=more.reranker, questions=more.questions)

    @property
    def has_dense(self) -> bool:
        return self.dense is not None

    def _retriever(self) -> Retriever:
        return Retriever(
            self.store, self.lexical, self.settings, dense=self.dense, embedder=self.embedder, reranker=self.reranker,
            newest_year=self.newest_year,
        )

    def question_matcher(self) -> QuestionIndex | None:
        """The index of the corpus's answered questions (built by `curbside ingest
        --embed`), or None when there is none for this model."""
        return self.questions

    def similar_questions(
        self,
        question: str | ParsedQuestion,
        k: int = 3,
        min_similarity: float | None = None,
        *,
        topic_check: bool = True,
    ) -> list[QuestionMatch]:
        """The corpus's answered questions (MedQuAD) most similar to ``question``, best
        first, each with its similarity and its answer's passages: only those at least
        ``min_similarity`` similar (default: the question_match_threshold setting, set
        so that a match is mostly the same question) and, with ``topic_check``, whose
        topic the question names ("Is migraine hereditary?" is not "Is familial
        hemiplegic migraine inherited?"). Empty without a question index. Costs one
        query embedding (~5-20 ms) and ~1 ms of scoring."""
        from curbside.index.questions import topic_covered

        matcher = self.question_matcher()
        if matcher is None or k <= 0:
            return []
        text = question.text if isinstance(question, ParsedQuestion) else clean_question(
            question, self.settings.max_question_chars
        )
        floor = self.settings.question_match_threshold if min_similarity is None else min_similarity
        out: list[QuestionMatch] = []
        for rowid, sim in matcher.match(text, max(4 * k, 20) if topic_check else k, min_similarity=floor):
            passages = self.store.answer_passages(rowid)
            if not passages:  # the store may have moved on since the index was written
                continue
            if topic_check and not topic_covered(text, passages[0].section):
                continue
            out.append(QuestionMatch(question=passages[0].section, similarity=sim, passages=tuple(passages)))
            if len(out) == k:
                break
        return out

    def parse(self, question: str, context: str | None = None) -> ParsedQuestion:
        """Understand the question. Only drugs the corpus has labels for count as drugs
        (a vocabulary hit such as "enhancers" or "microRNA" stays an ordinary word). With
        ``context`` (the previous question) a follow-up is first resolved against it
        (``resolve``) and its standalone question is what is understood."""
        if context:
            question = self.resolve(question, context).text
        return self._parse_text(question)

    def _parse_text(self, text: str) -> ParsedQuestion:
        return self._corpus_drugs(self.parser.parse(text))

    def resolve(self, question: str, context: str | None) -> Resolution:
        """``question`` read as the follow-up of ``context`` (the previous turn's
        standalone question; understanding/followup.py): the drug or condition carries
        unless a new one is named, the aspect unless the follow-up asks its own, and
        ``text`` is the standalone question ("And for children?" after "What is the dose
        of baclofen?" -> "What is the dose of baclofen for children?")."""
        prev = clean_question(context, self.settings.max_question_chars, "context") if context else None
        return resolve_followup(question, prev, self._parse_text)

    def _corpus_drugs(self, pq: ParsedQuestion) -> ParsedQuestion:
        keep = tuple(d for d in pq.drugs if self._has_label(d.generic))
        if len(keep) == len(pq.drugs):
            return pq
        return dataclasses.replace(pq, drugs=keep)

    def _has_label(self, generic: str) -> bool:
        return self.parser.lexicon.in_corpus(generic) or bool(self.store.rowids_for_drug(generic))

    def drug_focused(self, pq: ParsedQuestion) -> bool:
        """A question about the drug itself (its uses, dose, risks...), as opposed to a
        research question that merely names a drug ("Does iron regulate myelination?")."""
        if not pq.drugs:
            return False
        if pq.qtype is not QuestionType.GENERAL or asks_overview(pq.text):
            return True
        drug_words = {w for d in pq.drugs for w in query_terms(f"{d.text} {d.generic}")}
        topic = [w for w in query_terms(pq.text) if w not in drug_words and w not in GENERIC_WORDS]
        return len(topic) < 2

    def retrieve(self, question: str, audience: Audience = Audience.PHYSICIAN, k: int = 40) -> Retrieved:
        """The ranked passages the engine would compose from (for evaluation and search)."""
        pq = self.parse(clean_question(question, self.settings.max_question_chars))
        return self._retriever().retrieve(pq, audience, k, drug_focus=self.drug_focused(pq))

    def _term_weights(self, known: list[str], doc_freqs: dict[str, int]) -> dict[str, float]:
        """The question's known content words (stems) weighted by inverse document
        frequency over the passages: "ago2" weighs far more than "related"."""
        n = max(1, self.lexical.num_docs())
        out: dict[str, float] = {}
        for w in known:
            df = doc_freqs.get(w, 0)
            if df > 0 and not w.isdigit():
                out[stem(w)] = max(out.get(stem(w), 0.0), math.log(1 + n / df))
        return out

    def _concepts(self, text: str) -> frozenset[str]:
        """The conditions (vocabulary concept ids) a sentence names."""
        return frozenset(m.concept_id or m.name for m in self.parser.conditions.find(text))

    def label_passages(self, pq: ParsedQuestion) -> list[StoredPassage]:
        """Label passages of the asked drugs, fuller and newer labels first: one passage
        for each text (a copy in another label is its representative's; the reference
        lists the copies), of at most ``max_label_documents`` labels."""
        keys = sorted({d.generic for d in pq.drugs})
        return self.store.label_passages(keys, self.settings.max_label_documents)

    def _section_search(self, pq: ParsedQuestion):  # type: ignore[no-untyped-def]
        def search(spec: SectionSpec) -> list[StoredPassage]:
            terms = [w for d in pq.drugs for w in query_terms(d.generic)] + query_terms(spec.search_terms)
            q = self.lexical.build_query(
                terms,
                sources=[SourceType.GUIDELINE.value, SourceType.RESEARCH.value, SourceType.PATIENT_INFO.value],
            )
            return self.store.passages([r for r, _ in self.lexical.search(q, 10)])

        return search

    def _meaning(self, embedder: TextEmbedder, question: str) -> Callable[[Sequence[str]], Sequence[float]]:
        """Cosine of sentences to the question with the bge-small model (sentences are
        embedded as passages, the question with its retrieval instruction)."""
        qv = None

        def similarity(texts: Sequence[str]) -> Sequence[float]:
            nonlocal qv
            if qv is None:
                qv = embedder.embed_query(question)
            vs = embedder.embed_passages(list(texts))
            return [float(x) for x in vs @ qv]

        return similarity

    def _topic_search(self, names: Sequence[str], aspect: str) -> list[StoredPassage]:
        """Consumer pages and guidelines about a condition (any of its ``names``), the
        ones whose title or question also holds the aspect's word first."""
        terms = [w for n in names for w in query_terms(n)]
        if not terms:
            return []
        sources = [SourceType.PATIENT_INFO.value, SourceType.GUIDELINE.value]
        q = self.lexical.build_query(list(dict.fromkeys([*terms, *query_terms(aspect)])), sources=sources)
        return self.store.passages([r for r, _ in self.lexical.search(q, 40)])

    def ask(self, question: str, audience: Audience = Audience.PHYSICIAN, context: str | None = None) -> Article:
        """The cited article that answers ``question`` for ``audience`` (``context``: the
        previous question, for a follow-up)."""
        return self._ask(question, audience, context, explain=False)[0]

    def explain(self, question: str, audience: Audience = Audience.PHYSICIAN, context: str | None = None
                ) -> Explained:
        """``ask``'s article together with why each statement was chosen and why the best
        sentences left out were not (composition/explain.py). The same article as
        ``ask`` gives: recording changes no choice; it costs a little more time (every
        rejected sentence is scored too), which is why ``ask`` records nothing."""
        article, trace = self._ask(question, audience, context, explain=True)
        return Explained(article, explain_article(article, trace))

    def _ask(self, question: str, audience: Audience, context: str | None, *, explain: bool
             ) -> tuple[Article, Trace | None]:
        t_start = time.perf_counter()
        timings: dict[str, float] = {}
        q = clean_question(question, self.settings.max_question_chars)
        # a follow-up's context is checked like the question, whether it is used or not
        context = clean_question(context, self.settings.max_question_chars, "context") if context else None
        t0 = time.perf_counter()
        # a follow-up is answered as its standalone question ("And for children?" ->
        # "What is the dose of baclofen for children?"); the article keeps the question
        # as asked and records the standalone one (``understood_as``)
        understood = self.resolve(q, context).text if context else q
        asked = _AskedAs(q, understood if understood != q else None)
        q = understood
        pq = self._parse_text(q)
        timings["understand"] = (time.perf_counter() - t0) * 1000
        common = dict(corpus_version=self.corpus_version, settings_hash=self.settings_hash)
        if pq.language != "en":
            timings["total"] = (time.perf_counter() - t_start) * 1000
            return _untraced(asked.on(abstained_article(
                pq, audience, "The question does not look like English; curbside answers English questions only.",
                ("The whole question: please ask it in English.",), timings=timings, **common,
            )))
        # a drug-like name nothing knows ("Quintaplexor"), or a question that is not medical
        reason = abstain_reason(q, pq, knows=self.parser.knows, corpus_count=self.lexical.count,
                                medical_terms=self.parser.medical_terms(q, pq),
                                # read only when the question names no drug, condition or
                                # medical term (wordfreq's lists then load, ~0.3 s once)
                                medical_words=_lazy(lambda: [w for w in self.parser.medical_words(q)
                                                             if not everyday(w)]),
                                field_words=_lazy(lambda: field_words(query_terms(q), self.lexical.count,
                                                                      self.lexical.num_docs())),
                                # a near-miss of a drug name is let through as a misspelling
                                # only beside a drug that was recognised: alone, the answer
                                # could not be about it, so it is named instead
                                resembles=self.parser.lexicon.resembles_drug if pq.drugs else _no_drug)
        if reason:
            timings["total"] = (time.perf_counter() - t_start) * 1000
            return _untraced(asked.on(abstained_article(pq, audience, reason, ("The whole question.",),
                                                        timings=timings, **common)))
        focused = self.drug_focused(pq)
        retrieved = self._retriever().retrieve(pq, audience, drug_focus=focused)
        timings.update({f"retrieve_{k}": v for k, v in retrieved.timings_ms.items()})
        known = [w for w in retrieved.terms if w not in retrieved.unknown_terms and w not in GENERIC_WORDS]
        if not pq.drugs and retrieved.unknown_terms and not known:
            names = ", ".join(f"“{w}”" for w in retrieved.unknown_terms)
            timings["total"] = (time.perf_counter() - t_start) * 1000
            return _untraced(asked.on(abstained_article(
                pq, audience, f"No source in the corpus mentions {names}; curbside does not guess.",
                (f"Anything about {names}.",), timings=timings, **common,
            )))
        t0 = time.perf_counter()
        ctx = Context(
            audience=audience, ranked=retrieved.ranked(), labels=self.label_passages(pq) if focused else [],
            section_search=self._section_search(pq),
            max_statements=self.settings.max_statements_per_section,
            max_chars=self.settings.max_sentence_chars,
            concepts=self._concepts,
            term_weights=self._term_weights(known, retrieved.doc_freqs),
            min_coverage=self.settings.min_evidence_coverage,
            topic_search=self._topic_search,
            # a consumer question asked and answered before leads an answer without a
            # drug focus (the corpus's answered questions are about conditions; a drug
            # article that finds nothing falls back on it too, below)
            answered=() if focused else tuple(self.similar_questions(pq, k=1)),
            meaning=self._meaning(self.embedder, pq.text)
            if self.dense is not None and self.embedder is not None and self.settings.semantic_shortlist else None,
            shortlist=self.settings.semantic_shortlist,
            weights=self.weights,
            trace=Trace(self.weights) if explain else None,
        )
        done = self.composer.compose(pq, ctx, drug_focus=focused)
        if not done.sections and pq.drugs:
            # nothing found the first way: a drug question falls back on what the wider
            # evidence says, a research-style question on what the drug's labels say
            if focused:
                ctx = dataclasses.replace(ctx, answered=tuple(self.similar_questions(pq, k=1)))
            else:
                ctx = dataclasses.replace(ctx, labels=self.label_passages(pq))
            # the explanation is of the composition that made the article
            ctx = dataclasses.replace(ctx, trace=Trace(self.weights) if explain else None)
            more = self.composer.compose(pq, ctx, drug_focus=not focused)
            done = dataclasses.replace(more, uncovered=done.uncovered + more.uncovered)
        timings["compose"] = (time.perf_counter() - t0) * 1000
        summary, sections, bottom, book, uncovered = (
            done.summary, done.sections, done.bottom_line, done.book, done.uncovered)
        if not sections:
            timings["total"] = (time.perf_counter() - t_start) * 1000
            what = f"the {ASKED_FOR[pq.qtype]} of {pq.drugs[0].generic}" if pq.drugs else "this question"
            return asked.on(abstained_article(
                pq, audience, f"The sources in the corpus do not cover {what}; curbside does not guess.",
                uncovered or (f"{ASKED_FOR[pq.qtype].capitalize()}.",), timings=timings, **common,
            )), ctx.trace  # what the sections tried and why nothing passed
        timings["total"] = (time.perf_counter() - t_start) * 1000
        article = Article(
            question=asked.question, understood_as=asked.understood_as, audience=audience,
            question_type=pq.qtype, entities=pq.entities,
            title=title_for(asked.question), summary=summary, sections=sections,
            bottom_line=bottom, references=with_copies(book.references(), self.store.copies_of),
            uncovered=uncovered,
            abstained=False, abstain_reason=None, last_updated=self.store.newest_date(book.doc_ids()),
            timings_ms=timings, partial=done.partial_note is not None, partial_note=done.partial_note,
            reader_notes=done.reader_notes, corpus_version=self.corpus_version, settings_hash=self.settings_hash,
        )
        if audience is Audience.PATIENT:
            # simplifying never drops a warning: what the clinician's article warns of,
            # the patient's states too, word for word and cited
            t0 = time.perf_counter()
            clinician, _ = self._ask(question, Audience.PHYSICIAN, context, explain=False)
            article = point_to_doses(carry_warnings(article, clinician, PATIENT_WARNING_HEADINGS), clinician)
            timings["warnings"] = (time.perf_counter() - t0) * 1000
            if self.glossary is not None:
                # technical words explained beside the quotes (composition/glossing.py)
                t0 = time.perf_counter()
                article = gloss_article(article, self.glossary)
                timings["gloss"] = (time.perf_counter() - t0) * 1000
            timings["total"] = (time.perf_counter() - t_start) * 1000
            article = dataclasses.replace(article, timings_ms=timings)
        return article, ctx.trace

    def suggest(self, article_or_question: Article | str, audience: Audience = Audience.PHYSICIAN, k: int = 3,
                *, asked: Collection[QuestionType] = ()) -> list[Suggestion]:
        """Up to ``k`` follow-up questions the corpus answers for the article's drug or
        condition (understanding/suggestions.py), in a stable order: a template question
        per aspect not asked yet (the article's own, and ``asked``: the thread's), each
        answered here and kept only when the answer is not abstained, not partial and
        has the aspect's section. None when none qualify (or the article abstained).
        Costs one ``ask`` per candidate tried (~40 ms each on the full corpus): a drug's
        candidates whose label sections its labels lack are skipped, at most k + 2 are
        tried, and each result is remembered for this engine."""
        article = (article_or_question if isinstance(article_or_question, Article)
                   else self.ask(article_or_question, audience))
        if article.abstained or k <= 0:
            return []
        subject = _subject_key(article)
        # a drug aspect whose label sections the drug's labels lack is seldom answered in
        # full: such candidates are not tried, and at most k + 2 are (cost: docs/WEB.md)
        sections = self._label_sections(article.drugs[0].generic) if article.drugs else None
        out: list[Suggestion] = []
        tried = 0
        for cand in suggestion_candidates(article.entities, exclude={article.question_type, *asked}):
            if sections is not None and not sections & set(plan_for(cand.aspect, cand.question)[0].codes):
                continue
            if tried == k + 2:
                break
            tried += 1
            if self._answers(cand, audience, subject):
                out.append(cand)
                if len(out) == k:
                    break
        return out

    def _label_sections(self, generic: str) -> set[str]:
        """The section codes of the drug's label passages (the labels an answer reads:
        ``label_passages``, bounded by max_label_documents, not every document of the drug)."""
        return {p.section_code for p in self.store.label_passages([generic], self.settings.max_label_documents)}

    def _answers(self, cand: Suggestion, audience: Audience, subject: str) -> bool:
        """Whether the engine answers the candidate (its aspect's section, about the same
        drug or condition); remembered per question and audience, as the answer depends
        only on them for this engine's corpus and settings."""
        key = (cand.question, audience.value)
        known = self._suggestion_checks.get(key)
        if known is None:
            answer = self.ask(cand.question, audience)
            known = answers_aspect(answer, cand.aspect) and _subject_key(answer) == subject
            if len(self._suggestion_checks) >= _SUGGESTION_CHECKS:
                self._suggestion_checks.clear()
            self._suggestion_checks[key] = known
        return known

    def search_sources(self, text: str, limit: int = 10) -> list[SourceHit]:
        """At most ``limit`` passages for the words of ``text`` (BM25, no drug filter, no
        question understanding), best first, each with a snippet around the first word
        found: the web's source search."""
        return search_sources(self.lexical, self.store, text, limit)

    def counts(self) -> dict[str, int]:
        """How many files, documents, passages, copies (passages that repeat another
        document's text, left out of the indexes) and record errors the store holds."""
        return self.store.counts()

    def record_errors(self, limit: int = 50) -> list[RecordError]:
        """Malformed records skipped at ingest (at most ``limit``)."""
        return self.store.errors(limit)

    def close(self) -> None:
        self.store.close()

    @functools.cached_property
    def glossary(self) -> GlossMatcher | None:
        """The data folder's glossary, read on the first patient answer; None when the
        folder has none (an ingest builds it) or it cannot be read: answers then carry
        no glosses."""
        try:
            return GlossMatcher(Glossary.load(paths.glossary_file(self.settings.data_dir)))
        except (OSError, ValueError, KeyError, TypeError):
            return None


@dataclasses.dataclass(frozen=True, slots=True)
class _AskedAs:
    """The question as asked and, for a follow-up whose words changed, the standalone
    question it was answered as."""

    question: str
    understood_as: str | None

    def on(self, article: Article) -> Article:
        """An article made from the standalone question, with the question as asked."""
        if self.understood_as is None:
            return article
        return dataclasses.replace(article, question=self.question, title=title_for(self.question),
                                   understood_as=self.understood_as)


def _subject_key(article: Article) -> str:
    """What an article is about: its first drug (generic), or else its first condition."""
    if article.drugs:
        return article.drugs[0].generic
    return article.conditions[0].name if article.conditions else ""


def _untraced(article: Article) -> tuple[Article, Trace | None]:
    """An article made before composition (an abstention): nothing was traced."""
    return article, None


def _lazy(make: Callable[[], Iterable[str]]) -> Iterator[str]:
    """The words ``make`` returns, made only when first read."""
    yield from make()


def _no_drug(token: str) -> bool:
    return False


@dataclasses.dataclass(frozen=True)
class _Optional:
    """The engine's optional parts (None: not built, or not used by the settings)."""

    dense: VectorSearch | None = None
    embedder: TextEmbedder | None = None
    questions: QuestionIndex | None = None
    reranker: PassageReranker | None = None


def _optional_parts(settings: Settings) -> _Optional:
    """What of ``settings.data_dir`` the engine may use besides the store, the lexical
    index and the vocabularies: the passage vectors (when built and ``use_dense``), the
    answered questions' index (when built with this model), the embedder either needs,
    and the reranker (``use_rerank``). The models are found now (ModelUnavailableError
    when missing); their weights load on first use."""
    from curbside.index.dense import DenseIndex, open_index
    from curbside.index.models import EMBEDDER, RERANKER, model_dir
    from curbside.index.questions import QuestionMatcher

    data = settings.data_dir
    dense = None
    if settings.use_dense and DenseIndex.exists(paths.dense_dir(data)):
        dense = open_index(paths.dense_dir(data), settings)
    has_questions = QuestionMatcher.exists(paths.questions_dir(data))
    embedder = questions = reranker = None
    if dense is not None or has_questions:
        from curbside.index.embedder import Embedder

        embedder = Embedder(model_dir(EMBEDDER), threads=settings.threads, max_tokens=settings.embed_max_tokens)
        if has_questions:
            questions = QuestionMatcher.load(paths.questions_dir(data), embedder, threads=settings.threads)
    if settings.use_rerank:
        from curbside.index.rerank import Reranker

        reranker = Reranker(model_dir(RERANKER), threads=settings.threads)
    return _Optional(dense, embedder, questions, reranker)


def data_ready(data_dir: Path) -> bool:
    return paths.store_file(data_dir).exists() and LexicalIndex.exists(paths.lexical_dir(data_dir))
