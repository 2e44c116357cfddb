"""Telling the same facts to each reader (composition/plain.py, plan.plan_for): patient
sources and reading grade, doses left to the prescriber, and no warning lost."""

from __future__ import annotations

import dataclasses

import pytest

from curbside.composition.plain import (
    article_grade,
    carry_warnings,
    grade_above_plain,
    has_dose_amount,
    missing_warnings,
    sentence_grade,
    warnings_of,
    written_for_patients,
)
from curbside.composition.plan import PATIENT_WARNING_HEADINGS, is_limitation, plan_for
from curbside.types import (
    Article,
    Audience,
    Entities,
    QuestionType,
    Reference,
    Section,
    SourceType,
    Statement,
    StoredPassage,
)


def passage(section: str, source: SourceType = SourceType.DRUG_LABEL) -> StoredPassage:
    return StoredPassage(rowid=1, passage_id="d#0", doc_id="d", ordinal=0, section=section, section_code="x",
                         text="", source_type=source, title="T", publisher="P", year=2020, date=None, url=None,
                         drugs=())


@pytest.mark.parametrize(("section", "source", "expected"), [
    ("Medication guide", SourceType.DRUG_LABEL, True),
    ("Patient package insert", SourceType.DRUG_LABEL, True),
    ("Information for patients: 17.2 Females", SourceType.DRUG_LABEL, True),
    ("Do not use", SourceType.DRUG_LABEL, True),  # an OTC label's Drug Facts
    ("Directions", SourceType.DRUG_LABEL, True),
    ("What are the symptoms of gout?", SourceType.PATIENT_INFO, True),
    ("Warnings and precautions", SourceType.DRUG_LABEL, False),
    ("Boxed warning", SourceType.DRUG_LABEL, False),
    ("Major recommendations", SourceType.GUIDELINE, False),
])
def test_sources_written_for_patients(section: str, source: SourceType, expected: bool) -> None:
    assert written_for_patients(passage(section, source)) is expected


def test_a_reference_says_whether_its_passage_was_written_for_patients() -> None:
    leaflet = Reference(1, SourceType.DRUG_LABEL, "Label", "Acme", 2020, None, "d", "d#0", "Medication guide", "x")
    assert written_for_patients(leaflet)
    assert not written_for_patients(dataclasses.replace(leaflet, section="Warnings and precautions"))


def test_a_plain_sentence_costs_less_than_a_dense_one() -> None:
    plain = "Take it exactly as your doctor tells you."
    dense = ("Abrupt discontinuation of intrathecal baclofen, regardless of the cause, has resulted in sequelae "
             "that include high fever, altered mental status, exaggerated rebound spasticity, and muscle rigidity.")
    assert sentence_grade(plain) < 8 < sentence_grade(dense)
    assert grade_above_plain(plain) < grade_above_plain(dense) <= 12


@pytest.mark.parametrize(("text", "amount"), [
    ("The usual adult dose is 5 mg three times a day.", True),
    ("Give 0.5 to 1 mg/kg every 8 hours.", True),
    ("Take two tablets with water.", False),  # a number of tablets without a digit is not matched
    ("Take 2 tablets at bedtime.", True),
    ("Take it exactly as your healthcare provider tells you.", False),
    ("Do not stop taking it suddenly.", False),
])
def test_dose_amounts(text: str, amount: bool) -> None:
    assert has_dose_amount(text) is amount


def test_not_known_if_safe_and_effective_is_a_limitation_not_a_use() -> None:
    assert is_limitation("It is not known if VALIUM is safe and effective in children under 6 months of age.")
    assert not is_limitation("VALIUM is used to treat anxiety disorders.")


# ---- plans per reader -----------------------------------------------------------------

def keys(audience: Audience, qtype: QuestionType = QuestionType.INDICATION) -> list[str]:
    return [s.key for s in plan_for(qtype, "What is it for?", audience)]


def test_a_physician_keeps_the_question_types_plan() -> None:
    assert keys(Audience.PHYSICIAN) == ["indications", "limitations", "mechanism", "dosing", "contraindications",
                                        "safety", "monitoring", "populations"]


def test_each_reader_sees_what_they_need_first_after_the_asked_section() -> None:
    assert keys(Audience.PHARMACIST)[:4] == ["indications", "dosing", "interactions", "populations"]
    assert keys(Audience.STUDENT)[:3] == ["indications", "what_it_is", "mechanism"]
    assert keys(Audience.NURSE)[:4] == ["indications", "dosing", "monitoring", "safety"]
    # the asked section leads whoever reads
    assert all(keys(a, QuestionType.DOSING)[0] == "dosing" for a in Audience)


def test_a_patients_plan_drops_what_is_written_for_prescribers() -> None:
    ks = keys(Audience.PATIENT)
    assert ks[0] == "indications" and "get_help" in ks and "safety" in ks and "contraindications" in ks
    assert not {"mechanism", "monitoring", "limitations"} & set(ks)
    # asked, mechanism still leads a patient's article
    assert keys(Audience.PATIENT, QuestionType.MECHANISM)[0] == "mechanism"
    dosing = next(s for s in plan_for(QuestionType.DOSING, "dose?", Audience.PATIENT) if s.key == "dosing")
    assert dosing.prefer is not None and dosing.prefer.search("Take it exactly as prescribed.")


