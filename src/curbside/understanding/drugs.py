"""Drug mentions in a question: longest n-gram match against the lexicon, then a guarded
fuzzy match for single misspelt words."""

from __future__ import annotations

from dataclasses import dataclass

from curbside.types import DrugMention
from curbside.understanding.lexicon import DrugLexicon
from curbside.understanding.normalize import (
    CATION_WORDS,
    ENGLISH_WORDS,
    FORM_WORDS,
    SALT_WORDS,
    token_spans,
)

# Words after a name that still belong to the mention ("metformin hydrochloride er").
_TRAILING = (SALT_WORDS | CATION_WORDS | FORM_WORDS) - {"for", "in", "plastic", "container"}
_COMBINERS = frozenset({"and", "with", "plus"})


@dataclass(frozen=True, slots=True)
class DrugSpan:
    """A mention with where it is in the question (character offsets)."""

    start: int
    end: int
    mention: DrugMention


def find_drug_spans(text: str, lexicon: DrugLexicon) -> list[DrugSpan]:
    """Every drug mention, left to right, with its character span. The same generic
    named twice ("Baclofen (Lioresal)") is reported once, at its first mention."""
    spans = token_spans(text)
    toks = [t for t, _, _ in spans]
    out: list[DrugSpan] = []
    seen: set[str] = set()
    n = len(toks)
    i = 0
    while i < n:
        hit = None
        for size in range(min(lexicon.max_ngram, n - i), 0, -1):
            found = lexicon.lookup(" ".join(toks[i:i + size]))
            if found is None:
                continue
            if size > 1 and " and " in found[0] and not lexicon.in_corpus(found[0]) and (
                _COMBINERS.intersection(toks[i:i + size])
                or any(c in text[spans[i][2]:spans[i + size - 1][1]] for c in "&+/")
            ):
                continue  # "clopidogrel and aspirin": two drugs, unless the corpus has the pair
            hit = (size, found[0], found[1])
            break
        if hit is None:
            tok = toks[i]
            if tok not in ENGLISH_WORDS:
                fuzzy = lexicon.fuzzy_lookup(tok)
                if fuzzy is not None:
                    hit = (1, fuzzy[0], "fuzzy")
        if hit is None:
            i += 1
            continue
        size, generic, kind = hit
        j = i + size
        while j < n and toks[j] in _TRAILING and not text[spans[j - 1][2]:spans[j][1]].strip():
            j += 1
        if generic not in seen:
            seen.add(generic)
            start, end = spans[i][1], spans[j - 1][2]
            out.append(DrugSpan(start, end, DrugMention(text[start:end], generic, kind)))
        i = j
    return out


def find_drugs(text: str, lexicon: DrugLexicon) -> tuple[DrugMention, ...]:
    """The drugs a question names, as canonical generics ("What is the indication for
    Baclofen (Lioresal)?" -> one mention, generic "baclofen")."""
    return tuple(s.mention for s in find_drug_spans(text, lexicon))
