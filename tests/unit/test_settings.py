from pathlib import Path

import pytest

from curbside.errors import UserInputError
from curbside.settings import Settings, describe

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
    with pytest.raises(UserInputError):
        Settings(embed_sources="papers").embed_source_types()
