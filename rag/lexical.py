"""Lexical side of retrieval: jieba tokens of the canonical text, scored by BM25 (bm25s).

Owns: tokenisation (shared with the extractive answerer's overlap score) and an
in-memory BM25 index built once from the store's chunks, rebuilt only when the
store's version changes — never per query.
Does not own: fusion with the dense side (``rag.retriever``).
"""

from __future__ import annotations

import logging
import re
import threading

import bm25s
import jieba
import numpy as np
from langchain_core.documents import Document

__all__ = ["tokenize", "BM25Index"]

jieba.setLogLevel(logging.WARNING)
_WORD = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
# subtle: question words and particles match every chunk; BM25's idf damps them, but the
# answerer's overlap score has no idf, so they are dropped here for both.
_STOP = set("的 了 是 在 和 与 于 吗 呢 吧 啊 么 什么 哪 哪个 哪些 哪里 哪所 多少 几 谁 为什么 怎么 如何 "
            "是否 有 有没有 这 那 它 他 她 其 该 此 被 把 对 就 也 都 还 又 所 个 之 为 以 及 或 而 "
            "the a an of to in on for is are was were be by with and or what which who whom how "
            "why when where does did do it its that this as at from".split())


def tokenize(text: str) -> list[str]:
    """Lower-cased jieba search-mode tokens of canonical text, without punctuation or stopwords."""
    return [w for w in (t.strip().lower() for t in jieba.lcut_for_search(text))
            if w and w not in _STOP and _WORD.search(w)]


class BM25Index:
    """BM25 over a store's chunks; call ``ensure(store)`` before searching."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = -1
        self._docs: list[Document] = []
        self._bm25: bm25s.BM25 | None = None

    def ensure(self, store) -> None:
        """(Re)build from ``store.all_chunks()`` when the store changed since the last build."""
        if self._version == store.version and self._bm25 is not None:
            return
        with self._lock:
            if self._version == store.version and self._bm25 is not None:
                return
            docs = store.all_chunks()
            bm25 = bm25s.BM25()
            if docs:
                bm25.index([tokenize(d.page_content) or ["∅"] for d in docs], show_progress=False)
            self._docs, self._bm25, self._version = docs, bm25, store.version

    def search(self, query: str, k: int) -> list[tuple[Document, float]]:
        tokens = tokenize(query)
        if not tokens or not self._docs:
            return []
        scores = self._bm25.get_scores(tokens)
        top = np.argsort(-scores)[:k]
        return [(self._docs[i], float(scores[i])) for i in top if scores[i] > 0]
