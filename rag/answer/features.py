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
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np
from langchain_core.documents import Document

from ingest import detect_script
from rag.answer.asking import answering_kinds, asked_type
from rag.answer.candidates import candidates
from rag.answer.short import NO_SPAN, span_logit
from rag.citations import display_sentences
from rag.index.lexical import tokenize

__all__ = ["Candidate", "Evidence", "SENTENCE_FEATURES", "QUESTION_FEATURES", "QUESTION_CONSTANTS", "gather",
           "question_vector", "TYPED_TOP", "unmatched"]

_LANG = {0.0: "zh", 1.0: "en"}
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
    "log_len", "en", "en_sim", "miss_ctx", "cov_untitled", "span",
)
QUESTION_FEATURES = (   # what ``question_vector`` returns, in order
    "best_logit", "logit_gap", "top_sim", "top_sim_hub", "top_cov", "top_cov_ctx", "top_bigram", "top_focus",
    "top_type_new", "top_restate", "top_miss_ctx", "max_sim", "max_cov_ctx", "max_type_new", "known", "in_top", "top_dense", "typed", "en", "candidates",
)
QUESTION_CONSTANTS = ("known", "in_top", "top_dense", "typed", "en")   # per question, whatever the sentences


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
    constants: np.ndarray = field(default_factory=lambda: np.zeros(len(QUESTION_CONSTANTS)))
    kind: str | None = None
    lang: str = "zh"       # the question's language, "zh" or "en": the abstention bar is per language
    context: list[tuple[str, ...]] = field(default_factory=list)   # per candidate: neighbours, title


@dataclass(frozen=True)
class _Question:
    canonical: str
    weights: dict        # the question's terms (with English glosses) → idf
    tokens: frozenset
    bigrams: frozenset
    focus: frozenset
    en: float
    kind: str | None


def _question(query: str, canonical_q: str, lexical) -> _Question:
    # subtle: dict.fromkeys, not set: the weights are summed in this order, and a set's order
    # changes with the process's hash seed — one ulp, enough to cross a fitted tree threshold.
    terms = dict.fromkeys(tokenize(lexical.lexical_query(canonical_q)))
    return _Question(canonical_q, {t: lexical.idf(t) for t in terms},
                     frozenset(tokenize(canonical_q)), frozenset(_bigrams(canonical_q)),
                     frozenset(_focus(canonical_q)), float(detect_script(query) == "en"), asked_type(canonical_q))


def gather(query: str, canonical_q: str, docs: list[Document], script: str, store, lexical,
           hant_config: str = "s2twp", prefilter=None) -> Evidence:
    """The features of every quotable sentence of ``docs`` for the (canonical) question.

    ``prefilter(rows) -> scores`` ranks candidates cheaply so that the answer-type
    features are computed for the ``TYPED_TOP`` best only (the fitted model's own
    first-stage weights); without it they are computed for all.
    """
    qi = _question(query, canonical_q, lexical)
    by_chunk = store.sentence_vectors(sorted({d.id for d in docs}))
    q = np.asarray(store.embeddings.embed_query(canonical_q), dtype=np.float32)
    max_rrf = max((d.metadata.get("rrf") or 0.0 for d in docs), default=0.0) or 1.0
    cands, rows = [], []
    for i, d in enumerate(docs):
        raw, hub = _sims(by_chunk.get(d.id), q, lexical)
        sentences = display_sentences(d, script, hant_config)
        canon = [c for c, _ in sentences]
        for p, (c, shown) in enumerate(sentences):
            if len(c) >= MIN_CHARS and p < len(raw):
                cands.append(Candidate(i, p, c, shown))
                rows.append(_sentence_row(qi, canon, p, raw, hub, d.metadata, max_rrf))
    constants = _constants(qi.weights, lexical, docs, qi.kind, qi.en)
    if not rows:
        return Evidence(kind=qi.kind, constants=constants, lang=_LANG[qi.en])
    _relative(rows)
    context = [(*r["_ctx"], docs[c.doc_index].metadata.get("title") or "") for r, c in zip(rows, cands)]
    _type_features(qi.kind, query, canonical_q, cands, rows, context, prefilter)
    X = np.asarray([[r[f] for f in SENTENCE_FEATURES] for r in rows], dtype=np.float64)
    return Evidence(cands, X, constants, qi.kind, _LANG[qi.en], context)


