"""The two helpers every editorial write uses (the tables live in migrations.py)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

_VOLATILE = ("timings_ms", "corpus_version", "settings_hash")


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_hash(article: dict[str, Any]) -> str:
    """What a reviewer approves: the article without timings and provenance stamps."""
    stable = {k: v for k, v in article.items() if k not in _VOLATILE}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
