"""Where each artefact lives inside the data folder."""

from __future__ import annotations

from pathlib import Path


def store_file(data_dir: Path) -> Path:
    return data_dir / "curbside.sqlite"


def lexical_dir(data_dir: Path) -> Path:
    return data_dir / "lexical"


def dense_dir(data_dir: Path) -> Path:
    return data_dir / "dense"


def questions_dir(data_dir: Path) -> Path:
    return data_dir / "questions"


def lexicon_file(data_dir: Path) -> Path:
    return data_dir / "drug_lexicon.json"


def conditions_file(data_dir: Path) -> Path:
    return data_dir / "conditions.json"


def glossary_file(data_dir: Path) -> Path:
    return data_dir / "glossary.json"
