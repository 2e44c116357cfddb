"""Assertions about quotes: every statement is exactly what it records taking from the
passage it cites first (composition/verify.py)."""

from __future__ import annotations

from collections.abc import Iterable

from curbside.composition.verify import verify
from curbside.types import Reference, Statement


def assert_quoted(statements: Iterable[Statement], references: Iterable[Reference]) -> None:
    refs = {r.number: r for r in references}
    for st in statements:
        assert st.citations, st.text
        assert st.quote is not None, st.text
        ref = refs[st.citations[0]]
        verdict = verify(st, ref.passage, passage_id=ref.passage_id, section=ref.section)
        assert verdict.ok, (st.text, verdict.reason)
