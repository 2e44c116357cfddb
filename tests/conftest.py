from __future__ import annotations

import builtins
import errno
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _shared_dir() -> Path:
    return Path(os.environ.get("CURBSIDE_SHARED_DIR", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    d = _shared_dir()
    if not (d / "corpus").is_dir():
        pytest.fail(f"integration tests need the shared folder at {d} (set CURBSIDE_SHARED_DIR)")
    return d


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


Deny = Callable[..., None]


@pytest.fixture
def deny_access(monkeypatch: pytest.MonkeyPatch) -> Deny:
    """deny_access(read=file, listing=folder, stat=file): the lowest-level call fails as a
    permission problem would (opening ``read``, listing ``listing``, stat of ``stat``).
    Root, which runs the tests here, reads a chmod 000 file, so chmod cannot show it."""

    def deny(*, read: Path | None = None, listing: Path | None = None, stat: Path | None = None) -> None:
        def guard(real: Callable[..., Any], target: Path | None) -> Callable[..., Any]:
            def call(path: Any = ".", *args: Any, **kwargs: Any) -> Any:
                if target is not None and isinstance(path, (str, os.PathLike)) and Path(path) == target:
                    raise PermissionError(errno.EACCES, "Permission denied", str(target))
                return real(path, *args, **kwargs)

            return call

        monkeypatch.setattr(builtins, "open", guard(builtins.open, read))
        monkeypatch.setattr(io, "open", guard(io.open, read))
        monkeypatch.setattr(os, "scandir", guard(os.scandir, listing))
        monkeypatch.setattr(os, "stat", guard(os.stat, stat))

    return deny
