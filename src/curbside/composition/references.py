"""Numbered references, assigned in order of first use, one per cited passage.

A cited passage may have copies in other documents (the same text from other
manufacturers: store/sqlite.py groups them at ingest). The composer only ever sees and
cites a group's representative; ``with_copies`` then records on each reference how
many other documents carry the same text and which (the first MAX_ALSO_IN of them), so
the article cites one label and says how many more say the same, instead of repeating
the sentence from every copy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence

from curbside.types import AlsoIn, Reference, StoredPassage

# the other documents listed on a reference (``copies`` counts them all)
MAX_ALSO_IN = 50

# passage ids, how many to list -> passage_id -> (copies, the first of them)
CopiesLookup = Callable[[Sequence[str], int], Mapping[str, tuple[int, tuple[AlsoIn, ...]]]]


def with_copies(refs: Sequence[Reference], lookup: CopiesLookup) -> tuple[Reference, ...]:
    """``refs`` with each one's copies in other documents (``copies``, ``also_in``)."""
    found = lookup([r.passage_id for r in refs], MAX_ALSO_IN) if refs else {}
    return tuple(
        dataclasses.replace(r, copies=found[r.passage_id][0], also_in=found[r.passage_id][1])
        if r.passage_id in found else r
        for r in refs
    )


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


_KINDS = {"drug_label": ("label", "labels"), "guideline": ("guideline", "guidelines"),
          "research": ("abstract", "abstracts"), "patient_information": ("page", "pages")}


def copies_label(r: Reference) -> str:
    """"Also in 3 other labels" (empty when the passage has no copies)."""
    if not r.copies:
        return ""
    one, many = _KINDS.get(r.source_type.value, ("document", "documents"))
    return f"Also in {r.copies:,} other {one if r.copies == 1 else many}"
