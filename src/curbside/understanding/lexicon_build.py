"""Building the drug lexicon from the shared vocabularies (see lexicon.py)."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from curbside.understanding.fuzzy import FuzzyIndex
from curbside.understanding.label_brands import mine_brands, otc_products
from curbside.understanding.lexicon import DrugLexicon
from curbside.understanding.normalize import (
    CATION_WORDS,
    ENGLISH_WORDS,
    FORM_WORDS,
    MODIFIER_WORDS,
    SALT_WORDS,
    components,
    drug_key,
    join_components,
    term_key,
    tokens,
)

MAX_NGRAM = 5  # longer names are never matched in questions, so not stored
_LETTERS_RE = re.compile(r"[a-z]+")
_GENERIC, _BRAND, _SYNONYM = 0, 1, 2  # indexes of lexicon.KINDS

# Trust tiers, most trusted first: label and Orange Book generics, other generics
# (MedlinePlus, DrugBank ids), brands, synonyms (MeSH, dictionary), DrugBank's long tail.
(T_LABEL_GENERIC, T_FDA_GENERIC, T_GENERIC, T_LABEL_BRAND, T_BRAND, T_SYNONYM,
 T_WEAK_GENERIC, T_WEAK) = range(8)
_GENERIC_TIERS = (T_LABEL_GENERIC, T_FDA_GENERIC, T_GENERIC, T_WEAK_GENERIC)
_TIER_KIND = (_GENERIC, _GENERIC, _GENERIC, _BRAND, _BRAND, _SYNONYM, _GENERIC, _SYNONYM)
_TIER_CLASS = (0, 0, 0, 1, 1, 2, 2, 2)
_DRUG_NAMES_TIER = {"generic_product_name": T_FDA_GENERIC, "brand": T_BRAND,
                    "synonym_or_brand": T_SYNONYM, "synonym": T_WEAK}
# Inhaler and pen names after a brand ("Breo Ellipta" is also just "Breo").
_DEVICE_WORDS = frozenset(
    """hfa ellipta diskus respimat handihaler flexpen kwikpen solostar pen pens inhaler
    autoinjector pressair respiclick digihaler turbuhaler inhub redihaler twisthaler
    flexhaler neohaler aerosphere starter pack dose""".split()
)


def everyday_words(vocab_dir: Path) -> frozenset[str]:
    """English words a drug name is never: the stop list plus the words of the CDC
    Plain Language Thesaurus."""
    words: set[str] = set(ENGLISH_WORDS)
    path = vocab_dir / "lay_terms.tsv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                if row.get("source", "").startswith("CDC"):
                    words.update(tokens(row.get("lay_term") or ""))
    return frozenset(words)


def build_lexicon(vocab_dir: Path, extra: Iterable[tuple[str, Sequence[str]]] = (),
                  corpus_generics: Iterable[str] = (),
                  label_texts: Iterable[tuple[Sequence[str], str]] = (),
                  corpus_words: Iterable[str] = ()) -> DrugLexicon:
    """See DrugLexicon.build."""
    b = _Builder(frozenset(drug_key(g) for g in corpus_generics), everyday_words(vocab_dir),
                 frozenset(_vocabulary_words(vocab_dir)))
    b.corpus_words = frozenset(corpus_words)
    for generic, brands in extra:
        b.add(generic, generic, T_LABEL_GENERIC)
        for brand in brands:
            b.add(brand, generic, T_LABEL_BRAND)
    names_path = vocab_dir / "drug_names.tsv"
    if names_path.exists():
        with names_path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                tier = _DRUG_NAMES_TIER.get(row["name_type"], T_WEAK)
                generic = row["generic_or_ingredient"]
                b.add(row["name"], generic, tier)
                fda = row["source"].startswith("FDA")
                own = T_FDA_GENERIC if fda else T_GENERIC if tier <= T_BRAND else T_WEAK_GENERIC
                b.add(generic, generic, own)
    lex_path = vocab_dir / "drug_lexicon.jsonl"
    if lex_path.exists():
        with lex_path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                canonical = rec["canonical"]
                ids = rec.get("ids") or {}
                strong = "medline_plus_id" in ids or "drugbank_id" in ids
                tier = T_GENERIC if strong else T_WEAK_GENERIC
                b.add(canonical, canonical, tier)
                b.add(rec.get("name") or canonical, canonical, tier)
                for brand in rec.get("brands") or ():
                    b.add(brand, canonical, T_BRAND)
                for syn in rec.get("synonyms") or ():
                    b.add(syn, canonical, T_SYNONYM)
    # brand names the labels state only in their text ("OCELLA is contraindicated ...")
    names = {k for k, _ in b.records}
    for generic, brands in mine_brands(
        label_texts, lambda w: w in b.everyday or w in b.vocab_words, names.__contains__
    ):
        for brand in brands:
            b.add(brand, generic, T_BRAND)
    for product, ingredients in otc_products():
        b.override(product, ingredients)
    return b.finish()


def _brand_variants(key: str) -> list[str]:
    """"advair diskus 500 50" -> ["advair diskus", "advair"]; "ditropan xl" -> ["ditropan"]."""
    words = key.split()
    for i, w in enumerate(words):
        if i and w[0].isdigit():
            words = words[:i]
            break
    out = [" ".join(words)]
    while len(words) > 1 and (words[-1] in FORM_WORDS or words[-1] in _DEVICE_WORDS):
        words.pop()
        out.append(" ".join(words))
    return out


_STRIPPABLE = SALT_WORDS | CATION_WORDS | FORM_WORDS | {"and", "with"}
_NEVER_ALONE = SALT_WORDS | FORM_WORDS | MODIFIER_WORDS
_MINERALS = frozenset({"iron", "calcium", "magnesium", "zinc", "potassium"})


class _Builder:
    def __init__(self, corpus: frozenset[str], everyday: frozenset[str],
                 vocab_words: frozenset[str]) -> None:
        self.corpus = corpus
        self.everyday = everyday
        self.vocab_words = vocab_words
        self.corpus_words: frozenset[str] = frozenset()  # words the corpus itself uses
        self.auth: dict[str, int] = {}  # generic -> 0 corpus, 1 FDA, 2 other lists, 3 weak
        # (surface key, generic key) -> [best tier, votes, derived]
        self.records: dict[tuple[str, str], list[int]] = {}
        self._dk: dict[str, str] = {}
        self._tk: dict[str, str] = {}
        self.overrides: dict[str, str] = {}  # surface key -> generic key, beats any vote

    def drug_key(self, name: str) -> str:
        key = self._dk.get(name)
        if key is None:
            key = self._dk[name] = drug_key(name)
        return key

    def term_key(self, name: str) -> str:
        key = self._tk.get(name)
        if key is None:
            key = self._tk[name] = term_key(name)
        return key

    def add(self, surface: str, generic: str, tier: int) -> None:
        g = self.drug_key(generic)
        key = self.term_key(surface)
        if not g or not key:
            return
        variants = {key: 0}  # surface key -> 1 when derived by stripping, else 0
        words = key.split()
        if tier <= T_GENERIC:  # a generic name: its salt-free key, its ingredients
            if any(c in surface for c in ",;/()[]+&") or any(
                w in _STRIPPABLE or w[0].isdigit() for w in words
            ):
                variants.setdefault(self.term_key(self.drug_key(surface)), 1)
            parts = components(surface) if len(words) > 1 else []
            if len(parts) == 2:  # "levodopa carbidopa", "carbidopa and levodopa"
                for a, c in (parts, parts[::-1]):
                    variants.setdefault(term_key(f"{a} {c}"), 1)
                    variants.setdefault(term_key(f"{a} and {c}"), 1)
        elif tier in (T_SYNONYM, T_WEAK_GENERIC, T_WEAK):  # "metformin hcl" -> "metformin"
            while len(words) > 1 and words[-1] in _STRIPPABLE:
                words.pop()
            variants.setdefault(" ".join(words), 1)
        else:
            for variant in _brand_variants(key):
                variants.setdefault(variant, 1)
        for k, derived in variants.items():
            if not k:
                continue
            rec = self.records.get((k, g))
            if rec is None:
                self.records[(k, g)] = [tier, 1, derived]
            else:
                if (tier, derived) < (rec[0], rec[2]):
                    rec[0], rec[2] = tier, derived
                rec[1] += 1

    def override(self, product: str, ingredients: Sequence[str]) -> None:
        """A product of the package's OTC list: its name means exactly these ingredients
        (a combination's generic is the ingredients joined, "acetaminophen,
        dextromethorphan and doxylamine"); each ingredient is also a generic."""
        generic = self.drug_key("; ".join(ingredients))
        for ingredient in ingredients:
            self.add(ingredient, ingredient, T_GENERIC)
        for key in _brand_variants(self.term_key(product))[:1]:
            self.overrides[key] = generic

    def _keep(self, key: str, tier: int, generic: str) -> bool:
        words = key.split()
        if len(words) > MAX_NGRAM or all(w in ENGLISH_WORDS or w.isdigit() for w in words):
            return False
        if len(words) > 1:
            if tier <= T_BRAND:
                return True
            # the long tail of MeSH/DrugBank synonyms: chemical names, receptor names
            if sum(len(w) == 1 or w.isdigit() for w in words) > 1 or words[0].isdigit():
                return False
            return len(words) <= 2 or generic in self.corpus
        w = words[0]
        if len(w) < 3 or w.isdigit() or w in _NEVER_ALONE:
            return False
        if w in CATION_WORDS and tier > T_GENERIC:  # "potassium" is not potassium chloride
            return False
        if tier == T_WEAK and (w in self.vocab_words or self.auth.get(generic, 3) >= 2):
            return False  # DrugBank's "Cascade" and "Dimension" (pesticides)
        if w in self.everyday and w not in _MINERALS:  # "aspirin" yes, "oxygen" no
            return tier <= T_FDA_GENERIC or (tier <= T_GENERIC and generic in self.corpus)
        if len(w) == 3 and tier > T_BRAND:
            return False
        return not (tier >= T_WEAK_GENERIC and len(w) < 5)

    def _aliases(self) -> dict[str, str]:
        """Generics known only from non-FDA sources (DrugBank, MeSH, NHS: "salbutamol",
        "paracetamol") that are a name of a better attested generic ("albuterol",
        "acetaminophen"), or have it among their names, are merged into it; a generic the
        corpus has only as a salt ("lithium carbonate") absorbs its base ("lithium")."""
        auth = self.auth
        for (k, g), (tier, _, _) in self.records.items():
            if k == self.term_key(g):
                a = 0 if g in self.corpus else 1 if tier <= T_FDA_GENERIC else (
                    2 if tier <= T_GENERIC else 3)
                auth[g] = min(auth.get(g, 3), a)
        by_term = {self.term_key(g): g for g in auth}
        cands: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (k, g), (tier, votes, derived) in self.records.items():
            if auth.get(g, 3) == 3:  # a weak generic has a name that is a better generic
                words = k.split()
                while len(words) > 1 and words[-1] in _STRIPPABLE:
                    words.pop()
                h = by_term.get(" ".join(words))
                if h is not None and h != g and auth[h] <= 1:
                    cands[g][h] += votes
            # a weaker generic is one of g's names
            if auth.get(g, 3) <= 1 and tier <= T_SYNONYM and not derived:
                other = by_term.get(k)
                if other is not None and other != g and auth[other] >= 2:
                    cands[other][g] += votes
        alias = {g: min(hs, key=lambda h: (auth[h], -hs[h], h)) for g, hs in cands.items()}
        by_base: dict[str, list[str]] = defaultdict(list)
        for c in self.corpus:
            words = c.split()
            while len(words) > 1 and words[-1] in SALT_WORDS:
                words.pop()
            if len(words) < len(c.split()):
                by_base[" ".join(words)].append(c)
        for base, cs in by_base.items():
            if len(cs) == 1 and base not in self.corpus:
                alias[base] = cs[0]
        return {g: alias.get(h, h) for g, h in alias.items()}

    def finish(self) -> DrugLexicon:
        alias = self._aliases()
        best: dict[str, tuple[tuple[int, int, int, int, int, int, str], str, int]] = {}
        for (k, g), (tier, votes, derived) in self.records.items():
            final = alias.get(g, g)
            if not self._keep(k, tier, final):
                continue
            rank = (_TIER_CLASS[tier], 0 if final in self.corpus else 1, tier, derived,
                    -votes, len(final), final)
            kind = _TIER_KIND[tier]
            if kind == _GENERIC and (final != g or k != self.term_key(g)):
                kind = _SYNONYM
            cur = best.get(k)
            if cur is None or rank < cur[0]:
                best[k] = (rank, final, kind)
        top = (-1, 0, 0, 0, 0, 0, "")
        for k, g in self.overrides.items():
            parts = [alias.get(self.drug_key(c), self.drug_key(c)) for c in components(g)]
            best[k] = (top, parts[0] if len(parts) == 1 else join_components(sorted(parts)), _BRAND)
        generics = sorted({g for _, g, _ in best.values()})
        gidx = {g: i for i, g in enumerate(generics)}
        names = {k: gidx[g] * 3 + kind for k, (_, g, kind) in best.items()}
        fuzzy = [k for k, (rank, g, _) in best.items()
                 if (g in self.corpus and rank[2] <= T_SYNONYM or rank == top) and len(k) >= 5
                 and k.isalpha() and k not in self.everyday]
        known = set(self.everyday) | self.vocab_words | self.corpus_words
        known -= {k for k in best if " " not in k}
        return DrugLexicon(generics, names, self.corpus, FuzzyIndex.build(fuzzy), known)


def _vocabulary_words(vocab_dir: Path) -> set[str]:
    """Words of disease names and of patient-level definitions: real words, so never
    read as misspelt drug names (drug names among them are removed by the caller)."""
    words: set[str] = set()
    path = vocab_dir / "disease_synonyms.tsv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                words.update(tokens(row.get("term") or ""))
    path = vocab_dir / "lay_definitions.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    words.update(tokens(json.loads(line).get("definition") or ""))
    return {w for w in words if w.isalpha()}


CORPUS_WORD_MIN_PASSAGES = 3
CORPUS_WORD_MAX_PASSAGES = 200_000  # a sample is enough on a full-size corpus


def corpus_words(texts: Iterable[str], min_passages: int = CORPUS_WORD_MIN_PASSAGES) -> set[str]:
    """Words (letters only) that at least ``min_passages`` passages use: real words of
    the sources' language ("meantime", "sweating"), never read as a misspelt drug name.
    A misspelling is rare in edited text; drug names among these are removed later."""
    counts: Counter[str] = Counter()
    for i, text in enumerate(texts):
        if i >= CORPUS_WORD_MAX_PASSAGES:
            break
        counts.update(set(_LETTERS_RE.findall(text.lower())))
    return {w for w, c in counts.items() if c >= min_passages and len(w) >= 4}
