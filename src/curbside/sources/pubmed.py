"""PubMed research abstracts, in two formats:

* JSON lines, one article per line: `pmid`, `title` (may be null), `abstract`,
  optional labelled `abstract_sections` [{label, text}], `year`, `mesh`;
* PubMed/MEDLINE XML (`PubmedArticleSet`, as the baseline and efetch serve it),
  streamed article by article so baseline files read in constant memory.

One passage per labelled abstract section ("Abstract: RESULTS"), else one for the
abstract; long ones split at sentences. Articles without abstract text carry no
evidence and are skipped without an error."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from curbside.errors import SourceFormatError
from curbside.sources.base import ReadItem
from curbside.sources.text import (
    FIX_FILE,
    check_xml_prolog,
    clean_text,
    guarded_record,
    iter_jsonl,
    iter_payloads,
    make_passages,
    payload_label,
    xml_root_name,
)
from curbside.types import Document, Passage, RecordError, SourceType

_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def pubmed_document(
    *,
    pmid: str,
    title: str | None,
    sections: Iterable[tuple[str | None, str]],
    journal: str | None,
    year: int | None,
    date: str | None,
    path: Path,
    mesh: Iterable[str] = (),
) -> Document | None:
    """A research Document from (abstract label or None, text) sections. A record with
    a title and no abstract (letters, editorials, many older articles) is searchable by
    its title, which becomes its one passage; None when there is neither."""
    passages: list[Passage] = []
    for label, text in sections:
        label = clean_text(label or "")
        heading = f"Abstract: {label}" if label else "Abstract"
        passages.extend(make_passages(heading, "abstract", text))
    if not passages and clean_text(title or ""):
        passages.extend(make_passages("Title", "title", clean_text(title or "")))
    if not passages:
        return None
    return Document(
        doc_id=f"pmid:{pmid}",
        source_type=SourceType.RESEARCH,
        title=clean_text(title or "") or f"PubMed abstract {pmid}",
        publisher=clean_text(journal or "") or "PubMed",
        year=year,
        date=date or (str(year) if year else None),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        passages=tuple(passages),
        source_file=str(path),
        keywords=tuple(dict.fromkeys(t for t in (clean_text(m) for m in mesh) if t)),
    )


def _pmid(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    return None


def _year(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1000 <= value <= 2999 else None
    if isinstance(value, str) and value.strip()[:4].isdigit():
        return int(value.strip()[:4])
    return None


def _json_sections(record: dict[str, Any]) -> list[tuple[str | None, str]]:
    labelled = record.get("abstract_sections")
    if isinstance(labelled, list):
        out = [
            (s.get("label") if isinstance(s.get("label"), str) else None, s["text"])
            for s in labelled
            if isinstance(s, dict) and isinstance(s.get("text"), str) and s["text"].strip()
        ]
        if out:
            return out
    abstract = record.get("abstract")
    return [(None, abstract)] if isinstance(abstract, str) and abstract.strip() else []


def _json_article(record: dict[str, Any], where: str, path: Path) -> Document | RecordError | None:
    pmid = _pmid(record.get("pmid"))
    if pmid is None:
        return RecordError(str(path), where, "record has no numeric 'pmid'")
    title, journal = record.get("title"), record.get("journal")
    return pubmed_document(
        pmid=pmid,
        title=title if isinstance(title, str) else None,
        sections=_json_sections(record),
        journal=journal if isinstance(journal, str) else None,
        year=_year(record.get("year")),
        date=None,
        path=path,
        mesh=[m for m in record["mesh"] if isinstance(m, str)] if isinstance(record.get("mesh"), list) else [],
    )


class PubMedJSONLReader:
    """PubMed abstracts as JSON lines."""

    name = "pubmed-jsonl"

    def sniff(self, path: Path, head: bytes) -> bool:
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        return first.startswith(b"{") and b'"pmid"' in first and (
            b'"abstract' in first or b'"title"' in first
        )

    def read(self, path: Path) -> Iterator[ReadItem]:
        for where, record in iter_jsonl(path):
            if isinstance(record, str):
                yield RecordError(str(path), where, record)
                continue
            item = guarded_record(path, where, lambda: _json_article(record, where, path))
            if item is not None:
                yield item


# --- PubMed XML -------------------------------------------------------------------


def _text(elem: ET.Element | None) -> str:
    return clean_text("".join(elem.itertext())) if elem is not None else ""


def _pub_date(article: ET.Element) -> tuple[int | None, str | None]:
    for path in ("Journal/JournalIssue/PubDate", "ArticleDate"):
        node = article.find(path)
        if node is None:
            continue
        year = _year(node.findtext("Year") or node.findtext("MedlineDate"))
        if year is None:
            continue
        month_text = (node.findtext("Month") or "").strip()
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text[:3].lower(), 0)
        day_text = (node.findtext("Day") or "").strip()
        date = f"{year:04d}"
        if 1 <= month <= 12:
            date += f"-{month:02d}"
            if day_text.isdigit() and 1 <= int(day_text) <= 31:
                date += f"-{int(day_text):02d}"
        return year, date
    return None, None


def xml_article(elem: ET.Element, index: int, path: Path) -> Document | RecordError | None:
    """A Document from one <PubmedArticle> or <PubmedBookArticle> element."""
    citation = elem.find("MedlineCitation")
    if citation is None:
        citation = elem.find("BookDocument")
    pmid = _pmid(citation.findtext("PMID") if citation is not None else None)
    if citation is None or pmid is None:
        return RecordError(str(path), f"article {index}", "article has no PMID")
    article = citation.find("Article")
    if article is None:
        article = citation
    sections = [
        (node.get("Label"), "".join(node.itertext())) for node in article.iterfind("Abstract/AbstractText")
    ]
    year, date = _pub_date(article)
    journal = _text(article.find("Journal/Title")) or _text(article.find("Journal/ISOAbbreviation"))
    return pubmed_document(
        pmid=pmid,
        title=_text(article.find("ArticleTitle")) or _text(citation.find("Book/BookTitle")),
        sections=[(label, text) for label, text in sections if text.strip()],
        journal=journal or None,
        year=year,
        date=date,
        path=path,
        mesh=[_text(n) or "" for n in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName")],
    )


class PubMedXMLReader:
    """PubMed/MEDLINE XML (PubmedArticleSet)."""

    name = "pubmed-xml"

    def sniff(self, path: Path, head: bytes) -> bool:
        return xml_root_name(head) == "PubmedArticleSet"

    def read(self, path: Path) -> Iterator[ReadItem]:
        for member, stream in iter_payloads(path):
            check_xml_prolog(stream.peek(65536)[:65536], path)
            yield from self._articles(stream, path, member)

    def _articles(self, stream: IO[bytes], path: Path, member: str) -> Iterator[ReadItem]:
        index = 0
        root: ET.Element | None = None
        try:
            for event, elem in ET.iterparse(stream, events=("start", "end")):
                if root is None:
                    root = elem
                if event != "end" or elem.tag not in ("PubmedArticle", "PubmedBookArticle"):
                    continue
                index += 1
                item = guarded_record(path, f"article {index}", lambda: xml_article(elem, index, path))
                root.clear()
                if item is not None:
                    yield item
        except ET.ParseError as e:
            raise SourceFormatError(
                f"{payload_label(path, member)}: not well-formed XML ({e}).", fix=FIX_FILE
            ) from e
        if root is None or _local(root.tag) != "PubmedArticleSet":
            raise SourceFormatError(
                f"{payload_label(path, member)}: not a PubmedArticleSet XML file.", fix=FIX_FILE
            )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
