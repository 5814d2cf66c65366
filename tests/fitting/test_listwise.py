"""The conditional logit both rankers are fitted with: it learns to put the gold candidate first."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("scipy")
from fitting import listwise  # noqa: E402


def _question(rng, gold_feature: int, n: int = 6):
    X = rng.normal(size=(n, 2))
    gold = int(rng.integers(n))
    X[gold, gold_feature] += 3.0
    return X, np.arange(n) == gold


def test_learns_what_marks_the_gold_candidate():
    rng = np.random.default_rng(0)
    groups = [_question(rng, 0) for _ in range(200)]
    coef = listwise.fit(groups, c=10.0)
    assert coef[0] > 1.0 and abs(coef[1]) < 0.5 * coef[0]
    top1 = np.mean([y[int(np.argmax(X @ coef))] for X, y in groups])
    assert top1 > 0.9


def test_question_weights_decide_between_conflicting_sets():
    rng = np.random.default_rng(1)
    a = [_question(rng, 0) for _ in range(100)]      # gold marked by feature 0
    b = [_question(rng, 1) for _ in range(100)]      # gold marked by feature 1
    weights = np.r_[np.full(100, 5.0), np.full(100, 0.2)]
    coef = listwise.fit(a + b, c=10.0, weights=weights)
    assert coef[0] > coef[1]
    coef = listwise.fit(a + b, c=10.0, weights=weights[::-1])
    assert coef[1] > coef[0]


def test_questions_without_a_gold_candidate_teach_nothing():
    rng = np.random.default_rng(2)
    groups = [_question(rng, 0) for _ in range(50)]
    noise = [(rng.normal(size=(5, 2)), np.zeros(5, dtype=bool)) for _ in range(50)]
    np.testing.assert_allclose(listwise.fit(groups + noise, c=1.0), listwise.fit(groups, c=1.0))


def test_choose_c_scores_every_value_out_of_fold():
    rng = np.random.default_rng(3)
    groups = [_question(rng, 0) for _ in range(60)]
    best, scores = listwise.choose_c(groups, (0.01, 10.0), folds=3)
    assert best in (0.01, 10.0) and set(scores) == {0.01, 10.0}
    assert all(0.0 <= s <= 1.0 for s in scores.values()) and scores[best] == max(scores.values())
