"""Indexer: the one code path that puts files (from disk or from an upload) into the store.

Owns: walking a corpus path, running the ingest stages per document (a file may hold
several: an article export has one per row), reporting read/added/unchanged/removed/failed
(and the warnings the stages logged: a dropped bad date), and removing documents whose file
(or row) left an ingested folder (subfolders included), or whose row left an export ingested
again (by its path, or re-uploaded). A failed file is reported and skipped; nothing
stored is lost. A whole folder ingest holds the writer lock (two ingests exclude each
other); an upload is cleaned and chunked first and holds it only to embed and store.
Does not own: the stages themselves (``ingest``) or Chroma and the catalog (``rag.index``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document

from ingest import (ArticleColumns, Loaded, file_id, find_files, folder_prefix, label, load_documents, load_path,
                    prepare, upload_id)
from ingest.errors import CorpusQAError, EmptyCorpusError
from rag.index.store import Store
from rag.index.withdrawn import restore, withdrawn
from rag.types import IngestReport

__all__ = ["Chunking", "ingest_path", "ingest_upload"]


@dataclass(frozen=True)
class Chunking:
    size: int = 300
    overlap: int = 60
    max_bytes: int | None = None
    columns: ArticleColumns = ArticleColumns()   # article exports (.jsonl/.csv): which column is what


def _store(store: Store, raw: Document, chunks: list[Document], report: IngestReport,
           progress: Callable[[str, int, int], None] | None = None) -> None:
    meta = {k: raw.metadata.get(k) for k in ("doc_id", "source", "title", "published", "url")}
    if chunks:
        meta.update({k: chunks[0].metadata.get(k) for k in ("title", "published", "url")})
    name = raw.metadata["source"]
    counts = store.sync_document(meta, chunks, progress and (lambda done: progress(name, done, len(chunks))))
    report.files_read += 1
    report.chunks_added += counts.added
    report.unchanged += counts.unchanged
    report.removed += counts.removed
    report.sources.append(name)


class _Collect(logging.Handler):
    """The ingest stages' warnings from one thread (another user's upload runs on its own)."""

    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into, self.thread = into, threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.into.append(record.getMessage())


@contextmanager
def _stage_warnings(into: list[str]) -> Iterator[None]:
    """Collect what ``ingest`` logs as warnings ("x.jsonl#a3: dropped date 'not-a-date'").

    subtle: the stages only log (they have no report to write to); the web chat's upload lines
    and the Python API need them too, not only the server's log.
    """
    handler, logger = _Collect(into), logging.getLogger("ingest")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def ingest_path(store: Store, path: Path, chunking: Chunking,
                progress: Callable[[str, int], None] | None = None,
                chunk_progress: Callable[[str, int, int], None] | None = None,
                before_first_write: Callable[[], None] | None = None,
                include_deleted: bool = False) -> IngestReport:
    """Ingest a file or folder. Raises before touching the store if there is nothing to read.

    ``before_first_write`` (``--rebuild``'s reset) runs once, just before the first document
    is stored: subtle: a bad path, an empty folder or one of unreadable files must not empty
    the index. A document the user deleted from the library is skipped (``report.withdrawn``)
    unless ``include_deleted``, which adds back those under ``path``.
    """
    files = find_files(path)
    if not files:
        raise EmptyCorpusError(path)
    root = path if path.is_dir() else None
    report, seen = IngestReport(), set()
    first_write = _once(before_first_write)
    with _stage_warnings(report.warnings), store.writer():
        if include_deleted:
            restore(store.catalog, folder_prefix(root) if root is not None else file_id(path))
        for f in files:
            try:
                loaded = load_path(f, root, chunking.max_bytes, chunking.columns)
                _store_all(store, loaded, chunking, report, seen, chunk_progress, first_write)
            except CorpusQAError as exc:
                # subtle: a file that cannot be read now keeps what it stored before (all its rows too)
                seen.add(file_id(f))
                report.failed.append((label(f, root), getattr(exc, "reason", str(exc))))
            if progress:
                progress(f.name, len(files))
        if not report.sources and not report.withdrawn:   # every document deleted by the user is no error
            raise EmptyCorpusError(path) if not report.failed else _all_failed(report, path)
        # subtle: an export ingested by name is synced too: a row the new export no longer
        # holds (a retracted article) left the file, so it leaves the index
        prefix = folder_prefix(root) if root is not None else file_id(path) + "#"
        for gone in sorted(store.doc_ids_under(prefix) - seen):
            if _file_of(gone) not in seen:
                report.removed += store.delete_document(gone)
    return report


def _once(action: Callable[[], None] | None) -> Callable[[], None]:
    """``action`` on the first call only (and nothing if there is none)."""
    pending = [action] if action else []
    return lambda: pending and pending.pop()()


def _store_all(store: Store, loaded: Loaded, chunking: Chunking, report: IngestReport, seen: set[str],
               chunk_progress=None, before_write: Callable[[], None] = lambda: None) -> None:
    """Store every document of one file; a document (row) that fails is reported, the rest kept."""
    for label_, reason, doc_id in loaded.failed:
        seen.add(doc_id)  # a bad row keeps its earlier version, like a bad file
        report.failed.append((label_, reason))
    for raw in loaded.documents:
        seen.add(raw.metadata["doc_id"])
        if withdrawn(store.catalog, raw.metadata["doc_id"]):
            report.withdrawn.append(raw.metadata["source"])
            continue
        try:
            chunks = prepare(raw, chunking.size, chunking.overlap)
        except CorpusQAError as exc:
            report.failed.append((raw.metadata["source"], getattr(exc, "reason", str(exc))))
            continue
        before_write()   # subtle: --rebuild empties the store here, so labels are compared after it
        if (shown := _distinct_label(store, raw.metadata["doc_id"], raw.metadata["source"])) != raw.metadata["source"]:
            for doc in (raw, *chunks):
                doc.metadata["source"] = shown
        _store(store, raw, chunks, report, chunk_progress)


def _distinct_label(store: Store, doc_id: str, label_: str) -> str:
    """``label_``, or when another document already shows it, as many more of the file's folders
    as make it unique (03/n.txt from two yearly folders → 2020/03/n.txt).

    subtle: an archive ingested folder by folder gave two articles the one label, and their
    citations could not be told apart. The first keeps its label; the label is stable per file.
    """
    if not doc_id.startswith("file:") or not store.catalog.label_taken(label_, doc_id):
        return label_
    path, _, row = doc_id[len("file:"):].partition("#")
    parts, known = path.split("/"), label_.partition("#")[0].count("/") + 1
    for n in range(known + 1, len(parts)):
        longer = "/".join(parts[-n:]) + (f"#{label_.partition('#')[2]}" if row else "")
        if not store.catalog.label_taken(longer, doc_id):
            return longer
    return label_


def _file_of(doc_id: str) -> str:
    """The file a row document came from (``file:/x/news.jsonl#12`` → ``file:/x/news.jsonl``)."""
    return doc_id.rsplit("#", 1)[0] if "#" in doc_id else doc_id


def _all_failed(report: IngestReport, path: Path) -> CorpusQAError:
    reasons = "; ".join(f"{n}: {r}" for n, r in report.failed)
    return CorpusQAError(f"No file in {path} could be ingested ({reasons}). Nothing was changed in the index.")


def ingest_upload(store: Store, name: str, data: bytes, chunking: Chunking,
                  chunk_progress: Callable[[str, int, int], None] | None = None) -> IngestReport:
    """Ingest one uploaded file exactly as the CLI would; raises a user-facing error if it fails.
    ``chunk_progress(file_name, embedded, total_chunks)`` is called per stored batch, as in ``ingest_path``.
    """
    warnings: list[str] = []
    with _stage_warnings(warnings):
        report = _upload(store, name, data, chunking, chunk_progress)
    report.warnings = warnings
    return report


def _upload(store: Store, name: str, data: bytes, chunking: Chunking,
            chunk_progress: Callable[[str, int, int], None] | None) -> IngestReport:
    """The upload's work (see ``ingest_upload``).

    subtle: decoding, cleaning and chunking happen before the writer lock, so a large
    upload never holds up another user's beyond its own embedding. Re-uploading an export
    replaces its rows: rows no longer in the file are removed.
    """
    loaded = load_documents(Path(name).name, data, max_bytes=chunking.max_bytes, columns=chunking.columns)
    report = IngestReport(failed=[(n, r) for n, r, _ in loaded.failed])
    prepared = []
    for raw in loaded.documents:
        try:
            prepared.append((raw, prepare(raw, chunking.size, chunking.overlap)))
        except CorpusQAError as exc:
            if len(loaded.documents) == 1:
                raise
            report.failed.append((raw.metadata["source"], getattr(exc, "reason", str(exc))))
    if not prepared:
        raise _all_failed(report, Path(name).name)
    file_doc = upload_id(Path(name).name)
    with store.writer():
        before = store.doc_ids_under(file_doc + "#") | ({file_doc} if store.document(file_doc) else set())
        for raw, chunks in prepared:
            _store(store, raw, chunks, report, chunk_progress)
        kept = {raw.metadata["doc_id"] for raw, _ in prepared} | {d for _, _, d in loaded.failed}
        for gone in sorted(before - kept):
            report.removed += store.delete_document(gone)
    report.replaced = [Path(name).name] if before else []
    return report
