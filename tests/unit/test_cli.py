"""The command line on a tiny corpus ingested from tests/fixtures: bad text and bad
context are refused with a message naming them, a damaged store is named as such, and
a closed pipe (`curbside ask ... | head -1`) ends quietly with status 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from curbside.cli.main import cli
from curbside.cli.review import command as review_command
from curbside.cli.users import command as users_command
from curbside.settings import Settings

SRC = Path(__file__).resolve().parents[2] / "src"
Q = "What is baclofen used for?"


@pytest.fixture(scope="module")
def data_dir(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from curbside.ingest import ingest

    root = tmp_path_factory.mktemp("cli")
    report = ingest(Settings(data_dir=root / "data", shared_dir=root / "no-shared"),
                    [fixtures_dir / "sources" / "spl_baclofen.xml"])
    assert not report.failed and report.docs_added == 1
    return root / "data"


def _env(data: Path) -> dict[str, str]:
    return {"CURBSIDE_SHARED_DIR": str(data.parent / "no-shared")}


def run(data: Path, *args: str):  # type: ignore[no-untyped-def]
    if args[0] in ("review", "users"):  # registered by main(); invoked here on their own
        command = review_command if args[0] == "review" else users_command
        return CliRunner().invoke(command, args[1:], obj={"data_dir": data}, env=_env(data),
                                  input="a long enough password\n")
    return CliRunner().invoke(cli, ["--data-dir", str(data), *args], env=_env(data))


def test_ask_answers_on_the_tiny_corpus(data_dir: Path) -> None:
    r = run(data_dir, "ask", "--json", Q)
    assert r.exit_code == 0, r.output
    assert '"baclofen"' in r.output


def test_ask_context_shows_what_the_follow_up_was_understood_as(data_dir: Path) -> None:
    import json

    r = run(data_dir, "ask", "--context", "What is the dose of baclofen?", "And for children?")
    assert r.exit_code in (0, 6), r.output
    assert "And for children?" in r.output
    assert "Understood as: What is the dose of baclofen for children?" in " ".join(r.output.split())
    j = json.loads(run(data_dir, "ask", "--json", "--context", "What is baclofen used for?", "Who should not take "
                       "it?").output)
    assert j["question"] == "Who should not take it?" and j["understood_as"] == "Who should not take baclofen?"
    assert "understood_as" not in json.loads(run(data_dir, "ask", "--json", Q).output)


def test_ask_lists_suggested_follow_ups_that_are_answered(data_dir: Path) -> None:
    import json

    text = run(data_dir, "ask", Q)
    assert text.exit_code == 0, text.output
    both = json.loads(run(data_dir, "ask", "--json", "--suggest", Q).output)
    assert set(both) == {"article", "suggested_follow_ups"} and len(both["suggested_follow_ups"]) <= 3
    offered = both["suggested_follow_ups"]
    assert offered, "the fixture label answers other aspects of baclofen"
    assert "Suggested follow-ups" in text.output and all(q in text.output for q in offered)
    for q in offered:  # each is answered, not abstained nor partial
        a = json.loads(run(data_dir, "ask", "--json", q).output)
        assert not a["abstained"] and not a["partial"], q
    assert "Suggested follow-ups" not in run(data_dir, "ask", "--no-suggest", Q).output


def test_ask_explain_prints_why_these_sentences_after_the_article(data_dir: Path) -> None:
    r = run(data_dir, "ask", "--explain", Q)
    assert r.exit_code == 0, r.output
    article, _, why = r.output.partition("Why these sentences")
    assert "References" in article and why
    assert "Approved indications (indications)" in why and "Left out (best first)" in why
    assert "question_words" in why and "×" in why and "rank" in why


def test_ask_explain_json_puts_the_explanation_beside_the_article(data_dir: Path) -> None:
    import json

    plain = json.loads(run(data_dir, "ask", "--json", Q).output)
    assert "schema_version" in plain and "explanation" not in plain
    r = run(data_dir, "ask", "--json", "--explain", Q)
    assert r.exit_code == 0, r.output
    both = json.loads(r.output)
    assert set(both) == {"article", "explanation"}
    assert both["article"]["sections"] == plain["sections"]
    texts = [[s["text"] for s in sec["statements"]] for sec in both["article"]["sections"]]
    assert [[s["text"] for s in sec["statements"]] for sec in both["explanation"]["sections"]] == texts


@pytest.mark.parametrize(
    ("args", "named"),
    [(["ask", "what is baclofen \udcff used for"], "question"),  # argv bytes \xff, as Python decodes them
     (["ask", Q, "--context", "baclofen \udcff"], "context"),
     (["review", "start", "deadbeef", "--as", "dr\udcff"], "account name"),
     (["review", "request-changes", "deadbeef", "--as", "dra", "--note", "fix \udcff"], "note"),
     (["users", "add", "dr\udcff", "--name", "Dr A", "--password-stdin"], "username"),
     (["users", "add", "ana", "--name", "Dr \udcff", "--password-stdin"], "display name"),
     (["users", "add", "ana", "--name", "Dr A", "--credentials", "MD \udcff", "--password-stdin"], "credentials"),
     (["users", "set-details", "ana", "--name", "\udcff"], "display name"),
     (["users", "token", "create", "ana", "n\udcff"], "token name")],
)
def test_invalid_utf8_argument_is_refused_with_a_message(data_dir: Path, args: list[str], named: str) -> None:
    r = run(data_dir, *args)
    assert r.exit_code == 2, r.output
    assert not isinstance(r.exception, UnicodeError) and "Traceback" not in r.output
    assert f"Error: The {named}" in r.output and "UTF-8" in r.output and "Fix:" in r.output


def test_too_long_context_is_named_as_the_context(data_dir: Path) -> None:
    for question in ("and the dose?", Q):  # with or without a drug of its own
        r = run(data_dir, "ask", question, "--context", "baclofen " * 400)
        assert r.exit_code == 2, r.output
        assert "The context is 3,600 characters long" in r.output and "question is" not in r.output


def test_corrupt_store_is_named_with_a_fix(data_dir: Path, tmp_path: Path) -> None:
    import shutil

    bad = tmp_path / "data"
    shutil.copytree(data_dir, bad)
    for extra in bad.glob("curbside.sqlite-*"):
        extra.unlink()
    (bad / "curbside.sqlite").write_bytes(b"garbage, not SQLite " * 500)
    for command in (["ask", Q], ["status"]):
        r = run(bad, *command)
        assert r.exit_code == 3, r.output
        assert "No ingested corpus" not in r.output
        assert "damaged" in r.output and str(bad / "curbside.sqlite") in r.output
        assert "Fix:" in r.output and "curbside ingest" in r.output


@pytest.mark.parametrize("args", [["ask", Q], ["ask", "--json", Q], ["settings"]], ids=["ask", "ask-json", "settings"])
def test_closed_pipe_ends_quietly_with_status_0(data_dir: Path, args: list[str]) -> None:
    """`curbside ask ... | head -1`: the reader is gone before the output is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE, as after `head -1` exits
    env = {**os.environ, **_env(data_dir), "PYTHONPATH": str(SRC)}
    try:
        proc = subprocess.run([sys.executable, "-m", "curbside.cli.main", "--data-dir", str(data_dir), *args],
                              stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=120)
    finally:
        os.close(write_end)
    stderr = proc.stderr.decode()
    assert proc.returncode == 0, stderr
    assert stderr == ""


def test_ask_piped_to_head_prints_one_line(data_dir: Path) -> None:
    env = {**os.environ, **_env(data_dir), "PYTHONPATH": str(SRC)}
    cmd = (f'"{sys.executable}" -m curbside.cli.main --data-dir "{data_dir}" ask "{Q}" | head -1;'
           " exit ${PIPESTATUS[0]}")
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1 and proc.stderr == ""
