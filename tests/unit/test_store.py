import pytest

from curbside.errors import StoreError
from curbside.index.lexical import LexicalIndex, query_terms
from curbside.store.base import FileState
from curbside.store.sqlite import SQLiteStore
from curbside.types import Document, Passage, RecordError, SourceType


def _doc(doc_id: str, text: str, drugs=("baclofen",), st=SourceType.DRUG_LABEL) -> Document:
    return Document(
        doc_id=doc_id, source_type=st, title=f"Title {doc_id}", publisher="Pub", year=2020,
        date="2020-01-02", url=None, drugs=drugs, brands=("Lioresal",),
        passages=(Passage("Indications and usage", "indications", text),
                  Passage("Contraindications", "contraindications", "Hypersensitivity to the drug.")),
    )


def _state(path: str, sha: str) -> FileState:
    return FileState(path, 10, 1, sha, "test", 0, 0)


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.sqlite")
    yield s
    s.close()


def test_replace_file_is_incremental(store):
    a, b = _doc("label:a", "Baclofen is useful for spasticity."), _doc("label:b", "Other text here.")
    ch = store.replace_file(_state("/f", "1"), [a, b], [])
    assert (ch.added, ch.changed, ch.unchanged, ch.removed) == (2, 0, 0, 0)
    rowids_before = store.rowids_for_drug("baclofen")
    ch = store.replace_file(_state("/f", "2"), [a, _doc("label:b", "Changed text.")], [])
    assert (ch.added, ch.changed, ch.unchanged, ch.removed) == (0, 1, 1, 0)
    # unchanged documents keep their rowids; changed ones get new rowids (never reused)
    after = store.rowids_for_drug("baclofen")
    assert rowids_before[:2] == after[:2] and max(after) > max(rowids_before)
    ch = store.replace_file(_state("/f", "3"), [a], [RecordError("/f", "2", "missing id")])
    assert ch.removed == 1
    assert store.counts() == {"files": 1, "documents": 1, "passages": 2, "copies": 0, "record_errors": 1}


def test_failed_transaction_leaves_store_unchanged(store):
    store.replace_file(_state("/f", "1"), [_doc("label:a", "First version text.")], [])
    with pytest.raises(RuntimeError):
        store.replace_file(_state("/f", "2"), [_doc("label:new", "x" * 30), _Exploding()], [])
    assert store.counts()["documents"] == 1
    assert [p.text for p in store.passages(store.rowids_for_drug("baclofen"))][0] == "First version text."
    assert store.file_state("/f").sha256 == "1"


class _Exploding:
    doc_id = "label:zzz"

    @property
    def hash(self):
        raise RuntimeError("crash mid-write")


def test_passages_carry_provenance(store):
    store.replace_file(_state("/f", "1"), [_doc("label:a", "Baclofen is useful for spasticity.")], [])
    p = store.passages(store.rowids_for_drug("baclofen"))[0]
    assert (p.source_type, p.title, p.publisher, p.year, p.section_code) == (
        SourceType.DRUG_LABEL, "Title label:a", "Pub", 2020, "indications")
    assert p.passage_id == "label:a#0"
    assert list(store.label_drug_names()) == [("baclofen", ["Lioresal"])]


def test_index_diff_and_lexical_search(store, tmp_path):
    store.replace_file(_state("/f", "1"), [
        _doc("label:a", "Baclofen is useful for spasticity from multiple sclerosis."),
        _doc("ngc:1", "Exercise helps knee osteoarthritis.", drugs=(), st=SourceType.GUIDELINE),
    ], [])
    stale, gone = store.index_diff("lexical")
    assert sorted(stale) == ["label:a", "ngc:1"] and gone == []
    idx = LexicalIndex(tmp_path / "lex")
    idx.update(stale, store.passages_of_docs(stale))
    store.mark_indexed("lexical", stale, [])
    assert store.index_diff("lexical") == ([], [])
    q = idx.build_query(query_terms("What is baclofen used for in multiple sclerosis?"))
    top = store.passages([r for r, _ in idx.search(q, 5)])
    assert top[0].doc_id == "label:a"
    q = idx.build_query(query_terms("spasticity"), drug_keys=["baclofen"], drug_filter=True)
    assert {p.doc_id for p in store.passages([r for r, _ in idx.search(q, 5)])} == {"label:a"}
    assert idx.count("osteoarthritis") == 1 and idx.count("zorblatex") == 0
    # a removed document leaves the index on the next sync
    store.replace_file(_state("/f", "2"), [_doc("label:a",
                                                "Baclofen is useful for spasticity from multiple sclerosis.")], [])
    stale, gone = store.index_diff("lexical")
    assert stale == [] and gone == ["ngc:1"]
    idx.update(gone, ())
    assert idx.count("osteoarthritis") == 0


def test_corrupt_store_file_gives_clear_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as e:
        SQLiteStore(bad)
    assert "curbside ingest" in str(e.value)


