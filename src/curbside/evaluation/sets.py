"""The evaluation sets in ``<shared>/eval``: loading and sampling.

Each record becomes a small frozen object; a malformed line is an error that names the
file and the line (the sets are curated, so a bad line means a broken file)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from curbside.errors import UserInputError

SET_NAMES = ("indications", "bioasq", "medicationqa", "kqa", "abstention", "recognition", "followups", "readability")
# sets made of other sets' questions: readability asks MedicationQA's and K-QA's for every reader
DERIVED_SETS = ("readability",)
# sets that are ours and ship with the package (the others are read from <shared>/eval;
# recognition's rows refer to questions of <shared>/eval by line: see evaluation.recognition)
PACKAGED_SETS = ("abstention", "recognition", "followups")


@dataclass(frozen=True, slots=True)
class IndicationItem:
    drug: str
    question: str
    gold: dict[str, tuple[str, ...]]  # resource name ("PharmacotherapyDB", "MEDI-HPS") -> indications


@dataclass(frozen=True, slots=True)
class BioasqItem:
    qid: str
    qtype: str  # yesno | factoid | list | summary
    question: str
    gold_pmids: tuple[str, ...]
    ideal_answer: str
    exact_answer: Any


@dataclass(frozen=True, slots=True)
class MedicationQAItem:
    question: str
    focus_drug: str
    question_type: str
    reference_answer: str
    reference_section: str
    url: str


@dataclass(frozen=True, slots=True)
class KqaItem:
    question: str
    must_have: tuple[str, ...]
    nice_to_have: tuple[str, ...]
    reference_answer: str


@dataclass(frozen=True, slots=True)
class AbstentionItem:
    question: str
    expect: str  # "abstain" (must abstain) | "answer" (a control: must not abstain)
    kind: str  # e.g. "made-up drug", "non-medical", "real drug", "condition"

    @property
    def must_abstain(self) -> bool:
        return self.expect == "abstain"


T = TypeVar("T")


def _lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    if not path.exists():
        raise UserInputError(
            f"The evaluation set {path} does not exist.",
            fix="Pass --shared-dir (or set CURBSIDE_SHARED_DIR) to the folder holding eval/.",
        )
    out: list[tuple[int, dict[str, Any]]] = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                out.append((n, json.loads(line)))
            except json.JSONDecodeError as e:
                raise UserInputError(f"{path}:{n} is not valid JSON ({e.msg}).", fix="Restore the file.") from e
    return out


def _field(path: Path, n: int, rec: dict[str, Any], key: str) -> Any:
    if key not in rec:
        raise UserInputError(f"{path}:{n} has no field {key!r}.", fix="Restore the file.")
    return rec[key]


def load_indications(path: Path) -> list[IndicationItem]:
    out = []
    for n, r in _lines(path):
        gold = _field(path, n, r, "indications") or {}
        out.append(IndicationItem(
            drug=str(_field(path, n, r, "drug")),
            question=str(_field(path, n, r, "question")),
            gold={str(k): tuple(str(x) for x in v) for k, v in gold.items()},
        ))
    return out


def _text(v: Any) -> str:
    if isinstance(v, list):
        return " ".join(str(x) for x in v)
    return "" if v is None else str(v)


def load_bioasq(path: Path) -> list[BioasqItem]:
    return [
        BioasqItem(
            qid=str(r.get("id", n)),
            qtype=str(_field(path, n, r, "type")),
            question=str(_field(path, n, r, "question")),
            gold_pmids=tuple(str(p) for p in _field(path, n, r, "gold_pmids")),
            ideal_answer=_text(r.get("ideal_answer")),
            exact_answer=r.get("exact_answer"),
        )
        for n, r in _lines(path)
    ]


def load_medicationqa(path: Path) -> list[MedicationQAItem]:
    return [
        MedicationQAItem(
            question=str(_field(path, n, r, "question")),
            focus_drug=str(r.get("focus_drug") or ""),
            question_type=str(r.get("question_type") or ""),
            reference_answer=_text(r.get("reference_answer")),
            reference_section=str(r.get("reference_section") or ""),
            url=str(r.get("url") or ""),
        )
        for n, r in _lines(path)
    ]


def _strings(v: Any) -> tuple[str, ...]:
    return tuple(s for s in (str(x).strip() for x in v) if s) if isinstance(v, list) else ()


def load_kqa(path: Path) -> list[KqaItem]:
    return [
        KqaItem(
            question=str(_field(path, n, r, "question")),
            must_have=_strings(_field(path, n, r, "must_have")),
            nice_to_have=_strings(r.get("nice_to_have")),
            reference_answer=_text(r.get("reference_answer")),
        )
        for n, r in _lines(path)
    ]


def load_abstention(path: Path) -> list[AbstentionItem]:
    out = []
    for n, r in _lines(path):
        expect = str(_field(path, n, r, "expect"))
        if expect not in ("abstain", "answer"):
            raise UserInputError(f"{path}:{n}: expect must be 'abstain' or 'answer', not {expect!r}.",
                                 fix="Correct the line.")
        out.append(AbstentionItem(question=str(_field(path, n, r, "question")), expect=expect,
                                  kind=str(r.get("kind") or "")))
    return out


def sample(items: Sequence[T], limit: int | None) -> list[T]:
    """The first ``limit`` items of an even spread over the set (deterministic), so a
    small sample still mixes drugs, question types and sources; all items without a limit."""
    if limit is None or limit <= 0 or limit >= len(items):
        return list(items)
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def packaged_set(name: str) -> Path:
    """A set that ships with curbside (``evaluation/data/<name>.jsonl``)."""
    return Path(str(resources.files("curbside.evaluation").joinpath("data", f"{name}.jsonl")))


def set_path(eval_dir: Path, name: str) -> Path:
    if name in DERIVED_SETS:
        return eval_dir
    if name in PACKAGED_SETS:
        return packaged_set(name)
    return eval_dir / f"{name}.jsonl"
