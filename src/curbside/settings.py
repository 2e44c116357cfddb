"""Settings: declared once, each with a default, help text and the values it allows.

Resolution order for each setting: explicit value (CLI flag / constructor) ->
environment variable ``CURBSIDE_<NAME>`` -> the default below.

A value outside what a setting allows is refused, never bent: ``Settings(...)``,
``replace`` and ``from_env`` raise SettingError (a UserInputError: the CLI prints it
and exits 2) naming the variable, the value and what is allowed. Environment text is
parsed strictly: a whole number is digits only ("60", not "sixty" nor "6.0"); a
boolean is one of true/false, 1/0, yes/no, on/off (any case), so a typo such as
"ture" is an error instead of a silent "false". Ranges are declared with each setting
(``low``/``high`` below). The checks are plain code rather than pydantic: its lax
parsing accepts "t", "y" and "6.0", so the parsing would be ours anyway, and importing
it would add ~0.1 s to every CLI command (the web app imports it regardless).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from curbside.errors import SettingError

ENV_PREFIX = "CURBSIDE_"
TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_SHOWN_CHARS = 60  # of a refused value, in messages
CHOICES: dict[str, tuple[str, ...]] = {"vector_index": ("exact", "ivf", "auto")}  # text settings' values


def _repo_root() -> Path:
    # src/curbside/settings.py -> repository root (an editable or in-tree install)
    return Path(__file__).resolve().parents[2]


def default_shared_dir() -> Path:
    return _repo_root().parent / "shared"


def default_data_dir() -> Path:
    return _repo_root() / "var"


def _setting(
    default: Any, help: str, *, affects_answers: bool = True, low: float | None = None, high: float | None = None
) -> Any:
    """A setting's declaration: ``low`` and ``high`` bound a number (inclusive)."""
    meta = {"help": help, "affects_answers": affects_answers, "low": low, "high": high}
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
        affects_answers=False, low=1, high=24 * 365,
    )
    login_max_failures: int = _setting(
        5, "Refused sign-ins for one username, or from one client address, within 15 minutes "
        "before sign-in answers 429 for the rest of those 15 minutes (counted in the audit log, so "
        "across every app instance).",
        affects_answers=False, low=1, high=1000,
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
        affects_answers=False, low=0,
    )
    ask_burst: int = _setting(
        20, "How many questions a client may send at once before ask_rate_per_minute paces it.",
        affects_answers=False, low=1,
    )
    max_question_chars: int = _setting(
        2000, "Questions longer than this are refused with a clear message.", low=10, high=100_000
    )
    follow_up_suggestions: int = _setting(
        3, "Suggested follow-ups shown under a new web answer (each one answered first, ~40 ms per candidate "
           "tried when its drug or condition is new to the engine); 0 turns them off.",
        affects_answers=False, low=0, high=5,
    )
    lexical_k: int = _setting(
        60, "Passages taken from the lexical (BM25) index per question.", low=1, high=10_000
    )
    dense_k: int = _setting(
        60, "Passages taken from the dense (embedding) index per question.", low=1, high=10_000
    )
    max_label_documents: int = _setting(
        100, "Drug labels a drug question reads, fullest and newest first: only labels with text of "
        "their own count (a label whose every passage copies another's adds nothing), so the cost of an "
        "answer follows the distinct label texts of the drug, not how many manufacturers copy them.",
        low=1, high=100_000,
    )
    rrf_k: int = _setting(
        5, "The k constant of reciprocal rank fusion (small: the runs' top ranks count most).",
        low=1, high=10_000,
    )
    dense_weight: float = _setting(
        1.5, "Weight of the dense run in the fusion (BM25 runs weigh 1).", low=0, high=100
    )
    use_dense: bool = _setting(
        True, "Use dense embeddings when vectors were built (curbside ingest --embed)."
    )
    use_rerank: bool = _setting(
        False, "Rerank the fused shortlist with the cross-encoder (slower)."
    )
    rerank_k: int = _setting(20, "How many fused passages the cross-encoder rescores.", low=1, high=1000)
    embed_batch: int = _setting(
        32, "Passages embedded per model call during ingest.", affects_answers=False, low=1, high=4096
    )
    embed_max_tokens: int = _setting(
        128, "Passages are truncated to this many tokens for embedding.", low=8, high=512  # the model's limits
    )
    embed_sources: str = _setting(
        "research",
        "Comma-separated source types that get dense vectors (drug_label, guideline, research, "
        "patient_information). Labels are reached through the drug filter; vectors cost "
        "about 0.04 s a passage on 2 cores.",
    )
    threads: int = _setting(
        2, "CPU threads for the embedding model.", affects_answers=False, low=1, high=256
    )
    vector_index: str = _setting(
        "auto",
        "How passage vectors are searched: exact (every vector scored: ~15 ms per 150k vectors here), ivf "
        "(a faiss inverted-file index of 8-bit codes built beside the vectors at `ingest --embed`; the "
        "ann_nprobe nearest of its ~sqrt(vectors) lists give candidates that are re-scored exactly), or auto "
        "(ivf from ann_min_vectors vectors on). Without a usable IVF index the search is exact and a warning "
        "says why. Recall against exact search is in BENCHMARKS.md.",
    )
    ann_min_vectors: int = _setting(
        500_000, "With vector_index auto, the number of vectors from which the IVF index is built and searched "
        "(below it exact search costs under ~50 ms); also the longest drug-filter allow list that is still "
        "scored exactly when it is.", low=1,
    )
    ann_nprobe: int = _setting(
        256, "IVF lists searched per query: more is slower and nearer exact search. 256 of the 1,024 lists "
        "of a million vectors gave recall@10 0.998 against exact search in 15 ms (exact: 80 ms); keep about "
        "a quarter of the lists (~sqrt(vectors)) as the collection grows.", low=1, high=65_536,
    )
    question_match_threshold: float = _setting(
        0.8,
        "An answered question of the corpus (MedQuAD) counts as the user's question when their "
        "embeddings' cosine similarity is at least this and the user names its topic "
        "(Engine.similar_questions). Lower finds more, and more wrong, matches.",
        low=0, high=1,
    )
    max_statements_per_section: int = _setting(
        8, "At most this many statements in the article's main section (others get 2).", low=1, high=100
    )
    semantic_shortlist: int = _setting(
        0, "How many candidate sentences of an answer's main section are also scored by meaning "
        "(bge-small cosine to the question); 0 (the default) turns it off: measured on K-QA and "
        "MedicationQA it gained no coverage and cost about 200 ms a question.",
        low=0, high=10_000,
    )
    semantic_weight: float = _setting(
        6.0, "Weight of the meaning score (cosine, 0-1) against the word score (shared words, "
        "section cue) when the shortlist is ranked.",
        low=0, high=100,
    )
    # ---- the weight table's tunable weights (scoring.py: score = Σ weight × feature;
    # one shared question word weighs 1; a penalty is subtracted) ----
    weight_section_cue: float = _setting(
        1.5, "Added to a sentence with its section's cue (\"indicated for\", a dose, a reaction's "
        "frequency) or in a list such a sentence opened.", low=0, high=100,
    )
    weight_topic_named: float = _setting(
        1.0, "Added to a drug or evidence sentence that names the asked condition (or the other "
        "drug asked about).", low=0, high=100,
    )
    weight_recommendation: float = _setting(
        1.0, "Added to a guideline sentence about a condition that comes from the guideline's "
        "recommendations.", low=0, high=100,
    )
    weight_consensus: float = _setting(
        0.3, "Added, per other document holding the very same sentence (at most 3), when "
        "statements are picked.", low=0, high=100,
    )
    weight_written_for_patients: float = _setting(
        3.0, "Added, for a patient or caregiver, to a sentence from a source written for them "
        "(consumer page, Medication Guide, patient package insert, Drug Facts).", low=0, high=100,
    )
    penalty_reading_grade: float = _setting(
        0.5, "Subtracted, for a patient or caregiver, per Flesch-Kincaid grade a sentence reads "
        "above the plain-language grade (6), at most 12 grades.", low=0, high=100,
    )
    penalty_other_drugs: float = _setting(
        1.0, "Subtracted from a sentence of a combination product's label that holds drugs not "
        "asked about.", low=0, high=100,
    )
    penalty_passage_rank: float = _setting(
        0.05, "Subtracted per rank of the sentence's passage among those read (up to rank 10).",
        low=0, high=100,
    )
    penalty_sentence_position: float = _setting(
        0.1, "Subtracted per sentence before it in its passage (up to 10).", low=0, high=100,
    )
    penalty_study_in_summary: float = _setting(
        1.0, "Subtracted from a study's sentence when the summary of an answer from guidelines and "
        "research is picked (a label's, guideline's or consumer page's sentence states the answer).",
        low=0, high=100,
    )
    weight_source_strength: float = _setting(
        0.005, "Retrieval tie-break: evidence strength (label > guideline > research > patient page; "
        "the reverse for patients) times this, times the best passage's relevance.", low=0, high=1,
    )
    penalty_passage_age: float = _setting(
        0.0005, "Retrieval tie-break: subtracted per year a passage is older than the corpus's newest "
        "source (undated: 30 years), times the best passage's relevance.", low=0, high=1,
    )
    min_evidence_coverage: float = _setting(
        0.4, "A statement of an answer built from guidelines and research must hold at least this "
        "share of the question's word weight (rare words weigh more), else it is left out.",
        low=0, high=1,
    )
    max_sentence_chars: int = _setting(
        600, "Sentences longer than this are left out (indication lists may run to 900).", low=50, high=100_000
    )

    def __post_init__(self) -> None:
        refused: list[dataclasses.Field[Any]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            try:
                fixed = _checked(f, value)
            except ValueError:
                refused.append(f)
                continue
            if fixed is not value:  # a folder becomes an expanded Path, a number 2 becomes 2.0
                object.__setattr__(self, f.name, fixed)
        if refused:
            raise SettingError(
                " ".join(f"The setting {f.name} ({_env_name(f)}) is {_shown(getattr(self, f.name))}, "
                         f"but it must be {allowed(f.name)}." for f in refused),
                fix=f"Give {refused[0].name} a value it allows, or leave it out for the default "
                    f"({_default_text(refused[0])})." if len(refused) == 1
                else "Give each a value it allows, or leave it out for its default.",
            )

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """The settings from ``CURBSIDE_<NAME>`` variables, ``overrides`` (those not None)
        winning; SettingError names every variable whose value is not allowed."""
        return cls(**{**env_values(os.environ), **{k: v for k, v in overrides.items() if v is not None}})

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
        """The source types of ``embed_sources`` (checked when the settings were made)."""
        return _source_types(self.embed_sources)

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
        rows.append((f.name, _env_name(f), str(getattr(defaults, f.name)), f.metadata["help"]))
    return rows


def allowed(name: str) -> str:
    """What the setting ``name`` allows, in words ("a whole number from 1 to 10000")."""
    f = next(f for f in fields(Settings) if f.name == name)
    kind = _kind(f)
    if kind == "bool":
        return "true or false (or 1/0, yes/no, on/off)"
    if kind in ("int", "float"):
        what = "a whole number" if kind == "int" else "a number"
        low, high = f.metadata["low"], f.metadata["high"]
        if low is not None and high is not None:
            return f"{what} from {low:g} to {high:g}"
        if low is not None:
            return f"{what} of at least {low:g}"
        return what
    if kind == "Path":
        return "a folder (not empty)"
    if f.name == "embed_sources":
        return "source types separated by commas, of " + ", ".join(_source_type_names())
    if f.name in CHOICES:
        return "one of " + ", ".join(CHOICES[f.name])
    return "any text"


def env_values(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings that ``environ`` sets (``CURBSIDE_<NAME>``), parsed and checked;
    SettingError names each variable whose value is not allowed, with its value."""
    values: dict[str, Any] = {}
    refused: list[dataclasses.Field[Any]] = []
    for f in fields(Settings):
        raw = environ.get(_env_name(f))
        if raw is None:
            continue
        try:
            values[f.name] = _checked(f, _parsed(f, raw))
        except ValueError:
            refused.append(f)
    if not refused:
        return values
    message = " ".join(
        f"{_env_name(f)} is {_shown(environ[_env_name(f)])}, but {f.name} must be {allowed(f.name)}." for f in refused
    )
    if len(refused) == 1:
        f = refused[0]
        raise SettingError(
            message, fix=f"Set {_env_name(f)} to {allowed(f.name)}, or unset it for the default ({_default_text(f)})."
        )
    raise SettingError(message, fix="Correct these variables, or unset them for their defaults "
                                    "(`curbside settings` lists every setting with its default and allowed values).")


def _env_name(f: dataclasses.Field[Any]) -> str:
    return ENV_PREFIX + f.name.upper()


def _default_text(f: dataclasses.Field[Any]) -> str:
    default = getattr(Settings(), f.name)
    return str(default).lower() if isinstance(default, bool) else str(default) or "empty"


def _kind(f: dataclasses.Field[Any]) -> str:
    """The setting's type by name ("int", "Path"; annotations are strings here)."""
    return f.type if isinstance(f.type, str) else f.type.__name__


def _parsed(f: dataclasses.Field[Any], raw: str) -> Any:
    """The value an environment variable's text stands for; ValueError when it is none."""
    kind, text = _kind(f), raw.strip()
    if kind == "bool":
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
        raise ValueError(raw)
    if kind == "int":
        if not _WHOLE.fullmatch(text):
            raise ValueError(raw)
        return int(text)
    if kind == "float":
        return float(text)  # ValueError for words; "nan" and "inf" fail the range check
    return raw


def _checked(f: dataclasses.Field[Any], value: Any) -> Any:
    """``value`` as the setting holds it (a Path for a folder, a float for a number),
    or ValueError when the setting does not allow it."""
    kind = _kind(f)
    if kind == "Path":
        if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
            raise ValueError(value)
        return Path(value).expanduser()
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(value)
        return value
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int if kind == "int" else (int, float)):
            raise ValueError(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(value)
        low, high = f.metadata["low"], f.metadata["high"]
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(value)
        return float(value) if kind == "float" and not isinstance(value, float) else value
    if not isinstance(value, str):
        raise ValueError(value)
    if f.name == "embed_sources" and not set(_source_types(value)) <= set(_source_type_names()):
        raise ValueError(value)
    if f.name in CHOICES and value not in CHOICES[f.name]:
        raise ValueError(value)
    return value


def _source_types(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _source_type_names() -> list[str]:
    from curbside.types import SourceType  # imported here: types.py is only needed for this

    return sorted(t.value for t in SourceType)


def _shown(value: Any) -> str:
    """A refused value as messages quote it (a long one cut)."""
    text = value if isinstance(value, str) else repr(value)
    cut = text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
    return repr(cut) if isinstance(value, str) else cut
