"""`ingest --embed --ray`: what fails before any Ray starts (index/distributed.py)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from curbside.cli.main import cli
from curbside.errors import EmbeddingError
from curbside.index.distributed import RayEmbedder
from curbside.settings import Settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once it is closed


def test_an_unreachable_cluster_fails_at_once(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    embedder = RayEmbedder.for_settings(f"127.0.0.1:{_closed_port()}", Settings(data_dir=tmp_path))
    with pytest.raises(EmbeddingError, match="Cannot reach the Ray cluster") as failed:
        embedder.connect()  # a refused connection, not Ray's minutes of retries
    assert "Connection refused" in failed.value.message
    assert failed.value.fix and "--ray local" in failed.value.fix and failed.value.exit_code == 11
    embedder.close()  # nothing started: closing is harmless


def test_ray_without_embed_is_a_usage_error(tmp_path: Path, fixtures_dir: Path) -> None:
    r = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "ingest", str(fixtures_dir / "sources"),
                                 "--ray", "local"])
    assert r.exit_code == 2 and "use it with --embed" in r.output
    assert not (tmp_path / "curbside.sqlite").exists()  # refused before reading anything


def test_an_unreachable_cluster_stops_the_cli_before_it_reads(tmp_path: Path, fixtures_dir: Path) -> None:
    pytest.importorskip("ray")
    r = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "ingest", str(fixtures_dir / "sources"),
                                 "--embed", "--ray", f"127.0.0.1:{_closed_port()}", "--quiet"])
    assert r.exit_code == 11 and "Cannot reach the Ray cluster" in r.output
    assert not (tmp_path / "curbside.sqlite").exists()
