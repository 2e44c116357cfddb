"""Quoting a passage: which stretches of it a statement keeps (spans), which it leaves
out (cuts), and the one whitespace rule that turns spans into statement text.

The sentence cleaner (sentences.py) works on a ``Snippet`` rather than on a plain
string, so every character it drops is recorded as a cut of a named kind and the
statement that comes out carries its exact place in the passage (``types.Quote``).
composition/verify.py then checks a statement against its passage with nothing but
``join_spans`` and the cut kinds: the integrity of a citation is checked, not assumed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from curbside.types import Cut, CutKind, Quote

_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\s+|\S+")

Span = tuple[int, int]


def join_spans(passage: str, spans: Sequence[Span]) -> str:
    """The whitespace rule, the only liberty a statement takes besides its cuts: the
    spans' text joined with nothing, every run of whitespace (``\\s``) made one space,
    and no space at either end."""
    return _WS.sub(" ", "".join(passage[s:e] for s, e in spans)).strip()


class _Offsets:
    """Where each character of a snippet's text comes from: ``start(i)`` and ``end(i)``
    bound the source characters of text character ``i`` (one space may stand for a run
    of whitespace, even one broken by a cut)."""

    __slots__ = ("base", "ends", "starts")

    def __init__(self, base: int, starts: list[int] | None = None, ends: list[int] | None = None) -> None:
        self.base = base
        self.starts = starts
        self.ends = ends

    def start(self, i: int) -> int:
        return self.base + i if self.starts is None else self.starts[i]

    def end(self, i: int) -> int:
        return self.base + i + 1 if self.ends is None else self.ends[i]


@dataclass(frozen=True, slots=True)
class Snippet:
    """A stretch of ``source`` (a passage's text) being trimmed into a statement: the
    spans it keeps, in order, and the cuts it has made. Its ``text`` is ``join_spans``
    of the spans; text offsets (what the cleaner's patterns see) map back to source
    offsets, so a cut of the text is a cut of the passage."""

    source: str
    spans: tuple[Span, ...]
    cuts: tuple[Cut, ...] = ()
    text: str = field(init=False, repr=False, compare=False)  # join_spans of the spans

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", join_spans(self.source, self.spans))

    @classmethod
    def whole(cls, source: str) -> Snippet:
        return cls(source, ((0, len(source)),) if source else ())

    def quote(self, passage_id: str) -> Quote:
        return Quote(passage_id, self.spans, tuple(sorted(self.cuts, key=lambda c: c.start)))

    def parts(self, bounds: Iterable[Span]) -> list[Snippet]:
        """The parts whose texts are ``self.text[start:end]`` for each (start, end) of
        ``bounds`` (the sentences of a passage), each with the cuts made inside it."""
        off: _Offsets | None = None
        out = []
        for start, end in bounds:
            if start >= end:
                out.append(Snippet(self.source, ()))
                continue
            off = off or self._offsets()
            lo, hi = off.start(start), off.end(end - 1)
            spans = tuple((max(s, lo), min(e, hi)) for s, e in self.spans if s < hi and e > lo)
            out.append(Snippet(self.source, spans, tuple(c for c in self.cuts if lo <= c.start and c.end <= hi)))
        return out

    def cut(self, ranges: Iterable[Span], kind: CutKind) -> Snippet:
        """Leave out the text ranges ``ranges`` ((start, end) offsets into ``self.text``,
        not overlapping), each recorded as a cut of ``kind``."""
        off: _Offsets | None = None
        spans = list(self.spans)
        cuts = list(self.cuts)
        for i, j in ranges:
            if i >= j:
                continue
            off = off or self._offsets()
            lo, hi = off.start(i), off.end(j - 1)
            kept: list[Span] = []
            for s, e in spans:
                if e <= lo or s >= hi:
                    kept.append((s, e))
                    continue
                if s < lo:
                    kept.append((s, lo))
                cuts.append(Cut(max(s, lo), min(e, hi), kind))
                if hi < e:
                    kept.append((hi, e))
            spans = kept
        if off is None:
            return self
        return Snippet(self.source, tuple(spans), tuple(sorted(cuts, key=lambda c: c.start)))

    def _offsets(self) -> _Offsets:
        src = self.source
        if len(self.spans) == 1:
            s, e = self.spans[0]
            if self.text == src[s:e]:  # already one-spaced: text offset + s
                return _Offsets(s)
        starts: list[int] = []
        ends: list[int] = []
        space = False  # the last text character is a space
        for s, e in self.spans:
            for m in _TOKEN.finditer(src, s, e):
                a, b = m.span()
                if src[a].isspace():
                    if space:  # one run of whitespace across the join of two spans
                        ends[-1] = b
                    else:
                        starts.append(a)
                        ends.append(b)
                    space = True
                else:
                    starts.extend(range(a, b))
                    ends.extend(range(a + 1, b + 1))
                    space = False
        if starts and src[starts[0]].isspace():
            del starts[0], ends[0]
        if space and starts:
            del starts[-1], ends[-1]
        return _Offsets(0, starts, ends)


def locate(text: str, passage: str) -> Snippet | None:
    """The first place ``passage`` holds ``text`` word for word (whitespace aside), as a
    snippet of one span, or None. For statements an editor copies from a passage."""
    words = text.split()
    if not words:
        return None
    m = re.search(r"\s+".join(re.escape(w) for w in words), passage)
    if m is None:
        return None
    return Snippet(passage, (m.span(),))
