from __future__ import annotations

import builtins
import errno
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _shared_dir() -> Path:
    return Path(os.environ.get("CURBSIDE_SHARED_DIR", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    d = _shared_dir()
    if not (d / "corpus").is_dir():
        pytest.fail(f"integration tests need the shared folder at {d} (set CURBSIDE_SHARED_DIR)")
    return d


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


# ---- the editorial database: SQLite and a real PostgreSQL --------------------------------
@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[str]:
    from support.postgres import admin_url

    try:
        url, server = admin_url()
    except Exception as e:  # noqa: BLE001 - no server binaries, or it would not start
        if os.environ.get("CURBSIDE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (CURBSIDE_REQUIRE_POSTGRES=1) but could not start: {e}")
        pytest.skip(f"PostgreSQL not available: {e}")
    yield url
    if server is not None:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The editorial database URL for one test: "" (SQLite in the data dir) or a fresh
    PostgreSQL database. Tests taking it run on both."""
    if request.param == "sqlite":
        yield ""
        return
    from support.postgres import drop_database, fresh_database

    admin = request.getfixturevalue("postgres_admin")
    url = fresh_database(admin)
    yield url
    drop_database(admin, url)
Deny = Callable[..., None]


@pytest.fixture
def deny_access(monkeypatch: pytest.MonkeyPatch) -> Deny:
    """deny_access(read=file, listing=folder, stat=file): the lowest-level call fails as a
    permission problem would (opening ``read``, listing ``listing``, stat of ``stat``).
    Root, which runs the tests here, reads a chmod 000 file, so chmod cannot show it."""

    def deny(*, read: Path | None = None, listing: Path | None = None, stat: Path | None = None) -> None:
        def guard(real: Callable[..., Any], target: Path | None) -> Callable[..., Any]:
            def call(path: Any = ".", *args: Any, **kwargs: Any) -> Any:
                if target is not None and isinstance(path, (str, os.PathLike)) and Path(path) == target:
                    raise PermissionError(errno.EACCES, "Permission denied", str(target))
                return real(path, *args, **kwargs)

            return call

        monkeypatch.setattr(builtins, "open", guard(builtins.open, read))
        monkeypatch.setattr(io, "open", guard(io.open, read))
        monkeypatch.setattr(os, "scandir", guard(os.scandir, listing))
        monkeypatch.setattr(os, "stat", guard(os.stat, stat))

    return deny
