"""Accounts on the editorial database (SQLite and a real PostgreSQL): roles, password
hashing, users, sessions, API tokens and the sign-in rate limit, each change and each
refusal in the audit log."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from curbside.accounts import (
    PERMISSIONS,
    Accounts,
    InvalidAccountError,
    NotAllowedError,
    NotSignedInError,
    Passwords,
    Permission,
    Role,
    TokenNotFoundError,
    TooManyRequestsError,
    UserExistsError,
    UserNotFoundError,
    WeakPasswordError,
)
from curbside.accounts.tokens import token_hash
from curbside.editorial import Action, EditorialRepository, Status
from curbside.editorial.models import Actor

PW = "correct horse battery"
ADMIN = Actor("cli", "command line", role="admin")
FAST = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2025, 8, 24, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repo(tmp_path: Path, database_url: str) -> Iterator[EditorialRepository]:
    r = EditorialRepository.open(database_url, tmp_path)
    yield r
    r.close()


@pytest.fixture
def accounts(repo: EditorialRepository, clock: Clock) -> Accounts:
    return Accounts.open(repo.db, session_hours=12, login_max_failures=3, passwords=FAST, now=clock)


def add(accounts: Accounts, username: str = "arivera", role: Role = Role.REVIEWER, **kw: str):
    kw.setdefault("display_name", "Dr A. Rivera")
    kw.setdefault("credentials", "MD, neurology")
    return accounts.users.add(username, PW, role=role, by=ADMIN, **kw)


def audit(accounts: Accounts, action: str | None = None):
    return [(e.actor, e.action, e.outcome, e.target) for e in accounts.audit.entries(action=action)][::-1]


def test_roles_table_is_cumulative() -> None:
    assert PERMISSIONS[Role.READER] == frozenset()
    assert PERMISSIONS[Role.READER] < PERMISSIONS[Role.REVIEWER] < PERMISSIONS[Role.EDITOR] < PERMISSIONS[Role.ADMIN]
    assert Permission.REVIEW in PERMISSIONS[Role.REVIEWER]
    assert Permission.MANAGE_USERS not in PERMISSIONS[Role.EDITOR]
    assert Role.parse(" Editor ") is Role.EDITOR
    with pytest.raises(InvalidAccountError, match="Unknown role"):
        Role.parse("owner")


def test_passwords_are_argon2_and_policed() -> None:
    p = Passwords()
    h = p.hash(PW)
    assert h.startswith("$argon2id$") and PW not in h
    assert p.verify(h, PW) and not p.verify(h, PW + "!") and not p.verify("not a hash", PW)
    assert not p.needs_rehash(h) and FAST.needs_rehash(h) is True
    with pytest.raises(WeakPasswordError, match="shorter than 10"):
        p.hash("short")
    with pytest.raises(WeakPasswordError):
        p.hash(" " * 12)


def test_add_list_and_change_users_each_audited(accounts: Accounts) -> None:
    u = add(accounts)
    assert (u.username, u.label, u.role, u.disabled) == ("arivera", "Dr A. Rivera, MD, neurology", Role.REVIEWER, False)
    assert u.can(Permission.REVIEW) and not u.can(Permission.MANAGE_USERS)
    assert u.actor() == Actor("arivera", "Dr A. Rivera", id=u.id, credentials="MD, neurology", role="reviewer")
    stored = accounts.users.db.read_one("SELECT password_hash FROM users WHERE id=?", (u.id,))
    assert stored and stored[0].startswith("$argon2id$") and PW not in stored[0]
    with pytest.raises(UserExistsError):
        add(accounts, "ARivera")
    for bad in ("a", "has space", "cli", "x" * 41):
        with pytest.raises(InvalidAccountError):
            add(accounts, bad)
    with pytest.raises(InvalidAccountError, match="display name is empty"):
        add(accounts, "bchen", display_name=" ")
    with pytest.raises(WeakPasswordError):
        accounts.users.add("bchen", "short", display_name="Dr B. Chen", by=ADMIN)

    assert accounts.users.set_role("arivera", "editor", by=ADMIN).role is Role.EDITOR
    assert accounts.users.set_details("arivera", credentials="MD, PhD", by=ADMIN).label == "Dr A. Rivera, MD, PhD"
    assert accounts.users.disable("arivera", by=ADMIN).disabled
    assert not accounts.users.get(u.id).can(Permission.REVIEW)  # type: ignore[union-attr]
    assert not accounts.users.enable("arivera", by=ADMIN).disabled
    accounts.users.reset_password("arivera", "another long password", by=ADMIN)
    assert accounts.users.authenticate("arivera", PW) is None
    assert accounts.users.authenticate("arivera", "another long password") is not None
    with pytest.raises(UserNotFoundError):
        accounts.users.disable("nobody", by=ADMIN)
    assert [x.username for x in accounts.users.list()] == ["arivera"]
    assert [a for _, a, _, _ in audit(accounts)] == [
        "user.add", "user.set_role", "user.set_details", "user.disable", "user.enable", "user.reset_password"]
    assert {actor for actor, *_ in audit(accounts)} == {"cli"}


def test_authenticate_rehashes_weak_hashes(repo: EditorialRepository, clock: Clock) -> None:
    weak = Accounts.open(repo.db, passwords=FAST, now=clock)
    u = add(weak)
    before = repo.db.read_one("SELECT password_hash FROM users WHERE id=?", (u.id,))[0]  # type: ignore[index]
    strong = Accounts.open(repo.db, now=clock)
    assert strong.users.authenticate("arivera", PW) == u
    after = repo.db.read_one("SELECT password_hash FROM users WHERE id=?", (u.id,))[0]  # type: ignore[index]
    assert after != before and not strong.users.passwords.needs_rehash(after)
    assert strong.users.authenticate("nobody", PW) is None


def test_sessions_store_only_hashes_expire_and_die_with_the_account(accounts: Accounts, clock: Clock) -> None:
    u = add(accounts)
    token, s = accounts.sign_in("arivera", PW, client="198.51.100.7")
    assert s.user == u and len(token) >= 40 and len(s.csrf_token) >= 40
    rows = accounts.users.db.read("SELECT token_hash FROM sessions")
    assert rows == [(token_hash(token),)] and token not in rows[0][0]
    assert accounts.sessions.lookup(token) == s
    assert accounts.sessions.lookup("forged") is None and accounts.sessions.lookup(None) is None
    clock.t += timedelta(hours=12, seconds=1)
    assert accounts.sessions.lookup(token) is None  # expired
    clock.t -= timedelta(hours=1)
    assert accounts.sessions.lookup(token) == s
    accounts.users.disable("arivera", by=ADMIN)
    assert accounts.sessions.lookup(token) is None
    accounts.users.enable("arivera", by=ADMIN)
    assert accounts.sessions.lookup(token) is None  # disabling deleted it
    token2, s2 = accounts.sign_in("arivera", PW, client=None)
    accounts.sign_out(token2, s2, client=None)
    assert accounts.sessions.lookup(token2) is None
    assert ("arivera", "logout", "ok", None) in audit(accounts)


def test_sign_in_is_refused_logged_and_rate_limited(accounts: Accounts, clock: Clock) -> None:
    add(accounts)
    for _ in range(3):
        with pytest.raises(NotSignedInError, match="Wrong username or password"):
            accounts.sign_in("arivera", "wrong password!", client="198.51.100.7")
    with pytest.raises(TooManyRequestsError) as e:
        accounts.sign_in("arivera", PW, client="203.0.113.1")  # right password, but the username is throttled
    assert e.value.retry_after == 900 and "15 minutes" in e.value.message
    # the same client is throttled for other usernames too
    with pytest.raises(TooManyRequestsError):
        accounts.sign_in("someone", PW, client="198.51.100.7")
    # a disabled account is refused like a wrong password
    add(accounts, "bchen", display_name="Dr B. Chen")
    accounts.users.disable("bchen", by=ADMIN)
    with pytest.raises(NotSignedInError):
        accounts.sign_in("bchen", PW, client="192.0.2.1")
    refused = [x for x in audit(accounts) if x[2] == "refused"]
    assert [a for _, a, _, _ in refused] == ["login"] * 3 + ["login.throttled"] * 2 + ["login"]
    # throttled attempts do not extend the window
    clock.t += timedelta(minutes=15, seconds=1)
    token, _ = accounts.sign_in("arivera", PW, client="198.51.100.7")
    assert token


def test_api_tokens_shown_once_hashed_revocable(accounts: Accounts, clock: Clock) -> None:
    u = add(accounts)
    token, t = accounts.tokens.create(u, "review script", client="cli")
    assert token.startswith("cs_") and len(token) > 40 and t.prefix == token[:11] and t.active
    stored = accounts.users.db.read("SELECT token_hash, prefix FROM api_tokens")
    assert stored == [(token_hash(token), token[:11])]
    assert accounts.tokens.authenticate(token) == u
    assert accounts.tokens.list(u.id)[0].last_used == "2025-08-24T10:00:00Z"
    other = add(accounts, "bchen", display_name="Dr B. Chen")
    with pytest.raises(TokenNotFoundError):
        accounts.tokens.revoke(t.id, owner_id=other.id, by=other.actor())  # not theirs
    revoked = accounts.tokens.revoke(t.id, owner_id=u.id, by=u.actor())
    assert not revoked.active
    for bad in (token, "cs_" + "x" * 43, "nonsense"):
        with pytest.raises(NotSignedInError, match="not valid"):
            accounts.tokens.authenticate(bad, client="198.51.100.7")
    token2, _ = accounts.tokens.create(u, "laptop")
    accounts.users.disable("arivera", by=ADMIN)
    with pytest.raises(NotSignedInError, match="disabled"):
        accounts.tokens.authenticate(token2)
    reader = add(accounts, "reader1", role=Role.READER, display_name="Someone")
    with pytest.raises(NotAllowedError):
        accounts.tokens.create(reader, "x")
    refused = [(a, x, t) for a, x, o, t in audit(accounts) if o == "refused"]
    assert [x for _, x, _ in refused] == ["auth.token"] * 4 + ["token.create"]
    assert refused[0] == ("arivera", "auth.token", token[:11])


def test_author_of_a_version_cannot_approve_it_and_the_refusal_is_logged(repo: EditorialRepository,
                                                                           accounts: Accounts) -> None:
    editor = add(accounts, "eds", role=Role.EDITOR, display_name="Dr E. Editor")
    reviewer = add(accounts)
    art = {"question": "Q?", "title": "Q?", "summary": [], "sections": [], "references": [],
           "corpus_version": "c1", "settings_hash": "s1"}
    a, _ = repo.save_answer("Q?", "physician", art)
    a = repo.add_version(a.id, {**art, "title": "Q (edited)"}, expected_version=1, actor=editor.actor(),
                         reason="clearer title")
    repo.transition(a.id, Action.START, reviewer.actor(), expected_version=2)
    with pytest.raises(NotAllowedError, match="made this version"):
        repo.transition(a.id, Action.APPROVE, editor.actor(), expected_version=2, client="198.51.100.7")
    assert repo.get(a.id).status is Status.UNDER_REVIEW
    line = repo.audit.entries(action="review.approve")[0]
    assert (line.actor, line.outcome, line.client) == ("eds", "refused", "198.51.100.7")
    ok = repo.transition(a.id, Action.APPROVE, reviewer.actor(), expected_version=2)
    assert [str(r) for r in ok.reviewed_by] == ["Dr A. Rivera, MD, neurology"]


def test_no_one_who_made_a_version_since_the_last_approval_may_approve(repo: EditorialRepository,
                                                                       accounts: Accounts) -> None:
    e1 = add(accounts, "e1", role=Role.EDITOR, display_name="Dr E. One")
    e2 = add(accounts, "e2", role=Role.EDITOR, display_name="Dr E. Two")
    reviewer = add(accounts)
    art = {"question": "Q?", "title": "Q?", "summary": [], "sections": [], "references": [],
           "corpus_version": "c1", "settings_hash": "s1"}
    a, _ = repo.save_answer("Q?", "physician", art)
    repo.add_version(a.id, {**art, "title": "Q (e1)"}, expected_version=1, actor=e1.actor(), reason="e1's change")
    repo.add_version(a.id, {**art, "title": "Q (e1)", "editor_note": {"text": "ok"}}, expected_version=2,
                     actor=e2.actor(), reason="a note")  # e2's version launders e1's change...
    repo.transition(a.id, Action.START, e1.actor(), expected_version=3)
    for editor in (e1, e2):  # ... but neither may approve v3: both made a version since v1
        with pytest.raises(NotAllowedError, match="made (a|this) version"):
            repo.transition(a.id, Action.APPROVE, editor.actor(), expected_version=3)
    assert [(e.actor, e.outcome) for e in repo.audit.entries(action="review.approve")] == [("e2", "refused"),
                                                                                          ("e1", "refused")]
    repo.transition(a.id, Action.APPROVE, reviewer.actor(), expected_version=3)
    # after that approval only the versions made since count: e1 made v4, e2 may approve it
    repo.add_version(a.id, {**art, "title": "Q (v4)"}, expected_version=3, actor=e1.actor(), reason="again")
    repo.transition(a.id, Action.START, e2.actor(), expected_version=4)
    with pytest.raises(NotAllowedError):
        repo.transition(a.id, Action.APPROVE, e1.actor(), expected_version=4)
    assert repo.transition(a.id, Action.APPROVE, e2.actor(), expected_version=4).status is Status.APPROVED


def test_update_checks_every_field_then_changes_them_together(accounts: Accounts) -> None:
    u = add(accounts)
    with pytest.raises(InvalidAccountError, match="display name is empty"):
        accounts.users.update("arivera", role="admin", display_name=" ", by=ADMIN)
    assert accounts.users.require("arivera").role is Role.REVIEWER
    with pytest.raises(UserNotFoundError):
        accounts.users.update("nobody", role="admin", by=ADMIN)
    changed = accounts.users.update("arivera", role="editor", display_name="Dr Ana Rivera", credentials="",
                                    disabled=True, by=ADMIN, client="203.0.113.9")
    assert (changed.role, changed.label, changed.disabled) == (Role.EDITOR, "Dr Ana Rivera", True)
    assert [(a, t) for _, a, _, t in audit(accounts)][1:] == [
        ("user.set_role", "arivera"), ("user.set_details", "arivera"), ("user.disable", "arivera")]
    assert accounts.users.update("arivera", by=ADMIN) == accounts.users.get(u.id)  # nothing asked, nothing done


def test_resetting_a_password_revokes_the_accounts_api_tokens(accounts: Accounts) -> None:
    u = add(accounts)
    other = add(accounts, "bchen", display_name="Dr B. Chen")
    first, t1 = accounts.tokens.create(u, "laptop")
    second, t2 = accounts.tokens.create(u, "script")
    accounts.tokens.revoke(t2.id, owner_id=u.id, by=u.actor())
    kept, _ = accounts.tokens.create(other, "theirs")
    accounts.users.reset_password("arivera", "another long password", by=ADMIN, client="cli (root)")
    assert [(a, x, t) for a, x, _, t in audit(accounts)][-2:] == [
        ("cli", "token.revoke", t1.prefix), ("cli", "user.reset_password", "arivera")]
    for token in (first, second):
        with pytest.raises(NotSignedInError, match="revoked"):
            accounts.tokens.authenticate(token)
    assert accounts.tokens.authenticate(kept) == other
    assert [t.active for t in accounts.tokens.list(u.id)] == [False, False]


class CountingHasher(PasswordHasher):
    """FAST's parameters; counts the hashing work each call does."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.calls = 0

    def hash(self, password, *, salt=None):  # type: ignore[no-untyped-def, override]
        self.calls += 1
        return super().hash(password, salt=salt)

    def verify(self, hash, password):  # type: ignore[no-untyped-def, override]  # noqa: A002
        self.calls += 1
        return super().verify(hash, password)


