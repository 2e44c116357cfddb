"""DailyMed Structured Product Labeling (SPL) XML: HL7 v3, namespace urn:hl7-org:v3,
one label per file (plain, or each .xml member of a zip as DailyMed ships them).

Sections are recognised by their LOINC code; every nested subsection becomes its
own passage ("Indications and usage: 1.1 Spasticity"), inheriting its parent's
section code unless its own LOINC code maps to a more specific one."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from curbside.errors import SourceFormatError
from curbside.sources.base import ReadItem
from curbside.sources.openfda import label_document
from curbside.sources.sections import LOINC_SECTIONS, heading_for
from curbside.sources.text import (
    FIX_FILE,
    clean_text,
    guarded_record,
    iter_payloads,
    parse_xml,
    payload_label,
    soft_clean,
    xml_root_name,
)
from curbside.types import Document, RecordError

HL7 = "{urn:hl7-org:v3}"

# LOINC section codes beyond sections.LOINC_SECTIONS (42230-3 is the patient
# package insert, not drug abuse and dependence, which is 42227-9).
_LOINC_EXTRA: dict[str, str] = {
    "42227-9": "abuse_dependence",
    "34085-1": "abuse_dependence",
    "34086-9": "abuse_dependence",
    "34087-7": "abuse_dependence",
    "42230-3": "patient_counseling",
    "42231-1": "patient_counseling",
    "59845-8": "patient_counseling",
    "34074-5": "interactions",
    "34078-6": "pregnancy",
    "34079-4": "pregnancy",
    "44425-7": "how_supplied",
}
# Sections that are not clinical text.
_LOINC_SKIP = frozenset({"48780-1", "51945-4", "43683-2", "34093-5", "48779-3"})
_ACTIVE = frozenset({"ACTIB", "ACTIM", "ACTIR"})
_BLOCK = frozenset({"paragraph", "item", "tr", "caption", "br", "table", "list", "footnote"})
_CELL = frozenset({"td", "th"})
_NO_TEXT = frozenset({"renderMultiMedia", "observationMedia"})
_EXPONENT = re.compile(r"\s*[-+\u2212]?\d+\s*$")


def _section_code(loinc: str | None) -> str | None:
    if not loinc:
        return None
    return _LOINC_EXTRA.get(loinc) or LOINC_SECTIONS.get(loinc)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def narrative_text(elem: ET.Element) -> str:
    """Text of an SPL narrative block: block elements (paragraphs, list items,
    table rows) on their own lines, table cells separated by spaces, inline markup
    (content, sup, sub, links) joined as written; a numeric superscript is marked
    with "^"."""
    parts: list[str] = []

    def walk(e: ET.Element) -> None:
        tag = _local(e.tag)
        if tag not in _NO_TEXT:
            sep = "\n" if tag in _BLOCK else " " if tag in _CELL else ""
            parts.append(sep)
            if tag == "sup" and _EXPONENT.match("".join(e.itertext())):
                parts.append("^")  # 10<sup>9</sup> is 10^9, not 109
            if e.text:
                parts.append(e.text)
            for child in e:
                walk(child)
                if child.tail:
                    parts.append(child.tail)
            parts.append(sep)

    walk(elem)
    return "".join(parts)


def _heading_text(title: str) -> str:
    """"WARNINGS" -> "Warnings"; headings already in mixed case are kept."""
    return title[:1] + title[1:].lower() if title.isupper() else title


def _sections(body: ET.Element) -> list[tuple[str, str, str]]:
    units: list[tuple[str, str, str]] = []

    def walk(sec: ET.Element, parent_code: str | None, top: str | None) -> None:
        code_el = sec.find(f"{HL7}code")
        loinc = code_el.get("code") if code_el is not None else None
        if loinc in _LOINC_SKIP:
            return
        title_el = sec.find(f"{HL7}title")
        title = clean_text(narrative_text(title_el)) if title_el is not None else ""
        mapped = _section_code(loinc)
        code = mapped or parent_code or "other_label"
        if top is None:
            plain = title.lstrip("0123456789. ")
            heading = heading_for(code) if mapped else _heading_text(plain) or heading_for(code)
            child_top = heading
        else:
            heading = f"{top}: {title}" if title else top
            child_top = top
        text_el = sec.find(f"{HL7}text")
        body_text = soft_clean(narrative_text(text_el)) if text_el is not None else ""
        if body_text:
            units.append((heading, code, f"{title}\n{body_text}" if title else body_text))
        for comp in sec.findall(f"{HL7}component"):
            for child in comp.findall(f"{HL7}section"):
                walk(child, code, child_top)

    for comp in body.findall(f"{HL7}component"):
        for sec in comp.findall(f"{HL7}section"):
            walk(sec, None, None)
    return units


def _names(root: ET.Element) -> tuple[list[str], list[str], list[str]]:
    """(brand names, generic names, active substance names) from the product data."""
    brands: list[str] = []
    generics: list[str] = []
    substances: list[str] = []
    for kind in ("manufacturedProduct", "manufacturedMedicine"):
        for product in root.iter(f"{HL7}{kind}"):
            name = product.find(f"{HL7}name")
            if name is None or product.find(f"{HL7}formCode") is None:
                continue
            brands.append(clean_text("".join(name.itertext())))
            for generic in product.iterfind(f"{HL7}asEntityWithGeneric/{HL7}genericMedicine/{HL7}name"):
                generics.append(clean_text("".join(generic.itertext())))
            for ing in product.iter(f"{HL7}ingredient"):
                if ing.get("classCode") in _ACTIVE:
                    sub = ing.find(f"{HL7}ingredientSubstance/{HL7}name")
                    if sub is not None:
                        substances.append(clean_text("".join(sub.itertext())))
            for sub in product.iterfind(f"{HL7}activeIngredient/{HL7}activeIngredientSubstance/{HL7}name"):
                substances.append(clean_text("".join(sub.itertext())))
    return _unique(brands), _unique(generics), _unique(substances)


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for v in values:
        if v:
            seen.setdefault(v.lower(), v)
    return list(seen.values())


def _attr(root: ET.Element, path: str, name: str) -> str | None:
    el = root.find(path)
    value = el.get(name) if el is not None else None
    return value.strip() if value and value.strip() else None


def spl_document(root: ET.Element, path: Path, member: str) -> Document | RecordError:
    doc_root = _attr(root, f"{HL7}id", "root")
    if doc_root is None:
        return RecordError(str(path), member, "SPL document has no <id root=...>")
    body = root.find(f"{HL7}component/{HL7}structuredBody")
    if body is None:
        return RecordError(str(path), doc_root, "SPL document has no structuredBody")
    brands, generics, substances = _names(root)
    org = root.find(f"{HL7}author/{HL7}assignedEntity/{HL7}representedOrganization/{HL7}name")
    manufacturer = clean_text("".join(org.itertext())) if org is not None else ""
    return label_document(
        doc_id=f"label:{doc_root}",
        units=_sections(body),
        brands=brands,
        generics=generics,
        substances=substances,
        manufacturers=[manufacturer] if manufacturer else [],
        effective_time=_attr(root, f"{HL7}effectiveTime", "value"),
        set_id=_attr(root, f"{HL7}setId", "root"),
        path=path,
        record=doc_root,
    )


class SPLReader:
    """DailyMed SPL XML drug labels."""

    name = "spl-xml"

    def sniff(self, path: Path, head: bytes) -> bool:
        return xml_root_name(head) == "document" and b"urn:hl7-org:v3" in head

    def read(self, path: Path) -> Iterator[ReadItem]:
        for member, stream in iter_payloads(path):
            root = parse_xml(stream.read(), path, member)
            if root.tag != f"{HL7}document":
                raise SourceFormatError(
                    f"{payload_label(path, member)}: not an SPL document (root element {_local(root.tag)!r}).",
                    fix=FIX_FILE,
                )
            yield guarded_record(path, member, lambda: spl_document(root, path, member))
