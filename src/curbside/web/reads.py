"""Counting page reads without making a GET wait for a write: reads are counted in memory
and added to ``articles.reads`` in batches by a background thread (``UPDATE articles SET
reads=reads+?``).

    counter = ReadCounter(repo.add_reads, interval=30)
    counter.start()          # app lifespan: a daemon thread flushes every ``interval`` s
    counter.hit(article_id)  # article page served (HTML or JSON): a dict update under a lock
    counter.close()          # shutdown: stop the thread, flush what is left

A request thread never touches the database for a read: when ``max_pending`` reads pile
up before the next tick, ``hit`` only wakes the flusher thread. A failed flush keeps its
counts for the next one (logged), so a database hiccup loses no reads; a crash loses at
most one interval's reads, which is fine for a "most read" ordering.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping

log = logging.getLogger("curbside.web")

FLUSH_SECONDS = 30.0
MAX_PENDING = 1000


class ReadCounter:
    def __init__(self, flush_to: Callable[[Mapping[str, int]], None], *, interval: float = FLUSH_SECONDS,
                 max_pending: int = MAX_PENDING) -> None:
        self._flush_to = flush_to
        self.interval = interval
        self.max_pending = max_pending
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()  # one flush at a time (timer thread and close)
        self._pending: Counter[str] = Counter()
        self._n = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hit(self, article_id: str) -> None:
        with self._lock:
            self._pending[article_id] += 1
            self._n += 1
            full = self._n >= self.max_pending
        if full:
            self._wake.set()

    @property
    def pending(self) -> dict[str, int]:
        with self._lock:
            return dict(self._pending)

    def flush(self) -> int:
        """Write the pending counts; returns how many reads were written."""
        with self._flush_lock:
            with self._lock:
                batch, self._pending, self._n = self._pending, Counter(), 0
            if not batch:
                return 0
            try:
                self._flush_to(batch)
            except Exception:  # noqa: BLE001 - keep the counts, try again at the next tick
                log.exception("could not write %d page reads; kept for the next flush", sum(batch.values()))
                with self._lock:
                    self._pending.update(batch)
                    self._n += sum(batch.values())
                return 0
            return sum(batch.values())

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="curbside-read-counter", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if not self._stop.is_set():
                self.flush()

    def close(self) -> None:
        """Stop the flusher and write what is left (app shutdown)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.flush()