def test_query_terms_drop_question_words():
    assert query_terms("What is the indication for Baclofen (Lioresal)?") == ["indication", "baclofen", "lioresal"]


def test_schema_1_store_migrates_and_rereads_files(tmp_path):
    path = tmp_path / "old.sqlite"
    s = SQLiteStore(path)
    s.replace_file(_state("/f", "1"), [_doc("label:a", "Baclofen is useful for spasticity.")], [])
    # make it look like a version-1 store: no keywords column, schema_version 1
    s.conn.execute("ALTER TABLE documents DROP COLUMN keywords")
    s.conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    s.close()
    s = SQLiteStore(path)
    assert s.file_state("/f") is None  # forgotten, so the next ingest reads it again
    assert s.passages(s.rowids_for_drug("baclofen"))[0].keywords == ()
    s.close()


def test_keywords_are_stored_and_indexed(store, tmp_path):
    from dataclasses import replace

    doc = replace(_doc("pmid:1", "Text about a plant.", drugs=(), st=SourceType.RESEARCH),
                  keywords=("Apoptosis", "Plant Leaves"))
    store.replace_file(_state("/p", "1"), [doc], [])
    p = next(store.passages_of_docs(["pmid:1"]))
    assert p.keywords == ("Apoptosis", "Plant Leaves")
    idx = LexicalIndex(tmp_path / "lex")
    idx.update(["pmid:1"], store.passages_of_docs(["pmid:1"]))
    assert idx.count("apoptosis") == 2  # a MeSH heading finds both passages of the document
    assert idx.count("necrosis") == 0


@pytest.mark.parametrize("content", [b"this is not a database" * 100, b""], ids=["garbage", "empty"])
def test_damaged_store_opened_read_only_is_named_damaged(tmp_path, content):
    from curbside.errors import CorruptStoreError

    bad = tmp_path / "curbside.sqlite"
    bad.write_bytes(content)
    with pytest.raises(CorruptStoreError) as e:
        SQLiteStore(bad, readonly=True)
    assert e.value.code == "corrupt_store" and e.value.exit_code == 3
    assert "damaged" in e.value.message and "curbside ingest" in (e.value.fix or "")


def _texts(store, doc_id):
    return [p.text for p in store.passages_of_docs([doc_id])]


def test_a_doc_id_in_two_files_uses_the_first_files_version_and_stays_while_held(store):
    from curbside.store.base import DuplicateId

    v1, v2 = _doc("label:x", "Version one of the text."), _doc("label:x", "Version two of the text.")
    store.replace_file(_state("/b", "1"), [v2], [])
    ch = store.replace_file(_state("/a", "1"), [v1], [])
    assert ch.changed == 1 and ch.duplicates == (DuplicateId("label:x", "/a", ("/b",)),)
    assert _texts(store, "label:x")[0] == "Version one of the text."
    # /b's version is not used: it changes nothing, and is reported
    ch = store.replace_file(_state("/b", "2"), [_doc("label:x", "Version three.")], [])
    assert (ch.added, ch.changed, ch.unchanged, ch.removed) == (0, 0, 0, 0)
    assert ch.duplicates == (DuplicateId("label:x", "/a", ("/b",)),)
    # /a drops it: the document stays, /b is to be read again for its own version
    ch = store.replace_file(_state("/a", "2"), [], [])
    assert ch.removed == 0 and ch.reread == ("/b",)
    assert _texts(store, "label:x")[0] == "Version one of the text."
    assert store.file_state("/b").sha256 != "2"  # so ingest reads it again
    ch = store.replace_file(_state("/b", "2"), [_doc("label:x", "Version three.")], [])
    assert ch.changed == 1 and ch.duplicates == () and ch.reread == ()
    assert _texts(store, "label:x")[0] == "Version three."
    assert store.forget_files([], "/b").removed == 1
    assert store.counts()["documents"] == 0


def test_same_version_in_another_file_needs_no_reread(store):
    doc = _doc("label:x", "The same text in both files.")
    store.replace_file(_state("/b", "1"), [doc], [])
    ch = store.replace_file(_state("/a", "1"), [doc], [])
    assert (ch.added, ch.unchanged) == (0, 1)
    ch = store.forget_files([], "/a")
    assert (ch.removed, ch.reread) == (0, ())
    assert store.file_state("/b").sha256 == "1"
    assert store.forget_files([], "/b").removed == 1


def test_schema_2_store_learns_which_files_hold_each_doc(tmp_path):
    path = tmp_path / "v2.sqlite"
    s = SQLiteStore(path)
    s.replace_file(_state("/f", "1"), [_doc("label:a", "Baclofen is useful for spasticity.")], [])
    s.conn.execute("DROP TABLE doc_files")
    s.conn.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
    s.close()
    s = SQLiteStore(path)
    assert s.file_state("/f") is None  # read again, to learn every file's ids
    # the document's file is known even before that: a deleted file's documents go
    assert s.forget_files([], "/f").removed == 1
    s.close()
