"""The saved vocabularies (drug lexicon, condition matcher): one compact JSON object
with a format name and version, written atomically, fields of many short strings
joined with "|" so that loading stays fast."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write(path: Path, fmt: str, version: int, fields: dict[str, Any]) -> None:
    """Write ``fields`` under a format name and version; a reader never sees half a file."""
    payload = {"format": fmt, "version": version, **fields}
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, separators=(",", ":"), ensure_ascii=False), "utf-8")
    tmp.replace(path)


def read(path: Path, fmt: str, version: int, what: str) -> dict[str, Any]:
    """The saved fields; ValueError when the file is of another format or version."""
    data = json.loads(path.read_text("utf-8"))
    if data.get("format") != fmt or data.get("version") != version:
        raise ValueError(f"{path} is not a version {version} {what}; rebuild it")
    return data


def split(data: dict[str, Any], field: str) -> list[str]:
    """A "|"-joined field as a list (empty field, empty list)."""
    return data[field].split("|") if data[field] else []
