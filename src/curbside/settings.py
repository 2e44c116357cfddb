"""Settings: declared once, each with a default and help text.

Resolution order for each setting: explicit value (CLI flag / constructor) ->
environment variable ``CURBSIDE_<NAME>`` -> the default below.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "CURBSIDE_"


def _repo_root() -> Path:
    # src/curbside/settings.py -> repository root (an editable or in-tree install)
    return Path(__file__).resolve().parents[2]


def default_shared_dir() -> Path:
    return _repo_root().parent / "shared"


def default_data_dir() -> Path:
    return _repo_root() / "var"


def _setting(default: Any, help: str, *, affects_answers: bool = True) -> Any:
    meta = {"help": help, "affects_answers": affects_answers}
    if callable(default):
        return field(default_factory=default, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(
        default_data_dir,
        "Where the store (SQLite), the search indexes and vectors live.",
        affects_answers=False,
    )
    shared_dir: Path = _setting(
        default_shared_dir,
        "The shared folder holding corpus/, vocab/ and eval/ (read only).",
        affects_answers=False,
    )
    database_url: str = _setting(
        "",
        "The editorial database (answers, reviews, accounts, audit log): empty for SQLite in "
        "<data_dir>/editorial.sqlite, or postgresql://user:password@host:5432/dbname to share one "
        "database between several app instances.",
        affects_answers=False,
    )
    session_hours: int = _setting(
        12, "How long a sign-in lasts, in hours, before the reviewer must sign in again.",
        affects_answers=False,
    )
    login_max_failures: int = _setting(
        5, "Refused sign-ins for one username, or from one client address, within 15 minutes "
        "before sign-in answers 429 for the rest of those 15 minutes (counted in the audit log, so "
        "across every app instance).",
        affects_answers=False,
    )
    trust_proxy: bool = _setting(
        False, "Behind a reverse proxy that terminates TLS: take the scheme from X-Forwarded-Proto "
        "(session cookies get Secure) and the client address from X-Forwarded-For (rate limits, "
        "audit log). Leave off unless such a proxy sets these headers, or clients can forge them.",
        affects_answers=False,
    )
    ask_rate_per_minute: int = _setting(
        30, "New questions (POST /ask, POST /api/v1/answers) each client address may send per "
        "minute; more answer 429 with Retry-After. Signed-in Board members are not limited. "
        "Counted in memory, so each app instance has its own count; 0 turns the limit off.",
        affects_answers=False,
    )
    ask_burst: int = _setting(
        20, "How many questions a client may send at once before ask_rate_per_minute paces it.",
        affects_answers=False,
    )
    max_question_chars: int = _setting(
        2000, "Questions longer than this are refused with a clear message."
    )
    lexical_k: int = _setting(60, "Passages taken from the lexical (BM25) index per question.")
    dense_k: int = _setting(60, "Passages taken from the dense (embedding) index per question.")
    rrf_k: int = _setting(
        5, "The k constant of reciprocal rank fusion (small: the runs' top ranks count most)."
    )
    dense_weight: float = _setting(1.5, "Weight of the dense run in the fusion (BM25 runs weigh 1).")
    use_dense: bool = _setting(
        True, "Use dense embeddings when vectors were built (curbside ingest --embed)."
    )
    use_rerank: bool = _setting(
        False, "Rerank the fused shortlist with the cross-encoder (slower)."
    )
    rerank_k: int = _setting(20, "How many fused passages the cross-encoder rescores.")
    embed_batch: int = _setting(
        32, "Passages embedded per model call during ingest.", affects_answers=False
    )
    embed_max_tokens: int = _setting(
        128, "Passages are truncated to this many tokens for embedding."
    )
    embed_sources: str = _setting(
        "research",
        "Comma-separated source types that get dense vectors (drug_label, guideline, research, "
        "patient_information). Labels are reached through the drug filter; vectors cost "
        "about 0.04 s a passage on 2 cores.",
    )
    threads: int = _setting(
        2, "CPU threads for the embedding model.", affects_answers=False
    )
    question_match_threshold: float = _setting(
        0.8,
        "An answered question of the corpus (MedQuAD) counts as the user's question when their "
        "embeddings' cosine similarity is at least this and the user names its topic "
        "(Engine.similar_questions). Lower finds more, and more wrong, matches.",
    )
    max_statements_per_section: int = _setting(
        8, "At most this many statements in the article's main section (others get 2)."
    )
    semantic_shortlist: int = _setting(
        0, "How many candidate sentences of an answer's main section are also scored by meaning "
        "(bge-small cosine to the question); 0 (the default) turns it off: measured on K-QA and "
        "MedicationQA it gained no coverage and cost about 200 ms a question."
    )
    semantic_weight: float = _setting(
        6.0, "Weight of the meaning score (cosine, 0-1) against the word score (shared words, "
        "section cue) when the shortlist is ranked."
    )
    min_evidence_coverage: float = _setting(
        0.4, "A statement of an answer built from guidelines and research must hold at least this "
        "share of the question's word weight (rare words weigh more), else it is left out."
    )
    max_sentence_chars: int = _setting(
        600, "Sentences longer than this are left out (indication lists may run to 900)."
    )

    def __post_init__(self) -> None:
        for f in fields(self):  # folders given as strings become Paths
            if f.type in ("Path", Path) and not isinstance(getattr(self, f.name), Path):
                object.__setattr__(self, f.name, Path(getattr(self, f.name)).expanduser())

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        values: dict[str, Any] = {}
        for f in fields(cls):
            env = os.environ.get(ENV_PREFIX + f.name.upper())
            if env is not None:
                values[f.name] = _coerce(f, env)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for f in fields(cls):
            if f.name in values and f.type in ("Path", Path):
                values[f.name] = Path(values[f.name]).expanduser()
        return cls(**values)

    @property
    def corpus_dir(self) -> Path:
        return self.shared_dir / "corpus"

    @property
    def vocab_dir(self) -> Path:
        return self.shared_dir / "vocab"

    @property
    def eval_dir(self) -> Path:
        return self.shared_dir / "eval"

    def embed_source_types(self) -> list[str]:
        from curbside.types import SourceType

        names = [x.strip() for x in self.embed_sources.split(",") if x.strip()]
        valid = {t.value for t in SourceType}
        bad = [n for n in names if n not in valid]
        if bad:
            from curbside.errors import UserInputError

            raise UserInputError(
                f"Unknown source type(s) in embed_sources: {', '.join(bad)}.",
                fix=f"Use any of: {', '.join(sorted(valid))}.",
            )
        return names

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def answer_hash(self) -> str:
        """A hash of every setting that changes answers (stored on each article)."""
        payload = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.metadata.get("affects_answers", True)
        }
        blob = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


def describe() -> list[tuple[str, str, str, str]]:
    """(name, environment variable, default, help) for every setting."""
    rows = []
    defaults = Settings()
    for f in fields(Settings):
        rows.append(
            (f.name, ENV_PREFIX + f.name.upper(), str(getattr(defaults, f.name)), f.metadata["help"])
        )
    return rows


def _coerce(f: dataclasses.Field[Any], raw: str) -> Any:
    t = f.type
    if t in ("bool", bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if t in ("int", int):
        return int(raw)
    if t in ("float", float):
        return float(raw)
    if t in ("Path", Path):
        return Path(raw).expanduser()
    return raw
