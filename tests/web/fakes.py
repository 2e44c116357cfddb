"""A scripted stand-in for the engine (like llm's fake model): answers any question
with a fixed, well-formed article, so web tests of validation, errors, review and
rendering do not depend on the corpus. Real-corpus tests use the real engine.

Also fakes of each of the engine's ports (curbside/ports.py), small and in memory, so
that a real Engine can run over them (test_ports.py checks that they fit)."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np

from curbside.composition.explain import Explained, Explanation
from curbside.index.source_search import search_sources
from curbside.types import (
    AlsoIn,
    Article,
    Audience,
    DrugMention,
    Entities,
    QuestionType,
    Quote,
    RecordError,
    Reference,
    Section,
    SourceHit,
    SourceType,
    Statement,
    StoredPassage,
)
from curbside.understanding.normalize import drug_key
from curbside.understanding.suggestions import Suggestion

PASSAGE_1 = ("Baclofen tablets are indicated for the alleviation of signs and symptoms of spasticity resulting "
             "from multiple sclerosis, particularly for the relief of flexor spasms. Baclofen may also be of some "
             "value in patients with spinal cord injuries and other spinal cord diseases.")
PASSAGE_2 = ("Intrathecal baclofen is reserved for severe spasticity. More than 80% of patients show improvement "
             "in muscle tone.")


def make_article(question: str, audience: Audience, *, text_suffix: str = "", title: str | None = None,
                 corpus_version: str = "corpus-1", drug: str = "baclofen",
                 ref_url: str | None = "https://dailymed.nlm.nih.gov/dailymed/") -> Article:
    first = PASSAGE_1.split(". ")[0] + "."
    # each statement records where its words are in the passage it cites (schema 1.2);
    # with a suffix the first is no longer a quote of its passage, so it records none
    s1 = Statement(first + text_suffix, (1,), None if text_suffix else Quote("label:abc#0", ((0, len(first)),)))
    s2_text = "More than 80% of patients show improvement in muscle tone."
    at = PASSAGE_2.index(s2_text)
    s2 = Statement(s2_text, (2,), Quote("pmid:1#0", ((at, at + len(s2_text)),)))
    return Article(
        question=question, audience=audience, question_type=QuestionType.INDICATION,
        entities=Entities((DrugMention(drug, drug, "generic"),) if drug else ()),
        title=title or question, summary=(s1,),
        sections=(Section("labels", "What the drug labels say", (s1, s2)),),
        bottom_line=(), uncovered=(), abstained=False, abstain_reason=None, last_updated="2019-05-01",
        references=(
            Reference(1, SourceType.DRUG_LABEL, "Baclofen tablets" + text_suffix, "Acme Pharma", 2019,
                      ref_url, "label:abc", "label:abc#0", "Indications and usage",
                      PASSAGE_1 + text_suffix),
            Reference(2, SourceType.RESEARCH, "Intrathecal baclofen therapy", "Neuromodulation", 1999, None,
                      "pmid:1", "pmid:1#0", "Abstract", PASSAGE_2),
        ),
        corpus_version=corpus_version, settings_hash="settings-1", timings_ms={"total": 1.0},
    )


# the sentence the scripted explanation says was left out, and why
LEFT_OUT = "Baclofen is not indicated in the treatment of skeletal muscle spasm resulting from rheumatic disorders."


def make_explanation(article: Article) -> Explanation:
    """A scripted explanation of ``make_article``'s article, made by the real explainer
    from a scripted trace: its section's statements chosen in order (scores 3.5 and 2.5),
    one sentence left out as outranked."""
    from curbside.composition.explain import Trace, explain
    from curbside.composition.filters import Reason
    from curbside.composition.select import Candidate
    from curbside.composition.sentences import norm_key
    from curbside.scoring import DEFAULT_WEIGHTS, Features

    def passage(i: int, text: str) -> StoredPassage:
        return StoredPassage(i, f"label:abc#{i}", "label:abc", i, "Indications and usage", "indications", text,
                             SourceType.DRUG_LABEL, "Baclofen tablets", "Acme Pharma", 2019, None, None, ("baclofen",))

    trace = Trace(DEFAULT_WEIGHTS)
    trace.route = "drug"
    if not article.sections:
        return explain(article, trace)
    sec = trace.section(article.sections[0].key, article.sections[0].heading)
    step = sec.step("scripted label sentences")
    for i, st in enumerate(article.sections[0].statements):
        f = Features(question_words=2 - i, section_cue=1.0)
        step.choose(Candidate(st.text, passage(i, st.text), norm_key(st.text), DEFAULT_WEIGHTS.score(f), features=f),
                    i + 1, 3)
    step.reject(LEFT_OUT, passage(9, LEFT_OUT), Reason.OUTRANKED, "ranked 3 of 3; 2 kept",
                Features(question_words=1), 1.0)
    sec.done(article.sections[0].statements)
    return explain(article, trace)


@dataclass(frozen=True)
class FakeQuery:
    """What FakeLexical.build_query was asked for."""

    terms: tuple[str, ...]
    drug_keys: tuple[str, ...] = ()
    drug_filter: bool = False
    sources: tuple[str, ...] = ()


@dataclass
class FakeLexical:
    """ports.LexicalSearch: every query finds ``hits`` (rowid, score); ``counts`` says how
    many passages hold a word (0 for any other); ``queries`` records the searches."""

    hits: list[tuple[int, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    n_docs: int = 100
    queries: list[FakeQuery] = field(default_factory=list)

    def build_query(self, terms: Sequence[str], *, drug_keys: Sequence[str] = (), drug_filter: bool = False,
                    sources: Sequence[str] = ()) -> FakeQuery:
        return FakeQuery(tuple(terms), tuple(drug_keys), drug_filter, tuple(sources))

    def search(self, query: FakeQuery, k: int) -> list[tuple[int, float]]:
        self.queries.append(query)
        return self.hits[:k]

    def count(self, term: str) -> int:
        return self.counts.get(term, 0)

    def num_docs(self) -> int:
        return self.n_docs


@dataclass
class FakeStore:
    """ports.PassageStore over a list of passages."""

    stored: list[StoredPassage] = field(default_factory=list)
    version: str = "corpus-1"
    closed: bool = False

    def passages(self, rowids: Sequence[int]) -> list[StoredPassage]:
        by_id = {p.rowid: p for p in self.stored}
        return [by_id[r] for r in rowids if r in by_id]

    def rowids_for_drug(self, key: str) -> list[int]:
        return [p.rowid for p in self.stored if key in {drug_key(d) for d in p.drugs}]

    def label_passages(self, keys: Sequence[str], max_documents: int) -> list[StoredPassage]:
        """Every passage is its own text here (no copies): the labels of the drugs,
        fullest, then newest first."""
        ps = [p for p in self.stored if p.source_type is SourceType.DRUG_LABEL
              and set(keys) & {drug_key(d) for d in p.drugs}]
        by_doc: dict[str, list[StoredPassage]] = {}
        for p in ps:
            by_doc.setdefault(p.doc_id, []).append(p)
        docs = sorted(by_doc.values(), key=lambda d: (-len({p.section_code for p in d}), -(d[0].year or 0),
                                                      d[0].doc_id))[:max_documents]
        return [p for d in docs for p in sorted(d, key=lambda p: p.ordinal)]

    def copies_of(self, passage_ids: Sequence[str], limit: int) -> dict[str, tuple[int, tuple[AlsoIn, ...]]]:
        return {}

    def answer_passages(self, rowid: int) -> list[StoredPassage]:
        first = next((p for p in self.stored if p.rowid == rowid), None)
        if first is None:
            return []
        same = [p for p in self.stored if (p.doc_id, p.section) == (first.doc_id, first.section)]
        return sorted(same, key=lambda p: p.ordinal)

    def newest_date(self, doc_ids: Sequence[str]) -> str | None:
        dates = [p.date or str(p.year) for p in self.stored if p.doc_id in doc_ids and (p.date or p.year)]
        return max(dates, default=None)

    def corpus_version(self) -> str:
        return self.version

    def newest_year(self) -> int | None:
        return max((p.year for p in self.stored if p.year), default=None)

    def counts(self) -> dict[str, int]:
        return {"files": 0, "documents": len({p.doc_id for p in self.stored}), "passages": len(self.stored),
                "copies": 0, "record_errors": 0}

    def errors(self, limit: int = 50) -> list[RecordError]:
        return []

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeVectors:
    """ports.VectorSearch: every query vector finds ``hits`` (rowid, cosine), within
    ``allow`` when given."""

    hits: list[tuple[int, float]] = field(default_factory=list)

    def search(self, qvec: np.ndarray, k: int, allow: np.ndarray | None = None) -> list[tuple[int, float]]:
        allowed = None if allow is None else {int(r) for r in allow}
        return [(r, s) for r, s in self.hits if allowed is None or r in allowed][:k]


class FakeEmbedder:
    """ports.TextEmbedder: a hashed bag of words, so texts sharing words are similar."""

    dim = 64

    def __init__(self) -> None:
        self.queries: list[str] = []

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in text.lower().replace("?", " ").split():
            v[zlib.crc32(w.encode()) % self.dim] += 1.0
        return v / max(float(np.linalg.norm(v)), 1e-12)

    def embed_query(self, text: str, *, instruction: bool = True) -> np.ndarray:
        self.queries.append(text)
        return self._vec(text)

    def embed_passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.empty((0, self.dim), dtype=np.float32)


class FakeReranker:
    """ports.PassageReranker: a passage scores the number of the question's words it holds."""

    def score(self, query: str, passages: Sequence[str], batch_size: int = 32) -> np.ndarray:
        words = set(query.lower().split())
        return np.array([len(words & set(p.lower().split())) for p in passages], dtype=np.float32)


