"""One fact, many copies (store/sqlite.py copy groups): passages with the same text in
documents that differ only in who published them and when form a group; one of them,
the fullest then newest document's, represents it in the indexes and the article, and
the reference lists the others."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from curbside.composition.references import copies_label, with_copies
from curbside.errors import StoreError
from curbside.index.lexical import LexicalIndex
from curbside.index.sync import LEXICAL, sync_lexical
from curbside.settings import Settings
from curbside.store.base import FileState
from curbside.store.sqlite import SQLiteStore, doc_rank
from curbside.types import Article, Document, Passage, Reference, SourceType

IND = "Baclofen tablets are indicated for the relief of spasticity resulting from multiple sclerosis."
CONTRA = "Hypersensitivity to baclofen."
SUPPLIED = "Tablets of 10 mg in bottles of 100."


def label(doc_id: str, publisher: str, year: int | None, *texts: tuple[str, str, str], brands=("Lioresal",),
          title: str = "Lioresal (baclofen) prescribing information") -> Document:
    return Document(doc_id=doc_id, source_type=SourceType.DRUG_LABEL, title=title, publisher=publisher,
                    year=year, date=str(year) if year else None, url=f"https://example.org/{doc_id}",
                    drugs=("baclofen",), brands=brands, passages=tuple(Passage(*t) for t in texts))


def ind(text: str = IND) -> tuple[str, str, str]:
    return ("Indications and usage", "indications", text)


def contra(text: str = CONTRA) -> tuple[str, str, str]:
    return ("Contraindications", "contraindications", text)


def supplied(text: str = SUPPLIED) -> tuple[str, str, str]:
    return ("How supplied", "supplied", text)


def state(path: str, sha: str) -> FileState:
    return FileState(path, 10, 1, sha, "test", 0, 0)


@pytest.fixture
def store(tmp_path: Path):
    s = SQLiteStore(tmp_path / "s.sqlite")
    yield s
    s.close()


def reps(store: SQLiteStore) -> dict[str, str]:
    """text -> passage_id of its group's representative."""
    return dict(store.conn.execute("SELECT text, passage_id FROM passages WHERE rep = 1 ORDER BY rowid"))


def groups(store: SQLiteStore) -> list[tuple[int, int]]:
    """(members, representatives) of every group: always one representative."""
    return sorted(store.conn.execute(
        "SELECT g.size, (SELECT count(*) FROM passages p WHERE p.copy_key = g.copy_key AND p.rep = 1)"
        " FROM copy_groups g"))


def test_two_labels_with_the_same_text_are_one_group(store: SQLiteStore) -> None:
    store.replace_file(state("/a", "1"), [label("label:a", "Maker A", 2019, ind(), contra())], [])
    store.replace_file(state("/b", "1"), [label("label:b", "Maker B", 2019, ind(), contra())], [])
    assert groups(store) == [(2, 1), (2, 1)]
    assert set(reps(store).values()) == {"label:a#0", "label:a#1"}  # same fullness and year: the smaller id
    assert store.counts()["copies"] == 2
    n, also = store.copies_of(["label:a#0"], 10)["label:a#0"]
    assert n == 1 and [(o.doc_id, o.passage_id, o.source, o.year) for o in also] == [
        ("label:b", "label:b#0", "Maker B", 2019)]
    assert store.copies_of(["label:a#0", "nowhere#1"], 10).keys() == {"label:a#0"}
    # the drug's labels are read once for each text
    assert [p.passage_id for p in store.label_passages(["baclofen"], 10)] == ["label:a#0", "label:a#1"]
    assert store.rowids_for_drug("baclofen") == [p.rowid for p in store.label_passages(["baclofen"], 10)]


def test_the_representative_is_the_fullest_then_newest_label(store: SQLiteStore) -> None:
    store.replace_file(state("/a", "1"), [label("label:a", "Old", 2015, ind(), contra(), supplied())], [])
    store.replace_file(state("/b", "1"), [label("label:b", "New", 2023, ind(), contra())], [])
    store.replace_file(state("/c", "1"), [label("label:c", "Newest full", 2024, ind(), contra(), supplied())], [])
    assert set(reps(store).values()) == {"label:c#0", "label:c#1", "label:c#2"}
    # the ranks sort as the tuples they stand for
    assert doc_rank(3, 2024, "label:c") < doc_rank(3, 2015, "label:a") < doc_rank(2, 2023, "label:b")
    assert doc_rank(2, None, "x") > doc_rank(2, 1990, "y")
    n, also = store.copies_of(["label:c#0"], 10)["label:c#0"]
    assert n == 2 and [o.doc_id for o in also] == ["label:a", "label:b"]  # fullest, then newest first
    n, also = store.copies_of(["label:c#0"], 1)["label:c#0"]
    assert n == 2 and len(also) == 1  # the count is all of them, the list as long as asked


