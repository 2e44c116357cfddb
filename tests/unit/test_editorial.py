"""The editorial repository: stored answers, versions, the review state machine, the
audit trail and optimistic concurrency. Tiny hand-made articles; no corpus."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from curbside.editorial import (
    Action,
    Actor,
    ArticleNotFoundError,
    EditorialRepository,
    InvalidTransitionError,
    NotAllowedError,
    ReviewInputError,
    Status,
    VersionConflictError,
)
from curbside.editorial.slug import article_key, slugify, split_ref
from curbside.editorial.workflow import TRANSITIONS, allowed_actions, next_status

Q = "What is the indication for Baclofen (Lioresal)?"


def article(corpus: str = "c1", text: str = "Baclofen is indicated for spasticity.", **extra: Any) -> dict[str, Any]:
    """A whole article of schema 1.0 (no partial, no quotes), as an early version stored it."""
    return {
        "schema_version": "1.0", "question": Q, "audience": "physician", "question_type": "indication",
        "entities": {"drugs": [], "conditions": []}, "title": Q,
        "summary": [{"text": text, "citations": [1]}], "sections": [], "bottom_line": [], "references": [],
        "uncovered": [], "abstained": False, "abstain_reason": None, "last_updated": None,
        "corpus_version": corpus, "settings_hash": "s1", "timings_ms": {"total": 12.5}, **extra,
    }


def who(name: str, uid: int | None = None) -> Actor:
    return Actor(name.lower().replace(" ", ""), name, id=uid, role="reviewer")


@pytest.fixture
def repo(tmp_path: Path, database_url: str) -> Iterator[EditorialRepository]:
    ticks = count()
    r = EditorialRepository.open(database_url, tmp_path,
                                 clock=lambda: f"2025-08-{10 + next(ticks) % 20:02d}T10:00:00Z")
    yield r
    r.close()


def test_new_answer_is_submitted_with_a_stable_readable_address(repo: EditorialRepository) -> None:
    stored, outcome = repo.save_answer(Q, "physician", article())
    assert outcome == "created"
    assert stored.status is Status.SUBMITTED and stored.version == 1
    assert stored.slug == "what-is-the-indication-for-baclofen-lioresal"
    assert stored.url == f"/a/{stored.slug}-{stored.id}"
    assert split_ref(stored.ref) == (stored.slug, stored.id)
    assert repo.events(stored.id)[0].action == "submit"


def test_same_question_and_audience_is_the_same_answer(repo: EditorialRepository) -> None:
    a, _ = repo.save_answer(Q, "physician", article())
    assert repo.find("  what is the indication for baclofen (lioresal)? ", "physician").id == a.id
    assert repo.find(Q, "patient") is None
    assert repo.find(Q, "physician", context="previous question") is None
    again, outcome = repo.save_answer(Q, "physician", article())
    assert (again.id, outcome, again.version) == (a.id, "unchanged", 1)
    other, _ = repo.save_answer(Q, "patient", article())
    assert other.id != a.id


def test_happy_path_to_approved_records_reviewers_and_trail(repo: EditorialRepository) -> None:
    a, _ = repo.save_answer(Q, "physician", article())
    a = repo.transition(a.id, "start", who("Dr A. Rivera"), expected_version=1)
    assert a.status is Status.UNDER_REVIEW and a.approved_at is None
    a = repo.transition(a.id, Action.APPROVE, who("Dr B. Chen"), expected_version=1, note="Checked against the label.")
    assert a.status is Status.APPROVED
    assert a.reviewers == ("Dr A. Rivera", "Dr B. Chen")
    assert a.approved_at is not None
    trail = [(e.actor, e.action, e.from_status, e.to_status) for e in repo.events(a.id)]
    assert trail == [
        ("curbside", "submit", None, "submitted"),
        ("Dr A. Rivera", "start", "submitted", "under_review"),
        ("Dr B. Chen", "approve", "under_review", "approved"),
    ]
    assert repo.events(a.id)[-1].note == "Checked against the label."


def test_changes_requested_goes_back_to_review(repo: EditorialRepository) -> None:
    a, _ = repo.save_answer(Q, "physician", article())
    repo.transition(a.id, "start", who("Dr A"), expected_version=1)
    with pytest.raises(ReviewInputError):  # a request for changes must say what to change
        repo.transition(a.id, "request-changes", who("Dr A"), expected_version=1)
    a = repo.transition(a.id, "request-changes", who("Dr A"), expected_version=1, note="Add dosing.")
    assert a.status is Status.CHANGES_REQUESTED and a.status.step == 2
    a = repo.transition(a.id, "resubmit", who("Dr A"), expected_version=1)
    assert a.status is Status.SUBMITTED
    a = repo.transition(a.id, "start", who("Dr C"), expected_version=1)
    assert a.status is Status.UNDER_REVIEW


@pytest.mark.parametrize("status", list(Status))
def test_only_listed_transitions_are_allowed(status: Status) -> None:
    for action in Action:
        if (status, action) in TRANSITIONS:
            assert next_status(status, action) is TRANSITIONS[(status, action)]
            assert action in allowed_actions(status)
        else:
            with pytest.raises(InvalidTransitionError):
                next_status(status, action)


def test_invalid_transition_is_refused_and_changes_nothing(repo: EditorialRepository) -> None:
    a, _ = repo.save_answer(Q, "physician", article())
    with pytest.raises(InvalidTransitionError, match="submitted"):
        repo.transition(a.id, "approve", who("Dr A"), expected_version=1)
    assert repo.get(a.id).status is Status.SUBMITTED
    assert len(repo.events(a.id)) == 1


def test_stale_version_is_a_conflict_never_a_lost_update(repo: EditorialRepository) -> None:
    a, _ = repo.save_answer(Q, "physician", article())
    # the sources change while Dr A reads version 1: a new version (review restarts)
    b, outcome = repo.save_answer(Q, "physician", article(corpus="c2", text="Baclofen relieves spasticity."))
    assert outcome == "new_version" and b.version == 2 and b.status is Status.SUBMITTED
    with pytest.raises(VersionConflictError) as err:
        repo.transition(a.id, "approve", who("Dr A"), expected_version=1)
    assert err.value.current_version == 2 and "version 2" in str(err.value)
    assert repo.get(a.id).status is Status.SUBMITTED
    with pytest.raises(VersionConflictError):
        repo.add_version(a.id, article(corpus="c2", text="An edit."), expected_version=1, actor=who("Dr A"),
                         reason="edit")
    c = repo.add_version(a.id, article(corpus="c2", text="An edit."), expected_version=2, actor=who("Dr A"),
                         reason="edit")
    assert c.version == 3 and c.article["summary"][0]["text"] == "An edit."


def test_approval_applies_to_one_version(repo: EditorialRepository) -> None:
    a, _ = repo.save_answer(Q, "physician", article())
    repo.transition(a.id, "start", who("Dr A"), expected_version=1)
    repo.transition(a.id, "approve", who("Dr A"), expected_version=1)
    # same content on a newer corpus: still approved, the check is recorded
    same, outcome = repo.save_answer(Q, "physician", article(corpus="c2"))
    assert outcome == "revalidated" and same.status is Status.APPROVED and same.version == 1
    assert same.corpus_version == "c2" and same.article["corpus_version"] == "c2"
    # different content: the approved version is kept (the living-answers check flags it
    # when its cited passages changed); only an editor's edit makes a new version
    kept, outcome = repo.save_answer(Q, "physician", article(corpus="c3", text="Changed."))
    assert outcome == "kept" and (kept.version, kept.status, kept.corpus_version) == (1, Status.APPROVED, "c2")
    assert repo.events(a.id)[-1].action == "revalidate"
    new = repo.add_version(a.id, article(corpus="c3", text="Changed."), expected_version=1, actor=who("Dr E", 7),
                           reason="take the new wording")
    assert (new.version, new.status, new.reviewers, new.approved_at) == (2, Status.SUBMITTED, (), None)
    assert repo.version_article(a.id, 1)["summary"][0]["text"] == "Baclofen is indicated for spasticity."
    assert [v.version for v in repo.versions(a.id)] == [1, 2]


@pytest.mark.parametrize("steps", [["start"], ["start", "request_changes"], ["start", "reject"],
                                   ["start", "approve"], ["start", "approve", "stale"], ["edit"]])
def test_a_new_corpus_regenerates_only_generated_answers_still_submitted(repo: EditorialRepository,
                                                                          steps: list[str]) -> None:
    a, _ = repo.save_answer(Q, "physician", article())
    version = 1
    for step in steps:
        if step == "edit":
            repo.add_version(a.id, article(text="Baclofen is indicated."), expected_version=1, actor=who("Dr E", 7),
                             reason="shorter")
            version = 2
        elif step == "stale":
            assert repo.mark_needs_rereview(a.id, [{"reference": 1, "passage_id": "p", "kind": "removed"}])
        else:
            repo.transition(a.id, step, who("Dr A", 1), expected_version=1, note="Why.")
    before, events = repo.get(a.id), len(repo.events(a.id))
    kept, outcome = repo.save_answer(Q, "physician", article(corpus="c2", text="Changed."))
    assert outcome == "kept" and kept.version == version
    assert (kept.status, kept.article, kept.stale_sources) == (before.status, before.article, before.stale_sources)
    assert len(repo.events(a.id)) == events and len(repo.versions(a.id)) == version


def test_timings_alone_do_not_make_a_new_version(repo: EditorialRepository) -> None:
    a, _ = repo.save_answer(Q, "physician", article())
    b, outcome = repo.save_answer(Q, "physician", article(corpus="c2", timings_ms={"total": 99.0}))
    assert outcome == "revalidated" and b.version == 1


def test_unknown_actions_and_ids_are_refused(repo: EditorialRepository) -> None:
    a, _ = repo.save_answer(Q, "physician", article())
    with pytest.raises(ReviewInputError, match="Unknown review action"):
        repo.transition(a.id, "publish", who("Dr A"), expected_version=1)
    with pytest.raises(ArticleNotFoundError):
        repo.get("deadbeef")
    with pytest.raises(ArticleNotFoundError):
        repo.transition("deadbeef", "start", who("Dr A"), expected_version=1)


def test_concurrent_reviewers_exactly_one_wins(repo: EditorialRepository, tmp_path: Path, database_url: str) -> None:
    a, _ = repo.save_answer(Q, "physician", article())
    repo.transition(a.id, "start", who("Dr A"), expected_version=1)
    # a second repository is another process (e.g. the CLI while the server runs)
    other = EditorialRepository.open(database_url, tmp_path)
    results: list[str] = []
    barrier = threading.Barrier(8)

    def act(i: int) -> None:
        r = repo if i % 2 else other
        barrier.wait()
        try:
            action = "approve" if i % 3 else "request_changes"
            r.transition(a.id, action, who(f"Dr {i}"), expected_version=1, note="n")
            results.append("ok")
        except InvalidTransitionError:
            results.append("refused")

    threads = [threading.Thread(target=act, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert sorted(results) == ["ok"] + ["refused"] * 7
    assert len(repo.events(a.id)) == 3  # submit, start, and the one winning action


def test_list_search_and_count(repo: EditorialRepository) -> None:
    a, _ = repo.save_answer(Q, "physician", article())
    b, _ = repo.save_answer("What is the dose of metformin?", "patient", article())
    repo.transition(a.id, "start", who("Dr A"), expected_version=1)
    assert repo.count() == 2
    assert [x.id for x in repo.list_articles("under_review")] == [a.id]
    assert {x.id for x in repo.list_articles()} == {a.id, b.id}
    assert [x.id for x in repo.search("baclofen indication")] == [a.id]
    assert repo.search("100%_") == []


def test_database_is_wal_and_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "editorial.sqlite"
    r = EditorialRepository.for_data_dir(tmp_path)
    a, _ = r.save_answer(Q, "physician", article())
    r.close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    r2 = EditorialRepository.for_data_dir(tmp_path)
    assert r2.get(a.id).question == Q
    r2.close()


def test_slugs_and_keys() -> None:
    assert slugify("Qué es <script>alert(1)</script>?") == "que-es-script-alert-1-script"
    assert slugify("???") == "answer"
    assert len(slugify("word " * 100)) <= 80
    assert article_key("A  b?", "physician", None) == article_key("a b?", "physician", "")
    assert split_ref("not-an-id") == ("", "")
    assert split_ref("7f3a9c12") == ("", "7f3a9c12")


def test_review_cli(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from curbside.cli.main import cli
    from curbside.cli.review import command as review
    from curbside.cli.users import command as users

    cli.add_command(review)
    cli.add_command(users)
    repo = EditorialRepository.for_data_dir(tmp_path)
    a, _ = repo.save_answer(Q, "physician", article())
    repo.close()
    run = CliRunner().invoke
    top = ["--data-dir", str(tmp_path)]
    base = [*top, "review"]
    for username, name, creds, role in (("arivera", "Dr A. Rivera", "MD, neurology", "reviewer"),
                                        ("bchen", "Dr B. Chen", "PharmD", "editor"),
                                        ("reader1", "Somebody", "", "reader")):
        r = run(cli, [*top, "users", "add", username, "--name", name, "--credentials", creds, "--role", role,
                      "--password-stdin"], input="a long enough password\n")
        assert r.exit_code == 0, r.output

    r = run(cli, [*base, "list"])
    assert r.exit_code == 0 and a.id in r.output and "submitted" in r.output
    r = run(cli, [*base, "start", a.id, "--reviewer", "Dr A. Rivera"])  # a typed name is no longer accepted
    assert r.exit_code == 2 and "--reviewer" in r.output
    r = run(cli, [*base, "start", a.id, "--as", "nobody"])
    assert r.exit_code == 2 and "No account has the username 'nobody'" in r.output
    r = run(cli, [*base, "start", a.id, "--as", "reader1"])
    assert r.exit_code == NotAllowedError.exit_code and "may not review" in r.output
    r = run(cli, [*base, "start", a.id, "--as", "arivera"])
    assert r.exit_code == 0 and "under_review" in r.output and "Dr A. Rivera, MD, neurology" in r.output
    r = run(cli, [*base, "request-changes", a.url, "--as", "bchen"])  # --note is required
    assert r.exit_code == 2 and "--note" in r.output
    r = run(cli, [*base, "approve", a.id, "--as", "bchen", "--expected-version", "3"])
    assert r.exit_code == VersionConflictError.exit_code and "version 1" in r.output
    r = run(cli, [*top, "users", "disable", "bchen"])
    assert r.exit_code == 0
    r = run(cli, [*base, "approve", a.id, "--as", "bchen"])
    assert r.exit_code == NotAllowedError.exit_code and "disabled" in r.output
    run(cli, [*top, "users", "enable", "bchen"])
    r = run(cli, [*base, "approve", f"{a.slug}-{a.id}", "--as", "bchen"])
    assert r.exit_code == 0 and "approved" in r.output
    r = run(cli, [*base, "show", a.id])
    assert r.exit_code == 0 and "reviewers: Dr A. Rivera, Dr B. Chen" in r.output and "approve" in r.output
    r = run(cli, [*base, "list", "--status", "approved"])
    assert a.id in r.output
    r = run(cli, [*base, "show", "deadbeef"])
    assert r.exit_code == ArticleNotFoundError.exit_code and "No stored answer" in r.output
    repo = EditorialRepository.for_data_dir(tmp_path)
    refused = [(e.actor, e.action) for e in repo.audit.entries(outcome="refused")][::-1]
    repo.close()
    assert refused == [("reader1", "review.start"), ("bchen", "review.approve")]


def test_users_cli(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from curbside.accounts import Accounts
    from curbside.cli.main import cli
    from curbside.cli.users import command as users

    cli.add_command(users)
    run = CliRunner().invoke
    base = ["--data-dir", str(tmp_path), "users"]
    r = run(cli, [*base, "list"])
    assert r.exit_code == 0 and "No accounts yet" in r.output
    r = run(cli, [*base, "add", "arivera", "--name", "Dr A. Rivera", "--credentials", "MD, neurology"],
            input="a long enough password\na long enough password\n")  # prompted twice, hidden
    assert r.exit_code == 0 and "Added arivera (reviewer): Dr A. Rivera, MD, neurology" in r.output
    assert "a long enough password" not in r.output
    r = run(cli, [*base, "add", "bchen", "--name", "Dr B. Chen", "--password-stdin"], input="short\n")
    assert r.exit_code == 2 and "shorter than 10 characters" in r.output
    r = run(cli, [*base, "add", "arivera", "--name", "X", "--password-stdin"], input="a long enough password\n")
    assert r.exit_code == 2 and "taken" in r.output
    assert run(cli, [*base, "set-role", "arivera", "admin"]).exit_code == 0
    assert run(cli, [*base, "set-role", "arivera", "owner"]).exit_code == 2
    r = run(cli, [*base, "set-details", "arivera", "--credentials", "MD, PhD"])
    assert r.exit_code == 0 and "Dr A. Rivera, MD, PhD" in r.output
    r = run(cli, [*base, "list"])
    assert "arivera" in r.output and "admin" in r.output and "active" in r.output
    r = run(cli, [*base, "reset-password", "arivera", "--password-stdin"], input="another long password\n")
    assert r.exit_code == 0
    r = run(cli, [*base, "token", "create", "arivera", "review script"])
    assert r.exit_code == 0
    token = r.stdout.strip().splitlines()[0]
    assert token.startswith("cs_")
    r = run(cli, [*base, "token", "list", "arivera"])
    assert token[:11] in r.output and token not in r.output and "never" in r.output
    r = run(cli, [*base, "token", "revoke", "arivera", "1"])
    assert r.exit_code == 0 and "Revoked token 1" in r.output
    assert run(cli, [*base, "token", "revoke", "arivera", "99"]).exit_code == 2
    r = run(cli, [*base, "token", "revoke", "arivera", str(10**25)])
    assert r.exit_code == 2 and "not in the range" in r.output
    assert run(cli, [*base, "disable", "nobody"]).exit_code == 2
    assert run(cli, [*base, "disable", "arivera"]).exit_code == 0
    r = run(cli, [*base, "list"])
    assert "disabled" in r.output
    repo = EditorialRepository.for_data_dir(tmp_path)
    acc = Accounts.open(repo.db)
    assert acc.users.authenticate("arivera", "another long password") is None  # disabled
    lines = [(e.actor, e.action) for e in acc.audit.entries()][::-1]
    repo.close()
    assert lines == [("cli", a) for a in ("user.add", "user.set_role", "user.set_details", "user.reset_password",
                                          "token.create", "token.revoke", "user.disable")]


def test_schema_version_and_quote_offsets_are_not_content() -> None:
    from curbside.editorial.schema import content_hash

    old = article(schema_version="1.1")
    new = article(schema_version="1.2")
    new["summary"] = [{**new["summary"][0], "quote": {"passage_id": "p#1", "spans": [[0, 37]], "cuts": []}}]
    assert content_hash(old) == content_hash(new)
    changed = article(schema_version="1.2", text="Baclofen is indicated for spasticity only.")
    assert content_hash(changed) != content_hash(old)
