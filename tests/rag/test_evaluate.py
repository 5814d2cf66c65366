import json
from collections import Counter

import pytest

from ingest.errors import ConfigError, EvalDataError
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


GOOD = json.dumps({"id": "q1", "question": "梁文锋是谁？", "lang": "zh-Hans", "answers": [["梁文锋"]],
                   "sources": ["a.txt"], "answerable": True}, ensure_ascii=False)


@pytest.mark.parametrize("content,message", [
    (None, "QA file not found: "),
    ("", "There are no questions in "),
    ("\n  \n", "There are no questions in "),
    ("not json", "line 1 is not JSON"),
    (GOOD + "\n\n" + GOOD[:-1], "line 3 is not JSON"),
    ("[1, 2]", "line 1 is not a JSON object"),
    ('{"bad": 1}', 'line 1 has no "question"'),
    (GOOD.replace('"梁文锋是谁？"', "5"), 'line 1 has an unusable "question"'),
    (GOOD.replace('"梁文锋是谁？"', '""'), 'line 1 has an unusable "question"'),
    (GOOD + "\n" + GOOD.replace(', "answerable": true', ""), 'line 2 has no "answerable"'),
    (GOOD.replace('[["梁文锋"]]', '["梁文锋"]'), 'line 1 has an unusable "answers" (must be a list of lists'),
    (GOOD.replace("}", ', "history": "谁？"}'), 'line 1 has an unusable "history"'),
], ids=["missing", "empty", "blank", "not-json", "bad-line-3", "not-object", "no-question", "question-int",
        "question-empty", "no-answerable", "flat-answers", "history-str"])
def test_a_bad_qa_file_is_one_line_naming_the_line_and_the_shape(tmp_path, content, message):
    path = tmp_path / "qa.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(EvalDataError) as err:
        load_qa(path)
    text = str(err.value)
    assert message in text and str(path) in text and "\n" not in text
    if content is not None:
        assert "id, question, lang, answers" in text and "tests/qa/qa.jsonl" in text


@pytest.mark.slow
def test_the_baseline_labels_a_nested_archive_as_the_product_does(tmp_path, embeddings):
    from rag import Engine, Settings

    archive = tmp_path / "archive"
    (archive / "2023" / "03").mkdir(parents=True)
    (archive / "2023" / "03" / "harbour.txt").write_text("白鹭港的灯塔\n\n白鹭港的灯塔建于一九二三年，高四十二米。",
                                                         encoding="utf-8")
    (archive / "feed.jsonl").write_text(json.dumps({"id": "r1", "text": "海豚馆的海豚每天吃五公斤鱼。"},
                                                   ensure_ascii=False) + "\n", encoding="utf-8")
    engine = Engine(Settings(_env_file=None, vectorstore_dir=tmp_path / "vs", corpus_dir=archive), embeddings=embeddings)
    engine.ingest(archive)
    qa = tmp_path / "qa.jsonl"
    rows = [{"id": "a", "question": "白鹭港的灯塔有多高？", "lang": "zh-Hans", "answers": [["四十二米"]],
             "sources": ["2023/03/harbour.txt"], "answerable": True},
            {"id": "b", "question": "海豚每天吃多少鱼？", "lang": "zh-Hans", "answers": [["五公斤"]],
             "sources": ["feed.jsonl#r1"], "answerable": True}]
    qa.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    overall = evaluate(engine, qa)["by_group"]["overall"]
    assert overall["hit@1"] == 1.0 and overall["baseline"]["hit@1"] == 1.0     # was 0.0: bare file names


def test_a_missing_corpus_dir_is_reported_before_any_question_is_asked(tmp_path):
    class Unasked:
        settings = type("S", (), {"corpus_dir": tmp_path / "nope", "article_columns": ""})()

        def __getattr__(self, name):
            raise AssertionError(f"the engine was used ({name}) before the baseline's folder was checked")

    qa = tmp_path / "qa.jsonl"
    qa.write_text(GOOD, encoding="utf-8")
    with pytest.raises(ConfigError, match="CORPUS_DIR .*nope.*--no-baseline"):
        evaluate(Unasked(), qa)
