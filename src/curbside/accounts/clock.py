"""Time for accounts: one ``now`` (a datetime, replaceable in tests) and the text form the
editorial database stores (``2025-08-24T10:00:00Z``, which sorts as time does)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from curbside.editorial.schema import stamp

Now = Callable[[], datetime]
__all__ = ["Now", "stamp", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)
