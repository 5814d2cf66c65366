"""Hybrid retriever: dense chunks (Chroma) + BM25 over jieba tokens (catalog), fused by RRF.

Owns: turning a question into ranked chunk ``Document``s, the LangChain retriever
contract (``k`` in the constructor and per call). The query is converted to the
canonical Simplified form first, so 輝達/顯示卡 find 英伟达/显卡; English questions
reach Chinese chunks through the multilingual dense side and through dictionary/pinyin
terms on the BM25 side.
Each returned Document carries ``rank``, ``rrf`` and ``dense`` in its metadata.
Does not own: choosing sentences or wording the answer (``rag.answer_*``).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
import numpy as np
from pydantic import Field

from ingest import to_canonical

__all__ = ["HybridRetriever", "rrf", "MAX_K"]

MAX_K = 50


def rrf(rankings: list[list[str]], k: int = 60) -> dict[str, float]:
    """Reciprocal-rank fusion: sum of 1/(k + rank) over the lists an id appears in."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank + 1)
    return fused


class HybridRetriever(BaseRetriever):
    """``invoke(question)`` → the top ``k`` chunks; ``invoke(question, k=3)`` overrides ``k`` per call."""

    store: Any
    lexical: Any
    k: int = Field(default=5, ge=1, le=MAX_K)
    fetch_k: int = Field(default=20, ge=1, le=200)
    rrf_k: int = Field(default=60, ge=1)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        k = _check_k(self.k if k is None else k)
        canonical = to_canonical(query)
        fetch = max(self.fetch_k, k)
        vector = self.store.embeddings.embed_query(canonical)
        dense = self.store.dense(vector, fetch)
        lexical = self.lexical.search(self.lexical.lexical_query(canonical), fetch)
        by_id = {d.id: d for d, _ in lexical} | {d.id: d for d, _ in dense}
        sims = {d.id: s for d, s in dense}
        rankings = [[d.id for d, _ in dense], [d.id for d, _ in lexical], self._by_best_sentence(vector, by_id)]
        fused = rrf(rankings, self.rrf_k)
        ranked = _distinct(sorted(fused, key=fused.get, reverse=True), by_id)[:k]
        return [
            Document(id=i, page_content=by_id[i].page_content,
                     metadata={**by_id[i].metadata, "rank": r, "rrf": fused[i], "dense": sims.get(i)})
            for r, i in enumerate(ranked)
        ]


    def _by_best_sentence(self, vector: list[float], candidates: dict[str, Document]) -> list[str]:
        """Candidates ordered by their best stored sentence's cosine to the question.

        subtle: a single sentence's vector is sharper than a whole chunk's (English questions
        against Chinese text most of all), so each candidate's best sentence votes in the
        fusion — read from the catalog for the ~2×fetch_k candidates only, no sentence ANN index.
        """
        stored = self.store.sentence_vectors(list(candidates))
        q = np.asarray(vector, dtype=np.float32)
        best = {i: float((v @ q).max()) for i, v in stored.items() if len(v)}
        return sorted(best, key=best.get, reverse=True)


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise ValueError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}.")
    return k


def _distinct(ranked: list[str], by_id: dict[str, Document]) -> list[str]:
    """``ranked`` without a chunk whose text a better-ranked one already has.

    subtle: a news archive holds wire copies — the same article under two files — and their
    identical chunks filled all five passages handed to the answerer (and the cards).
    """
    seen: set[str] = set()
    out = []
    for i in ranked:
        text = by_id[i].page_content
        if text not in seen:
            seen.add(text)
            out.append(i)
    return out
