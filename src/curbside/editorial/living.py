"""Living answers: after a re-ingest, approved answers whose cited passages changed or
vanished are marked "Needs re-review" (repository.mark_needs_rereview), shown publicly,
and rise to the top of the review queue with the source diff.

    report = recheck_approved(repo, store)        # curbside ingest runs this; so does
    report.flagged                                # `curbside review recheck`
    source_diff(change.old, change.new)           # word-level, for the review page

What counts as a change, per reference of an approved answer's current version:

- the passage id still has the same text (whitespace aside): unchanged;
- the same text is now another passage of the same document (a passage inserted before
  it shifts the ordinals): unchanged, the source still says it;
- the passage is gone but one of its copies the reference lists (``also_in``: the same
  text in another manufacturer's label) still says it: unchanged, the statement is
  still supported. The approved version is not rewritten (it keeps citing the label it
  was approved with); copies appearing or vanishing never matter while the cited
  passage itself is unchanged;
- the document is gone, or nothing in it resembles the passage: ``removed``;
- otherwise ``changed``, the new text being the document's passage most like the old one
  (its own id first), so the diff shows what the source says now.

Only ``approved`` answers are checked: an answer under review is checked by its
reviewers, and one already flagged stays flagged. When the Board approves a flagged
version as it is (which needs a comment), the changes it saw stay recorded
(``stale_sources``) and count as acknowledged: the same change does not flag the answer
again at the next ingest; a newer change does. An edit keeps the changes it does not
resolve (``edits.unresolved_changes``), so the source diff stays on the review page.
Cheap when nothing changed: one indexed query per batch of answers for the passages they
cite; documents are read only for passages that differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from curbside.editorial.compare import Segment, similarity, word_diff
from curbside.editorial.edits import RefreshReference, norm_ws
from curbside.editorial.repository import EditorialRepository

BATCH = 100  # approved answers read (and their cited passages fetched) per round
REMOVED_BELOW = 0.2  # a document's best match this unlike the old passage: the passage is gone


class PassageSource(Protocol):
    """What the check needs from the corpus store (store/sqlite.py SQLiteStore)."""

    def texts_by_passage_id(self, passage_ids: Sequence[str]) -> dict[str, str]: ...

    def passages_of_docs(self, doc_ids: Sequence[str]) -> Iterable[Any]: ...  # .doc_id, .passage_id, .text


@dataclass(frozen=True, slots=True)
class SourceChange:
    """One cited passage that is not what the answer quotes any more."""

    reference: int
    passage_id: str
    doc_id: str
    title: str
    kind: str  # changed | removed
    old: str  # the passage as the answer cites it
    new: str | None  # the source's current text (None: removed)
    new_passage_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SourceChange:
        return cls(int(d.get("reference") or 0), str(d.get("passage_id") or ""), str(d.get("doc_id") or ""),
                   str(d.get("title") or ""), str(d.get("kind") or "changed"), str(d.get("old") or ""),
                   d.get("new"), d.get("new_passage_id"))


@dataclass(frozen=True, slots=True)
class FlaggedAnswer:
    article_id: str
    version: int
    question: str
    changes: tuple[SourceChange, ...]


@dataclass(frozen=True, slots=True)
class RecheckReport:
    checked: int  # approved answers looked at
    flagged: tuple[FlaggedAnswer, ...]  # marked needs_rereview by this check

    @property
    def count(self) -> int:
        return len(self.flagged)


def source_diff(old: str, new: str | None) -> list[Segment]:
    """Word-level diff of a cited passage as the answer quotes it (``old``) and as the
    source says it now (``new``; None when removed): segments of kind equal, delete,
    insert, for the review page."""
    return word_diff(old or "", new or "")


def refresh_operations(stale_sources: Iterable[Mapping[str, Any]], article: Mapping[str, Any]
                       ) -> list[RefreshReference]:
    """Edit operations taking each changed source's current text into the answer (the
    review page's "use the current sources"); removed sources have none, their
    statements must be removed instead. Matched to references by passage id."""
    numbers = {str(r.get("passage_id")): int(r["number"]) for r in article.get("references", [])}
    ops = []
    for raw in stale_sources:
        c = SourceChange.from_dict(raw)
        if c.kind == "changed" and c.new and c.passage_id in numbers:
            ops.append(RefreshReference(numbers[c.passage_id], c.new, c.new_passage_id))
    return ops


def changed_sources(article: Mapping[str, Any], current: Mapping[str, str],
                    doc_passages: Mapping[str, list[tuple[str, str]]]) -> list[SourceChange]:
    """The references of ``article`` whose passage differs from the store's. ``current``:
    passage_id -> text now (of the cited passages and of their copies); ``doc_passages``:
    doc_id -> [(passage_id, text)] for the documents of passages that differ (absent or
    empty: the document is gone)."""
    out: list[SourceChange] = []
    for r in article.get("references", []):
        pid, old = str(r.get("passage_id") or ""), r.get("passage") or ""
        now = current.get(pid)
        if now is not None and norm_ws(now) == norm_ws(old):
            continue
        if now is None and any(norm_ws(current.get(str(o.get("passage_id")), "\0")) == norm_ws(old)
                               for o in r.get("also_in") or ()):
            continue  # gone, but a copy in another document says the same words
        passages = doc_passages.get(str(r.get("doc_id") or ""), [])
        if any(norm_ws(text) == norm_ws(old) for _, text in passages):
            continue  # the same words, at another ordinal of the same document
        ref, doc, title = int(r["number"]), str(r.get("doc_id") or ""), str(r.get("title") or "")
        best_pid, best_text, best = None, None, -1.0
        for other_pid, text in passages:
            score = similarity(old, text) + (0.05 if other_pid == pid else 0.0)
            if score > best:
                best_pid, best_text, best = other_pid, text, score
        if best_text is None or (best < REMOVED_BELOW and now is None):
            out.append(SourceChange(ref, pid, doc, title, "removed", old, None))
        else:
            out.append(SourceChange(ref, pid, doc, title, "changed", old, best_text,
                                    new_passage_id=best_pid if best_pid != pid else None))
    return out


def _acknowledged(stale: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """passage_id -> the current text the Board saw when it approved this version again."""
    return {str(c.get("passage_id")): norm_ws(c.get("new") or "") for c in stale}


def recheck_approved(repo: EditorialRepository, store: PassageSource, *, batch: int = BATCH) -> RecheckReport:
    """Mark every approved answer whose cited passages changed or vanished as needing
    re-review. Safe to run any time (repeating it changes nothing)."""
    checked = 0
    flagged: list[FlaggedAnswer] = []
    after = ""
    while True:
        rows = repo.approved_versions(after=after, limit=batch)
        if not rows:
            break
        after = rows[-1][0]
        checked += len(rows)
        current = store.texts_by_passage_id(
            [str(r.get("passage_id")) for _, _, a, _ in rows for r in a.get("references", [])]
            + [str(o.get("passage_id")) for _, _, a, _ in rows for r in a.get("references", [])
               for o in r.get("also_in") or ()])
        differing_docs = sorted({
            str(r.get("doc_id") or "") for _, _, a, _ in rows for r in a.get("references", [])
            if norm_ws(current.get(str(r.get("passage_id")), "\0")) != norm_ws(r.get("passage") or "")
        })
        doc_passages: dict[str, list[tuple[str, str]]] = {}
        if differing_docs:
            for p in store.passages_of_docs(differing_docs):
                doc_passages.setdefault(p.doc_id, []).append((p.passage_id, p.text))
        for aid, version, article, stale in rows:
            changes = changed_sources(article, current, doc_passages)
            if not changes:
                continue
            seen = _acknowledged(stale)
            if all(seen.get(c.passage_id) == norm_ws(c.new or "") for c in changes):
                continue  # the Board re-approved this version knowing these changes
            if repo.mark_needs_rereview(aid, [c.to_dict() for c in changes], expected_version=version):
                flagged.append(FlaggedAnswer(aid, version, str(article.get("question") or ""), tuple(changes)))
    return RecheckReport(checked, tuple(flagged))


def recheck(database_url: str, data_dir: Path, *, only_if_present: bool = False) -> RecheckReport | None:
    """Open the corpus store (read-only) and the editorial database and run the check.
    With ``only_if_present`` (after an ingest), an embedded database that does not exist
    yet is not created: there is nothing to check (returns None)."""
    from curbside import paths
    from curbside.editorial.db import SQLITE_FILE
    from curbside.errors import NotIngestedError
    from curbside.store.sqlite import SQLiteStore

    if only_if_present and not database_url.strip() and not (Path(data_dir) / SQLITE_FILE).exists():
        return None
    store_path = paths.store_file(Path(data_dir))
    if not store_path.exists():
        raise NotIngestedError(f"No corpus is ingested in {data_dir}.", fix="Run `curbside ingest` first.")
    store = SQLiteStore(store_path, readonly=True)
    try:
        repo = EditorialRepository.open(database_url, Path(data_dir))
        try:
            return recheck_approved(repo, store)
        finally:
            repo.close()
    finally:
        store.close()
