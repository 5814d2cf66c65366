"""The fitted models as the product applies them: numpy reproduces scikit-learn, weights round-trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.answer.features import QUESTION_FEATURES, SENTENCE_FEATURES, question_vector
from rag.answer.model import WEIGHTS, AnswerModel, Logistic, Trees, load_scorer

fit_answer = pytest.importorskip("fitting.fit_answer")    # scikit-learn: the dev extra
abstention = pytest.importorskip("fitting.abstention")


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] * X[:, 2] + rng.normal(scale=0.3, size=400)) > 0
    return X, y


def test_trees_applied_in_numpy_equal_scikit_learns(data):  # noqa: D103
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = data
    trees = abstention.fit_trees(X, y, ("a", "b", "c", "d"), np.ones(len(y)))
    gb = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=15,
                                        min_samples_leaf=30, random_state=0).fit(X, y)
    assert np.allclose(trees.probability(X), gb.predict_proba(X)[:, 1], atol=1e-9)
    again = load_scorer(json.loads(json.dumps(trees.to_json())))
    assert isinstance(again, Trees) and np.allclose(again.logit(X), trees.logit(X))


def test_bagged_trees_average_bootstrap_replicates_the_product_can_walk(data):  # noqa: D103
    X, y = data
    single = abstention.fit_trees(X, y, ("a", "b", "c", "d"), np.ones(len(y)), bags=1)
    bagged = abstention.fit_trees(X, y, ("a", "b", "c", "d"), np.ones(len(y)), bags=3)
    assert len(bagged.trees) == 3 * len(single.trees)
    assert not np.allclose(bagged.logit(X), single.logit(X))          # replicates, not three copies
    assert list(bagged.logit(X[:20])) == [_walk_each_tree(bagged, x) for x in X[:20]]
    # each replicate is still fitted to the data: the average agrees with the single fit's verdicts
    assert np.mean((bagged.probability(X) > 0.5) == (single.probability(X) > 0.5)) > 0.9


def _walk_each_tree(trees: Trees, x: np.ndarray) -> float:
    """The textbook walk: one row, one tree at a time, summed in tree order."""
    total = trees.baseline
    for t in trees.trees:
        node = 0
        while not t["leaf"][node]:
            node = t["left"][node] if x[t["feature"][node]] <= t["threshold"][node] else t["right"][node]
        total += t["value"][node]
    return total


@pytest.mark.parametrize("kind", ["separate", "late"])
def test_committed_trees_score_bit_for_bit_like_a_tree_by_tree_walk(kind):
    # subtle: bit for bit, not allclose — a fitted bar can sit on the last bit (tests/qa un-08).
    trees = AnswerModel.load(kind).answerable
    rng = np.random.default_rng(1)
    cuts = [np.concatenate([t["threshold"][(t["feature"] == j) & ~np.asarray(t["leaf"], dtype=bool)]
                            for t in trees.trees]) for j in range(len(trees.features))]
    # rows on and beside the trees' own thresholds, where a walk can go wrong
    X = np.column_stack([rng.choice(c, 300) + rng.choice([0.0, 1e-9, -1e-9], 300) if len(c) else
                         rng.normal(size=300) for c in cuts])
    assert list(trees.logit(X)) == [_walk_each_tree(trees, x) for x in X]
    assert trees.logit(X[0]).shape == (1,)


def test_logistic_applied_in_numpy_equals_scikit_learns(data):
    from sklearn.linear_model import LogisticRegression

    X, y = data
    model = fit_answer.fit_logistic(X, y, ("a", "b", "c", "d"))
    lr = LogisticRegression(C=1.0, max_iter=2000).fit((X - X.mean(0)) / X.std(0), y)
    assert np.allclose(model.probability(X), lr.predict_proba((X - X.mean(0)) / X.std(0))[:, 1], atol=1e-6)
    again = load_scorer(json.loads(json.dumps(model.to_json())))
    assert isinstance(again, Logistic) and np.allclose(again.logit(X), model.logit(X))


@pytest.mark.parametrize("kind", ["separate", "late"])
def test_committed_weights_match_the_features(kind):
    if kind not in json.loads(WEIGHTS.read_text(encoding="utf-8")):
        pytest.skip(f"no {kind} weights fitted")
    m = AnswerModel.load(kind)
    assert m.sentence.features == SENTENCE_FEATURES and m.ranker.features == SENTENCE_FEATURES
    assert m.answerable.features == QUESTION_FEATURES
    assert set(m.answer_bar) == {"zh", "en"} and all(0 < b < 1 for b in m.answer_bar.values())
    assert set(m.extra_bar) == {"zh", "en"} and all(0 < b <= 1 for b in m.extra_bar.values())
    assert m.max_sentences >= 1


@pytest.mark.parametrize("n", [0, 1, 5])
def test_question_vector_has_one_value_per_feature(n):
    X = np.random.default_rng(1).normal(size=(n, len(SENTENCE_FEATURES)))
    v = question_vector(X, X[:, 0], np.zeros(5))
    assert v.shape == (len(QUESTION_FEATURES),) and np.isfinite(v).all()


def test_the_ranker_orders_and_the_sentence_model_gives_probabilities():
    n = len(SENTENCE_FEATURES)
    X = np.eye(2, n)
    def scorer(coef):
        return Logistic(SENTENCE_FEATURES, np.zeros(n), np.ones(n), np.asarray(coef, dtype=float), 0.0)
    sentence = scorer([1.0, 0.0] + [0.0] * (n - 2))     # prefers candidate 0
    ranker = scorer([0.0, 1.0] + [0.0] * (n - 2))       # prefers candidate 1
    zero = scorer([0.0] * n)
    model = AnswerModel(zero, sentence, zero, {"zh": 0.5, "en": 0.5}, {"zh": 0.5, "en": 0.5}, 3, ranker)
    logits = sentence.logit(X)
    assert int(np.argmax(model.order_logits(X, logits))) == 1
    no_ranker = AnswerModel(zero, sentence, zero, {"zh": 0.5, "en": 0.5}, {"zh": 0.5, "en": 0.5}, 3)
    assert int(np.argmax(no_ranker.order_logits(X, logits))) == 0
