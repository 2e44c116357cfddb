"""How common a word is in everyday English (the wordfreq package's frequency lists,
shipped in its wheel: nothing is downloaded).

A word of a medical name that is also an everyday word ("flat", "moon", "car") is no
evidence that a question is medical; a rare one ("herpes", "nipple") is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

# Zipf scale: 3 is once per million words. "herpes" 3.4, "joints" 3.8, "flat" 4.7.
EVERYDAY_ZIPF = 4.0


@lru_cache(maxsize=4096)
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency  # loads its lists on first use (~0.3 s)

    return float(zipf_frequency(word, "en"))


def everyday(word: str) -> bool:
    """True for a word common in general English (Zipf frequency ≥ 4)."""
    return zipf(word.lower()) >= EVERYDAY_ZIPF


# A word this many times likelier in the corpus's passages than in everyday English
# text is a word of the field ("enzymes", "genome", "patatin"): a question using it is
# a medical or biomedical one. Everyday words stay near or below 1 ("car" 0.04, "egg"
# 0.9, "tire" 1.8); everyday words with a second life in medicine are few ("leaking" 3.9).
FIELD_LIFT = 8.0
WORDS_PER_PASSAGE = 150  # about the passages' length, to turn a word rate into a passage rate


def lift(word: str, passages_with_word: int, passages: int) -> float:
    """How much likelier ``word`` is in a corpus passage than in English text."""
    if passages_with_word <= 0 or passages <= 0:
        return 0.0
    english = 10 ** (zipf(word.lower()) - 9)  # per word of running text
    if english <= 0:
        return float("inf")
    return (passages_with_word / passages) / min(1.0, english * WORDS_PER_PASSAGE)


def field_words(words: list[str], count: Callable[[str], int], passages: int, *, min_passages: int = 2) -> list[str]:
    """The words the corpus uses far more than everyday English does."""
    return [w for w in words if (n := count(w)) >= min_passages and lift(w, n, passages) >= FIELD_LIFT]
