"""Store: the index as one thing — chunk vectors in Chroma, everything else in the catalog.

Owns: opening both (and refusing a damaged, foreign or unusable data dir with a message
that says how to recover), the order of writes that keeps them consistent when a
process dies (vectors first, then the catalog row that commits them; a document stays
``complete=0`` until its last batch; vectors left uncommitted are dropped on the next
open), embedding new chunks in bounded batches, gathering
the writes of many small documents into one Chroma call and one catalog commit, the
writer lock (one ingest at a time across processes), and noticing another process's
changes cheaply before each question. Chunk text and metadata are read from the catalog
only (Chroma holds ids and vectors).
Does not own: reading or cleaning files (``ingest``), ranking (``rag.retriever``).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout
from langchain_core.documents import Document

from ingest.errors import CorpusQAError, StoreBusyError, StoreError
from ingest.chunk import matched_text
from ingest.embeddings import index_identity
from ingest.vectorize import vectorise
from rag.index.catalog import Catalog, ChunkRow, DocumentInfo
from rag.index.lexical import Lexical, pinyin_rows, tokenize
from rag.index.vectors import ChromaTarget, Vectors, open_client

__all__ = ["Store", "SyncCounts", "DocumentInfo"]

CATALOG = "catalog.sqlite3"
log = logging.getLogger(__name__)


@dataclass
class SyncCounts:
    added: int = 0
    unchanged: int = 0
    removed: int = 0


class Store:
    """Chunks of every indexed document; safe for several threads and several processes."""

    def __init__(self, embeddings, target: ChromaTarget, data_dir: Path, collection: str = "corpus_qa",
                 page_size: int = 5000, batch_size: int = 64, client=None, late_sentences: bool = False) -> None:
        self.embeddings, self.data_dir, self.batch_size = embeddings, Path(data_dir), batch_size
        self.late = late_sentences and hasattr(embeddings, "embed_with_spans")
        # subtle: the kind of sentence vectors is part of the identity the store records
        # (switching asks for `rag ingest --rebuild`).
        self.model, self.dim = index_identity(embeddings, self.late), embeddings.dim
        self.read_only = _prepare_dir(self.data_dir, target)
        self._scratch = None
        readable = self._private_copy(target) if self.read_only else self.data_dir
        self.catalog = _open_catalog(readable / CATALOG)
        if self.read_only and not target.is_server:
            target = ChromaTarget(path=str(readable))
        factory = (lambda: client) if client is not None else (lambda: open_client(target))
        self.vectors = _open_vectors(factory, collection, self, target, page_size, owned=client is None)
        self.lexical = Lexical(self.catalog)
        self._file_lock = None if self.read_only else FileLock(str(self.data_dir / "write.lock"), timeout=0)
        self._drop_uncommitted()
        self._check_consistent(target)
        self.version = 0            # bumped on every change seen, for anything cached above
        self._lock = threading.RLock()
        self._pending, self._writing_thread = _Pending(), None   # writes held back by writer() (sync_document)

    @property
    def sentence_kind(self) -> str:
        """"late" or "separate": which fitted answer weights go with this index's sentence vectors."""
        return "late" if self.late else "separate"

    def _private_copy(self, target: ChromaTarget) -> Path:
        """Neither Chroma nor a WAL-mode SQLite file opens from a read-only folder: answer from a copy.

        subtle: copied once per process (seconds at 100k chunks); writes stay refused.
        """
        if not (self.data_dir / CATALOG).exists():
            raise StoreError(f"The index folder {self.data_dir} is read-only and holds no index. "
                             "Build one where you can write (VECTORSTORE_DIR), or ask for write access.")
        self._scratch = tempfile.TemporaryDirectory(prefix="corpus-qa-ro-")
        copy = Path(self._scratch.name) / "index"
        skip = ["write.lock"] + (["chroma.sqlite3", "*-*-*-*-*"] if target.is_server else [])
        # subtle: copyfile, not copy2 — files made read-only by chmod would stay so in the copy,
        # and SQLite then refuses the catalog as "attempt to write a readonly database"
        shutil.copytree(self.data_dir, copy, ignore=shutil.ignore_patterns(*skip), copy_function=shutil.copyfile)
        for folder in (copy, *(p for p in copy.rglob("*") if p.is_dir())):
            folder.chmod(0o700)
        log.warning("%s is read-only: answering from a copy in %s", self.data_dir, copy)
        return copy

    # -- health --------------------------------------------------------------------
    def _check_consistent(self, target: ChromaTarget) -> None:
        chunks, vectors = self.catalog.count_chunks(), self.vectors.count()
        if bool(chunks) != bool(vectors):
            what = (f"its catalog lists {chunks} chunks but the vector store at {target.describe()} is empty"
                    if chunks else f"the vector store at {target.describe()} holds {vectors} chunks its catalog "
                                   f"({CATALOG}) does not list")
            raise StoreError(f"The index in {self.data_dir} is damaged: {what}. Rebuild it from your sources "
                             "with `rag ingest --rebuild PATH`, or restore a backup of that folder.")

    def _drop_uncommitted(self) -> None:
        """Delete vectors a stopped writer left behind: upserted, but their catalog rows never committed.

        subtle: only with the writer lock held (a writer in another process holds exactly such
        vectors between its two writes) and only for documents still marked incomplete, so an
        ordinary open asks Chroma nothing.
        """
        incomplete = [] if self.read_only else self.catalog.incomplete()
        if not incomplete:
            return
        try:
            self._file_lock.acquire()
        except Timeout:
            return
        try:
            for doc_id in incomplete:
                orphans = self.vectors.ids(doc_id) - self.catalog.chunk_ids(doc_id)
                self.vectors.delete(sorted(orphans))
                if orphans:
                    log.info("dropped %d vectors of an interrupted write to %s", len(orphans), doc_id)
        finally:
            self._file_lock.release()

    def check_model(self) -> None:
        """Refuse an index built with another embedding model (``rag ingest --rebuild`` switches)."""
        self.vectors.check_model()

    def refresh(self) -> bool:
        """Follow another process's writes; one ``PRAGMA data_version`` when nothing changed."""
        if not self.catalog.changed():
            return False
        with self._lock:
            self.vectors.reopen()
            self.lexical.invalidate()
            self.version += 1
        return True

    # -- writing -------------------------------------------------------------------
    @contextmanager
    def writer(self) -> Iterator[None]:
        """One writer at a time, in this process and across processes."""
        if self.read_only:
            raise StoreError(f"The index in {self.data_dir} is read-only: questions work, but adding or "
                             "deleting documents needs write access to that folder.")
        with self._lock:
            try:
                self._file_lock.acquire()
            except Timeout:
                raise StoreBusyError(self.data_dir) from None
            outer = self._writing_thread is None
            self._writing_thread = threading.get_ident()
            if outer:
                self.vectors.unreachable = None
            try:
                self.refresh()
                yield
                self._flush()
                self._stop_if_unreachable()
            except CorpusQAError:
                # subtle: ingest_path reports a file that fails and goes on; when the Chroma server
                # stopped, the write ends with that, whatever the caller made of it
                self._stop_if_unreachable()
                raise
            finally:
                if outer:
                    self._writing_thread = None
                    self._pending = _Pending()  # subtle: after an error, unwritten work is dropped, never half-written
                self._file_lock.release()
                self.catalog.changed()  # subtle: our own commits are not news to us

    def _stop_if_unreachable(self) -> None:
        if self.vectors.unreachable:
            raise self.vectors.unreachable.cut_short() from None

    def reset(self) -> None:
        """Drop everything and start empty with the configured model (``--rebuild``)."""
        self._pending = _Pending()
        self.vectors.reset()
        self.catalog.reset()
        self.catalog.set("model", self.model)
        self.catalog.set("dim", self.dim)
        self._changed()

    def sync_document(self, meta: dict, chunks: list[Document],
                      progress: Callable[[int], None] | None = None) -> SyncCounts:
        """Make the index hold exactly ``chunks`` for ``meta["doc_id"]``; embed only what is new.

        subtle: inside ``writer()`` the writes may be held back (``_Pending``) until
        ``batch_size`` chunks are waiting or the writer ends, so that a corpus of small
        documents costs one Chroma call and one catalog commit per batch, not several per
        document (each is an fsync on disk: ~35 ms). Until then the document is simply not
        in the index yet, exactly as if the process had stopped before it.
        """
        if self._writing_thread == threading.get_ident():
            self._stop_if_unreachable()   # subtle: the rest of an ingest is not embedded for nothing
        doc_id = meta["doc_id"]
        if doc_id in self._pending.doc_ids:
            self._flush()           # its own earlier writes must be visible to what follows
        wanted = {c.id: c for c in chunks}
        incomplete = doc_id in self.catalog.incomplete()
        # subtle: vectors the catalog does not list exist only for a document whose write was
        # cut short (its row stays complete=0: started before any vector is written), so
        # Chroma is asked only then — not once per unchanged document of a re-ingest.
        have, in_vectors = self.catalog.chunk_ids(doc_id), self.vectors.ids(doc_id) if incomplete else set()
        new = [c for i, c in wanted.items() if i not in have]
        if not new and not (have | in_vectors) - wanted.keys() and not incomplete:
            return SyncCounts(unchanged=len(wanted))
        if new:  # subtle: a pure delete must not relabel the row it is about to remove
            self._pending.start(meta)
        for start in range(0, len(new), self.batch_size):
            self._add_batch(new[start:start + self.batch_size])
            if progress:
                progress(min(start + self.batch_size, len(new)))
        stale = (have | in_vectors) - wanted.keys()
        self._pending.finish(doc_id, sorted(stale), sorted(stale & have))
        if self._writing_thread != threading.get_ident() or len(self._pending.docs) >= self.batch_size:
            self._flush()
        return SyncCounts(added=len(new), unchanged=len(wanted) - len(new), removed=len(stale & have))

    def _add_batch(self, batch: list[Document]) -> None:
        vectors, sentences = vectorise(self.embeddings, batch, self.late)
        # subtle: BM25 indexes the title with the text, as the dense side embeds it (a paragraph
        # that says only 他 is still found by its subject's name); the stored text stays the chunk's.
        self._pending.add(batch, vectors, [ChunkRow(d, tokenize(matched_text(d)) or ["∅"], s)
                                           for d, s in zip(batch, sentences)])
        if len(self._pending.docs) >= self.batch_size:
            self._flush()   # subtle: a large document commits batch by batch (an interrupt keeps them)

    def _flush(self) -> None:
        """Write what is held back: document rows, then vectors, then the catalog commit."""
        p, self._pending = self._pending, _Pending()
        if p.empty():
            return
        self.catalog.start_documents(p.starts)
        # subtle: vectors first, then the catalog rows — the catalog is the commit point, so a
        # process stopped in between leaves vectors (of documents marked incomplete) that the
        # next open drops (`_drop_uncommitted`) or the next sync upserts again or deletes.
        self.vectors.upsert(p.ids, p.vectors, [d.metadata["doc_id"] for d in p.docs])
        self.vectors.delete(p.stale_vectors)
        words = pinyin_rows((t for r in p.rows for t in r.tokens), self.catalog.known_words)
        self.catalog.write(p.rows, words, p.stale_chunks, p.finished)
        self._changed()

    def delete_document(self, doc_id: str) -> int:
        """Remove a document's chunks; returns how many went."""
        return self.sync_document({"doc_id": doc_id}, []).removed

    def _changed(self) -> None:
        self.lexical.invalidate()
        self.version += 1

    # -- first build ---------------------------------------------------------------
    def first_build_pending(self) -> bool:
        """Whether the default corpus must still be built (or its interrupted build resumed).

        subtle: only a store that was empty when first used gets the default corpus; a
        library the user filled (or emptied, or rebuilt) themselves is never touched.
        """
        state = self.catalog.get("first_build")
        if state is None and self.catalog.count_documents():
            self.mark_first_build("done")
            return False
        return state != "done"

    def mark_first_build(self, state: str) -> None:
        self.catalog.set("first_build", state)

    def start_first_build(self) -> None:
        """Mark the default corpus' build as started, unless the user has filled the store meanwhile."""
        self.catalog.set_if_absent("first_build", "started")

    # -- reading -------------------------------------------------------------------
    def documents(self, search: str = "", offset: int = 0, limit: int | None = None,
                  order: str = "source") -> list[DocumentInfo]:
        return self.catalog.documents(search, offset, limit, order)

    def document(self, doc_id: str) -> DocumentInfo | None:
        return self.catalog.document(doc_id)

    def doc_id(self, key: str) -> str | None:
        return self.catalog.doc_id(key)

    def count_documents(self, search: str = "") -> int:
        return self.catalog.count_documents(search)

    def doc_ids_under(self, prefix: str, limit: int = -1) -> set[str]:
        return self.catalog.doc_ids_under(prefix, limit)

    def dense(self, vector: list[float], k: int) -> list[tuple[Document, float]]:
        """Top-k chunks by cosine, their text and metadata from the catalog.

        subtle: a vector whose catalog row never committed (a process killed in between) is
        left out: the catalog decides what is indexed.
        """
        hits = self.vectors.search(vector, k)
        docs = self.catalog.chunks([i for i, _ in hits])
        return [(docs[i], sim) for i, sim in hits if i in docs]

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        return self.catalog.sentence_vectors(chunk_ids)

    def document_chunks(self, doc_id: str) -> list[Document]:
        return self.catalog.document_chunks(doc_id)


