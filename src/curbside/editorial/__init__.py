"""editorial stage: stored answers, versions and the Medical Advisory Board review.

    repo = EditorialRepository.open(settings.database_url, settings.data_dir)
    stored, outcome = repo.save_answer(question, audience, article_to_dict(article))
    repo.transition(stored.id, "start", reviewer_actor, expected_version=stored.version)

workflow.py: the state machine; repository.py: answers, versions, review (storage
guarantees); db.py + migrations.py: SQLite or PostgreSQL and the schema; audit.py: the
append-only audit log.
"""

from curbside.editorial.errors import (
    ArticleNotFoundError,
    EditorialError,
    InvalidTransitionError,
    NotAllowedError,
    ReviewInputError,
    VersionConflictError,
)
from curbside.editorial.models import SYSTEM, Actor, ArticleSummary, Reviewer, ReviewEvent, StoredArticle, VersionInfo
from curbside.editorial.repository import EditorialRepository
from curbside.editorial.workflow import TRACK, Action, Status

__all__ = [
    "SYSTEM",
    "TRACK",
    "Action",
    "Actor",
    "ArticleNotFoundError",
    "ArticleSummary",
    "EditorialError",
    "EditorialRepository",
    "InvalidTransitionError",
    "NotAllowedError",
    "ReviewEvent",
    "Reviewer",
    "ReviewInputError",
    "Status",
    "StoredArticle",
    "VersionConflictError",
    "VersionInfo",
]
