"""Browser fixtures: a small real slice of ../shared ingested into a tmp data dir, the
app served by uvicorn on a free loopback port (in a thread), and headless Debian
Chromium driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from curbside.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SLICE = ("corpus/dailymed-indications.json", "corpus/openfda/ANDA062373.json")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if _in_ci():
            pytest.fail(f"{CHROMIUM} is missing in CI; install it with `apt-get install -y chromium` "
                        "(scripts/install --browser).")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium); browser tests run in CI.")
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def served_data_dir(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from curbside.ingest import ingest

    data = tmp_path_factory.mktemp("browser-data")
    report = ingest(Settings(data_dir=data, shared_dir=shared_dir), [shared_dir / p for p in SLICE], embed=False)
    assert not report.failed, report.failed
    return data


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The app on ``settings`` served by uvicorn on a free loopback port, in a thread."""
    import uvicorn

    from curbside.web.app import create_app

    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="session")
def base_url(served_data_dir: Path, shared_dir: Path) -> Iterator[str]:
    with serve(Settings(data_dir=served_data_dir, shared_dir=shared_dir)) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
