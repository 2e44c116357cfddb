from curbside.composition.quoting import Snippet, join_spans
from curbside.composition.sentences import (
    clean,
    clean_snippet,
    sentence_snippets,
    split_sentences,
    strip_heading,
    strip_xrefs,
)
from curbside.types import CutKind


def test_split_keeps_decimals_and_abbreviations():
    text = "Start with 2.5 mg daily, e.g. at night. Increase by 5 mg. Dr. Smith agreed! Is it safe? Yes."
    got = split_sentences(text)
    assert got == [
        "Start with 2.5 mg daily, e.g. at night.",
        "Increase by 5 mg.",
        "Dr. Smith agreed!",
        "Is it safe?",
        "Yes.",
    ]


def test_split_sentences_are_verbatim_spans():
    text = "Baclofen is useful for spasticity.  Patients   should have reversible spasticity. • Item one here"
    for s in split_sentences(text):
        assert s in " ".join(text.split())


def test_strip_heading_removes_label_section_headings():
    s = "1 INDICATIONS AND USAGE ANECTINE is indicated in adults and pediatric patients as an adjunct."
    assert strip_heading(s) == "ANECTINE is indicated in adults and pediatric patients as an adjunct."
    s2 = "INDICATIONS Baclofen is useful for the alleviation of signs and symptoms of spasticity."
    assert strip_heading(s2).startswith("Baclofen is useful")


def test_strip_xrefs():
    s = "Monitor renal function [see Warnings and Precautions (5.1)]."
    assert strip_xrefs(s) == "Monitor renal function."


def test_clean_rejects_short_and_overlong():
    assert clean("Too short.", 400) is None
    assert clean("x " * 300, 400) is None
    assert clean("Baclofen is useful for the alleviation of spasticity.", 400)


def test_roman_numerals_of_a_list_do_not_end_sentences():
    text = ("Indicated in the following: I. Frequently Responsive • Hodgkin's disease II. Less Frequently "
            "Responsive • Choriocarcinoma. It was a phase III. Trials followed.")
    assert split_sentences(text, keep_lists=True) == [
        "Indicated in the following: I. Frequently Responsive • Hodgkin's disease II. Less Frequently "
        "Responsive • Choriocarcinoma.",
        "It was a phase III.",
        "Trials followed.",
    ]


def test_broken_link_artefacts_are_not_sentences():
    assert clean("Avoid use in patients with AFIB ( Error! Hyperlink reference not valid. )", 400) is None
    assert clean("Hyperlink reference not valid. ) and more words here", 400) is None


def _pieces(sn: Snippet) -> list[tuple[str, str]]:
    """The snippet's stretches of its source in order: ("span", text) or (cut kind, text)."""
    out = [(sn.source[s:e], "span", s) for s, e in sn.spans] + [(sn.source[c.start:c.end], c.kind.value, c.start)
                                                                for c in sn.cuts]
    return [(kind, text) for text, kind, _ in sorted(out, key=lambda x: x[2])]


def test_sentence_snippets_are_the_split_sentences_with_their_place_in_the_passage():
    text = "  Baclofen is useful for spasticity.   Patients\n should have\treversible spasticity. • Item one here"
    sns = sentence_snippets(text)
    assert [sn.text for sn in sns] == split_sentences(text)
    # the spans are the raw passage's own characters; the text is them one-spaced
    assert sns[1].spans == ((text.index("Patients"), text.index(" •")),)
    assert join_spans(text, sns[1].spans) == "Patients should have reversible spasticity."


def test_cleaning_records_every_character_it_drops_as_a_cut():
    passage = ("1 INDICATIONS AND USAGE Baclofen is indicated for spasticity [see Warnings and Precautions (5.1)], "
               "and for clonus [see Clinical Studies (14)].")
    sn = clean_snippet(sentence_snippets(passage)[0], 400)
    assert sn is not None
    assert sn.text == "Baclofen is indicated for spasticity, and for clonus."
    assert _pieces(sn) == [
        ("heading", "1 INDICATIONS AND USAGE "),
        ("span", "Baclofen is indicated for spasticity"),
        ("cross_reference", " [see Warnings and Precautions (5.1)]"),
        ("span", ", and for clonus"),
        ("cross_reference", " [see Clinical Studies (14)]"),
        ("span", "."),
    ]


def test_a_space_before_a_clause_comma_goes_but_not_before_a_decimal_point():
    sn = clean_snippet(Snippet.whole("Infections caused by S. pneumoniae , H. influenzae (P = .03) ."), 400)
    assert sn is not None
    assert sn.text == "Infections caused by S. pneumoniae, H. influenzae (P = .03)."
    assert [c.kind for c in sn.cuts] == [CutKind.SPACE_BEFORE_PUNCTUATION] * 2


def test_a_list_marker_is_cut_but_a_minus_sign_stays():
    sn = clean_snippet(Snippet.whole("• Hypertension, to lower blood pressure in adults."), 400)
    assert sn is not None and _pieces(sn)[0] == ("list_marker", "• ")
    sn = clean_snippet(Snippet.whole("-5 °C is the lowest storage temperature for the vials."), 400)
    assert sn is not None and sn.text.startswith("-5 °C") and not sn.cuts
