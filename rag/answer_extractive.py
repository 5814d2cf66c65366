"""Extractive answerer (the default, no LLM): quote the retrieved sentences that best answer.

Owns: scoring every sentence of the retrieved chunks against the question — cosine of
stored sentence vectors (multilingual, so English questions work) plus query-term
overlap — choosing up to N sentences, citing each with [n], and abstaining when the
best evidence is weak.
Input: ``{"question", "query", "script", "docs"}``; output: an ``Answer``.
Does not own: retrieval, or the display conversions (``rag.citations``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from ingest import content_id, to_canonical
from rag.citations import ABSTAIN, display_sentences, make_citation
from rag.lexical import tokenize
from rag.types import Answer

__all__ = ["ExtractiveAnswerer"]

_LEX_WEIGHT = 0.08
_MIN_CHARS = 8


@dataclass
class _Scored:
    doc_index: int
    canonical: str
    shown: str
    score: float
    sim: float


class ExtractiveAnswerer:
    """Picks cited sentences; ``threshold`` is the sentence similarity below which it abstains."""

    name = "extractive"

    def __init__(self, store, threshold: float = 0.80, max_sentences: int = 2,
                 hant_config: str = "s2twp", margin: float = 0.03) -> None:
        self.store, self.threshold, self.max_sentences = store, threshold, max_sentences
        self.hant_config, self.margin = hant_config, margin

    def invoke(self, inputs: dict) -> Answer:
        *_, answer = self.stream(inputs)
        return answer

    def stream(self, inputs: dict) -> Iterator[str | Answer]:
        """Yield the answer text sentence by sentence, then the final ``Answer``."""
        docs, script = inputs["docs"], inputs["script"]
        scored = self.score(inputs["query"], docs, script)
        base = dict(question=inputs["question"], script=script, query=inputs["query"],
                    retrieved=[d.metadata["source"] for d in docs], answerer=self.name)
        if not scored or scored[0].sim < self.threshold:
            yield ABSTAIN[script]
            yield Answer(answer=ABSTAIN[script], citations=[], abstained=True, **base)
            return
        text, citations = "", []
        numbers: dict[int, int] = {}
        for i, s in enumerate(self._choose(scored)):
            n = numbers.setdefault(s.doc_index, len(numbers) + 1)
            if n > len(citations):
                citations.append(make_citation(n, docs[s.doc_index], script, [], s.score, self.hant_config))
            citations[n - 1].highlights.append(s.shown)
            piece = self._frame(script, i) + f"{s.shown}[{n}]"
            text += piece
            yield piece
        yield Answer(answer=text, citations=citations, abstained=False, **base)

    @staticmethod
    def _frame(script: str, i: int) -> str:
        if script == "en":
            return "According to the corpus (quoted in Chinese): " if i == 0 else " "
        return ""

    def _choose(self, scored: list[_Scored]) -> list[_Scored]:
        chosen = [scored[0]]
        for s in scored[1:]:
            if len(chosen) >= self.max_sentences or s.score < scored[0].score - self.margin:
                break
            if all(s.canonical not in c.canonical and c.canonical not in s.canonical for c in chosen):
                chosen.append(s)
        return chosen

    def score(self, query: str, docs: list[Document], script: str) -> list[_Scored]:
        """Every sentence of ``docs``, best first."""
        canonical_q = to_canonical(query)
        cands = [(i, c, shown) for i, d in enumerate(docs)
                 for c, shown in display_sentences(d, script, self.hant_config) if len(c) >= _MIN_CHARS]
        if not cands:
            return []
        ids = [content_id(docs[i].metadata["source"], c) for i, c, _ in cands]
        vectors = self.store.sentence_vectors(sorted(set(ids)))
        q = np.asarray(self.store.embeddings.embed_query(canonical_q))
        q_tokens = set(tokenize(canonical_q))
        out = []
        for (i, c, shown), sid in zip(cands, ids):
            if sid not in vectors:
                continue
            sim = float(np.asarray(vectors[sid]) @ q)
            out.append(_Scored(i, c, shown, sim + _LEX_WEIGHT * _overlap(q_tokens, c), sim))
        return sorted(out, key=lambda s: s.score, reverse=True)


def _overlap(q_tokens: set[str], sentence: str) -> float:
    """Share of the question's content characters that the sentence's tokens cover."""
    if not q_tokens:
        return 0.0
    s_tokens = set(tokenize(sentence))
    total = sum(len(t) for t in q_tokens)
    return sum(len(t) for t in q_tokens if t in s_tokens or t in sentence) / total
