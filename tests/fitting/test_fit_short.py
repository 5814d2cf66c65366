"""The short-answer fitting script re-runs on a small slice and writes weights the runtime reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.answer.short import FEATURE_NAMES, short_answer

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
