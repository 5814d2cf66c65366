"""Extractive answerer (the default, no LLM): quote the retrieved sentences that best answer.

Owns: scoring every sentence of the retrieved chunks against the question — cosine of
stored sentence vectors (multilingual, so English questions work) plus query-term
overlap — choosing up to N sentences, citing each with [n], and abstaining when the
best evidence is weak.
Input: ``{"question", "query", "script", "docs"}``; output: an ``Answer``.
Does not own: retrieval, or the display conversions (``rag.citations``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from ingest import to_canonical
from rag.answerability import expected_type, has_type, unknown_governments
from rag.citations import ABSTAIN, display_sentences, make_citation
from rag.index.lexical import tokenize
from rag.types import Answer

__all__ = ["ExtractiveAnswerer"]

_LEX_WEIGHT = 0.2
_TYPE_BONUS = 0.04
_MIN_CHARS = 8
_NUMBER_QUESTION = re.compile(r"多少|几|百分之|how (many|much)|what (percentage|share|amount)|how far", re.I)
_DIGIT = re.compile(r"\d|[一二三四五六七八九十百千万亿]+(个|万|亿|美元|元|块|名|倍|%)")


@dataclass
class _Scored:
    doc_index: int
    position: int      # sentence index inside its chunk
    canonical: str
    shown: str
    score: float
    sim: float         # cosine(question, sentence) minus the sentence's hubness


class ExtractiveAnswerer:
    """Picks cited sentences; abstains when the best sentence's similarity is below the bar."""

    name = "extractive"

    def __init__(self, store, index, threshold: float = -0.04, threshold_en: float = -0.16,
                 max_sentences: int = 3, hant_config: str = "s2twp", margin: float = 0.06) -> None:
        self.store, self.index = store, index
        # subtle: an English question is matched against Chinese sentences; cross-lingual
        # cosines run ~0.1 lower than monolingual ones, so English gets its own bar.
        self.thresholds = {"zh-Hans": threshold, "zh-Hant": threshold, "en": threshold_en}
        self.max_sentences, self.hant_config, self.margin = max_sentences, hant_config, margin

    def invoke(self, inputs: dict) -> Answer:
        *_, answer = self.stream(inputs)
        return answer

    def stream(self, inputs: dict) -> Iterator[str | Answer]:
        """Yield the answer text sentence by sentence, then the final ``Answer``."""
        docs, script = inputs["docs"], inputs["script"]
        scored = self.score(inputs["query"], docs, script)
        base = dict(question=inputs["question"], script=script, query=inputs["query"],
                    retrieved=[d.metadata["source"] for d in docs], answerer=self.name)
        chosen = self._choose(scored) if scored and scored[0].sim >= self.thresholds[script] else []
        if not chosen or not self._answers(to_canonical(inputs["query"]), chosen):
            yield ABSTAIN[script]
            yield Answer(answer=ABSTAIN[script], citations=[], abstained=True, **base)
            return
        text, citations = "", []
        numbers: dict[int, int] = {}
        for i, s in enumerate(chosen):
            n = numbers.setdefault(s.doc_index, len(numbers) + 1)
            if n > len(citations):
                citations.append(make_citation(n, docs[s.doc_index], script, [], s.score, self.hant_config))
            citations[n - 1].highlights.append(s.shown)
            piece = self._frame(script, i) + f"{s.shown}[{n}]"
            text += piece
            yield piece
        yield Answer(answer=text, citations=citations, abstained=False, **base)

    def _answers(self, canonical_q: str, chosen: list[_Scored]) -> bool:
        """The answerability rules of ``rag.answerability`` on the sentences to be cited."""
        kind = expected_type(canonical_q)
        if kind and not has_type(kind, [s.canonical for s in chosen]):
            return False
        return not unknown_governments(canonical_q, self.index.mentions)

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
        # subtle: p is the sentence's index in split_sentences(chunk), the row of its stored vector.
        cands = [(i, p, c, shown) for i, d in enumerate(docs)
                 for p, (c, shown) in enumerate(display_sentences(d, script, self.hant_config))
                 if len(c) >= _MIN_CHARS]
        by_chunk = self.store.sentence_vectors(sorted({d.id for d in docs}))
        keep = [k for k, (i, p, _, _) in enumerate(cands) if p < len(by_chunk.get(docs[i].id, ()))]
        if not keep:
            return []
        V = np.asarray([by_chunk[docs[cands[k][0]].id][cands[k][1]] for k in keep], dtype=np.float32)
        q = np.asarray(self.store.embeddings.embed_query(canonical_q), dtype=np.float32)
        sims = V @ q - self.index.centrality(V)
        weights = {t: self.index.idf(t) for t in set(tokenize(self.index.lexical_query(canonical_q)))}
        wants_number = bool(_NUMBER_QUESTION.search(canonical_q))
        out = []
        for k, sim in zip(keep, sims):
            i, p, c, shown = cands[k]
            bonus = _TYPE_BONUS if wants_number and _DIGIT.search(c) else 0.0
            score = float(sim) + _LEX_WEIGHT * _coverage(weights, c) + bonus
            out.append(_Scored(i, p, c, shown, score, float(sim)))
        return sorted(out, key=lambda s: s.score, reverse=True)


def _coverage(weights: dict[str, float], text: str) -> float:
    """idf-weighted share of the question's terms that occur in ``text``."""
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(w for t, w in weights.items() if t in text) / total
