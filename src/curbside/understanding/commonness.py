"""How common a word is in everyday English (the wordfreq package's frequency lists,
shipped in its wheel: nothing is downloaded).

A word of a medical name that is also an everyday word ("flat", "moon", "car") is no
evidence that a question is medical; a rare one ("herpes", "nipple") is.
"""

from __future__ import annotations

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
