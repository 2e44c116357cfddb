"""Write an evaluation report: report.json (figures, targets, definitions, failures),
<set>.items.jsonl (every question), report.md (readable tables + failures) and
report.svg (engine vs baseline bars), plus the plain-text table the CLI prints."""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path
from typing import Any

# (label, engine key, baseline key) per set; a None key leaves the cell empty
ROWS: dict[str, list[tuple[str, str | None, str | None]]] = {
    "indications": [
        ("PharmacotherapyDB recall, all gold", "pharmacotherapydb_recall_all", "pharmacotherapydb_recall_all"),
        ("PharmacotherapyDB recall, corpus-supported gold", "pharmacotherapydb_recall_supported",
         "pharmacotherapydb_recall_supported"),
        ("PharmacotherapyDB recall, label-supported gold", "pharmacotherapydb_recall_label_supported",
         "pharmacotherapydb_recall_label_supported"),
        ("PharmacotherapyDB gold indications (corpus-supported)", "pharmacotherapydb_gold", None),
        ("", "pharmacotherapydb_gold_supported", None),
        ("MEDI-HPS recall, all gold", "medi_hps_recall_all", "medi_hps_recall_all"),
        ("MEDI-HPS recall, corpus-supported gold", "medi_hps_recall_supported", "medi_hps_recall_supported"),
        ("drugs covered by the corpus", "drugs_covered", None),
        ("answered, of covered drugs", "answered_rate_covered", None),
        ("asked drug recognised", "drug_recognized_rate", None),
        ("article has an indications section", "indications_section_rate", None),
    ],
    "bioasq": [
        ("recall@10 (gold pmids)", "recall_at_10", "recall_at_10"),
        ("recall@10, BM25 over abstracts only", None, "research_only_recall_at_10"),
        ("recall@10 (gold pmids in the corpus)", "recall_at_10_in_corpus", "recall_at_10_in_corpus"),
        ("recall@10 ceiling (perfect ranking)", "recall_at_10_ceiling", None),
        ("recall@10 / ceiling (ratio of means)", "recall_at_10_to_ceiling", "recall_at_10_to_ceiling"),
        ("MRR", "mrr", "mrr"),
        ("answer cites a gold document", "cites_gold", None),
        ("yes/no agreement (heuristic)", "yesno_agreement", "yesno_agreement"),
        ("yes/no: always-'yes' rate", "yesno_always_yes", None),
    ],
    "medicationqa": [
        ("question type matches", "qtype_match", None),
        ("first section fits the question type", "first_section_match", None),
        ("a section fits the question type", "section_present", None),
        ("ROUGE-L F1 vs reference", "rouge_l", "rouge_l"),
        ("ROUGE-L F1, answered only", "rouge_l_answered", None),
        ("a drug recognised", "drug_recognised_rate", None),
        ("reference sentences (first 6)", "reference_statements", None),
        ("reference coverage (one statement holds 60%)", "reference_coverage", "reference_coverage"),
        ("reference coverage, mean per question", "reference_coverage_per_question",
         "reference_coverage_per_question"),
        ("corpus ceiling (same rule)", "reference_corpus_ceiling", None),
        ("coverage / ceiling", "reference_coverage_to_ceiling", "reference_coverage_to_ceiling"),
        ("statements per answer, mean", "statements_per_answer_mean", None),
        ("statements per answer, p90", "statements_per_answer_p90", None),
        ("statements per answer, max", "statements_per_answer_max", None),
    ],
    "kqa": [
        ("must-haves", "must_have_statements", None),
        ("must-have coverage (one statement holds 60%)", "must_have_coverage", "must_have_coverage"),
        ("must-have coverage, mean per question", "must_have_coverage_per_question",
         "must_have_coverage_per_question"),
        ("corpus ceiling (same rule)", "must_have_corpus_ceiling", None),
        ("coverage / ceiling", "must_have_coverage_to_ceiling", "must_have_coverage_to_ceiling"),
        ("coverage of corpus-coverable must-haves", "must_have_coverage_of_coverable", None),
        ("questions with a must-have covered", "questions_with_a_must_have_covered", None),
        ("nice-to-have coverage", "nice_to_have_coverage", None),
        ("statements per answer, mean", "statements_per_answer_mean", "statements_per_answer_mean"),
        ("statements per answer, p90", "statements_per_answer_p90", None),
        ("statements per answer, max", "statements_per_answer_max", None),
    ],
    "abstention": [
        ("must-abstain questions", "must_abstain_questions", None),
        ("abstained, of must-abstain", "must_abstain_rate", None),
        ("controls (real medical questions)", "control_questions", None),
        ("false abstention, of controls", "false_abstention_rate", None),
    ],
    "readability": [
        ("Flesch-Kincaid grade: physician, mean", "grade_physician_mean", None),
        ("Flesch-Kincaid grade: nurse / PA, mean", "grade_nurse_mean", None),
        ("Flesch-Kincaid grade: pharmacist, mean", "grade_pharmacist_mean", None),
        ("Flesch-Kincaid grade: student, mean", "grade_student_mean", None),
        ("Flesch-Kincaid grade: patient, mean", "grade_patient_mean", None),
        ("Flesch-Kincaid grade: patient, median", "grade_patient_median", None),
        ("patient: chosen statements' grade, mean", "patient_own_statements_grade_mean", None),
        ("patient: carried warnings' grade, mean", "carried_warnings_grade_mean", None),
        ("patient: statements written for patients", "patient_statements_written_for_patients", None),
        ("warnings in the physician's articles", "warnings_in_clinician_articles", None),
        ("warnings kept in the patient's", "warnings_kept_rate", None),
        ("patient statements without a citation", "patient_statements_uncited", None),
    ],
    "recognition": [
        ("questions (shared lines and ours)", "questions", None),
        ("rows skipped (shared question missing)", "skipped", None),
        ("drug precision", "drug_precision", None),
        ("drug recall", "drug_recall", None),
        ("drugs: right / wrong / missed", "drugs_tp_fp_fn", None),
        ("questions listing conditions", "condition_questions", None),
        ("condition precision", "condition_precision", None),
        ("condition recall", "condition_recall", None),
        ("conditions: right / wrong / missed", "conditions_tp_fp_fn", None),
        ("words checked", "words", None),
        ("words read as drugs", "words_read_as_drugs", None),
        ("false drug rate, of words", "false_drug_rate", None),
        ("parse time p50 (ms)", "parse_ms_p50", None),
        ("parse time p95 (ms)", "parse_ms_p95", None),
    ],
    "followups": [
        ("conversations", "questions", None),
        ("last question read right (every field)", "accuracy", None),
        ("drugs right", "drugs_accuracy", None),
        ("conditions right", "conditions_accuracy", None),
        ("aspect (question type) right", "aspect_accuracy", None),
        ("population right", "population_accuracy", None),
    ],
}
# sets that measure question understanding only: no answers, so none of the COMMON rows
NO_COMMON = ("recognition", "followups")
COMMON = [
    ("questions", "questions", None),
    ("answered", "answered_rate", None),
    ("abstention rate", "abstention_rate", None),
    ("errors", "errors", None),
    ("statements checked", "statements", None),
    ("citation integrity (statements that verify against their quote)", "citation_integrity", None),
    ("statements failing it", "statements_failing_integrity", None),
    ("latency p50 (ms)", "latency_ms_p50", "latency_ms_p50"),
    ("latency p95 (ms)", "latency_ms_p95", "latency_ms_p95"),
]
PLOT: dict[str, list[tuple[str, str, str | None]]] = {
    "indications": [("PhDB recall (supported)", "pharmacotherapydb_recall_supported",
                     "pharmacotherapydb_recall_supported"),
                    ("PhDB recall (all)", "pharmacotherapydb_recall_all", "pharmacotherapydb_recall_all"),
                    ("answered (covered)", "answered_rate_covered", None)],
    "bioasq": [("recall@10", "recall_at_10", "recall_at_10"), ("MRR", "mrr", "mrr")],
    "medicationqa": [("first section fits", "first_section_match", None), ("ROUGE-L", "rouge_l", "rouge_l"),
                     ("reference coverage", "reference_coverage", "reference_coverage"),
                     ("reference ceiling", "reference_corpus_ceiling", None)],
    "kqa": [("must-have coverage", "must_have_coverage", "must_have_coverage"),
            ("corpus ceiling", "must_have_corpus_ceiling", None),
            ("coverage / ceiling", "must_have_coverage_to_ceiling", "must_have_coverage_to_ceiling")],
    "abstention": [("abstained (must abstain)", "must_abstain_rate", None),
                   ("false abstention (controls)", "false_abstention_rate", None)],
    "readability": [("grade: physician", "grade_physician_mean", None),
                    ("grade: patient", "grade_patient_mean", None)],
    "recognition": [("drug precision", "drug_precision", None), ("drug recall", "drug_recall", None),
                    ("condition precision", "condition_precision", None),
                    ("words read as drugs", "false_drug_rate", None)],
    "followups": [("follow-ups read right", "accuracy", None), ("aspect right", "aspect_accuracy", None)],
}


