"""openFDA drug/label JSON (`{"meta": ..., "results": [label, ...]}`), as the openFDA
API and bulk downloads serve it: a plain .json file or a .zip holding one or more
such files. The DailyMed indications file in the shared corpus has the same shape.

The `results` array is streamed label by label, so bulk files of any size read in
constant memory. One passage per label section (field), split at the label's own
numbered subsection headings ("1.1 Spasticity ..."); text a field repeats from
another field (openFDA often gives a section and each of its subsections as
separate fields) is kept once, under the most specific field."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from curbside.errors import SourceFormatError
from curbside.sources.base import ReadItem
from curbside.sources.sections import OPENFDA_FIELDS, heading_for
from curbside.sources.text import (
    FIX_FILE,
    compact_date,
    guarded_record,
    heading_only,
    iter_payloads,
    make_passages,
    payload_label,
    section_number,
    soft_clean,
    split_numbered,
)
from curbside.types import Document, Passage, RecordError, SourceType

_CHUNK = 1 << 20
_PLACEHOLDER = re.compile(r"\{\w+\}$")  # e.g. "{template}" left by an extraction
_DECODER = json.JSONDecoder()
_WS = re.compile(r"\s*")


class _JSONStream:
    """Just enough of an incremental JSON parser to walk one top-level object and
    stream the elements of one of its arrays."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(stream, encoding="utf-8-sig")
        self.buf = ""
        self.pos = 0
        self.consumed = 0  # characters dropped from the front of buf
        self._eof = False
        self._chunk = _CHUNK

    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = self._text.read(self._chunk)
        if not chunk:
            self._eof = True
            return False
        self.consumed += self.pos
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf) or not self._fill():
                return self.buf[self.pos : self.pos + 1]

    def take(self, expected: str) -> None:
        if self.peek() != expected:
            got = self.peek() or "end of file"
            raise ValueError(f"expected {expected!r} but found {got!r}")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                if self._fill():
                    self._chunk = min(self._chunk * 2, 1 << 26)
                    continue
                raise
            if end >= len(self.buf) and not self._eof and self._fill():
                continue  # a number may continue in the next chunk
            self._chunk = _CHUNK
            self.pos = end
            return obj

    def array_items(self, key: str) -> Iterator[Any]:
        """Yield the items of the top-level object's ``key`` array."""
        self.take("{")
        found = False
        while self.peek() != "}":
            name = self.value()
            self.take(":")
            if name == key and self.peek() == "[":
                found = True
                self.take("[")
                while self.peek() != "]":
                    yield self.value()
                    if self.peek() == ",":
                        self.pos += 1
                    elif self.peek() != "]":
                        raise ValueError("expected ',' or ']' between results")
                self.take("]")
            else:
                self.value()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise ValueError("expected ',' or '}' in the top-level object")
        if not found:
            raise ValueError(f"no {key!r} list in the top-level object")


def iter_results(stream: IO[bytes], where: str) -> Iterator[Any]:
    """Stream the `results` items of an openFDA JSON payload; SourceFormatError
    when it is not JSON of that shape or is cut off (items before the damage are
    yielded first)."""
    parser = _JSONStream(stream)
    try:
        yield from parser.array_items("results")
    except json.JSONDecodeError as e:
        raise SourceFormatError(
            f"{where}: invalid or truncated JSON at character {parser.consumed + e.pos}: {e.msg}.",
            fix=FIX_FILE,
        ) from e
    except (ValueError, RecursionError) as e:  # also UnicodeDecodeError
        raise SourceFormatError(
            f"{where}: not an openFDA JSON file ({e}); expected {{\"meta\": ..., \"results\": [...]}}.",
            fix=FIX_FILE,
        ) from e


# --- label records ----------------------------------------------------------------


