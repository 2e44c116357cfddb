"""Condition mentions: longest match against the Human Disease Ontology's names and
synonyms (plus the CDC plain-language names of those diseases: "high blood pressure" ->
hypertension), reported with the concept's preferred name and DOID id.

Short and ambiguous terms are guarded: an acronym of two or three letters ("MS", "HTN")
counts only when the question writes it in capitals, and a term that is an everyday
English word ("cold" is an acronym of COPD in the ontology) never counts on its own.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from curbside.types import ConditionMention
from curbside.understanding import vocabfile
from curbside.understanding.fuzzy import FuzzyIndex
from curbside.understanding.normalize import ENGLISH_WORDS, term_key, token_spans
from curbside.understanding.vocabfile import split

FORMAT = "curbside.conditions"
VERSION = 3  # 2: synonyms are "|"-joined strings; 3: a misspelling index
MAX_NGRAM = 8
FUZZY_MIN = 6  # shorter words are never read as misspelt condition names
# Scope of a synonym, most trusted first.
_SCOPE_RANK = {"label": 0, "EXACT": 1, "MESH_HEADING_XREF": 2, "LAY": 3, "RELATED": 4}
# Terms too general to be a condition the question is about.
_TOO_GENERAL = frozenset(
    "disease diseases disorder disorders syndrome syndromes condition conditions illness "
    "sickness infection infections lesion lesions".split()
)
_ANNOTATION_RE = re.compile(
    r"\s*\((?:&|disorder|finding|morphologic abnormality)[^)]*\)|\s*\[[^\]]*\]"
)


@dataclass(frozen=True, slots=True)
class ConditionSpan:
    start: int
    end: int
    mention: ConditionMention


def _clean(term: str) -> str:
    """"High blood pressure (& [essential hypertension])" -> "High blood pressure"."""
    return _ANNOTATION_RE.sub("", term).replace("|", "/").strip()


class ConditionMatcher:
    def __init__(self, ids: Sequence[str], names: Sequence[str],
                 terms: Mapping[str, int | str], acronyms: Iterable[str],
                 synonyms: Sequence[Sequence[str] | str], fuzzy: FuzzyIndex | None = None,
                 medical_terms: Iterable[str] = (), medical_words: Iterable[str] = ()) -> None:
        self._ids = list(ids)
        self._names = list(names)
        self._terms = dict(terms)  # term key -> concept index (int or its str)
        self._acronyms = frozenset(acronyms)  # term keys matched only when written in capitals
        self._synonyms = list(synonyms)  # per concept: a sequence, or "|"-joined as saved
        self._by_id = {cid: i for i, cid in enumerate(self._ids)}
        self.max_ngram = max((k.count(" ") + 1 for k in self._terms), default=1)
        if fuzzy is None:
            fuzzy = FuzzyIndex.build(
                k for k in self._terms
                if len(k) >= FUZZY_MIN and k.isalpha() and k not in ENGLISH_WORDS
                and k not in self._acronyms
            )
        self._fuzzy = fuzzy
        # term keys of medicine beyond diseases (MeSH anatomy, drugs, procedures,
        # physiology, psychiatry, health care; the CDC plain-language names of them)
        self.medical_terms = frozenset(medical_terms)
        self.medical_words = frozenset(medical_words)
        self.max_medical_ngram = max((k.count(" ") + 1 for k in self.medical_terms), default=1)

    def __len__(self) -> int:
        return len(self._terms)

    def synonyms(self, concept_id: str) -> tuple[str, ...]:
        """The preferred name and every synonym of a concept (empty when unknown)."""
        i = self._by_id.get(concept_id)
        if i is None:
            return ()
        syns = self._synonyms[i]
        return tuple(syns.split("|")) if isinstance(syns, str) else tuple(syns)

    def name(self, concept_id: str) -> str | None:
        i = self._by_id.get(concept_id)
        return self._names[i] if i is not None else None

    def medical_spans(self, text: str) -> list[str]:
        """The medical vocabulary terms (medical_terms) a text contains, longest first."""
        toks = [t for t, _, _ in token_spans(text)]
        found: list[str] = []
        i, n = 0, len(toks)
        while i < n:
            for size in range(min(self.max_medical_ngram, n - i), 0, -1):
                key = " ".join(toks[i:i + size])
                if size == 1 and key not in self.medical_terms:
                    key = _singular(key)
                if key in self.medical_terms:
                    found.append(key)
                    i += size
                    break
            else:
                i += 1
        return found

    def medical_word_hits(self, text: str) -> list[str]:
        """The words of the text that are words of medical names (medical_words)."""
        out = []
        for tok, _, _ in token_spans(text):
            if tok in self.medical_words or _singular(tok) in self.medical_words:
                out.append(tok)
        return out

    def fuzzy_match(self, token: str) -> tuple[int, int] | None:
        """(concept index, edits) of the condition a misspelt one-word name means
        ("chylamdia" -> chlamydia, "migranes" -> migraine), or None when none or several
        are as near. The caller keeps ordinary words away (see find_spans)."""
        if len(token) < FUZZY_MIN or not token.isalpha() or token in ENGLISH_WORDS:
            return None
        for t in (token, token[:-1]) if token.endswith("s") else (token,):
            found = self._fuzzy.candidates(t) or self._fuzzy.loose_candidates(t)
            if found:
                top = {int(self._terms[n]) for d, n in found if d == found[0][0]}
                return (top.pop(), found[0][0]) if len(top) == 1 else None
        return None

    def fuzzy_lookup(self, token: str) -> int | None:
        """The concept index of fuzzy_match, or None."""
        found = self.fuzzy_match(token)
        return found[0] if found is not None else None

    def find_spans(self, text: str, is_word: Callable[[str], bool] | None = None) -> list[ConditionSpan]:
        """Every condition named, left to right. With ``is_word`` (true for real words of
        any vocabulary), a one-word name that is no such word may be a misspelt
        condition name (fuzzy_lookup); a plural ("migraines") is read as its singular."""
        spans = token_spans(text)
        toks = [t for t, _, _ in spans]
        out: list[ConditionSpan] = []
        seen: set[int] = set()
        i, n = 0, len(toks)
        while i < n:
            size = min(self.max_ngram, n - i)
            key = ""
            while size:
                key = " ".join(toks[i:i + size])
                if size > 1 and key not in self._terms and key.endswith("s"):
                    key = _singular(key)  # "sinus infections", "heart arrhythmias"
                if key in self._terms and (
                    key not in self._acronyms or text[spans[i][1]:spans[i][2]].isupper()
                ):
                    break
                size -= 1
            if not size:
                tok = toks[i]
                idx, kind = None, "term"
                if tok.endswith("s") and len(tok) >= 5 and tok[:-1] in self._terms \
                        and tok[:-1] not in self._acronyms:
                    idx = int(self._terms[tok[:-1]])
                elif is_word is not None and not is_word(tok):
                    idx, kind = self.fuzzy_lookup(tok), "fuzzy"
                if idx is None or idx in seen:
                    i += 1
                    continue
                seen.add(idx)
                mention = ConditionMention(text[spans[i][1]:spans[i][2]], self._names[idx], self._ids[idx], kind)
                out.append(ConditionSpan(spans[i][1], spans[i][2], mention))
                i += 1
                continue
            idx = int(self._terms[key])
            if idx not in seen:
                seen.add(idx)
                start, end = spans[i][1], spans[i + size - 1][2]
                mention = ConditionMention(text[start:end], self._names[idx], self._ids[idx])
                out.append(ConditionSpan(start, end, mention))
            i += size
        return out

    def find(self, text: str) -> tuple[ConditionMention, ...]:
        """The conditions a question names, longest match first, each concept once."""
        return tuple(s.mention for s in self.find_spans(text))

    # ---------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """One JSON object of mostly "|"-joined strings, quick to load (see lexicon.py)."""
        keys = list(self._terms)
        vocabfile.write(path, FORMAT, VERSION, {
            "ids": "|".join(self._ids), "names": "|".join(self._names),
            "terms": "|".join(keys), "concepts": "|".join(str(self._terms[k]) for k in keys),
            "acronyms": "|".join(sorted(self._acronyms)),
            "synonyms": ["|".join(self.synonyms(cid)) for cid in self._ids],
            "fuzzy_names": "|".join(self._fuzzy.names), "fuzzy_index": self._fuzzy.blobs,
            "medical_terms": "|".join(sorted(self.medical_terms)),
            "medical_words": "|".join(sorted(self.medical_words)),
        })

    @classmethod
    def load(cls, path: Path) -> ConditionMatcher:
        data = vocabfile.read(path, FORMAT, VERSION, "condition vocabulary")
        terms = dict(zip(split(data, "terms"), split(data, "concepts")))
        fuzzy = FuzzyIndex(split(data, "fuzzy_names"), data["fuzzy_index"])
        return cls(split(data, "ids"), split(data, "names"), terms, split(data, "acronyms"),
                   data["synonyms"], fuzzy, split(data, "medical_terms"), split(data, "medical_words"))

    # ---------------------------------------------------------------- building
    @classmethod
    def build(cls, vocab_dir: Path, name_groups: Iterable[Sequence[str]] = ()) -> ConditionMatcher:
        """Read disease_synonyms.tsv (or disease_concepts.jsonl when the TSV is absent),
        the curated plain-language names of lay_terms.tsv and the "also called" names of
        lay_definitions.jsonl from ``vocab_dir``; ``name_groups`` are other names of one
        topic from the corpus (a MedQuAD page's focus and synonyms: "Gastroenteritis",
        "Stomach flu"), used when exactly one of them is a disease name."""
        rows = list(_ontology_rows(vocab_dir))
        concept_names: dict[str, str] = {}
        for cid, name, _, _ in rows:
            concept_names.setdefault(cid, name.replace("|", "/"))
        by_term: dict[str, str] = {}
        for scope in ("label", "EXACT", "MESH_HEADING_XREF"):
            for cid, _, t, sc in rows:
                if sc == scope:
                    by_term.setdefault(term_key(_clean(t)), cid)
        rows.extend(_lay_rows(vocab_dir, by_term, concept_names))
        rows.extend(_also_called_rows(vocab_dir, by_term, concept_names))
        rows.extend(_group_rows(name_groups, by_term, concept_names))

        ids = sorted(concept_names)
        index = {cid: i for i, cid in enumerate(ids)}
        synonyms: list[list[str]] = [[concept_names[cid]] for cid in ids]
        best: dict[str, tuple[tuple[int, int, int], int]] = {}
        acronyms: set[str] = set()
        for cid, _, raw, scope in rows:
            term = _clean(raw)
            if scope == "MESH_HEADING_XREF" and term.count(",") == 1:
                head, qualifier = term.split(",")
                term = f"{qualifier.strip()} {head.strip()}"  # "Influenza, Human"
            key = term_key(term)
            i = index[cid]
            if term and term.lower() not in {s.lower() for s in synonyms[i]}:
                synonyms[i].append(term)
            if not key or scope not in _SCOPE_RANK or not _usable(key):
                continue
            if " " not in key:
                if term.isupper() and (len(key) <= 3 or key in ENGLISH_WORDS):
                    acronyms.add(key)  # "MS", "AIDS": only as acronyms written in capitals
                elif key in ENGLISH_WORDS or len(key) <= 2:
                    continue
            rank = (_SCOPE_RANK[scope], 0 if key == term_key(concept_names[cid]) else 1, i)
            for variant in _variants(key):
                if variant not in best or rank < best[variant][0]:
                    best[variant] = (rank, i)
        terms = {k: i for k, (_, i) in best.items()}
        medical_terms, medical_words = _medical_terms(vocab_dir)
        return cls(ids, [concept_names[c] for c in ids], terms, acronyms, synonyms,
                   medical_terms=medical_terms, medical_words=medical_words)


def _usable(key: str) -> bool:
    words = key.split()
    if len(words) > MAX_NGRAM or all(w.isdigit() for w in words):
        return False
    if len(words) == 1:
        w = words[0]
        return len(w) >= 2 and w not in _TOO_GENERAL
    return True


def _variants(key: str) -> list[str]:
    """The key, and "non alcoholic" for "nonalcoholic" (and back), as people write both."""
    out = [key]
    words = key.split()
    joined = " ".join(
        w[:3] + " " + w[3:] if w.startswith("non") and len(w) > 6 else w for w in words
    )
    if joined != key:
        out.append(joined)
    if "non " in key:
        out.append(key.replace("non ", "non"))
    return out


def _ontology_rows(vocab_dir: Path) -> Iterable[tuple[str, str, str, str]]:
    """(DOID, preferred name, term, scope) for every name and synonym."""
    tsv = vocab_dir / "disease_synonyms.tsv"
    if tsv.exists():
        with tsv.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                yield row["doid"], row["preferred_name"], row["term"], row["term_type"]
        return
    jsonl = vocab_dir / "disease_concepts.jsonl"
    if jsonl.exists():
        with jsonl.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                yield rec["id"], rec["name"], rec["name"], "label"
                for syn in rec.get("synonyms") or ():
                    yield rec["id"], rec["name"], syn["term"], syn.get("scope", "RELATED")


_CALLED_RE = re.compile(r"\b(?:also|sometimes|often|commonly) called ([^.;()]+)", re.IGNORECASE)
_LEADING = frozenset("a an the of in on to for with by from".split())
_NAME_SPLIT_RE = re.compile(r",\s*(?:and |or )?|\s+(?:and|or)\s+")


def _group_rows(groups: Iterable[Sequence[str]], by_term: dict[str, str],
                names: dict[str, str]) -> Iterable[tuple[str, str, str, str]]:
    """The names of a group that are no disease name yet, as names of the one disease
    the group names ("Stomach flu" of "Gastroenteritis"); nothing for a group naming
    none or several ("Cholesterol": "HDL", "Hypercholesterolemia", "Hyperlipidemia")."""
    for group in groups:
        keys = [term_key(_clean(g)) for g in group]
        cids = {by_term[k] for k in keys if k in by_term}
        if len(cids) != 1:
            continue
        cid = cids.pop()
        for g, key in zip(group, keys):
            if key and key not in by_term and (len(key.split()) >= 2 or len(key) >= 6):
                yield cid, names[cid], g, "LAY"


def _also_called_rows(vocab_dir: Path, by_term: dict[str, str],
                      names: dict[str, str]) -> Iterable[tuple[str, str, str, str]]:
    """Other names of diseases from the patient dictionaries (lay_definitions.jsonl):
    its "also called" names, and those its definition gives ("Also called pinkeye."),
    of an entry whose term or any of whose names is a disease name of the ontology
    ("decubitus ulcer": "bedsore", "pressure sore")."""
    path = vocab_dir / "lay_definitions.jsonl"
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec.get("source", "").startswith("CDC"):
                continue  # plain-language rewordings, read from lay_terms.tsv
            group = [rec.get("term") or "", *(rec.get("also_called") or ())]
            for m in _CALLED_RE.finditer(rec.get("definition") or ""):
                group.extend(n for n in _NAME_SPLIT_RE.split(m.group(1).strip())
                             if len(n.split()) >= 2 and n.split()[0].lower() not in _LEADING)
            cids = {by_term[k] for k in (term_key(_clean(g)) for g in group) if k in by_term}
            if len(cids) != 1:
                continue  # no disease, or names of several: not synonyms of one
            cid = cids.pop()
            for g in group:
                key = term_key(_clean(g))
                if key and key not in by_term and (len(key.split()) >= 2 or len(key) >= 6):
                    yield cid, names[cid], g, "LAY"


def _lay_rows(vocab_dir: Path, by_term: dict[str, str],
              names: dict[str, str]) -> Iterable[tuple[str, str, str, str]]:
    """Plain-language names (CDC thesaurus, curated or high confidence) of diseases whose
    technical name is an ontology label: "hypertension" -> "high blood pressure"."""
    path = vocab_dir / "lay_terms.tsv"
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            note = row.get("note") or ""
            if not (note.startswith("confidence=curated") or note.startswith("confidence=high")):
                continue
            cid = by_term.get(term_key(row.get("technical_term") or ""))
            lay = row.get("lay_term") or ""
            if cid and len(term_key(lay).split()) >= 2:
                yield cid, names[cid], lay, "LAY"


# MeSH tree branches of medicine: anatomy, bacteria, viruses, fungi, diseases, chemicals
# and drugs, techniques, psychiatry, biological phenomena (not physical and chemical
# ones: "Moon", "Planets"), health care (not population characteristics); not organisms
# in general, geography, humanities, information science, named groups, technology.
_MEDICAL_TREES = ("A", "B03", "B04", "B05", "C", "D", "E", "F",
                  *(f"G{i:02d}" for i in range(3, 17)), "N02", "N03", "N04", "N05", "N06")


def _singular(key: str) -> str:
    """"ointments" -> "ointment", "nipples" -> "nipple" (the last word; a rough rule)."""
    if key.endswith("ies") and len(key) > 5:
        return key[:-3] + "y"
    if key.endswith("s") and not key.endswith(("ss", "us", "is")) and len(key) > 4:
        return key[:-1]
    return key


def _medical_terms(vocab_dir: Path) -> tuple[set[str], set[str]]:
    """(terms, words): term keys of MeSH headings in the medical branches and the CDC
    plain-language names of such headings ("belly" for abdomen); and the words of
    anatomy, disease and psychiatry headings and of disease names that no heading of a
    non-medical branch uses ("herpes", "nipple"; not "planet"). One-word terms that are
    everyday English words ("water", "time") are left out: they say nothing about whether
    a question is medical."""
    out: set[str] = set()
    words: set[str] = set()  # the words of anatomy, disease, psychiatry and disease names
    other: set[str] = set()
    path = vocab_dir / "mesh_descriptors_2015.tsv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                trees = [t for t in (row.get("tree_numbers") or "").split("|") if t]
                if any(t.startswith(_MEDICAL_TREES) for t in trees):
                    for name in (row.get("mesh_heading"), row.get("heading_uninverted")):
                        key = term_key(_clean(name or ""))
                        if key and len(key.split()) <= MAX_NGRAM:
                            out.add(key)
                            out.add(_singular(key))
                            if any(t.startswith(("A", "C", "F")) for t in trees):
                                words.update(key.split())
                else:  # words of other branches have other senses ("planets", "population")
                    for name in (row.get("mesh_heading"), row.get("heading_uninverted")):
                        other.update(term_key(_clean(name or "")).split())
    for _cid, _, term, _ in _ontology_rows(vocab_dir):
        words.update(term_key(_clean(term)).split())
    words -= other
    words = {w for w in words if len(w) >= 4 and w.isalpha()}
    words |= {_singular(w) for w in words if len(w) >= 5}
    path = vocab_dir / "lay_terms.tsv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        for row in rows:
            if term_key(row.get("technical_term") or "") in out:
                key = term_key(row.get("lay_term") or "")
                if key and len(key.split()) <= MAX_NGRAM:
                    out.add(key)
    terms = {k for k in out if " " in k or (k not in ENGLISH_WORDS and len(k) > 2)}
    return terms, words - terms - ENGLISH_WORDS
