"""Checks on text and links that come from outside: questions, names and notes must be
text (no lone surrogates), and only http(s) URLs become links."""

from __future__ import annotations

import pytest

from curbside.errors import InvalidTextError, UserInputError
from curbside.validate import check_text, web_url


@pytest.mark.parametrize("text", ["What is baclofen for?", "Dr Ångström", "dosis de baclofeno – ¿niños?", "😀", ""])
def test_text_passes_unchanged(text: str) -> None:
    assert check_text(text, "question") == text


@pytest.mark.parametrize("text", ["baclofen \udcff", "\ud800", "x\udfffy", "name \udc80"])
def test_lone_surrogates_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidTextError) as e:
        check_text(text, "reviewer name")
    assert isinstance(e.value, UserInputError) and e.value.code == "invalid_text" and e.value.exit_code == 2
    assert "reviewer name" in e.value.message and "UTF-8" in e.value.message and e.value.fix


@pytest.mark.parametrize(
    ("url", "kept"),
    [("https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid=1", "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid=1"),
     ("HTTP://www.nih.gov/", "HTTP://www.nih.gov/"), ("  https://pubmed.ncbi.nlm.nih.gov/1/ ", "https://pubmed.ncbi.nlm.nih.gov/1/"),
     (None, None), ("", None), ("javascript:alert(1)", None), (" javascript:alert(1)", None),
     ("java\tscript:alert(1)", None), ("jav&#x09;ascript:alert(1)", None), ("data:text/html,x", None),
     ("vbscript:x", None), ("ftp://x.org/", None), ("//evil.example/", None), ("https:", None),
     ("https:///path", None), ("/relative/path", None), ("ngc:ngc-1", None), ("https://x.org/\nboo", None)],
)
def test_web_url_keeps_only_http_and_https(url: str | None, kept: str | None) -> None:
    assert web_url(url) == kept
