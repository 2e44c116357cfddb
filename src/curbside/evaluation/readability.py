"""Readability per reader, and the warning check: the dev questions of MedicationQA and
K-QA asked for every audience.

For each question and audience the article's statements are read as running text and
given a Flesch-Kincaid grade (textstat; composition/plain.py). The patient's article is
then checked against the physician's: every warning of the physician's (each
contraindication, boxed warning and serious warning: plain.warnings_of) must be in the
patient's word for word with a citation of the same passage, and no patient statement
may lack a citation. The integrity rows are of the patient articles."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

from curbside.composition.plain import (
    article_grade,
    missing_warnings,
    sentence_grade,
    warnings_of,
    written_for_patients,
)
from curbside.evaluation.common import ask, common_metrics, common_record, integrity_targets, target
from curbside.types import Audience

# MedlinePlus aims at grade 8; the issue's target for patients' answers is 9 on average
PATIENT_GRADE_TARGET = 9.0

DEFINITIONS = {
    "grade_<audience>_mean": "Flesch-Kincaid grade of an answered article's statements, mean over the questions "
                             "answered for that reader.",
    "warnings_in_clinician_articles": "Warnings in the physician's articles: contraindications, and safety "
                                      "statements quoting a boxed warning or naming a serious harm.",
    "warnings_kept_rate": "Of those, the share the patient's article states word for word with a citation of the "
                          "same passage; target 1.",
    "patient_statements_uncited": "Patient statements without a citation; target 0.",
    "patient_statements_written_for_patients": "Share of patient statements quoting a source written for "
                                               "patients (consumer page, Medication Guide, patient leaflet).",
    "patient_own_statements_grade_mean": "Mean sentence grade of the patient statements that are not carried "
                                         "warnings (what was chosen for the patient).",
    "carried_warnings_grade_mean": "Mean sentence grade of the warnings carried word for word from the "
                                   "physician's article.",
}


def evaluate(engine: Any, questions: Sequence[str], progress: Callable[[], None] = lambda: None) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    for q in questions:
        asked = {aud: ask(engine, q, aud) for aud in Audience}
        pat = asked[Audience.PATIENT]
        rec = common_record(pat)
        rec["question"] = q
        for aud, a in asked.items():
            rec[f"grade_{aud.value}"] = (article_grade(a.article) if a.answered and a.article is not None
                                         else None)
        phys = asked[Audience.PHYSICIAN].article
        if pat.article is not None and phys is not None and pat.answered:
            warnings = warnings_of(phys) if not phys.abstained else []
            carried = {st.text for _, st in warnings}
            lost = missing_warnings(phys, pat.article) if warnings else []
            refs = {r.number: r for r in pat.article.references}
            sts = list(pat.article.statements())
            rec.update(
                warnings=len(warnings), warnings_lost=[st.text[:200] for _, st in lost],
                uncited=sum(1 for st in sts if not st.citations),
                statements_n=len(sts),
                for_patients=sum(1 for st in sts if st.citations and st.citations[0] in refs
                                 and written_for_patients(refs[st.citations[0]])),
                own_grades=[sentence_grade(st.text) for st in sts if st.text not in carried],
                carried_grades=[sentence_grade(st.text) for st in sts if st.text in carried],
            )
        records.append(rec)
        progress()
    return _summarise(records)


def _mean(xs: Sequence[float]) -> float | None:
    return round(statistics.fmean(xs), 2) if xs else None


def _summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    eng = common_metrics(records)
    for aud in Audience:
        grades = [r[f"grade_{aud.value}"] for r in records if r.get(f"grade_{aud.value}") is not None]
        eng[f"grade_{aud.value}_mean"] = _mean(grades)
        eng[f"grade_{aud.value}_median"] = round(statistics.median(grades), 2) if grades else None
    checked = [r for r in records if "warnings" in r]
    total = sum(r["warnings"] for r in checked)
    lost = sum(len(r["warnings_lost"]) for r in checked)
    n_st = sum(r["statements_n"] for r in checked)
    eng.update(
        warnings_in_clinician_articles=total,
        warnings_lost=lost,
        warnings_kept_rate=round(1 - lost / total, 4) if total else None,
        patient_statements_uncited=sum(r["uncited"] for r in checked),
        patient_statements_written_for_patients=round(sum(r["for_patients"] for r in checked) / n_st, 3)
        if n_st else None,
        patient_own_statements_grade_mean=_mean([g for r in checked for g in r["own_grades"]]),
        carried_warnings_grade_mean=_mean([g for r in checked for g in r["carried_grades"]]),
    )
    pg, cg = eng["grade_patient_mean"], eng["grade_physician_mean"]
    targets = [
        target("grade_patient_mean", pg if pg is not None else float("nan"), PATIENT_GRADE_TARGET, higher=False),
        target("warnings_kept_rate", eng["warnings_kept_rate"] if total else 1.0, 1.0),
        target("patient_statements_uncited", float(eng["patient_statements_uncited"]), 0.0, higher=False),
        *integrity_targets(eng),
    ]
    if pg is not None and cg is not None:
        targets.append(target("patient_below_physician_grade", round(cg - pg, 2), 0.01))
    failures = [
        {"question": r["question"], "reasons": ["a warning of the physician's article is missing"],
         "missing": r["warnings_lost"]}
        for r in checked if r["warnings_lost"]
    ]
    for r in records:
        r.pop("own_grades", None), r.pop("carried_grades", None)
    return {"engine": eng, "baseline": {}, "targets": targets, "definitions": DEFINITIONS,
            "failures": failures, "items": records}
