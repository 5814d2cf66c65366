"""``rag eval --answerer llm`` when LLM calls fail: the report says how many answers were the
extractive fallback's instead of printing the fallback's numbers as the model's."""

from __future__ import annotations

import json

import pytest

from ingest.errors import LLMError
from rag.evaluate import evaluate, format_table, load_qa
from tests.conftest import ROOT
from tests.llm.fake_openai import Status, Text

pytestmark = pytest.mark.slow

IDS = ("hans-01", "hant-01", "en-01", "mt-01")


@pytest.fixture
def qa_file(tmp_path):
    path = tmp_path / "qa.jsonl"
    items = [i for i in load_qa(ROOT / "tests" / "qa" / "qa.jsonl") if i["id"] in IDS]
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items), encoding="utf-8")
    return path


def scripted(api, name, reply):
    api.scenarios[name] = reply
    api.requests.pop(name, None)
    return name


def test_eval_counts_the_answers_that_fell_back(make_engine, api, qa_file):
    # subtle: only the English question's answer call fails; the table used to say "answerer: llm" alone
    def reply(request):
        return Status(500) if "V3 model?" in request["messages"][-1]["content"] else Text("答案[1]。")
    engine = make_engine(scripted(api, "eval-some-fail", reply))
    result = evaluate(engine, qa_file, answerer="llm", baseline=False)
    assert result["answerer"] == "llm" and result["fell_back"] == 1
    assert result["fallback_notice"] == "LLM unavailable (HTTP 500 from the endpoint); showing the extractive answer."
    assert [r["answerer"] for r in result["rows"] if r["id"] == "en-01"] == ["extractive"]
    assert {r["answerer"] for r in result["rows"] if r["id"] != "en-01"} == {"llm"}
    assert format_table(result).splitlines()[0] == (
        "answerer: llm (1 of 4 answers fell back to extractive: LLM unavailable (HTTP 500 from the endpoint); "
        "showing the extractive answer.)   questions: 4")


def test_eval_refuses_to_report_llm_numbers_when_every_answer_fell_back(make_engine, api, qa_file):
    engine = make_engine(scripted(api, "eval-all-fail", lambda _req: Status(500)))
    with pytest.raises(LLMError) as err:
        evaluate(engine, qa_file, answerer="llm", baseline=False)
    text = str(err.value)
    assert text.startswith("All 4 answers fell back to extractive, so there are no llm numbers to report.")
    assert "HTTP 500" in text and "--answerer extractive" in text and "\n" not in text


def test_eval_of_the_extractive_answerer_reports_no_fallback(make_engine, api, qa_file):
    engine = make_engine(scripted(api, "eval-extractive", lambda _req: Status(500)))
    result = evaluate(engine, qa_file, answerer="extractive", baseline=False)
    assert result["fell_back"] == 0 and result["fallback_notice"] is None
    assert format_table(result).splitlines()[0] == "answerer: extractive   questions: 4"
    assert "eval-extractive" not in api.requests
