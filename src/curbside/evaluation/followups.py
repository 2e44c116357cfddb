"""followups.jsonl (ours, shipped in ``evaluation/data``): conversations written by hand,
each with what its last question asks once read in its thread: the drugs, the
conditions, the aspect (question type) and the population. Kinds: pronoun ("is it
safe in pregnancy?"), ellipsis ("and for children?", "why?"), topic switch (a new
aspect of the same drug or condition), new drug, condition threads, chains of three
or four turns, and standalone questions that must not inherit anything.

Each turn is resolved against the previous turn's standalone question (``resolve``:
``Engine.resolve`` in ``curbside eval``, so the real parser and vocabularies), as a
conversation would be; the last turn's reading is compared field by field.

    from curbside.evaluation.followups import evaluate, load_items
    result = evaluate(engine.resolve, load_items())
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curbside.errors import UserInputError
from curbside.understanding.followup import POPULATION_NAMES, Resolution

Resolve = Callable[[str, str | None], Resolution]
FIELDS = ("drugs", "conditions", "aspect", "population")
TARGET = 0.9

DEFINITIONS = {
    "accuracy": f"Conversations whose last question is read right in every field (drugs, conditions, aspect, "
                f"population); target ≥ {TARGET}.",
    "drugs_accuracy": "The last question's drugs (generic names) are exactly the expected ones.",
    "conditions_accuracy": "Its conditions are exactly the expected ones (a condition counts by its vocabulary "
                           "name or as written); words of a population (\"kidney disease\") are no condition.",
    "aspect_accuracy": "Its question type is the expected one (what the standalone question is answered as).",
    "population_accuracy": "Its population (children, pregnancy, breastfeeding, older_adults, renal_impairment, "
                           "hepatic_impairment, adults, or none) is the expected one.",
    "kind": "pronoun, ellipsis, topic switch, new drug, condition, chain (3+ turns), standalone (must not inherit).",
}


@dataclass(frozen=True, slots=True)
class FollowupItem:
    id: str
    kind: str
    turns: tuple[str, ...]
    drugs: tuple[str, ...]
    conditions: tuple[str, ...]
    aspect: str
    population: str | None


def data_file() -> Path:
    from curbside.evaluation.sets import packaged_set

    return packaged_set("followups")


def load_items(path: Path | None = None) -> list[FollowupItem]:
    """The conversations of ``path`` (default: the packaged followups.jsonl)."""
    from curbside.types import QuestionType

    path = path or data_file()
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            expect = r["expect"]
            item = FollowupItem(
                id=str(r["id"]), kind=str(r["kind"]), turns=tuple(str(t) for t in r["turns"]),
                drugs=tuple(str(d).lower() for d in expect["drugs"]),
                conditions=tuple(str(c).lower() for c in expect["conditions"]),
                aspect=QuestionType(expect["aspect"]).value, population=expect.get("population"),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise UserInputError(f"{path}:{n} is not a follow-up case ({e}).", fix="Correct the line.") from e
        if len(item.turns) < 2 or (item.population is not None and item.population not in POPULATION_NAMES):
            raise UserInputError(f"{path}:{n}: a case needs 2+ turns and a known population.", fix="Correct the line.")
        out.append(item)
    return out


def resolve_thread(resolve: Resolve, turns: Sequence[str]) -> list[Resolution]:
    """Each turn read against the previous turn's standalone question."""
    out: list[Resolution] = []
    previous: str | None = None
    for turn in turns:
        res = resolve(turn, previous)
        out.append(res)
        previous = res.text
    return out


def check(resolve: Resolve, item: FollowupItem) -> dict[str, Any]:
    """One conversation: the standalone question of each turn, what the last one was
    read as, and which fields are right."""
    thread = resolve_thread(resolve, item.turns)
    last = thread[-1]
    got_conditions = [{m.name.lower(), m.text.lower()} for m in last.conditions]
    got = {
        "drugs": sorted({d.generic for d in last.drugs}),
        "conditions": sorted(m.name.lower() for m in last.conditions),
        "aspect": last.qtype.value,
        "population": last.population,
    }
    ok = {
        "drugs": got["drugs"] == sorted(set(item.drugs)),
        "conditions": len(got_conditions) == len(item.conditions)
        and all(any(c in names for names in got_conditions) for c in item.conditions),
        "aspect": got["aspect"] == item.aspect,
        "population": got["population"] == item.population,
    }
    return {
        "id": item.id, "kind": item.kind, "question": " → ".join(item.turns),
        "understood_as": [r.text for r in thread], "rules": [r.rule for r in thread],
        "carried": list(last.carried),
        "expected": {"drugs": list(item.drugs), "conditions": list(item.conditions), "aspect": item.aspect,
                     "population": item.population},
        "got": got, "fields_ok": ok, "ok": all(ok.values()),
    }


def evaluate(resolve: Resolve, items: list[FollowupItem], progress: Callable[[], None] = lambda: None
             ) -> dict[str, Any]:
    """The set's result in the runner's shape (engine figures, targets, definitions,
    failures, items)."""
    from curbside.evaluation.common import target

    records = []
    for item in items:
        records.append(check(resolve, item))
        progress()
    n = len(records)

    def share(rs: list[dict[str, Any]], field: str | None = None) -> float:
        if not rs:
            return float("nan")
        return sum(1 for r in rs if (r["fields_ok"][field] if field else r["ok"])) / len(rs)

    eng: dict[str, Any] = {"questions": n, "accuracy": share(records)}
    for f in FIELDS:
        eng[f"{f}_accuracy"] = share(records, f)
    eng["by_type"] = {
        kind: {"questions": len(rs), "accuracy": share(rs)}
        for kind in sorted({r["kind"] for r in records})
        for rs in [[r for r in records if r["kind"] == kind]]
    }
    failures = [
        {"question": r["question"], "reasons": [f"{f} wrong" for f in FIELDS if not r["fields_ok"][f]],
         "id": r["id"], "understood_as": r["understood_as"][-1], "expected": r["expected"], "got": r["got"]}
        for r in records if not r["ok"]
    ]
    return {"engine": eng, "baseline": {}, "targets": [target("accuracy", eng["accuracy"], TARGET)],
            "definitions": DEFINITIONS, "failures": failures, "items": records}
