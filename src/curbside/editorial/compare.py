"""Compare two versions of an answer, for the review page's "what changed" view.

    cmp = compare_versions(repo.version_article(aid, 1), repo.version_article(aid, 2))
    cmp = compare_stored(repo, aid, 1)       # version 1 against the current one
    cmp.to_dict()        # JSON-ready: parts, references, editor note

Statements are matched by their text (whitespace aside), within each part (the summary,
each section by key, the bottom line):

- ``kept``: same text, same relative order; ``moved``: same text, another position;
- ``changed``: an old and a new statement that are mostly the same words (the word-level
  ``diff`` shows how), or the same text now citing other passages;
- ``added`` / ``removed``: the rest.

References are matched by the passage they cite (``passage_id``), never by number: an
edit renumbers references in order of first use, so "reference 2" can be another source
in the next version. A statement's citations are compared the same way.

``word_diff(old, new)`` is the inline diff used here and for source passages
(living.py ``source_diff``): segments of kind ``equal``, ``delete`` or ``insert``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from typing import Any

from curbside.editorial.edits import Place, places

# A statement pair this similar (0..1, by words) is shown as one changed statement.
CHANGED_MIN_RATIO = 0.5
_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


@dataclass(frozen=True, slots=True)
class Segment:
    kind: str  # equal | delete | insert
    text: str


def word_diff(old: str, new: str) -> list[Segment]:
    """Word-level diff of two texts: the equal and delete segments spell ``old``, the
    equal and insert ones spell ``new`` (whitespace aside: a space and a line break
    count as equal, and equal text is shown as ``new`` has it)."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    key_a, key_b = [_key(t) for t in a], [_key(t) for t in b]
    out: list[Segment] = []

    def emit(kind: str, text: str) -> None:
        if not text:
            return
        if out and out[-1].kind == kind:
            out[-1] = Segment(kind, out[-1].text + text)
        else:
            out.append(Segment(kind, text))

    for op, i1, i2, j1, j2 in SequenceMatcher(None, key_a, key_b, autojunk=False).get_opcodes():
        if op == "equal":
            emit("equal", "".join(b[j1:j2]))
        else:
            emit("delete", "".join(a[i1:i2]))
            emit("insert", "".join(b[j1:j2]))
    return _tidy(out)


def _key(token: str) -> str:
    return " " if token.isspace() else token


def _tidy(segments: list[Segment]) -> list[Segment]:
    """One delete and one insert per run of changes, absorbing a lone space between two
    changes: "-a b- +c d+" reads better than "-a- +c- -b- +d-"."""
    out: list[Segment] = []
    i = 0
    while i < len(segments):
        if segments[i].kind == "equal":
            out.append(segments[i])
            i += 1
            continue
        dels: list[str] = []
        ins: list[str] = []
        while i < len(segments):
            s = segments[i]
            if s.kind == "delete":
                dels.append(s.text)
            elif s.kind == "insert":
                ins.append(s.text)
            elif s.text.isspace() and i + 1 < len(segments) and segments[i + 1].kind != "equal":
                dels.append(s.text)
                ins.append(s.text)
            else:
                break
            i += 1
        if dels:
            out.append(Segment("delete", "".join(dels)))
        if ins:
            out.append(Segment("insert", "".join(ins)))
    return out


def similarity(a: str, b: str) -> float:
    """0..1: how much of two texts is the same words."""
    wa, wb = _norm(a).split(), _norm(b).split()
    if not wa and not wb:
        return 1.0
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def _norm(text: str) -> str:
    return " ".join((text or "").split())


# ---- the comparison ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StatementChange:
    kind: str  # kept | moved | changed | added | removed
    text: str  # the new text (the old text for a removed statement)
    old_index: int | None
    new_index: int | None
    citations: tuple[int, ...]  # reference numbers in the new version (the old one for removed)
    old_text: str | None = None  # for changed
    old_citations: tuple[int, ...] = ()  # reference numbers in the old version, for changed
    diff: tuple[Segment, ...] = ()  # word-level, for changed


@dataclass(frozen=True, slots=True)
class PartComparison:
    place: str  # "summary", "bottom_line" or "section:<key>" (edits.Place)
    heading: str
    kind: str  # kept | changed | added | removed (the part as a whole)
    moved: bool  # a section now at another position among the sections
    statements: tuple[StatementChange, ...]

    @property
    def changed(self) -> bool:
        return self.kind != "kept" or self.moved