def _sentence_row(qi: _Question, canon: list[str], p: int, raw: np.ndarray, hub: np.ndarray,
                  meta: dict, max_rrf: float) -> dict:
    """Sentence ``p`` of a chunk against the question, with its neighbours and the article title."""
    c, title = canon[p], meta.get("title") or ""
    prev, nxt = (canon[p - 1] if p > 0 else ""), (canon[p + 1] if p + 1 < len(canon) else "")
    ctx = " ".join((prev, c, nxt))
    anaphor = float(bool(_ANAPHOR.match(c)))
    sim_prev = raw[p - 1] if p > 0 else raw[p]
    w = qi.weights
    return {
        "sim": raw[p], "sim_hub": hub[p], "sim_prev": sim_prev,
        "sim_next": raw[p + 1] if p + 1 < len(raw) else raw[p],
        "cov": _coverage(w, c), "cov_ctx": _coverage(w, ctx + " " + title),
        "cov_title": _coverage(w, title), "restate": _restate(c, qi.tokens),
        "cov_prev": _coverage(w, prev), "cov_next": _coverage(w, nxt),
        "bigram": _share(qi.bigrams, c), "bigram_ctx": _share(qi.bigrams, ctx + title),
        "focus": _share(qi.focus, c), "lcs": _lcs(qi.canonical, c),
        "anaphor": anaphor, "anaphor_prev": anaphor * sim_prev,
        "typed": float(qi.kind is not None), "type_new": 0.0, "type_new_ctx": 0.0, "span": NO_SPAN,
        "rrf_rel": (meta.get("rrf") or 0.0) / max_rrf,
        "rank_inv": 1.0 / (1 + (meta.get("rank") or 0)), "first": float(p == 0),
        "log_len": math.log(len(c)), "en": qi.en, "en_sim": qi.en * raw[p],
        "miss_ctx": _missing(w, ctx + " " + title), "_ctx": (prev, nxt),
        # subtle: the article's subject (萱侬律) is in its lead sentence and in every question on
        # it; what tells the answering sentence apart is the rest of the question (占地). Not for
        # English questions: their terms are dictionary senses, not the title's words
        "cov_untitled": 0.0 if qi.en else _coverage(_untitled(w, title), c),
    }


def _relative(rows: list[dict]) -> None:
    """Each sentence against the question's best: the margin to it and the rank among them."""
    best_sim_hub = max(r["sim_hub"] for r in rows)
    best_cov = max(r["cov"] for r in rows)
    sim_rank, cov_rank = _ranks([r["sim_hub"] for r in rows]), _ranks([r["cov"] for r in rows])
    for r, sr, cr in zip(rows, sim_rank, cov_rank):
        r["sim_rel"], r["cov_rel"] = r["sim_hub"] - best_sim_hub, r["cov"] - best_cov
        r["sim_rank"], r["cov_rank"] = 1.0 / (1 + sr), 1.0 / (1 + cr)


def _sims(vectors, q: np.ndarray, lexical) -> tuple[np.ndarray, np.ndarray]:
    """(cosine to the question, the same minus the sentence's hubness) per stored sentence."""
    if vectors is None or not len(vectors):
        return np.zeros(0), np.zeros(0)
    V = np.asarray(vectors, dtype=np.float32)
    raw = V @ q
    return raw.astype(np.float64), (raw - lexical.centrality(V)).astype(np.float64)


def _type_features(kind, query: str, canonical_q: str, cands: list[Candidate], rows: list[dict],
                   context: list[tuple], prefilter) -> None:
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
        # subtle: the answering sentence holds its answer where the question's words put it
        # (DeepSeek的创始人梁文锋), a neighbour only names something of that type
        rows[k]["span"] = span_logit(query, [cands[k].canonical, *context[k]])


