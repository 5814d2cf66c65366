"""Lexical side of the index: jieba tokens, BM25, term statistics, English → Chinese terms.

Owns: tokenisation (shared by ingest-time indexing and the extractive answerer), the
query BM25 searches (English questions get dictionary glosses and pinyin-matched corpus
names), and idf/df/centrality read from the persisted catalog (FTS5) — so opening a
100k-chunk index loads nothing and a change is never followed by a rebuild.
Does not own: storing tokens (``rag.index.catalog``), fusion with the dense side
(``rag.retriever``).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable

import jieba
import numpy as np
from langchain_core.documents import Document

from ingest import detect_script, to_canonical
from ingest.script import taiwan_names
from rag.translate import english_to_chinese_terms, pinyin_map, pinyin_terms, romanisable
from rag.translate import warm as warm_translate

__all__ = ["tokenize", "Lexical", "pinyin_rows", "BM25_ROW_BUDGET", "warm"]

BM25_ROW_BUDGET = 8000   # rows FTS5 ranks per question, whatever the corpus size (Lexical.bm25_tokens)
_DF_CACHE = 200_000      # terms whose document frequency a process keeps between changes

jieba.setLogLevel(logging.WARNING)
# subtle: jieba caches its dictionary in <tmp>/jieba.cache; on a shared machine that file
# belongs to whoever ran first, and every other user got a PermissionError traceback on each
# command. One file per user (the rag package imports this module before any jieba call).
jieba.dt.cache_file = f"jieba.u{os.getuid()}.cache" if hasattr(os, "getuid") else None
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


def warm() -> None:
    """Load jieba's dictionary and the English word list now, not at the first question."""
    jieba.initialize()
    warm_translate()


class Lexical:
    """BM25, term statistics and name lookup over the catalog; nothing is loaded whole.

    subtle: the chunk count, the centroid and document frequencies are cached until
    ``invalidate()`` — the store calls it when it sees a change (its own or another process's).
    """

    def __init__(self, catalog) -> None:
        self.catalog = catalog
        self._cache: dict[str, object] = {}

    def invalidate(self) -> None:
        # subtle: a new dict, not clear(): a value being computed while the change lands goes
        # into the old one, which nothing reads any more
        self._cache = {}

    def _cached(self, key: str, compute):
        cache = self._cache
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def lexical_query(self, canonical: str) -> str:
        """What BM25 searches: the question, plus Chinese glosses and names when it is English."""
        if detect_script(canonical) != "en":
            return canonical
        extra = self.english_names(canonical) + english_to_chinese_terms(canonical)
        return " ".join([canonical, *extra])

    def corpus_names(self, question: str) -> str:
        """``question`` with each Taiwan-press name the corpus lacks, but whose mainland name it
        has, written the mainland way (川普 → 特朗普 over mainland news); otherwise unchanged.

        subtle: OpenCC's tw2sp has no such names, so 川普參觀了哪裡？ found nothing in a corpus
        that says 特朗普 everywhere. Rewritten only when the corpus decides it: a Taiwan corpus
        that says 川普 keeps the question as typed.
        """
        for written, mainland in taiwan_names(question):
            if self.mentions(mainland) and not self.mentions(to_canonical(written)):
                question = question.replace(written, mainland)
        return question

    def english_names(self, canonical: str) -> list[str]:
        """The corpus names whose pinyin a run of capitalised English words spells (Liang Wenfeng → 梁文锋)."""
        return pinyin_terms(canonical, _PinyinTable(self.catalog))

    def mentions(self, text: str) -> bool:
        """Whether any chunk of the corpus contains ``text`` (canonical form) as a token phrase."""
        return self.catalog.contains_phrase(tokenize(text))

    def df(self, token: str) -> int:
        """How many chunks contain ``token``.

        subtle: FTS5 counts a term's documents by reading its whole posting list (0.2 ms a
        term at 100k chunks, ~34 terms a question: idf, answerability, BM25's token budget).
        A count read while a change lands is not kept: it may predate the change.
        """
        cache = self._cached("df", dict)
        if (n := cache.get(token)) is None:
            n = self.catalog.df(token)
            if len(cache) < _DF_CACHE:
                cache[token] = n
        return n

    def centrality(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine of each sentence vector to the corpus' mean sentence.

        subtle: a few generic sentences ("DeepSeek是…一系列人工智能大型语言模型") sit
        near every query in e5's space (hubness); subtracting this damps them.
        """
        centroid = self._cached("centroid", self.catalog.centroid)
        if centroid is None or len(vectors) == 0:
            return np.zeros(len(vectors))
        return vectors @ centroid

    def idf(self, token: str) -> float:
        """BM25-style inverse document frequency; unseen tokens weigh the most."""
        n = max(self._cached("n", self.catalog.count_chunks), 1)
        df = self.df(token)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def search(self, query: str, k: int) -> list[tuple[Document, float]]:
        return self.catalog.bm25(self.bm25_tokens(tokenize(query)), k)

    def bm25_tokens(self, tokens: list[str]) -> list[str]:
        """The query tokens BM25 searches: all of them, unless they match too many rows to rank.

        subtle: FTS5 computes BM25 for EVERY row matching any OR'ed token before ``ORDER BY
        rank LIMIT k``, so one common token (年 is in half the chunks) made each question
        O(corpus) — ~35 ms at 10k chunks, growing linearly — and its bm25() work per row
        grows with the number of OR'ed tokens, even those no chunk contains (the English
        words of an English question): they are dropped. Past ``BM25_ROW_BUDGET`` matched
        rows, tokens are kept rarest first while they fit (the rarest always stays), and a
        token in more than half the chunks is dropped: FTS5 clamps its idf to ~0, so it adds
        nothing to any score. A small corpus (every question under the budget) is unchanged.
        """
        df = {t: self.df(t) for t in dict.fromkeys(tokens)}
        tokens = [t for t, n in df.items() if n]    # a token no chunk has still costs FTS5 per row
        if sum(df.values()) <= BM25_ROW_BUDGET:
            return tokens
        n = self._cached("n", self.catalog.count_chunks)
        kept, rows = [], 0
        for t in sorted(tokens, key=df.get):
            if kept and (df[t] * 2 > n or rows + df[t] > BM25_ROW_BUDGET):
                break
            kept.append(t)
            rows += df[t]
        return kept


class _PinyinTable:
    """The mapping ``pinyin_terms`` reads, answered by the catalog's pinyin table."""

    def __init__(self, catalog) -> None:
        self.catalog = catalog

    def __contains__(self, key: str) -> bool:
        return self.catalog.pinyin_word(key) is not None

    def __getitem__(self, key: str) -> str:
        return self.catalog.pinyin_word(key)


def pinyin_rows(tokens: Iterable[str], known: Callable[[set[str]], set[str]] = lambda words: set()
                ) -> list[tuple[str, str]]:
    """(pinyin, word) for the name-like words among ``tokens``, for the catalog to keep.

    ``known(words)`` says which words the table already holds: their pinyin is not computed
    again (it was ~20 % of ingest; the table keeps the first word per pinyin either way).
    """
    words = romanisable(set(tokens))
    return list(pinyin_map(words - known(words)).items())
