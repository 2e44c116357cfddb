"""The Medical Advisory Board's full cycle in real headless Chromium, on a real label
(tests/fixtures/sources/spl_baclofen.xml, copied so the test can change it):

ask -> Submitted with the banner -> a reviewer signs in, claims, requests changes -> an
editor removes a statement (a new version) -> another reviewer claims and approves ->
the public page shows Approved, that reviewer's name and credentials, no banner, the new
version -> the label changes and is ingested again -> the page says "Needs re-review".
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import serve

from curbside.settings import Settings

pytestmark = [pytest.mark.browser]

Q = "What is the indication for Baclofen (Lioresal)?"
PASSWORD = "correct horse battery staple"
# the answer opens beside its conversation (?c=<conversation id>)
ARTICLE = re.compile(r".*/a/what-is-the-indication-for-baclofen-lioresal-([0-9a-f]{8})(?:\?c=[\w-]+)?$")


@pytest.fixture(scope="module")
def board(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    from curbside.accounts import Accounts
    from curbside.editorial.db import open_database
    from curbside.editorial.models import Actor
    from curbside.ingest import ingest

    root = tmp_path_factory.mktemp("board")
    source = root / "src" / "spl_baclofen.xml"
    source.parent.mkdir()
    shutil.copy(fixtures_dir / "sources" / "spl_baclofen.xml", source)
    settings = Settings(data_dir=root / "data", shared_dir=root / "no-shared")
    assert not ingest(settings, [source.parent]).failed
    db = open_database("", settings.data_dir)
    accounts = Accounts.open(db)
    admin = Actor("cli", "tests", role="admin")
    for username, name, credentials, role in (("arivera", "Dr A. Rivera", "MD, neurology", "reviewer"),
                                              ("eeditor", "Dr E. Editor", "PharmD", "editor"),
                                              ("bchen", "Dr B. Chen", "MD, PhD, rehabilitation medicine", "reviewer")):
        accounts.users.add(username, PASSWORD, display_name=name, credentials=credentials, role=role, by=admin)
    db.close()
    with serve(settings) as url:
        yield {"url": url, "settings": settings, "source": source}


def _sign_in(browser, url: str, username: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    return context, page


def test_full_review_cycle(browser, page, board, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    url = str(board["url"])
    # 1. a reader asks: the answer is Submitted, with the pending-review banner
    page.goto(url + "/")
    page.get_by_label("Your question").fill(Q)
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url(ARTICLE)
    article_url = page.url
    aid = ARTICLE.match(article_url).group(1)  # type: ignore[union-attr]
    expect(page.locator(".banner")).to_contain_text("pending human review")
    expect(page.locator('ol.track [aria-current="step"]')).to_contain_text("Submitted")

    # 2. a reviewer signs in, claims it from the queue, and requests changes
    ctx_a, a = _sign_in(browser, url, "arivera")
    a.goto(url + "/review")
    a.get_by_role("link", name=Q).click()
    expect(a.locator("#review-status")).to_have_text("Submitted")
    expect(a.locator(".review-row mark").first).to_be_visible()  # quoted words marked in the passage
    a.get_by_role("button", name="Claim for review").click()
    expect(a.locator("#review-status")).to_have_text("Under Review")
    a.get_by_label("Comment").fill("Remove the screening-dose table: it is not about the indication.")
    a.get_by_role("button", name="Request changes").click()
    expect(a.locator("#review-status")).to_have_text("Changes requested")
    a.screenshot(path=str(artifacts / "board-review-page.png"), full_page=True)

    # 3. an editor removes a statement: a new version, back to Submitted
    ctx_e, e = _sign_in(browser, url, "eeditor")
    e.goto(f"{url}/review/{aid}/edit")
    rows = e.locator(".edit-row")
    table = rows.filter(has_text="Table 1: Screening doses")
    expect(table).to_have_count(1)
    table.get_by_label("Keep").uncheck()
    e.get_by_label("Why").fill("The reviewer asked to remove the screening-dose table.")
    e.get_by_role("button", name=re.compile("Save as version 2")).click()
    expect(e.locator("#review-status")).to_have_text("Submitted")
    expect(e.locator(".review-meta")).to_contain_text("version 2")
    e.get_by_role("link", name="compare with version 1").click()
    expect(e.locator("#compare-counts")).to_contain_text("1 removed")

    # 4. another reviewer claims and approves version 2
    ctx_b, b = _sign_in(browser, url, "bchen")
    b.goto(f"{url}/review/{aid}")
    b.get_by_role("button", name="Claim for review").click()
    expect(b.locator("#review-status")).to_have_text("Under Review")
    b.get_by_role("button", name="Approve").click()
    expect(b.locator("#review-status")).to_have_text("Approved")

    # 5. the public page: Approved, the reviewer with credentials, no banner, the new version
    page.goto(article_url)
    expect(page.locator("#review-note")).to_have_text(re.compile(
        r"Reviewed by Dr B\. Chen, MD, PhD, rehabilitation medicine on \w+ \d+, \d{4}"))
    expect(page.locator(".banner")).to_have_count(0)
    expect(page.locator('ol.track [aria-current="step"]')).to_contain_text("Approved")
    expect(page.locator(".meta")).to_contain_text("version 2")
    expect(page.locator("section.body-section li", has_text="Table 1: Screening doses")).to_have_count(0)
    page.screenshot(path=str(artifacts / "board-approved.png"), full_page=True)

    # 6. the label changes; after the re-ingest the answer needs re-review, publicly
    from curbside.editorial.living import recheck
    from curbside.ingest import ingest

    source = Path(str(board["source"]))
    text = source.read_text()
    assert "Hypersensitivity to baclofen." in text
    source.write_text(text.replace("Hypersensitivity to baclofen.",
                                   "Hypersensitivity to baclofen or to any excipient."))
    settings = board["settings"]
    assert not ingest(settings, [source.parent]).failed  # type: ignore[arg-type]
    assert recheck("", settings.data_dir).count == 1  # type: ignore[attr-defined]
    page.reload()
    expect(page.get_by_text("Needs re-review").first).to_be_visible()
    expect(page.locator("#review-note")).not_to_contain_text("Reviewed by")
    b.goto(f"{url}/review")
    expect(b.locator("table.queue tbody tr").first).to_contain_text("Needs re-review")
    b.goto(f"{url}/review/{aid}")
    expect(b.locator(".stale ins").first).to_contain_text("excipient")
    b.screenshot(path=str(artifacts / "board-needs-rereview.png"), full_page=True)
    for ctx in (ctx_a, ctx_e, ctx_b):
        ctx.close()
