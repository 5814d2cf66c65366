"""Indexer: the one code path that puts files (from disk or from an upload) into the store.

Owns: walking a corpus path, running the ingest stages per file, reporting
read/added/unchanged/removed/failed, and removing documents whose file left an
ingested folder (subfolders included). A failed file is reported and skipped; nothing
stored is lost. A whole folder ingest holds the writer lock (two ingests exclude each
other); an upload is cleaned and chunked first and holds it only to embed and store.
Does not own: the stages themselves (``ingest``) or Chroma and the catalog (``rag.index``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document

from ingest import find_files, folder_prefix, label, load_bytes, load_file, prepare
from ingest.errors import CorpusQAError, EmptyCorpusError
from rag.index.store import Store
from rag.types import IngestReport

__all__ = ["Chunking", "ingest_path", "ingest_upload"]


@dataclass(frozen=True)
class Chunking:
    size: int = 300
    overlap: int = 60
    max_bytes: int | None = None


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


def ingest_path(store: Store, path: Path, chunking: Chunking,
                progress: Callable[[str, int], None] | None = None,
                chunk_progress: Callable[[str, int, int], None] | None = None) -> IngestReport:
    """Ingest a file or folder. Raises before touching the store if there is nothing to read."""
    files = find_files(path)
    if not files:
        raise EmptyCorpusError(path)
    root = path if path.is_dir() else None
    report, seen = IngestReport(), set()
    with store.writer():
        for f in files:
            try:
                raw = load_file(f, root, chunking.max_bytes)
                seen.add(raw.metadata["doc_id"])
                _store(store, raw, prepare(raw, chunking.size, chunking.overlap), report, chunk_progress)
            except CorpusQAError as exc:
                report.failed.append((label(f, root), getattr(exc, "reason", str(exc))))
            if progress:
                progress(f.name, len(files))
        if not report.sources:
            raise EmptyCorpusError(path) if not report.failed else _all_failed(report, path)
        if root is not None:
            failed = {n for n, _ in report.failed}
            for gone in sorted(store.doc_ids_under(folder_prefix(root)) - seen):
                if _label_of(gone, root) not in failed:
                    report.removed += store.delete_document(gone)
    return report


def _label_of(doc_id: str, root: Path) -> str:
    return doc_id[len(folder_prefix(root)):]


def _all_failed(report: IngestReport, path: Path) -> CorpusQAError:
    reasons = "; ".join(f"{n}: {r}" for n, r in report.failed)
    return CorpusQAError(f"No file in {path} could be ingested ({reasons}). Nothing was changed in the index.")


def ingest_upload(store: Store, name: str, data: bytes, chunking: Chunking) -> IngestReport:
    """Ingest one uploaded file exactly as the CLI would; raises a user-facing error if it fails.

    subtle: decoding, cleaning and chunking happen before the writer lock, so a large
    upload never holds up another user's beyond its own embedding.
    """
    raw = load_bytes(Path(name).name, data, max_bytes=chunking.max_bytes)
    chunks = prepare(raw, chunking.size, chunking.overlap)
    report = IngestReport()
    with store.writer():
        replaced = store.document(raw.metadata["doc_id"])
        _store(store, raw, chunks, report)
    report.replaced = [replaced.source] if replaced else []
    return report
