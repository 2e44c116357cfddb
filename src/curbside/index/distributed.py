"""Passage embedding on a Ray cluster: ``curbside ingest --embed --ray ADDRESS``.

Embedding is the one step of an ingest that grows with the corpus beyond a machine
(all of PubMed is weeks of one machine's CPU: docs/SCALING.md). Here only the vectors
are computed elsewhere; everything else is the local ingest, unchanged:

- the driver (the ingest) finds the passages that need vectors in the store and cuts
  them in chunks, exactly as ``index/sync.py`` does for a local run;
- a pool of Ray actors, each loading the ONNX embedder once, embeds the chunks (one
  task per chunk; the pool keeps every actor busy);
- the driver takes the results in chunk order and writes each chunk's vectors to the
  store in one transaction, then writes the vector files once every chunk is in,
  through the same code as a local run, so the files are the same (float16, rowid
  order). A failed task stops the ingest with EmbeddingError: the chunks before it are
  kept in the store (a rerun does not embed them again), nothing of the failed chunk
  is, and the vector files are not touched.

``ray`` (PyPI, the ``scale`` extra) is imported only when this runs. Every node needs
curbside and its model package installed (the same wheel), and ``ADDRESS`` is what
``ray.init`` takes: ``local`` starts a Ray on this machine for the run, ``auto`` joins the
cluster this machine belongs to, ``ray://host:10001`` reaches one through Ray Client.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from curbside.errors import EmbeddingError

CHUNK_PASSAGES = 256  # embed_passages' tasks (the ingest's are index/sync.EMBED_CHUNK): ~5-10 s each
_INSTALL_FIX = "Install the scale extra on the driver and every node: pip install 'curbside[scale]'."


@dataclass(frozen=True)
class EmbedderSpec:
    """How an actor makes its embedder (sent to the nodes: plain, picklable data)."""

    model_dir: str
    threads: int
    max_tokens: int

    def make(self) -> Any:
        from curbside.index.embedder import Embedder

        return Embedder(Path(self.model_dir), threads=self.threads, max_tokens=self.max_tokens)


class _Worker:
    """The actor: one embedder, loaded once, embedding chunk after chunk."""

    def __init__(self, spec: EmbedderSpec) -> None:
        self.embedder = spec.make()
        self.embedder.load()

    def model_id(self) -> str:
        return str(self.embedder.model_id)

    def embed(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        return np.asarray(self.embedder.embed_passages(list(texts), batch_size=batch_size), dtype=np.float32)


def _ray() -> Any:
    try:
        import ray
    except ImportError as e:
        raise EmbeddingError(f"--ray needs the ray package ({e}).", fix=_INSTALL_FIX) from e
    return ray


class RayEmbedder:
    """What ``sync_dense`` and ``sync_questions`` take instead of the local Embedder:
    ``embed_chunks`` computes the vectors of many chunks on the cluster, in order.

    ``address`` as ``ray.init`` takes it ("local": a Ray on this machine, started and
    stopped here); when Ray is already initialised in this process (a test's cluster),
    that connection is used. ``actors``: how many embedders (default: the cluster's CPUs
    divided by ``spec.threads``)."""

    def __init__(
        self,
        address: str,
        spec: EmbedderSpec,
        *,
        model_id: str,
        dim: int,
        actors: int | None = None,
    ) -> None:
        self.address = address
        self.spec = spec
        self.model_id = model_id
        self.dim = dim
        self._actors_wanted = actors
        self._started = False
        self._actors: list[Any] = []

    @classmethod
    def for_settings(cls, address: str, settings: Any, **kw: Any) -> RayEmbedder:
        """The embedder of the local ingest (its model files name the vectors), run on Ray."""
        from curbside.index.embedder import Embedder
        from curbside.index.models import EMBEDDER, model_dir

        local = Embedder(model_dir(EMBEDDER), threads=settings.threads, max_tokens=settings.embed_max_tokens)
        spec = EmbedderSpec(str(local.model_dir), settings.threads, settings.embed_max_tokens)
        return cls(address, spec, model_id=local.model_id, dim=local.dim, **kw)

    # ---- the cluster ------------------------------------------------------------------
    @cached_property
    def _pool(self) -> Any:
        ray = _ray()
        from ray.util import ActorPool

        if not ray.is_initialized():
            _check_reachable(self.address)
            try:
                if self.address == "local":
                    ray.init(include_dashboard=False, log_to_driver=False)
                else:
                    ray.init(address=self.address, log_to_driver=False)
            except Exception as e:  # noqa: BLE001 - Ray raises many kinds (ConnectionError, RuntimeError...)
                raise EmbeddingError(
                    f"Cannot reach the Ray cluster at {self.address!r}: {_first_line(e)}",
                    fix="Start it (`ray start --head` on one machine, `ray start --address HEAD:6379` on the "
                        "others) and pass its address, or use --ray local.",
                ) from e
            self._started = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        threads = max(1, self.spec.threads)
        n = self._actors_wanted or max(1, cpus // threads)
        worker = ray.remote(num_cpus=min(threads, cpus))(_Worker)
        actors = self._actors = [worker.remote(self.spec) for _ in range(n)]
        try:
            found = set(ray.get([a.model_id.remote() for a in actors]))
        except Exception as e:  # noqa: BLE001 - an actor that cannot load its model
            self.close()
            raise EmbeddingError(
                f"The embedders could not start on the Ray cluster: {_first_line(e)}",
                fix="Install curbside with its model package on every node (the same version as here).",
            ) from e
        if found != {self.model_id}:
            self.close()
            raise EmbeddingError(
                f"The Ray nodes embed with {', '.join(sorted(found))}, this ingest with {self.model_id}.",
                fix="Install the same curbside and model package on every node.",
            )
        return ActorPool(actors)

    def connect(self) -> None:
        """Join (or start) the cluster and start the actors now, so that a wrong address
        or a node without the model fails before the ingest reads anything."""
        self._pool  # noqa: B018 - the property starts them

    def close(self) -> None:
        """Stop the actors, and the Ray this embedder started (a joined cluster keeps
        running). Safe to call more than once."""
        if self._actors:
            ray = _ray()
            for actor in self._actors:
                ray.kill(actor)
            self._actors = []
        if self._started:
            _ray().shutdown()
            self._started = False
        self.__dict__.pop("_pool", None)

    def __enter__(self) -> RayEmbedder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- embedding --------------------------------------------------------------------
    def embed_chunks(self, chunks: Iterable[Sequence[str]], batch_size: int = 32) -> Iterator[np.ndarray]:
        """Each chunk's vectors (float32, unit rows), in the order of the chunks; a task
        that fails raises EmbeddingError naming the chunk."""
        todo = [list(c) for c in chunks]
        if not todo:
            return
        pool = self._pool
        results = pool.map(lambda actor, texts: actor.embed.remote(texts, batch_size), todo)
        for i in range(len(todo)):
            try:
                vecs = next(results)
            except Exception as e:  # noqa: BLE001 - RayTaskError, RayActorError, ...
                raise EmbeddingError(
                    f"Embedding on Ray failed at chunk {i + 1} of {len(todo)}: {_first_line(e)}",
                    fix="The vectors of the chunks before it are kept and the vector files are unchanged; "
                        "fix the cause and run the ingest again to resume.",
                ) from e
            yield vecs

    def embed_passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """float32 (len(texts), dim), in the order given, computed chunk by chunk on Ray."""
        if isinstance(texts, str):
            raise TypeError("embed_passages takes a sequence of strings, not one string")
        step = CHUNK_PASSAGES
        parts = list(self.embed_chunks((texts[i : i + step] for i in range(0, len(texts), step)), batch_size))
        return np.vstack(parts) if parts else np.empty((0, self.dim), dtype=np.float32)


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """A HOST:PORT address must accept a connection (ray.init retries an unreachable one
    for minutes before it gives up)."""
    host, sep, port = address.rpartition(":")
    if not sep or "://" in address or not port.isdigit():
        return  # local, auto, ray://...: Ray's own handling
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as e:
        raise EmbeddingError(
            f"Cannot reach the Ray cluster at {address!r}: {e.strerror or e}.",
            fix="Start it (`ray start --head` on one machine, `ray start --address HEAD:6379` on the others) "
                "and pass its address, or use --ray local.",
        ) from e


def _first_line(e: BaseException) -> str:
    """The cause of a (Ray) error in one line: its innermost message."""
    cause: BaseException = e
    while getattr(cause, "cause", None) is not None and cause is not getattr(cause, "cause", None):
        cause = cause.cause  # type: ignore[attr-defined]
    text = str(cause).strip() or type(cause).__name__
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return (lines[-1] if lines else text)[:300]
