"""Indexer: the one code path that puts files (from disk or from an upload) into the store.

Owns: walking a corpus path, running the ingest stages per file, reporting
read/added/unchanged/removed/failed, and removing documents whose file left an
ingested folder. A failed file is reported and skipped; nothing stored is lost.
Does not own: the stages themselves (``ingest``) or Chroma (``rag.store``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from langchain_core.documents import Document

from ingest import find_files, load_bytes, load_file, prepare
from ingest.errors import CorpusQAError, EmptyCorpusError
from rag.store import Store
from rag.types import IngestReport

__all__ = ["ingest_path", "ingest_upload"]


def _add(store: Store, raw: Document, size: int, overlap: int, report: IngestReport) -> None:
    counts = store.sync_source(raw.metadata["source"], prepare(raw, size, overlap))
    report.files_read += 1
    report.chunks_added += counts.added
    report.unchanged += counts.unchanged
    report.removed += counts.removed
    report.sources.append(raw.metadata["source"])


def ingest_path(store: Store, path: Path, size: int, overlap: int,
                progress: Callable[[str, int], None] | None = None) -> IngestReport:
    """Ingest a file or folder. Raises before touching the store if there is nothing to read."""
    files = find_files(path)
    if not files:
        raise EmptyCorpusError(path)
    report = IngestReport()
    for f in files:
        try:
            _add(store, load_file(f), size, overlap, report)
        except CorpusQAError as exc:
            report.failed.append((f.name, getattr(exc, "reason", str(exc))))
        if progress:
            progress(f.name, len(files))
    if not report.sources:
        raise EmptyCorpusError(path) if not report.failed else _all_failed(report, path)
    if path.is_dir():
        for gone in store.sources_in(str(path.resolve())) - set(report.sources) - {n for n, _ in report.failed}:
            report.removed += store.delete_source(gone)
    return report


def _all_failed(report: IngestReport, path: Path) -> CorpusQAError:
    reasons = "; ".join(f"{n}: {r}" for n, r in report.failed)
    return CorpusQAError(f"No file in {path} could be ingested ({reasons}). Nothing was changed in the index.")


def ingest_upload(store: Store, name: str, data: bytes, size: int, overlap: int) -> IngestReport:
    """Ingest one uploaded file exactly as the CLI would; raises a user-facing error if it fails."""
    report = IngestReport()
    _add(store, load_bytes(Path(name).name, data), size, overlap, report)
    return report
