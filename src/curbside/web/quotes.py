"""Where a stored statement's words are in a cited passage, for the article page's
citation previews (render.py) and the review page (review_view.py).

A statement of schema 1.2 records its quote: the spans of its first cited passage it
is made of and the cuts between them (docs/ARTICLE_SCHEMA.md). When that quote is of
the passage shown and verifies against it (composition/verify.py), the page marks
exactly those spans and shows each cut as left out. Anything else (articles stored
before 1.2, a statement's further citations) is found by searching the passage."""

from __future__ import annotations

import logging

from curbside.composition.verify import verify
from curbside.types import Quote, Reference, Statement

log = logging.getLogger("curbside.web")

# a segment of a passage as a page shows it: "quote" (the statement's words, marked),
# "cut" (left out of the statement; "cut" names the kind) or "" (the passage around them)
Segment = dict[str, str]


def verified_quote(statement: Statement, reference: Reference) -> Quote | None:
    """The statement's quote when it is of ``reference``'s passage and verifies there."""
    quote = statement.quote
    if quote is None or quote.passage_id != reference.passage_id:
        return None
    verdict = verify(statement, reference.passage, section=reference.section)
    if not verdict.ok:
        log.warning("a stored quote does not verify (%s): %r", verdict.reason, statement.text[:120])
        return None
    return quote


def quote_segments(passage: str, quote: Quote) -> tuple[int, int, list[Segment]]:
    """(start, end, segments) of the stretch of ``passage`` the quote covers: its spans
    as "quote" segments and its cuts as "cut" segments, in passage order."""
    pieces = [(s, e, "quote", "") for s, e in quote.spans] + [(c.start, c.end, "cut", c.kind.value) for c in quote.cuts]
    pieces.sort()
    segs = [{"text": passage[s:e], "kind": kind, "cut": cut} for s, e, kind, cut in pieces]
    return pieces[0][0], pieces[-1][1], segs
