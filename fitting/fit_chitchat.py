"""Fit the small-talk gate: is this turn talk to the bot (hello, thanks, who are you) or a question?

    PYTHONPATH=. python fitting/fit_chitchat.py      # writes rag/answer/chitchat_weights.json + fit_chitchat.txt

Why a gate of its own: the answerable model (``fitting/fit_answer.py``) judges the retrieved
text's evidence, and for English turns over Chinese text that evidence cannot tell "Hello" from a
question: e5 puts it at cosine 0.80 to an unrelated news sentence, above the best sentence of
most answerable English questions (bundled corpus: 29 of our 40 English chit-chat turns answered).
What gives small talk away is the turn itself. The gate (``rag.answer.chitchat``) has two tests,
and a turn is small talk when both say so:
- the vector test, a logistic regression on the turn's e5 vector (the one retrieval computes).
  Positives: the short turns (≤ ``MAX_CHARS``) of chatterbot-corpus's conversational categories
  (``CATEGORIES``; English, 简体, 繁體; BSD, PyPI ``chatterbot-corpus``): public data nobody here
  wrote. Topic categories (food, sports, history, AI, …) are left out on purpose: a question about
  food is small talk only until someone indexes recipes; whether the corpus answers it is the
  answerable model's call. Negatives: every question of the qa-dev sets and of ``tests/qa``
  (minus the questions ``rag eval --squad … --limit-questions 150`` and fit_answer's report ask),
  and subject turns (``subject_turns``: titles, names and keywords, bare and in everyday
  requests) — without those the vector test learnt "not a well-formed question" and took
  "DeepSeek" or "Do you know Liang Wenfeng?" for small talk.
- the name test (``rag.answer.chitchat.names_subject``): the turn names nothing its corpus has
  that is rarer in general language than jieba's word of rank ``common_rank``.
Folds: each chatterbot category is one group (out of fold: a kind of small talk never seen in
any language); a question with its translations (XQuAD zh/en share ids); a subject with its
requests. C: the highest out-of-fold recall at the vector test's own bars. Then per rank of
``COMMON_RANKS``: the bars per question language are the lowest that keep both tests together at
or under ``MAX_FALSE`` (out of fold) of every set of questions and of subject turns; the rank is
the one flagging the most small talk, asked of every corpus. Reported too: the two sets never
fitted on, ``fitting/chitchat.jsonl`` (ours) and the eval questions.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import chatterbot_corpus  # noqa: E402
import jieba  # noqa: E402
import yaml  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from fitting.fit_answer import CHITCHAT, QA_DEV, QA_EVAL, SEED, SETS  # noqa: E402
from ingest import make_embeddings, to_canonical  # noqa: E402
from rag.answer.chitchat import WEIGHTS_PATH, ChitChat, names_subject  # noqa: E402
from rag.answer.chitchat import turn_lang as lang  # noqa: E402
from rag.condense import standalone_query  # noqa: E402
from rag.evaluate import load_qa  # noqa: E402
from rag.index.lexical import tokenize  # noqa: E402
from rag.translate import pinyin_map, pinyin_terms  # noqa: E402
from fitting.fit_short import eval_ids  # noqa: E402
from rag.eval_squad import load_question_texts, load_squad, pick_questions  # noqa: E402
from rag.settings import Settings  # noqa: E402

CATEGORIES = ("greetings", "conversations", "botprofile", "emotion", "humor", "psychology", "gossip")
LANGUAGES = ("english", "chinese", "traditionalchinese")
MAX_CHARS = 40      # what a reader types into a chat; longer lines are the bot's jokes and speeches
MAX_FALSE = 0.005   # out-of-fold share of real questions the gate may turn away, per language
FOLDS = 5
CS = (0.1, 1.0, 10.0, 100.0)
COMMON_RANKS = (1000, 2000, 5000, 10000, 20000, 50000, 100000)   # jieba's most frequent words taken as general language


def small_talk() -> list[dict]:
    """Unique short turns of the conversational categories, each tagged with its category."""
    data, seen, out = Path(chatterbot_corpus.__file__).parent / "data", set(), []
    for language in LANGUAGES:
        for category in CATEGORIES:
            doc = yaml.safe_load((data / language / f"{category}.yml").read_text(encoding="utf-8"))
            for turn in (str(t).strip() for conv in doc["conversations"] for t in conv):
                if turn and len(turn) <= MAX_CHARS and turn not in seen:
                    seen.add(turn)
                    out.append({"text": turn, "group": category, "category": category, "y": 1})
    return out


class Corpus:
    """What the gate asks of a corpus (``rag.index.lexical.Lexical`` in the product): whether it
    has a term, and which of its names an English turn spells in pinyin."""

    def __init__(self, texts: list[str]) -> None:
        self.tokens = {t for text in texts for t in tokenize(to_canonical(text))}
        self.pinyin = pinyin_map(self.tokens)

    def df(self, term: str) -> int:
        return int(term in self.tokens)

    def english_names(self, canonical: str) -> list[str]:
        return pinyin_terms(canonical, self.pinyin)


def corpora() -> dict[str, Corpus]:
    """Each set's whole file (every question is about it), and the bundled corpus for tests/qa."""
    out = {name: Corpus([f"{p.title}\n{p.context}" for p in load_squad(QA_DEV / para_file)])
           for name, (para_file, _, _) in SETS.items() if name != "xquad-en"}
    out["xquad-en"] = out["xquad"]
    out["qa"] = Corpus([f.read_text(encoding="utf-8") for f in sorted((ROOT / "data" / "corpus").iterdir())])
    return out


