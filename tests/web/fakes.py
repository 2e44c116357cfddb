"""A scripted stand-in for the engine (like llm's fake model): answers any question
with a fixed, well-formed article, so web tests of validation, errors, review and
rendering do not depend on the corpus. Real-corpus tests use the real engine."""

from __future__ import annotations

from dataclasses import dataclass, field


from curbside.types import (
    Article,
    Audience,
    DrugMention,
    QuestionType,
    Quote,
    Reference,
    Section,
    SourceType,
    Statement,
    StoredPassage,
)

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
        drugs=(DrugMention(drug, drug, "generic"),) if drug else (), conditions=(),
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


@dataclass
class FakeLexical:
    hits: list[tuple[int, float]] = field(default_factory=list)  # (rowid, score) any query finds

    def build_query(self, terms: list[str]) -> list[str]:
        return terms

    def search(self, query: list[str], k: int) -> list[tuple[int, float]]:
        return self.hits[:k]


@dataclass
class FakeStore:
    stored: list[StoredPassage] = field(default_factory=list)

    def passages(self, rowids: list[int]) -> list[StoredPassage]:
        return [p for p in self.stored if p.rowid in rowids]


@dataclass
class FakeEngine:
    """Engine-shaped: ``ask``, ``corpus_version``, ``settings_hash``, ``close``."""

    corpus_version: str = "corpus-1"
    settings_hash: str = "settings-1"
    text_suffix: str = ""
    ref_url: str | None = "https://dailymed.nlm.nih.gov/dailymed/"
    calls: list[tuple[str, str, str | None]] = field(default_factory=list)
    lexical: FakeLexical = field(default_factory=FakeLexical)
    store: FakeStore = field(default_factory=FakeStore)

    def ask(self, question: str, audience: Audience = Audience.PHYSICIAN, context: str | None = None) -> Article:
        q = " ".join(question.split())
        self.calls.append((q, audience.value, context))
        return make_article(q, audience, text_suffix=self.text_suffix, corpus_version=self.corpus_version,
                            ref_url=self.ref_url)

    def close(self) -> None:
        pass
