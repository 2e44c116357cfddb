"""Shared reader helpers: clean-up, splitting, numbered subsections, dates."""

from __future__ import annotations

import pytest

from curbside.sources.text import (
    MAX_PASSAGE,
    clean_text,
    compact_date,
    heading_only,
    latest_date,
    make_passages,
    soft_clean,
    split_long,
    split_numbered,
    subsection_title,
)


def test_clean_text_removes_controls_and_collapses_whitespace() -> None:
    raw = "Take\t5 mg\u00a0twice\x00 daily.\r\n\r\nDo not\u200b exceed 20 mg.\x07"
    assert clean_text(raw) == "Take 5 mg twice daily. Do not exceed 20 mg."


def test_soft_clean_keeps_line_and_paragraph_breaks() -> None:
    raw = "  Heading line \r\n  body   text\n\n\n next paragraph \n"
    assert soft_clean(raw) == "Heading line\nbody text\n\nnext paragraph"


def _sentences(n: int) -> str:
    return " ".join(f"Sentence number {i} says that the dose is {i}.5 mg per day for adults." for i in range(n))


def test_split_long_cuts_at_sentence_ends_within_bounds() -> None:
    text = _sentences(60)
    pieces = split_long(text)
    assert len(pieces) > 1
    assert " ".join(pieces) == text  # nothing lost, nothing rewritten
    for piece in pieces:
        assert 600 <= len(piece) <= MAX_PASSAGE
        assert piece.endswith("adults.")


def test_split_long_does_not_cut_after_abbreviations() -> None:
    text = "Use with care, e.g. In patients with renal disease the dose is lower. " * 40
    for piece in split_long(text):
        assert not piece.endswith("e.g.")


def test_split_long_prefers_paragraph_breaks() -> None:
    para_a = "Alpha text goes here. " * 40
    para_b = "Beta text goes here. " * 40
    pieces = split_long(soft_clean(f"{para_a}\n\n{para_b}"))
    assert pieces == [para_a.strip(), para_b.strip()]


def test_split_long_falls_back_to_spaces_without_punctuation() -> None:
    text = " ".join(["word"] * 900)
    pieces = split_long(text)
    assert all(len(p) <= MAX_PASSAGE for p in pieces)
    assert " ".join(pieces) == text


def test_make_passages_short_and_empty() -> None:
    (passage,) = make_passages("Contraindications", "contraindications", " Hypersensitivity\n to baclofen. ")
    assert passage.text == "Hypersensitivity to baclofen."
    assert passage.section_code == "contraindications"
    assert make_passages("X", "other_label", " \n\t ") == []


def test_split_numbered_label_subsections() -> None:
    text = (
        "1 INDICATIONS AND USAGE Baclofen is a GABA agonist indicated for: spasticity ( 1.1 ) "
        "1.1 Spasticity Baclofen tablets are indicated for spasticity resulting from multiple sclerosis. "
        "1.2 Limitations of Use Baclofen is not indicated for skeletal muscle spasm [see Warnings ( 5.1 )]."
    )
    parts = split_numbered(text)
    assert [title for title, _ in parts] == [None, "1.1 Spasticity", "1.2 Limitations of Use"]
    assert "".join(chunk for _, chunk in parts) == text
    assert parts[1][1].startswith("1.1 Spasticity Baclofen tablets")


def test_split_numbered_keeps_heading_lists_and_contents_together() -> None:
    listing = (
        "Fluorouracil is indicated for the treatment of patients with: 1.1 Adenocarcinoma of the Colon "
        "and Rectum 1.2 Adenocarcinoma of the Breast 1.3 Gastric Adenocarcinoma"
    )
    assert split_numbered(listing) == [(None, listing)]
    contents = (
        "1.1 Osteoarthritis (OA) 1.2 Rheumatoid Arthritis (RA)\n1 INDICATIONS AND USAGE\n\n"
        "1.1 Osteoarthritis (OA) MOBIC is indicated for relief of osteoarthritis.\n\n"
        "1.2 Rheumatoid Arthritis (RA) MOBIC is indicated for relief of rheumatoid arthritis."
    )
    titles = [t for t, _ in split_numbered(contents)]
    assert titles == [None, "1.1 Osteoarthritis (OA)", "1.2 Rheumatoid Arthritis (RA)"]


def test_split_numbered_single_subsection_is_not_split() -> None:
    text = "8.1 Pregnancy Risk Summary There are no adequate data in pregnant women."
    assert split_numbered(text) == [(None, text)]


@pytest.mark.parametrize(
    ("after", "title"),
    [
        ("Spasticity Baclofen tablets are indicated", "Spasticity"),
        ("Dosing Information The starting dose is 5 mg", "Dosing Information"),
        ("Mechanism of Action Gentamicin, an aminoglycoside, binds", "Mechanism of Action"),
        ("Orthostatic Hypotension, Bradycardia, and Syncope Hypotension, bradycardia, and",
         "Orthostatic Hypotension, Bradycardia, and Syncope"),
        ("Required Laboratory Testing Prior to Initiation Prior to initiating treatment",
         "Required Laboratory Testing Prior to Initiation"),
        ("Acute Treatment of Migraine\nCAMBIA is indicated for", "Acute Treatment of Migraine"),
    ],
)
def test_subsection_title(after: str, title: str) -> None:
    assert subsection_title(after) == title


def test_heading_only() -> None:
    assert heading_only("1 INDICATIONS AND USAGE")
    assert heading_only("12. CLINICAL PHARMACOLOGY")
    assert heading_only("12.4 Microbiology", fragment=True)
    assert not heading_only("Systemic fungal infections")
    assert not heading_only("Hypersensitivity to baclofen.")
    assert not heading_only("WARNING: NOT FOR INTRAVENOUS USE")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011 May (revised 2013 Aug)", (2013, "2013-08")),
        ("2006 Apr 3 (revised 2013 Mar 18)", (2013, "2013-03-18")),
        ("1998 (revised 2013)", (2013, "2013")),
        ("2013 Sep 24", (2013, "2013-09-24")),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_latest_date(text: str | None, expected: tuple[int | None, str | None]) -> None:
    assert latest_date(text) == expected


def test_compact_date() -> None:
    assert compact_date("20230126") == (2023, "2023-01-26")
    assert compact_date("2023") == (2023, "2023")
    assert compact_date("junk") == (None, None)
    assert compact_date(None) == (None, None)
