"""The article JSON (composition/serialize.py): statements carry their quote since
schema 1.2; older articles read with quote None."""

from __future__ import annotations

import json

from curbside.composition.serialize import (
    SCHEMA_VERSION,
    article_from_dict,
    article_to_dict,
)
from curbside.types import (
    Article,
    Audience,
    Cut,
    CutKind,
    DrugMention,
    Entities,
    QuestionType,
    Quote,
    Reference,
    Section,
    SourceType,
    Statement,
)

PASSAGE = "1 INDICATIONS Baclofen is indicated for spasticity [see Clinical Studies (14)]. Taper on stopping."


def _article() -> Article:
    xref = PASSAGE.index(" [see")
    quote = Quote("label:a#0", ((14, xref), (PASSAGE.index("]") + 1, PASSAGE.index("]") + 2)),
                  (Cut(0, 14, CutKind.HEADING), Cut(xref, PASSAGE.index("]") + 1, CutKind.CROSS_REFERENCE)))
    st = Statement("Baclofen is indicated for spasticity.", (1,), quote)
    return Article(
        question="What is baclofen for?", audience=Audience.PHYSICIAN, question_type=QuestionType.INDICATION,
        entities=Entities((DrugMention("baclofen", "baclofen", "generic"),)), title="What is baclofen for?",
        summary=(st,), sections=(Section("indications", "Approved indications", (st,)),), bottom_line=(),
        references=(Reference(1, SourceType.DRUG_LABEL, "Baclofen", "Acme", 2020, None, "label:a", "label:a#0",
                              "Indications and usage", PASSAGE),),
        uncovered=(), abstained=False, abstain_reason=None, last_updated="2020", corpus_version="c",
        settings_hash="s", timings_ms={"total": 1.0},
    )


def test_quotes_round_trip_through_json():
    a = _article()
    d = json.loads(json.dumps(article_to_dict(a)))
    assert d["schema_version"] == SCHEMA_VERSION == "1.3"
    assert d["summary"][0]["quote"] == {
        "passage_id": "label:a#0",
        "spans": [[14, PASSAGE.index(" [see")], [PASSAGE.index("]") + 1, PASSAGE.index("]") + 2]],
        "cuts": [{"start": 0, "end": 14, "kind": "heading"},
                 {"start": PASSAGE.index(" [see"), "end": PASSAGE.index("]") + 1, "kind": "cross_reference"}],
    }
    b = article_from_dict(d)
    assert b == a and b.sections[0].statements[0].quote == a.summary[0].quote


def test_older_articles_read_with_no_quote():
    d = article_to_dict(_article())
    d["schema_version"] = "1.1"
    for st in (*d["summary"], *d["sections"][0]["statements"]):
        del st["quote"]
    b = article_from_dict(d)
    assert b.summary[0].quote is None and b.sections[0].statements[0].text == "Baclofen is indicated for spasticity."
