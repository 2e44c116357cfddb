"""Writes the field tables of docs/ARTICLE_SCHEMA.md from the article model
(src/curbside/schema_doc.py). Run it after changing the model; with --check it only
says whether the document is current (tests/unit/test_schema_doc.py checks the same).

    PYTHONPATH=src .venv/bin/python scripts/article_schema.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from curbside.schema_doc import with_tables

DOC = Path(__file__).resolve().parents[1] / "docs" / "ARTICLE_SCHEMA.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the document is not what the model makes")
    args = parser.parse_args()
    doc = DOC.read_text(encoding="utf-8")
    new = with_tables(doc)
    if args.check:
        if new != doc:
            print(f"{DOC} is out of date: run scripts/article_schema.py", file=sys.stderr)
            return 1
        return 0
    if new != doc:
        DOC.write_text(new, encoding="utf-8")
        print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
