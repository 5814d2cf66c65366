"""Hybrid retriever: dense (Chroma) + BM25 (jieba) fused by reciprocal rank.

Owns: turning a question into ranked chunk ``Document``s. The query is converted to
the canonical Simplified form first, so 輝達/顯示卡 find 英伟达/显卡; English
questions reach Chinese chunks through the multilingual dense side.
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
        dense = self.store.dense(self.store.embeddings.embed_query(canonical), self.fetch_k)
        lexical = self.lexical.search(canonical, self.fetch_k)
        by_id = {d.id: d for d, _ in lexical} | {d.id: d for d, _ in dense}
        sims = {d.id: s for d, s in dense}
        fused = rrf([[d.id for d, _ in dense], [d.id for d, _ in lexical]], self.rrf_k)
        ranked = sorted(fused, key=fused.get, reverse=True)[: self.top_k]
        return [
            Document(id=i, page_content=by_id[i].page_content,
                     metadata={**by_id[i].metadata, "rank": r, "rrf": fused[i], "dense": sims.get(i)})
            for r, i in enumerate(ranked)
        ]
