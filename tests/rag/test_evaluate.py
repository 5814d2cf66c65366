import json
from collections import Counter

import pytest

from rag.evaluate import evaluate, format_table, is_correct, load_qa
from tests.conftest import ROOT

QA = ROOT / "tests" / "qa" / "qa.jsonl"


@pytest.mark.parametrize(
    "answer,groups,ok",
    [
        ("花费了5,600,000美元和2,048块", [["5600000", "2048"]], True),
        ("梁文鋒畢業於浙江大學", [["浙江大学"]], True),
        ("According to: DeepSeek used H800", [["h800", "deepseek"]], True),
        ("只有浙江", [["浙江大学"], ["清华"]], False),
        ("", [["x"]], False),
        ("anything", [], False),
    ],
)
def test_grading_rule(answer, groups, ok):
    assert is_correct(answer, groups) is ok


def test_qa_set_shape():
    items = load_qa(QA)
    langs = Counter(i["lang"] for i in items if not i.get("history"))
    assert langs["zh-Hans"] >= 30 and langs["zh-Hant"] >= 15 and langs["en"] >= 15
    assert sum(not i["answerable"] for i in items) >= 6
    assert len({i["id"] for i in items}) == len(items)
    for i in items:
        assert set(i) >= {"id", "question", "lang", "answers", "sources", "answerable"}
        assert bool(i["answers"]) == i["answerable"] == bool(i["sources"])


@pytest.mark.slow
def test_eval_reports_every_metric_and_the_baseline(engine, tmp_path):
    small = tmp_path / "qa.jsonl"
    items = [i for i in load_qa(QA) if i["id"] in {"hans-01", "hant-01", "en-01", "un-01"}]
    small.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items), encoding="utf-8")
    result = evaluate(engine, small)
    overall = result["by_group"]["overall"]
    for key in ["hit@1", "hit@5", "mrr", "accuracy", "abstention_accuracy", "false_abstention", "p50_ms", "p95_ms"]:
        assert key in overall
    assert set(overall["baseline"]) >= {"hit@1", "hit@5", "mrr"}
    assert overall["n"] == 3
    table = format_table(result)
    assert "zh-Hant" in table and "base hit@5" in table