def fmt(v: Any, key: str | None = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if key and key.startswith("latency"):
            return f"{v:.0f}"
        if 0.9995 <= v < 1:  # never print a miss as 1.000
            return f"{v:.5f}"
        return f"{v:.3f}"
    return str(v)


def _clean(x: Any) -> Any:
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


def table_rows(name: str, res: dict[str, Any]) -> list[tuple[str, str, str]]:
    eng, base = res["engine"], res["baseline"]
    rows = []
    for label, ek, bk in ROWS.get(name, []) + ([] if name in NO_COMMON else COMMON):
        rows.append((label, fmt(eng.get(ek), ek) if ek else "", fmt(base.get(bk), bk) if bk else ""))
    # merge the "gold (supported)" pair into one row
    out: list[tuple[str, str, str]] = []
    for r in rows:
        if r[0] == "" and out:
            out[-1] = (out[-1][0], f"{out[-1][1]} ({r[1]})", out[-1][2])
        else:
            out.append(r)
    return out


def console_table(report: dict[str, Any]) -> str:
    lines = []
    for name, res in report["sets"].items():
        rows = table_rows(name, res)
        w = max(len(r[0]) for r in rows)
        lines.append(f"\n== {name} ({res['engine']['questions']} questions, {res['seconds']} s)")
        lines.append(f"{'metric':<{w}}  {'engine':>12}  {'BM25 baseline':>13}")
        lines += [f"{a:<{w}}  {b:>12}  {c:>13}" for a, b, c in rows]
        for t in res["targets"]:
            lines.append(f"  target {t['metric']} {t['target']}: {fmt(t['value'], t['metric'])} "
                         f"{'MET' if t['met'] else 'MISSED'}")
    m = report["meta"]
    lines.append(f"\nTotal {m['seconds']} s; corpus {m['corpus_version']}, settings {m['settings_hash']}, "
                 f"dense={'on' if m['dense'] else 'off'}.")
    if m.get("corpus_sentences"):
        lines.append(f"Corpus sentence index (coverage ceilings): {m['corpus_sentences']} sentences, "
                     f"{m['corpus_index_seconds']} s to build or load.")
    return "\n".join(lines)


def markdown(report: dict[str, Any], max_failures: int = 25) -> str:
    m = report["meta"]
    out = ["# curbside evaluation report", "",
           f"Started {m['started']}; {m['seconds']} s; sets: {', '.join(m['sets'])}"
           f"{'; limit ' + str(m['limit']) if m['limit'] else ''}.",
           f"Corpus version `{m['corpus_version']}` ({m['passages']} passages), settings `{m['settings_hash']}`, "
           f"dense vectors {'on' if m['dense'] else 'off'}, rerank {'on' if m['rerank'] else 'off'}."
           + (f" Coverage ceilings from {m['corpus_sentences']} corpus sentences."
              if m.get("corpus_sentences") else ""),
           "",
           "![engine vs baseline](report.svg)", ""]
    for name, res in report["sets"].items():
        out += [f"## {name}", "",
                f"{res['engine']['questions']} questions from `{res['file']}`, {res['seconds']} s.", "",
                "| metric | engine | BM25 baseline |", "|---|---:|---:|"]
        out += [f"| {a} | {b} | {c} |" for a, b, c in table_rows(name, res)]
        out += ["", "**Targets**", "", "| metric | target | value | |", "|---|---|---:|---|"]
        out += [f"| {t['metric']} | {t['target']} | {fmt(t['value'], t['metric'])} | "
                f"{'met' if t['met'] else '**missed**'} |"
                for t in res["targets"]]
        by_type = res["engine"].get("by_type")
        if by_type:
            cols = list(next(iter(by_type.values())).keys())
            out += ["", "**By question type**", "", "| type | " + " | ".join(cols) + " |",
                    "|---|" + "---:|" * len(cols)]
            out += [f"| {t} | " + " | ".join(fmt(v.get(c), c) for c in cols) + " |" for t, v in by_type.items()]
        out += ["", "**Definitions**", ""] + [f"- *{k}*: {v}" for k, v in res["definitions"].items()]
        fails = res["failures"]
        out += ["", f"**Failures** ({len(fails)}; first {min(len(fails), max_failures)} shown; all in report.json)", ""]
        for f in fails[:max_failures]:
            out += _failure_md(f)
        out.append("")
    return "\n".join(out)


def _short(v: Any, n: int = 300) -> str:
    if isinstance(v, list):
        shown = [_short(x, 160) for x in v[:5]]
        return "; ".join(shown) + (f"; … ({len(v)} in all)" if len(v) > 5 else "")
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_short(x, 160)}" for k, x in v.items() if x not in (None, "", []))
    text = fmt(v) if isinstance(v, (int, float, bool)) else str(v)
    return text if len(text) <= n else text[: n - 1] + "…"


