"""The citation integrity check (composition/verify.py): a statement is exactly the spans
it records of its passage, minus legitimate cuts. Altered statements are refused."""

from __future__ import annotations

import dataclasses

import pytest

from curbside.composition.quoting import Snippet
from curbside.composition.sentences import clean_snippet, sentence_snippets
from curbside.composition.verify import verify
from curbside.types import Cut, CutKind, Quote, Statement

PID = "label:a#1"
PASSAGE = (
    "1 INDICATIONS AND USAGE Baclofen is useful for the alleviation of signs and symptoms of spasticity "
    "resulting from multiple sclerosis [see Clinical Studies (14.1)]. Baclofen is not indicated in the "
    "treatment of skeletal muscle spasm resulting from rheumatic disorders. The usual dose is 40 to 80 mg "
    "daily in divided doses."
)
OTHER_PID = "label:b#1"
OTHER = "Baclofen is indicated in the treatment of skeletal muscle spasm resulting from rheumatic disorders."


def composed(passage: str = PASSAGE, pid: str = PID) -> list[Statement]:
    """The passage's statements as the composer makes them: each with its quote."""
    out = []
    for raw in sentence_snippets(passage):
        sn = clean_snippet(raw, 400)
        assert sn is not None
        out.append(Statement(sn.text, (1,), sn.quote(pid)))
    return out


def _check(st: Statement, passage: str = PASSAGE, pid: str | None = PID):
    return verify(st, passage, passage_id=pid)


def _span(passage: str, text: str) -> tuple[int, int]:
    i = passage.index(text)
    return i, i + len(text)


def test_composed_statements_verify():
    sts = composed()
    assert [s.text for s in sts] == [
        ("Baclofen is useful for the alleviation of signs and symptoms of spasticity resulting from multiple "
         "sclerosis."),
        "Baclofen is not indicated in the treatment of skeletal muscle spasm resulting from rheumatic disorders.",
        "The usual dose is 40 to 80 mg daily in divided doses.",
    ]
    for st in sts:
        assert _check(st).ok, _check(st).reason
    heading, xref = sts[0].quote.cuts  # type: ignore[union-attr]
    assert (heading.kind, xref.kind) == (CutKind.HEADING, CutKind.CROSS_REFERENCE)
    assert PASSAGE[xref.start:xref.end] == " [see Clinical Studies (14.1)]"


def test_whitespace_in_the_passage_is_one_space_in_the_statement():
    passage = "Baclofen  is useful\n for   the alleviation of spasticity."
    (st,) = composed(passage)
    assert st.text == "Baclofen is useful for the alleviation of spasticity."
    assert _check(st, passage).ok


def test_a_dropped_word_is_refused():
    st = composed()[0]
    q = st.quote
    assert q is not None
    dropped = dataclasses.replace(st, text=st.text.replace("signs and symptoms", "signs symptoms"))
    assert not _check(dropped).ok  # the same quote gives other text
    # spans that skip "and " without saying so, or call it a cut of any kind
    a = PASSAGE.index("and symptoms")
    first, *rest = q.spans
    split = ((first[0], a), (a + 4, first[1]), *rest)
    verdict = _check(dataclasses.replace(dropped, quote=dataclasses.replace(q, spans=split)))
    assert not verdict.ok and "left out without a recorded cut" in verdict.reason
    for kind in CutKind:
        cuts = tuple(sorted((*q.cuts, Cut(a, a + 4, kind)), key=lambda c: c.start))
        assert not _check(dataclasses.replace(dropped, quote=dataclasses.replace(q, spans=split, cuts=cuts))).ok, kind


def test_removing_not_is_refused():
    st = composed()[1]
    q = st.quote
    assert q is not None
    flipped = dataclasses.replace(st, text=st.text.replace(" not ", " "))
    assert flipped.text == OTHER
    # the same quote no longer gives the text
    assert "differs" in _check(flipped).reason
    # nor do spans around "not " with or without a cut of any kind
    (s, e), = q.spans
    n = PASSAGE.index("not ", s)
    around = ((s, n), (n + 4, e))
    assert not _check(dataclasses.replace(flipped, quote=dataclasses.replace(q, spans=around))).ok
    for kind in CutKind:
        cut = dataclasses.replace(q, spans=around, cuts=(Cut(n, n + 4, kind),))
        verdict = _check(dataclasses.replace(flipped, quote=cut))
        assert not verdict.ok, kind
    # a statement without a quote is never taken on trust
    assert _check(dataclasses.replace(flipped, quote=None)).reason == "no quote recorded"


