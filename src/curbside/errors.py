"""The exception tree. The CLI (cli/errors.py) and the web app (web/errors.py) each map
these to messages in one place; every message names the fix.

CurbsideError
├── UserInputError          bad question, audience, flag or path given by the user
│   ├── EmptyQuestionError
│   ├── QuestionTooLongError
│   ├── InvalidTextError    text that is not text: invalid UTF-8 bytes, a lone surrogate
│   ├── CorpusPathError     missing or empty corpus path
│   └── SettingError        a setting (CURBSIDE_* variable or value in code) out of its range
├── StoreError              the store cannot be opened or is not built yet
│   ├── NotIngestedError    `ask` before any `ingest`
│   └── CorruptStoreError   the store or its index is there but cannot be read
├── SourceFormatError       a file is not in any supported format (per-file, reported)
├── ModelUnavailableError   the embedding model package is not installed
└── EmbeddingError          `ingest --embed --ray`: the cluster cannot be reached or a task failed
"""

from __future__ import annotations


class CurbsideError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1
    code = "error"

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} {self.fix}" if self.fix else self.message


class UserInputError(CurbsideError):
    exit_code = 2
    code = "invalid_input"


class EmptyQuestionError(UserInputError):
    code = "empty_question"


class QuestionTooLongError(UserInputError):
    code = "question_too_long"


class InvalidTextError(UserInputError):
    code = "invalid_text"


class CorpusPathError(UserInputError):
    code = "corpus_path"


class SettingError(UserInputError):
    code = "invalid_setting"


class StoreError(CurbsideError):
    exit_code = 3
    code = "store"


class NotIngestedError(StoreError):
    code = "not_ingested"


class CorruptStoreError(StoreError):
    code = "corrupt_store"


class SourceFormatError(CurbsideError):
    exit_code = 4
    code = "source_format"


class ModelUnavailableError(CurbsideError):
    exit_code = 5
    code = "model_unavailable"


class EmbeddingError(CurbsideError):
    """Computing vectors elsewhere (a Ray cluster) failed; what was kept is in the fix."""

    exit_code = 11
    code = "embedding"
