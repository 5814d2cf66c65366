"""Extractive answerer (the default, no LLM): quote the retrieved sentences that answer.

Owns: asking the fitted models (``rag.answer.model``) about the evidence
(``rag.answer.features``): abstaining when P(answerable) is under the fitted bar, quoting
the most probable sentence, and citing a further sentence only when it reaches the fitted
bar on its own; numbering citations [n]; the short answer span when the question asks for
a person, place, organisation, date, number or amount.
Input: ``{"question", "query", "script", "docs"}``; output: an ``Answer``.
Does not own: retrieval, features, fitting (``fitting/fit_answer.py``), display conversions
(``rag.citations``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from ingest import to_canonical
from rag.answer.features import SENTENCE_FEATURES, Evidence, gather, question_vector, unmatched
from rag.answer.model import AnswerModel, columns
from rag.citations import ABSTAIN, EN_NEEDS_LLM, make_citation
from rag.answer.gloss import gloss
from rag.answer.short import short_answer, shown_span
from rag.types import Answer

__all__ = ["ExtractiveAnswerer", "Assessment"]


@dataclass
class Assessment:
    """What the models say about one question's evidence."""

    evidence: Evidence
    p_answerable: float
    probabilities: np.ndarray   # P(answer in sentence), per candidate
    order: list[int]            # candidates, most probable first


class ExtractiveAnswerer:
    """Picks cited sentences with the fitted models; abstains below the fitted bar."""

    name = "extractive"

    def __init__(self, store, index, model: AnswerModel, max_sentences: int = 3,
                 hant_config: str = "s2twp") -> None:
        self.store, self.index, self.model = store, index, model
        self.max_sentences = min(max_sentences, model.max_sentences)
        self.hant_config = hant_config

    def invoke(self, inputs: dict) -> Answer:
        *_, answer = self.stream(inputs)
        return answer

    def stream(self, inputs: dict) -> Iterator[str | Answer]:
        """Yield the answer text sentence by sentence, then the final ``Answer``."""
        docs, script = inputs["docs"], inputs["script"]
        a = self.assess(inputs["query"], docs, script)
        base = dict(question=inputs["question"], script=script, query=inputs["query"],
                    retrieved=[d.metadata["source"] for d in docs], answerer=self.name)
        chosen = self.choose(a)
        if not chosen:
            yield ABSTAIN[script]
            yield Answer(answer=ABSTAIN[script], citations=[], abstained=True, **base)
            return
        text, citations, numbers = "", [], {}
        for i, k in enumerate(chosen):
            s = a.evidence.candidates[k]
            n = numbers.setdefault(s.doc_index, len(numbers) + 1)
            if n > len(citations):
                citations.append(make_citation(n, docs[s.doc_index], script, [], a.probabilities[k], self.hant_config))
            citations[n - 1].highlights.append(s.shown)
            piece = self._frame(script, i, s.shown) + f"{s.shown}[{n}]"
            text += piece
            yield piece
        short = self._short(inputs["query"], a, chosen[0], script)
        yield Answer(answer=text, citations=citations, abstained=False, short=short,
                     notice=EN_NEEDS_LLM if script == "en" else None, **base)

    def _short(self, query: str, a: Assessment, k: int, script: str) -> str | None:
        """The asked-for span of the first quoted sentence, as the reader sees it; glossed for English."""
        c = a.evidence.candidates[k]
        span = short_answer(query, [c.canonical, *a.evidence.context[k]])
        if not span:
            return None
        shown = shown_span(span, c.canonical, c.shown) or span
        if script != "en":
            # subtle: never gloss for a Chinese reader: the first gloss of a measure word builds
            # the word list's table (3–7 s, once per process) for nothing.
            return shown
        glossed = gloss(span, c.canonical)
        # subtle: gloss() returns "span (English)"; the reader keeps the span in the source's script
        return shown + glossed[len(span):] if glossed.startswith(span) else shown

    def assess(self, query: str, docs: list[Document], script: str) -> Assessment:
        m = self.model
        cheap = lambda X: m.prefilter.logit(columns(X, m.prefilter.features, SENTENCE_FEATURES))  # noqa: E731
        ev = gather(query, to_canonical(query), docs, script, self.store, self.index, self.hant_config, cheap)
        if not ev.candidates:
            return Assessment(ev, 0.0, np.zeros(0), [])
        logits = m.sentence.logit(ev.X)
        order = [int(k) for k in np.argsort(-m.order_logits(ev.X, logits), kind="stable")]
        qx = question_vector(ev.X, logits, ev.constants)
        return Assessment(ev, float(m.answerable.probability(qx)[0]), 1 / (1 + np.exp(-logits)), order)

    def choose(self, a: Assessment) -> list[int]:
        """The candidates to quote, best first; none when the question is judged unanswerable."""
        if (not a.order or unmatched(a.evidence.constants)
                or a.p_answerable < self.model.answer_bar.get(a.evidence.lang, 0.5)):
            return []
        chosen = a.order[:1]
        for k in a.order[1:self.max_sentences]:
            text = a.evidence.candidates[k].canonical
            if a.probabilities[k] >= self.model.extra_bar.get(a.evidence.lang, 1.0) and all(
                    text not in a.evidence.candidates[c].canonical and a.evidence.candidates[c].canonical not in text
                    for c in chosen):
                chosen.append(k)
        return chosen

    @staticmethod
    def _frame(script: str, i: int, quote: str) -> str:
        if script == "en":
            # subtle: a user's corpus may hold English articles too; their quotes are not "in Chinese"
            chinese = any("\u3400" <= c <= "\u9fff" for c in quote)
            return ("According to the corpus (quoted in Chinese): " if chinese else "According to the corpus: ") \
                if i == 0 else " "
        return ""