@dataclass(frozen=True, slots=True)
class ReferenceChange:
    kind: str  # kept | changed (the cited passage text differs) | added | removed
    passage_id: str
    title: str
    old_number: int | None
    new_number: int | None
    diff: tuple[Segment, ...] = ()  # the passage text, for changed


@dataclass(frozen=True, slots=True)
class NoteChange:
    kind: str  # added | removed | changed
    old: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class VersionComparison:
    parts: tuple[PartComparison, ...]
    references: tuple[ReferenceChange, ...]
    note: NoteChange | None
    title: tuple[str, str] | None  # (old, new) when the title changed
    old_version: int | None = None
    new_version: int | None = None

    @property
    def changed(self) -> bool:
        return (any(p.changed for p in self.parts) or any(r.kind != "kept" for r in self.references)
                or self.note is not None or self.title is not None)

    def counts(self) -> dict[str, int]:
        """How many statements were added, removed, changed, moved and kept."""
        out = {k: 0 for k in ("added", "removed", "changed", "moved", "kept")}
        for p in self.parts:
            for s in p.statements:
                out[s.kind] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version, "new_version": self.new_version, "changed": self.changed,
            "counts": self.counts(), "title": list(self.title) if self.title else None,
            "parts": [asdict(p) for p in self.parts],
            "references": [asdict(r) for r in self.references],
            "note": asdict(self.note) if self.note else None,
        }


def compare_versions(old: dict[str, Any], new: dict[str, Any], *, old_version: int | None = None,
                     new_version: int | None = None) -> VersionComparison:
    """What changed from ``old`` to ``new`` (two article dicts, any order of versions)."""
    old_pid, new_pid = _passage_ids(old), _passage_ids(new)
    old_places = {str(p): (p, h, sts) for p, h, sts in places(old)}
    new_places = {str(p): (p, h, sts) for p, h, sts in places(new)}
    old_sections = [k for k, (p, _, _) in old_places.items() if p.part == Place.SECTION]
    new_sections = [k for k, (p, _, _) in new_places.items() if p.part == Place.SECTION]
    moved_sections = _moved(old_sections, new_sections)

    parts: list[PartComparison] = []
    order = list(new_places) + [k for k in old_places if k not in new_places]
    for key in order:
        o = old_places.get(key)
        n = new_places.get(key)
        heading = (n or o)[1]  # type: ignore[index]
        o_sts = o[2] if o else []
        n_sts = n[2] if n else []
        statements = _compare_statements(o_sts, n_sts, old_pid, new_pid)
        if o is None:
            kind = "added"
        elif n is None:
            kind = "removed"
        else:
            kind = "kept" if all(s.kind == "kept" for s in statements) else "changed"
        if not o_sts and not n_sts:
            continue  # an empty bottom line (or summary of an abstained answer) in both
        parts.append(PartComparison(key, heading, kind, key in moved_sections, tuple(statements)))

    o_title, n_title = old.get("title") or "", new.get("title") or ""
    return VersionComparison(
        parts=tuple(parts),
        references=tuple(_compare_references(old, new)),
        note=_compare_note(old.get("editor_note"), new.get("editor_note")),
        title=(o_title, n_title) if o_title != n_title else None,
        old_version=old_version, new_version=new_version,
    )


def compare_stored(repo: Any, article_id: str, old_version: int, new_version: int | None = None
                   ) -> VersionComparison:
    """Two stored versions of an answer (``new_version`` None: the current one), e.g.
    ``compare_stored(repo, aid, 1)``; ArticleNotFoundError when either does not exist."""
    new = repo.get(article_id).version if new_version is None else new_version
    return compare_versions(repo.version_article(article_id, old_version), repo.version_article(article_id, new),
                            old_version=old_version, new_version=new)


def _passage_ids(article: dict[str, Any]) -> dict[int, str]:
    return {int(r["number"]): _ref_key(r) for r in article.get("references", [])}


def _ref_key(r: dict[str, Any]) -> str:
    return str(r.get("passage_id") or f"{r.get('doc_id', '')}:{r.get('title', '')}")


def _moved(old: list[str], new: list[str]) -> set[str]:
    """Keys present in both lists that are not on their longest common ordering."""
    common_old = [k for k in old if k in set(new)]
    common_new = [k for k in new if k in set(old)]
    sm = SequenceMatcher(None, common_old, common_new, autojunk=False)
    stay = {k for a, _, size in sm.get_matching_blocks() for k in common_old[a:a + size]}
    return set(common_new) - stay


