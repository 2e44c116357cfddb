"""The published library queries (editorial/library.py) and read counting (web/reads.py),
on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from curbside.editorial import Actor, EditorialRepository, Status
from curbside.editorial.library import LibraryQuery
from curbside.errors import UserInputError
from curbside.web.reads import ReadCounter

REVIEWER = Actor("rivera", "Dr A. Rivera", id=None)


def article(question: str, qtype: str, drugs: tuple[str, ...] = (), conditions: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "schema_version": "1.1", "question": question, "audience": "physician", "title": question,
        "question_type": qtype,
        "entities": {"drugs": [{"text": d.title(), "generic": d, "matched_as": "brand"} for d in drugs],
                     "conditions": [{"text": c, "name": c, "concept_id": None} for c in conditions]},
        "summary": [{"text": "x", "citations": []}], "sections": [], "bottom_line": [], "references": [],
        "corpus_version": "c1", "settings_hash": "s1",
    }


@pytest.fixture
def repo(tmp_path: Path, database_url: str) -> Iterator[EditorialRepository]:
    ticks = count()
    r = EditorialRepository.open(database_url, tmp_path,
                                 clock=lambda: f"2025-08-{10 + next(ticks) % 20:02d}T10:00:00Z")
    yield r
    r.close()


def add(repo: EditorialRepository, question: str, qtype: str, *, status: str = "approved", **kw: Any) -> str:
    stored, _ = repo.save_answer(question, "physician", article(question, qtype, **kw))
    steps = {"approved": ("start", "approve"), "submitted": (), "rejected": ("start", "reject"),
             "needs_rereview": ("start", "approve")}[status]
    for action in steps:
        repo.transition(stored.id, action, REVIEWER, expected_version=1, note="No." if action == "reject" else None)
    if status == "needs_rereview":
        assert repo.mark_needs_rereview(stored.id, [{"kind": "removed"}])
    return stored.id


@pytest.fixture
def library(repo: EditorialRepository) -> dict[str, str]:
    return {
        "bac_ind": add(repo, "What is Lioresal used for?", "indication", drugs=("baclofen",),
                       conditions=("spasticity",)),
        "bac_dose": add(repo, "What is the dose of baclofen?", "dosing", drugs=("baclofen",)),
        "met_ae": add(repo, "What are the side effects of metformin?", "adverse_effects", drugs=("metformin",),
                      conditions=("type 2 diabetes",)),
        "gout": add(repo, "What causes gout?", "causes", conditions=("gout",)),
        "pending": add(repo, "How is baclofen given?", "dosing", status="submitted", drugs=("baclofen",)),
        "rejected": add(repo, "Is baclofen safe?", "general", status="rejected", drugs=("baclofen",)),
        "stale": add(repo, "Baclofen for hiccups?", "indication", status="needs_rereview", drugs=("baclofen",)),
    }


def test_only_approved_answers_with_facets(repo: EditorialRepository, library: dict[str, str]) -> None:
    page = repo.library(LibraryQuery())
    assert page.total == 4
    assert {e.id for e in page.entries} == {library[k] for k in ("bac_ind", "bac_dose", "met_ae", "gout")}
    assert [(f.value, f.count) for f in page.drugs] == [("baclofen", 2), ("metformin", 1)]
    assert {(f.value, f.count) for f in page.conditions} == {("gout", 1), ("spasticity", 1), ("type 2 diabetes", 1)}
    assert {(f.value, f.label, f.count) for f in page.question_types} == {
        ("indication", "Indications", 1), ("dosing", "Dosing", 1), ("adverse_effects", "Side effects", 1),
        ("causes", "Causes", 1)}
    entry = next(e for e in page.entries if e.id == library["bac_ind"])
    assert entry.url.startswith("/a/what-is-lioresal-used-for-") and entry.drugs == ("baclofen",)
    assert entry.conditions == ("spasticity",) and entry.question_type_label == "Indications"


def test_filters_drill_down(repo: EditorialRepository, library: dict[str, str]) -> None:
    page = repo.library(LibraryQuery.clean(drug="Baclofen"))
    assert {e.id for e in page.entries} == {library["bac_ind"], library["bac_dose"]}
    assert [(f.value, f.selected) for f in page.drugs] == [("baclofen", True)]
    assert {f.value for f in page.question_types} == {"indication", "dosing"}
    both = repo.library(LibraryQuery.clean(drug="baclofen", question_type="dosing"))
    assert [e.id for e in both.entries] == [library["bac_dose"]]
    cond = repo.library(LibraryQuery.clean(condition="type 2 diabetes"))
    assert [e.id for e in cond.entries] == [library["met_ae"]]
    none = repo.library(LibraryQuery.clean(drug="warfarin"))
    assert none.total == 0 and [(f.value, f.count, f.selected) for f in none.drugs] == [("warfarin", 0, True)]


def test_word_search_matches_question_and_drug_names(repo: EditorialRepository, library: dict[str, str]) -> None:
    # the brand-name question is found by its generic name (article_terms)
    assert {e.id for e in repo.library(LibraryQuery.clean(q="baclofen")).entries} == {library["bac_ind"],
                                                                                      library["bac_dose"]}
    assert [e.id for e in repo.library(LibraryQuery.clean(q="  SIDE effects ")).entries] == [library["met_ae"]]
    assert repo.library(LibraryQuery.clean(q="gout dose")).total == 0
    assert repo.library(LibraryQuery.clean(q="100%_")).total == 0  # LIKE wildcards are literal


def test_paging_and_order(repo: EditorialRepository, library: dict[str, str]) -> None:
    first = repo.library(LibraryQuery.clean(limit=3))
    second = repo.library(LibraryQuery.clean(limit=3, offset=3))
    assert (first.pages, first.page, first.has_next, second.has_prev, second.has_next) == (2, 1, True, True, False)
    assert len({e.id for e in first.entries + second.entries}) == 4
    repo.add_reads({library["gout"]: 5, library["met_ae"]: 2, "no-such-id": 3})
    most = repo.library(LibraryQuery.clean(order="most_read"))
    assert [e.id for e in most.entries][:2] == [library["gout"], library["met_ae"]]
    assert most.entries[0].reads == 5
    titles = [e.question for e in repo.library(LibraryQuery.clean(order="title")).entries]
    assert titles == sorted(titles, key=str.casefold)


def test_query_validation() -> None:
    for bad in ({"question_type": "astrology"}, {"order": "random"}, {"limit": 0}, {"limit": 1000},
                {"offset": -1}, {"drug": "x" * 300}, {"q": "x" * 600}):
        with pytest.raises(UserInputError):
            LibraryQuery.clean(**bad)
    q = LibraryQuery.clean(drug=" Baclofen ", question_type="Dosing", q="  two   words ")
    assert (q.drug, q.question_type, q.q) == ("baclofen", "dosing", "two words")
    assert q.params(offset=20) == {"drug": "baclofen", "question_type": "dosing", "q": "two words", "offset": "20"}


# ---- read counting ---------------------------------------------------------------------------
def test_reads_are_flushed_in_batches_and_order_the_queue(repo: EditorialRepository, library: dict[str, str]) -> None:
    counter = ReadCounter(repo.add_reads, interval=3600)
    for _ in range(3):
        counter.hit(library["gout"])
    counter.hit(library["pending"])
    assert counter.pending == {library["gout"]: 3, library["pending"]: 1}
    assert repo.get(library["gout"]).reads == 0  # nothing written by a hit
    assert counter.flush() == 4 and counter.pending == {}
    assert repo.get(library["gout"]).reads == 3
    counter.hit(library["pending"])
    counter.hit(library["pending"])
    counter.close()  # shutdown writes what is left
    assert repo.get(library["pending"]).reads == 3
    top = repo.list_articles(order="most_read")
    assert top[0].status is Status.NEEDS_REREVIEW  # re-review first, then most read
    assert [a.id for a in top[1:3]] == [library["gout"], library["pending"]]


def test_the_flusher_thread_writes_every_interval_and_when_many_reads_pile_up() -> None:
    writes: list[dict[str, int]] = []
    done = threading.Event()

    def sink(counts: Mapping[str, int]) -> None:
        writes.append(dict(counts))
        done.set()

    timed = ReadCounter(sink, interval=0.05)
    timed.start()
    timed.hit("a")
    assert done.wait(5) and writes == [{"a": 1}]
    timed.close()

    writes.clear()
    done.clear()
    full = ReadCounter(sink, interval=3600, max_pending=3)
    full.start()
    for _ in range(3):
        full.hit("b")
    assert done.wait(5) and writes == [{"b": 3}]
    full.close()


def test_a_failed_flush_keeps_its_counts() -> None:
    calls = 0

    def flaky(counts: Mapping[str, int]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database down")

    counter = ReadCounter(flaky, interval=3600)
    counter.hit("a")
    assert counter.flush() == 0 and counter.pending == {"a": 1}
    counter.hit("a")
    assert counter.flush() == 2 and counter.pending == {}
