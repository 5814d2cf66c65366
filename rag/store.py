"""Store: the Chroma collections behind the index, through ``langchain-chroma``.

Owns: opening Chroma (telemetry off, never Chroma's own embedding function), the
record of which embedding model built the collection, idempotent per-source sync
of chunks and of their sentences (the sentence vectors the extractive answerer
scores), listing and deleting documents.
Does not own: reading or cleaning files (``ingest``), ranking (``rag.retriever``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document

from ingest import IdentifiedEmbeddings, content_id, split_sentences
from ingest.errors import ModelMismatchError

__all__ = ["Store", "SyncCounts", "DocumentInfo", "open_client", "open_ephemeral_client"]

_COSINE = {"hnsw": {"space": "cosine"}}


def open_client(path: Path) -> chromadb.ClientAPI:
    """A persistent Chroma client with telemetry off."""
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def open_ephemeral_client() -> chromadb.ClientAPI:
    """An in-memory Chroma client (telemetry off) for throwaway indexes such as the eval baseline."""
    return chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))


@dataclass
class SyncCounts:
    added: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass(frozen=True)
class DocumentInfo:
    source: str
    title: str | None
    published: str | None
    url: str | None
    chunks: int


class Store:
    """Chunks and sentences of every indexed document, in two Chroma collections."""

    def __init__(self, client: chromadb.ClientAPI, embeddings: IdentifiedEmbeddings,
                 collection: str = "corpus_qa", location: object = "vectorstore") -> None:
        self.client, self.embeddings, self.name = client, embeddings, collection
        self.model, self.dim = embeddings.name, embeddings.dim
        self._check_model(location)
        meta = {"embedding_model": self.model, "embedding_dim": self.dim}
        self.chunks = Chroma(collection, embeddings, client=client, collection_metadata=meta,
                             collection_configuration=_COSINE)
        self.sentences = Chroma(f"{collection}_sentences", embeddings, client=client,
                                collection_metadata=meta, collection_configuration=_COSINE)
        self.version = 0  # bumped on every change, so in-process indexes know to rebuild

    def _check_model(self, location: object) -> None:
        try:
            existing = self.client.get_collection(self.name)
        except Exception:  # noqa: BLE001 - chromadb raises NotFoundError/ValueError by version
            return
        built = (existing.metadata or {}).get("embedding_model")
        dim = (existing.metadata or {}).get("embedding_dim")
        if built is not None and (built != self.model or dim != self.dim):
            raise ModelMismatchError(location, f"{built} (dim {dim})", f"{self.model} (dim {self.dim})")

    def reset(self) -> None:
        """Drop both collections and recreate them empty (``rag ingest --rebuild``)."""
        self.chunks.reset_collection()
        self.sentences.reset_collection()
        self.version += 1

    def sync_source(self, source: str, chunks: list[Document]) -> SyncCounts:
        """Make the index hold exactly ``chunks`` for ``source``; embed only what is new."""
        counts = self._sync(self.chunks, source, {c.id: c for c in chunks})
        sentences = {}
        for c in chunks:
            for s in split_sentences(c.page_content):
                sid = content_id(source, s)
                sentences[sid] = Document(id=sid, page_content=s, metadata={"source": source})
        self._sync(self.sentences, source, sentences)
        if counts.added or counts.removed:
            self.version += 1
        return counts

    def _sync(self, vs: Chroma, source: str, wanted: dict[str, Document]) -> SyncCounts:
        have = set(vs.get(where={"source": source}, include=[])["ids"])
        new = [d for i, d in wanted.items() if i not in have]
        stale = sorted(have - wanted.keys())
        if new:
            # subtle: Chroma rejects None metadata values (an article without a date).
            for d in new:
                d.metadata = {k: v for k, v in d.metadata.items() if v is not None}
            vs.add_documents(new, ids=[d.id for d in new])
        if stale:
            vs.delete(ids=stale)
        return SyncCounts(added=len(new), unchanged=len(have & wanted.keys()), removed=len(stale))

    def delete_source(self, source: str) -> int:
        """Remove a document's chunks and sentences; returns how many chunks went."""
        return self.sync_source(source, []).removed

    def sources_in(self, folder: str) -> set[str]:
        """Sources that were ingested from ``folder`` (uploads have no folder)."""
        metas = self.chunks.get(where={"folder": folder}, include=["metadatas"])["metadatas"]
        return {m["source"] for m in metas}

    def all_chunks(self) -> list[Document]:
        got = self.chunks.get(include=["documents", "metadatas"])
        return [Document(id=i, page_content=t, metadata=m)
                for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])]

    def documents(self) -> list[DocumentInfo]:
        metas = self.chunks.get(include=["metadatas"])["metadatas"]
        by_source: dict[str, list[dict]] = defaultdict(list)
        for m in metas:
            by_source[m["source"]].append(m)
        return [DocumentInfo(s, ms[0].get("title"), ms[0].get("published"), ms[0].get("url"), len(ms))
                for s, ms in sorted(by_source.items())]

    def dense(self, vector: list[float], k: int) -> list[tuple[Document, float]]:
        """Top-k chunks by cosine similarity (1 - distance) to an embedded query."""
        if k <= 0:
            return []
        hits = self.chunks.similarity_search_by_vector_with_relevance_scores(vector, k=k)
        return [(d, 1.0 - dist) for d, dist in hits]

    def dense_sentences(self, vector: list[float], k: int) -> list[tuple[Document, float]]:
        """Top-k stored sentences by cosine similarity to an embedded query."""
        hits = self.sentences.similarity_search_by_vector_with_relevance_scores(vector, k=k)
        return [(d, 1.0 - dist) for d, dist in hits]

    def sentence_vectors(self, ids: list[str]) -> dict[str, list[float]]:
        got = self.sentences.get(ids=ids, include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"]))