def _compare_statements(old: list[dict[str, Any]], new: list[dict[str, Any]], old_pid: dict[int, str],
                        new_pid: dict[int, str]) -> list[StatementChange]:
    o_txt = [_norm(s["text"]) for s in old]
    n_txt = [_norm(s["text"]) for s in new]
    o_cites = [tuple(sorted(old_pid.get(int(c), "?") for c in s.get("citations", []))) for s in old]
    n_cites = [tuple(sorted(new_pid.get(int(c), "?") for c in s.get("citations", []))) for s in new]
    match: dict[int, int] = {}  # new index -> old index
    kinds: dict[int, str] = {}
    # 1. same text in the same relative order: kept
    sm = SequenceMatcher(None, o_txt, n_txt, autojunk=False)
    for a, b, size in sm.get_matching_blocks():
        for k in range(size):
            match[b + k] = a + k
            kinds[b + k] = "kept"
    # 2. same text elsewhere: moved
    free_old = [i for i in range(len(old)) if i not in match.values()]
    for j in range(len(new)):
        if j in match:
            continue
        for i in free_old:
            if o_txt[i] == n_txt[j]:
                match[j] = i
                kinds[j] = "moved"
                free_old.remove(i)
                break
    # 3. mostly the same words: changed (best pairs first)
    pairs = sorted(
        ((similarity(o_txt[i], n_txt[j]), i, j) for j in range(len(new)) if j not in match for i in free_old),
        reverse=True,
    )
    for ratio, i, j in pairs:
        if ratio < CHANGED_MIN_RATIO:
            break
        if j in match or i not in free_old:
            continue
        match[j] = i
        kinds[j] = "changed"
        free_old.remove(i)

    items: list[StatementChange] = []
    for j, s in enumerate(new):
        cites = tuple(int(c) for c in s.get("citations", []))
        found = match.get(j)
        if found is None:
            items.append(StatementChange("added", s["text"], None, j, cites))
            continue
        i = found
        kind = kinds[j]
        if kind != "changed" and o_cites[i] != n_cites[j]:
            kind = "changed"
        if kind == "changed":
            items.append(StatementChange(
                "changed", s["text"], i, j, cites, old_text=old[i]["text"],
                old_citations=tuple(int(c) for c in old[i].get("citations", [])),
                diff=tuple(word_diff(old[i]["text"], s["text"])),
            ))
        else:
            items.append(StatementChange(kind, s["text"], i, j, cites))
    # removed statements go back where they were: after the item that preceded them in the old order
    for i in sorted(free_old):
        removed = StatementChange("removed", old[i]["text"], i, None,
                                  tuple(int(c) for c in old[i].get("citations", [])))
        at = 0
        for pos, it in enumerate(items):
            if it.old_index is not None and it.old_index < i:
                at = pos + 1
        items.insert(at, removed)
    return items


def _compare_references(old: dict[str, Any], new: dict[str, Any]) -> list[ReferenceChange]:
    o = {_ref_key(r): r for r in old.get("references", [])}
    n = {_ref_key(r): r for r in new.get("references", [])}
    out: list[ReferenceChange] = []
    for key, r in n.items():
        prev = o.get(key)
        if prev is None:
            out.append(ReferenceChange("added", key, r.get("title", ""), None, int(r["number"])))
        elif _norm(prev.get("passage", "")) != _norm(r.get("passage", "")):
            out.append(ReferenceChange("changed", key, r.get("title", ""), int(prev["number"]), int(r["number"]),
                                       tuple(word_diff(prev.get("passage", ""), r.get("passage", "")))))
        else:
            out.append(ReferenceChange("kept", key, r.get("title", ""), int(prev["number"]), int(r["number"])))
    for key, r in o.items():
        if key not in n:
            out.append(ReferenceChange("removed", key, r.get("title", ""), int(r["number"]), None))
    return out


def _compare_note(old: Any, new: Any) -> NoteChange | None:
    o = old if isinstance(old, dict) and old.get("text") else None
    n = new if isinstance(new, dict) and new.get("text") else None
    if o is None and n is None:
        return None
    if o is None:
        return NoteChange("added", None, n)
    if n is None:
        return NoteChange("removed", o, None)
    if o.get("text") != n.get("text"):
        return NoteChange("changed", o, n)
    return None
