"""The review state machine, as pure data and one function.

    submitted ──start──► under_review ──approve──────────► approved
        ▲                 ▲  │  │  ▲                        │ a cited passage changed
        │                 │  │  │  └──────start──────── needs_rereview ◄┘ at re-ingest
     resubmit             │  │  └──reject──► rejected
        │            start│  │request_changes
        └──────────── changes_requested

A new version of the article (an editor's edit) puts it back to ``submitted`` whatever
its status was; approval always applies to one version. A new corpus regenerates only
answers nobody has touched yet (``regenerable``: a generated version, still submitted);
the others keep their version, and the living-answers check flags approved ones whose
cited passages changed.
"""

from __future__ import annotations

from enum import Enum

from curbside.editorial.errors import InvalidTransitionError, ReviewInputError


class Status(str, Enum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    NEEDS_REREVIEW = "needs_rereview"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def step(self) -> int:
        """Position on the three-step track Submitted (1) / Under Review (2) / Approved (3)."""
        return _STEPS[self]


class Action(str, Enum):
    START = "start"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    RESUBMIT = "resubmit"
    REJECT = "reject"

    @classmethod
    def parse(cls, raw: str) -> Action:
        key = (raw or "").strip().lower().replace("-", "_")
        try:
            return cls(key)
        except ValueError:
            allowed = ", ".join(a.value for a in cls)
            raise ReviewInputError(
                f"Unknown review action {raw!r}.", fix=f"Use one of: {allowed}."
            ) from None


_STATUS_LABELS = {
    Status.SUBMITTED: "Submitted",
    Status.UNDER_REVIEW: "Under Review",
    Status.CHANGES_REQUESTED: "Changes requested",
    Status.APPROVED: "Approved",
    Status.REJECTED: "Rejected",
    Status.NEEDS_REREVIEW: "Needs re-review",
}
_STEPS = {
    Status.SUBMITTED: 1,
    Status.UNDER_REVIEW: 2,
    Status.CHANGES_REQUESTED: 2,
    Status.APPROVED: 3,
    Status.REJECTED: 2,
    Status.NEEDS_REREVIEW: 2,
}
TRACK = (("submitted", "Submitted"), ("under_review", "Under Review"), ("approved", "Approved"))

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.SUBMITTED, Action.START): Status.UNDER_REVIEW,
    (Status.UNDER_REVIEW, Action.APPROVE): Status.APPROVED,
    (Status.UNDER_REVIEW, Action.REQUEST_CHANGES): Status.CHANGES_REQUESTED,
    (Status.CHANGES_REQUESTED, Action.START): Status.UNDER_REVIEW,
    (Status.CHANGES_REQUESTED, Action.RESUBMIT): Status.SUBMITTED,
    (Status.UNDER_REVIEW, Action.REJECT): Status.REJECTED,
    (Status.NEEDS_REREVIEW, Action.START): Status.UNDER_REVIEW,
}

MAX_NOTE_CHARS = 2000


def regenerable(status: Status, author_id: int | None) -> bool:
    """May a new corpus replace this answer's current version with a freshly generated
    one? Only while it is a generated version (no person made it) that nobody on the
    Board has acted on (``submitted``). An edit, a claim, a decision or a "Needs
    re-review" flag is never overwritten: source changes reach those answers through the
    living-answers check (living.py) and the Board."""
    return status is Status.SUBMITTED and author_id is None


def allowed_actions(status: Status) -> list[Action]:
    return [a for (s, a) in TRANSITIONS if s is status]


def next_status(status: Status, action: Action) -> Status:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        allowed = ", ".join(a.value for a in allowed_actions(status)) or "none (a new version restarts review)"
        raise InvalidTransitionError(
            f"Cannot {action.value.replace('_', ' ')} an article that is {status.label.lower()}.",
            fix=f"Allowed from {status.value}: {allowed}. Reload the article to see its current status.",
        ) from None


def clean_note(raw: str | None, action: Action) -> str | None:
    note = (raw or "").strip() or None
    if note and len(note) > MAX_NOTE_CHARS:
        raise ReviewInputError(
            f"The note is longer than {MAX_NOTE_CHARS} characters.", fix="Shorten the note."
        )
    if action in (Action.REQUEST_CHANGES, Action.REJECT) and not note:
        what = "Requesting changes needs a note saying what to change" if action is Action.REQUEST_CHANGES \
            else "Rejecting needs a note saying why"
        raise ReviewInputError(f"{what}.", fix="Pass --note TEXT (API: \"note\").")
    return note
