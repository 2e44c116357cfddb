"""An editor's edit of an answer, as pure functions: edit request in, new article dict out.

    edit = Edit((RemoveStatement(Place.of_section("dosing"), 2),
                 AddStatement(Place.summary(), "Baclofen is indicated for spasticity.", reference=1)),
                reason="Lead with the indication.", note="Dosing follows the 2019 label.")
    new_article = apply_edit(stored.article, edit, author=actor.label, at=clock())
    repo.edit(stored.id, edit, actor, expected_version=stored.version)   # applies and stores a version

Why the rules:

- Editors may remove, reorder and add statements, never write them: an added statement
  must be a verbatim span of whole words of the cited reference's passage (whitespace
  aside; ``quote_span``: never starting or ending inside a word or number), so every
  sentence on the page is still quoted from a cited source. A paraphrase is refused with
  the reference it must be copied from. The added statement records its quote (where
  its words are in the passage, docs/ARTICLE_SCHEMA.md) when they are whole words there.
- Operations apply in order, each to the result of the previous one (indices shift after
  a removal); reference numbers always mean the numbering of the article being edited.
- Afterwards references are renumbered in order of first use (summary, sections, bottom
  line) and references no longer cited are dropped, so every citation stays valid and the
  page never lists a source nothing quotes. Sections left empty are dropped; the summary
  of an answered article may not be left empty.
- ``RefreshReference`` replaces a reference's cited passage with the source's current
  text (living answers, living.py): only while every statement citing it is still quoted
  from the new text, so the Board can re-approve an answer against changed sources. The
  repository accepts only a text a re-ingest recorded (``stale_sources``), never one
  typed into a form. A statement quoting that reference first has its quote moved to
  where the same words are in the new text (or dropped, when they cannot be placed).
- The editor's note (``editor_note``: text, author, at) is an editorial addition shown
  on the page above the answer; ``Edit.note`` None keeps it, "" removes it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from curbside.composition.quoting import locate
from curbside.composition.sentences import strip_xrefs
from curbside.composition.serialize import quote_from_dict, quote_to_dict
from curbside.composition.verify import verify
from curbside.editorial.errors import ReviewInputError
from curbside.editorial.schema import content_hash
from curbside.editorial.workflow import MAX_NOTE_CHARS
from curbside.types import Cut, Quote, Statement
from curbside.validate import check_text

MAX_OPERATIONS = 200
MAX_STATEMENT_CHARS = 3000


@dataclass(frozen=True, slots=True)
class Place:
    """Where statements live: the summary, one section (by its key), or the bottom line.
    As text (forms, JSON): ``summary``, ``bottom_line`` or ``section:<key>``."""

    part: str
    section: str = ""

    SUMMARY = "summary"
    SECTION = "section"
    BOTTOM_LINE = "bottom_line"

    @classmethod
    def summary(cls) -> Place:
        return cls(cls.SUMMARY)

    @classmethod
    def bottom_line(cls) -> Place:
        return cls(cls.BOTTOM_LINE)

    @classmethod
    def of_section(cls, key: str) -> Place:
        return cls(cls.SECTION, key)

    @classmethod
    def parse(cls, raw: str) -> Place:
        text = (raw or "").strip()
        if text in (cls.SUMMARY, cls.BOTTOM_LINE):
            return cls(text)
        if text.startswith(cls.SECTION + ":") and len(text) > len(cls.SECTION) + 1:
            return cls(cls.SECTION, text[len(cls.SECTION) + 1:])
        raise ReviewInputError(f"Unknown place {text[:80]!r} in the answer.",
                               fix="Use summary, bottom_line or section:<key>.")

    def __str__(self) -> str:
        return f"{self.SECTION}:{self.section}" if self.part == self.SECTION else self.part

    def describe(self) -> str:
        return {self.SUMMARY: "the summary", self.BOTTOM_LINE: "the bottom line"}.get(
            self.part, f"section {self.section!r}")


@dataclass(frozen=True, slots=True)
class RemoveStatement:
    place: Place
    index: int  # 0-based position within the place


@dataclass(frozen=True, slots=True)
class ReorderStatements:
    place: Place
    order: tuple[int, ...]  # the current positions in their new order: a permutation


@dataclass(frozen=True, slots=True)
class ReorderSections:
    order: tuple[str, ...]  # every section key, in the new order


@dataclass(frozen=True, slots=True)
class AddStatement:
    place: Place
    text: str  # a verbatim span of the reference's passage
    reference: int  # an existing reference number
    index: int | None = None  # insert before this position; None: at the end


@dataclass(frozen=True, slots=True)
class RefreshReference:
    reference: int
    passage: str  # the source's current passage text (recorded at re-ingest)
    passage_id: str | None = None  # where that text now is, when it moved within its document


Operation = RemoveStatement | ReorderStatements | ReorderSections | AddStatement | RefreshReference
_OP_NAMES = {"remove": RemoveStatement, "reorder": ReorderStatements, "reorder_sections": ReorderSections,
             "add": AddStatement, "refresh_reference": RefreshReference}


@dataclass(frozen=True, slots=True)
class Edit:
    """One editor's edit: what to change, why (kept with the new version), and the
    editor's note (None: unchanged; "": removed)."""

    operations: tuple[Operation, ...]
    reason: str
    note: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Edit:
        """From JSON: ``{"reason", "note"?, "operations": [{"op": "remove", "place":
        "section:dosing", "index": 2}, {"op": "reorder", "place": ..., "order": [1, 0]},
        {"op": "reorder_sections", "order": [keys]}, {"op": "add", "place", "text",
        "reference", "index"?}, {"op": "refresh_reference", "reference", "passage", "passage_id"?}]}``."""
        if not isinstance(data, Mapping):
            raise ReviewInputError("An edit must be a JSON object.", fix='Send {"reason": ..., "operations": [...]}.')
        raw_ops = data.get("operations")
        if raw_ops is None:
            raw_ops = []
        if not isinstance(raw_ops, list):
            raise ReviewInputError("\"operations\" must be a list.", fix="Send a list of operations.")
        ops = tuple(_parse_op(i, op) for i, op in enumerate(raw_ops, start=1))
        note = data.get("note")
        if note is not None and not isinstance(note, str):
            raise ReviewInputError("\"note\" must be text.", fix="Send the editor's note as a string, or leave it out.")
        reason = data.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise ReviewInputError("\"reason\" must be text.", fix="Say why the answer changes, as a string.")
        return cls(ops, check_text(reason or "", "reason"), None if note is None else check_text(note, "note"))


