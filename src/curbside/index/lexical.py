"""BM25 over passages with tantivy. The index lives in ``<data_dir>/lexical``; it
holds ids and searchable text only, the store holds the passages themselves.

A folder that cannot be written (a read-only mount shared by several app instances:
docs/SCALING.md) is still searched: tantivy takes a lock file in the index folder even
to read, so the index is opened through a private temporary folder holding links to
its files and its own lock files (the files are still read, and memory-mapped, where
they are)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path

import tantivy

from curbside.types import StoredPassage
from curbside.understanding.normalize import drug_key

WRITER_HEAP = 256 * 1024 * 1024

# Words too common in questions to help BM25 (the question type is handled elsewhere).
_STOP = frozenset(
    """a about after all also an and any are as at be been before being but by can could
    did do does doing for from had has have having how i if in into is it its me my no not
    of on or our should so some such than that the their them then there these they this
    those to too up us very was we were what when where which while who whom why will with
    would you your yes please tell know take taking use used using""".split()
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['-][A-Za-z0-9]+)*")


def query_terms(text: str) -> list[str]:
    """Lower-cased content words of a question, in order, without duplicates."""
    out: list[str] = []
    for w in _WORD.findall(text.lower()):
        for part in w.replace("'", " ").replace("-", " ").split():
            if part not in _STOP and len(part) > 1 and part not in out:
                out.append(part)
    return out


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("rowid", stored=True, indexed=True, fast=True)
    b.add_text_field("doc_id", stored=False, tokenizer_name="raw")
    b.add_text_field("text", stored=False, tokenizer_name="en_stem")
    b.add_text_field("title", stored=False, tokenizer_name="en_stem")
    b.add_text_field("drugs", stored=False, tokenizer_name="raw")
    b.add_text_field("section", stored=False, tokenizer_name="raw")
    b.add_text_field("source", stored=False, tokenizer_name="raw")
    return b.build()


_LOCKS = (".tantivy-meta.lock", ".tantivy-writer.lock")


class LexicalIndex:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.readonly = not os.access(self.folder, os.W_OK)
        opened = _linked_copy(self.folder) if self.readonly else self.folder
        if opened != self.folder:
            weakref.finalize(self, shutil.rmtree, opened, True)
        self.index = tantivy.Index(self.schema, path=str(opened), reuse=True)
        self._searcher: tantivy.Searcher | None = None

    @classmethod
    def exists(cls, folder: Path) -> bool:
        return (Path(folder) / "meta.json").exists()

    # ---- writing -----------------------------------------------------------------
    def update(
        self, delete_doc_ids: Iterable[str], passages: Iterable[StoredPassage], threads: int = 2
    ) -> int:
        """Delete every passage of ``delete_doc_ids`` then add ``passages``; one commit."""
        writer = self.index.writer(WRITER_HEAP, max(1, threads))
        try:
            for doc_id in delete_doc_ids:
                writer.delete_documents_by_term("doc_id", doc_id)
            n = 0
            for p in passages:
                doc = tantivy.Document()
                doc.add_integer("rowid", p.rowid)
                doc.add_text("doc_id", p.doc_id)
                doc.add_text("text", p.text)
                doc.add_text("title", " ".join([p.title, p.section, *p.keywords]))
                for d in {drug_key(x) for x in p.drugs}:
                    if d:
                        doc.add_text("drugs", d)
                doc.add_text("section", p.section_code)
                doc.add_text("source", p.source_type.value)
                writer.add_document(doc)
                n += 1
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            try:
                writer.rollback()
            finally:
                raise
        self.index.reload()
        self._searcher = None
        return n

    # ---- searching ---------------------------------------------------------------
    @property
    def searcher(self) -> tantivy.Searcher:
        if self._searcher is None:
            self._searcher = self.index.searcher()
        return self._searcher

    def num_docs(self) -> int:
        return self.searcher.num_docs

    def count(self, term: str) -> int:
        """How many passages contain ``term`` (stemmed like the text)."""
        q = self.index.parse_query(term, ["text", "title"])
        return int(getattr(self.searcher.search(q, 1, count=True), "count", 0) or 0)

    def build_query(
        self,
        terms: Sequence[str],
        *,
        drug_keys: Sequence[str] = (),
        drug_filter: bool = False,
        sources: Sequence[str] = (),
    ) -> tantivy.Query | None:
        if not terms:
            return None
        text_q = self.index.parse_query(
            " ".join(terms), ["text", "title"], field_boosts={"title": 0.4}
        )
        clauses = [(tantivy.Occur.Must, text_q)]
        if drug_keys:
            dq = tantivy.Query.term_set_query(self.schema, "drugs", list(drug_keys))
            occur = tantivy.Occur.Must if drug_filter else tantivy.Occur.Should
            clauses.append((occur, tantivy.Query.boost_query(dq, 2.0)))
        if sources:
            sq = tantivy.Query.term_set_query(self.schema, "source", list(sources))
            clauses.append((tantivy.Occur.Must, sq))
        return tantivy.Query.boolean_query(clauses)

    def search(self, query: tantivy.Query | None, k: int) -> list[tuple[int, float]]:
        """(rowid, bm25 score) best first."""
        if query is None or k <= 0:
            return []
        s = self.searcher
        res = s.search(query, k, count=False)
        addrs = [a for _, a in res.hits]
        rowids = s.fast_field_values("rowid", addrs)
        return [(int(r), float(sc)) for (sc, _), r in zip(res.hits, rowids) if r is not None]


def _linked_copy(folder: Path) -> Path:
    """A temporary folder with a symbolic link to each file of the index in ``folder``
    (not its lock files): tantivy reads the index there and locks its own files."""
    tmp = Path(tempfile.mkdtemp(prefix="curbside-lexical-"))
    try:
        for entry in os.scandir(folder):
            if entry.is_file() and entry.name not in _LOCKS:
                os.symlink(Path(entry.path).resolve(), tmp / entry.name)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp
