"""Conditional logit — a softmax over each question's candidates — shared by the fitting scripts.

Owns: fitting the ranking weights (maximise the log-probability mass on each question's gold
candidates, minus ||w||² / 2C, each question optionally weighted) and choosing C by grouped
k-fold top-1 accuracy. A ranking is judged by what comes first, so this is what the sentence
ranker (``fit_answer.py``) and the short-answer ranker (``fit_short.py``) optimise.
Does not own: features, calibration of the scores into probabilities (the callers do it).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

__all__ = ["choose_c", "fit"]

Group = tuple[np.ndarray, np.ndarray]   # (candidate rows X, gold flags y) of one question


def fit(groups: list[Group], c: float, weights: np.ndarray | None = None) -> np.ndarray:
    """Ranking weights (no bias: a constant is the same for every candidate of a question).
    Only questions with a gold candidate teach the ranking."""
    keep = [i for i, (_, y) in enumerate(groups) if np.asarray(y).any()]
    X = np.vstack([groups[i][0] for i in keep])
    pos = np.concatenate([np.asarray(groups[i][1], dtype=bool) for i in keep])
    bounds = np.cumsum([0] + [len(groups[i][1]) for i in keep])
    group = np.repeat(np.arange(len(keep)), np.diff(bounds))
    qw = np.ones(len(keep)) if weights is None else np.asarray(weights, dtype=float)[keep]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = X @ w
        zmax = np.maximum.reduceat(z, bounds[:-1])[group]
        ez = np.exp(z - zmax)
        tot = np.add.reduceat(ez, bounds[:-1])
        tot_pos = np.add.reduceat(np.where(pos, ez, 0.0), bounds[:-1])
        value = -np.sum(qw * (np.log(tot_pos) - np.log(tot))) + w @ w / (2 * c)
        # gradient: Σ weight · (p_all − p_pos) x, with p_pos renormalised over the golds
        p_all = ez / tot[group]
        p_pos = np.where(pos, ez, 0.0) / tot_pos[group]
        return value, X.T @ (qw[group] * (p_all - p_pos)) + w / c

    return minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500}).x


def choose_c(groups: list[Group], grid: tuple[float, ...], folds: int = 5,
             weights: np.ndarray | None = None) -> tuple[float, dict[float, float]]:
    """The C with the best (weighted) top-1 accuracy out of fold; folds by question; ties → smaller C."""
    w = np.ones(len(groups)) if weights is None else np.asarray(weights, dtype=float)
    fold = np.arange(len(groups)) % folds
    scores = {}
    for c in grid:
        hits = 0.0
        for k in range(folds):
            train = [i for i in range(len(groups)) if fold[i] != k]
            coef = fit([groups[i] for i in train], c, w[train])
            hits += sum(w[i] * bool(groups[i][1][int(np.argmax(groups[i][0] @ coef))])
                        for i in range(len(groups)) if fold[i] == k)
        scores[c] = hits / max(w.sum(), 1e-12)
    return max(grid, key=lambda c: (scores[c], -c)), scores
