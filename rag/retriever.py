"""Hybrid retriever: dense chunks + dense sentences (Chroma) + BM25 (jieba), fused by RRF.

Owns: turning a question into ranked chunk ``Document``s. The query is converted to
the canonical Simplified form first, so 輝達/顯示卡 find 英伟达/显卡; English
questions reach Chinese chunks through the multilingual dense side — and best through
single sentences, whose vectors are sharper than a whole chunk's, so a sentence hit
votes for the chunks that hold it.
Each returned Document carries ``rank``, ``rrf`` and ``dense`` in its metadata.
Does not own: choosing sentences or wording the answer (``rag.answer_*``).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from ingest import to_canonical

__all__ = ["HybridRetriever", "rrf"]


def rrf(rankings: list[list[str]], k: int = 60) -> dict[str, float]:
    """Reciprocal-rank fusion: sum of 1/(k + rank) over the lists an id appears in."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank + 1)
    return fused


class HybridRetriever(BaseRetriever):
    store: Any
    lexical: Any
    top_k: int = 5
    fetch_k: int = 20
    rrf_k: int = 60

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        canonical = to_canonical(query)
        self.lexical.ensure(self.store)
        vector = self.store.embeddings.embed_query(canonical)
        dense = self.store.dense(vector, self.fetch_k)
        lexical = self.lexical.search(self.lexical.lexical_query(canonical), self.fetch_k)
        via_sentences = self._via_sentences(vector)
        by_id = {d.id: d for d in via_sentences} | {d.id: d for d, _ in lexical} | {d.id: d for d, _ in dense}
        sims = {d.id: s for d, s in dense}
        rankings = [[d.id for d, _ in dense], [d.id for d in via_sentences], [d.id for d, _ in lexical]]
        fused = rrf(rankings, self.rrf_k)
        ranked = sorted(fused, key=fused.get, reverse=True)[: self.top_k]
        return [
            Document(id=i, page_content=by_id[i].page_content,
                     metadata={**by_id[i].metadata, "rank": r, "rrf": fused[i], "dense": sims.get(i)})
            for r, i in enumerate(ranked)
        ]

    def _via_sentences(self, vector: list[float]) -> list[Document]:
        """Chunks in the order their best sentence ranks among the nearest sentences."""
        seen: dict[str, Document] = {}
        for sentence, _ in self.store.dense_sentences(vector, 2 * self.fetch_k):
            for chunk in self.lexical.chunks_of(sentence.id):
                seen.setdefault(chunk.id, chunk)
        return list(seen.values())
