"""Answer features: what the fitted sentence and abstention models look at.

Owns: turning (question, retrieved chunk ``Document``s) into numbers — one row per
candidate sentence (``SENTENCE_FEATURES``: the sentence against the question, *in its
context*: its neighbours and its article's title, its chunk's retrieval rank) and one row
per question (``QUESTION_FEATURES``: how much evidence the retrieved text holds at all).
The same code serves the product and the fitting script (``fitting/fit_answer.py``), so
what was fitted is what runs.
Does not own: the weights or the choice (``rag.answer.model``, ``rag.answer_extractive``),
retrieval, or display text (``rag.citations`` gives each sentence's shown form).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
from langchain_core.documents import Document

from ingest import detect_script
from rag.answer.types import asked_type, has_new_entity
from rag.citations import display_sentences
from rag.index.lexical import tokenize

__all__ = ["Candidate", "Evidence", "SENTENCE_FEATURES", "QUESTION_FEATURES", "gather", "TYPED_TOP"]

MIN_CHARS = 8    # shorter "sentences" (captions, list bullets) are context, never quoted
TYPED_TOP = 8    # answer-type features (a POS tagger, ~70k chars/s) only for the best few

# subtle: a sentence opening with a pronoun or a linking word talks about its predecessor's
# subject (该市/他/在此期间): its own words miss the question's, its neighbour has them.
_ANAPHOR = re.compile(r"^[“「（(]?(该|此|这|那|他|她|它|其|此后|之后|后来|当时|同时|但|而|然而|因此|所以|随后|其中)")
_WH = re.compile(r"谁|什么|哪|多少|几|何|怎么|怎样|如何|为什么|为何|是否|吗")
_HAN = re.compile(r"[\u3400-\u9fff]")

SENTENCE_FEATURES = (
    "sim", "sim_hub", "sim_rel", "sim_rank", "sim_prev", "sim_next", "cov", "cov_rel", "cov_rank",
    "cov_prev", "cov_next", "cov_ctx", "cov_title", "bigram", "bigram_ctx", "focus", "lcs", "restate",
    "anaphor", "anaphor_prev", "typed", "type_new", "type_new_ctx", "rrf_rel", "rank_inv", "first",
    "log_len", "en", "en_sim",
)
QUESTION_FEATURES = (
    "best_sim", "best_sim_hub", "best_cov", "best_cov_ctx", "top_dense", "known", "in_top",
    "typed", "type_found", "en", "sim_gap",
)


@dataclass
class Candidate:
    doc_index: int
    position: int          # index in split_sentences(chunk): the row of its stored vector
    canonical: str
    shown: str


@dataclass
class Evidence:
    """Everything the models need for one question: candidates, their rows, the question row."""

    candidates: list[Candidate] = field(default_factory=list)
    X: np.ndarray = field(default_factory=lambda: np.zeros((0, len(SENTENCE_FEATURES))))
    question: np.ndarray = field(default_factory=lambda: np.zeros(len(QUESTION_FEATURES)))
    kind: str | None = None


def gather(query: str, canonical_q: str, docs: list[Document], script: str, store, lexical,
           hant_config: str = "s2twp", prefilter=None) -> Evidence:
    """The features of every quotable sentence of ``docs`` for the (canonical) question.

    ``prefilter(rows) -> scores`` ranks candidates cheaply so that the answer-type
    features are computed for the ``TYPED_TOP`` best only (the fitted model's own
    first-stage weights); without it they are computed for all.
    """
    sentences = [display_sentences(d, script, hant_config) for d in docs]
    by_chunk = store.sentence_vectors(sorted({d.id for d in docs}))
    q = np.asarray(store.embeddings.embed_query(canonical_q), dtype=np.float32)
    sims = {d.id: _sims(by_chunk.get(d.id), q, lexical) for d in docs}
    weights = {t: lexical.idf(t) for t in set(tokenize(lexical.lexical_query(canonical_q)))}
    q_tokens = set(tokenize(canonical_q))
    q_bigrams, focus = _bigrams(canonical_q), _focus(canonical_q)
    en = float(detect_script(query) == "en")
    kind = asked_type(canonical_q)
    cands, rows = [], []
    max_rrf = max((d.metadata.get("rrf") or 0.0 for d in docs), default=0.0) or 1.0
    for i, d in enumerate(docs):
        raw, hub = sims[d.id]
        title = d.metadata.get("title") or ""
        canon = [c for c, _ in sentences[i]]
        for p, (c, shown) in enumerate(sentences[i]):
            if len(c) < MIN_CHARS or p >= len(raw):
                continue
            prev, nxt = (canon[p - 1] if p > 0 else ""), (canon[p + 1] if p + 1 < len(canon) else "")
            ctx = " ".join((prev, c, nxt))
            cands.append(Candidate(i, p, c, shown))
            anaphor = float(bool(_ANAPHOR.match(c)))
            sim_prev = raw[p - 1] if p > 0 else raw[p]
            rows.append({
                "sim": raw[p], "sim_hub": hub[p],
                "sim_prev": sim_prev,
                "sim_next": raw[p + 1] if p + 1 < len(raw) else raw[p],
                "cov": _coverage(weights, c), "cov_ctx": _coverage(weights, ctx + " " + title),
                "cov_title": _coverage(weights, title), "restate": _restate(c, q_tokens),
                "cov_prev": _coverage(weights, prev), "cov_next": _coverage(weights, nxt),
                "bigram": _share(q_bigrams, c), "bigram_ctx": _share(q_bigrams, ctx + title),
                "focus": _share(focus, c), "lcs": _lcs(canonical_q, c),
                "anaphor": anaphor, "anaphor_prev": anaphor * sim_prev,
                "typed": float(kind is not None), "type_new": 0.0, "type_new_ctx": 0.0,
                "rrf_rel": (d.metadata.get("rrf") or 0.0) / max_rrf,
                "rank_inv": 1.0 / (1 + (d.metadata.get("rank") or 0)), "first": float(p == 0),
                "log_len": math.log(len(c)), "en": en, "en_sim": en * raw[p],
                "_ctx": (prev, nxt),
            })
    if not rows:
        return Evidence(kind=kind)
    best_sim_hub = max(r["sim_hub"] for r in rows)
    best_cov = max(r["cov"] for r in rows)
    sim_rank, cov_rank = _ranks([r["sim_hub"] for r in rows]), _ranks([r["cov"] for r in rows])
    for r, sr, cr in zip(rows, sim_rank, cov_rank):
        r["sim_rel"], r["cov_rel"] = r["sim_hub"] - best_sim_hub, r["cov"] - best_cov
        r["sim_rank"], r["cov_rank"] = 1.0 / (1 + sr), 1.0 / (1 + cr)
    _type_features(kind, canonical_q, cands, rows, prefilter)
    X = np.asarray([[r[f] for f in SENTENCE_FEATURES] for r in rows], dtype=np.float64)
    return Evidence(cands, X, _question_row(rows, docs, weights, lexical, kind, en), kind)


def _sims(vectors, q: np.ndarray, lexical) -> tuple[np.ndarray, np.ndarray]:
    """(cosine to the question, the same minus the sentence's hubness) per stored sentence."""
    if vectors is None or not len(vectors):
        return np.zeros(0), np.zeros(0)
    V = np.asarray(vectors, dtype=np.float32)
    raw = V @ q
    return raw.astype(np.float64), (raw - lexical.centrality(V)).astype(np.float64)


def _type_features(kind, canonical_q: str, cands: list[Candidate], rows: list[dict], prefilter) -> None:
    if kind is None:
        return
    order = range(len(rows))
    if prefilter is not None and len(rows) > TYPED_TOP:
        scores = prefilter(np.asarray([[r[f] for f in SENTENCE_FEATURES] for r in rows]))
        order = np.argsort(-scores)[:TYPED_TOP]
    for k in order:
        prev, nxt = rows[k]["_ctx"]
        rows[k]["type_new"] = float(has_new_entity(kind, cands[k].canonical, canonical_q))
        rows[k]["type_new_ctx"] = float(any(has_new_entity(kind, s, canonical_q) for s in (prev, nxt) if s))


def _question_row(rows: list[dict], docs: list[Document], weights: dict[str, float], lexical,
                  kind, en: float) -> np.ndarray:
    sims = sorted((r["sim_hub"] for r in rows), reverse=True)
    total = sum(weights.values()) or 1.0
    top_text = " ".join(d.page_content + " " + (d.metadata.get("title") or "") for d in docs)
    values = {
        "best_sim": max(r["sim"] for r in rows), "best_sim_hub": sims[0],
        "best_cov": max(r["cov"] for r in rows), "best_cov_ctx": max(r["cov_ctx"] for r in rows),
        "top_dense": max((d.metadata.get("dense") or 0.0) for d in docs),
        # subtle: a question about something the corpus never mentions (苹果公司的营收) still
        # retrieves near neighbours; what gives it away is its rare terms being absent.
        "known": sum(w for t, w in weights.items() if lexical.df(t)) / total,
        "in_top": sum(w for t, w in weights.items() if t in top_text) / total,
        "typed": float(kind is not None),
        "type_found": max((r["type_new"] for r in rows), default=0.0),
        "en": en, "sim_gap": sims[0] - (sims[1] if len(sims) > 1 else sims[0]),
    }
    return np.asarray([values[f] for f in QUESTION_FEATURES], dtype=np.float64)


def _coverage(weights: dict[str, float], text: str) -> float:
    """idf-weighted share of the question's terms that occur in ``text``."""
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(w for t, w in weights.items() if t in text) / total


def _restate(sentence: str, q_tokens: set[str]) -> float:
    """Share of the sentence's words that the question already says (a restatement answers nothing)."""
    words = tokenize(sentence)
    return sum(w in q_tokens for w in words) / len(words) if words else 0.0


def _ranks(values: list[float]) -> np.ndarray:
    """0 for the largest value, 1 for the next…"""
    order = np.argsort(-np.asarray(values), kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    return ranks


def _bigrams(text: str) -> set[str]:
    """The question's Han character pairs, question words excluded (robust to word splitting)."""
    text = _WH.sub(" ", text)
    return {a + b for a, b in zip(text, text[1:]) if _HAN.match(a) and _HAN.match(b)}


def _focus(question: str) -> set[str]:
    """The character pairs right around the question word: what the answer sits next to."""
    m = _WH.search(question)
    if not m:
        return set()
    return _bigrams(question[max(m.start() - 4, 0): m.start()]) | _bigrams(question[m.end(): m.end() + 4])


def _share(needles: set[str], text: str) -> float:
    return sum(n in text for n in needles) / len(needles) if needles else 0.0


def _lcs(question: str, sentence: str) -> float:
    """Longest common substring, as a share of the question's length."""
    from difflib import SequenceMatcher

    q = _WH.sub(" ", question)
    m = SequenceMatcher(None, q, sentence, autojunk=False).find_longest_match(0, len(q), 0, len(sentence))
    return m.size / max(len(q), 1)
