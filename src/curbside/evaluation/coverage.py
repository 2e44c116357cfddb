"""Statement coverage: does one sentence of an answer state a reference statement?

A reference statement (a K-QA must-have, a sentence of a MedicationQA reference answer)
is *covered* by a sentence when the sentence holds at least 60 % of the statement's
distinct content words. Content words are lower-cased alphanumeric tokens, English stop
words and single letters out, stemmed with the Snowball English stemmer (the one the
lexical index uses), so "reduces", "reduced" and "reducing" are one word.

    target = content_stems("Side effects of escitalopram include headache")
    covers(target, content_stems("Headache is a common side effect of escitalopram."))  # True

The same rule scores the engine's answers, the BM25 baseline and the corpus ceiling
(``ceiling.py``), so the three figures can be compared."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import tantivy

COVER_SHARE_TENTHS = 6  # 60 %: integer tenths, so the threshold has no rounding surprise
RULE_VERSION = "1"  # bump when the stop words, the stemmer or the share change (cache key)

# English function words (the NLTK list; "doesn" is what is left of "doesn't")
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing don down during each few for
    from further had has have having he her here hers herself him himself his how i if in into
    is it its itself just me more most my myself no nor not now of off on once only or other
    our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very was
    we were what when where which while who whom why will with would you your yours yourself
    yourselves aren couldn didn doesn hadn hasn haven isn mustn shouldn wasn weren won wouldn""".split()
)


@cache
def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.custom_stopword(sorted(STOP_WORDS)))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def content_stems(text: str) -> frozenset[str]:
    """The distinct stemmed content words of ``text`` (digits kept, single letters out)."""
    return frozenset(t for t in _analyzer().analyze(text) if len(t) > 1 or t.isdigit())


def needed(n: int) -> int:
    """How many of a statement's ``n`` content words a covering sentence must hold."""
    return -(-n * COVER_SHARE_TENTHS // 10)  # ceil(0.6 n) in integers


def overlap(target: frozenset[str], sentence: frozenset[str]) -> int:
    return len(target & sentence)


def covers(target: frozenset[str], sentence: frozenset[str]) -> bool:
    """``sentence`` holds at least 60 % of ``target``'s content words (an empty target is
    never covered: it states nothing)."""
    return bool(target) and overlap(target, sentence) >= needed(len(target))


@dataclass(frozen=True, slots=True)
class Match:
    """The best sentence for one reference statement."""

    statement: str
    words: int  # distinct content words of the statement
    covered: bool
    best: int | None  # index of the best sentence (most shared words), None when none shares one
    shared: int  # content words the best sentence shares

    @property
    def share(self) -> float:
        return self.shared / self.words if self.words else 0.0


def best_match(statement: str, sentences: Sequence[frozenset[str]]) -> Match:
    """The sentence of ``sentences`` (already stemmed) sharing most of ``statement``'s
    content words; the first wins a tie."""
    target = content_stems(statement)
    best, shared = None, 0
    for i, s in enumerate(sentences):
        n = overlap(target, s)
        if n > shared:
            best, shared = i, n
    return Match(statement, len(target), bool(target) and shared >= needed(len(target)), best, shared)


def match_all(statements: Sequence[str], sentences: Sequence[str]) -> list[Match]:
    """``best_match`` of every reference statement against the answer's sentences."""
    stemmed = [content_stems(s) for s in sentences]
    return [best_match(st, stemmed) for st in statements]
