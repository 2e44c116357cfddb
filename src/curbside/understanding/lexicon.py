"""The drug lexicon: every surface name of a drug (generic, brand, synonym; as a
``term_key``) mapped to one canonical generic key (``drug_key``).

Built once from the shared vocabularies (FDA Orange Book, MedlinePlus, NHS, MeSH and
DrugBank names in ``drug_names.tsv``; the ``drug_lexicon.jsonl`` dictionary) plus the
(generic, brands) pairs of the ingested labels, then saved to one compact JSON file that
every cold start loads (the building is in lexicon_build.py). Names are ranked by how
much their sources can be trusted: a name that is itself a generic means that generic;
then brands; then synonyms; DrugBank's long tail of synonyms (pesticide trade names,
abbreviations) last and never as an everyday English word. Ambiguous names prefer the
generics the corpus has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from curbside.understanding import vocabfile
from curbside.understanding.fuzzy import FuzzyIndex
from curbside.understanding.vocabfile import split

FORMAT = "curbside.drug_lexicon"
VERSION = 1
KINDS = ("generic", "brand", "synonym")  # a name's kind is its index here

class DrugLexicon:
    """Surface name -> (generic, kind). Read-only after construction, except that each
    first-letter partition of the fuzzy index is parsed on its first use."""

    def __init__(self, generics: Sequence[str], names: Mapping[str, int | str],
                 corpus_generics: Iterable[str] = (), fuzzy: FuzzyIndex | None = None,
                 known_words: Iterable[str] = ()) -> None:
        self._generics = list(generics)
        self._names = dict(names)  # term key -> generic index * 3 + kind (int or its str)
        self.corpus_generics = frozenset(corpus_generics)
        self._fuzzy = fuzzy or FuzzyIndex((), {})
        self.known_words = frozenset(known_words)
        self.max_ngram = max((k.count(" ") + 1 for k in self._names), default=1)

    def __len__(self) -> int:
        return len(self._names)

    def lookup(self, key: str) -> tuple[str, str] | None:
        """(generic, kind) for a ``term_key``; kind is "generic", "brand" or "synonym"."""
        code = self._names.get(key)
        if code is None:
            return None
        c = int(code)
        return self._generics[c // 3], KINDS[c % 3]

    def in_corpus(self, generic: str) -> bool:
        return generic in self.corpus_generics

    def fuzzy_lookup(self, token: str) -> tuple[str, str] | None:
        """(generic, name) of the one corpus drug name within a small edit distance of
        ``token`` (same first letter), or None when there is none or it is ambiguous.
        Known words (English, disease vocabulary) are never read as misspellings."""
        if len(token) < 5 or not token.isalpha() or token in self.known_words:
            return None
        found = self._fuzzy.candidates(token) or self._fuzzy.loose_candidates(token)
        if not found:
            return None
        top = [name for dist, name in found if dist == found[0][0]]
        generics = {self._generics[int(self._names[name]) // 3] for name in top}
        if len(generics) != 1:
            return None
        return generics.pop(), top[0]

    def resembles_drug(self, token: str) -> bool:
        """A corpus drug name is within 40 % edits of ``token`` (see FuzzyIndex.resembles)."""
        return self._fuzzy.resembles(token)

    # ---------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """One JSON object whose big members are "|"-joined strings: parsing them is
        little more than reading the file, so a cold start loads in well under 200 ms."""
        keys = list(self._names)
        vocabfile.write(path, FORMAT, VERSION, {
            "generics": "|".join(self._generics),
            "names": "|".join(keys),
            "codes": "|".join(str(self._names[k]) for k in keys),
            "corpus": "|".join(sorted(self.corpus_generics)),
            "known": "|".join(sorted(self.known_words)),
            "fuzzy_names": "|".join(self._fuzzy.names),
            "fuzzy_index": self._fuzzy.blobs,
        })

    @classmethod
    def load(cls, path: Path) -> DrugLexicon:
        data = vocabfile.read(path, FORMAT, VERSION, "drug lexicon")
        names = dict(zip(split(data, "names"), split(data, "codes")))
        fuzzy = FuzzyIndex(split(data, "fuzzy_names"), data["fuzzy_index"])
        return cls(split(data, "generics"), names, split(data, "corpus"), fuzzy, split(data, "known"))

    # ---------------------------------------------------------------- building
    @classmethod
    def build(cls, vocab_dir: Path, extra: Iterable[tuple[str, Sequence[str]]] = (), *,
              corpus_generics: Iterable[str] = (),
              label_texts: Iterable[tuple[Sequence[str], str]] = (),
              corpus_words: Iterable[str] = ()) -> DrugLexicon:
        """Read drug_names.tsv and drug_lexicon.jsonl from ``vocab_dir`` plus ``extra``
        (generic, brands) pairs from the labels, e.g. ("baclofen", ["Lioresal"]);
        ``corpus_generics`` are the generics (any spelling; keyed with drug_key) the
        corpus has: ambiguous names prefer them, and only their names are corrected
        when misspelt. ``label_texts`` are (label generics, indications or
        contraindications text) of labels without a brand name, whose text may state one
        (label_brands.mine_brands); the package's OTC product list is always added.
        ``corpus_words`` are words the corpus uses (lexicon_build.corpus_words): real
        words, never corrected into a drug name."""
        from curbside.understanding.lexicon_build import build_lexicon

        return build_lexicon(vocab_dir, extra, corpus_generics, label_texts, corpus_words)