class _WrongType(Exception):
    """A field of an operation is missing or not of its declared type (_parse_op says which)."""


def _parse_op(n: int, raw: Any) -> Operation:
    """One operation from JSON, each field of exactly its declared type: numbers are JSON
    integers (not strings, not 1.5), orders are lists, texts are strings. Nothing is
    coerced: ``"order": "10"`` is an error, not (1, 0)."""
    if not isinstance(raw, Mapping):
        raise ReviewInputError(f"Change {n} is not an object.", fix="Each operation is an object with an \"op\".")
    op = raw.get("op")
    kind = _OP_NAMES.get(op) if isinstance(op, str) else None
    if kind is None:
        raise ReviewInputError(f"Change {n} has an unknown op {str(op)[:40]!r}.",
                               fix="Use one of: " + ", ".join(_OP_NAMES) + ".")
    try:
        if kind is RemoveStatement:
            return RemoveStatement(_place(raw), _int(raw, "index"))
        if kind is ReorderStatements:
            return ReorderStatements(_place(raw), tuple(_ints(raw, "order")))
        if kind is ReorderSections:
            return ReorderSections(tuple(_strs(raw, "order")))
        if kind is AddStatement:
            return AddStatement(_place(raw), _str(raw, "text"), _int(raw, "reference"),
                                None if raw.get("index") is None else _int(raw, "index"))
        pid = raw.get("passage_id")
        return RefreshReference(_int(raw, "reference"), _str(raw, "passage"),
                                None if pid is None else _str(raw, "passage_id"))
    except _WrongType as e:
        raise ReviewInputError(f"Change {n} ({op}): {e}.",
                               fix="See Edit.from_dict for each operation's fields and their types.") from None


