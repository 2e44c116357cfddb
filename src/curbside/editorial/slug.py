"""Stable, readable article addresses: ``<slug>-<id>``."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

MAX_SLUG_CHARS = 80
ID_CHARS = 8
_NON_WORD = re.compile(r"[^a-z0-9]+")
_ID = re.compile(r"^[0-9a-f]{8,64}$")


def normalize(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def article_key(question: str, audience: str, context: str | None) -> str:
    """The identity of an answer: same question (case/spacing aside), reader and context."""
    blob = json.dumps([normalize(question), audience, normalize(context)], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG_CHARS:
        cut = slug[:MAX_SLUG_CHARS]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "answer"


def split_ref(ref: str) -> tuple[str, str]:
    """``what-is-x-7f3a9c12`` -> (slug, id); a bare id gives ("", id)."""
    slug, _, tail = ref.rpartition("-")
    if _ID.match(tail):
        return slug, tail
    return "", ref if _ID.match(ref) else ""
