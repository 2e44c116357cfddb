"""Building the glossary (glossary.py) from the open vocabularies and the corpus.

Where a meaning comes from, in order of preference (the first that has one wins):

1. the CDC Plain Language Thesaurus (``lay_terms.tsv``, ``lay_definitions.jsonl``): the
   everyday words themselves ("hypotension": "low blood pressure"), at most three of them;
2. the plain words NCI's dictionary puts beside a term (``lay_terms.tsv``, mined glosses
   of high confidence only: "larynx": "voice box");
3. the first sentence of a patient-level definition (NCI Dictionary of Cancer Terms, NCI
   Dictionary of Genetics Terms, CMS glossary; also under the "also called" names);
4. the corpus's consumer pages that answer "What is (are) X?" with "X is ...": the rest
   of that first sentence, naming the page;
5. another name of the same Disease Ontology concept that has a meaning by 1–4
   ("tic douloureux" gets the meaning of "trigeminal neuralgia");
6. the concept's everyday name, made of everyday words only ("myocardial infarction":
   "heart attack"; DO's synonyms are not all exact, so only when nothing above explains it);
7. the Disease Ontology's own definition (technical: only when nothing plainer exists).

A word of everyday words ("lay_term") is kept only when it is commoner than the term it
explains (wordfreq), so "PSA": "prostate-specific antigen" is no gloss. Only technical
terms are kept: rarer in everyday English than ``TECHNICAL_ZIPF`` and, with a corpus,
used in its passages and far likelier there than in English (commonness.lift: "renal",
"hepatic", "drowsy" yes; "ability", "abolish" no). Meanings are bounded
(``MAX_MEANING_CHARS``); a term that names a drug (the drug lexicon) is marked so that an
article's own drug is never glossed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from curbside.understanding.commonness import FIELD_LIFT, lift
from curbside.understanding.glossary import Entry, Glossary, Meaning, gloss_key, gloss_words

# The rules below; part of the fingerprint, so changing them rebuilds every glossary.
BUILD_VERSION = "1"
# Zipf 3.5 is about 3 in a million words of English: "renal" 3.4, "hypertension" 3.4,
# "hepatic" 3.1, "intrathecal" 1.9 are below; "nausea" 3.5, "diarrhea" 3.6, "skill" 4.4,
# "ability" 5.0 are not.
TECHNICAL_ZIPF = 3.5
MAX_MEANING_CHARS = 200
MIN_MEANING_CHARS = 8
MAX_TERM_WORDS = 6
MAX_LAY_WORDS = 3  # everyday alternatives shown for one term
VOCAB_FILES = ("lay_terms.tsv", "lay_definitions.jsonl", "disease_concepts.jsonl")

SOURCE_NAMES = {
    "CDC_Plain_Language_Thesaurus": "CDC Plain Language Thesaurus",
    "NCI_Dictionary_inline_gloss_mined": "NCI Dictionary of Cancer Terms",
    "NCI_Dictionary_of_Cancer_Terms": "NCI Dictionary of Cancer Terms",
    "NCI_Dictionary_of_Genetics_Terms": "NCI Dictionary of Genetics Terms",
    "CMS_Uniform_Glossary": "CMS Uniform Glossary",
}
DISEASE_ONTOLOGY = "Disease Ontology"
# preference ranks (the module's docstring)
R_LAY, R_MINED, R_DEFINITION, R_PAGE, R_SYNONYM, R_EVERYDAY_NAME, R_ONTOLOGY = range(7)


@dataclass(frozen=True, slots=True)
class DefinitionPage:
    """A consumer page's answer to "What is (are) X?" (store.first_answers): the page's
    own names of X (the question's, the title), the source's synonyms of its topic, and
    the answer's text."""

    doc_id: str
    title: str
    publisher: str
    url: str | None
    names: tuple[str, ...]
    synonyms: tuple[str, ...]
    text: str


def source_name(source: str) -> str:
    return SOURCE_NAMES.get(source, source.replace("_", " ").strip())


@lru_cache(maxsize=65536)
def _zipf(text: str) -> float:
    from wordfreq import zipf_frequency  # its lists load on first use (~0.3 s)

    return float(zipf_frequency(text, "en"))


def _rarest_zipf(text: str) -> float:
    return min((_zipf(w) for w in gloss_words(text) if w.isalpha()), default=0.0)


def fingerprint(vocab_dir: Path, corpus_version: str = "") -> str:
    """What a glossary is built from: the rules, the vocabulary files' contents and the
    corpus version. A glossary whose stored fingerprint differs is rebuilt at ingest."""
    h = hashlib.sha256(f"{BUILD_VERSION}\x1f{corpus_version}".encode())
    for name in VOCAB_FILES:
        path = vocab_dir / name
        h.update(f"\x1f{name}\x1f".encode())
        if path.exists():
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()[:24]


class _Candidates:
    """key -> (rank, meaning, surface) of the best meaning found so far."""

    def __init__(self) -> None:
        self.best: dict[str, tuple[int, Meaning, str]] = {}

    def offer(self, surface: str, meaning: Meaning, rank: int) -> None:
        key = gloss_key(surface)
        if not key or key.count(" ") >= MAX_TERM_WORDS or len(key) < 3:
            return
        if rank >= R_DEFINITION and _repeats(key, meaning.text):
            return
        cur = self.best.get(key)
        if cur is None or rank < cur[0] or (
            rank == cur[0] == R_PAGE and len(meaning.text) < len(cur[1].text)
        ):
            self.best[key] = (rank, meaning, surface)


def _repeats(key: str, meaning: str) -> bool:
    """A definition that uses the term's rarest word explains little ("eclampsia": "A
    pre-eclampsia characterized by ...")."""
    words = [w for w in key.split() if w.isalpha() and len(w) >= 4]
    return bool(words) and min(words, key=_zipf) in gloss_words(meaning)


def build_glossary(
    vocab_dir: Path,
    *,
    pages: Iterable[DefinitionPage] = (),
    corpus_count: Callable[[str], int] | None = None,
    corpus_passages: int = 0,
    drug_of: Callable[[str], str] | None = None,
    fingerprint: str = "",
) -> Glossary:
    """The glossary of the vocabularies in ``vocab_dir`` and the corpus's definition
    ``pages``. ``corpus_count(words)`` is how many passages hold those words (a
    phrase for several) out of ``corpus_passages``: without it every technical term is
    kept. ``drug_of(term)`` is the generic a term names, or "" (the drug lexicon)."""
    found = _Candidates()
    _lay_terms(vocab_dir, found)
    _definitions(vocab_dir, found)
    for page in pages:
        _page(page, found)
    _ontology(vocab_dir, found)

    technical = _Technical(corpus_count, corpus_passages)
    entries = []
    for key, (_, meaning, surface) in sorted(found.best.items()):
        if not technical(key):
            continue
        entries.append(Entry(key, meaning, drug_of(surface) if drug_of else "", _cased(surface)))
    return Glossary.of(entries, fingerprint)


class _Technical:
    """Is a term technical: rare in English and, with a corpus, a word of its field?"""

    def __init__(self, count: Callable[[str], int] | None, passages: int) -> None:
        self.count = count
        self.passages = passages
        self._field: dict[str, bool] = {}

    def __call__(self, key: str) -> bool:
        if _zipf(key) >= TECHNICAL_ZIPF:
            return False
        if self.count is None:
            return True
        if _count(self.count, key) <= 0:  # never in a passage: never in a statement
            return False
        words = [w for w in key.split() if w.isalpha()]
        if not words:
            return True
        rarest = min(words, key=_zipf)
        field = self._field.get(rarest)
        if field is None:
            field = self._field[rarest] = lift(rarest, _count(self.count, rarest), self.passages) >= FIELD_LIFT
        return field


def _count(count: Callable[[str], int], words: str) -> int:
    try:
        return count(words)
    except ValueError:  # a query the index cannot parse
        return 0


def _cased(surface: str) -> str | None:
    """The spelling an acronym or inner-capital name must have in the text ("HbA1c",
    "BRCA1", "PSA"), else None."""
    s = surface.strip()
    if " " in s or len(s) < 2:
        return None
    return s if any(ch.isupper() for ch in s[1:]) else None


# ---- the vocabularies -------------------------------------------------------------------
def _plainer(alternative: str, term: str) -> bool:
    """An everyday wording is one whose rarest word is at least as common as the term."""
    alt = alternative.strip()
    if not alt or alt.lower().startswith("see ") or gloss_key(alt) == gloss_key(term):
        return False
    return _rarest_zipf(alt) >= _zipf(gloss_key(term))


def _lay_meaning(term: str, alternatives: Sequence[str], source: str) -> Meaning | None:
    kept = [a.strip() for a in dict.fromkeys(alternatives) if _plainer(a, term)][:MAX_LAY_WORDS]
    text = ", ".join(kept)
    if len(text) < 3 or len(text) > MAX_MEANING_CHARS:
        return None
    return Meaning(text, source_name(source))


def _lay_terms(vocab_dir: Path, found: _Candidates) -> None:
    """The CDC thesaurus's everyday words (from both files) and NCI's plain words of
    high confidence."""
    lay: dict[str, list[str]] = {}
    mined: dict[str, list[str]] = {}
    path = vocab_dir / "lay_terms.tsv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                term, plain = (row.get("technical_term") or "").strip(), (row.get("lay_term") or "").strip()
                source, note = row.get("source") or "", row.get("note") or ""
                if not term or not plain:
                    continue
                if source.startswith("CDC"):
                    lay.setdefault(term, []).append(plain)
                elif "confidence=high" in note or "confidence=curated" in note:
                    mined.setdefault(term, []).append(plain)
    for rec in _jsonl(vocab_dir / "lay_definitions.jsonl"):
        if str(rec.get("source", "")).startswith("CDC") and rec.get("term") and rec.get("definition"):
            have = lay.setdefault(str(rec["term"]).strip(), [])
            have.extend(a for a in str(rec["definition"]).split(", ") if a.strip() and a.strip() not in have)
    for term, alternatives in lay.items():
        if (m := _lay_meaning(term, alternatives, "CDC_Plain_Language_Thesaurus")) is not None:
            found.offer(term, m, R_LAY)
    for term, alternatives in mined.items():
        if (m := _lay_meaning(term, alternatives, "NCI_Dictionary_inline_gloss_mined")) is not None:
            found.offer(term, m, R_MINED)


def first_sentence(text: str) -> str | None:
    """The first sentence of a definition, when it is of a glossable length."""
    from curbside.composition.sentences import split_sentences

    sentences = split_sentences(text)
    if not sentences:
        return None
    s = sentences[0].strip()
    if not MIN_MEANING_CHARS <= len(s) <= MAX_MEANING_CHARS:
        return None
    return s


def _definitions(vocab_dir: Path, found: _Candidates) -> None:
    for rec in _jsonl(vocab_dir / "lay_definitions.jsonl"):
        source = str(rec.get("source", ""))
        if source.startswith("CDC"):
            continue  # the thesaurus's everyday words, above
        term, definition = str(rec.get("term") or "").strip(), str(rec.get("definition") or "")
        sentence = first_sentence(definition) if term else None
        if sentence is None:
            continue
        meaning = Meaning(sentence, source_name(source))
        found.offer(term, meaning, R_DEFINITION)
        for other in rec.get("also_called") or ():
            found.offer(str(other), meaning, R_DEFINITION)


# "Key Points - X is ...", "- X is ..." (NCI's PDQ pages open with their key points)
_LEAD = re.compile(r"^(?:key points\s*)?[-–•\s]*", re.I)
_NEXT_POINT = re.compile(r"(?<=[.!?])\s+[-–•]\s+")  # "... cell). - Leukemia may ..."
# "X is a ...", "X (XYZ) is an ...", "X are tumors that ...": a definition, not "X is treated ..."
_DEFINES = re.compile(r"^(?P<subject>[^()]{2,120}?)(?:\s*\([^()]{1,60}\))?\s+"
                      r"(?:is|are)\s+(?P<rest>(?:(?:a|an|the|one|any)\s|(?<=are\s)[a-z]+s\s).*)$")
_QUESTION = re.compile(r"^what (?:is|are) \(are\)\s*(?P<x>.+?)\s*\??$", re.I)
_TRAILING_PARENS = re.compile(r"\s*\([^()]*\)\s*$")


def page_names(question: str, title: str) -> tuple[str, ...]:
    """The names a "What is (are) X ?" page gives X: the question's and the title (a
    trailing "(BPH)" left off)."""
    m = _QUESTION.match(question.strip())
    names = [m.group("x")] if m else []
    return _names([*names, title])


def _names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in (_TRAILING_PARENS.sub("", x).strip() for x in names) if n))


