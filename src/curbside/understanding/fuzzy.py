"""Misspelling lookup: a symmetric-deletion index (SymSpell-style) over a fixed name list.

A misspelt name keeps its first letter, so names are partitioned by it. Within a
partition, the deletions (1 edit for names of 5-7 letters, 2 for 8 or more) of the
``PREFIX`` letters after the first are stored; a query's deletions (up to 2) of its own
are looked up and the candidates verified by optimal-string-alignment distance on the
whole word. The prefix keeps the index small and loses nothing: two words within d edits
have prefixes that meet within d deletions each.

Each partition is stored as one text blob ("deletion:ids|deletion:ids|..."): loading the index
costs nothing but reading strings, and a partition becomes a dict on its first lookup.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

PREFIX = 7
MAX_EDITS = 2


def allowed_edits(word: str) -> int:
    """Edits tolerated in a misspelt name: none under 5 letters, 1 for 5-7, 2 for 8+."""
    return 0 if len(word) < 5 else 1 if len(word) <= 7 else 2


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance (adjacent transpositions count once),
    computed in a band of width ``limit``; ``limit + 1`` means "more than limit"."""
    la, lb = len(a), len(b)
    over = limit + 1
    if abs(la - lb) > limit:
        return over
    prev2: list[int] = []
    prev = [j if j <= limit else over for j in range(lb + 1)]
    for i in range(1, la + 1):
        cur = [over] * (lb + 1)
        if i <= limit:
            cur[0] = i
        ai = a[i - 1]
        row_min = cur[0]
        for j in range(max(1, i - limit), min(lb, i + limit) + 1):
            bj = b[j - 1]
            v = prev[j - 1] + (ai != bj)
            if prev[j] + 1 < v:
                v = prev[j] + 1
            if cur[j - 1] + 1 < v:
                v = cur[j - 1] + 1
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == bj and prev2[j - 2] + 1 < v:
                v = prev2[j - 2] + 1
            cur[j] = v
            if v < row_min:
                row_min = v
        if row_min > limit:
            return over
        prev2, prev = prev, cur
    return min(prev[lb], over)


def deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made by deleting up to ``depth`` of its letters."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


_SILENT = frozenset("aeiouhwy")
LOOSE_EDITS = 3


def skeleton(word: str) -> str:
    """The first letter and the consonants after it, doubled letters once, h/w/y dropped:
    how a word sounds, roughly ("ghonerrea" and "gonorrhea" -> "gnr")."""
    out = [word[0]]
    for c in word[1:]:
        if c not in _SILENT and c != out[-1]:
            out.append(c)
    return "".join(out)


def near_words(word: str) -> set[str]:
    """Every string one edit (delete, transpose, replace, insert a-z) from ``word``."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


class FuzzyIndex:
    def __init__(self, names: Sequence[str], blobs: Mapping[str, str]) -> None:
        self.names = tuple(names)
        self.blobs = dict(blobs)  # first letter -> "deletion:id,id|deletion:id|..."
        self._tables: dict[str, dict[str, str]] = {}
        self._skeletons: dict[str, list[str]] | None = None

    @classmethod
    def build(cls, names: Iterable[str]) -> FuzzyIndex:
        ordered = sorted({n for n in names if allowed_edits(n)})
        tables: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for i, name in enumerate(ordered):
            for d in deletions(name[1:PREFIX + 1], allowed_edits(name)):
                tables[name[0]][d].append(i)
        blobs = {
            letter: "|".join(f"{k}:{','.join(map(str, v))}" for k, v in sorted(table.items()))
            for letter, table in sorted(tables.items())
        }
        return cls(ordered, blobs)

    def _table(self, letter: str) -> dict[str, str]:
        table = self._tables.get(letter)
        if table is None:
            blob = self.blobs.get(letter, "")
            table = dict(entry.split(":", 1) for entry in blob.split("|")) if blob else {}
            self._tables[letter] = table
        return table

    def candidates(self, token: str) -> list[tuple[int, str]]:
        """(distance, name) for every name within the allowed edits of both ``token`` and
        the name that starts with the same letter, nearest first."""
        if len(token) < 5:
            return []
        table = self._table(token[0])
        if not table:
            return []
        seen: set[str] = set()
        found: list[tuple[int, str]] = []
        depth = 1 if len(token) <= 5 else MAX_EDITS  # a 5-letter word is 3 edits from 8
        for d in deletions(token[1:PREFIX + 1], depth):
            ids = table.get(d)
            if ids is None:
                continue
            for idx in ids.split(","):
                if idx in seen:
                    continue
                seen.add(idx)
                name = self.names[int(idx)]
                limit = min(allowed_edits(name), allowed_edits(token))
                if abs(len(name) - len(token)) > limit:
                    continue
                dist = osa_distance(token, name, limit)
                if dist <= limit:
                    found.append((dist, name))
        found.sort()
        return found

    def loose_candidates(self, token: str) -> list[tuple[int, str]]:
        """(distance, name) for names up to 3 edits from a long ``token`` (8+ letters)
        that also share its skeleton ("hemmroids" ~ "hemorrhoids") or, from 9 letters,
        all but its last three letters ("clindamyam" ~ "clindamycin"): misspellings too far for
        ``candidates`` but with the word's shape intact."""
        if len(token) < 8:
            return []
        if self._skeletons is None:
            table: dict[str, list[str]] = defaultdict(list)
            for name in self.names:
                if len(name) >= 7:
                    table[skeleton(name)].append(name)
            self._skeletons = dict(table)
        pool = set(self._skeletons.get(skeleton(token), ()))
        if len(token) >= 9:  # a prefix of 6+ letters
            prefix = token[: len(token) - 3]
            i = bisect.bisect_left(self.names, prefix)
            while i < len(self.names) and self.names[i].startswith(prefix):
                pool.add(self.names[i])
                i += 1
        found = []
        for name in pool:
            if abs(len(name) - len(token)) <= 2:
                dist = osa_distance(token, name, LOOSE_EDITS)
                if dist <= LOOSE_EDITS:
                    found.append((dist, name))
        found.sort()
        return found

    def resembles(self, token: str, share: float = 0.4) -> bool:
        """True when a name with the same first letter is within ``share`` of the longer
        word's letters in edits ("waefin" ~ "warfarin"): too far to correct, near enough
        that the word may be a badly misspelt name rather than a name of its own."""
        if not token:
            return False
        lo = bisect.bisect_left(self.names, token[0])
        hi = bisect.bisect_left(self.names, chr(ord(token[0]) + 1))
        for name in self.names[lo:hi]:
            limit = int(share * max(len(name), len(token)))
            if abs(len(name) - len(token)) <= limit and osa_distance(token, name, limit) <= limit:
                return True
        return False