def test_other_drugs_titles_or_sections_are_not_copies(store: SQLiteStore) -> None:
    same = "None."
    store.replace_file(state("/a", "1"), [label("label:a", "A", 2020, contra(same))], [])
    store.replace_file(state("/b", "1"), [Document("label:b", SourceType.DRUG_LABEL, "Herceptin label", "B", 2020,
                                                   None, None, ("trastuzumab",), (), (Passage(*contra(same)),))], [])
    store.replace_file(state("/c", "1"), [label("label:c", "C", 2020, ("Warnings", "warnings", same))], [])
    store.replace_file(state("/d", "1"), [label("label:d", "D", 2020, contra(f"  {same}\n"))], [])  # whitespace aside
    assert groups(store) == [(1, 1), (1, 1), (2, 1)]


def test_a_changed_copy_leaves_its_group(store: SQLiteStore) -> None:
    store.replace_file(state("/a", "1"), [label("label:a", "A", 2020, ind(), contra())], [])
    store.replace_file(state("/b", "1"), [label("label:b", "B", 2020, ind(), contra())], [])
    store.replace_file(state("/b", "2"), [label("label:b", "B", 2020, ind(IND + " It is amended."), contra())], [])
    assert groups(store) == [(1, 1), (1, 1), (2, 1)]
    assert reps(store) == {IND: "label:a#0", CONTRA: "label:a#1", IND + " It is amended.": "label:b#0"}
    assert [p.passage_id for p in store.label_passages(["baclofen"], 10)] == ["label:a#0", "label:a#1", "label:b#0"]


def test_re_ingesting_unchanged_files_keeps_the_groups(store: SQLiteStore) -> None:
    docs = [label("label:a", "A", 2020, ind(), contra()), label("label:b", "B", 2021, ind(), contra())]
    store.replace_file(state("/f", "1"), docs, [])
    before = (groups(store), reps(store))
    ch = store.replace_file(state("/f", "2"), docs, [])
    assert ch.unchanged == 2 and (groups(store), reps(store)) == before
    assert set(reps(store).values()) == {"label:b#0", "label:b#1"}  # the newer one


def test_when_the_representative_goes_a_copy_takes_its_place(tmp_path: Path, store: SQLiteStore) -> None:
    settings = Settings(data_dir=tmp_path, shared_dir=tmp_path / "none")
    store.replace_file(state("/a", "1"), [label("label:a", "A", 2024, ind(), contra(), supplied())], [])
    store.replace_file(state("/b", "1"), [label("label:b", "B", 2020, ind(), contra())], [])
    sync_lexical(store, tmp_path, settings, lambda *a: None)
    lexical = LexicalIndex(tmp_path / "lexical")
    assert lexical.num_docs() == 3  # one entry for each text
    assert store.index_diff(LEXICAL) == ([], [])
    store.forget_files(["/b"], "/")  # label:a's file is gone
    assert set(reps(store).values()) == {"label:b#0", "label:b#1"}
    assert groups(store) == [(1, 1), (1, 1)]
    assert store.copies_of(["label:b#0"], 10) == {}
    stale, gone = store.index_diff(LEXICAL)
    assert stale == ["label:b"] and gone == ["label:a"]  # the heir is indexed now
    sync_lexical(store, tmp_path, settings, lambda *a: None)
    lexical = LexicalIndex(tmp_path / "lexical")
    assert lexical.num_docs() == 2
    hits = lexical.search(lexical.build_query(["spasticity"]), 5)
    assert [r for r, _ in hits] == [store.conn.execute("SELECT rowid FROM passages WHERE passage_id='label:b#0'")
                                    .fetchone()[0]]


def test_a_better_copy_arriving_takes_over_and_both_labels_are_reindexed(tmp_path: Path, store: SQLiteStore) -> None:
    settings = Settings(data_dir=tmp_path, shared_dir=tmp_path / "none")
    store.replace_file(state("/b", "1"), [label("label:b", "B", 2020, ind(), contra())], [])
    sync_lexical(store, tmp_path, settings, lambda *a: None)
    store.replace_file(state("/a", "1"), [label("label:a", "A", 2024, ind(), contra())], [])
    assert set(reps(store).values()) == {"label:a#0", "label:a#1"}
    stale, _ = store.index_diff(LEXICAL)
    assert sorted(stale) == ["label:a", "label:b"]
    sync_lexical(store, tmp_path, settings, lambda *a: None)
    assert LexicalIndex(tmp_path / "lexical").num_docs() == 2


def test_label_passages_are_bounded_by_labels_with_text_of_their_own(store: SQLiteStore) -> None:
    store.replace_file(state("/a", "1"), [label(f"label:{i}", f"M{i}", 2020, ind(), contra()) for i in range(20)], [])
    store.replace_file(state("/z", "1"), [label("label:z", "Z", 2010, ind("Baclofen is useful for spasticity."))], [])
    got = store.label_passages(["baclofen"], 2)
    assert [p.passage_id for p in got] == ["label:0#0", "label:0#1", "label:z#0"]  # 19 whole copies add nothing
    assert [p.passage_id for p in store.label_passages(["baclofen"], 1)] == ["label:0#0", "label:0#1"]
    assert store.label_passages([], 5) == [] and store.label_passages(["baclofen"], 0) == []


