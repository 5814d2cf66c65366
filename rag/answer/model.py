"""Fitted answer models: logistic scores for sentences and for answering at all.

Owns: loading the weights that ``fitting/fit_answer.py`` wrote (``weights.json`` beside
this module, one set per kind of sentence vector) and applying them with numpy — three
models: ``prefilter`` (the sentence model without the costly
answer-type features, to pick which sentences get them), ``sentence`` (is the answer in
this sentence?) and ``answerable`` (does the retrieved text answer the question at all? —
gradient-boosted trees, since the evidence interacts: a high similarity means little when the
question's rare terms are absent) — plus the fitted probability bars for answering (per
question language) and for citing a further sentence.
Does not own: computing features (``rag.answer.features``), fitting (``fitting/``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.errors import ConfigError
from rag.answer.features import QUESTION_FEATURES, SENTENCE_FEATURES

__all__ = ["Logistic", "Trees", "AnswerModel", "WEIGHTS", "columns", "load_scorer"]

WEIGHTS = Path(__file__).with_name("weights.json")


def columns(X: np.ndarray, names: tuple[str, ...], available: tuple[str, ...]) -> np.ndarray:
    """The columns ``names`` of ``X``, whose columns are ``available`` in order."""
    return np.atleast_2d(X)[:, [available.index(n) for n in names]]


@dataclass(frozen=True)
class Logistic:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_json(cls, d: dict) -> "Logistic":
        return cls(tuple(d["features"]), np.asarray(d["mean"]), np.asarray(d["scale"]),
                   np.asarray(d["coef"]), float(d["intercept"]))

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept}

    def logit(self, X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(X)
        return ((X - self.mean) / self.scale) @ self.coef + self.intercept

    def probability(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logit(X)))


@dataclass(frozen=True)
class Trees:
    """Gradient-boosted trees (fitted by scikit-learn's HistGradientBoostingClassifier), applied in numpy.

    Each tree is parallel arrays: ``feature``, ``threshold``, ``left``, ``right``, ``leaf``, ``value``;
    a row goes left when its feature is <= the threshold (no missing values occur here).
    """

    features: tuple[str, ...]
    baseline: float
    trees: tuple[dict, ...]

    @classmethod
    def from_json(cls, d: dict) -> "Trees":
        trees = tuple({k: np.asarray(v) for k, v in t.items()} for t in d["trees"])
        return cls(tuple(d["features"]), float(d["baseline"]), trees)

    def to_json(self) -> dict:
        return {"kind": "trees", "features": list(self.features), "baseline": self.baseline,
                "trees": [{k: v.tolist() for k, v in t.items()} for t in self.trees]}

    def __post_init__(self) -> None:
        # subtle: every tree padded into one (trees × nodes) array per field, so a row walks all
        # 600 trees in one numpy step per level instead of one Python loop per tree (11 → <1 ms a question)
        width = max((len(t["leaf"]) for t in self.trees), default=1)
        stack = {}
        for key, fill in (("feature", 0), ("threshold", 0.0), ("left", 0), ("right", 0), ("leaf", True), ("value", 0.0)):
            a = np.full((len(self.trees), width), fill, dtype=np.asarray(fill).dtype)
            for i, t in enumerate(self.trees):
                a[i, :len(t[key])] = t[key]
            stack[key] = a
        object.__setattr__(self, "_stack", stack)

    def logit(self, X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(X)
        s, rows = self._stack, np.arange(len(X))[:, None]
        tree = np.arange(len(self.trees))[None, :]
        node = np.zeros((len(X), len(self.trees)), dtype=int)
        while True:
            leaf = s["leaf"][tree, node]
            if leaf.all():
                break
            feature = np.where(leaf, 0, s["feature"][tree, node])
            go_left = X[rows, feature] <= s["threshold"][tree, node]
            node = np.where(leaf, node, np.where(go_left, s["left"][tree, node], s["right"][tree, node]))
        # subtle: a running sum in tree order (cumsum), as the trees were added when fitted — a
        # pairwise sum differs in the last bit, and a bar can sit on that bit.
        parts = np.hstack([np.full((len(X), 1), self.baseline), s["value"][tree, node]])
        return np.cumsum(parts, axis=1)[:, -1]

    def probability(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logit(X)))


def load_scorer(d: dict) -> "Logistic | Trees":
    return Trees.from_json(d) if d.get("kind") == "trees" else Logistic.from_json(d)


@dataclass(frozen=True)
class AnswerModel:
    prefilter: Logistic
    sentence: Logistic
    answerable: Logistic | Trees
    answer_bar: dict     # question language ("zh" or "en") → P(answerable) below which to abstain
    extra_bar: dict      # question language → a further sentence is cited only when P(answer in it) reaches this
    max_sentences: int
    ranker: Logistic | None = None   # the order sentences are quoted in (fitted on what comes first); else ``sentence``

    def order_logits(self, X: np.ndarray, logits: np.ndarray) -> np.ndarray:
        """What the candidates are ordered by: the ranker's scores, or the sentence model's logits."""
        return self.ranker.logit(X) if self.ranker is not None else logits

    @classmethod
    def unfitted(cls) -> "AnswerModel":
        """All-zero weights (answers everything with the first candidate): what the fitting script runs on."""
        def zero(names: tuple[str, ...]) -> Logistic:
            n = len(names)
            return Logistic(names, np.zeros(n), np.ones(n), np.zeros(n), 0.0)
        return cls(zero(SENTENCE_FEATURES), zero(SENTENCE_FEATURES), zero(QUESTION_FEATURES),
                   {"zh": 0.0, "en": 0.0}, {"zh": 1.0, "en": 1.0}, 1)

    @classmethod
    def load(cls, kind: str = "separate", path: Path = WEIGHTS) -> "AnswerModel":
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))[kind]
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"No fitted answer weights for {kind!r} sentence vectors in {path} "
                              f"({type(exc).__name__}); run `python fitting/fit_answer.py` to fit them.") from None
        if any(m in d and tuple(d[m]["features"]) != SENTENCE_FEATURES for m in ("sentence", "ranker")):
            # subtle: a model fitted on other columns would multiply the wrong features, or crash on shapes
            raise ConfigError(f"The answer weights in {path} were fitted for other sentence features than this "
                              "version computes; run `python fitting/fit_answer.py` to refit them.")
        return cls(Logistic.from_json(d["prefilter"]), Logistic.from_json(d["sentence"]),
                   load_scorer(d["answerable"]), {k: float(v) for k, v in d["answer_bar"].items()},
                   {k: float(v) for k, v in d["extra_bar"].items()}, int(d["max_sentences"]),
                   Logistic.from_json(d["ranker"]) if "ranker" in d else None)
