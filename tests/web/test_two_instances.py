"""Two `curbside serve` processes behind nginx, sharing one read-only data folder and one
PostgreSQL, started by the runnable example itself (deploy/two_instances.sh): an answer
asked on one is found on the other, a review started on one is finished on the other,
a sign-in holds on both, two edits of one version at once give one 200 and one 409,
and nothing is written into the data folder."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from curbside.accounts import Accounts
from curbside.editorial import EditorialRepository
from curbside.editorial.models import Actor

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "two_instances.sh"
PW = "a long enough password"
QUESTION = "What is the indication for Baclofen (Lioresal)?"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Deployment:
    a: str
    b: str
    proxy: str
    data: Path
    database_url: str
    log: Path
    token: str  # bchen's API token


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"deploy/two_instances.sh exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the proxy did not answer in {seconds:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def deployment(real_data_dir: Path, shared_dir: Path, postgres_admin: str,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    from support.postgres import drop_database, fresh_database

    if not shutil.which("nginx"):
        if os.environ.get("CURBSIDE_REQUIRE_POSTGRES") == "1":
            pytest.fail("nginx is required for the two-instance test (scripts/install --browser installs it)")
        pytest.skip("nginx not installed")
    data = tmp_path_factory.mktemp("shared-data")
    shutil.copytree(real_data_dir, data, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("editorial.sqlite*", ".ingest.lock"))
    url = fresh_database(postgres_admin)
    repo = EditorialRepository.open(url, data)  # migrates; the accounts of the tests
    accounts = Accounts.open(repo.db)
    tests = Actor("cli", "tests", role="admin")
    users = {username: accounts.users.add(username, PW, display_name=name, credentials="MD", role=role, by=tests)
             for username, role, name in (("eeditor", "editor", "Dr E. Editor"),
                                          ("arivera", "reviewer", "Dr A. Rivera"), ("bchen", "reviewer", "Dr B. Chen"))}
    token, _ = accounts.tokens.create(users["bchen"], "tests")
    repo.close()

    ports = [_free_port() for _ in range(3)]
    log = tmp_path_factory.mktemp("deploy") / "deploy.log"
    env = {**os.environ, "CURBSIDE_DATABASE_URL": url, "CURBSIDE_SHARED_DIR": str(shared_dir),
           "PORT_A": str(ports[0]), "PORT_B": str(ports[1]), "PROXY_PORT": str(ports[2]),
           "CURBSIDE_CMD": f"{sys.executable} -m curbside.cli.main",
           "PYTHONPATH": os.pathsep.join([str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])}
    before = _snapshot(data)
    with open(log, "wb") as out:
        proc = subprocess.Popen(["bash", str(SCRIPT), str(data)], env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_ready(f"http://127.0.0.1:{ports[2]}", proc, log)
        yield Deployment(*(f"http://127.0.0.1:{p}" for p in ports), data=data, database_url=url, log=log,
                         token=token)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the script's own group: it stops nginx and the instances
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        drop_database(postgres_admin, url)
    assert _snapshot(data) == before, "an instance wrote into the shared data folder"


def _csrf(client: httpx.Client, url: str) -> str:
    m = _CSRF.search(client.get(url).text)
    assert m, f"no CSRF field on {url}"
    return m.group(1)


def _sign_in(client: httpx.Client, base: str, username: str) -> str:
    """Signs in through the login form on ``base``; returns the session's CSRF token."""
    form = {"username": username, "password": PW, "csrf_token": _csrf(client, f"{base}/login")}
    r = client.post(f"{base}/login", data=form)
    assert r.status_code == 303, r.text
    return _csrf(client, f"{base}/account")


def _ask(base: str, question: str = QUESTION) -> dict:  # type: ignore[type-arg]
    r = httpx.post(f"{base}/api/v1/answers", json={"question": question}, timeout=60)
    assert r.status_code in (200, 201), r.text
    return r.json()  # type: ignore[no-any-return]


