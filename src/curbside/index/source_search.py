"""Source search: the passages a few words find in the lexical index (BM25 over text and
titles, no drug filter, no question understanding), as typed hits with a snippet. What
the web's search page and API show beside stored answers (Engine.search_sources)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from curbside.index.lexical import query_terms
from curbside.ports import LexicalSearch, PassageStore
from curbside.types import SourceHit

SNIPPET_CHARS = 240


def search_sources(lexical: LexicalSearch, store: PassageStore, text: str, limit: int) -> list[SourceHit]:
    """At most ``limit`` passages for the content words of ``text``, best first; none
    when it has no content word."""
    terms = query_terms(text)
    if not terms or limit <= 0:
        return []
    hits = lexical.search(lexical.build_query(terms), limit)
    scores = dict(hits)
    return [
        SourceHit(
            passage_id=p.passage_id, doc_id=p.doc_id, title=p.title, source_type=p.source_type,
            publisher=p.publisher, year=p.year, url=p.url, section=p.section,
            snippet=snippet(p.text, terms), score=scores.get(p.rowid, 0.0),
        )
        for p in store.passages([r for r, _ in hits])
    ]


def snippet(text: str, terms: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """A window of ``text`` around the first query term, cut at word boundaries."""
    pos = -1
    for t in terms:
        m = re.search(r"\b" + re.escape(t), text, re.IGNORECASE)
        if m and (pos < 0 or m.start() < pos):
            pos = m.start()
    start = max(0, pos - width // 3) if pos > 0 else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
