"""editorial stage: stored answers, versions and the Medical Advisory Board review.

    repo = EditorialRepository.for_data_dir(settings.data_dir)
    stored, outcome = repo.save_answer(question, audience, article_to_dict(article))
    repo.transition(stored.id, "start", "Dr Rivera", expected_version=stored.version)

See workflow.py for the state machine and repository.py for the storage guarantees.
"""

from curbside.editorial.errors import (
    ArticleNotFoundError,
    EditorialError,
    InvalidTransitionError,
    ReviewInputError,
    VersionConflictError,
)
from curbside.editorial.models import ArticleSummary, ReviewEvent, StoredArticle, VersionInfo
from curbside.editorial.repository import EditorialRepository
from curbside.editorial.workflow import TRACK, Action, Status

__all__ = [
    "TRACK",
    "Action",
    "ArticleNotFoundError",
    "ArticleSummary",
    "EditorialError",
    "EditorialRepository",
    "InvalidTransitionError",
    "ReviewEvent",
    "ReviewInputError",
    "Status",
    "StoredArticle",
    "VersionConflictError",
    "VersionInfo",
]
