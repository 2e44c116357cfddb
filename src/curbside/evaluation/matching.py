"""Does a text state a gold indication? Concept matching over the Disease Ontology and
MeSH (see ``vocab.py``), with a plain-words fallback.

A gold indication matches a text when a disease mention found in the text is

1. the same concept (same DOID or MeSH descriptor, or cross-referenced as the same);
2. narrower: a descendant of the gold concept, at most ``NARROWER_MAX`` steps down
   (the label names a kind of the gold disease: "prostate carcinoma" for "prostate
   cancer"), provided the gold concept is not a near-root category ("cancer");
3. broader by one step: the direct parent of the gold concept ("HIV infection" for
   "acquired immunodeficiency syndrome"), provided the parent is not a near-root
   category; or
4. words, only for a gold term that is not itself a vocabulary term (MEDI-HPS's ICD
   wording): every content word of it occurs within a short window of one clause.

Mentions are maximal: a term inside a longer term ("hypertension" in "pulmonary arterial
hypertension") is not a mention of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from curbside.evaluation.vocab import DiseaseVocabulary, bag, norm_words

NARROWER_MAX = 4
BROADER_MAX = 1
# levels above the more general concept of a match, at least: 2 keeps out "cancer" or
# "disease" for a narrower match; a broader match must name a specific parent
NARROWER_MIN_DEPTH = 2
BROADER_MIN_DEPTH = 3
WINDOW_SLACK = 3  # extra words allowed between the words of a gold term
_ICD_NOISE = re.compile(
    r"\b(?:nos|unspecified|other specified|other and unspecified|other|not elsewhere classified|"
    r"without mention of complication|not stated as uncontrolled|episode of care|site)\b",
    re.I,
)
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_CAPS = re.compile(r"\b[A-Z][A-Z0-9]{1,5}\b")


@dataclass(frozen=True, slots=True)
class Mention:
    text: str  # the words as normalised
    nodes: frozenset[str]
    start: int  # word offsets; -1 for an acronym (matched case-sensitively, same concept only)
    end: int


@dataclass(frozen=True, slots=True)
class GoldTerm:
    text: str
    nodes: frozenset[str]
    words: tuple[str, ...]
    resolved_by: str  # "term" | "terms in text" | "unresolved"


@dataclass(frozen=True, slots=True)
class Match:
    how: str  # "same concept" | "narrower" | "broader" | "words"
    mention: str  # what in the text matched (concept name or words)
    text: str  # the text (statement or passage) that matched, cut to 300 characters


class IndicationMatcher:
    def __init__(self, vocab: DiseaseVocabulary) -> None:
        self.vocab = vocab
        self._mentions: dict[str, list[Mention]] = {}
        self._gold: dict[str, GoldTerm] = {}
        self._depth: dict[str, int] = {}

    @classmethod
    def load(cls, vocab_dir: Path) -> IndicationMatcher:
        return cls(DiseaseVocabulary.load(vocab_dir))

    # ---- finding concepts ---------------------------------------------------------
    def mentions(self, text: str) -> list[Mention]:
        """Every vocabulary term in the text (nested ones too), scanned within clauses."""
        if text in self._mentions:
            return self._mentions[text]
        words = norm_words(text, keep_breaks=True)
        out: list[Mention] = []
        n_max = self.vocab.max_words
        for i in range(len(words)):
            if not words[i]:
                continue
            for n in range(1, n_max + 1):
                span = words[i : i + n]
                if len(span) < n or "" in span:
                    break
                nodes = self.vocab.terms.get(bag(span))
                if not nodes and 3 <= n <= 5:  # one extra disease-vocabulary modifier inside
                    for j in range(1, n - 1):  # a term: "pulmonary [arterial] hypertension"
                        if span[j] not in self.vocab.modifiers:  # not "chronic [treatment of] asthma"
                            continue
                        nodes = self.vocab.terms.get(bag(span[:j] + span[j + 1 :]))
                        if nodes:
                            break
                if nodes:
                    out.append(Mention(" ".join(span), frozenset(nodes), i, i + n))
        out = _maximal(out)
        for m in _CAPS.finditer(text):
            nodes = self.vocab.acronyms.get(m.group(0))
            if nodes:
                out.append(Mention(m.group(0), frozenset(nodes), -1, -1))
        if len(self._mentions) < 200_000:
            self._mentions[text] = out
        return out

    def resolve(self, gold: str) -> GoldTerm:
        """The concepts a gold indication names. ICD-style wording (MEDI-HPS: "Hypertension
        NOS", "...; unspecified site") is cleaned first; a term not in the vocabulary takes
        the longest vocabulary terms found inside it."""
        if gold in self._gold:
            return self._gold[gold]
        head = gold.split(";")[0]
        candidates = [gold, head, _ICD_NOISE.sub(" ", _BRACKETS.sub(" ", head))]
        words = tuple(w for w in norm_words(candidates[-1]) if w)
        result: GoldTerm | None = None
        for c in candidates:
            nodes: set[str] | frozenset[str] | None = (self.vocab.terms.get(bag(norm_words(c)))
                                                       or self.vocab.acronyms.get(c.strip()))
            if nodes:
                result = GoldTerm(gold, frozenset(nodes), words, "term")
                break
        if result is None:
            ms = [m for m in self.mentions(candidates[-1]) if m.start >= 0]
            if ms:
                longest = max(m.end - m.start for m in ms)
                within = frozenset(n for m in ms if m.end - m.start == longest for n in m.nodes)
                result = GoldTerm(gold, within, words, "terms in text")
            else:
                result = GoldTerm(gold, frozenset(), words, "unresolved")
        self._gold[gold] = result
        return result

    # ---- matching -------------------------------------------------------------------
    def depth(self, node: str) -> int:
        if node not in self._depth:
            self._depth[node] = max(self.vocab.ancestors(node).values(), default=0)
        return self._depth[node]

    def relation(self, gold: GoldTerm, mention: Mention) -> str | None:
        g = self.vocab.closure(set(gold.nodes))
        m = self.vocab.closure(set(mention.nodes))
        if g & m:
            return "same concept"
        if mention.start < 0:  # an acronym is too ambiguous to follow up or down the tree
            return None
        for node in mention.nodes:
            anc = self.vocab.ancestors(node)
            if any(anc.get(x, 99) <= NARROWER_MAX and self.depth(x) >= NARROWER_MIN_DEPTH for x in g):
                return "narrower"
        for node in gold.nodes:
            anc = self.vocab.ancestors(node)
            if any(anc.get(x, 99) <= BROADER_MAX and self.depth(x) >= BROADER_MIN_DEPTH for x in m):
                return "broader"
        return None

    def match_text(self, gold: GoldTerm, text: str) -> Match | None:
        if gold.nodes:
            for mention in self.mentions(text):
                how = self.relation(gold, mention)
                if how:
                    name = self.vocab.name(sorted(mention.nodes)[0])
                    return Match(how, f"{mention.text} ({name})", text[:300])
        if gold.resolved_by != "term" and gold.words and _window(gold.words, norm_words(text, keep_breaks=True)):
            return Match("words", " ".join(gold.words), text[:300])
        return None

    def match(self, gold: GoldTerm, texts: Sequence[str]) -> Match | None:
        """The first text that states the gold indication; concept matches are preferred
        over word matches across all texts."""
        found: Match | None = None
        for t in texts:
            m = self.match_text(gold, t)
            if m is not None and m.how != "words":
                return m
            found = found or m
        return found


def _maximal(ms: list[Mention]) -> list[Mention]:
    """Drop mentions inside a longer one ("hypertension" in "pulmonary arterial
    hypertension" is not a mention of hypertension)."""
    def inside_longer(m: Mention) -> bool:
        return any(o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start) for o in ms)

    return [m for m in ms if not inside_longer(m)]


def _window(needles: Sequence[str], words: Sequence[str]) -> bool:
    """All ``needles`` occur within one clause, in a window of len(needles)+slack words."""
    need = set(needles)
    width = len(need) + WINDOW_SLACK
    positions = [i for i, w in enumerate(words) if w in need]
    for a in positions:
        seen = set()
        for i in range(a, min(a + width, len(words))):
            if words[i] == "":
                break
            if words[i] in need:
                seen.add(words[i])
        if seen == need:
            return True
    return False
