"""The published library: approved answers, browsable by drug, condition and question
type and searchable by words, each at its stable URL (``/library``, ``/api/v1/library``).

Only ``approved`` answers are listed: not ones waiting for review, not ones flagged
"Needs re-review" after their sources changed, not rejected ones. Drugs and conditions
come from ``article_terms`` (filled by the repository with every version), so a search
for "baclofen" also finds a question that named only the brand. Facet counts are over
the answers the current filters select (drill-down). Portable SQL (SQLite, PostgreSQL).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from curbside.editorial.db import Database
from curbside.editorial.slug import normalize
from curbside.editorial.workflow import Status
from curbside.errors import UserInputError

MAX_LIMIT = 100
MAX_TERM_CHARS = 200
MAX_Q_CHARS = 500
FACET_SIZE = 30
ORDERS = ("newest", "most_read", "title")
QUESTION_TYPE_LABELS = {
    "indication": "Indications", "dosing": "Dosing", "contraindications": "Contraindications",
    "adverse_effects": "Side effects", "interactions": "Interactions", "mechanism": "Mechanism of action",
    "pregnancy_lactation": "Pregnancy and breastfeeding", "monitoring": "Monitoring", "overdose": "Overdose",
    "product": "Product information", "comparison": "Comparisons", "causes": "Causes", "symptoms": "Symptoms",
    "treatment": "Treatment", "prevention": "Prevention", "diagnosis": "Diagnosis", "prognosis": "Prognosis",
    "general": "Overviews",
}


def question_type_label(value: str) -> str:
    return QUESTION_TYPE_LABELS.get(value, value.replace("_", " ").capitalize())


@dataclass(frozen=True, slots=True)
class LibraryQuery:
    drug: str = ""
    condition: str = ""
    question_type: str = ""
    q: str = ""
    order: str = "newest"
    limit: int = 20
    offset: int = 0

    @classmethod
    def clean(cls, *, drug: str | None = None, condition: str | None = None, question_type: str | None = None,
              q: str | None = None, order: str | None = None, limit: int = 20, offset: int = 0) -> LibraryQuery:
        """Validated filters (UserInputError, HTTP 400, names the fix)."""
        def term(raw: str | None, what: str, cap: int = MAX_TERM_CHARS) -> str:
            text = " ".join((raw or "").split())
            if len(text) > cap:
                raise UserInputError(f"The {what} filter is longer than {cap} characters.", fix="Use a shorter value.")
            return text

        qt = term(question_type, "question type").lower()
        if qt and qt not in QUESTION_TYPE_LABELS:
            raise UserInputError(f"Unknown question type {qt[:40]!r}.",
                                 fix="Use one of: " + ", ".join(QUESTION_TYPE_LABELS) + ".")
        how = (order or "newest").strip().lower()
        if how not in ORDERS:
            raise UserInputError(f"Unknown order {how[:40]!r}.", fix="Use one of: " + ", ".join(ORDERS) + ".")
        if not 1 <= int(limit) <= MAX_LIMIT:
            raise UserInputError(f"limit must be between 1 and {MAX_LIMIT}.", fix="Pass a smaller limit.")
        if int(offset) < 0:
            raise UserInputError("offset must not be negative.", fix="Pass offset=0 or more.")
        return cls(term(drug, "drug").lower(), term(condition, "condition").lower(), qt,
                   term(q, "search", MAX_Q_CHARS), how, int(limit), int(offset))

    def params(self, **changes: Any) -> dict[str, str]:
        """The non-default filters as URL query parameters (facet and page links)."""
        d = asdict(replace(self, **changes))
        default = asdict(LibraryQuery())
        return {k: str(v) for k, v in d.items() if v != default[k]}


@dataclass(frozen=True, slots=True)
class Facet:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    id: str
    url: str
    question: str
    audience: str
    question_type: str
    question_type_label: str
    updated: str  # when it was approved (the last change of status)
    reads: int
    drugs: tuple[str, ...]
    conditions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["drugs"], d["conditions"] = list(self.drugs), list(self.conditions)
        return d


@dataclass(frozen=True, slots=True)
class LibraryPage:
    query: LibraryQuery
    total: int
    entries: tuple[LibraryEntry, ...]
    drugs: tuple[Facet, ...]
    conditions: tuple[Facet, ...]
    question_types: tuple[Facet, ...]

    @property
    def page(self) -> int:
        return self.query.offset // self.query.limit + 1

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.limit))

    @property
    def has_next(self) -> bool:
        return self.query.offset + self.query.limit < self.total

    @property
    def has_prev(self) -> bool:
        return self.query.offset > 0

    def to_dict(self) -> dict[str, Any]:
        def facets(items: tuple[Facet, ...]) -> list[dict[str, Any]]:
            return [asdict(f) for f in items]

        return {
            "query": asdict(self.query), "total": self.total, "page": self.page, "pages": self.pages,
            "answers": [e.to_dict() for e in self.entries],
            "facets": {"drug": facets(self.drugs), "condition": facets(self.conditions),
                       "question_type": facets(self.question_types)},
        }


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(query: LibraryQuery) -> tuple[str, list[Any]]:
    where = ["a.status=?"]
    args: list[Any] = [Status.APPROVED.value]
    for kind, value in (("drug", query.drug), ("condition", query.condition)):
        if value:
            where.append("EXISTS (SELECT 1 FROM article_terms t WHERE t.article_id=a.id AND t.kind=? AND t.term=?)")
            args += [kind, value]
    if query.question_type:
        where.append("a.question_type=?")
        args.append(query.question_type)
    for word in normalize(query.q).split():
        where.append("(a.question_norm LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM article_terms t"
                     " WHERE t.article_id=a.id AND t.term LIKE ? ESCAPE '\\'))")
        args += [_like(word), _like(word)]
    return " AND ".join(where), args


_ORDER_SQL = {
    "newest": "a.updated DESC, a.id",
    "most_read": "a.reads DESC, a.updated DESC, a.id",
    "title": "a.question_norm, a.id",
}


def library_page(db: Database, query: LibraryQuery) -> LibraryPage:
    where, args = _where(query)
    row = db.read_one(f"SELECT count(*) FROM articles a WHERE {where}", args)
    total = int(row[0]) if row else 0
    rows = db.read(
        "SELECT a.id, a.slug, a.question, a.audience, a.question_type, a.updated, a.reads"
        f" FROM articles a WHERE {where} ORDER BY {_ORDER_SQL[query.order]} LIMIT ? OFFSET ?",
        [*args, query.limit, query.offset],
    )
    terms: dict[str, dict[str, list[str]]] = {r[0]: {"drug": [], "condition": []} for r in rows}
    if rows:
        marks = ",".join("?" * len(rows))
        for aid, kind, term in db.read(
            f"SELECT article_id, kind, term FROM article_terms WHERE article_id IN ({marks}) ORDER BY kind, term",
            [r[0] for r in rows],
        ):
            terms[aid].setdefault(kind, []).append(term)
    entries = tuple(
        LibraryEntry(id=r[0], url=f"/a/{r[1]}-{r[0]}", question=r[2], audience=r[3], question_type=r[4] or "",
                     question_type_label=question_type_label(r[4] or "") if r[4] else "", updated=r[5],
                     reads=int(r[6] or 0), drugs=tuple(terms[r[0]]["drug"]),
                     conditions=tuple(terms[r[0]]["condition"]))
        for r in rows
    )
    return LibraryPage(
        query=query, total=total, entries=entries,
        drugs=_term_facet(db, "drug", query.drug, where, args),
        conditions=_term_facet(db, "condition", query.condition, where, args),
        question_types=_type_facet(db, query.question_type, where, args),
    )


def _term_facet(db: Database, kind: str, selected: str, where: str, args: list[Any]) -> tuple[Facet, ...]:
    rows = db.read(
        f"SELECT t.term, count(*) FROM article_terms t JOIN articles a ON a.id=t.article_id"
        f" WHERE t.kind=? AND {where} GROUP BY t.term ORDER BY count(*) DESC, t.term LIMIT ?",
        [kind, *args, FACET_SIZE],
    )
    return _facets([(r[0], int(r[1])) for r in rows], selected, lambda v: v)


def _type_facet(db: Database, selected: str, where: str, args: list[Any]) -> tuple[Facet, ...]:
    rows = db.read(
        f"SELECT a.question_type, count(*) FROM articles a WHERE {where} AND a.question_type<>''"
        " GROUP BY a.question_type ORDER BY count(*) DESC, a.question_type",
        args,
    )
    return _facets([(r[0], int(r[1])) for r in rows], selected, question_type_label)


def _facets(items: list[tuple[str, int]], selected: str, label: Callable[[str], str]) -> tuple[Facet, ...]:
    """The facet's values by count; a selected value is always listed (to unselect it)."""
    out = [Facet(v, label(v), n, v == selected) for v, n in items]
    if selected and not any(f.selected for f in out):
        out.insert(0, Facet(selected, label(selected), 0, True))
    return tuple(out)
