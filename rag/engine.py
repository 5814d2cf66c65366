"""Engine: the wired product — models, store, retriever, answerer and the chain between them.

Owns: building each heavy part once (embedding model, Chroma client, BM25 index) and
reusing it for every call; validating questions; the LangChain chain
``{question, script, query} → retriever → answerer``; choosing the answerer (the LLM,
falling back to the extractive one, when ``settings.llm_enabled``); building the index
from the default corpus on first use.
Does not own: reading settings (``rag.settings``), parsing arguments (``rag.cli``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from operator import itemgetter
from pathlib import Path

from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from ingest import SCRIPTS, detect_script, make_embeddings
from ingest.errors import ConfigError, QuestionError
from rag.answer_extractive import ExtractiveAnswerer
from rag.condense import standalone_query
from rag.indexer import ingest_path, ingest_upload
from rag.lexical import ChunkIndex
from rag.retriever import HybridRetriever
from rag.settings import Settings
from rag.store import DocumentInfo, Store, open_client
from rag.types import Answer, IngestReport

__all__ = ["Engine"]


class Engine:
    """One per process (see ``rag.get_engine``); safe to call from several threads."""

    def __init__(self, settings: Settings, embeddings=None, client=None) -> None:
        self.settings = s = settings
        self.embeddings = embeddings or make_embeddings(s.embedding_model)
        self.client = client or open_client(s.vectorstore_dir)
        self.store = Store(self.client, self.embeddings, s.collection, location=s.vectorstore_dir)
        self.lexical = ChunkIndex()
        self.retriever = HybridRetriever(store=self.store, lexical=self.lexical,
                                         top_k=s.top_k, fetch_k=s.fetch_k, rrf_k=s.rrf_k)
        self.extractive = ExtractiveAnswerer(
            self.store, self.lexical, s.abstain_threshold, s.abstain_threshold_en, s.answer_sentences, s.hant_config)
        self.llm = self.llm_answerer = self.condenser = None
        if s.llm_enabled:
            # subtle: imported only when configured; openai + langchain-openai add ~0.5 s to cold start.
            from rag.answer_llm import LLMAnswerer, LLMCondenser, make_chat_model

            self.llm = make_chat_model(s)
            self.llm_answerer = LLMAnswerer(self.llm, self.extractive, s)
            self.condenser = LLMCondenser(self.llm, s) if s.llm_condense else None
        self.answerer = self.llm_answerer or self.extractive
        self.retrieval = RunnablePassthrough.assign(docs=itemgetter("query") | self.retriever)
        self.chain = self.retrieval | RunnableLambda(lambda inputs: self.answerer.invoke(inputs))
        self._write_lock = threading.RLock()
        self._index_ready = False

    # -- asking -----------------------------------------------------------------
    def prepare(self, question: str, script: str | None = None,
                history: list[str] | None = None) -> dict:
        """Validated chain input: the question, the reader's script and the query to search."""
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("The question is empty. Type a question, e.g. “DeepSeek的创始人是谁？”.")
        question = question.strip()
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(
                f"The question is {len(question)} characters long; the limit is {limit} "
                "(MAX_QUESTION_CHARS). Shorten it.")
        if script is not None and script not in SCRIPTS:
            raise ConfigError(f"Unknown script {script!r}; use one of {', '.join(SCRIPTS)}.")
        self.ensure_index()
        inputs = {"question": question, "script": script or detect_script(question),
                  "query": standalone_query(question, history or [])}
        if history and self.condenser and self.answerer is self.llm_answerer:
            inputs |= self.condenser.condense(question, history, inputs["query"])
        return inputs

    def use_answerer(self, name: str) -> None:
        """Pick the answerer for later calls ("extractive" or "llm"), e.g. for ``rag eval``."""
        if name == "extractive":
            self.answerer = self.extractive
        elif name == "llm":
            if self.llm_answerer is None:
                raise ConfigError("No LLM is configured: set LLM_BASE_URL and LLM_MODEL "
                                  "(and LLM_API_KEY if the endpoint needs one), see .env.example.")
            self.answerer = self.llm_answerer
        else:
            raise ConfigError(f"Unknown answerer {name!r}; use extractive or llm.")

    def query(self, question: str, script: str | None = None, history: list[str] | None = None) -> Answer:
        return self.chain.invoke(self.prepare(question, script, history))

    def stream(self, question: str, script: str | None = None,
               history: list[str] | None = None) -> Iterator[str | Answer]:
        """Text increments, then the final ``Answer``."""
        inputs = self.retrieval.invoke(self.prepare(question, script, history))
        yield from self.answerer.stream(inputs)

    # -- the index ---------------------------------------------------------------
    def is_empty(self) -> bool:
        return not self.store.chunks.get(limit=1, include=[])["ids"]

    def ensure_index(self) -> None:
        """First use on a fresh checkout: build the index from the default corpus.

        subtle: checked once per engine, not per question — no store round trip on the hot
        path, and a library the user emptied on purpose is not refilled behind their back.
        """
        if self._index_ready:
            return
        with self._write_lock:
            if not self._index_ready and self.is_empty():
                self.ingest(self.settings.corpus_dir)
            self._index_ready = True

    def ingest(self, path: Path | None = None, rebuild: bool = False,
               progress: Callable[[str, int], None] | None = None) -> IngestReport:
        """Ingest a file or folder; ``progress(file_name, total_files)`` is called per file."""
        s = self.settings
        with self._write_lock:
            if rebuild:
                self.store.reset()
            return ingest_path(self.store, Path(path or s.corpus_dir), s.chunk_size, s.chunk_overlap, progress)

    def upload(self, name: str, data: bytes) -> IngestReport:
        with self._write_lock:
            return ingest_upload(self.store, name, data, self.settings.chunk_size, self.settings.chunk_overlap)

    def documents(self) -> list[DocumentInfo]:
        return self.store.documents()

    def delete(self, source: str) -> int:
        with self._write_lock:
            return self.store.delete_source(source)
