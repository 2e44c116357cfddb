"""Frozen records the editorial repository returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any

from pydantic import Field
from pydantic.dataclasses import dataclass as json_dataclass

from curbside.editorial.workflow import Status, regenerable
from curbside.types import JSON_CONFIG, Article, JsonDocument


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something: a signed-in Board member (``id`` set) or curbside itself.
    Names on pages and in the trail come from here, never from a request body."""

    username: str
    display_name: str
    id: int | None = None
    credentials: str = ""
    role: str = "system"

    @property
    def label(self) -> str:
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name


SYSTEM = Actor("curbside", "curbside")


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class Reviewer(JsonDocument):
    """A reviewer of a version as the page shows them: name and credentials."""

    name: Annotated[str, Field(description="the reviewer's name")]
    credentials: Annotated[str, Field(description="degrees and specialty, e.g. MD, neurology")] = ""

    def __str__(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class Review(JsonDocument):
    """Where a stored answer is in review (the API's ``review``)."""

    status: Annotated[Status, Field(description="the review status of the current version")]
    status_label: Annotated[str, Field(description="the status as pages show it")]
    step: Annotated[int, Field(description="position on the track Submitted (1), Under Review (2), Approved (3)")]
    version: Annotated[int, Field(description="the current version: a review's expected_version")]
    reviewers: Annotated[tuple[str, ...], Field(description="names of who reviewed the current version, in order")]
    reviewed_by: Annotated[tuple[Reviewer, ...], Field(description="the same reviewers with their credentials")]
    approved_at: Annotated[str | None, Field(description="when the current version was approved (UTC, ISO 8601)")]
    pending_human_review: Annotated[bool, Field(description="true until the current version is approved")]
    needs_rereview: Annotated[bool, Field(description="approved earlier, and a source it quotes changed since")]
    updated: Annotated[str, Field(description="when the answer last changed (UTC, ISO 8601)")]


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """One line of the audit trail: who did what to which version, when."""

    seq: int
    article_id: str
    version: int
    actor: str  # the user's display name at the time, or "curbside" for system events
    action: str  # submit, start, approve, request_changes, reject, resubmit, new_version, edit, revalidate, stale
    from_status: str | None
    to_status: str
    note: str | None
    at: str  # UTC, ISO 8601
    actor_id: int | None = None


@dataclass(frozen=True, slots=True)
class VersionInfo:
    version: int
    corpus_version: str
    settings_hash: str
    content_hash: str
    created: str
    checked: str  # last time this content was confirmed against a corpus version
    reason: str
    author: str = "curbside"
    author_id: int | None = None


@dataclass(frozen=True)  # no slots: ``article_model`` is cached on the instance
class StoredArticle:
    """A stored answer: its review state and the current version's article. ``article`` is
    the article JSON as stored (the editorial code edits and compares these dicts);
    ``article_model`` is the same article as the typed model the pages render."""

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
    article: dict[str, Any] = field(compare=False)  # Article.to_json() of the current version (or an edit of it)
    reviewed_by: tuple[Reviewer, ...] = ()  # who reviewed the current version, in order
    approved_at: str | None = None
    version_author_id: int | None = None  # who made the current version (None: curbside)
    question_type: str = ""
    reads: int = 0
    stale_sources: tuple[dict[str, Any], ...] = ()  # cited passages a re-ingest changed or removed

    @cached_property
    def article_model(self) -> Article:
        """The article, validated (an article stored as schema 1.0 or 1.1 reads as 1.2)."""
        return Article.from_json(self.article)

    @property
    def regenerable(self) -> bool:
        """A new corpus may replace this answer with a freshly generated version
        (repository.regenerable: generated, and still only submitted)."""
        return regenerable(self.status, self.version_author_id)

    @property
    def reviewers(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.reviewed_by)

    @property
    def ref(self) -> str:
        return f"{self.slug}-{self.id}"

    @property
    def url(self) -> str:
        return f"/a/{self.ref}"

    @property
    def review(self) -> Review:
        return Review(
            status=self.status, status_label=self.status.label, step=self.status.step, version=self.version,
            reviewers=self.reviewers, reviewed_by=self.reviewed_by, approved_at=self.approved_at,
            pending_human_review=self.status is not Status.APPROVED,
            needs_rereview=self.status is Status.NEEDS_REREVIEW, updated=self.updated,
        )

    def review_dict(self) -> dict[str, Any]:
        return self.review.to_json()


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """A stored answer without its content (for lists, the queue and search)."""

    id: str
    slug: str
    question: str
    audience: str
    status: Status
    version: int
    updated: str
    question_type: str = ""
    reads: int = 0
    created: str = ""

    @property
    def url(self) -> str:
        return f"/a/{self.slug}-{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "url": self.url, "question": self.question, "audience": self.audience,
            "status": self.status.value, "version": self.version, "updated": self.updated,
            "question_type": self.question_type, "reads": self.reads, "created": self.created,
        }