def questions() -> tuple[list[dict], list[dict]]:
    """(fitted on, held out): the qa-dev sets' and tests/qa's questions; held out are the ones the
    product's evals report on. A question's group is its id (shared by its translations)."""
    fit, held = [], []
    for name, (para_file, q_file, sample) in SETS.items():
        paragraphs = load_squad(QA_DEV / para_file)
        texts = load_question_texts(QA_DEV / q_file, paragraphs, QA_DEV / para_file) if q_file else None
        held_ids = eval_ids(paragraphs, texts, sample)
        for q in pick_questions(paragraphs, [], texts, None, SEED):
            if not q["question"].strip():
                continue    # subtle: CMRC has empty questions; the product refuses those before any gate
            row = {"text": q["question"], "group": q["id"], "category": name, "corpus": name, "y": 0}
            (held if q["id"] in held_ids else fit).append(row)
    qa = load_qa(ROOT / "tests" / "qa" / "qa.jsonl")
    qa_eval = {q["id"] for q in random.Random(SEED).sample(qa, round(len(qa) * QA_EVAL))}
    for q in qa:
        # a follow-up reaches the gate as the product's standalone query (那第二天呢？ → with its topic)
        row = {"text": standalone_query(q["question"], q.get("history") or []), "group": q["id"], "category": "qa",
               "corpus": "qa", "y": 0}
        (held if q["id"] in qa_eval else fit).append(row)
    return fit, held


EN_ASKS = ("{}", "Tell me about {}", "What do you know about {}?", "What do you think of {}?")
ZH_ASKS = ("{}", "介绍一下{}", "你知道{}吗？", "你觉得{}怎么样？")
_CAPITALISED = re.compile(r"\b[A-Z][\w'-]*(?:\s+(?:of|the|and|de|[A-Z0-9][\w'-]*))*(?:\s+[A-Z0-9][\w'-]*)?")


def subject_turns(questions: list[dict]) -> list[dict]:
    """Turns that name a subject without a reading-comprehension question's form: each set's
    article titles and the capitalised names of its English questions, bare and in a few
    everyday requests (``EN_ASKS``, ``ZH_ASKS``: ours), and every question's keywords alone."""
    subjects: dict[tuple[str, str], str] = {}
    for name, (para_file, q_file, _) in SETS.items():
        corpus = "xquad" if name == "xquad-en" else name
        for p in load_squad(QA_DEV / (q_file or para_file)):
            t = p.title.replace("_", " ")
            subjects[t, corpus] = lang(t)
    for q in questions:
        if lang(q["text"]) == "en":
            subjects |= {(m.group().strip(), "xquad" if q["corpus"] == "xquad-en" else q["corpus"]): "en"
                         for m in _CAPITALISED.finditer(q["text"]) if len(m.group()) > 3}
    out = [{"text": ask.format(t), "group": f"subject:{t}", "category": f"subjects-{l}", "corpus": c, "y": 0}
           for (t, c), l in sorted(subjects.items()) for ask in (EN_ASKS if l == "en" else ZH_ASKS)]
    out += [{"text": " ".join(words), "group": q["group"], "category": "keywords", "corpus": q["corpus"], "y": 0}
            for q in questions if (words := tokenize(to_canonical(q["text"])))]
    return out


def folds(rows: list[dict]) -> np.ndarray:
    """Fold per row: chatterbot categories spread over the folds whole, questions by a hash of their id."""
    cats = sorted(CATEGORIES)
    return np.asarray([cats.index(r["group"]) % FOLDS if r["y"] else zlib.crc32(r["group"].encode()) % FOLDS
                       for r in rows])


