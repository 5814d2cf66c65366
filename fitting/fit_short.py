"""Fit the short-answer scorer (``rag/answer/short_weights.json``) on the dev QA sets.

Run from the repository root:
    python fitting/fit_short.py [--data ../shared/qa-dev] [--limit N] [--out PATH] [--report PATH]

Training examples are made WITHOUT retrieval: for each question, the sentence of its gold
paragraph holding the gold answer is the answering sentence (the title and neighbouring
sentences are its context); each candidate span of ``rag.answer.candidates.candidates`` is a
row labelled 1 when it equals a gold answer (``rag.eval_squad.span_key`` form).
Only questions that ask for a typed span (``asked_type``) are rows: the others get no
short answer at run time. Each typed question is also an example on the neighbour of its
answering sentence that does not answer it (``wrong``): the confidence model learns from it
what the best span of a wrong sentence looks like; the ranking and the bar never see it.

Held-out discipline: the questions that ``rag eval --squad`` asks (``--sample 120
--limit-questions 150 --seed 0``; XQuAD ``--sample 100``), found with the evaluator's own
``split_sample`` / ``pick_questions``, are excluded from fitting and measured separately.

Fitted here, nothing by hand: the ranking weights (a conditional logit: a softmax over
each question's candidates, fitted on the questions whose gold is a candidate); its L2
strength C (grouped 5-fold cross-validation over a grid, by top-1 accuracy per question);
the confidence model (logistic: is the top candidate a useful answer — token F1 with a gold
answer ≥ ``rag.eval_squad.USEFUL_F1``, so 近17% for 17% counts, a wrong name does not —
from the top probability, the margin, the number of candidates, whether the top one and any
one is of the asked type, and the asked type, over all typed fitting questions and their wrong
sentences); the display bar on that confidence (the value that maximises
shown-useful minus shown-misleading on the fitting questions' answering sentences: a misleading bold answer
costs as much as a useful one gains). The report also gives EM/F1 with the top candidate
always shown, and the share of shown answers that mislead.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fitting import listwise  # noqa: E402
from ingest import split_sentences, to_canonical  # noqa: E402
from rag.eval_squad import (USEFUL_F1, exact_match, f1_score, load_question_texts, load_squad,  # noqa: E402
                            pick_questions, span_key, split_sample, useful)
from rag.answer.asking import asked_type  # noqa: E402
from rag.answer.candidates import candidates  # noqa: E402
from rag.answer.features import MIN_CHARS  # noqa: E402
from rag.answer.short import CONFIDENCE_NAMES, FEATURE_NAMES, WEIGHTS_PATH, confidence_features, features  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "qa-dev"
# (name, gold file, question file or None, --sample of the product's evaluation)
SETS = [("cmrc", "cmrc2018_trial.json", None, 120), ("drcd", "drcd_test.json", None, 120),
        ("xquad-zh", "xquad_dev.zh.json", None, 100), ("xquad-en", "xquad_dev.zh.json", "xquad_dev.en.json", 100)]
EVAL_LIMIT, EVAL_SEED = 150, 0
C_GRID = [0.1, 1.0, 10.0, 100.0]
FOLDS = 5


def eval_ids(paragraphs, texts, sample: int) -> set[str]:
    """The ids ``rag eval --squad`` asks with the product's parameters."""
    indexed, held = split_sample(paragraphs, sample, EVAL_SEED)
    return {item["id"] for item in pick_questions(indexed, held, texts, EVAL_LIMIT, EVAL_SEED)}


def examples(data: Path, limit: int | None) -> list[dict]:
    """One dict per question: set, id, eval flag, asked type, sentence(s), golds, candidates."""
    out = []
    for name, gold_file, q_file, sample in SETS:
        paragraphs = load_squad(data / gold_file)
        texts = load_question_texts(data / q_file, paragraphs, data / gold_file) if q_file else None
        held_out = eval_ids(paragraphs, texts, sample)
        n = 0
        for p in paragraphs:
            for qa in p.qas:
                if limit is not None and n >= limit:
                    break
                question = texts[qa["id"]] if texts else qa["question"]
                out += _example(name, qa, question, p, qa["id"] in held_out)
                n += 1
    return out


def _example(name: str, qa: dict, question: str, p, held_out: bool) -> list[dict]:
    """The question's example on its answering sentence and, when there is one, on a neighbour
    that does not answer it (``wrong``: what the product quotes first when its sentence choice
    misses — the neighbour of the right sentence, README's answers issue)."""
    sentences = split_sentences(to_canonical(p.context))
    golds = [to_canonical(a) for a in qa["answers"]]
    at = next((i for i, s in enumerate(sentences) if any(g and g in s for g in golds)), None)
    ex = {"set": name, "id": qa["id"], "eval": held_out, "asked": asked_type(question), "golds": golds,
          "question": question, "found": at is not None, "wrong": False, "cands": [], "X": None, "y": None}
    if at is None or ex["asked"] is None:
        return [ex]
    out = [_candidates(ex, question, sentences, at, p.title)]
    q = to_canonical(question)
    q_bigrams = {q[i:i + 2] for i in range(len(q) - 1)}
    near = [i for i in (at - 1, at + 1) if 0 <= i < len(sentences) and len(sentences[i]) >= MIN_CHARS
            and not any(g and g in sentences[i] for g in golds)]
    if near:
        k = max(near, key=lambda i: (sum(b in sentences[i] for b in q_bigrams), -i))
        out.append(_candidates(ex | {"wrong": True, "found": False}, question, sentences, k, p.title))
    return out


