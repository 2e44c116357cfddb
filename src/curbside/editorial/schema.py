"""The two helpers every editorial write uses (the tables live in migrations.py)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

# stamps of when and how an answer was made, not what it says; the schema version and a
# statement's recorded quote (where its words sit in the passage) describe the same words
_VOLATILE = ("timings_ms", "corpus_version", "settings_hash", "schema_version")
_PARTS = ("summary", "bottom_line")


TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # how the editorial database stores a time (sorts as time does)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def utc_now() -> str:
    return stamp(datetime.now(UTC))


def _words(statements: Any) -> Any:
    if not isinstance(statements, list):
        return statements
    return [{k: v for k, v in s.items() if k != "quote"} if isinstance(s, dict) else s for s in statements]


def content_hash(article: dict[str, Any]) -> str:
    """What a reviewer approves: the article's words, citations and sources, without
    timings, provenance stamps, the schema version or the recorded quote offsets (so an
    answer stored before schema 1.2 is the same answer when regenerated with quotes)."""
    stable = {k: v for k, v in article.items() if k not in _VOLATILE}
    for part in _PARTS:
        if part in stable:
            stable[part] = _words(stable[part])
    if isinstance(stable.get("sections"), list):
        stable["sections"] = [{**sec, "statements": _words(sec.get("statements"))} if isinstance(sec, dict) else sec
                              for sec in stable["sections"]]
    return hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
