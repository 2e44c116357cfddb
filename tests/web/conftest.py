"""Web fixtures: an app on a scripted engine (fast, corpus-free) and, for integration
tests, an app on a real engine over a small slice of ../shared ingested into a tmp dir."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fakes import FakeEngine
from fastapi.testclient import TestClient

from curbside.accounts import Passwords
from curbside.settings import Settings
from curbside.web.app import create_app

# Cheap argon2 parameters: a sign-in takes milliseconds instead of ~0.2 s (the hash format
# and every check are the same; production uses argon2-cffi's RFC 9106 defaults).
FAST_PASSWORDS = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))

# A small real slice: every DailyMed indications record (has Baclofen) and one full label.
SLICE = ("corpus/dailymed-indications.json", "corpus/openfda/ANDA062373.json")


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(engine: FakeEngine | None = None, *, factory: Callable[[Settings], object] | None = None,
             data_dir: Path | None = None, **settings: object) -> TestClient:
        eng = engine or FakeEngine()
        app = create_app(Settings(data_dir=data_dir or tmp_path / "data", **settings),  # type: ignore[arg-type]
                         engine_factory=factory or (lambda s: eng), passwords=FAST_PASSWORDS)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient], engine: FakeEngine) -> TestClient:
    return make_client(engine)


@pytest.fixture(scope="session")
def real_data_dir(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from curbside.ingest import ingest

    data = tmp_path_factory.mktemp("web-data")
    settings = Settings(data_dir=data, shared_dir=shared_dir)
    report = ingest(settings, [shared_dir / p for p in SLICE], embed=False)
    assert not report.failed, report.failed
    return data


@pytest.fixture(scope="session")
def real_client(real_data_dir: Path, shared_dir: Path) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=real_data_dir, shared_dir=shared_dir))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
