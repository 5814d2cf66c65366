"""The short-answer fitting script re-runs on a small slice and writes weights the runtime reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.answer.short import CONFIDENCE_NAMES, FEATURE_NAMES, _weights, short_answer
from rag.eval_squad import Paragraph

fit_short = pytest.importorskip("fitting.fit_short")    # needs scikit-learn (the dev extra)
DATA = fit_short.DEFAULT_DATA


@pytest.mark.skipif(not (DATA / "cmrc2018_trial.json").exists(), reason="../shared/qa-dev not present")
def test_refit_on_a_slice(tmp_path: Path, capsys):
    out, report = tmp_path / "w.json", tmp_path / "fit.txt"
    assert fit_short.main(["--limit", "40", "--out", str(out), "--report", str(report)]) == 0
    weights = json.loads(out.read_text(encoding="utf-8"))
    assert weights["features"] == FEATURE_NAMES
    assert len(weights["coef"]) == len(FEATURE_NAMES) and all(isinstance(w, float) for w in weights["coef"])
    assert 0.0 <= weights["threshold"] <= 1.0 and weights["C"] in fit_short.C_GRID
    text = report.read_text(encoding="utf-8")
    assert text.strip() in capsys.readouterr().out      # the report is what the script printed
    for name in ("cmrc", "drcd", "xquad-zh", "xquad-en"):
        assert f"{name:<10} fit" in text and f"{name:<10} eval" in text
    short_answer("DeepSeek的创始人是谁？", ["DeepSeek的创始人梁文锋毕业于浙江大学。"], weights)  # the runtime reads it
    assert weights["confidence_features"] == CONFIDENCE_NAMES and len(weights["confidence"]) == len(CONFIDENCE_NAMES)
    weights["confidence_features"] = CONFIDENCE_NAMES[:-1]     # fitted before a confidence feature was added
    out.write_text(json.dumps(weights), encoding="utf-8")
    with pytest.raises(ValueError, match="fit_short.py"):
        _weights(str(out))


def test_display_bar_counts_useful_answers_not_only_exact_ones():
    # A near-miss a reader can use (近17% for 17%) gains like an exact answer; a wrong name
    # costs. Counted by exact match, the two near-misses would cost too and nothing would show.
    exs = [{"p": 0.9, "best": "近17%", "golds": ["17%"]},
           {"p": 0.8, "best": "1957年4月", "golds": ["1957年4月26日"]},
           {"p": 0.7, "best": "张三", "golds": ["李四"]},
           {"p": 0.6, "best": "王五", "golds": ["赵六"]},
           {"p": 0.5, "best": None, "golds": ["巴西"]}]
    assert fit_short.choose_threshold(exs) == 0.8
    # a wrong sentence's span teaches the confidence model; it does not move the bar
    wrong = [{"p": 0.95, "best": "王五", "golds": ["赵六"], "wrong": True}]
    assert fit_short.choose_threshold(exs + wrong) == 0.8
    assert fit_short.choose_threshold(exs[2:]) == 1.0       # nothing worth showing: show nothing
    assert fit_short.choose_threshold([]) == 1.0


def test_each_typed_question_is_also_an_example_on_the_neighbour_that_does_not_answer_it():
    p = Paragraph(0, "梁文锋", "梁文锋生于1985年，是量化投资人。他毕业于浙江大学，主修电子信息工程。深度求索成立于2023年7月。",
                  [])
    qa = {"id": "q1", "question": "梁文锋毕业于哪所大学？", "answers": ["浙江大学"]}
    right, wrong = fit_short._example("t", qa, qa["question"], p, False)
    assert not right["wrong"] and right["found"] and "浙江大学" in right["cands"] and right["y"].any()
    # the neighbour that shares the question's words (梁文锋), not the other one
    assert wrong["wrong"] and not wrong["found"] and wrong["id"] == "q1" and "浙江大学" not in wrong["cands"]
    assert any("1985" in c for c in wrong["cands"]) and not wrong["y"].any()
    untyped = {"id": "q2", "question": "梁文锋主修什么", "answers": ["电子信息工程"]}
    assert [e["wrong"] for e in fit_short._example("t", untyped, untyped["question"], p, False)] == [False]
