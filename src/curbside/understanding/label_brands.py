"""Brand names that a label states only in its text, and the supplement of OTC products.

Many DailyMed records carry no ``openfda.brand_name`` although their text names the
product: "OCELLA is contraindicated in females who ..." in a drospirenone and ethinyl
estradiol label. ``mine_brands`` reads such sentences (an upper-case name followed by
"is indicated" / "is contraindicated") and pairs the name with the label's generic,
unless the name is an everyday or vocabulary word, a form or salt word ("USP", "XR"), a
word of the generic's own name, or already another drug's name.

``otc_products`` reads the small package file of over-the-counter products the open
vocabularies lack or get wrong (NyQuil, "Dramamine" vs "Dramamine Less Drowsy").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from importlib import resources

from curbside.understanding.normalize import (
    CATION_WORDS,
    FORM_WORDS,
    SALT_WORDS,
    tokens,
)

_STATED = re.compile(
    r"(?<![\w-])([A-Z][A-Z0-9]*(?:[- ][A-Z][A-Z0-9]+){0,2})(?:®|™|\s*\(R\))?\s+"
    r"(?:\([^)]{0,80}\)\s+)?(?:is|are)\s+(?:also\s+)?(?:contraindicated|indicated|not\s+indicated)"
)
_NOT_NAMES = SALT_WORDS | CATION_WORDS | FORM_WORDS | frozenset(
    "usp hct hci hcl xr xl er sr cr dr odt la ct sl mr".split()
)


def mine_brands(rows: Iterable[tuple[Sequence[str], str]], is_known_word: Callable[[str], bool],
                is_drug_name: Callable[[str], bool]) -> list[tuple[str, list[str]]]:
    """(generic, [brand names]) from (label generics, label text) rows; a name counts for
    the generic it is stated with most often."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for generics, text in rows:
        if not generics or "indicated" not in text:
            continue
        generic = generics[0]
        own = set(tokens(" ".join(generics)))
        for m in _STATED.finditer(text):
            name = m.group(1)
            words = tokens(name)
            if not words or len(words[0]) < 4 or not words[0].isalpha():
                continue
            if any(w in own or w in _NOT_NAMES for w in words) or is_known_word(words[0]):
                continue
            if is_drug_name(" ".join(words)) or is_drug_name(words[0]):
                continue
            seen[" ".join(words)][generic] += 1
    by_generic: dict[str, list[str]] = defaultdict(list)
    for name, counts in seen.items():
        (generic, _), = counts.most_common(1)
        by_generic[generic].append(name)
    return sorted((g, sorted(names)) for g, names in by_generic.items())


def otc_products() -> list[tuple[str, list[str]]]:
    """(product name, [active ingredients]) of the package's OTC product list."""
    text = resources.files("curbside.understanding").joinpath("data/otc_products.tsv").read_text("utf-8")
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("name\t"):
            continue
        name, ingredients = line.split("\t")[:2]
        out.append((name.strip(), [i.strip() for i in ingredients.split(";") if i.strip()]))
    return out
