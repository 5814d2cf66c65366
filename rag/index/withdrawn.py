"""Withdrawn: documents read from disk that the user deleted from the library, kept out of later ingests.

Owns: recording such a deletion (by ``doc_id``, in the catalog's meta table, so every process
and a ``--rebuild`` see it), telling an ingest which of its documents to skip, and lifting the
record when the user asks for them back (``rag ingest --include-deleted PATH``).
subtle: without it a document deleted in the library (a retracted article, a takedown) came
back with the next ingest of its folder, the file being still there.
Does not own: deleting chunks (``rag.index.store``) or reading files (``rag.indexer``).
"""

from __future__ import annotations

from datetime import datetime, timezone

from rag.index.catalog import Catalog

__all__ = ["withdraw", "withdrawn", "restore"]

_KEY = "withdrawn:"


def withdraw(catalog: Catalog, doc_ids: list[str]) -> None:
    """Record ``doc_ids`` (files on disk only; an upload is gone once deleted) as deleted by the user."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for doc_id in doc_ids:
        if doc_id.startswith("file:"):
            catalog.set(_KEY + doc_id, now)


def withdrawn(catalog: Catalog, doc_id: str) -> bool:
    return catalog.get(_KEY + doc_id) is not None


def restore(catalog: Catalog, prefix: str) -> list[str]:
    """Lift the record for every document whose ``doc_id`` starts with ``prefix``; returns them."""
    return [key[len(_KEY):] for key in catalog.unset_prefixed(_KEY + prefix)]