def _field(raw: Mapping[str, Any], name: str) -> Any:
    if name not in raw:
        raise _WrongType(f"the field {name!r} is missing")
    return raw[name]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(raw: Mapping[str, Any], name: str) -> int:
    value = _field(raw, name)
    if not _is_int(value):
        raise _WrongType(f"{name!r} must be a whole number, not {value!r:.40}")
    return int(value)


def _str(raw: Mapping[str, Any], name: str) -> str:
    value = _field(raw, name)
    if not isinstance(value, str):
        raise _WrongType(f"{name!r} must be text, not {value!r:.40}")
    return check_text(value, name)


def _ints(raw: Mapping[str, Any], name: str) -> list[int]:
    value = _field(raw, name)
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        raise _WrongType(f"{name!r} must be a list of whole numbers, not {value!r:.40}")
    return [int(v) for v in value]


def _strs(raw: Mapping[str, Any], name: str) -> list[str]:
    value = _field(raw, name)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _WrongType(f"{name!r} must be a list of section keys (text), not {value!r:.40}")
    return list(value)


def _place(raw: Mapping[str, Any]) -> Place:
    return Place.parse(_str(raw, "place"))


# ---- reading an article's statements ------------------------------------------------------
def places(article: Mapping[str, Any]) -> Iterator[tuple[Place, str, list[dict[str, Any]]]]:
    """(place, heading, statements) in page order: summary, sections, bottom line."""
    yield Place.summary(), "Summary", list(article.get("summary") or [])
    for sec in article.get("sections") or []:
        yield Place.of_section(sec["key"]), sec.get("heading", sec["key"]), list(sec.get("statements") or [])
    yield Place.bottom_line(), "Bottom line", list(article.get("bottom_line") or [])


def norm_ws(text: str) -> str:
    return " ".join((text or "").split())


_NOT_AFTER_WORD = r"(?<![^\W_])"  # the character before is not a letter or digit (or there is none)
_NOT_BEFORE_WORD = r"(?![^\W_])"  # the character after is not a letter or digit (or there is none)


def quote_span(text: str, passage: str) -> re.Match[str] | None:
    """Where ``passage`` says ``text`` word for word (any whitespace between the words),
    or None. The span starts and ends on word boundaries: "indicated in" is not a quote of
    "contraindicated in", nor "under 1" of "under 12". Shared by ``is_verbatim`` and the
    review page (web/review_view.py ``quoted``), which marks the span."""
    words = text.split()
    if not words:
        return None
    head = _NOT_AFTER_WORD if words[0][0].isalnum() else ""
    tail = _NOT_BEFORE_WORD if words[-1][-1].isalnum() else ""
    return re.search(head + r"\s+".join(re.escape(w) for w in words) + tail, passage)


def is_verbatim(text: str, passage: str) -> bool:
    """``text`` is a span of whole words of ``passage``, whitespace aside (what an added
    statement must be)."""
    return quote_span(text, passage) is not None


def is_quoted(text: str, passage: str) -> bool:
    """A generated statement still quotes ``passage``: a span of it, or of it without the
    label cross references ("[see Warnings (5.1)]") the composer trims from sentences."""
    return is_verbatim(text, passage) or is_verbatim(text, strip_xrefs(norm_ws(passage)))


