from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from curbside.cli.main import cli
from curbside.cli.serve import command as serve_command
from curbside.errors import SettingError, UserInputError
from curbside.settings import Settings, allowed, describe

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_in_the_readme():
    text = README.read_text()
    for name, env, _default, help_text in describe():
        assert f"`{name}`" in text and f"`{env}`" in text, name
        assert help_text.endswith("."), name


def test_environment_overrides_and_explicit_values_win(monkeypatch, tmp_path):
    monkeypatch.setenv("CURBSIDE_LEXICAL_K", "7")
    monkeypatch.setenv("CURBSIDE_USE_DENSE", "false")
    monkeypatch.setenv("CURBSIDE_DATA_DIR", str(tmp_path))
    s = Settings.from_env()
    assert (s.lexical_k, s.use_dense, s.data_dir) == (7, False, tmp_path)
    assert Settings.from_env(lexical_k=9).lexical_k == 9


def test_answer_hash_tracks_only_answer_settings(tmp_path):
    a = Settings()
    assert a.answer_hash() == Settings(data_dir=tmp_path).answer_hash()
    assert a.answer_hash() != Settings(lexical_k=5).answer_hash()


def test_string_folders_become_paths():
    assert Settings(data_dir="/tmp/x").data_dir == Path("/tmp/x")


def test_embed_sources_are_checked():
    assert Settings(embed_sources="research, guideline").embed_source_types() == ["research", "guideline"]
    with pytest.raises(SettingError, match="embed_sources .*'papers'.*drug_label, guideline"):
        Settings(embed_sources="papers")


# ---- values a setting does not allow ------------------------------------------------------

@pytest.mark.parametrize(
    ("variable", "value", "allows"),
    [("CURBSIDE_LEXICAL_K", "sixty", "a whole number from 1 to 10000"),
     ("CURBSIDE_USE_DENSE", "ture", "true or false"),
     ("CURBSIDE_RRF_K", "-5", "a whole number from 1 to 10000"),
     ("CURBSIDE_RRF_K", "0", "a whole number from 1 to 10000"),
     ("CURBSIDE_LEXICAL_K", "6.0", "a whole number"),
     ("CURBSIDE_LEXICAL_K", "", "a whole number"),
     ("CURBSIDE_DENSE_WEIGHT", "nan", "a number from 0 to 100"),
     ("CURBSIDE_DENSE_WEIGHT", "-1", "a number from 0 to 100"),
     ("CURBSIDE_QUESTION_MATCH_THRESHOLD", "80", "a number from 0 to 1"),
     ("CURBSIDE_EMBED_MAX_TOKENS", "4096", "a whole number from 8 to 512"),
     ("CURBSIDE_TRUST_PROXY", "y", "true or false"),
     ("CURBSIDE_DATA_DIR", "", "a folder")],
)
def test_a_bad_environment_value_is_refused_naming_variable_value_and_range(
        monkeypatch, variable: str, value: str, allows: str):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingError) as e:
        Settings.from_env()
    assert isinstance(e.value, UserInputError) and e.value.exit_code == 2
    assert f"{variable} is {value!r}" in e.value.message and allows in e.value.message
    assert variable in (e.value.fix or "") and "unset it for the default" in (e.value.fix or "")


def test_every_bad_variable_is_named_at_once(monkeypatch):
    monkeypatch.setenv("CURBSIDE_LEXICAL_K", "sixty")
    monkeypatch.setenv("CURBSIDE_USE_DENSE", "ture")
    with pytest.raises(SettingError) as e:
        Settings.from_env(rrf_k=7)
    assert "CURBSIDE_LEXICAL_K is 'sixty'" in e.value.message and "CURBSIDE_USE_DENSE is 'ture'" in e.value.message


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("TRUE", True), ("1", True), ("Yes", True), (" on ", True),
                                            ("false", False), ("0", False), ("no", False), ("OFF", False)])
def test_booleans_take_the_usual_words(monkeypatch, raw: str, value: bool):
    monkeypatch.setenv("CURBSIDE_USE_DENSE", raw)
    assert Settings.from_env().use_dense is value


def test_numbers_parse_strictly(monkeypatch):
    monkeypatch.setenv("CURBSIDE_LEXICAL_K", " 7 ")
    monkeypatch.setenv("CURBSIDE_MIN_EVIDENCE_COVERAGE", "0.25")
    monkeypatch.setenv("CURBSIDE_DENSE_WEIGHT", "2")
    s = Settings.from_env()
    assert (s.lexical_k, s.min_evidence_coverage, s.dense_weight) == (7, 0.25, 2.0)
    assert isinstance(s.dense_weight, float)


@pytest.mark.parametrize("changes", [{"rrf_k": 0}, {"lexical_k": -1}, {"question_match_threshold": 1.5},
                                     {"dense_weight": float("inf")}, {"lexical_k": True}, {"lexical_k": "60"},
                                     {"use_dense": "false"}, {"data_dir": ""}, {"threads": 0}])
def test_a_value_out_of_range_in_code_is_refused(changes: dict[str, object]):
    (name, value), = changes.items()
    with pytest.raises(SettingError) as e:
        Settings(**changes)  # type: ignore[arg-type]
    assert f"The setting {name} (CURBSIDE_{name.upper()}) is {value!r}" in e.value.message
    assert allowed(name) in e.value.message
    with pytest.raises(SettingError):
        Settings().replace(**changes)


def test_every_number_has_a_range_its_default_is_in():
    defaults = Settings()
    for f in fields(Settings):
        if f.type in ("int", "float"):
            low, high = f.metadata["low"], f.metadata["high"]
            assert low is not None, f"{f.name} declares no lower bound"
            assert low <= getattr(defaults, f.name) <= (high if high is not None else float("inf")), f.name


def test_a_whole_number_for_a_weight_hashes_like_the_float():
    assert Settings(dense_weight=2).answer_hash() == Settings(dense_weight=2.0).answer_hash()


def test_the_cli_prints_a_bad_variable_without_a_traceback(tmp_path):
    r = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "ask", "What is baclofen used for?"],
                           env={"CURBSIDE_USE_DENSE": "ture"})
    assert r.exit_code == 2, r.output
    assert "Error: CURBSIDE_USE_DENSE is 'ture', but use_dense must be true or false" in r.output
    assert "Fix: Set CURBSIDE_USE_DENSE to true or false" in r.output
    assert "Traceback" not in r.output and not isinstance(r.exception, SettingError)


def test_serve_refuses_to_start_on_a_bad_variable(tmp_path, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("serve started"))
    r = CliRunner().invoke(serve_command, [], obj={"data_dir": tmp_path}, env={"CURBSIDE_RRF_K": "-5"})
    assert r.exit_code == 2, r.output
    assert "Error: CURBSIDE_RRF_K is '-5', but rrf_k must be a whole number from 1 to 10000." in r.output


def test_the_settings_command_lists_what_each_allows(monkeypatch):
    monkeypatch.setenv("CURBSIDE_LEXICAL_K", "sixty")  # listing the settings still works, to find the fix
    r = CliRunner().invoke(cli, ["settings"])
    assert r.exit_code == 0, r.output
    assert "lexical_k  (CURBSIDE_LEXICAL_K, default 60; a whole number from 1 to 10000)" in r.output
