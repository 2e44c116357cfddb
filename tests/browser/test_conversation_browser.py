"""A conversation in real headless Chromium, on a real slice of the corpus: ask, switch
the audience on the article page, ask a follow-up from the article page, see the thread
(both turns, the second understood with the drug carried), and take a suggested follow-up
when the page offers one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.integration]

Q = "What is the indication for Baclofen (Lioresal)?"
FOLLOW_UP = "Is it safe in pregnancy?"
ARTICLE = r".*/a/{slug}-[0-9a-f]{{8}}\?c=(?P<c>[\w-]+)$"


def _conversation(url: str) -> str:
    return url.split("?c=", 1)[1]


def test_a_conversation_across_audiences(page, base_url: str, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(base_url + "/")
    page.get_by_label("Your question").fill(Q)
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url(re.compile(ARTICLE.format(slug="what-is-the-indication-for-baclofen-lioresal")))
    conversation = _conversation(page.url)

    # another reader: the audience button asks the same question for them, in the same conversation
    page.locator('.audiences [data-audience="patient"]').click()
    page.wait_for_url(re.compile(ARTICLE.format(slug="what-is-the-indication-for-baclofen-lioresal")))
    assert _conversation(page.url) == conversation
    expect(page.locator(".audiences [aria-current]")).to_have_text("Patient / caregiver")

    # a follow-up from the article page, with a pronoun: the drug carries
    box = page.get_by_role("textbox", name=re.compile("Ask about"))
    box.fill(FOLLOW_UP)
    box.press("Enter")
    page.wait_for_url(re.compile(ARTICLE.format(slug="is-it-safe-in-pregnancy")))
    assert _conversation(page.url) == conversation
    expect(page.locator("h1")).to_have_text(FOLLOW_UP)
    expect(page.locator("#understood-as")).to_contain_text(re.compile("Is baclofen safe in pregnancy", re.I))
    expect(page.locator(".audiences [aria-current]")).to_have_text("Patient / caregiver")  # still that reader

    # the thread: both turns, in order, the second understood with the drug carried, and current
    thread = page.locator("#thread")
    expect(thread.get_by_role("heading", name="This conversation")).to_be_visible()
    turns = thread.locator("li.turn")
    expect(turns).to_have_count(2)
    expect(turns.nth(0).get_by_role("link")).to_have_text(Q)
    expect(turns.nth(1).get_by_role("link")).to_have_text(FOLLOW_UP)
    expect(turns.nth(1)).to_contain_text(re.compile(r"Understood as: .*baclofen safe in pregnancy", re.I))
    expect(turns.nth(1)).to_have_attribute("aria-current", "true")
    page.screenshot(path=str(artifacts / "conversation-thread.png"), full_page=True)

    # the first turn's link opens its answer beside the same conversation
    turns.nth(0).get_by_role("link").click()
    page.wait_for_url(re.compile(ARTICLE.format(slug="what-is-the-indication-for-baclofen-lioresal")))
    assert _conversation(page.url) == conversation
    expect(page.locator("#thread li.turn").nth(0)).to_have_attribute("aria-current", "true")

    # the conversation's own page lists both turns
    page.goto(f"{base_url}/c/{conversation}")
    expect(page.locator("li.turn")).to_have_count(2)

    # a suggested follow-up, when the sources answer one, continues the conversation
    page.go_back()
    suggestions = page.locator("#suggested button.suggestion")
    if suggestions.count():
        asked = suggestions.first.text_content() or ""
        suggestions.first.click()
        page.wait_for_url(re.compile(r".*/a/[\w-]+\?c=[\w-]+$"))
        assert _conversation(page.url) == conversation
        expect(page.locator("h1")).to_have_text(asked)
        expect(page.locator("#thread li.turn")).to_have_count(3)
        expect(page.locator("#understood-as")).to_have_count(0)  # a suggestion is a standalone question


def test_a_suggested_follow_up_continues_the_conversation(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    """The slice has gentamicin's full label: its article offers follow-ups, each answered."""
    from playwright.sync_api import expect

    page.goto(base_url + "/")
    page.get_by_label("Your question").fill("What is the dose of gentamicin?")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url(re.compile(ARTICLE.format(slug="what-is-the-dose-of-gentamicin")))
    conversation = _conversation(page.url)
    offered = page.locator("#suggested button.suggestion")
    expect(offered.first).to_be_visible()
    assert 1 <= offered.count() <= 3
    asked = offered.first.text_content() or ""
    assert "gentamicin" in asked and "dose" not in asked  # the aspect asked already is not offered
    offered.first.click()
    page.wait_for_url(re.compile(r".*/a/[\w-]+\?c=[\w-]+$"))
    assert _conversation(page.url) == conversation
    expect(page.locator("h1")).to_have_text(asked)
    expect(page.locator("#thread li.turn")).to_have_count(2)
    expect(page.locator("section.abstained")).to_have_count(0)  # answered: not abstained...
    expect(page.locator("section.partial")).to_have_count(0)  # ...nor partial
    expect(page.locator("section.body-section").first).to_be_visible()