def _candidates(ex: dict, question: str, sentences: list[str], at: int, title: str) -> dict:
    sentence = sentences[at]
    context = to_canonical(title) + "".join(sentences[max(at - 1, 0):at] + sentences[at + 1:at + 2])
    cands = candidates(sentence, question)
    keys = {span_key(g) for g in ex["golds"]}
    ex["cands"], ex["kinds"], ex["X"], ex["y"] = [c.text for c in cands], [c.kind for c in cands], None, None
    if cands:
        ex["X"] = features(question, sentence, cands, ex["asked"], context)
        ex["y"] = np.asarray([span_key(c.text) in keys for c in cands], dtype=int)
    return ex


def _fit(exs: list[dict], c: float) -> np.ndarray:
    """Conditional logit over each question's candidates (``fitting/listwise.py``)."""
    return listwise.fit([(e["X"], e["y"]) for e in exs if e["X"] is not None and not e["wrong"]], c)


def choose_c(exs: list[dict]) -> tuple[float, dict]:
    rows = [e for e in exs if e["X"] is not None and not e["wrong"]]
    return listwise.choose_c([(e["X"], e["y"]) for e in rows], tuple(C_GRID), FOLDS)


def predictions(exs: list[dict], coef: np.ndarray) -> None:
    """Store each example's best candidate, its softmax probability and confidence features."""
    for e in exs:
        e["best"], e["p"], e["conf_x"] = None, 0.0, None
        if e["X"] is not None:
            z = e["X"] @ coef
            order = np.argsort(-z, kind="stable")
            probs = np.exp(z - z[order[0]])
            probs = (probs / probs.sum())[order]
            e["best"], e["p"] = e["cands"][order[0]], float(probs[0])
            e["conf_x"] = confidence_features(e["asked"], probs.tolist(), [e["kinds"][i] for i in order])


def fit_confidence(exs: list[dict]) -> np.ndarray:
    """Logistic model: is the top candidate a useful answer? (all typed fitting questions with
    candidates, including those whose gold is no candidate, on their answering sentence and on
    the neighbour that does not answer them: a wrong sentence's best span is never useful)."""
    rows = [e for e in exs if e["conf_x"] is not None]
    X = np.vstack([e["conf_x"] for e in rows])
    y = np.asarray([useful(e["best"], e["golds"]) for e in rows], dtype=int)
    # subtle: the bias is a feature column, so sklearn's own intercept is off (no double bias).
    return LogisticRegression(C=1.0, fit_intercept=False, max_iter=2000).fit(X, y).coef_[0]


def apply_confidence(exs: list[dict], conf: np.ndarray) -> None:
    for e in exs:
        if e["conf_x"] is not None:
            e["p"] = float(1 / (1 + np.exp(-e["conf_x"] @ conf)))


def choose_threshold(exs: list[dict]) -> float:
    """The bar maximising (shown useful − shown misleading) over the fitting questions on their
    answering sentences (1.0, showing nothing, when no bar gains).

    subtle: not on the wrong sentences: how often the product quotes one first is the sentence
    model's business; here they only teach the confidence what a wrong sentence looks like."""
    shown = sorted(((e["p"], useful(e["best"], e["golds"])) for e in exs if e["best"] and not e.get("wrong")),
                   reverse=True)
    best_gain, gain, bar = 0.0, 0.0, 1.0
    for p, good in shown:
        gain += 1 if good else -1
        if gain > best_gain:
            best_gain, bar = gain, p
    return bar


def measure(exs: list[dict], bar: float) -> dict:
    wrong = [e for e in exs if e["wrong"] and e["best"]]
    exs = [e for e in exs if not e["wrong"]]
    typed = [e for e in exs if e["asked"]]
    shorts = [e["best"] if e["best"] and e["p"] >= bar else "" for e in exs]
    em = [exact_match(s, e["golds"]) for s, e in zip(shorts, exs)]
    f1 = [f1_score(s, e["golds"]) for s, e in zip(shorts, exs)]
    mean = lambda xs: round(float(np.mean(xs)), 3) if len(xs) else None  # noqa: E731
    is_typed = [bool(e["asked"]) for e in exs]
    return {"questions": len(exs), "typed": len(typed),
            "gold_sentence": mean([e["found"] for e in typed]),
            "candidate_recall": mean([bool(e["y"] is not None and e["y"].any()) for e in typed if e["found"]]),
            "shown": mean([bool(s) for s, t in zip(shorts, is_typed) if t]),
            "em_typed": mean([x for x, t in zip(em, is_typed) if t]), "f1_typed": mean([x for x, t in zip(f1, is_typed) if t]),
            "em_all": mean(em), "f1_all": mean(f1),
            "misleading": mean([not useful(s, e["golds"]) for s, e, t in zip(shorts, exs, is_typed) if t and s]),
            "shown_wrong": mean([e["p"] >= bar for e in wrong])}


