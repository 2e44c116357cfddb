from curbside.composition.sentences import (
    clean,
    numbers,
    split_sentences,
    strip_heading,
    strip_xrefs,
    supported_by,
)


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


def test_supported_by_checks_words_and_numbers():
    passage = "The usual dose is 40 to 80 mg daily in divided doses."
    assert supported_by("The usual dose is 40 to 80 mg daily.", passage)
    assert not supported_by("The usual dose is 40 to 90 mg daily.", passage)
    assert not supported_by("The usual dose is 40 to 80 mg weekly.", passage)
    assert numbers("2.5 mg and 1,000 units") == ["2.5", "1,000"]


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
