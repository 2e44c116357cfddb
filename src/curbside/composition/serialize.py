"""The article as a JSON dict and back: what the editorial store keeps and its code
(edits, comparisons, living answers) works on. The model (types.Article and its parts)
is the one definition of the document; these are its two directions, named for the
callers that hold dicts. docs/ARTICLE_SCHEMA.md is generated from the model
(scripts/article_schema.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curbside.types import SCHEMA_VERSION, Article, Quote

__all__ = ["SCHEMA_VERSION", "article_from_dict", "article_to_dict", "quote_from_dict", "quote_to_dict"]


def article_to_dict(a: Article) -> dict[str, Any]:
    return a.to_json()


def article_from_dict(d: Mapping[str, Any]) -> Article:
    """The article of a 1.x document (pydantic.ValidationError, a ValueError, when it is not one)."""
    return Article.from_json(d)


def quote_to_dict(q: Quote) -> dict[str, Any]:
    return q.to_json()


def quote_from_dict(d: Mapping[str, Any] | None) -> Quote | None:
    """The quote of a statement dict's ``quote`` (None when absent: schema 1.0 and 1.1)."""
    return Quote.from_json(d) if d else None
