"""The answer page in real headless Chromium, on a real slice of the corpus: ask the
Baclofen question from the home page and use everything the article page offers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.integration]

Q = "What is the indication for Baclofen (Lioresal)?"
# the answer opens beside its conversation: ?c=<conversation id>
ARTICLE_URL = re.compile(r".*/a/what-is-the-indication-for-baclofen-lioresal-[0-9a-f]{8}(?:\?c=[\w-]+)?$")


def ask_baclofen(page, base_url: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/")
    page.get_by_label("Your question").fill(Q)
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url(ARTICLE_URL)
    return page.url


def test_ask_baclofen_and_read_the_article(page, base_url: str, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    url = ask_baclofen(page, base_url)
    expect(page.locator("h1")).to_have_text(Q)
    expect(page.locator(".banner")).to_contain_text(
        "Educational purpose only • Exercise caution as content is pending human review")
    track = page.locator("ol.track li")
    expect(track).to_have_text([re.compile("Submitted"), re.compile("Under Review"), re.compile("Approved")])
    expect(page.locator('ol.track [aria-current="step"]')).to_contain_text("Submitted")
    expect(page.get_by_text("Last updated:")).to_be_visible()
    expect(page.get_by_role("link", name="View editorial policy")).to_be_visible()
    sections = page.locator("section.body-section")
    assert sections.count() >= 1
    assert page.locator("section.body-section li").count() >= 2
    expect(page.get_by_role("heading", name="References")).to_be_visible()
    expect(page.locator(".refs .badge").first).to_have_text(
        re.compile("Drug label|Guideline|Research|Patient information"))
    expect(page.get_by_role("heading", name="Professional Medical Disclaimer")).to_be_visible()
    expect(page.get_by_role("heading", name="Have a follow-up question?")).to_be_visible()
    page.screenshot(path=str(artifacts / "article-baclofen.png"), full_page=True)

    # a citation previews its passage on hover and on keyboard focus, and jumps to its reference
    cite = page.locator("a.cite").first
    target = cite.get_attribute("href")
    assert target and re.fullmatch(r"#ref-\d+", target)
    cite.hover()
    tip = page.locator("#cite-tip")
    expect(tip).to_be_visible()
    excerpt = cite.get_attribute("data-excerpt") or ""
    expect(tip).to_contain_text(excerpt[:40])
    # the statement's own words are marked in the preview, from its recorded quote
    marked = " ".join("".join(tip.locator("mark").all_text_contents()).split())
    statement = cite.locator("xpath=ancestor::p[1]").text_content() or ""
    assert marked and marked in " ".join(statement.split())
    page.mouse.move(0, 0)
    expect(tip).to_be_hidden()
    cite.focus()
    expect(tip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    cite.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(url + target)
    ref = page.locator(target)
    expect(ref).to_be_in_viewport()
    n = target.removeprefix("#ref-")
    assert ref.get_attribute("value") == n
    passage = ref.locator("blockquote").text_content() or ""
    assert excerpt.strip("…")[:40] in passage  # the preview quotes the cited reference
    page.screenshot(path=str(artifacts / "article-baclofen-citation.png"))


def test_audience_selector_rerenders_for_that_reader(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    url = ask_baclofen(page, base_url)
    expect(page.locator(".audiences [aria-current]")).to_have_text("Physician")
    # not answered for patients yet, it is a button that asks (a POST form: GET never makes
    # answers); once answered, a link. data-audience is on either.
    page.locator('.audiences [data-audience="patient"]').click()
    page.wait_for_url(ARTICLE_URL)
    assert page.url != url
    expect(page.locator(".audiences [aria-current]")).to_have_text("Patient / caregiver")
    expect(page.get_by_role("heading", name="Please note")).to_be_visible()
    expect(page.locator("h1")).to_have_text(Q)
    page.locator(".audiences").get_by_role("link", name="Physician").click()  # answered: a plain link
    page.wait_for_url(url.split("?")[0] + "?c=" + url.split("?c=")[1])  # the same conversation


def test_follow_up_keeps_the_drug(page, base_url: str, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    ask_baclofen(page, base_url)
    box = page.get_by_role("textbox", name=re.compile("Ask about"))
    box.fill("What is the usual dose?")
    box.press("Enter")
    page.wait_for_url(re.compile(r".*/a/what-is-the-usual-dose-[0-9a-f]{8}\?c=[\w-]+$"))
    expect(page.locator("h1")).to_have_text("What is the usual dose?")
    expect(page.locator(".followup label")).to_contain_text("baclofen")  # the engine kept the drug
    page.screenshot(path=str(artifacts / "follow-up.png"), full_page=True)


def test_phone_width_keyboard_and_no_javascript(browser, base_url: str, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    phone = browser.new_context(viewport={"width": 375, "height": 740})
    page = phone.new_page()
    url = ask_baclofen(page, base_url)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.screenshot(path=str(artifacts / "article-phone.png"), full_page=True)
    page.goto(url)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    phone.close()

    nojs = browser.new_context(java_script_enabled=False)
    page = nojs.new_page()
    page.goto(url)
    expect(page.locator("section.body-section").first).to_be_visible()
    cite = page.locator("a.cite").first
    target = cite.get_attribute("href")
    cite.click()
    expect(page).to_have_url(url + target)
    page.locator(f"{target} summary").click()
    expect(page.locator(f"{target} blockquote")).to_be_visible()
    nojs.close()