@dataclass
class _Pending:
    """Writes held back until a batch is full: new chunks (docs, vectors, catalog rows), the
    documents they start, and the documents to finish with their stale ids."""

    starts: list[dict] = field(default_factory=list)
    docs: list[Document] = field(default_factory=list)
    vectors: list[list[float]] = field(default_factory=list)
    rows: list[ChunkRow] = field(default_factory=list)
    stale_vectors: list[str] = field(default_factory=list)
    stale_chunks: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    doc_ids: set[str] = field(default_factory=set)

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.docs]

    def empty(self) -> bool:
        return not (self.starts or self.docs or self.stale_vectors or self.finished)

    def start(self, meta: dict) -> None:
        self.starts.append(meta)
        self.doc_ids.add(meta["doc_id"])

    def add(self, docs: list[Document], vectors: list[list[float]], rows: list[ChunkRow]) -> None:
        self.docs += docs
        self.vectors += vectors
        self.rows += rows

    def finish(self, doc_id: str, stale_vectors: list[str], stale_chunks: list[str]) -> None:
        self.stale_vectors += stale_vectors
        self.stale_chunks += stale_chunks
        self.finished.append(doc_id)
        self.doc_ids.add(doc_id)


def _prepare_dir(path: Path, target: ChromaTarget) -> bool:
    """Create the data dir if needed; True when it exists but cannot be written."""
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.is_dir():
            raise StoreError(f"VECTORSTORE_DIR={path} cannot be used: {parent} is a file, not a folder. "
                             "Point VECTORSTORE_DIR at a folder.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"VECTORSTORE_DIR={path} cannot be created ({exc.strerror}). "
                         "Point VECTORSTORE_DIR at a folder you can write.") from None
    for name in ([] if target.is_server else ["chroma.sqlite3"]) + [CATALOG]:
        if (path / name).exists() and (path / name).stat().st_size == 0:
            raise StoreError(f"The index in {path} is damaged: {name} is empty (0 bytes). Rebuild it from your "
                             "sources with `rag ingest --rebuild PATH`, or restore a backup of that folder.")
    sqlite_file = path / "chroma.sqlite3"
    if not target.is_server and sqlite_file.exists() and not (path / CATALOG).exists():
        raise StoreError(f"The index in {path} was built by an older version of Corpus QA (it has no {CATALOG}). "
                         "Rebuild it with `rag ingest --rebuild PATH`.")
    return not os.access(path, os.W_OK)


def _open_catalog(path: Path) -> Catalog:
    try:
        return Catalog(path)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"The index in {path.parent} is damaged: {path.name} cannot be read ({exc}). Rebuild it "
                         "from your sources with `rag ingest --rebuild PATH`, or restore a backup of that folder.") from None


def _open_vectors(factory, collection: str, store: Store, target: ChromaTarget, page_size: int,
                  owned: bool) -> Vectors:
    try:
        vectors = Vectors(factory, collection, store.model, store.dim, target.describe(), page_size,
                          embedded_owned=owned and not target.is_server)
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - chromadb raises many types for a damaged store
        raise StoreError(f"The vector store at {target.describe()} cannot be opened ({_first_line(exc)}). "
                         "If it is damaged, rebuild it with `rag ingest --rebuild PATH`, or restore a backup.") from None
    if store.catalog.get("model") is None and not store.read_only:
        store.catalog.set("model", store.model)
        store.catalog.set("dim", store.dim)
    return vectors


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
