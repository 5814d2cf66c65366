"""Errors whose messages are displayed to the user.

Owns: the exception types every layer raises and the wording of their messages.
Each message names the problem and, where there is one, the fix. The CLI and the
web UI print ``str(error)`` as one line; nothing here formats tracebacks.
Does not own: catching them (that happens at the boundary, in ``rag.cli`` and ``ui``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CorpusQAError",
    "QuestionError",
    "CorpusNotFoundError",
    "EmptyCorpusError",
    "UnreadableFileError",
    "UnsupportedFileError",
    "FileTooLargeError",
    "ModelMismatchError",
    "StoreError",
    "StoreBusyError",
    "StoreUnreachableError",
    "ConfigError",
    "LLMError",
    "EvalDataError",
]


class CorpusQAError(Exception):
    """Base class: ``str(err)`` is a complete, user-facing sentence."""


class QuestionError(CorpusQAError):
    """The question is empty or too long."""


class CorpusNotFoundError(CorpusQAError):
    def __init__(self, path: object) -> None:
        super().__init__(f"Corpus path not found: {path}. Pass an existing file or folder.")


class NoDefaultCorpusError(CorpusNotFoundError):
    def __init__(self, path: object, index: object) -> None:
        CorpusQAError.__init__(
            self, f"The index in {index} is empty, and the default corpus CORPUS_DIR={path} was not found "
                  f"(looked in {Path(path).resolve()}). Add your documents with `rag ingest PATH`, or set CORPUS_DIR.")


class EmptyCorpusError(CorpusQAError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"No .txt, .md, .html, .pdf, .docx, .jsonl or .csv files with text in {path}. "
            "Nothing was changed in the index."
        )


class UnreadableFileError(CorpusQAError):
    """A file could not be decoded; it is skipped, never stored with replacement characters."""

    def __init__(self, name: str, reason: str) -> None:
        self.name, self.reason = name, reason
        super().__init__(f"Cannot read {name}: {reason}")


class UnsupportedFileError(CorpusQAError):
    def __init__(self, name: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"Unsupported file type: {name}. Allowed: {', '.join(allowed)}.")


class FileTooLargeError(UnreadableFileError):
    def __init__(self, name: str, size: int, limit: int) -> None:
        super().__init__(name, f"{size / 2**20:.1f} MB is over the {limit / 2**20:g} MB per-file limit "
                               "(MAX_FILE_MB); split the file or raise the limit")


class StoreError(CorpusQAError):
    """The index cannot be opened or written; the message says how to recover."""


class StoreBusyError(StoreError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"Another ingest is running on the index in {path}. Wait for it to finish, then try again; "
            "nothing was changed.")


class StoreUnreachableError(StoreError):
    """The Chroma server (CHROMA_HOST) did not answer; a running process reconnects by itself once it does."""

    def __init__(self, url: str, cause: str, writing: bool = False) -> None:
        self.url, self.cause, self.writing = url, cause, writing
        resume = (" What was stored is kept (a document cut short is listed as incomplete): run the same "
                  "ingest, upload or delete again once the server is back to resume." if writing else "")
        super().__init__(f"Cannot reach the Chroma server at {url}: {cause}. Start it (`chroma run --path DIR "
                         f"--port PORT`) or check CHROMA_HOST/CHROMA_PORT.{resume}")

    def cut_short(self) -> StoreUnreachableError:
        """The same outage met by a write: the message also says what was kept and how to resume."""
        return StoreUnreachableError(self.url, self.cause, writing=True)


class ModelMismatchError(CorpusQAError):
    def __init__(self, path: object, built_with: str, configured: str) -> None:
        super().__init__(
            f"The index in {path} was built with embedding model {built_with}, but the settings "
            f"(EMBEDDING_MODEL, SENTENCE_VECTORS) give {configured}. Rebuild it from your documents with "
            "`rag ingest --rebuild PATH` (PATH: the file or folder you ingested; a rebuild replaces the whole "
            "index), or set those settings back."
        )


class ConfigError(CorpusQAError):
    """A setting has a value the product cannot use."""


class LLMError(CorpusQAError):
    """The configured LLM endpoint failed; the message never contains the API key."""


class EvalDataError(CorpusQAError):
    """Evaluation data that cannot be used as given (``rag eval --squad``); the message names the fix."""
