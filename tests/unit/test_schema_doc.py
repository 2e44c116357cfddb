"""docs/ARTICLE_SCHEMA.md is generated from the article model (schema_doc.py): the
committed document is what scripts/article_schema.py writes, and the model describes
every field it writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from curbside.schema_doc import BEGIN, END, article_json_schema, with_tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "ARTICLE_SCHEMA.md"


def test_the_committed_document_is_what_the_model_makes() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert with_tables(doc) == doc, "docs/ARTICLE_SCHEMA.md is out of date: run scripts/article_schema.py"


def test_every_field_has_a_meaning_and_every_object_a_table() -> None:
    schema = article_json_schema()
    objects = {"Article": schema, **{k: v for k, v in schema["$defs"].items() if "properties" in v}}
    doc = DOC.read_text(encoding="utf-8")
    for name, obj in objects.items():
        assert obj.get("description"), name
        assert f"### {name}\n" in doc, name
        for field, prop in obj["properties"].items():
            assert prop.get("description"), f"{name}.{field} has no description"
    documented = set(re.findall(r"^\| `(\w+)` \|", doc.split(BEGIN)[1].split(END)[0], re.M))
    assert documented == {f for obj in objects.values() for f in obj["properties"]}


def test_a_document_without_the_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="no generated part"):
        with_tables("# Article JSON\n")
