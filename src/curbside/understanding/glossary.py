"""The glossary: technical terms a patient may not know, each with a meaning in
everyday words and the source of that meaning (issue #11, plain language).

Built at ingest (glossary_build.py) from the open vocabularies (CDC Plain Language
Thesaurus, NCI's patient dictionaries, the CMS glossary, Disease Ontology names) and the
corpus's own consumer pages ("What is X?" answered in a plain first sentence), then saved
to one compact JSON file in the data folder (``paths.glossary_file``) that an engine
reads once. composition/glossing.py finds its terms in statements.

A term is stored under its ``gloss_key`` (lower case, words of letters and digits joined
by one space: "non-Hodgkin lymphoma" -> "non hodgkin lymphoma"). An acronym or a name
spelt with inner capitals ("HbA1c", "BRCA1") is matched only as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from curbside.understanding import vocabfile
from curbside.understanding.vocabfile import split

FORMAT = "curbside.glossary"
VERSION = 1
_WORD = re.compile(r"[^\W_]+")


def gloss_key(text: str) -> str:
    """The words of ``text`` (letters and digits), lower case, joined by one space."""
    return " ".join(_WORD.findall(text.lower()))


def gloss_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a term means in everyday words, and where that wording is from."""

    text: str
    source: str  # "CDC Plain Language Thesaurus", "NCI Dictionary of Cancer Terms", a page's title
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """A glossary term: its meaning; ``drug`` the generic it names when it is a drug name
    (the drug lexicon's key: an article's own drugs are not glossed); ``cased`` the
    spelling it must have in the text to match (acronyms), else None (any case)."""

    key: str
    meaning: Meaning
    drug: str = ""
    cased: str | None = None


class Glossary:
    """gloss key -> Entry. Read-only after construction."""

    def __init__(self, keys: Sequence[str], codes: Sequence[int | str], meanings: Sequence[Meaning],
                 drugs: Mapping[str, str] | None = None, cased: Mapping[str, str] | None = None,
                 fingerprint: str = "") -> None:
        self._codes = dict(zip(keys, codes))  # key -> meaning index (int or its str)
        self._meanings = list(meanings)
        self._drugs = dict(drugs or {})
        self._cased = dict(cased or {})
        self.fingerprint = fingerprint
        self.max_words = max((k.count(" ") + 1 for k in self._codes), default=1)

    @classmethod
    def of(cls, entries: Iterable[Entry], fingerprint: str = "") -> Glossary:
        """A glossary of ``entries`` (the builder's and the tests' way to make one)."""
        keys: list[str] = []
        codes: list[int] = []
        meanings: dict[Meaning, int] = {}
        drugs: dict[str, str] = {}
        cased: dict[str, str] = {}
        for e in entries:
            keys.append(e.key)
            codes.append(meanings.setdefault(e.meaning, len(meanings)))
            if e.drug:
                drugs[e.key] = e.drug
            if e.cased:
                cased[e.key] = e.cased
        return cls(keys, codes, list(meanings), drugs, cased, fingerprint)

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, key: object) -> bool:
        return key in self._codes

    def keys(self) -> Iterable[str]:
        return self._codes.keys()

    def get(self, key: str) -> Entry | None:
        code = self._codes.get(key)
        if code is None:
            return None
        return Entry(key, self._meanings[int(code)], self._drugs.get(key, ""), self._cased.get(key))

    def entries(self) -> Iterable[Entry]:
        for key in self._codes:
            entry = self.get(key)
            assert entry is not None
            yield entry

    # ---------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """One JSON object of "|"-joined keys and codes plus the distinct meanings and
        sources: quick to load (see lexicon.py)."""
        keys = list(self._codes)
        sources: dict[tuple[str, str], int] = {}
        for m in self._meanings:
            sources.setdefault((m.source, m.url or ""), len(sources))
        vocabfile.write(path, FORMAT, VERSION, {
            "fingerprint": self.fingerprint,
            "keys": "|".join(keys),
            "codes": "|".join(str(self._codes[k]) for k in keys),
            "meanings": [m.text for m in self._meanings],
            "meaning_sources": "|".join(str(sources[(m.source, m.url or "")]) for m in self._meanings),
            "sources": [[name, url] for name, url in sources],
            "drugs": self._drugs,
            "cased": self._cased,
        })

    @classmethod
    def load(cls, path: Path) -> Glossary:
        data = vocabfile.read(path, FORMAT, VERSION, "glossary")
        sources = [(name, url or None) for name, url in data["sources"]]
        meanings = [Meaning(text, *sources[int(i)])
                    for text, i in zip(data["meanings"], split(data, "meaning_sources"))]
        return cls(split(data, "keys"), split(data, "codes"), meanings, data["drugs"], data["cased"],
                   data["fingerprint"])

    @staticmethod
    def stored_fingerprint(path: Path) -> str | None:
        """The fingerprint of the inputs the glossary at ``path`` was built from; None
        when there is no loadable glossary there."""
        try:
            return str(vocabfile.read(path, FORMAT, VERSION, "glossary")["fingerprint"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