def test_the_example_serves_the_data_folder_read_only(deployment: Deployment) -> None:
    banner = deployment.log.read_text()
    assert f"instances on :{deployment.a.rsplit(':', 1)[1]} and :{deployment.b.rsplit(':', 1)[1]}" in banner
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0:
        assert "read-only" in banner  # each instance in its own mount namespace, the folder mounted read-only
    for base in (deployment.a, deployment.b, deployment.proxy):
        health = httpx.get(f"{base}/healthz").json()
        assert health["status"] == "ok" and health["corpus_version"]


def test_an_answer_asked_on_one_instance_is_found_on_the_other(deployment: Deployment) -> None:
    made = _ask(deployment.a)
    found = httpx.get(f"{deployment.b}/api/v1/answers/{made['id']}")
    assert found.status_code == 200 and found.json()["question"] == QUESTION
    again = _ask(deployment.b)
    assert again["id"] == made["id"] and again["cached"] is True
    page = httpx.get(deployment.proxy + httpx.URL(made["url"]).path, follow_redirects=True)
    assert page.status_code == 200 and "Baclofen" in page.text


def test_a_sign_in_on_one_instance_holds_on_the_other(deployment: Deployment) -> None:
    with httpx.Client() as browser:  # one cookie jar: 127.0.0.1 whatever the port, like one site behind a proxy
        csrf = _sign_in(browser, deployment.a, "arivera")
        assert "Dr A. Rivera" in browser.get(f"{deployment.b}/account").text
        kept = dict(browser.cookies)
        r = browser.post(f"{deployment.b}/logout", data={"csrf_token": csrf})
        assert r.status_code == 303
    with httpx.Client(cookies=kept) as stale:  # the old session cookie, sent again: worthless on A too
        r = stale.get(f"{deployment.a}/account")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_review_started_on_one_instance_is_approved_on_the_other(deployment: Deployment) -> None:
    made = _ask(deployment.a, "What is baclofen used for?")
    with httpx.Client() as browser:
        csrf = _sign_in(browser, deployment.proxy, "arivera")  # through nginx: either instance
        r = browser.post(f"{deployment.b}/api/v1/answers/{made['id']}/review", headers={"X-CSRF-Token": csrf},
                         json={"action": "start", "expected_version": 1})
        assert r.status_code == 200, r.text
    r = httpx.post(f"{deployment.b}/api/v1/answers/{made['id']}/review",
                   headers={"Authorization": f"Bearer {deployment.token}"},
                   json={"action": "approve", "expected_version": 1})
    assert r.status_code == 200, r.text
    seen = httpx.get(f"{deployment.a}/api/v1/answers/{made['id']}").json()["review"]
    assert seen["status"] == "approved" and seen["reviewers"] == ["Dr A. Rivera", "Dr B. Chen"]


def test_two_edits_of_one_version_at_once_one_wins_one_gets_409(deployment: Deployment) -> None:
    made = _ask(deployment.b, "What is the dose of baclofen?")
    with httpx.Client() as browser:
        csrf = _sign_in(browser, deployment.a, "eeditor")
        start = threading.Barrier(2)
        statuses: dict[str, httpx.Response] = {}

        def edit(base: str, note: str) -> None:
            start.wait()
            statuses[base] = browser.post(f"{base}/api/v1/answers/{made['id']}/edit", headers={"X-CSRF-Token": csrf},
                                          json={"expected_version": 1, "reason": "a note", "note": note})

        threads = [threading.Thread(target=edit, args=(base, f"Checked on {base}."))
                   for base in (deployment.a, deployment.b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    codes = sorted(r.status_code for r in statuses.values())
    assert codes == [200, 409], [r.text for r in statuses.values()]
    lost = next(r for r in statuses.values() if r.status_code == 409)
    assert lost.json()["error"]["code"] == "version_conflict"
    won = next(base for base, r in statuses.items() if r.status_code == 200)
    final = httpx.get(f"{deployment.a}/api/v1/answers/{made['id']}").json()
    assert final["review"]["version"] == 2 and final["editor_note"]["text"] == f"Checked on {won}."
