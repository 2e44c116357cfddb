"""`curbside eval --set all --limit 5` (and kqa, abstention, recognition alone) on a small
real slice of the shared corpus."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner

from curbside.cli.evaluate import command as eval_command
from curbside.cli.main import cli

pytestmark = pytest.mark.integration

N_LABELS = 10
N_LINES = 300


def _head(src: Path, dst: Path, n: int) -> None:
    with src.open(encoding="utf-8") as f, dst.open("w", encoding="utf-8") as out:
        out.writelines(islice(f, n))


@pytest.fixture(scope="module")
def data_dir(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = shared_dir / "corpus"
    slice_dir = tmp_path_factory.mktemp("slice")
    _head(corpus / "pubmed.jsonl", slice_dir / "pubmed.jsonl", N_LINES)
    _head(corpus / "guidelines.jsonl", slice_dir / "guidelines.jsonl", N_LINES)
    labels = sorted((corpus / "openfda").glob("*.json"))[:N_LABELS]
    data = tmp_path_factory.mktemp("data")
    res = CliRunner().invoke(
        cli,
        ["--data-dir", str(data), "--shared-dir", str(shared_dir), "ingest", "--quiet",
         str(corpus / "dailymed-indications.json"), *map(str, labels), str(slice_dir)],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    return data


def test_eval_all_limit_writes_a_complete_report(data_dir: Path, shared_dir: Path, tmp_path: Path) -> None:
    if "eval" not in cli.commands:
        cli.add_command(eval_command)
    out = tmp_path / "report"
    res = CliRunner().invoke(
        cli,
        ["--data-dir", str(data_dir), "--shared-dir", str(shared_dir), "eval", "--set", "all",
         "--limit", "5", "--out", str(out), "--quiet"],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    assert "== indications" in res.output and "BM25 baseline" in res.output
    for name in ("report.json", "report.md", "report.svg", "indications.items.jsonl",
                 "bioasq.items.jsonl", "medicationqa.items.jsonl", "kqa.items.jsonl",
                 "abstention.items.jsonl", "recognition.items.jsonl", "followups.items.jsonl"):
        assert (out / name).stat().st_size > 0, name
    report = json.loads((out / "report.json").read_text())
    assert set(report["sets"]) == {"indications", "bioasq", "medicationqa", "kqa", "abstention", "recognition",
                                   "followups", "readability"}
    assert report["meta"]["limit"] == 5
    for name, res_set in report["sets"].items():
        assert {"engine", "baseline", "targets", "definitions", "failures"} <= set(res_set), name
        eng = res_set["engine"]
        assert eng["questions"] == 5
        if name in ("recognition", "followups"):  # question understanding only: no answers to check
            continue
        for key in ("answered_rate", "abstention_rate", "citation_integrity", "latency_ms_p50", "latency_ms_p95"):
            assert key in eng, (name, key)
        if eng["statements"]:
            # every statement verifies against its recorded quote (composition/verify.py)
            assert eng["citation_integrity"] == 1.0, res_set["failures"]
            assert eng["statements_failing_integrity"] == 0
    assert any(s["engine"]["statements"] for s in report["sets"].values()), "no statement was checked"
    ind = report["sets"]["indications"]
    for key in ("pharmacotherapydb_recall_all", "pharmacotherapydb_recall_supported", "answered_rate_covered"):
        assert key in ind["engine"]
    assert "pharmacotherapydb_recall_all" in ind["baseline"]
    bio = report["sets"]["bioasq"]
    for key in ("recall_at_10", "mrr", "cites_gold", "yesno_agreement"):
        assert key in bio["engine"]
    assert {"recall_at_10", "mrr"} <= set(bio["baseline"])
    mqa = report["sets"]["medicationqa"]
    assert {"rouge_l", "first_section_match", "qtype_match"} <= set(mqa["engine"])
    assert "rouge_l" in mqa["baseline"]
    assert {"reference_coverage", "reference_corpus_ceiling", "statements_per_answer_mean"} <= set(mqa["engine"])
    assert "reference_coverage" in mqa["baseline"]
    kqa = report["sets"]["kqa"]
    assert {"must_have_coverage", "must_have_coverage_per_question", "must_have_corpus_ceiling",
            "must_have_coverage_to_ceiling", "statements_per_answer_mean", "statements_per_answer_p90",
            "statements_per_answer_max"} <= set(kqa["engine"])
    assert 0 < kqa["engine"]["must_have_statements"]
    assert report["meta"]["corpus_sentences"] > 0
    ab = report["sets"]["abstention"]
    assert {"must_abstain_rate", "false_abstention_rate"} <= set(ab["engine"])
    rec = report["sets"]["recognition"]
    assert {"drug_precision", "drug_recall", "condition_precision", "false_drug_rate"} <= set(rec["engine"])
    assert rec["engine"]["words"] == 5
    fol = report["sets"]["followups"]
    assert {"accuracy", "drugs_accuracy", "conditions_accuracy", "aspect_accuracy", "population_accuracy"} <= set(
        fol["engine"])
    assert [t["metric"] for t in fol["targets"]] == ["accuracy"]
    assert (out / "report.svg").read_text().startswith("<svg")


def test_eval_kqa_and_abstention_alone(data_dir: Path, shared_dir: Path, tmp_path: Path) -> None:
    if "eval" not in cli.commands:
        cli.add_command(eval_command)
    cache = tmp_path / "cache"
    for name, limit in (("kqa", "3"), ("abstention", "6")):
        out = tmp_path / name
        res = CliRunner().invoke(
            cli,
            ["--data-dir", str(data_dir), "--shared-dir", str(shared_dir), "eval", "--set", name,
             "--limit", limit, "--out", str(out), "--cache-dir", str(cache), "--quiet"],
            catch_exceptions=False,
        )
        assert res.exit_code == 0, res.output
        assert f"== {name}" in res.output
        items = [json.loads(line) for line in (out / f"{name}.items.jsonl").read_text().splitlines()]
        assert len(items) == int(limit)
        if name == "kqa":
            assert "must-have coverage" in res.output and "corpus ceiling" in res.output
            assert list(cache.glob("sentences-*.npz")), "the corpus sentence index was not cached"
            for it in items:
                assert {"question", "summary", "statements", "statement_count", "must_have"} <= set(it)
                assert it["statement_count"] == len(it["statements"])
                for m in it["must_have"]:
                    assert {"statement", "covered", "by", "corpus_covered", "corpus_sentence"} <= set(m)
                    assert (m["by"] is not None) == m["covered"]
        else:
            assert {it["expect"] for it in items} == {"abstain", "answer"}  # the spread mixes both halves
            assert all(isinstance(it["ok"], bool) for it in items)


def test_eval_recognition_alone(data_dir: Path, shared_dir: Path, tmp_path: Path) -> None:
    """The recognition set with the slice's parser: 6 questions and 6 words, four targets,
    every row in the items file and every failure listed in report.md."""
    if "eval" not in cli.commands:
        cli.add_command(eval_command)
    out = tmp_path / "recognition"
    res = CliRunner().invoke(
        cli,
        ["--data-dir", str(data_dir), "--shared-dir", str(shared_dir), "eval", "--set", "recognition",
         "--limit", "6", "--out", str(out), "--quiet"],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output  # a missed target is reported, never a failure
    assert "== recognition (6 questions" in res.output
    assert "drug precision" in res.output and "false drug rate, of words" in res.output
    assert "citation integrity" not in res.output  # no answers: the common rows are left out
    report = json.loads((out / "report.json").read_text())
    assert list(report["sets"]) == ["recognition"]
    rec = report["sets"]["recognition"]
    assert rec["engine"]["skipped"] == 0 and rec["engine"]["words"] == 6
    assert [t["metric"] for t in rec["targets"]] == ["drug_precision", "drug_recall", "condition_precision",
                                                     "false_drug_rate"]
    items = [json.loads(line) for line in (out / "recognition.items.jsonl").read_text().splitlines()]
    assert len(items) == 12 and {it["kind"] for it in items} == {"question", "word"}
    assert all(isinstance(it["ok"], bool) for it in items)
    assert len(rec["failures"]) == sum(1 for it in items if not it["ok"])
    md = (out / "report.md").read_text()
    assert "## recognition" in md and f"**Failures** ({len(rec['failures'])};" in md
    for f in rec["failures"]:
        assert f["question"] in md and f["reasons"]