def _constants(weights: dict[str, float], lexical, docs: list[Document], kind, en: float) -> np.ndarray:
    total = sum(weights.values()) or 1.0
    # subtle: a question about something the corpus never mentions (苹果公司的营收) still
    # retrieves near neighbours; what gives it away is its rare terms being absent.
    known = sum(w for t, w in weights.items() if lexical.df(t)) / total
    top_text = " ".join(d.page_content + " " + (d.metadata.get("title") or "") for d in docs)
    in_top = sum(w for t, w in weights.items() if t in top_text) / total
    top_dense = max((d.metadata.get("dense") or 0.0 for d in docs), default=0.0)
    return np.asarray([known, in_top, top_dense, float(kind is not None), en])


def unmatched(constants: np.ndarray) -> bool:
    """No term of the question (nor an English word's gloss) occurs anywhere in the corpus.

    subtle: then a quote could only be a guess by vector similarity ("Hi", "asdf" → any news
    sentence at cosine 0.8). Measured on the dumped fit and eval rows (README "No word of the
    question in the corpus"): no such question was answered correctly, 21 of 27 English chit-chat
    turns were answered.
    """
    return float(constants[QUESTION_CONSTANTS.index("known")]) == 0.0


def question_vector(X: np.ndarray, logits: np.ndarray, constants: np.ndarray) -> np.ndarray:
    """The abstention model's row: the most probable sentence, the best of all, the question's constants.

    subtle: computed from the candidate rows alone, so the fitting script can ask "what if the
    answering sentence were not in the corpus?" by dropping rows (``fitting/fit_answer.py``).
    """
    if not len(X):
        # subtle: best_logit -10 (no sentence), every other sentence-derived value 0
        return np.asarray([-10.0, *np.zeros(len(QUESTION_FEATURES) - 2 - len(constants)), *constants, 0.0])
    col = {f: X[:, i] for i, f in enumerate(SENTENCE_FEATURES)}
    k = int(np.argmax(logits))
    second = np.partition(logits, -2)[-2] if len(logits) > 1 else logits[k]
    top = [col[f][k] for f in ("sim", "sim_hub", "cov", "cov_ctx", "bigram", "focus", "type_new", "restate",
                               "miss_ctx")]
    best = [col["sim"].max(), col["cov_ctx"].max(), col["type_new"].max()]
    return np.asarray([logits[k], logits[k] - second, *top, *best, *constants, np.log(len(X))])


def has_new_entity(kind: str, sentence: str, question: str) -> bool:
    """``sentence`` offers a span of the asked type that the question does not already name."""
    wanted = answering_kinds(kind)
    return any(c.kind in wanted for c in candidates(sentence, question))


def _coverage(weights: dict[str, float], text: str) -> float:
    """idf-weighted share of the question's terms that occur in ``text``.

    subtle: the terms are lower-cased tokens and ``text`` is as written, so a Latin-script term
    (ipcc) never counts as present in IPCC. The weights were fitted so; matching case-blind and
    refitting measured no better on unseen paragraphs (README, "Tried and not kept (2026-12-07)")."""
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(w for t, w in weights.items() if t in text) / total


def _untitled(weights: dict[str, float], title: str) -> dict[str, float]:
    """The question's terms the article's title does not hold."""
    return {t: w for t, w in weights.items() if t not in title}


def _missing(weights: dict[str, float], text: str) -> float:
    """The most specific question term ``text`` lacks, against the question's most specific term:
    1 when the rarest term is missing (韩国政府… answered by a sentence on 台湾政府), 0 when none is."""
    top = max(weights.values(), default=0.0)
    if not top:
        return 0.0
    return max((w for t, w in weights.items() if t not in text), default=0.0) / top


def _restate(sentence: str, q_tokens: set[str]) -> float:
    """Share of the sentence's words that the question already says (a restatement answers nothing)."""
    words = _sentence_tokens(sentence)
    return sum(w in q_tokens for w in words) / len(words) if words else 0.0


@lru_cache(maxsize=4096)
def _sentence_tokens(sentence: str) -> tuple[str, ...]:
    # subtle: jieba's search mode over ~28 candidate sentences was a third of answer scoring;
    # the chunks a conversation retrieves recur from question to question.
    return tuple(tokenize(sentence))


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
    q = _WH.sub(" ", question)
    m = SequenceMatcher(None, q, sentence, autojunk=False).find_longest_match(0, len(q), 0, len(sentence))
    return m.size / max(len(q), 1)