def _field_units(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, section code, text) for each text element of the clinical fields,
    in label order, with text repeated within a field dropped."""
    units: list[tuple[int, int, str, str, str]] = []
    for order, (field, value) in enumerate(record.items()):
        section = field_section(field)
        if section is None:
            continue
        rank, code = section
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        kept: list[str] = []
        for item in values:
            if not isinstance(item, str):
                continue
            text = soft_clean(item)
            if not text or _PLACEHOLDER.match(text) or any(text in k for k in kept):
                continue
            kept.append(text)
            units.append((rank, order, field, code, text))
    units.sort(key=lambda u: (u[0], u[1]))
    return [(f, c, t) for _, _, f, c, t in units]


def _cut_repeats(units: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str, str | None]]:
    """Remove from each unit the text of any other field it contains, leaving the
    fragments around it; of two fields with the same text keep the specific one.
    Returns (field, code, text, section number) with the unit's section number."""
    out: list[tuple[str, str, str, str | None]] = []
    for i, (field, code, text) in enumerate(units):
        spans: list[tuple[int, int]] = []
        duplicate = False
        for j, (other_field, other_code, other) in enumerate(units):
            if other_field == field or len(other) > len(text) or len(other) < 24:
                continue
            if len(other) == len(text):
                if other == text and _prefer(j, other_code, i, code):
                    duplicate = True
                    break
                continue
            at = text.find(other)
            if at >= 0:
                spans.append((at, at + len(other)))
        if duplicate:
            continue
        number = section_number(text)
        if not spans:
            out.append((field, code, text, number))
            continue
        start = 0
        for a, b in [*sorted(spans), (len(text), len(text))]:
            piece = text[start:a].strip()
            if piece and not heading_only(piece, fragment=True):
                out.append((field, code, piece, number))
            start = max(start, b)
    return out


def _prefer(j: int, code_j: str, i: int, code_i: str) -> bool:
    """True when unit j (same text as unit i) should be kept instead of unit i."""
    general_i, general_j = code_i in GENERAL_CODES, code_j in GENERAL_CODES
    if general_i != general_j:
        return general_i
    return j < i


