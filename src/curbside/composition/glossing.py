"""Glosses for patient answers: the technical words of each statement explained in
everyday words, beside the quote (issue #11).

A gloss is data next to a statement (``Statement.glosses``), never part of its text:
the statement stays a verbatim quote (verify.py checks the text alone), the gloss names
its own source. Terms come from the glossary built at ingest (understanding/glossary.py).

Matching: words of letters and digits, compared in lower case (an acronym as written);
at each word the longest glossary term wins; a term's words may be joined by spaces,
hyphens or apostrophes only (never across a comma or full stop), and a term is never a
part of a hyphenated word; a plural or an "-ed" form also finds its term ("spasms",
"contraindicated" -> "contraindication"). Each term is explained once per article, at
its first statement in page order, and a statement carries at most
``MAX_PER_STATEMENT`` glosses, the first in reading order. The article's own drugs are
not glossed. About 0.1 ms a statement (BENCHMARKS.md, Glossary).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from functools import lru_cache

from curbside.types import Article, Gloss, Statement
from curbside.understanding.glossary import Entry, Glossary, gloss_key

MAX_PER_STATEMENT = 3
_WORD = re.compile(r"[^\W_]+")
_JOINS = re.compile(r"[\s\-‐‑'’]+")  # what may stand between the words of one term
_HYPHENS = frozenset("-‐‑")


@lru_cache(maxsize=8192)
def variants(word: str) -> tuple[str, ...]:
    """Forms a term may be listed under: the singular of a plural, the noun in -ion of
    an -ed form ("contraindicated" -> "contraindication"). Not a verb's base form: the
    everyday words of "elevate" ("raise, lift") do not explain "elevated"."""
    if len(word) <= 4 or not word.isalpha():
        return ()
    out: list[str] = []
    if word.endswith("ies"):
        out.append(word[:-3] + "y")
    if word.endswith("es"):
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        out.append(word[:-1])
    if word.endswith("ed"):
        out.append(word[:-2] + "ion")
    return tuple(out)


class Matcher:
    """A glossary's terms ready for matching: each plural term also under its singular,
    and the word prefixes of all terms, so that a term is extended a word at a time
    only while some term starts so."""

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self.aliases: dict[str, str] = {}
        for key in glossary.keys():
            head, _, last = key.rpartition(" ")
            for v in variants(last):
                alias = f"{head} {v}" if head else v
                if alias not in glossary:
                    self.aliases.setdefault(alias, key)
        self.prefixes: set[str] = set()  # every proper word prefix of a term ("acute myeloid")
        self.first_words: set[str] = set()
        for key in (*glossary.keys(), *self.aliases):
            words = key.split(" ")
            self.first_words.add(words[0])
            for k in range(1, len(words)):
                self.prefixes.add(" ".join(words[:k]))

    def _key(self, key: str) -> str | None:
        if key in self.glossary:
            return key
        return self.aliases.get(key)

    def _term(self, head: str, last: str) -> str | None:
        """The glossary key of the words ``head`` + ``last`` (``head`` may be "")."""
        found = self._key(f"{head} {last}" if head else last)
        if found is not None:
            return found
        for v in variants(last):
            found = self._key(f"{head} {v}" if head else v)
            if found is not None:
                return found
        return None

    def _starts(self, word: str) -> bool:
        if word in self.first_words:
            return True
        return any(v in self.first_words for v in variants(word))

    def find(self, text: str) -> list[tuple[int, int, Entry]]:
        """(start, end, entry) of each glossary term in ``text``, in order, longest first
        at each word, not overlapping."""
        low = text.lower()
        if len(low) != len(text):  # a letter whose lower case is longer ("İ"): offsets per word
            low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
        words = list(_WORD.finditer(low))
        out: list[tuple[int, int, Entry]] = []
        i, n = 0, len(words)
        while i < n:
            m = words[i]
            start = m.start()
            # a term is never a part of a hyphenated word ("Taybi syndrome" in "Rubinstein-Taybi syndrome")
            if not self._starts(m.group()) or (i and low[words[i - 1].end():start] in _HYPHENS):
                i += 1
                continue
            best: tuple[int, Entry] | None = None
            head, k = "", 0  # words i .. i+k-1 joined: a prefix of some term
            while True:
                w = words[i + k]
                gap = low[w.end():words[i + k + 1].start()] if i + k + 1 < n else ""
                if gap not in _HYPHENS and (key := self._term(head, w.group())) is not None:
                    entry = self.glossary.get(key)
                    if entry is not None and (entry.cased is None or text[start:w.end()] == entry.cased):
                        best = (k + 1, entry)
                head = f"{head} {w.group()}" if head else w.group()
                k += 1
                if i + k >= n or head not in self.prefixes or _JOINS.fullmatch(gap) is None:
                    break
            if best is None:
                i += 1
                continue
            size, entry = best
            out.append((start, words[i + size - 1].end(), entry))
            i += size
        return out


def gloss_article(article: Article, glossary: Glossary | Matcher, *, skip_terms: Iterable[str] = ()) -> Article:
    """``article`` with the glosses of its statements (a new Article; the statements'
    texts, quotes and citations unchanged). ``skip_terms`` are names not to explain
    (besides the article's own drugs: their names, generics, and every name the
    glossary knows as theirs). A term whose meaning the article already says word for
    word is not explained again."""
    m = glossary if isinstance(glossary, Matcher) else Matcher(glossary)
    skip = {gloss_key(t) for t in skip_terms}
    for d in article.drugs:
        skip.update((gloss_key(d.text), gloss_key(d.generic)))
    skip.discard("")
    said = " ".join(" ".join(s.text.split()).lower() for s in article.statements())
    seen: set[str] = set()  # terms and meanings explained already

    def glossed(st: Statement) -> Statement:
        out: list[Gloss] = []
        for start, end, entry in m.find(st.text):
            if len(out) >= MAX_PER_STATEMENT:
                break
            meaning = entry.meaning
            if entry.key in skip or (entry.drug and gloss_key(entry.drug) in skip):
                continue
            if entry.key in seen or meaning.text in seen:
                continue
            if " ".join(meaning.text.split()).lower().rstrip(".") in said:
                continue
            seen.update((entry.key, meaning.text))
            out.append(Gloss(st.text[start:end], meaning.text, meaning.source, meaning.url))
        if not out and not st.glosses:
            return st
        return dataclasses.replace(st, glosses=tuple(out))

    summary = tuple(glossed(s) for s in article.summary)
    sections = tuple(
        dataclasses.replace(sec, statements=tuple(glossed(s) for s in sec.statements)) for sec in article.sections
    )
    bottom = tuple(glossed(s) for s in article.bottom_line)
    return dataclasses.replace(article, summary=summary, sections=sections, bottom_line=bottom)