def _as_schema_3(path: Path) -> None:
    """Take the copy columns and tables out again: a store as schema 3 left it."""
    c = sqlite3.connect(path)
    c.executescript("""
        DROP TABLE copy_groups; DROP INDEX passages_copy_key; DROP INDEX passages_rep_doc;
        ALTER TABLE passages DROP COLUMN copy_key; ALTER TABLE passages DROP COLUMN rep;
        ALTER TABLE documents DROP COLUMN rank; UPDATE meta SET value='3' WHERE key='schema_version';
    """)
    c.commit()
    c.close()


def test_a_schema_3_store_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    s = SQLiteStore(path)
    s.replace_file(state("/a", "1"), [label("label:a", "A", 2019, ind(), contra())], [])
    s.replace_file(state("/b", "1"), [label("label:b", "B", 2023, ind(), contra(), supplied())], [])
    s.mark_indexed(LEXICAL, ["label:a", "label:b"], [])
    expected = (groups(s), reps(s), s.conn.execute("SELECT doc_id, rank FROM documents ORDER BY 1").fetchall())
    s.close()
    _as_schema_3(path)
    with pytest.raises(StoreError, match="schema 3"):  # an engine cannot read it before ingest migrates it
        SQLiteStore(path, readonly=True)
    s = SQLiteStore(path)
    try:
        assert (groups(s), reps(s), s.conn.execute("SELECT doc_id, rank FROM documents ORDER BY 1").fetchall()) \
            == expected
        assert s.meta_value("schema_version") == "4" and s.file_state("/a") is not None  # no file is read again
        assert sorted(s.index_diff(LEXICAL)[0]) == ["label:a", "label:b"]  # the index is rebuilt
    finally:
        s.close()
    SQLiteStore(path, readonly=True).close()


def _ref(**changes) -> Reference:
    base = dict(number=1, source_type=SourceType.DRUG_LABEL, title="T", source="S", year=2020, url=None,
                doc_id="label:a", passage_id="label:a#0", section="Indications", passage=IND)
    return Reference(**{**base, **changes})


def test_references_carry_their_copies_and_their_json_only_when_there_are_any(store: SQLiteStore) -> None:
    store.replace_file(state("/a", "1"), [label("label:a", "A", 2024, ind(), contra())], [])
    store.replace_file(state("/b", "1"), [label(f"label:{x}", x, 2020, ind()) for x in "bcd"], [])
    one, two = with_copies([_ref(), _ref(number=2, passage_id="label:a#1", passage=CONTRA)], store.copies_of)
    assert one.copies == 3 and [o.doc_id for o in one.also_in] == ["label:b", "label:c", "label:d"]
    assert two.copies == 0 and two.also_in == ()
    assert copies_label(one) == "Also in 3 other labels" and copies_label(two) == ""
    assert copies_label(_ref(source_type=SourceType.RESEARCH, copies=1)) == "Also in 1 other abstract"
    j1, j2 = one.to_json(), two.to_json()
    assert j1["copies"] == 3 and j1["also_in"][0] == {"doc_id": "label:b", "passage_id": "label:b#0", "title":
                                                      "Lioresal (baclofen) prescribing information",
                                                      "source": "b", "year": 2020, "url": "https://example.org/label:b"}
    assert "copies" not in j2 and "also_in" not in j2  # an article without copies reads as before
    assert Reference.from_json(j1) == one and Reference.from_json(j2) == two
    assert list(j1)[-2:] == ["copies", "also_in"]


def test_an_article_of_schema_1_2_reads_as_1_3() -> None:
    a = Article(question="q?", audience="physician", question_type="indication", entities={}, title="q?",
                summary=(), sections=(), bottom_line=(), references=(_ref(),), uncovered=(), abstained=False,
                abstain_reason=None, last_updated=None, corpus_version="c", settings_hash="s")
    j = a.to_json()
    assert j["schema_version"] == "1.3"
    old = {**j, "schema_version": "1.2"}
    assert Article.from_json(old).references[0].copies == 0


def test_the_terminal_says_how_many_other_labels_carry_the_text() -> None:
    import io

    from rich.console import Console

    from curbside.cli.render import render_article
    from curbside.types import AlsoIn

    also = (AlsoIn("label:b", "label:b#0", "T", "B", 2020, None),)
    a = Article(question="q?", audience="physician", question_type="indication", entities={}, title="q?",
                summary=(), sections=(), bottom_line=(), references=(_ref(copies=12, also_in=also), _ref(number=2)),
                uncovered=(), abstained=False, abstain_reason=None, last_updated=None, corpus_version="c",
                settings_hash="s")
    out = io.StringIO()
    render_article(a, Console(file=out, width=200))
    assert out.getvalue().count("Also in 12 other labels with the same text") == 1