@dataclass
class FakeQuestions:
    """ports.QuestionIndex: every text matches ``matches`` (rowid, similarity)."""

    matches: list[tuple[int, float]] = field(default_factory=list)

    def match(self, text: str, k: int = 5, min_similarity: float = 0.0) -> list[tuple[int, float]]:
        return [(r, s) for r, s in self.matches if s >= min_similarity][:k]


# the follow-ups FakeEngine.suggest offers (of the scripted article's drug), in order
FAKE_SUGGESTIONS = (
    Suggestion("What is the usual dose of baclofen?", QuestionType.DOSING),
    Suggestion("What are the side effects of baclofen?", QuestionType.ADVERSE_EFFECTS),
    Suggestion("Who should not take baclofen?", QuestionType.CONTRAINDICATIONS),
    Suggestion("Is baclofen safe in pregnancy?", QuestionType.PREGNANCY_LACTATION),
)


@dataclass
class FakeEngine:
    """ports.AnswerEngine: ``ask`` answers any question with the scripted article (a
    follow-up, asked with a context, is understood as "<question> (after: <context>)");
    ``suggest`` offers FAKE_SUGGESTIONS (or ``suggestions``) less the asked aspects;
    ``search_sources`` searches ``lexical`` and ``store`` the engine's way."""

    corpus_version: str = "corpus-1"
    settings_hash: str = "settings-1"
    text_suffix: str = ""
    ref_url: str | None = "https://dailymed.nlm.nih.gov/dailymed/"
    calls: list[tuple[str, str, str | None]] = field(default_factory=list)
    lexical: FakeLexical = field(default_factory=FakeLexical)
    store: FakeStore = field(default_factory=FakeStore)
    suggestions: tuple[Suggestion, ...] = FAKE_SUGGESTIONS
    suggest_calls: list[tuple[str, str, int]] = field(default_factory=list)
    typed: bool = False  # the article's question type is the question's (qtype.py), not always indication
    # other labels with the text of the first reference's passage (how many, and those listed)
    copies: tuple[int, tuple[AlsoIn, ...]] = (0, ())

    def ask(self, question: str, audience: Audience = Audience.PHYSICIAN, context: str | None = None) -> Article:
        q = " ".join(question.split())
        self.calls.append((q, audience.value, context))
        article = make_article(q, audience, text_suffix=self.text_suffix, corpus_version=self.corpus_version,
                               ref_url=self.ref_url)
        if self.typed:
            from curbside.understanding.qtype import classify

            article = dataclasses.replace(article, question_type=classify(q, drug_count=1)[0])
        if context:
            article = dataclasses.replace(article, understood_as=f"{q} (after: {context})")
        if self.copies[0]:
            first = dataclasses.replace(article.references[0], copies=self.copies[0], also_in=self.copies[1])
            article = dataclasses.replace(article, references=(first, *article.references[1:]))
        return article

    def suggest(self, article_or_question: Article | str, audience: Audience = Audience.PHYSICIAN, k: int = 3,
                *, asked: Collection[QuestionType] = ()) -> list[Suggestion]:
        article = (article_or_question if isinstance(article_or_question, Article)
                   else self.ask(article_or_question, audience))
        self.suggest_calls.append((article.question, audience.value, k))
        if article.abstained:
            return []
        skip = {article.question_type, *asked}
        return [s for s in self.suggestions if s.aspect not in skip][:k]

    def explain(self, question: str, audience: Audience = Audience.PHYSICIAN, context: str | None = None
                ) -> Explained:
        article = self.ask(question, audience, context)
        return Explained(article, make_explanation(article))

    def search_sources(self, text: str, limit: int = 10) -> list[SourceHit]:
        return search_sources(self.lexical, self.store, text, limit)

    def close(self) -> None:
        pass
