"""Numbered references, assigned in order of first use, one per cited passage."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from curbside.types import Reference, StoredPassage


class ReferenceBook:
    def __init__(self) -> None:
        self._refs: dict[str, Reference] = {}

    def cite(self, p: StoredPassage) -> int:
        ref = self._refs.get(p.passage_id)
        if ref is None:
            ref = Reference(
                number=len(self._refs) + 1,
                source_type=p.source_type,
                title=p.title,
                source=p.publisher,
                year=p.year,
                url=p.url,
                doc_id=p.doc_id,
                passage_id=p.passage_id,
                section=p.section,
                passage=p.text,
            )
            self._refs[p.passage_id] = ref
        return ref.number

    def only(self, numbers: Iterable[int]) -> tuple[ReferenceBook, dict[int, int]]:
        """A book of just the references ``numbers`` names, renumbered in their old
        order, and old number -> new number."""
        keep = set(numbers)
        book = ReferenceBook()
        mapping: dict[int, int] = {}
        for ref in self.references():
            if ref.number in keep:
                mapping[ref.number] = len(book._refs) + 1
                book._refs[ref.passage_id] = dataclasses.replace(ref, number=mapping[ref.number])
        return book, mapping

    def references(self) -> tuple[Reference, ...]:
        return tuple(sorted(self._refs.values(), key=lambda r: r.number))

    def doc_ids(self) -> list[str]:
        return sorted({r.doc_id for r in self._refs.values()})