def test_a_changed_number_is_refused():
    st = composed()[2]
    assert not _check(dataclasses.replace(st, text=st.text.replace("80 mg", "90 mg"))).ok
    assert not _check(dataclasses.replace(st, text=st.text.replace("40 to 80", "40 to 8"))).ok
    # "40 to 80 mg" -> "40 to 0 mg": a span may not start inside a number
    q = st.quote
    assert q is not None
    ((_, e),) = q.spans
    eight = PASSAGE.index("80 mg")
    partial = dataclasses.replace(q, spans=((eight + 1, e),))
    verdict = _check(Statement(PASSAGE[eight + 1:e], (1,), partial))
    assert not verdict.ok and "inside a word" in verdict.reason
    # a space cut cannot join a number to a decimal point: "40 .5" stays "40 .5"
    passage = "The dose is 40 .5 mg per kilogram of body weight daily."
    i = passage.index(" .5")
    joined = Quote("x", ((0, i), (i + 1, len(passage))), (Cut(i, i + 1, CutKind.SPACE_BEFORE_PUNCTUATION),))
    verdict = verify(Statement(passage.replace(" .5", ".5"), (1,), joined), passage)
    assert not verdict.ok and "clause" in verdict.reason


def test_a_span_from_another_passage_is_refused():
    other = composed(OTHER, OTHER_PID)[0]
    # cited to PASSAGE but quoting OTHER
    verdict = _check(other)
    assert not verdict.ok and OTHER_PID in verdict.reason
    # and were the id forged, PASSAGE's characters at those offsets are not the statement
    forged = dataclasses.replace(other, quote=dataclasses.replace(other.quote, passage_id=PID))  # type: ignore[type-var]
    assert not _check(forged).ok
    assert _check(other, OTHER, OTHER_PID).ok


def test_spans_must_keep_the_passage_order():
    passage = "Take it with food. Do not take it at night."
    a, b = _span(passage, "Take it with food."), _span(passage, "Do not take it at night.")
    good = Statement("Take it with food. Do not take it at night.", (1,), Quote("x", (a, (a[1], b[1]))))
    assert verify(good, passage).ok
    swapped = Statement("Do not take it at night.Take it with food.", (1,), Quote("x", (b, a)))
    assert "order" in verify(swapped, passage).reason


def test_leading_cuts_only_at_the_start_and_titles_only_of_their_own_section():
    passage = "1.1 Pancreatic Cancer Gemcitabine is indicated for advanced pancreatic cancer."
    title = _span(passage, "1.1 Pancreatic Cancer ")
    rest = (title[1], len(passage))
    st = Statement(passage[rest[0]:], (1,), Quote("x", (rest,), (Cut(*title, CutKind.SECTION_TITLE),)))
    assert verify(st, passage, section="Indications and usage: 1.1 Pancreatic Cancer").ok
    assert not verify(st, passage, section="Indications and usage: 1.2 Breast Cancer").ok
    assert not verify(st, passage).ok
    # a heading cut in the middle of a sentence is refused even when it is heading words
    passage = "Use in patients with renal impairment AND USE IN PREGNANCY is not advised."
    i, j = _span(passage, "AND USE IN PREGNANCY ")
    mid = Statement(passage[:i] + passage[j:], (1,), Quote("x", ((0, i), (j, len(passage))),
                                                              (Cut(i, j, CutKind.HEADING),)))
    assert "start of a sentence" in verify(mid, passage).reason


@pytest.mark.parametrize("spans", [((0, 0),), ((-1, 5),), ((0, 10_000),), ((5, 20), (10, 30))])
def test_malformed_spans_are_refused(spans):
    st = Statement("whatever", (1,), Quote(PID, spans))
    assert not _check(st).ok


def test_a_statement_an_editor_copies_is_located_and_verifies():
    from curbside.composition.quoting import locate

    sn = locate("Baclofen is not indicated in the treatment of skeletal muscle spasm", PASSAGE)
    assert isinstance(sn, Snippet)
    st = Statement(sn.text, (1,), sn.quote(PID))
    assert _check(st).ok
