"""Checks on what comes from outside before anything uses it.

``check_text``: questions, follow-up context, reviewer names and notes must be text. A
JSON body may escape a lone surrogate (``"\\udcff"``) and Python turns argv bytes that are
not UTF-8 into lone surrogates (surrogateescape); such a string cannot be encoded, so it
is refused where it enters (web request models, ``clean_question``, the CLI) with
``InvalidTextError`` (400 ``invalid_text``; exit 2).

``MAX_INT``: every integer a request carries (query, path, body, form) is at most this,
so a huge number is a 4xx, never a database overflow.

``web_url``: only absolute http(s) URLs become links; a source's ``javascript:``,
``data:`` or scheme-relative URL is dropped where sources are read and again where
links are rendered.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from curbside.errors import InvalidTextError

MAX_INT = 2**31 - 1  # the largest number a request may send (an offset, a version, an id): both databases store it
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WEB_SCHEMES = frozenset({"http", "https"})


def check_text(value: str, what: str) -> str:
    """``value`` unchanged, or InvalidTextError naming ``what`` ("question", "note"...)."""
    if _SURROGATE.search(value):
        raise InvalidTextError(
            f"The {what} is not valid text: it holds bytes that are not UTF-8 (or an escaped lone surrogate "
            "such as \\udcff).",
            fix=f"Type the {what} again in plain characters, or send it encoded as UTF-8.",
        )
    return value


def is_text(value: str) -> bool:
    """``value`` holds no lone surrogate (``check_text`` without raising)."""
    return not _SURROGATE.search(value)


def web_url(raw: str | None) -> str | None:
    """``raw`` (trimmed) when it is an absolute http or https URL with a host, else None."""
    url = (raw or "").strip()
    if not url or _CONTROL.search(url) or _SURROGATE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _WEB_SCHEMES or not parts.hostname:
        return None
    return url
