"""MedQuAD consumer-health question/answer XML (NIH: NCI, GARD, GHR, NIDDK, NINDS,
NHLBI, CDC, MedlinePlus), one document per file:

    <Document id="0000001_1" source="CancerGov" url="https://...">
      <Focus>Adult Acute Lymphoblastic Leukemia</Focus>
      <QAPairs><QAPair pid="1"><Question qid=".." qtype="..">..</Question>
               <Answer>..</Answer></QAPair>...</QAPairs>
    </Document>

A few collections use other spellings of the same structure (`<doc docid corpus>`
with `<doctitle-focus>`, `<qaPairs><pair><question><answer>`; `<DiseaseFile fid>`);
tags and attributes are matched case-insensitively. The focus's synonyms
(``<FocusAnnotations><Synonyms>``) are the document's keywords. One passage per answered pair,
headed by its question; the MedlinePlus drug and herb collections ship without
answers, so their documents yield nothing (and no error)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from curbside.errors import SourceFormatError
from curbside.sources.base import ReadItem
from curbside.sources.text import (
    FIX_FILE,
    clean_text,
    guarded_record,
    iter_payloads,
    make_passages,
    parse_xml,
    payload_label,
    xml_root_name,
)
from curbside.types import Document, Passage, RecordError, SourceType
from curbside.validate import web_url

AGENCIES: dict[str, str] = {
    "cancergov": "National Cancer Institute",
    "gard": "Genetic and Rare Diseases Information Center",
    "ghr": "Genetics Home Reference",
    "niddk": "National Institute of Diabetes and Digestive and Kidney Diseases",
    "ninds": "National Institute of Neurological Disorders and Stroke",
    "nhlbi": "National Heart, Lung, and Blood Institute",
    "cdc": "Centers for Disease Control and Prevention",
    "mplushealthtopics": "MedlinePlus",
    "seniorhealth": "NIHSeniorHealth",
    "nihseniorhealth": "NIHSeniorHealth",
    "adam": "A.D.A.M. Medical Encyclopedia (MedlinePlus)",
    "mplusdrugs": "MedlinePlus Drug Information",
    "mplusherbssupplements": "MedlinePlus Herbs and Supplements",
}
_ROOTS = frozenset({"document", "doc", "diseasefile"})
_ID_ATTRS = ("id", "docid", "fid")
_SOURCE_ATTRS = ("source", "corpus")
_FOCUS_TAGS = frozenset({"focus", "doctitle-focus"})
_PAIR_TAGS = frozenset({"qapair", "pair"})


def agency(source: str) -> str:
    """The publishing agency's name for a MedQuAD `source` attribute."""
    return AGENCIES.get(source.strip().lower(), source.strip() or "MedQuAD")


def _attr(elem: ET.Element, names: tuple[str, ...]) -> str:
    lowered = {k.lower(): v for k, v in elem.attrib.items()}
    return next((lowered[n].strip() for n in names if lowered.get(n, "").strip()), "")


def _child(elem: ET.Element, names: frozenset[str]) -> ET.Element | None:
    return next((c for c in elem if c.tag.lower() in names), None)


def _text(elem: ET.Element | None) -> str:
    return "".join(elem.itertext()) if elem is not None else ""


def medquad_document(root: ET.Element, path: Path, member: str) -> Document | RecordError | None:
    doc_id, source = _attr(root, _ID_ATTRS), _attr(root, _SOURCE_ATTRS)
    if not doc_id:
        return RecordError(str(path), member, "MedQuAD document has no id attribute")
    focus = clean_text(_text(_child(root, _FOCUS_TAGS)))
    passages: list[Passage] = []
    for pair in root.iter():
        if not isinstance(pair.tag, str) or pair.tag.lower() not in _PAIR_TAGS:
            continue
        question = clean_text(_text(_child(pair, frozenset({"question"}))))
        answer = _text(_child(pair, frozenset({"answer"})))
        if answer.strip():
            passages.extend(make_passages(question or "Answer", "qa", answer))
    if not passages:
        return None
    title = focus or passages[0].section  # a few CDC files have an empty Focus
    # other names of the focus ("Gastroenteritis": "Stomach flu"), kept as index terms
    annotations = _child(root, frozenset({"focusannotations"}))
    synonyms = () if annotations is None else tuple(dict.fromkeys(
        t for t in (clean_text(_text(e)) for e in annotations.iter()
                    if isinstance(e.tag, str) and e.tag.lower() == "synonym") if t
    ))
    # ids repeat across collections, and a few CancerGov files share one id
    # (0000013_2.xml, 0000013_2_1.xml, ...): the file stem extends it then
    name = Path(member).stem
    stem = name if name.startswith(doc_id) else doc_id
    key = f"{source}:{stem}" if source else stem
    return Document(
        doc_id=f"medquad:{key}",
        source_type=SourceType.PATIENT_INFO,
        title=title[:1].upper() + title[1:],
        publisher=agency(source),
        year=None,
        date=None,
        url=web_url(_attr(root, ("url",))),  # http(s) only: a javascript: URL is dropped
        passages=tuple(passages),
        source_file=str(path),
        keywords=synonyms,
    )


class MedQuADReader:
    """MedQuAD question/answer XML documents."""

    name = "medquad-xml"

    def sniff(self, path: Path, head: bytes) -> bool:
        root = xml_root_name(head)
        if root is None or root.lower() not in _ROOTS:
            return False
        lowered = head.lower()
        return b"<focus" in lowered or b"<doctitle-focus" in lowered or b"qapair" in lowered

    def read(self, path: Path) -> Iterator[ReadItem]:
        for member, stream in iter_payloads(path):
            root = parse_xml(stream.read(), path, member)
            if root.tag.lower() not in _ROOTS:
                raise SourceFormatError(
                    f"{payload_label(path, member)}: not a MedQuAD document (root <{root.tag}>).", fix=FIX_FILE
                )
            item = guarded_record(path, member, lambda: medquad_document(root, path, member))
            if item is not None:
                yield item
