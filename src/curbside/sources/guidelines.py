"""Clinical practice guideline summaries as JSON lines (the AHRQ National Guideline
Clearinghouse archive): `ngc_id`, `title`, `developer`, `date_released`,
`disease_condition`, `target_population`, `major_recommendations`,
`potential_benefits`, `potential_harms`, ...

Passages: the scope (condition + target population), the major recommendations cut
into recommendation blocks where the text marks them (explicit "Recommendation 2" /
"Variant 1" labels, the trailing "Definitions" of the grading scheme, and evidence
grade markers such as "( Grade 1B )" that close a recommendation), then benefits and
harms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from curbside.sources.base import ReadItem
from curbside.sources.sections import heading_for
from curbside.sources.text import (
    MAX_PASSAGE,
    clean_text,
    guarded_record,
    iter_jsonl,
    latest_date,
    make_passages,
    soft_clean,
)
from curbside.types import Document, Passage, RecordError, SourceType

PACK_TARGET = 800  # consecutive short graded recommendations are packed up to this size
MIN_BLOCK = 150  # a labelled block shorter than this is a heading for the next one

_LABEL = re.compile(
    r"\b(?:(?:Recommendation|Key Question|Clinical Question|Variant|Statement)\s+\d+(?:\.\d+)*[a-z]?"
    r"\s*[:.]?|Definitions\s*:)(?=\s)"
)
_NOT_BEFORE_LABEL = frozenset("see in of and to with under from per (see".split())
_GRADE = re.compile(
    r"(?:\(\s*(?:Grade|Level|Class|Evidence|Quality|Strength|Strong|Weak|Conditional|SOR|LOE|LE)\b[^()]{0,120}\)"
    r"|\(\s*I{1,3}V?(?:-\d)?-?[A-E]\s*\)"
    r"|\[\s*(?:[A-D]|I{1,3}V?[ab]?|\d[ab]?|Level[^\]]{0,20})\s*\]"
    r"|(?:Strength of [Rr]ecommendation|Quality of [Ee]vidence|Level of [Ee]vidence)\s*[:=]\s*[\w+-]+)"
    r"[).\]]*(?=\s+[\"(\[]?[A-Z0-9])"
)
_NOTHING = re.compile(r"\s*(?:(?:not|none) stated|none|not applicable|n/?a)?\.?\s*$", re.IGNORECASE)
_ORG_TYPES = (
    "Medical Specialty Society|Professional Association|National Government Agency|Independent Expert Panel|"
    "State/Local Government Agency|Nonprofit Organization|Federal Government Agency|Hospital/Medical Center|"
    "Disease Specific Society|International Agency|Academic Institution|Nonprofit Research Organization|"
    "Clinical Specialty Collaboration|Government Affiliated Research Institute|For Profit Organization|"
    "Private Nonprofit Organization|Public Private Partnership|Managed Care Organization|"
    "Private Nonprofit Research Organization|Foreign Government Agency"
)
_DEVELOPER_SPLIT = re.compile(rf"\s+-\s+(?:{_ORG_TYPES})(?:\s*\[[^\]]*\])?\s*")


def developers(value: str) -> str:
    """"American College of Radiology - Medical Specialty Society" ->
    "American College of Radiology"; several developers are joined with "; "."""
    names = [clean_text(n) for n in _DEVELOPER_SPLIT.split(value)]
    return "; ".join(n for n in names if n)


def _labels(text: str) -> list[tuple[int, str]]:
    out = []
    for m in _LABEL.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()].split()
        if before and before[-1].lower().lstrip("(") in _NOT_BEFORE_LABEL:
            continue
        out.append((m.start(), m.group().rstrip(" :.")))
    return out


def recommendation_blocks(raw: str) -> list[tuple[str | None, str]]:
    """(label or None, text) recommendation blocks of a major-recommendations text."""
    text = soft_clean(raw)
    labels = _labels(text)
    hard: list[tuple[int, str | None]] = [(0, None), *labels] if not labels or labels[0][0] else list(labels)
    blocks: list[tuple[str | None, str]] = []
    carry: int | None = None  # a bare heading ("Main Recommendation") joins the next block
    for (start, label), (end, _) in zip(hard, [*hard[1:], (len(text), None)], strict=True):
        block = text[start:end].rstrip()
        if len(block) < MIN_BLOCK and end < len(text) and not block.rstrip(")]\"'").endswith("."):
            carry = start if carry is None else carry
            continue
        for piece in _pack(_graded_segments(text[start if carry is None else carry : end])):
            blocks.append((label, piece))
        carry = None
    return blocks


def _graded_segments(block: str) -> list[str]:
    cuts = [m.end() for m in _GRADE.finditer(block)]
    return [s for s in (block[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(block)], strict=True)) if s]


def _pack(segments: list[str]) -> list[str]:
    packed: list[str] = []
    for seg in segments:
        if packed and len(packed[-1]) + 1 + len(seg) <= PACK_TARGET:
            packed[-1] = f"{packed[-1]} {seg}"
        else:
            packed.append(seg)
    return packed


def _str(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


def guideline_document(record: dict[str, Any], where: str, path: Path) -> Document | RecordError:
    ngc_id, title = clean_text(_str(record, "ngc_id")), clean_text(_str(record, "title"))
    missing = [k for k, v in (("ngc_id", ngc_id), ("title", title)) if not v]
    if missing:
        return RecordError(str(path), ngc_id or where, f"guideline is missing {', '.join(missing)}")
    passages: list[Passage] = []
    # scope: the condition, then the target population, verbatim
    scope = f"{_str(record, 'disease_condition')}\n{_str(record, 'target_population')}"
    passages.extend(make_passages(heading_for("guideline_scope"), "guideline_scope", scope))
    base = heading_for("recommendations")
    for label, block in recommendation_blocks(_str(record, "major_recommendations")):
        heading = f"{base}: {label}" if label else base
        if len(block) > MAX_PASSAGE:
            passages.extend(make_passages(heading, "recommendations", block, cleaned=True))
        else:
            passages.append(Passage(heading, "recommendations", " ".join(block.split())))
    for key, code in (("potential_benefits", "benefits"), ("potential_harms", "harms")):
        if not _NOTHING.match(_str(record, key)):
            passages.extend(make_passages(heading_for(code), code, _str(record, key)))
    if not any(p.section_code == "recommendations" for p in passages):
        return RecordError(str(path), ngc_id, "guideline has no major recommendations text")
    year, date = latest_date(_str(record, "date_released"))
    return Document(
        doc_id=f"ngc:{ngc_id}",
        source_type=SourceType.GUIDELINE,
        title=title.rstrip("."),
        publisher=developers(_str(record, "developer")) or "National Guideline Clearinghouse",
        year=year,
        date=date,
        url=None,
        passages=tuple(passages),
        source_file=str(path),
    )


class GuidelinesReader:
    """Guideline summaries as JSON lines."""

    name = "guidelines-jsonl"

    def sniff(self, path: Path, head: bytes) -> bool:
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        return first.startswith(b"{") and b'"ngc_id"' in first

    def read(self, path: Path) -> Iterator[ReadItem]:
        for where, record in iter_jsonl(path):
            if isinstance(record, str):
                yield RecordError(str(path), where, record)
            else:
                yield guarded_record(path, where, lambda: guideline_document(record, where, path))
