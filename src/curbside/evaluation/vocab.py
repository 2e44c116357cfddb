"""A disease vocabulary for evaluation, built from the shared open vocabularies:

- Human Disease Ontology terms (``disease_synonyms.tsv``: labels, EXACT / RELATED /
  NARROW synonyms, MeSH headings) -> DOID concepts;
- DO cross-references (``disease_concepts.jsonl``) -> DOID <-> MeSH equivalence, and the
  DO genus in each definition ("A prostate cancer that ...") -> a DO parent;
- MeSH descriptors (``mesh_descriptors_2015.tsv``, diseases C and mental disorders F03)
  -> more terms and the MeSH tree (parent = the tree number one level up).

Terms are keyed by a bag of normalised words, so word order, inversion ("Hypertension,
Pulmonary"), plurals and "of the" wording ("carcinoma of the prostate") do not matter."""

from __future__ import annotations

import csv
import json
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

STOP = frozenset("a an and the of in on or with to by for due caused from at as its".split())
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_PAREN_NOTE = re.compile(r"\s*\((?:disorder|finding|diagnosis|morphologic abnormality|situation|&[^)]*)\)", re.I)
_HYPHEN_NUM = re.compile(r"\b([a-z]+)-\d+\b")  # "hiv-1" -> "hiv", "covid-19" -> "covid"
_WORD = re.compile(r"[a-z0-9]+")
_BREAK = re.compile(r"[.;:!?()\[\]]")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")
_DEF_HEAD = re.compile(r"^(?:an?|the)\s+(.*)$", re.I)
_USE_SCOPES = {"label", "EXACT", "RELATED", "NARROW", "MESH_HEADING_XREF"}
MODIFIER_MIN = 5


def _stem(w: str) -> str:
    if len(w) > 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def norm_words(text: str, *, keep_breaks: bool = False) -> list[str]:
    """Normalised content words; with ``keep_breaks`` a "" marks a clause break."""
    t = _HYPHEN_NUM.sub(r"\1", text.lower().replace("'s", "").replace("\u2019s", ""))
    out: list[str] = []
    for piece in _BREAK.split(t) if keep_breaks else [t]:
        prev = ""
        for w in _WORD.findall(piece):
            if prev == "type" and w in _ROMAN:
                w = _ROMAN[w]
            prev = w
            if w in STOP:
                continue
            out.append(_stem(w))
        if keep_breaks:
            out.append("")
    return out


def bag(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(words))


