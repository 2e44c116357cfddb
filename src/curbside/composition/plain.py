"""The same facts, told for the reader: what makes a patient's article plain, and the
check that simplifying never drops a warning.

Statements stay verbatim quotes whoever reads them. For a patient or caregiver the
composer prefers, among sentences that say what a section needs, those from sources
written for them (``written_for_patients``) and those that read at a lower grade
(``reading_grade``: Flesch-Kincaid, from textstat), leaves dose amounts to the
prescriber (``dose_amount``), and then carries over, verbatim and with its citation,
every warning of the clinician's article that the patient's article lacks
(``carry_warnings``): a boxed warning, contraindication or serious warning is never
simplified away.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

from curbside.types import Article, Section, SourceType, Statement

# the grade plain-language writing aims at (MedlinePlus aims at 8; sentences at or
# below 6 cost nothing) and the most grades a sentence is marked down for
PLAIN_GRADE = 6.0
GRADE_CAP = 12.0

# label sections written for patients: the Medication Guide, patient package insert,
# patient information and instructions, and an OTC label's Drug Facts panel
_PATIENT_HEADINGS = re.compile(
    r"^(?:medication guide|patient package insert|patient medication information|patient information|"
    r"instructions for use|information for patients|patient counseling information|purpose|uses|"
    r"do not use|ask (?:a )?doctor|ask (?:a )?doctor or pharmacist|stop use|when using|directions|"
    r"keep out of reach of children|questions(?: or comments)?)\b",
    re.I,
)

# a safety statement that names a serious harm is a serious warning (a comparison's
# sections are keyed "<key>-<drug>")
_GRAVE = re.compile(r"\bserious|\bfatal|\bdeath|\bdied\b|life[- ]threatening|suicid|\bincreased (?:risk|mortality)"
                    r"|\bWARNING\b", re.I)

# an amount of a drug: a patient's article leaves doses to the prescriber
_DOSE_AMOUNT = re.compile(
    r"\b\d[\d.,]*\s*(?:-|to|–)?\s*\d*[\d.,]*\s*(?:mg|mcg|µg|micrograms?|milligrams?|grams?|g|mL|ml|units?|"
    r"IU|mEq|mmol|drops?|tablets?|capsules?|puffs?|sprays?|teaspoons?|tablespoons?)\b(?:/\w+)?", re.I)

DOSE_NOTE = ("Doses are not listed here: the prescriber chooses the dose. Take it as prescribed, and ask the "
             "prescriber or a pharmacist about your dose.")
# said only when it is true: the clinician's article for the same question has doses
DOSES_ELSEWHERE = " The clinician's version of this answer lists the doses in the drug label."


class _Sourced(Protocol):
    """What says where a text is from: a stored passage, or an article's reference."""

    @property
    def source_type(self) -> SourceType: ...

    @property
    def section(self) -> str: ...


def written_for_patients(p: _Sourced) -> bool:
    """A consumer page, or a label section written for patients rather than prescribers
    (of a passage, or of the passage a reference cites)."""
    if p.source_type is SourceType.PATIENT_INFO:
        return True
    return p.source_type is SourceType.DRUG_LABEL and bool(_PATIENT_HEADINGS.match(p.section))


@lru_cache(maxsize=8192)
def sentence_grade(text: str) -> float:
    """Flesch-Kincaid grade of one sentence (textstat; syllables from pyphen's dictionary)."""
    import textstat  # ~20 ms to import: only patient articles and the evaluation need it

    return float(textstat.flesch_kincaid_grade(text))


def grade_above_plain(text: str) -> float:
    """How many grades the sentence reads above ``PLAIN_GRADE``, at most ``GRADE_CAP``."""
    return min(max(0.0, sentence_grade(text) - PLAIN_GRADE), GRADE_CAP)


def has_dose_amount(text: str) -> bool:
    return bool(_DOSE_AMOUNT.search(text))