def fit_model(X: np.ndarray, y: np.ndarray, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(X, y)


def bars(p: np.ndarray, y: np.ndarray, langs: np.ndarray, sets: np.ndarray) -> dict[str, float]:
    """Per language, the lowest bar flagging at most MAX_FALSE of the questions (y == 0) of every set.

    subtle: per set, not pooled: pooled, DRCD's 3,343 questions let the bar flag 1.7 % of XQuAD's.
    A set too small to measure MAX_FALSE on (tests/qa's 71) counts only when no set is large enough."""
    out = {}
    for l in ("zh", "en"):
        groups = [m for s in np.unique(sets) if (m := (y == 0) & (langs == l) & (sets == s)).any()]
        big = [m for m in groups if m.sum() >= 1 / MAX_FALSE] or groups
        if big:
            out[l] = max(float(np.quantile(p[m], 1 - MAX_FALSE)) for m in big) + 1e-9
    return out


def out_of_fold(X: np.ndarray, y: np.ndarray, fold: np.ndarray, c: float) -> np.ndarray:
    p = np.zeros(len(y))
    for k in range(FOLDS):
        p[fold == k] = fit_model(X[fold != k], y[fold != k], c).predict_proba(X[fold == k])[:, 1]
    return p


def flagged(p: np.ndarray, langs: np.ndarray, bar: dict[str, float]) -> np.ndarray:
    return p >= np.asarray([bar[l] for l in langs])


def rates(rows: list[dict], flags: np.ndarray, key: str) -> str:
    out = {}
    for r, f in zip(rows, flags):
        out.setdefault(r[key], []).append(bool(f))
    return ", ".join(f"{k} {np.mean(v):.3f} ({sum(v)}/{len(v)})" for k, v in sorted(out.items()))


def common_freq(rank: int) -> float:
    """jieba's frequency of its ``rank``-th most frequent word: that and above is general language."""
    jieba.initialize()
    return float(sorted(jieba.dt.FREQ.values(), reverse=True)[rank - 1])


def names_nothing(rows: list[dict], corpus: dict[str, Corpus] | Corpus, freq: float) -> np.ndarray:
    """Per row, whether it names nothing its corpus has (``rag.answer.chitchat.names_subject``)."""
    pick = (lambda r: corpus) if isinstance(corpus, Corpus) else (lambda r: corpus[r["corpus"]])  # noqa: E731
    return np.asarray([not names_subject(to_canonical(r["text"]), lang(r["text"]), pick(r), freq) for r in rows])


def both(rows: list[dict], flags: np.ndarray, corpus: dict[str, Corpus], freq: float) -> dict[str, float]:
    """Per language, the share of ``rows`` (small talk, asked of every corpus) both tests flag."""
    langs = np.asarray([lang(r["text"]) for r in rows])
    out = {}
    for l in ("en", "zh"):
        sub = [r for r, k in zip(rows, langs == l) if k]
        if sub:
            out[l] = float(np.mean([(flags[langs == l] & names_nothing(sub, c, freq)).mean()
                                    for c in dict.fromkeys(corpus.values())]))
    return out


def choose_common(talk: list[dict], p_talk: np.ndarray, negatives: list[dict], p_neg: np.ndarray,
                  corpus: dict[str, Corpus]) -> tuple[int, dict, dict]:
    """(rank, bars, what each rank scored): the jieba rank taken as general language, and the
    vector bars at it. At each rank the bars are the lowest that keep both tests together at or
    under MAX_FALSE of every set of questions and subject turns; the rank is the one flagging the
    most small talk (mean over languages, asked of every corpus)."""
    y, langs = np.zeros(len(negatives), dtype=int), np.asarray([lang(r["text"]) for r in negatives])
    sets, talk_langs = np.asarray([r["category"] for r in negatives]), np.asarray([lang(r["text"]) for r in talk])
    results = {}
    for rank in COMMON_RANKS:
        freq = common_freq(rank)
        bar = bars(np.where(names_nothing(negatives, corpus, freq), p_neg, 0.0), y, langs, sets)
        results[rank] = {"bar": bar, "talk": both(talk, flagged(p_talk, talk_langs, bar), corpus, freq)}
    rank = max(COMMON_RANKS, key=lambda r: np.mean(list(results[r]["talk"].values())))
    return rank, results[rank]["bar"], results


def _limit(rows: list[dict], n: int | None) -> list[dict]:
    """At most ``n`` rows per category, a seeded draw in the rows' order."""
    if not n:
        return rows
    by: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by.setdefault(r["category"], []).append(i)
    keep = {i for idx in by.values() for i in random.Random(SEED).sample(idx, min(n, len(idx)))}
    return [r for i, r in enumerate(rows) if i in keep]


def fit_vector(rows: list[dict], X: np.ndarray) -> tuple[LogisticRegression, float, np.ndarray, dict]:
    """(model, C, out-of-fold probabilities, recall per C at the questions' bars) of the vector test."""
    y, langs = np.asarray([r["y"] for r in rows]), np.asarray([lang(r["text"]) for r in rows])
    fold, sets = folds(rows), np.asarray([r["category"] for r in rows])
    scores = {}
    for c in CS:
        p = out_of_fold(X, y, fold, c)
        scores[c] = (float(flagged(p, langs, bars(p, y, langs, sets))[y == 1].mean()), p)
    c = max(CS, key=lambda k: scores[k][0])
    return fit_model(X, y, c), c, scores[c][1], {k: v[0] for k, v in scores.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    ap.add_argument("--log", type=Path, default=ROOT / "fitting" / "fit_chitchat.txt")
    ap.add_argument("--limit", type=int, default=None, help="at most this many turns per category and "
                    "questions per set (a quick slice; the committed fit uses all)")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    embeddings = make_embeddings(Settings().embedding_model)
    embed = lambda rows: np.asarray([embeddings.embed_query(to_canonical(r["text"])) for r in rows])  # noqa: E731
    fit_q, held_q = questions()
    talk, fit_q = _limit(small_talk(), args.limit), _limit(fit_q, args.limit)
    subjects, corpus = _limit(subject_turns(fit_q), args.limit), corpora()
    negatives = fit_q + subjects
    model, c, p_oof, recall = fit_vector(talk + negatives, embed(talk + negatives))
    rank, bar, results = choose_common(talk, p_oof[:len(talk)], negatives, p_oof[len(talk):], corpus)
    gate = ChitChat(model.coef_[0], float(model.intercept_[0]), bar, common_freq(rank))
    ours = [{"text": q["question"], "group": "ours", "y": 1, "category": q["lang"]}
            for q in map(json.loads, CHITCHAT.read_text(encoding="utf-8").splitlines())]
    vec = lambda rs: np.asarray([gate.flags(v, lang(r["text"])) for r, v in zip(rs, embed(rs))])  # noqa: E731
    talk_langs = np.asarray([lang(r["text"]) for r in talk])
    q_bar = bars(p_oof[len(talk):], np.zeros(len(negatives), dtype=int),
                 np.asarray([lang(r["text"]) for r in negatives]), np.asarray([r["category"] for r in negatives]))
    p_subj = p_oof[len(talk) + len(fit_q):]
    ours_vec, held_vec = vec(ours), vec(held_q)
    lines = [
        f"small-talk gate, {embeddings.name}: {len(talk)} chatterbot turns ({len(CATEGORIES)} categories) and "
        f"{len(fit_q)} questions and {len(subjects)} subject turns fitted on; "
        f"{time.perf_counter() - t:.0f} s",
        "vector test: C by out-of-fold recall at its own bars: "
        + ", ".join(f"{k:g}: {v:.3f}" for k, v in recall.items()) + f" → {c:g}",
        "  alone, at its own bars (" + ", ".join(f"{l} {v:.3f}" for l, v in q_bar.items())
        + "), out of fold, small talk flagged: " + rates(talk, flagged(p_oof[:len(talk)], talk_langs, q_bar), "category"),
        "  alone, at those bars, out of fold, subject turns flagged: " + rates(
            subjects, flagged(p_subj, np.asarray([lang(r["text"]) for r in subjects]), q_bar), "category"),
        f"both tests (bars keep ≤ {MAX_FALSE} of every set of questions and subject turns flagged), by the jieba "
        "rank taken as general language: bars | small talk flagged, asked of every corpus",
        *(f"  {r:6d}: " + ", ".join(f"{l} {v:.3f}" for l, v in res["bar"].items()) + " | "
          + ", ".join(f"{l} {v:.3f}" for l, v in res["talk"].items()) for r, res in results.items()),
        f"  → rank {rank} (jieba frequency ≥ {gate.common_freq:g} is general language), bars "
        + ", ".join(f"{l} {v:.3f}" for l, v in bar.items()),
        "never fitted on, fitting/chitchat.jsonl: vector test " + rates(ours, ours_vec, "category")
        + "; both, asked of every corpus: "
        + ", ".join(f"{l} {v:.3f}" for l, v in both(ours, ours_vec, corpus, gate.common_freq).items()),
        "never fitted on, the eval questions flagged by both: "
        + rates(held_q, held_vec & names_nothing(held_q, corpus, gate.common_freq), "category"),
    ]
    args.out.write_text(json.dumps(gate.to_json() | {"space": embeddings.name.split("/")[-1], "C": c,
                                                      "common_rank": rank, "fitted": time.strftime("%Y-%m-%d")})
                        + "\n", encoding="utf-8")
    args.log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