@dataclass
class DiseaseVocabulary:
    terms: dict[tuple[str, ...], set[str]] = field(default_factory=dict)  # word bag -> node ids
    acronyms: dict[str, set[str]] = field(default_factory=dict)  # "HTN" -> node ids (case-sensitive)
    names: dict[str, str] = field(default_factory=dict)  # node id -> preferred name
    equivalent: dict[str, set[str]] = field(default_factory=dict)  # DOID <-> MESH
    parents: dict[str, set[str]] = field(default_factory=dict)
    modifiers: set[str] = field(default_factory=set)  # words of at least MODIFIER_MIN terms
    max_words: int = 8
    _anc: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)

    # ---- building ---------------------------------------------------------------
    def add_term(self, term: str, node: str) -> None:
        term = _PAREN_NOTE.sub("", term).strip()
        if _ACRONYM.match(term):
            self.acronyms.setdefault(term, set()).add(node)
            return
        words = norm_words(term)
        if not words or len(words) > self.max_words or (len(words) == 1 and len(words[0]) < 4):
            return
        self.terms.setdefault(bag(words), set()).add(node)

    def link(self, a: str, b: str) -> None:
        self.equivalent.setdefault(a, set()).add(b)
        self.equivalent.setdefault(b, set()).add(a)

    @classmethod
    def load(cls, vocab_dir: Path) -> DiseaseVocabulary:
        v = cls()
        syn = vocab_dir / "disease_synonyms.tsv"
        if not syn.exists():
            from curbside.errors import UserInputError

            raise UserInputError(
                f"The disease vocabulary {syn} is missing.",
                fix="Pass --shared-dir (or set CURBSIDE_SHARED_DIR) to the folder holding vocab/.",
            )
        with syn.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                node = row["doid"]
                v.names.setdefault(node, row["preferred_name"])
                if row["term_type"] in _USE_SCOPES:
                    v.add_term(row["term"], node)
                    v.add_term(row["preferred_name"], node)
        concepts = vocab_dir / "disease_concepts.jsonl"
        defs: dict[str, str] = {}
        if concepts.exists():
            with concepts.open(encoding="utf-8") as f:
                for line in f:
                    c = json.loads(line)
                    v.names.setdefault(c["id"], c["name"])
                    v.add_term(c["name"], c["id"])
                    for xs in (c.get("xrefs") or {}).get("MESH", []):
                        for x in re.findall(r"D\d{6,9}", xs):
                            v.link(c["id"], "MESH:" + x)
                    if c.get("def"):
                        defs[c["id"]] = c["def"]
        mesh = vocab_dir / "mesh_descriptors_2015.tsv"
        if mesh.exists():
            v._load_mesh(mesh)
        v._parents_from_definitions(defs)
        counts: dict[str, int] = {}
        for key in v.terms:
            for w in set(key):
                counts[w] = counts.get(w, 0) + 1
        v.modifiers = {w for w, n in counts.items() if n >= MODIFIER_MIN}
        return v

    def _load_mesh(self, path: Path) -> None:
        by_tree: dict[str, str] = {}
        trees: dict[str, list[str]] = {}
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                tns = [t for t in (row.get("tree_numbers") or "").split("|") if t]
                if not any(t.startswith(("C", "F03")) for t in tns):
                    continue
                node = "MESH:" + row["mesh_id"]
                self.names.setdefault(node, row["mesh_heading"])
                self.add_term(row["mesh_heading"], node)
                if row.get("heading_uninverted"):
                    self.add_term(row["heading_uninverted"], node)
                trees[node] = tns
                for t in tns:
                    by_tree[t] = node
        for node, tns in trees.items():
            for t in tns:
                if "." in t and (p := by_tree.get(t.rsplit(".", 1)[0])):
                    self.parents.setdefault(node, set()).add(p)

    def _parents_from_definitions(self, defs: dict[str, str]) -> None:
        """The DO genus: "A <parent name> that ..." names the parent concept."""
        by_name = {bag(norm_words(n)): node for node, n in self.names.items() if node.startswith("DOID:")}
        for node, d in defs.items():
            m = _DEF_HEAD.match(d.strip())
            if not m:
                continue
            words = norm_words(" ".join(m.group(1).split()[: self.max_words + 4]))
            for n in range(min(len(words), self.max_words), 0, -1):
                p = by_name.get(bag(words[:n]))
                if p is not None and p != node:
                    self.parents.setdefault(node, set()).add(p)
                    break

    # ---- reading ----------------------------------------------------------------
    def closure(self, nodes: set[str] | frozenset[str]) -> set[str]:
        """The nodes with the concepts they are cross-referenced to (DOID <-> MeSH), one
        hop only: a chain of loose cross-references would join unrelated diseases."""
        out = set(nodes)
        for n in nodes:
            out |= self.equivalent.get(n, set())
        return out

    def ancestors(self, node: str) -> dict[str, int]:
        """Every ancestor with its distance in parent steps (equivalence costs nothing)."""
        if node in self._anc:
            return self._anc[node]
        dist: dict[str, int] = {n: 0 for n in self.closure({node})}
        queue = deque(dist)
        while queue:
            n = queue.popleft()
            for p in self.parents.get(n, ()):
                for q in self.closure({p}):
                    if q not in dist:
                        dist[q] = dist[n] + 1
                        queue.append(q)
        anc = {n: d for n, d in dist.items() if d > 0}
        self._anc[node] = anc
        return anc

    def name(self, node: str) -> str:
        return self.names.get(node, node)
