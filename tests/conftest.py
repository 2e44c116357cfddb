from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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
