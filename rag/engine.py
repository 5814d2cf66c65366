"""Engine: the wired product — models, store, retriever, answerer and the chain between them.

Owns: building each heavy part once (embedding model, Chroma client, BM25 index) and
reusing it for every call; validating questions; the LangChain chain
``{question, script, query} → retriever → answerer``; choosing the answerer (the LLM,
falling back to the extractive one, when ``settings.llm_enabled``); building the index
from the default corpus on first use; turning away, before retrieval, turns that are no
question (no content, or small talk by the fitted gate, ``rag.answer.chitchat``).
Does not own: reading settings (``rag.settings``), parsing arguments (``rag.cli``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from operator import itemgetter
from pathlib import Path

from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from langchain_core.documents import Document

from ingest import SCRIPTS, detect_script, folder_prefix, make_embeddings, to_canonical, to_script, upload_id
from ingest.errors import ConfigError, NoDefaultCorpusError, StoreBusyError
from rag.answer.chitchat import ChitChat, turn_lang
from rag.answer.gloss import warm as warm_gloss
from rag.answer.model import AnswerModel
from rag.answer_extractive import ExtractiveAnswerer
from rag.article import Article, article_in
from rag.citations import ABSTAIN, SMALL_TALK
from rag.condense import asks, standalone_query
from rag.index.lexical import warm as warm_lexical
from rag.index.catalog import ORDERS
from rag.index.store import DocumentInfo, Store
from rag.index.vectors import ChromaTarget
from rag.index.withdrawn import withdraw
from rag.indexer import Chunking, ingest_path, ingest_upload
from rag.questions import has_content, validate_history, validate_question
from rag.retriever import HybridRetriever
from rag.settings import Settings
from rag.types import Answer, IngestReport

__all__ = ["Engine"]


class Engine:
    """One per process (see ``rag.get_engine``); safe to call from several threads."""

    def __init__(self, settings: Settings, embeddings=None, client=None, answer_model: AnswerModel | None = None) -> None:
        self.settings = s = settings
        self.embeddings = embeddings or make_embeddings(s.embedding_model, s.model_cache_dir)
        self.store = Store(self.embeddings, chroma_target(s), s.vectorstore_dir, s.collection,
                           page_size=s.chroma_page_size, batch_size=s.embed_batch, client=client,
                           late_sentences=s.sentence_vectors == "late")
        self.lexical = self.store.lexical
        self.retriever = HybridRetriever(store=self.store, lexical=self.lexical,
                                         k=s.top_k, fetch_k=s.fetch_k, rrf_k=s.rrf_k)
        model = answer_model or AnswerModel.load(self.store.sentence_kind)
        self.extractive = ExtractiveAnswerer(self.store, self.lexical, model, s.answer_sentences, s.hant_config)
        self.small_talk = ChitChat.load(self.embeddings.name)
        self.chunking = Chunking(s.chunk_size, s.chunk_overlap, int(s.max_file_mb * 2**20), s.columns)
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
        question = validate_question(question, self.settings.max_question_chars)
        history = validate_history(history)
        if script is not None and script not in SCRIPTS:
            raise ConfigError(f"Unknown script {script!r}; use one of {', '.join(SCRIPTS)}.")
        self.ensure_index()
        if self.store.refresh():
            self.store.check_model()  # another process may have rebuilt with another model
        inputs = {"question": question, "script": script or detect_script(question),
                  "query": self._query(question, history)}
        if history and self.condenser and self.answerer is self.llm_answerer:
            inputs |= self.condenser.condense(question, history, inputs["query"])
        return inputs

    def _query(self, question: str, history: list[str] | None) -> str:
        """What is searched: the question, or its rewrite with the conversation's context."""
        # subtle: a thank-you or a greeting earlier in the conversation is not context: 再見 after
        # 謝謝 was searched as 謝謝再見
        history = [h for h in history or [] if asks(h) or not self._small_talk(h)]
        query = standalone_query(question, history)
        # subtle: a turn that asks nothing and is small talk on its own ("你好" after "Hi", "好的"
        # after an answer) is not a fragment of the previous question; searched glued to it, it
        # was answered as that question again.
        if query != question and not asks(question) and self._small_talk(question):
            return question
        return self.lexical.corpus_names(query)

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
        inputs = self.prepare(question, script, history)
        return self._not_a_question(inputs) or self.chain.invoke(inputs)

    def stream(self, question: str, script: str | None = None,
               history: list[str] | None = None) -> Iterator[str | Answer]:
        """Text increments, then the final ``Answer``."""
        inputs = self.prepare(question, script, history)
        if answer := self._not_a_question(inputs):
            yield answer.answer
            yield answer
            return
        yield from self.answerer.stream(self.retrieval.invoke(inputs))

    def _not_a_question(self, inputs: dict) -> Answer | None:
        """The answer to a turn nothing should be retrieved for, or None for a question.

        subtle: "？？？", emoji or zero-width spaces would otherwise retrieve "something"; small
        talk ("Hello", "谢谢") retrieves near neighbours that e5 scores as high as real answers,
        so the gate (``rag.answer.chitchat``) speaks first, for either answerer.
        """
        query, script = inputs["query"], inputs["script"]
        if not has_content(query):
            text = ABSTAIN[script]
        elif self._small_talk(query):
            text = SMALL_TALK[script]
        else:
            return None
        return Answer(question=inputs["question"], answer=text, citations=[], script=script, abstained=True,
                      query=query, answerer=self.answerer.name)

    def _small_talk(self, query: str) -> bool:
        if self.small_talk is None:
            return False
        canonical, lang = to_canonical(query), turn_lang(query)
        # subtle: the query vector is the one retrieval embeds next (the model's query cache)
        return self.small_talk.small_talk(self.embeddings.embed_query(canonical), canonical, lang, self.lexical)

    def warm_up(self) -> None:
        """Build now what a process otherwise builds during its first questions and upload:
        jieba's dictionary, the word lists, CC-CEDICT's names, pypinyin (~3 s of CPU, once; a
        first question then takes ~0.1 s instead of ~1.3). The chat runs it on a background
        thread at start; a one-shot ``rag ask`` has no use for it."""
        warm_lexical()
        warm_gloss()

    # -- the index ---------------------------------------------------------------
    def ensure_index(self) -> None:
        """First use on a fresh checkout: build the index from the default corpus.

        The catalog records when that first build finished, so a build that was stopped
        part-way (timeout, Ctrl-C, crash) is resumed by the next process — unchanged chunks
        are not embedded again — and a library the user emptied on purpose is not refilled.
        subtle: checked once per engine, not per question.
        """
        if self._index_ready:
            return
        with self._write_lock:
            if not self._index_ready:
                self.store.check_model()
                self._first_build()
                self._index_ready = True

    def first_build_pending(self) -> bool:
        """Whether ``ensure_index`` will build (or resume building) the default corpus."""
        return not self._index_ready and not self.store.read_only and self.store.first_build_pending()

    def _first_build(self, wait_s: float = 600.0) -> None:
        """Build (or resume) the default corpus; wait while another process is building it."""
        deadline = time.monotonic() + wait_s
        if self.first_build_pending() and not Path(self.settings.corpus_dir).exists():
            # subtle: run outside the checkout, "Corpus path not found: data/corpus" told a user who
            # passed no path to pass one
            raise NoDefaultCorpusError(self.settings.corpus_dir, self.settings.vectorstore_dir)
        while self.first_build_pending():
            try:
                self.store.start_first_build()
                self._ingest(Path(self.settings.corpus_dir))
                self.store.mark_first_build("done")
            except StoreBusyError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def ingest(self, path: Path | None = None, rebuild: bool = False,
               progress: Callable[[str, int], None] | None = None,
               chunk_progress: Callable[[str, int, int], None] | None = None,
               include_deleted: bool = False) -> IngestReport:
        """Ingest a file or folder; ``progress(file_name, total_files)`` is called per file,
        ``chunk_progress(file_name, embedded, total_chunks)`` per batch of a file. Documents
        deleted from the library are skipped unless ``include_deleted``."""
        reset = self.store.reset if rebuild else (lambda: None)

        def claim() -> None:
            # subtle: the user's own first write makes the library theirs: a reader waiting for this
            # ingest's lock must not then build the demo corpus into it (a bad path writes nothing
            # and claims nothing, so an empty store still gets the demo)
            reset()
            self.store.mark_first_build("done")
        return self._ingest(Path(path or self.settings.corpus_dir), rebuild, progress, chunk_progress, claim,
                            include_deleted)

    def _ingest(self, path: Path, rebuild: bool = False, progress=None, chunk_progress=None,
                before_first_write: Callable[[], None] | None = None, include_deleted: bool = False) -> IngestReport:
        with self._write_lock, self.store.writer():
            if not rebuild:
                self.store.check_model()
            return ingest_path(self.store, path, self.chunking, progress, chunk_progress,
                               before_first_write=before_first_write, include_deleted=include_deleted)

    def upload(self, name: str, data: bytes,
               chunk_progress: Callable[[str, int, int], None] | None = None) -> IngestReport:
        """Add one uploaded file (its own namespace: it never replaces a file ingested from disk);
        ``chunk_progress(file_name, embedded, total_chunks)`` per stored batch, as in ``ingest``."""
        self.store.check_model()
        return ingest_upload(self.store, name, data, self.chunking, chunk_progress)

    def would_replace(self, name: str) -> DocumentInfo | None:
        """The document an upload called ``name`` would replace, if any (ask before uploading)."""
        doc_id = upload_id(Path(name).name)
        rows = sorted(self.store.doc_ids_under(doc_id + "#"))  # an export's rows
        return self.store.document(doc_id) or (self.store.document(rows[0]) if rows else None)

    def documents(self, search: str = "", offset: int = 0, limit: int | None = None,
                  order: str = "source") -> list[DocumentInfo]:
        """The library, ``order`` "source" (by label), "published" or "added" (newest first)."""
        if order not in ORDERS:
            raise ConfigError(f"Unknown order {order!r}; use one of {', '.join(ORDERS)}.")
        self.store.refresh()
        return self.store.documents(search, offset, limit, order)

    def count_documents(self, search: str = "") -> int:
        """How many documents ``documents(search)`` would list (for paging; one SQL count)."""
        self.store.refresh()
        return self.store.count_documents(search)

    def document(self, doc_id: str) -> DocumentInfo | None:
        return self.store.document(doc_id)

    def find(self, key: str) -> DocumentInfo | None:
        """The document a web link or list names: by its ``key`` (``DocumentInfo.key``,
        ``Citation.key``), or by its ``doc_id`` for links saved before keys existed."""
        doc_id = self.store.doc_id(key) if key else None
        return self.store.document(doc_id or key) if (doc_id or key) else None

    def holds_folder(self, folder: Path | str) -> bool:
        """Whether the library holds any document ingested from ``folder`` (e.g. the demo corpus)."""
        # subtle: asked at every page load; one row answers it, at 100k documents too
        return bool(self.store.doc_ids_under(folder_prefix(Path(folder).resolve()), limit=1))

    def article(self, doc_id: str) -> tuple[DocumentInfo | None, list[Document]]:
        """One document's info and its chunks in reading order (the full-article view)."""
        return self.store.document(doc_id), self.store.document_chunks(doc_id)

    def read(self, doc_id: str, script: str | None = None) -> Article | None:
        """The whole cleaned article in the reader's script (None when it is not in the library)."""
        info, chunks = self.article(doc_id)
        if info is None or not chunks:
            return None
        return article_in(info, chunks, script if script in SCRIPTS else None, self.settings.hant_config)

    def script_of(self, text: str) -> str:
        """The script a reader who typed ``text`` reads: zh-Hans, zh-Hant or en."""
        return detect_script(text)

    def display(self, text: str, script: str) -> str:
        """``text`` as a reader of ``script`` is shown answers (the same 繁體 wording settings)."""
        return to_script(text, script, self.settings.hant_config)

    def delete(self, doc_id: str) -> int:
        """Remove a document by its ``doc_id`` (``DocumentInfo.doc_id``), or every row of an export
        by the export's own id (``upload:feed.jsonl``); returns the chunks removed."""
        with self.store.writer():
            # subtle: an export's rows are documents of their own (upload:feed.jsonl#12); by the
            # file's id, deleting removed nothing and returned 0
            gone = [doc_id] if self.store.document(doc_id) else sorted(self.store.doc_ids_under(doc_id + "#"))
            removed = sum(self.store.delete_document(d) for d in gone or [doc_id])
            # subtle: a file on disk is still there; the next ingest of its folder must not add it back
            withdraw(self.store.catalog, gone)
            return removed


def chroma_target(s: Settings) -> ChromaTarget:
    return ChromaTarget(path=str(s.vectorstore_dir), host=s.chroma_host, port=s.chroma_port, ssl=s.chroma_ssl,
                        token=s.chroma_auth_token.get_secret_value(), timeout=s.chroma_timeout)