# ---- warnings: none lost --------------------------------------------------------------

BOXED = "WARNING: SUICIDAL THOUGHTS AND BEHAVIORS. Antidepressants increased the risk of suicidal thoughts."
CONTRA = "Baclofen is contraindicated in patients with hypersensitivity to baclofen."
SOFT = "Use with caution in patients with renal impairment."


def ref(n: int, pid: str, section: str, text: str) -> Reference:
    return Reference(n, SourceType.DRUG_LABEL, "Label", "Acme", 2020, None, pid.split("#")[0], pid, section, text)


def article(audience: Audience, sections: tuple[Section, ...], refs: tuple[Reference, ...]) -> Article:
    return Article(question="q?", audience=audience, question_type=QuestionType.INDICATION, entities=Entities(),
                   title="q?", summary=(), sections=sections, bottom_line=(), references=refs, uncovered=(),
                   abstained=False, abstain_reason=None, last_updated=None, corpus_version="c", settings_hash="s")


def clinician() -> Article:
    boxed = Statement("Antidepressants increased the risk of suicidal thoughts.", (1,))
    soft = Statement(SOFT, (2,))
    contra = Statement(CONTRA, (3, 2))
    return article(Audience.PHYSICIAN, (
        Section("indications", "Approved indications", (Statement("Baclofen is indicated for spasticity.", (2,)),)),
        Section("safety", "Safety", (boxed, soft)),
        Section("contraindications", "Contraindications", (contra,)),
    ), (ref(1, "a#0", "Boxed warning", BOXED), ref(2, "a#1", "Warnings", SOFT + " Baclofen is indicated for "
                                                     "spasticity."), ref(3, "a#2", "Contraindications", CONTRA)))


def test_the_warnings_are_contraindications_boxed_and_serious_ones() -> None:
    texts = [st.text for _, st in warnings_of(clinician())]
    assert texts == ["Antidepressants increased the risk of suicidal thoughts.", CONTRA]  # not the soft caution


def test_missing_warnings_are_carried_verbatim_with_their_citations() -> None:
    plain = Statement("Call your doctor right away if you have thoughts of suicide.", (1,))
    patient = article(Audience.PATIENT, (Section("indications", "What it is used for", (plain,)),),
                      (Reference(1, SourceType.DRUG_LABEL, "Label", "Acme", 2020, None, "a", "a#9",
                                 "Medication guide", plain.text),))
    clin = clinician()
    assert len(missing_warnings(clin, patient)) == 2
    done = carry_warnings(patient, clin, PATIENT_WARNING_HEADINGS)
    assert missing_warnings(clin, done) == []
    # the patient's own reference keeps number 1; the carried ones follow, each once
    assert [r.passage_id for r in done.references] == ["a#9", "a#0", "a#2", "a#1"]
    by_key = {s.key: s for s in done.sections}
    assert by_key["safety"].heading == PATIENT_WARNING_HEADINGS["safety"]
    carried = by_key["contraindications"].statements[0]
    assert carried.text == CONTRA and [done.references[n - 1].passage_id for n in carried.citations] == ["a#2", "a#1"]
    # every citation names a reference, and the statement is its passage's text
    assert all(done.references[n - 1].number == n for st in done.statements() for n in st.citations)


def test_a_warning_already_stated_is_not_repeated() -> None:
    clin = clinician()
    patient = dataclasses.replace(clin, audience=Audience.PATIENT)
    assert carry_warnings(patient, clin, PATIENT_WARNING_HEADINGS) is patient


def test_a_warning_quoting_another_passage_does_not_count_as_kept() -> None:
    clin = clinician()
    # the same words, cited to another passage: not the clinician's warning with its citation
    elsewhere = tuple(dataclasses.replace(r, passage_id=r.passage_id + "x") for r in clin.references)
    patient = dataclasses.replace(clin, audience=Audience.PATIENT, references=elsewhere)
    assert len(missing_warnings(clin, patient)) == 2


def test_article_grade_reads_the_statements() -> None:
    assert article_grade(article(Audience.PATIENT, (), ())) is None
    assert (article_grade(clinician()) or 0) > 8


def test_the_dose_note_points_to_the_clinicians_doses_only_when_there_are_some() -> None:
    from curbside.composition.plain import DOSE_NOTE, DOSES_ELSEWHERE, point_to_doses

    patient = dataclasses.replace(clinician(), audience=Audience.PATIENT, reader_notes=(DOSE_NOTE,))
    assert point_to_doses(patient, clinician()).reader_notes == (DOSE_NOTE,)  # no dosing section: not said
    dosing = Section("dosing", "Dosing and administration", (Statement("Take 5 mg.", (2,)),))
    with_doses = dataclasses.replace(clinician(), sections=(*clinician().sections, dosing))
    assert point_to_doses(patient, with_doses).reader_notes == (DOSE_NOTE + DOSES_ELSEWHERE,)
