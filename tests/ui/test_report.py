"""``rag eval --html``: a tiny QA run against the session index, rendered and parsed back."""

from __future__ import annotations

import json
import re

import pytest
from lxml import html as lxml_html

from rag.evaluate import evaluate, load_qa
from tests.conftest import ROOT
from ui.report import render_report

pytestmark = pytest.mark.slow
QA = ROOT / "tests" / "qa" / "qa.jsonl"
IDS = {"hans-01", "hans-02", "hant-01", "en-01", "un-01", "un-02"}


@pytest.fixture(scope="module")
def tiny_qa(tmp_path_factory):
    items = [i for i in load_qa(QA) if i["id"] in IDS]
    # one answerable question graded against a keyword no answer has: a guaranteed failure
    wrong = {**items[0], "id": "wrong-<b>1</b>", "answers": [["不存在的关键词"]]}
    path = tmp_path_factory.mktemp("qa") / "qa.jsonl"
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items + [wrong]), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(engine, tiny_qa):
    result = evaluate(engine, tiny_qa)
    return result, render_report(result, str(tiny_qa))


def test_report_has_every_section_with_the_run_values(report):
    result, page = report
    doc = lxml_html.fromstring(page)
    for section in ("metrics-chart", "latency", "abstention", "metrics-table", "failed"):
        assert doc.get_element_by_id(section) is not None
    bars = doc.xpath("//rect[@class='bar']")
    for lang in ("overall", "zh-Hans", "zh-Hant", "en"):
        assert {b.get("data-who") for b in bars if b.get("data-group") == lang} == {"Corpus QA", "baseline"}
    hit1 = next(b for b in bars if b.get("data-group") == "overall" and b.get("data-metric") == "hit@1"
                and b.get("data-who") == "Corpus QA")
    assert float(hit1.get("height")) == pytest.approx(result["by_group"]["overall"]["hit@1"] * 150, abs=0.1)
    latency = doc.get_element_by_id("latency")
    assert sum(_count(r) for r in latency.xpath(".//rect[@class='hist']")) == len(result["rows"]) == 7
    assert "p50" in latency.text_content() and "p95" in latency.text_content()
    abst = doc.get_element_by_id("abstention")
    series = {r.get("data-series") for r in abst.xpath(".//rect[@class='hist']")}
    assert series == {"answerable", "unanswerable"}
    assert abst.xpath(".//line[@class='marker']") and re.search(r"abstain below 0\.\d{3}", abst.text_content())
    row = doc.get_element_by_id("metrics-table").xpath(".//tr[@data-group='zh-Hans']")[0]
    assert str(result["by_group"]["zh-Hans"]["mrr"]) in row.text_content()


def test_failed_questions_listed_with_answers_and_escaped(report):
    result, page = report
    doc = lxml_html.fromstring(page)
    failed = doc.xpath("//table[@id='failures']//tr[@data-id='wrong-<b>1</b>']")
    assert failed and re.search("answer lacks the expected keywords|abstained", failed[0].text_content())
    answer = next(r["answer"] for r in result["rows"] if r["id"] == "wrong-<b>1</b>")
    assert answer and answer in failed[0].text_content()
    assert "<b>1</b>" not in page  # markup from the QA file stays text


def test_report_is_self_contained(report):
    _, page = report
    doc = lxml_html.fromstring(page)
    assert not doc.xpath("//script | //link | //img | //iframe | //object")
    refs = [v for el in doc.iter() if isinstance(el.tag, str) for k, v in el.attrib.items() if k in ("src", "href")]
    assert refs == [] and not re.search(r"url\(|@import|https?://", "".join(doc.xpath("//style/text()")))


def test_cli_writes_the_report(private_index, corpus_dir, tiny_qa, tmp_path, monkeypatch, capsys):
    from ui.cli import main

    monkeypatch.setenv("VECTORSTORE_DIR", str(private_index))
    monkeypatch.setenv("CORPUS_DIR", str(corpus_dir))
    out = tmp_path / "report.html"
    assert main(["eval", "--qa-file", str(tiny_qa), "--no-baseline", "--html", str(out)]) == 0
    assert "<svg" in out.read_text(encoding="utf-8") and f"report: {out}" in capsys.readouterr().err
    assert main(["eval", "--qa-file", str(tiny_qa), "--no-baseline", "--html", str(tmp_path / "no" / "r.html")]) == 1


def _count(rect) -> int:
    return int(re.search(r": (\d+)$", rect.findtext("title")).group(1))
