"""Time for accounts: one ``now`` (a datetime, replaceable in tests) and the text form the
editorial database stores (``2025-08-24T10:00:00Z``, which sorts as time does)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Now = Callable[[], datetime]
FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(FORMAT)