def unresolved_changes(stale: Iterable[Mapping[str, Any]], article: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The source changes (living.py ``SourceChange`` dicts, ``stale_sources``) that
    ``article`` still quotes as they were: a reference still cites the changed passage
    with its old text. A change is resolved once that reference was refreshed to the
    source's current text (``RefreshReference``) or no statement cites it any more."""
    cited: dict[str, set[str]] = {}
    for r in article.get("references") or []:
        cited.setdefault(str(r.get("passage_id") or ""), set()).add(norm_ws(r.get("passage") or ""))
    out = []
    for c in stale:
        texts = cited.get(str(c.get("passage_id") or ""))
        if texts is not None and (c.get("old") is None or norm_ws(str(c.get("old"))) in texts):
            out.append(dict(c))
    return out


# ---- applying an edit ---------------------------------------------------------------------
def apply_edit(article: Mapping[str, Any], edit: Edit, *, author: str = "", at: str = "") -> dict[str, Any]:
    """The article after ``edit`` (a new dict; ``article`` is not changed). ``author`` and
    ``at`` stamp the editor's note. Raises ReviewInputError naming the change at fault."""
    _check_edit(edit)
    new: dict[str, Any] = copy.deepcopy(dict(article))
    new["summary"] = list(new.get("summary") or [])
    new["bottom_line"] = list(new.get("bottom_line") or [])
    new["sections"] = list(new.get("sections") or [])
    refs = {int(r["number"]): r for r in new.get("references") or []}
    for n, op in enumerate(edit.operations, start=1):
        _apply(new, refs, op, f"Change {n}" if len(edit.operations) > 1 else "The change")

    new["sections"] = [s for s in new["sections"] if s.get("statements")]
    if not new["summary"] and not new.get("abstained"):
        raise ReviewInputError("The edit leaves the summary empty.",
                               fix="Keep or add at least one summary statement (added statements quote a reference).")
    _renumber(new, refs)
    if edit.note is not None:
        text = edit.note.strip()
        old_note = new.get("editor_note")
        if not text:
            new.pop("editor_note", None)
        elif not (isinstance(old_note, dict) and old_note.get("text") == text):  # the same note keeps its author
            new["editor_note"] = {"text": text, "author": author, "at": at}
    if content_hash(new) == content_hash(dict(article)):
        raise ReviewInputError("The edit changes nothing.",
                               fix="Remove, reorder or add a statement, or change the note.")
    return new


def _check_edit(edit: Edit) -> None:
    reason = norm_ws(edit.reason)
    if not reason:
        raise ReviewInputError("An edit needs a reason.", fix="Say why the answer changes (kept with the new version).")
    if len(reason) > MAX_NOTE_CHARS:
        raise ReviewInputError(f"The reason is longer than {MAX_NOTE_CHARS} characters.", fix="Shorten the reason.")
    if edit.note is not None and len(edit.note.strip()) > MAX_NOTE_CHARS:
        raise ReviewInputError(f"The editor's note is longer than {MAX_NOTE_CHARS} characters.",
                               fix="Shorten the note.")
    if len(edit.operations) > MAX_OPERATIONS:
        raise ReviewInputError(f"An edit may have at most {MAX_OPERATIONS} changes.",
                               fix="Split it into several edits.")
    if not edit.operations and edit.note is None:
        raise ReviewInputError("The edit has no changes.", fix="Remove, reorder or add a statement, or set a note.")


def _statements(article: dict[str, Any], place: Place, what: str) -> list[dict[str, Any]]:
    if place.part == Place.SUMMARY:
        return article["summary"]  # type: ignore[no-any-return]
    if place.part == Place.BOTTOM_LINE:
        return article["bottom_line"]  # type: ignore[no-any-return]
    if place.part == Place.SECTION:
        for i, sec in enumerate(article["sections"]):
            if sec["key"] == place.section:
                sec = article["sections"][i] = {**sec, "statements": list(sec.get("statements") or [])}
                return sec["statements"]  # type: ignore[no-any-return]
        keys = ", ".join(s["key"] for s in article["sections"]) or "none"
        raise ReviewInputError(f"{what}: the answer has no section {place.section!r}.",
                               fix=f"Sections are: {keys}.")
    raise ReviewInputError(f"{what}: unknown place {place.part!r}.", fix="Use summary, bottom_line or section:<key>.")


def _index(what: str, index: int, size: int, place: Place, *, end_ok: bool = False) -> int:
    top = size if end_ok else size - 1
    if not 0 <= index <= top:
        have = f"positions 0–{top}" if top >= 0 else "no statements"
        raise ReviewInputError(f"{what}: {place.describe()} has no position {index} ({have}).",
                               fix="Reload the answer: it may have changed since you read it.")
    return index


def _apply(article: dict[str, Any], refs: dict[int, dict[str, Any]], op: Operation, what: str) -> None:
    if isinstance(op, RemoveStatement):
        sts = _statements(article, op.place, what)
        sts.pop(_index(what, op.index, len(sts), op.place))
    elif isinstance(op, ReorderStatements):
        sts = _statements(article, op.place, what)
        if sorted(op.order) != list(range(len(sts))):
            raise ReviewInputError(f"{what}: the new order of {op.place.describe()} must list each of its "
                                   f"{len(sts)} statements once (positions 0–{len(sts) - 1}).",
                                   fix="Send every current position once, in the new order.")
        sts[:] = [sts[i] for i in op.order]
    elif isinstance(op, ReorderSections):
        keys = [s["key"] for s in article["sections"]]
        if sorted(op.order) != sorted(keys):
            raise ReviewInputError(f"{what}: the new section order must list each section once.",
                                   fix=f"Sections are: {', '.join(keys) or 'none'}.")
        by_key = {s["key"]: s for s in article["sections"]}
        article["sections"] = [by_key[k] for k in op.order]
    elif isinstance(op, AddStatement):
        _add(article, refs, op, what)
    elif isinstance(op, RefreshReference):
        _refresh(article, refs, op, what)
    else:  # pragma: no cover - the Operation union is closed
        raise ReviewInputError(f"{what}: unknown operation.", fix="See editorial/edits.py.")


def _reference(refs: dict[int, dict[str, Any]], number: int, what: str) -> dict[str, Any]:
    ref = refs.get(number)
    if ref is None:
        have = ", ".join(str(n) for n in sorted(refs)) or "none"
        raise ReviewInputError(f"{what}: the answer has no reference {number}.", fix=f"References are: {have}.")
    return ref


def _add(article: dict[str, Any], refs: dict[int, dict[str, Any]], op: AddStatement, what: str) -> None:
    ref = _reference(refs, op.reference, what)
    text = norm_ws(op.text)
    if not text:
        raise ReviewInputError(f"{what}: the added statement is empty.",
                               fix=f"Copy a sentence from reference {op.reference}'s cited passage.")
    if len(text) > MAX_STATEMENT_CHARS:
        raise ReviewInputError(f"{what}: the added statement is longer than {MAX_STATEMENT_CHARS} characters.",
                               fix="Quote one or two sentences.")
    if not is_verbatim(text, ref.get("passage") or ""):
        raise ReviewInputError(
            f"{what}: the added statement is not quoted word for word from reference {op.reference} "
            f"({ref.get('title') or ref.get('doc_id') or 'untitled'}).",
            fix=f"Copy it exactly from reference {op.reference}'s cited passage (only spacing may differ); "
                "statements are quoted from their sources, never paraphrased.",
        )
    sts = _statements(article, op.place, what)
    if any(norm_ws(s["text"]) == text for s in sts):
        raise ReviewInputError(f"{what}: {op.place.describe()} already has this statement.",
                               fix="Move the existing statement instead of adding it again.")
    index = len(sts) if op.index is None else _index(what, op.index, len(sts), op.place, end_ok=True)
    sts.insert(index, {"text": text, "citations": [op.reference], "quote": _quote_of(text, ref)})


def _refresh(article: dict[str, Any], refs: dict[int, dict[str, Any]], op: RefreshReference, what: str) -> None:
    ref = _reference(refs, op.reference, what)
    passage = op.passage.strip()
    if not passage:
        raise ReviewInputError(f"{what}: the new passage of reference {op.reference} is empty.",
                               fix="A source that was removed cannot be refreshed: remove the statements citing it.")
    moved = {"passage_id": op.passage_id} if op.passage_id else {}
    trial = {**refs, op.reference: {**ref, "passage": passage, **moved}}
    for place, _, sts in places(article):
        for i, s in enumerate(sts):
            cites = [int(c) for c in s.get("citations", [])]
            if op.reference in cites and not any(is_quoted(s["text"], trial.get(c, {}).get("passage") or "")
                                                 for c in cites):
                raise ReviewInputError(
                    f"{what}: statement {i} of {place.describe()} (\"{s['text'][:80]}…\") is no longer in "
                    f"the current text of reference {op.reference}.",
                    fix="Remove that statement first (an earlier change of the same edit), then refresh the reference.",
                )
    refs[op.reference] = trial[op.reference]
    for _, _, sts in places(article):
        for s in sts:
            cites = [int(c) for c in s.get("citations", [])]
            if cites and cites[0] == op.reference:
                s["quote"] = _moved_quote(s, ref, refs[op.reference])


def _verified(text: str, quote: Quote, ref: Mapping[str, Any]) -> dict[str, Any] | None:
    ok = verify(Statement(text, (), quote), ref.get("passage") or "", section=ref.get("section") or "").ok
    return quote_to_dict(quote) if ok else None


def _quote_of(text: str, ref: Mapping[str, Any]) -> dict[str, Any] | None:
    """The quote of a statement copied from ``ref``'s passage: the first place its words
    are there, when that place verifies (whole words); else None."""
    found = locate(text, ref.get("passage") or "")
    return None if found is None else _verified(text, found.quote(str(ref.get("passage_id"))), ref)


def _moved_quote(s: Mapping[str, Any], old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any] | None:
    """A statement's quote of ``old``'s passage moved into ``new``'s: where the very
    stretch it covered (cuts and all) is in the new text, else where its words are."""
    raw = s.get("quote")
    quote = quote_from_dict(dict(raw)) if isinstance(raw, Mapping) else None
    if quote is not None and quote.spans and quote.passage_id == old.get("passage_id"):
        bounds = [*quote.spans, *((c.start, c.end) for c in quote.cuts)]
        start, end = min(a for a, _ in bounds), max(b for _, b in bounds)
        at = (new.get("passage") or "").find((old.get("passage") or "")[start:end])
        if at >= 0:
            d = at - start
            moved = Quote(str(new.get("passage_id")), tuple((a + d, b + d) for a, b in quote.spans),
                          tuple(Cut(c.start + d, c.end + d, c.kind) for c in quote.cuts))
            placed = _verified(s["text"], moved, new)
            if placed is not None:
                return placed
    return _quote_of(s["text"], new)


def _renumber(article: dict[str, Any], refs: dict[int, dict[str, Any]]) -> None:
    """References in order of first use; uncited ones dropped; citations rewritten."""
    mapping: dict[int, int] = {}
    for place, _, sts in places(article):
        for s in sts:
            for c in s.get("citations", []):
                c = int(c)
                if c not in refs:
                    raise ReviewInputError(f"A statement in {place.describe()} cites reference {c}, "
                                           "which the answer does not have.",
                                           fix="Remove the statement or cite an existing reference.")
                mapping.setdefault(c, len(mapping) + 1)

    def rewrite(sts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**s, "citations": [mapping[int(c)] for c in s.get("citations", [])]} for s in sts]

    article["summary"] = rewrite(article["summary"])
    article["bottom_line"] = rewrite(article["bottom_line"])
    article["sections"] = [{**sec, "statements": rewrite(sec["statements"])} for sec in article["sections"]]
    article["references"] = [{**refs[old], "number": new} for old, new in sorted(mapping.items(), key=lambda kv: kv[1])]
