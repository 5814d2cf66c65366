"""Fitting whether retrieved text answers a question: the answerable trees, their bars, the near-miss weight.

Owns: the gradient-boosted trees over question features (monotone where more evidence can only
help), and the choice of the near-miss weight and the per-language answer bars by repeated,
grouped cross-validation. Does not own: collecting features (``fitting/fit_answer.py``), nor
applying the trees (``rag.answer.model.Trees``, which must agree with scikit-learn exactly).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from rag.answer.features import QUESTION_FEATURES
from rag.answer.model import Trees

NEAR_MISS_WEIGHTS = (0.0, 0.1, 0.3)
FOLDS = 5
BAGS = 1         # replicates fit_trees averages: one plain fit (five were measured and not kept, README "Refit noise")
REPEATS = 3      # fold assignments the weight choice is averaged over (one split flipped it on 0.001)
KINDS = ("held", "off", "near")

# subtle: more evidence never makes a question less answerable — without this prior the trees
# learn dips from chance combinations (a title-only match abstained although its sentence won).
INCREASING = {"best_logit", "logit_gap", "top_sim", "top_sim_hub", "top_cov", "top_cov_ctx", "top_bigram",
              "top_focus", "top_type_new", "max_sim", "max_cov_ctx", "max_type_new", "known", "in_top", "top_dense"}
DECREASING = {"top_miss_ctx"}   # the answer's context lacking the question's most specific term


def lang(r: dict) -> str:
    return "en" if r["lang"] == "en" else "zh"


def set_weights(rows: list[dict]) -> dict[str, float]:
    """Per set, the weight that makes each set count as much as any other, whatever its size.

    subtle: without it the three encyclopaedia sets (1,400 questions, where retrieval almost
    always ranks the gold paragraph first) drown the news set (93): a news archive has many
    articles on one subject, so a rule like "trust the top chunk" must not come from the
    encyclopaedias alone.
    """
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["set"]] = counts.get(r["set"], 0) + 1
    mean = len(rows) / max(len(counts), 1)
    return {name: mean / n for name, n in counts.items()}


def fit_trees(X: np.ndarray, y: np.ndarray, names: tuple[str, ...], sample_weight: np.ndarray,
              bags: int = BAGS) -> Trees:
    """Gradient-boosted trees; with ``bags`` > 1, averaged over that many bootstrap replicates,
    each fitted with Poisson(1) weights: the same kind of trees for the product to walk, their
    leaf values divided by ``bags``."""
    monotonic = [1 if n in INCREASING else -1 if n in DECREASING else 0 for n in names]
    trees: list[dict] = []
    baselines, decision = [], np.zeros(len(X))
    for b in range(bags):
        w = sample_weight if bags == 1 else sample_weight * np.random.default_rng(b).poisson(1.0, len(X))
        gb = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=30,
                                            monotonic_cst=monotonic, random_state=0).fit(X, y, sample_weight=w)
        baselines.append(float(np.ravel(gb._baseline_prediction)[0]))
        trees += [{"feature": p.nodes["feature_idx"].astype(int), "threshold": p.nodes["num_threshold"],
                   "left": p.nodes["left"].astype(int), "right": p.nodes["right"].astype(int),
                   "leaf": p.nodes["is_leaf"].astype(bool), "value": p.nodes["value"] / bags}
                  for stage in gb._predictors for p in stage]
        decision += gb.decision_function(X) / bags
    model = Trees(names, float(np.mean(baselines)), tuple(trees))
    # subtle: the product applies the trees with numpy; they must agree with scikit-learn exactly
    assert np.allclose(model.logit(X), decision, atol=1e-6)
    return model


def _examples(train: list[dict]) -> dict:
    """Answerable questions whose answer was retrieved (positives); held-out paragraphs' and other
    corpora's questions, and every positive with its answering sentences removed (negatives).
    ``question`` ties a near miss to its positive, so folds never split them."""
    found = [r for r in train if r["answerable"] and r["y"].any()]
    held = [r for r in train if not r["answerable"]]
    balance = set_weights(found + held)
    ex = [(r["qx"], True, balance[r["set"]], i, lang(r), "found") for i, r in enumerate(found)]
    ex += [(r["qx"], False, balance[r["set"]], len(found) + i, lang(r), "off" if r["off"] else "held")
           for i, r in enumerate(held)]
    ex += [(r["qx_missing"], False, balance[r["set"]], i, lang(r), "near") for i, r in enumerate(found)]
    cols = list(zip(*ex))
    return {"QX": np.vstack(cols[0]), "y": np.asarray(cols[1]), "balance": np.asarray(cols[2]),
            "question": np.asarray(cols[3]), "lang": np.asarray(cols[4]), "kind": np.asarray(cols[5])}


def _weights(ex: dict, w: float) -> np.ndarray:
    return ex["balance"] * np.where(ex["kind"] == "near", w, 1.0)


def _out_of_fold(ex: dict, weights: np.ndarray, folds: np.ndarray, bags: int) -> np.ndarray:
    oof = np.zeros(len(ex["y"]))
    for fold in range(FOLDS):
        train = folds != fold
        model = fit_trees(ex["QX"][train], ex["y"][train], QUESTION_FEATURES, weights[train], bags)
        oof[~train] = model.probability(ex["QX"][~train])
    return oof


def _bars(ex: dict, oof: np.ndarray, max_false: float) -> dict[str, float]:
    found = ex["kind"] == "found"
    return {l: float(np.quantile(oof[found & (ex["lang"] == l)], max_false)) for l in ("zh", "en")
            if (found & (ex["lang"] == l)).any()}


def _rates(ex: dict, below: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    return {k: float(below[mask & (ex["kind"] == k)].mean()) for k in KINDS if (mask & (ex["kind"] == k)).any()}


def _scores(ex: dict, oof: np.ndarray, bars: dict, folds: np.ndarray) -> tuple[list[float], dict]:
    """Per fold, the mean abstention over the kinds of unanswerable question in it; and the rates
    per kind over all folds."""
    below = oof < np.asarray([bars.get(l, 0.0) for l in ex["lang"]])
    per_fold = [_rates(ex, below, folds == fold) for fold in range(FOLDS)]
    return [float(np.mean(list(r.values()))) if r else 0.0 for r in per_fold], _rates(ex, below, folds >= 0)


def fit_answerable(train: list[dict], max_false: float, seed: int = 0,
                   bags: int = BAGS) -> tuple[Trees, dict, float, dict]:
    """The answerable model, its bars per question language, the near-miss weight, and what each
    weight scored.

    For each weight, ``REPEATS`` grouped fold assignments give out-of-fold probabilities; the
    bars (per language, the highest that keeps false abstention on answerable questions within
    ``max_false``) come from each repeat and are averaged; the score of a fold is its mean
    abstention over held-out paragraphs' questions, off-topic questions and near misses. The
    weight is the *smallest* whose mean score is within one standard error of the best: the
    near misses are synthetic (answers deleted from a real corpus), so they get weight only
    when the data clearly ask for it. Sets are balanced.
    """
    ex = _examples(train)
    rng = np.random.default_rng(seed)
    n_questions = int(ex["question"].max()) + 1
    assignments = [rng.permutation(n_questions)[ex["question"]] % FOLDS for _ in range(REPEATS)]
    results = {}
    for w in NEAR_MISS_WEIGHTS:
        scores, bars, rates = [], [], []
        for folds in assignments:
            oof = _out_of_fold(ex, _weights(ex, w), folds, bags)
            bars.append(_bars(ex, oof, max_false))
            fold_scores, kind_rates = _scores(ex, oof, bars[-1], folds)
            scores += fold_scores
            rates.append(kind_rates)
        results[w] = {"mean": float(np.mean(scores)), "se": float(np.std(scores, ddof=1) / np.sqrt(len(scores))),
                      "bars": {l: float(np.mean([b[l] for b in bars])) for l in bars[0]},
                      "rates": {k: float(np.mean([r[k] for r in rates])) for k in rates[0]}}
    best = max(results, key=lambda w: results[w]["mean"])
    w = min(v for v in results if results[v]["mean"] >= results[best]["mean"] - results[best]["se"])
    return fit_trees(ex["QX"], ex["y"], QUESTION_FEATURES, _weights(ex, w), bags), results[w]["bars"], w, results


def describe(w: float, result: dict) -> str:
    """One line of the weight choice, for the fitting log."""
    return (f"near-miss weight {w}: out-of-fold abstention {result['mean']:.3f} ± {result['se']:.3f} ("
            + ", ".join(f"{k} {v:.3f}" for k, v in result["rates"].items()) + ") at bars "
            + ", ".join(f"{l} {b:.3f}" for l, b in result["bars"].items()))
