"""The near-miss weight is the least one the data ask for, chosen on repeated out-of-fold abstention."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answer.features import QUESTION_FEATURES

abstention = pytest.importorskip("fitting.abstention")    # needs scikit-learn (the dev extra)

LOGIT, MISS = QUESTION_FEATURES.index("best_logit"), QUESTION_FEATURES.index("top_miss_ctx")


def _vector(rng, logit: float, miss: float) -> np.ndarray:
    v = rng.normal(0.0, 0.1, len(QUESTION_FEATURES))
    v[LOGIT] += logit
    v[MISS] = miss
    return v


def _rows(near_miss_like_held: bool, n: int = 150) -> list[dict]:
    """Answerable questions with a high best logit; held-out ones with a low one. Their near
    misses either look like held-out questions, or keep the high logit and differ only in that
    the question's most specific term is missing from the answer's context."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        near = _vector(rng, -2.0, 0.0) if near_miss_like_held else _vector(rng, 2.0, 1.0)
        rows.append({"answerable": True, "y": np.array([True]), "qx": _vector(rng, 2.0, 0.0), "qx_missing": near,
                     "set": "a", "lang": "zh", "off": False})
        rows.append({"answerable": False, "y": np.array([False]), "qx": _vector(rng, -2.0, 0.0),
                     "set": "a", "lang": "zh", "off": i % 2 == 0})
    return rows


@pytest.mark.slow
def test_near_misses_that_teach_nothing_get_no_weight():
    trees, bars, w, scores = abstention.fit_answerable(_rows(near_miss_like_held=True), max_false=0.03)
    assert w == 0.0
    assert set(scores) == set(abstention.NEAR_MISS_WEIGHTS)
    assert all(s["se"] >= 0 and set(s["rates"]) == {"held", "off", "near"} for s in scores.values())
    assert set(bars) == {"zh"} and 0 < bars["zh"] < 1


@pytest.mark.slow
def test_near_misses_only_the_weight_separates_get_the_least_weight_that_works():
    rows = _rows(near_miss_like_held=False)
    trees, bars, w, scores = abstention.fit_answerable(rows, max_false=0.03)
    assert w == min(v for v in abstention.NEAR_MISS_WEIGHTS if v > 0)
    assert scores[w]["rates"]["near"] > scores[0.0]["rates"]["near"] + 0.5
    near = np.vstack([r["qx_missing"] for r in rows if r["answerable"]])
    assert (trees.probability(near) < bars["zh"]).mean() > 0.9      # the final model abstains on them
