"""Frozen records the editorial repository returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from curbside.editorial.workflow import Status


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """One line of the audit trail: who did what to which version, when."""

    seq: int
    article_id: str
    version: int
    actor: str  # a reviewer's name, or "curbside" for system events
    action: str  # submit, start, approve, request_changes, resubmit, new_version, revalidate
    from_status: str | None
    to_status: str
    note: str | None
    at: str  # UTC, ISO 8601


@dataclass(frozen=True, slots=True)
class VersionInfo:
    version: int
    corpus_version: str
    settings_hash: str
    content_hash: str
    created: str
    checked: str  # last time this content was confirmed against a corpus version
    reason: str


@dataclass(frozen=True, slots=True)
class StoredArticle:
    id: str
    slug: str
    question: str
    audience: str
    context: str | None  # the previous question, for a follow-up
    follows: str | None  # id of the answer this one follows up
    status: Status
    version: int  # current version number (the optimistic-concurrency token)
    created: str
    updated: str
    corpus_version: str
    settings_hash: str
    version_created: str
    article: dict[str, Any] = field(compare=False)  # article_to_dict of the current version
    reviewers: tuple[str, ...] = ()  # who reviewed the current version, in order
    approved_at: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.slug}-{self.id}"

    @property
    def url(self) -> str:
        return f"/a/{self.ref}"

    def review_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "status_label": self.status.label,
            "step": self.status.step,
            "version": self.version,
            "reviewers": list(self.reviewers),
            "approved_at": self.approved_at,
            "pending_human_review": self.status is not Status.APPROVED,
            "updated": self.updated,
        }


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """A stored answer without its content (for lists and search)."""

    id: str
    slug: str
    question: str
    audience: str
    status: Status
    version: int
    updated: str

    @property
    def url(self) -> str:
        return f"/a/{self.slug}-{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "url": self.url, "question": self.question, "audience": self.audience,
            "status": self.status.value, "version": self.version, "updated": self.updated,
        }
