"""语料问答 / Corpus QA: cited answers over a Chinese news corpus, in 简体, 繁體 or English.

    from rag import query
    ans = query("梁文鋒畢業於哪所大學？")
    ans.answer, ans.citations, ans.script, ans.abstained

The first call builds the engine from ``Settings()`` (environment + ``.env``) and, on a
fresh checkout, the index from the default corpus; later calls reuse both.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from ingest.errors import (
    ConfigError,
    CorpusNotFoundError,
    CorpusQAError,
    EmptyCorpusError,
    FileTooLargeError,
    LLMError,
    ModelMismatchError,
    QuestionError,
    StoreBusyError,
    StoreError,
    UnreadableFileError,
    UnsupportedFileError,
)
from rag.article import Article
from rag.citations import EN_NEEDS_LLM
from rag.engine import Engine
from rag.feedback import FeedbackStore
from rag.settings import Settings
from rag.index.store import DocumentInfo
from rag.questions import validate_question
from rag.types import Answer, Citation, IngestReport

__all__ = [
    "Answer",
    "Article",
    "Citation",
    "ConfigError",
    "CorpusNotFoundError",
    "CorpusQAError",
    "DocumentInfo",
    "EN_NEEDS_LLM",
    "EmptyCorpusError",
    "Engine",
    "FeedbackStore",
    "FileTooLargeError",
    "IngestReport",
    "LLMError",
    "ModelMismatchError",
    "QuestionError",
    "Settings",
    "StoreBusyError",
    "StoreError",
    "UnreadableFileError",
    "UnsupportedFileError",
    "get_engine",
    "query",
    "stream",
    "validate_question",
]

_engine: Engine | None = None
_lock = threading.Lock()


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine, built on first use (models and index loaded once)."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = Engine(settings or Settings())
        return _engine


def query(question: str, *, script: str | None = None, history: list[str] | None = None) -> Answer:
    """Answer ``question`` with citations; ``script`` overrides the detected zh-Hans/zh-Hant/en."""
    return get_engine().query(question, script=script, history=history)


def stream(question: str, *, script: str | None = None,
           history: list[str] | None = None) -> Iterator[str | Answer]:
    """Yield text increments of the answer, then the final ``Answer``."""
    return get_engine().stream(question, script=script, history=history)
