"""Per-client token buckets in memory: the ask limit (new questions per client address)
and the refusal-log limit (how many refused requests per client are written to the
audit log, so a flood of forged requests cannot flood the database).

In memory means per app instance: with several instances behind a balancer each keeps
its own count, so a client may get up to that many times the limit. (Sign-in is
limited through the audit log instead, which every instance shares: accounts/service.py.)
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from fastapi import Request

from curbside.accounts import Permission, TooManyRequestsError

MAX_CLIENTS = 10_000  # beyond this, clients whose buckets are full again are forgotten


class RateLimiter:
    """``per_minute`` tokens a minute per key, at most ``burst`` saved up; 0 turns it off."""

    def __init__(self, per_minute: float, burst: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = max(0.0, float(per_minute)) / 60.0
        self.burst = max(1.0, float(burst))
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: str) -> float:
        """Spend one token of ``key``: 0.0 when allowed, else seconds until one is due."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > MAX_CLIENTS:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        for k, (tokens, at) in list(self._buckets.items()):
            if tokens + (now - at) * self.rate >= self.burst:
                del self._buckets[k]
        if len(self._buckets) > MAX_CLIENTS:  # a flood from many addresses: keep the newest half
            for k, _ in sorted(self._buckets.items(), key=lambda kv: kv[1][1])[: len(self._buckets) // 2]:
                del self._buckets[k]


def enforce_ask_limit(request: Request) -> None:
    """New questions from one client address are paced by ``app.state.ask_limiter``
    (settings ``ask_rate_per_minute``, ``ask_burst``); signed-in users whose role has
    ASK_UNLIMITED (Board members) are not. Over the limit: 429 with Retry-After, logged."""
    from curbside.web import auth

    limiter: RateLimiter | None = getattr(request.app.state, "ask_limiter", None)
    if limiter is None or not limiter.enabled:
        return
    user = auth.current_user(request)
    if user is not None and user.can(Permission.ASK_UNLIMITED):
        return
    wait = limiter.take(auth.client_address(request))
    if not wait:
        return
    seconds = max(1, math.ceil(wait))
    per_minute = request.app.state.settings.ask_rate_per_minute
    auth.log_refusal(request, "ask", actor=user.actor() if user else None, target=request.url.path,
                     detail=f"over {per_minute} questions a minute")
    raise TooManyRequestsError(
        f"Too many questions from your address: at most {per_minute} a minute.",
        fix=f"Wait {seconds} second{'s' if seconds != 1 else ''} and ask again. "
            "Stored answers can still be read and searched.",
        retry_after=seconds)
