"""The population a question asks about (adults, children, pregnancy, older adults),
and whether a statement is about another one.

"What is the dose for adults?" is not answered with a children's dose: a statement that
names only another population is left out. A statement naming no population, or the
asked one, stays.
"""

from __future__ import annotations

import re

_ASKED = (
    ("child", re.compile(r"\b(?:child|children|kids?|toddlers?|infants?|babies|baby|pediatric|paediatric|"
                         r"teens?|teenagers?|adolescents?|(?:my )?(?:son|daughter)|"
                         r"\d{1,2}[- ]?(?:year|yr)s?[- ]old)\b", re.I)),
    ("pregnancy", re.compile(r"\b(?:pregnan\w*|expecting)\b", re.I)),
    ("older", re.compile(r"\b(?:elderly|older (?:adults?|people|patients)|seniors?|geriatric)\b", re.I)),
    ("adult", re.compile(r"\b(?:adults?|grown[- ]ups?)\b", re.I)),
)
_MENTIONS = {
    "child": re.compile(r"\b(?:child|children|childhood|pediatric|paediatric|infants?|neonat\w*|newborns?|"
                        r"adolescents?|kids?|years? of age and younger|younger than \d+)\b", re.I),
    "pregnancy": re.compile(r"\bpregnan\w*", re.I),
    "older": re.compile(r"\b(?:elderly|geriatric|older (?:adults?|patients))\b", re.I),
    "adult": re.compile(r"\badults?\b", re.I),
}


def asked_population(question: str) -> str | None:
    """"child", "pregnancy", "older", "adult" or None. The first named one counts; an
    adult population is only a population when no other is named."""
    for name, pattern in _ASKED:
        if pattern.search(question):
            return name
    return None


def fits_population(sentence: str, asked: str) -> bool:
    """False when the sentence is about another population than the asked one only."""
    named = {name for name, pattern in _MENTIONS.items() if pattern.search(sentence)}
    if not named or asked in named:
        return True
    if asked == "pregnancy":  # pregnancy does not make a children's or adults' dose wrong
        return "child" not in named
    if asked == "older":
        return "child" not in named
    return False