def _failure_md(f: dict[str, Any]) -> list[str]:
    """One failure as a bullet (the question and why) with its details below."""
    head = f.get("question", "?")
    why = f.get("reasons")
    lines = [f"- **{head}**" + (f" — {', '.join(why)}" if why else "")]
    for k, v in f.items():
        if k in ("question", "reasons") or v in (None, "", [], {}):
            continue
        lines.append(f"  - {k}: {_short(v)}")
    return lines


def svg(report: dict[str, Any]) -> str:
    bars: list[tuple[str, float | None, float | None]] = []
    for name, res in report["sets"].items():
        for label, ek, bk in PLOT.get(name, []):
            e = res["engine"].get(ek)
            b = res["baseline"].get(bk) if bk else None
            bars.append((f"{name}: {label}", _num(e), _num(b)))
    left, width, row = 260, 360, 34
    h = 40 + row * len(bars) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{h}" '
             'font-family="sans-serif" font-size="12">',
             '<rect x="0" y="0" width="100%" height="100%" fill="white"/>',
             '<rect x="10" y="10" width="12" height="10" fill="#1f77b4"/><text x="27" y="19">engine</text>',
             '<rect x="90" y="10" width="12" height="10" fill="#bbbbbb"/><text x="107" y="19">BM25 baseline</text>']
    for i, (label, e, b) in enumerate(bars):
        y = 40 + i * row
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>')
        for j, (v, colour) in enumerate(((e, "#1f77b4"), (b, "#bbbbbb"))):
            if v is None:
                continue
            yy = y + j * 13
            bar = width * max(0.0, min(1.0, v))
            parts.append(f'<rect x="{left}" y="{yy}" width="{bar:.1f}" height="11" fill="{colour}"/>')
            parts.append(f'<text x="{left + width * min(1.0, v) + 4:.1f}" y="{yy + 10}">{v:.3f}</text>')
    axis = 40 + row * len(bars)
    parts.append(f'<line x1="{left}" y1="{axis}" x2="{left + width}" y2="{axis}" stroke="#444"/>')
    for t in (0, 0.5, 1):
        parts.append(f'<text x="{left + width * t:.0f}" y="{axis + 15}" text-anchor="middle">{t:g}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not (isinstance(v, float) and math.isnan(v)) else None


def write(report: dict[str, Any], out_dir: Path, max_failures: int = 25) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    slim = {"meta": report["meta"], "sets": {}}
    for name, res in report["sets"].items():
        items_path = out_dir / f"{name}.items.jsonl"
        with items_path.open("w", encoding="utf-8") as f:
            for it in res.get("items", []):
                f.write(json.dumps(_clean(it), ensure_ascii=False) + "\n")
        written.append(items_path)
        slim["sets"][name] = {k: v for k, v in res.items() if k != "items"} | {"items_file": items_path.name}
    files = {
        "report.json": json.dumps(_clean(slim), ensure_ascii=False, indent=2),
        "report.md": markdown(report, max_failures),
        "report.svg": svg(report),
    }
    for fname, text in files.items():
        p = out_dir / fname
        p.write_text(text, encoding="utf-8")
        written.append(p)
    return written