def label_passages(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(section heading, section code, text) structural units of one label."""
    units = _cut_repeats(_field_units(record))
    out: list[tuple[str, str, str]] = []
    for field, code, text, number in units:
        heading = field_heading(field, code)
        for title, chunk in split_numbered(text, number):
            if heading_only(chunk):
                continue
            out.append((f"{heading}: {title}" if title else heading, code, chunk))
    return out


def record_to_item(record: Any, where: str, index: int, path: Path) -> Document | RecordError:
    if not isinstance(record, dict):
        return RecordError(str(path), f"{where}#{index}", "label record is not a JSON object")
    label_id = record.get("id") or record.get("set_id")
    if not isinstance(label_id, str) or not label_id.strip():
        return RecordError(str(path), f"{where}#{index}", "label has no 'id' or 'set_id' field")
    raw_of = record.get("openfda")
    of: dict[str, Any] = raw_of if isinstance(raw_of, dict) else {}
    set_id = record.get("set_id") if isinstance(record.get("set_id"), str) else None
    return label_document(
        doc_id=f"label:{label_id.strip()}",
        units=label_passages(record),
        brands=_strings(of.get("brand_name")),
        generics=_strings(of.get("generic_name")),
        substances=_strings(of.get("substance_name")),
        manufacturers=_strings(of.get("manufacturer_name")),
        effective_time=record.get("effective_time") if isinstance(record.get("effective_time"), str) else None,
        set_id=set_id,
        path=path,
        record=label_id,
    )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [" ".join(v.split()) for v in value if isinstance(v, str) and v.strip()]


class OpenFDAReader:
    """openFDA drug/label JSON, plain or zipped."""

    name = "openfda-json"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
        if not text.startswith("{"):
            return False
        at = text.find('"results"')
        if at < 0:
            return False
        keys = set(re.findall(r'"(\w+)"\s*:', text[at:]))
        return bool(keys & _LABEL_KEYS)

    def read(self, path: Path) -> Iterator[ReadItem]:
        for member, stream in iter_payloads(path):
            for index, record in enumerate(iter_results(stream, payload_label(path, member))):
                yield guarded_record(
                    path, f"{member}#{index}", lambda: record_to_item(record, member, index, path)
                )


_LABEL_KEYS = frozenset(
    {"set_id", "openfda", "effective_time", "spl_product_data_elements", "spl_id", "version"}
    | set(OPENFDA_FIELDS)
)


# --- label fields and metadata (shared with the SPL XML reader) ---------------------

# Fields outside OPENFDA_FIELDS that still hold clinical text.
_EXTRA_FIELDS: dict[str, str] = {
    "nonteratogenic_effects": "pregnancy",
    "labor_and_delivery": "pregnancy",
    "drug_and_or_laboratory_test_interactions": "interactions",
    "controlled_substance": "abuse_dependence",
    "storage_and_handling": "how_supplied",
    "spl_medguide": "patient_counseling",
    "spl_patient_package_insert": "patient_counseling",
    "patient_medication_information": "patient_counseling",
    "instructions_for_use": "patient_counseling",
}
_SKIP_FIELDS = frozenset(
    "id set_id version effective_time openfda spl_product_data_elements references "
    "package_label_principal_display_panel recent_major_changes spl_indexing_data_elements "
    "effective_time_table".split()
)
_HEADINGS = {
    "warnings_and_cautions": "Warnings and precautions",
    "spl_medguide": "Medication guide",
    "spl_patient_package_insert": "Patient package insert",
    "spl_unclassified_section": "Other label text",
    "drug_and_or_laboratory_test_interactions": "Drug and/or laboratory test interactions",
    "carcinogenesis_and_mutagenesis_and_impairment_of_fertility": (
        "Carcinogenesis, mutagenesis, impairment of fertility"
    ),
    "animal_pharmacology_and_or_toxicology": "Animal pharmacology and/or toxicology",
}
# Codes of sections that contain other sections: their copy of shared text yields.
GENERAL_CODES = frozenset({"clinical_pharmacology", "specific_populations", "other_label"})
_FIELD_RANK = {f: i for i, f in enumerate([*OPENFDA_FIELDS, *_EXTRA_FIELDS])}


def field_section(field: str) -> tuple[int, str] | None:
    """(display rank, section code) of a label field, None for non-clinical fields."""
    if field in _SKIP_FIELDS or field.endswith("_table"):
        return None
    code = OPENFDA_FIELDS.get(field) or _EXTRA_FIELDS.get(field) or "other_label"
    return _FIELD_RANK.get(field, len(_FIELD_RANK)), code


def field_heading(field: str, code: str) -> str:
    if field in _HEADINGS:
        return _HEADINGS[field]
    human = field.replace("_and_or_", "_and/or_").replace("_", " ").capitalize()
    return heading_for(code) if human.lower() == heading_for(code).lower() else human


def display_name(name: str) -> str:
    """"LIORESAL INTRATHECAL" -> "Lioresal Intrathecal"; mixed case and short
    all-capital words (XR, ER, HCT) are kept as written."""
    words = name.split()
    return " ".join(
        w.capitalize() if w.isupper() and sum(c.isalpha() for c in w) > 3 else w for w in words
    )


# "LIORESAL INTRATHECAL (baclofen injection) is indicated ..." -> the product's own name
_PRODUCT = re.compile(
    r"^(?:\d+(?:\.\d+)*\s+)?(?:INDICATIONS?(?:\s+(?:AND|&)\s+USAGE)?\s*:?\s+)?"
    r"(?P<name>[A-Z][^.;:]{2,70}?)\s+(?:is|are)\s+(?:indicated|useful|an?\s|a\s)"
)


def product_name(indications: str | None, generics: Sequence[str]) -> str | None:
    """The product name a label's indications text opens with, when it names the drug
    or reads as a brand (upper case); None otherwise."""
    if not indications:
        return None
    m = _PRODUCT.match(indications)
    if not m:
        return None
    name = m.group("name").strip()
    lowered = name.lower()
    if any(g.lower() in lowered for g in generics) or name.split()[0].isupper():
        return name
    return None


def label_title(brands: Sequence[str], generics: Sequence[str], product: str | None = None) -> str:
    generic = ", ".join(dict.fromkeys(g.lower() for g in generics))
    brand = next((b for b in brands if b.lower() != generic), None)
    if not brand and product and product.lower() != generic:
        return f"{product} label"
    if brand and generic:
        return f"{display_name(brand)} ({generic}) prescribing information"
    if brand:
        return f"{display_name(brand)} prescribing information"
    if generic:
        return f"{generic[0].upper()}{generic[1:]} label"
    return "Drug label"


def label_document(
    *,
    doc_id: str,
    units: Sequence[tuple[str, str, str]],
    brands: Sequence[str],
    generics: Sequence[str],
    substances: Sequence[str],
    manufacturers: Sequence[str],
    effective_time: str | None,
    set_id: str | None,
    path: Path,
    record: str,
) -> Document | RecordError:
    """A drug-label Document from (heading, code, text) units and label metadata."""
    passages: list[Passage] = []
    for heading, code, text in units:
        passages.extend(make_passages(heading, code, text, cleaned=True))
    if not passages:
        return RecordError(str(path), record, "label has no clinical text sections")
    year, date = compact_date(effective_time)
    return Document(
        doc_id=doc_id,
        source_type=SourceType.DRUG_LABEL,
        title=label_title(
            brands, generics, product_name(next((p.text for p in passages if p.section_code == "indications"), None),
                                           generics)
        ),
        publisher=manufacturers[0] if manufacturers else "DailyMed",
        year=year,
        date=date,
        url=f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={set_id}" if set_id else None,
        drugs=tuple(dict.fromkeys(n.lower() for n in [*generics, *substances])),
        brands=tuple(dict.fromkeys(brands)),
        passages=tuple(passages),
        source_file=str(path),
    )
