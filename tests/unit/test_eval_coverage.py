"""The K-QA coverage rule, the corpus-ceiling sentence index and our abstention set."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from curbside.evaluation import ceiling as ceiling_mod
from curbside.evaluation.ceiling import SentenceIndex, cache_file, load_or_build
from curbside.evaluation.coverage import best_match, content_stems, covers, match_all, needed
from curbside.evaluation.sets import load_abstention, load_kqa, packaged_set
from curbside.types import StoredPassage

# ---- the coverage rule ----------------------------------------------------------------


def test_needed_is_sixty_percent_rounded_up() -> None:
    assert [needed(n) for n in (1, 2, 3, 4, 5, 10)] == [1, 2, 2, 3, 3, 6]


def test_sixty_percent_of_content_words_covers() -> None:
    target = content_stems("Escitalopram causes headache, nausea and insomnia")  # 5 content words
    assert len(target) == 5
    assert covers(target, content_stems("Escitalopram may cause headache."))  # 3 of 5 = 60 %
    assert not covers(target, content_stems("Escitalopram is an SSRI; headache is rare."))  # 2 of 5


def test_fifty_percent_does_not_cover() -> None:
    target = content_stems("Lutein protects the retina from damage")  # lutein protect retina damag
    assert len(target) == 4
    assert not covers(target, content_stems("Lutein is found in kale; it protects."))  # 2 of 4
    assert covers(target, content_stems("Lutein protects against retinal damage in the retina."))


def test_stop_words_do_not_count() -> None:
    assert content_stems("What are the side effects of it?") == content_stems("side effects")
    target = content_stems("The side effects of the drug are what they are")
    assert target == content_stems("side effect drug")
    assert not covers(target, content_stems("What are the ones that they are about?"))
    assert not covers(frozenset(), content_stems("anything at all"))  # an empty target states nothing


def test_stemming_joins_word_forms() -> None:
    assert content_stems("reduced studies") == content_stems("reducing study")
    assert covers(content_stems("Statins reduce cardiovascular events"),
                  content_stems("Statin therapy reduced cardiovascular events in these studies."))
    assert content_stems("Take 5 mg twice a day") >= {"5", "mg"}  # numbers count, single letters do not
    assert "s" not in content_stems("the patient's dose")


def test_best_match_names_the_covering_sentence() -> None:
    answer = ["Ibuprofen is an NSAID.", "Common side effects of escitalopram include nausea and headache."]
    m = match_all(["Side effects of escitalopram include headache"], answer)[0]
    assert m.covered and m.best == 1 and m.words == 5 and m.shared == 5
    none = best_match("Something entirely different here", [content_stems(s) for s in answer])
    assert not none.covered and none.best is None and none.shared == 0


# ---- the ceiling index ------------------------------------------------------------------

PASSAGES = [
    (10, "Escitalopram is a selective serotonin reuptake inhibitor. It is used for major depressive "
         "disorder and generalized anxiety disorder."),
    (11, "Common side effects include nausea, insomnia and ejaculation disorder. Headache was also reported "
         "in clinical trials."),
    (12, "Lutein and zeaxanthin accumulate in the macula of the retina."),
]


def test_sentence_index_finds_covering_sentences() -> None:
    idx = SentenceIndex.build(PASSAGES, max_chars=600)
    assert idx.sentences == 5
    hit = idx.best("Escitalopram is an SSRI used for major depressive disorder")
    assert hit.covered and hit.sentence is not None
    assert int(idx.sent_rowid[hit.sentence]) == 10 and int(idx.sent_pos[hit.sentence]) == 1
    assert idx.best("Side effects include ejaculation disorder").covered
    miss = idx.best("Lutein improves night vision in drivers")  # lutein only: 1 of 5
    assert not miss.covered
    assert idx.best("Quantum chromodynamics of gluons").sentence is None  # no word in the corpus
    assert idx.best("the of and").words == 0


def test_sentence_index_matches_the_brute_force_rule() -> None:
    idx = SentenceIndex.build(PASSAGES, max_chars=600)
    sentences = [s for _, t in PASSAGES for _, s in ceiling_mod.corpus_sentences(t, 600)]
    for q in ["Escitalopram treats anxiety disorder", "nausea and headache in trials", "macula retina lutein",
              "insomnia reported with escitalopram", "zeaxanthin anxiety headache depression"]:
        brute = any(covers(content_stems(q), content_stems(s)) for s in sentences)
        assert idx.best(q).covered == brute, q


class _Store:
    """The part of the store the ceiling reads, over an in-memory SQLite table."""

    def __init__(self, rows: list[tuple[int, str]], version: str = "v1") -> None:
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute("CREATE TABLE passages (text TEXT)")
        for rowid, text in rows:
            self.conn.execute("INSERT INTO passages(rowid, text) VALUES (?, ?)", (rowid, text))
        self.version = version

    def corpus_version(self) -> str:
        return self.version

    def counts(self) -> dict[str, int]:
        return {"passages": self.conn.execute("SELECT count(*) FROM passages").fetchone()[0]}

    def passages(self, rowids: list[int]) -> list[StoredPassage]:
        out = []
        for r in rowids:
            row = self.conn.execute("SELECT text FROM passages WHERE rowid=?", (r,)).fetchone()
            out.append(_passage(r, row[0]))
        return out


def _passage(rowid: int, text: str) -> StoredPassage:
    fields = {f: None for f in StoredPassage.__dataclass_fields__}
    return StoredPassage(**(fields | {"rowid": rowid, "text": text}))  # type: ignore[arg-type]


def test_ceiling_is_cached_by_corpus_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _Store(PASSAGES)
    idx = load_or_build(store, tmp_path, max_chars=600)
    assert cache_file(tmp_path, "v1", 600).exists()
    hit = idx.best("Headache was reported in clinical trials")
    assert idx.sentence_text(store, hit.sentence) == "Headache was also reported in clinical trials."

    def no_build(*a: object, **k: object) -> SentenceIndex:
        raise AssertionError("rebuilt although cached")

    monkeypatch.setattr(SentenceIndex, "build", no_build)
    again = load_or_build(store, tmp_path, max_chars=600)
    assert again.vocab == idx.vocab and again.sentences == idx.sentences
    assert again.best("Headache was reported in clinical trials") == hit
    store.version = "v2"  # another corpus: built again
    with pytest.raises(AssertionError, match="rebuilt"):
        load_or_build(store, tmp_path, max_chars=600)


# ---- the sets -------------------------------------------------------------------------


def test_abstention_set_ships_and_has_both_halves() -> None:
    items = load_abstention(packaged_set("abstention"))
    must = [i for i in items if i.must_abstain]
    ctrl = [i for i in items if not i.must_abstain]
    assert len(must) >= 40 and len(ctrl) >= 40
    assert len({i.question for i in items}) == len(items)
    assert any(i.kind.startswith("non-medical") for i in must)
    assert any(i.kind.startswith("made-up drug") for i in must)
    assert all(i.kind for i in items)


def test_kqa_loader_strips_statements(tmp_path: Path) -> None:
    p = tmp_path / "kqa.jsonl"
    p.write_text('{"question": "Q?", "must_have": ["A.", " B. ", ""], "nice_to_have": [" C"]}\n')
    item = load_kqa(p)[0]
    assert item.must_have == ("A.", "B.") and item.nice_to_have == ("C",)
