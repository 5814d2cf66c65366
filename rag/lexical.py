"""In-process view of the index: jieba tokens, BM25 (bm25s) and sentence → chunk links.

Owns: tokenisation (shared with the extractive answerer), a BM25 index over the
store's chunks, document frequencies of tokens, and which chunks hold each stored
sentence; all built once from the store and rebuilt only when the store's version
changes — never per query.
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

from ingest import content_id, detect_script, split_sentences
from rag.translate import english_to_chinese_terms, pinyin_map, pinyin_terms

__all__ = ["tokenize", "ChunkIndex"]

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


class ChunkIndex:
    """BM25 and sentence links over a store's chunks; call ``ensure(store)`` before use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = -1
        self._docs: list[Document] = []
        self._bm25: bm25s.BM25 | None = None
        self._chunks_of: dict[str, list[Document]] = {}
        self._df: dict[str, int] = {}
        self._centroid: np.ndarray | None = None
        self._pinyin: dict[str, str] = {}

    def ensure(self, store) -> None:
        """(Re)build from ``store.all_chunks()`` when the store changed since the last build."""
        if self._version == store.version and self._bm25 is not None:
            return
        with self._lock:
            if self._version == store.version and self._bm25 is not None:
                return
            docs = store.all_chunks()
            tokens = [tokenize(d.page_content) or ["∅"] for d in docs]
            bm25 = bm25s.BM25()
            if docs:
                bm25.index(tokens, show_progress=False)
            df: dict[str, int] = {}
            for toks in tokens:
                for t in set(toks):
                    df[t] = df.get(t, 0) + 1
            self._docs, self._bm25, self._df = docs, bm25, df
            self._pinyin = pinyin_map(set(df))
            self._chunks_of = _sentence_links(docs)
            self._centroid = _centroid(store)
            self._version = store.version

    def lexical_query(self, canonical: str) -> str:
        """What BM25 searches: the question, plus Chinese glosses and names when it is English."""
        if detect_script(canonical) != "en":
            return canonical
        extra = pinyin_terms(canonical, self._pinyin) + english_to_chinese_terms(canonical)
        return " ".join([canonical, *extra])

    def mentions(self, text: str) -> bool:
        """Whether any chunk of the corpus contains ``text`` (canonical form)."""
        return any(text in d.page_content for d in self._docs)

    def df(self, token: str) -> int:
        """How many chunks contain ``token``."""
        return self._df.get(token, 0)

    def centrality(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine of each sentence vector to the corpus' mean sentence.

        subtle: a few generic sentences ("DeepSeek是…一系列人工智能大型语言模型") sit
        near every query in e5's space (hubness); subtracting this damps them.
        """
        if self._centroid is None:
            return np.zeros(len(vectors))
        return vectors @ self._centroid

    def idf(self, token: str) -> float:
        """BM25-style inverse document frequency; unseen tokens weigh the most."""
        n = max(len(self._docs), 1)
        return float(np.log(1 + (n - self.df(token) + 0.5) / (self.df(token) + 0.5)))

    def chunks_of(self, sentence_id: str) -> list[Document]:
        """The chunks that contain a stored sentence (overlapping chunks share sentences)."""
        return self._chunks_of.get(sentence_id, [])

    def search(self, query: str, k: int) -> list[tuple[Document, float]]:
        tokens = tokenize(query)
        if not tokens or not self._docs:
            return []
        scores = self._bm25.get_scores(tokens)
        top = np.argsort(-scores)[:k]
        return [(self._docs[i], float(scores[i])) for i in top if scores[i] > 0]


def _sentence_links(docs: list[Document]) -> dict[str, list[Document]]:
    links: dict[str, list[Document]] = {}
    for d in docs:
        for s in split_sentences(d.page_content):
            links.setdefault(content_id(d.metadata["source"], s), []).append(d)
    return links


def _centroid(store, batch: int = 5000) -> np.ndarray | None:
    total, count, offset = None, 0, 0
    while True:
        got = store.sentences.get(include=["embeddings"], limit=batch, offset=offset)
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        if len(vectors) == 0:
            break
        total = vectors.sum(0) if total is None else total + vectors.sum(0)
        count, offset = count + len(vectors), offset + batch
    if total is None:
        return None
    return total / (np.linalg.norm(total) or 1.0)
