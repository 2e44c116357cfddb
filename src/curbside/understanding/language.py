"""Is a question in English? A cheap heuristic: the script of its letters, then English
against French, Spanish, Portuguese, Italian and German function words. Short questions
with no function words at all ("baclofen dose?") are English."""

from __future__ import annotations

import re
import unicodedata

_WORD_RE = re.compile(r"[^\W\d_]+")
_ENGLISH = frozenset(
    """the a an is are was were be been of for to in on at by with from and or not what
    which who whom whose when where why how does do did can could should would will may
    might must my your his her its our their this that these those it i you he she we they
    me him us them there here than then if about after before during while dose side
    effects take taking used use""".split()
)
# Function words of other languages that are not also English words.
_FOREIGN = frozenset(
    """le les des du est une quelle quel quels quelles pour avec dans sur qui que quoi
    comment pourquoi mes je vous nous elle sont etre chez cette ces aux peut puis
    el los las es una para por cual cuales como del puedo tomar esta tengo efectos dosis
    de os uma nao qual quais posso voce sao
    gli che sono della delle degli quale
    der das ist und mit fur wie welche nicht ich kann ein eine einen dem zu bei
    nebenwirkungen""".split()
)
_ELISION_RE = re.compile(r"\b(?:l|d|qu|j|n|s|c)['’]\w", re.IGNORECASE)


def _is_latin(ch: str) -> bool:
    return ch.isascii() or "LATIN" in unicodedata.name(ch, "")


def detect_language(text: str) -> str:
    """"en" for English, "other" for anything else."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "en"
    non_latin = sum(1 for c in letters if not _is_latin(c))
    if non_latin / len(letters) > 0.3:
        return "other"  # Chinese, Cyrillic, Arabic, Greek ...
    words = [unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode().lower()
             for w in _WORD_RE.findall(text)]
    english = sum(1 for w in words if w in _ENGLISH)
    foreign = sum(1 for w in words if w in _FOREIGN) + len(_ELISION_RE.findall(text))
    accented = any(not c.isascii() for c in letters)
    if foreign >= 2 and (foreign > english or (accented and foreign == english)):
        return "other"
    if foreign == 1 and english == 0 and accented:
        return "other"
    return "en"