def english_bar_check(exs: list[dict], fit: list[dict], bar: float) -> str:
    """Tried and not kept (README): English questions with a display bar of their own."""
    en_bar = choose_threshold([e for e in fit if e["set"] == "xquad-en"])

    def net(part: bool, b: float) -> str:
        shown = [e for e in exs if e["set"] == "xquad-en" and e["eval"] == part and not e["wrong"]
                 and e["asked"] and e["best"] and e["p"] >= b]
        good = sum(useful(e["best"], e["golds"]) for e in shown)
        return f"shown {len(shown)} useful {good} misleading {len(shown) - good} net {2 * good - len(shown):+d}"
    return (f"an English bar of its own ({en_bar:.3f}, not kept) vs the shared one: xquad-en fit {net(False, bar)} → "
            f"{net(False, en_bar)}; eval {net(True, bar)} → {net(True, en_bar)}")


def report(exs: list[dict], bar: float) -> list[str]:
    cols = ["questions", "typed", "gold_sentence", "candidate_recall", "shown", "em_typed", "f1_typed", "em_all",
            "f1_all", "misleading", "shown_wrong"]
    lines = ["set        part  " + "  ".join(f"{c:>16}" for c in cols)]
    for name in [s[0] for s in SETS]:
        for part, keep in (("fit", False), ("eval", True)):
            m = measure([e for e in exs if e["set"] == name and e["eval"] == keep], bar)
            lines.append(f"{name:<10} {part:<5} " + "  ".join(f"{str(m[c]):>16}" for c in cols))
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None, help="questions per set (a quick slice)")
    ap.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    ap.add_argument("--report", type=Path, default=None, help="also write the printed report here")
    args = ap.parse_args(argv)
    exs = examples(args.data, args.limit)
    fit = [e for e in exs if not e["eval"]]
    n_questions = sum(not e["wrong"] for e in fit)
    c, cv = choose_c(fit)
    coef = _fit(fit, c)
    rows = sum(len(e["y"]) for e in fit if e["X"] is not None and not e["wrong"])
    predictions(exs, coef)
    conf = fit_confidence(fit)
    apply_confidence(exs, conf)
    bar = choose_threshold(fit)
    weights = {"features": FEATURE_NAMES, "model": "softmax", "coef": [round(float(w), 6) for w in coef],
               "intercept": 0.0, "confidence_features": CONFIDENCE_NAMES,
               "confidence": [round(float(w), 6) for w in conf],
               "threshold": round(bar, 6), "C": c, "fitted": str(date.today()), "rows": int(rows),
               "questions": sum(e["X"] is not None and not e["wrong"] for e in fit), "script": "fitting/fit_short.py"}
    args.out.write_text(json.dumps(weights, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    lines = [f"short-answer fit: {n_questions} fitting questions ({weights['questions']} typed with candidates, "
             f"{rows} candidate rows); eval ids held out: {sum(e['eval'] and not e['wrong'] for e in exs)}",
             "softmax over each question's candidates; C by grouped 5-fold top-1 accuracy: " + ", ".join(f"{k:g}: {v:.3f}" for k, v in cv.items()) + f" → {c:g}",
             f"display bar on the fitted confidence (max shown-useful − shown-misleading): {bar:.3f}",
             "EM/F1 use the gold paragraph's answering sentence (no retrieval); *_all counts untyped questions as 0;",
             f"misleading: shown answers with token F1 < {USEFUL_F1} to every gold; shown_wrong: the share of"
             f" wrong-sentence examples ({sum(e['wrong'] and e['X'] is not None for e in fit)} fitted) whose span is shown.",
             *report(exs, bar),
             english_bar_check(exs, fit, bar),
             "top-1 always shown (no display bar), eval ids: " + ", ".join(
                 f"{n} EM {m['em_typed']} F1 {m['f1_typed']}" for n, m in
                 ((n, measure([e for e in exs if e["set"] == n and e["eval"]], 0.0)) for n, *_ in SETS)),
             "confidence weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(CONFIDENCE_NAMES, conf)),
             "largest weights: " + ", ".join(f"{n} {w:+.2f}" for w, n in sorted(zip(coef, FEATURE_NAMES),
                                                                                  key=lambda t: -abs(t[0]))[:12])]
    text = "\n".join(lines)
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