def article_text(statements: Iterable[Statement]) -> str:
    """Statements as running text for a readability formula (a list item gets its stop)."""
    return " ".join(s.text if s.text.rstrip()[-1:] in ".!?:;" else s.text.rstrip() + "." for s in statements)


def article_grade(article: Article) -> float | None:
    """Flesch-Kincaid grade of the article's statements; None when it has none."""
    text = article_text(article.statements())
    if not text:
        return None
    import textstat

    return float(textstat.flesch_kincaid_grade(text))


# ---- warnings: none lost ---------------------------------------------------------------

def warnings_of(article: Article) -> list[tuple[Section, Statement]]:
    """The article's warnings, with their sections: every contraindication, and each
    statement of a safety section that quotes a boxed warning or names a serious harm
    (serious, fatal, death, life-threatening, suicidal, increased risk or mortality)."""
    refs = {r.number: r for r in article.references}
    out = []
    for sec in article.sections:
        kind = sec.key.split("-")[0]
        for st in sec.statements:
            ref = refs.get(st.citations[0]) if st.citations else None
            boxed = ref is not None and ref.section.lower().startswith("boxed warning")
            if kind == "contraindications" or (kind == "safety" and (boxed or _GRAVE.search(st.text))):
                out.append((sec, st))
    return out


def _cited_passages(article: Article, st: Statement) -> tuple[str, ...]:
    refs = {r.number: r.passage_id for r in article.references}
    return tuple(refs[n] for n in st.citations if n in refs)


def missing_warnings(clinician: Article, patient: Article) -> list[tuple[Section, Statement]]:
    """The clinician's warnings that the patient's article does not state word for word
    with a citation of the same passage (empty: none lost)."""
    have = {(st.text, pid) for st in patient.statements() for pid in _cited_passages(patient, st)[:1]}
    out = []
    for sec, st in warnings_of(clinician):
        first = _cited_passages(clinician, st)[:1]
        if not first or (st.text, first[0]) not in have:
            out.append((sec, st))
    return out


def point_to_doses(patient: Article, clinician: Article) -> Article:
    """``patient`` with its dose note saying where the doses are, when the clinician's
    article for the same question has a dosing section (and only then)."""
    if DOSE_NOTE not in patient.reader_notes or not any(s.key.split("-")[0] == "dosing" for s in clinician.sections):
        return patient
    notes = tuple(n + DOSES_ELSEWHERE if n == DOSE_NOTE else n for n in patient.reader_notes)
    return dataclasses.replace(patient, reader_notes=notes)


def carry_warnings(patient: Article, clinician: Article, headings: dict[str, str]) -> Article:
    """``patient`` with every warning of ``clinician`` it lacks added, verbatim, with its
    citations (references appended and numbered after the patient's own), to the
    patient's section of the same key (made, with ``headings[key]``, after the asked
    section when the patient's article has none)."""
    missing = missing_warnings(clinician, patient)
    if not missing:
        return patient
    refs = list(patient.references)
    number = {r.passage_id: r.number for r in refs}
    theirs = {r.number: r for r in clinician.references}

    def cite(n: int) -> int:
        ref = theirs[n]
        if ref.passage_id not in number:
            number[ref.passage_id] = len(refs) + 1
            refs.append(dataclasses.replace(ref, number=len(refs) + 1))
        return number[ref.passage_id]

    added: dict[str, list[Statement]] = {}
    for sec, st in missing:
        key = sec.key
        moved = dataclasses.replace(st, citations=tuple(dict.fromkeys(cite(n) for n in st.citations if n in theirs)))
        added.setdefault(key, []).append(moved)
    sections = list(patient.sections)
    for key, sts in added.items():
        at = next((i for i, s in enumerate(sections) if s.key == key), None)
        if at is not None:
            sections[at] = Section(key, sections[at].heading, sections[at].statements + tuple(sts))
        else:
            base = key.split("-")[0]
            sections.insert(min(1, len(sections)), Section(key, headings.get(base, base.capitalize()), tuple(sts)))
    return dataclasses.replace(patient, sections=tuple(sections), references=tuple(refs))