def test_sign_in_costs_the_same_hashing_whether_the_username_exists(repo: EditorialRepository, clock: Clock) -> None:
    hasher = CountingHasher()
    accounts = Accounts.open(repo.db, passwords=Passwords(hasher), login_max_failures=1000, now=clock)
    add(accounts)
    add(accounts, "bchen", display_name="Dr B. Chen")
    accounts.users.disable("bchen", by=ADMIN)
    accounts.users.authenticate("nobody", "warm up")  # makes the throwaway hash once
    work = {}
    for username in ("arivera", "bchen", "nobody"):
        for password in ("", " ", "wrong password", "x" * 5000):
            before = hasher.calls
            assert accounts.users.authenticate(username, password) is None
            work[username, len(password)] = hasher.calls - before
    assert set(work.values()) == {1}, work


class SlowHasher(PasswordHasher):
    """FAST's parameters, but each verification takes 30 ms: a wide window for a race."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)

    def verify(self, hash, password):  # type: ignore[no-untyped-def, override]  # noqa: A002
        time.sleep(0.03)
        return super().verify(hash, password)


@pytest.mark.parametrize("same_client", [True, False])
def test_parallel_wrong_guesses_cannot_pass_the_limit(repo: EditorialRepository, clock: Clock,
                                                     same_client: bool) -> None:
    accounts = Accounts.open(repo.db, login_max_failures=3, passwords=Passwords(SlowHasher()), now=clock)
    add(accounts)

    def guess(i: int) -> str:
        try:
            accounts.sign_in("arivera", f"wrong guess {i}", client="198.51.100.7" if same_client else f"10.0.0.{i}")
        except NotSignedInError:
            return "401"
        except TooManyRequestsError:
            return "429"
        return "200"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(guess, range(20)))
    assert outcomes.count("401") == 3 and outcomes.count("429") == 17
    assert len(accounts.audit.entries(action="login", outcome="refused")) == 3


def test_keyed_locks_wait_time_out_and_are_dropped() -> None:
    from curbside.accounts.service import KeyedLocks

    locks = KeyedLocks()
    with locks.hold("user a", "client x") as free:
        assert free and len(locks) == 2
        with locks.hold("user b") as other:
            assert other  # another key is not held up
        with locks.hold("client x", "user c", timeout=0.05) as blocked:
            assert not blocked
    assert len(locks) == 0


def test_names_and_passwords_must_be_text(accounts: Accounts) -> None:
    from curbside.errors import InvalidTextError

    u = add(accounts)
    for call in (lambda: add(accounts, "dr\udcff"), lambda: add(accounts, "bchen", display_name="Dr \udcff"),
                 lambda: add(accounts, "bchen", credentials="MD \ud800"),
                 lambda: accounts.users.add("bchen", "long enough \udcff", display_name="B", by=ADMIN),
                 lambda: accounts.users.update("arivera", display_name="\ud800", by=ADMIN),
                 lambda: accounts.users.reset_password("arivera", "long enough \udcff", by=ADMIN),
                 lambda: accounts.tokens.create(u, "laptop \udcff"),
                 lambda: accounts.sign_in("arivera\udcff", PW, client=None),
                 lambda: accounts.sign_in("arivera", "x\udcff", client=None)):
        with pytest.raises(InvalidTextError):
            call()
    assert accounts.users.passwords.verify(accounts.users.passwords.hash(PW), "x\udcff") is False
    assert [x.username for x in accounts.users.list()] == ["arivera"] and accounts.tokens.list(u.id) == []
