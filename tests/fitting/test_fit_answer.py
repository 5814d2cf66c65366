"""The answer fitting script re-runs on a small slice and writes weights the product reads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rag.answer.features import QUESTION_FEATURES, SENTENCE_FEATURES
from rag.answer.model import AnswerModel

fit_answer = pytest.importorskip("fitting.fit_answer")    # needs scikit-learn (the dev extra)
NEAR_MISS_WEIGHTS = pytest.importorskip("fitting.abstention").NEAR_MISS_WEIGHTS
refit_noise = pytest.importorskip("fitting.refit_noise")


@pytest.mark.slow
@pytest.mark.skipif(not (fit_answer.QA_DEV / "cmrc2018_trial.json").exists(), reason="../shared/qa-dev not present")
def test_refit_on_a_slice(tmp_path: Path, capsys, built_index, embeddings):
    out, log, dump = tmp_path / "weights.json", tmp_path / "fit.txt", tmp_path / "rows.pkl"
    args = ["--sets", "cmrc", "--sample", "16", "--limit", "80", "--out", str(out), "--log", str(log),
            "--dump", str(dump)]
    assert fit_answer.main(args) == 0
    fitted = json.loads(out.read_text(encoding="utf-8"))["separate"]
    assert fitted["sentence"]["features"] == list(SENTENCE_FEATURES)
    assert fitted["answerable"]["features"] == list(QUESTION_FEATURES)
    assert set(fitted["prefilter"]["features"]) < set(SENTENCE_FEATURES)
    assert fitted["ranker"]["features"] == list(SENTENCE_FEATURES) and fitted["ranker"]["intercept"] == 0.0
    assert fitted["sentence_c"] in fit_answer.RANKER_C
    for name in ("prefilter", "sentence", "ranker"):
        part = fitted[name]
        assert len(part["coef"]) == len(part["mean"]) == len(part["scale"]) == len(part["features"])
        assert np.isfinite(part["coef"]).all() and np.isfinite(part["intercept"])
    trees = fitted["answerable"]
    assert trees["kind"] == "trees" and trees["trees"]
    assert all(len(set(map(len, t.values()))) == 1 for t in trees["trees"])    # parallel node arrays
    assert set(fitted["answer_bar"]) <= {"zh", "en"} and all(0 <= b <= 1 for b in fitted["answer_bar"].values())
    assert set(fitted["extra_bar"]) == {"zh", "en"} and all(0 <= b <= 1 for b in fitted["extra_bar"].values())
    assert fitted["near_miss_weight"] in NEAR_MISS_WEIGHTS
    text = log.read_text(encoding="utf-8")
    assert text.strip() in capsys.readouterr().out       # the log is what the script printed
    assert "cmrc       fit" in text and "cmrc       eval" in text and "abst(chat)" in text
    assert "no word of the question in the corpus" in text and "eval chat " in text   # chit-chat has such turns

    # refit_noise.py: its fit on all the dumped rows is the fit above (what its rounds are measured against)
    report = tmp_path / "noise.txt"
    assert refit_noise.main([str(dump), "--rounds", "1", "--drop", "0.2", "--report", str(report)]) == 0
    lines = report.read_text(encoding="utf-8").splitlines()
    full = next(line for line in lines if line.split()[:2] == ["all", "cmrc"])
    assert full.split()[6] == "+0" and f"zh {fitted['answer_bar']['zh']:.3f}," in full
    assert any(line.startswith("drop 1   cmrc") for line in lines) and any("total" in line for line in lines)

    from rag import Engine, Settings    # the product answers with what was just fitted
    model = AnswerModel.load("separate", out)
    ans = Engine(Settings(vectorstore_dir=built_index), embeddings=embeddings, answer_model=model).query(
        "DeepSeek的创始人是谁？")
    assert ans.abstained or ans.citations


def test_chitchat_is_unanswerable_and_never_fitted_on(tmp_path: Path):
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(json.dumps({"question": q, "lang": "en"}) for q in ("hi", "joke", "bye", "ok"))
                    + "\n\n", encoding="utf-8")
    a, b = fit_answer.chitchat_items("cmrc", path), fit_answer.chitchat_items("drcd", path)
    assert [i["question"] for i in a] == ["hi", "joke", "bye", "ok"]
    assert all(i["eval"] for i in a + b)
    assert all(not i["answerable"] and i["off"] and i["chat"] and not i["label"]("hi") for i in a)
    assert len({i["id"] for i in a + b}) == 8


def test_bundled_chitchat_covers_every_language():
    items = fit_answer.chitchat_items("qa")
    assert {i["lang"] for i in items} == {"zh-Hans", "zh-Hant", "en"}
    # subtle: the weather and Apple questions of tests/rag/answer/test_answers.py must stay unseen by the fitting
    assert not any(w in i["question"].lower() for i in items for w in ("天气", "天氣", "weather", "apple", "苹果", "蘋果"))


def test_missing_weights_name_the_fitting_script(tmp_path: Path):
    from rag import ConfigError

    with pytest.raises(ConfigError, match="fitting/fit_answer.py"):
        AnswerModel.load("separate", tmp_path / "absent.json")
    (tmp_path / "w.json").write_text('{"late": {}}', encoding="utf-8")
    with pytest.raises(ConfigError, match="'separate'"):
        AnswerModel.load("separate", tmp_path / "w.json")


def test_weights_fitted_for_other_features_name_the_fitting_script(tmp_path: Path):
    from rag import ConfigError
    from rag.answer.model import WEIGHTS

    weights = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    sentence = weights["separate"]["sentence"]
    # as weights fitted before the last sentence feature was added
    sentence.update({k: sentence[k][:-1] for k in ("features", "mean", "scale", "coef")})
    (tmp_path / "w.json").write_text(json.dumps(weights), encoding="utf-8")
    with pytest.raises(ConfigError, match="other sentence features.*fitting/fit_answer.py"):
        AnswerModel.load("separate", tmp_path / "w.json")
    assert AnswerModel.load("late", tmp_path / "w.json").sentence.features == SENTENCE_FEATURES