def page_meaning(names: Sequence[str], text: str) -> str | None:
    """What the page's first sentence says X is, when that sentence is "X is ..." about
    one of ``names``: the rest of it ("A condition that causes ..."), else None."""
    defined = page_subject(names, text)
    return defined[1] if defined else None


def page_subject(names: Sequence[str], text: str) -> tuple[str, str] | None:
    """(the name defined, ``page_meaning``) of a page's text."""
    from curbside.composition.sentences import split_sentences

    first_point = _NEXT_POINT.split(_LEAD.sub("", text.strip()), maxsplit=1)[0]
    sentences = split_sentences(first_point)
    if not sentences:
        return None
    m = _DEFINES.match(_LEAD.sub("", sentences[0]))
    by_key = {gloss_key(n): n for n in names}
    if m is None or gloss_key(m.group("subject")) not in by_key:
        return None
    rest = m.group("rest").strip()
    if not rest[:1].islower() or not rest.endswith(".") or not MIN_MEANING_CHARS <= len(rest) <= MAX_MEANING_CHARS:
        return None
    return by_key[gloss_key(m.group("subject"))], rest[0].upper() + rest[1:]


def _page(page: DefinitionPage, found: _Candidates) -> None:
    """The page's definition, for the page's own names (its question's and its title)
    and the name its first sentence defines; a source's synonyms are sometimes related
    topics (MedlinePlus's "Shingles" lists "Postherpetic neuralgia"), so none of them
    gets it otherwise."""
    defined = page_subject((*page.names, *page.synonyms), page.text)
    if defined is None:
        return
    subject, text = defined
    where = f"{page.publisher}: {page.title}" if page.publisher else page.title
    meaning = Meaning(text, where if page.url else f"{where} ({page.doc_id})", page.url)
    for name in dict.fromkeys((*page.names, subject)):
        found.offer(name, meaning, R_PAGE)


