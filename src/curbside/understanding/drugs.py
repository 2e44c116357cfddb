"""Drug mentions in a question: longest n-gram match against the lexicon, then a guarded
fuzzy match for single misspelt words.

A combination product named by its brand ("NyQuil": acetaminophen, dextromethorphan and
doxylamine) is one mention of the combination when the corpus has a label for that
combination, else one mention per ingredient (all with the brand as their text), so each
ingredient's own label answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from curbside.types import DrugMention
from curbside.understanding.lexicon import DrugLexicon
from curbside.understanding.normalize import (
    CATION_WORDS,
    ENGLISH_WORDS,
    FORM_WORDS,
    SALT_WORDS,
    components,
    term_key,
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


def _ingredients(generic: str, lexicon: DrugLexicon) -> list[str]:
    """The generics of a combination the corpus has no label for, else [generic]."""
    if (" and " not in generic) or lexicon.in_corpus(generic):
        return [generic]
    out: list[str] = []
    for part in components(generic):
        found = lexicon.lookup(term_key(part))
        g = found[0] if found is not None else part
        if g not in out:
            out.append(g)
    return out or [generic]


def find_drug_spans(text: str, lexicon: DrugLexicon,
                    not_a_drug: Callable[[str], bool] | None = None) -> list[DrugSpan]:
    """Every drug mention, left to right, with its character span. The same generic
    named twice ("Baclofen (Lioresal)") is reported once, at its first mention.
    ``not_a_drug(token)`` vetoes reading a token as a misspelt drug name (the parser's
    guard: a misspelt English or medical word, a misspelt condition)."""
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
                if fuzzy is not None and not (not_a_drug and not_a_drug(tok)):
                    hit = (1, fuzzy[0], "fuzzy")
        if hit is None:
            i += 1
            continue
        size, generic, kind = hit
        j = i + size
        while j < n and toks[j] in _TRAILING and not text[spans[j - 1][2]:spans[j][1]].strip():
            j += 1
        start, end = spans[i][1], spans[j - 1][2]
        for g in _ingredients(generic, lexicon) if kind != "generic" else [generic]:
            if g not in seen:
                seen.add(g)
                out.append(DrugSpan(start, end, DrugMention(text[start:end], g, kind)))
        i = j
    return out


def find_drugs(text: str, lexicon: DrugLexicon) -> tuple[DrugMention, ...]:
    """The drugs a question names, as canonical generics ("What is the indication for
    Baclofen (Lioresal)?" -> one mention, generic "baclofen")."""
    return tuple(s.mention for s in find_drug_spans(text, lexicon))