def _ontology(vocab_dir: Path, found: _Candidates) -> None:
    """Disease Ontology: a concept's names share the best meaning any of them has (a
    synonym that is another concept's own name is left to that concept: "urinary tract
    infection" is a synonym of "acute cystitis"); a concept none of whose names has one
    is explained by its everyday name, made of everyday words only ("myocardial
    infarction": "heart attack"), else by its own definition's first sentence, when it
    is written in words (no relation names such as "has_material_basis_in")."""
    concepts = list(_jsonl(vocab_dir / "disease_concepts.jsonl"))
    labels = {gloss_key(str(rec.get("name") or "")) for rec in concepts}
    for rec in concepts:
        own = str(rec.get("name") or "")
        names = [own] + [str(s.get("term") or "") for s in rec.get("synonyms") or ()
                         if s.get("scope") == "EXACT" and gloss_key(str(s.get("term") or "")) not in labels]
        # an acronym links nothing: "CLD" is a lung disease and a lactase deficiency
        names = [n for n in names if n.strip() and _cased(n) is None and len(gloss_key(n)) > 5]
        have = [found.best[k] for k in (gloss_key(n) for n in names) if k in found.best]
        direct = [c for c in have if c[0] < R_SYNONYM]
        if direct:
            best = min(direct, key=lambda c: c[0])[1]
            for n in names:
                found.offer(n, best, R_SYNONYM)
            continue
        everyday = max((n for n in names if _rarest_zipf(n) >= TECHNICAL_ZIPF), key=_rarest_zipf, default=None)
        if everyday is not None:
            for n in names:
                if _zipf(gloss_key(n)) < TECHNICAL_ZIPF and not set(gloss_words(everyday)) <= set(gloss_words(n)):
                    found.offer(n, Meaning(everyday, DISEASE_ONTOLOGY), R_EVERYDAY_NAME)
        definition = str(rec.get("def") or "")
        if definition and "_" not in definition and (sentence := first_sentence(definition)):
            for n in names:
                found.offer(n, Meaning(sentence, DISEASE_ONTOLOGY), R_ONTOLOGY)


def _jsonl(path: Path) -> Iterable[dict]:  # type: ignore[type-arg]
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                if isinstance(rec, dict):
                    yield rec


def definition_pages(rows: Iterable[Sequence[str]]) -> Iterable[DefinitionPage]:
    """The store's ``first_answers`` rows (doc_id, title, publisher, url, keywords JSON,
    question, text) as pages."""
    for doc_id, title, publisher, url, keywords, question, text in rows:
        try:
            synonyms = [str(k) for k in json.loads(keywords or "[]")]
        except ValueError:
            synonyms = []
        yield DefinitionPage(doc_id, title, publisher, url or None, page_names(question, title), _names(synonyms),
                             text)
