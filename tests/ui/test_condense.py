"""rag.condense: which questions are follow-ups, how they are rewritten, and whether it helps."""

from __future__ import annotations

import pytest

from rag.condense import asks, classify, is_follow_up, standalone_query, topic_terms
from rag.evaluate import load_qa
from tests.ui.followups import QA_FILE, format_rows, measure, multi_turn_cases


@pytest.mark.parametrize("question,kind", [
    ("DeepSeek的创始人是谁？", "self"),
    ("哪家美國軟體公司把DeepSeek模型加進了它的AI模型市場？", "self"),     # 它 refers inside the question
    ("Which newspaper reported that OpenAI had found evidence?", "self"),  # "that" opens a clause
    ("Which Tesla CEO said he doesn't believe DeepSeek?", "self"),
    ("他毕业于哪所大学？", "anaphora"),
    ("它的创始人是谁？", "anaphora"),
    ("那家公司的產品執行副總裁是誰？", "anaphora"),
    ("What topic did she get it to answer?", "anaphora"),
    ("What is its valuation?", "anaphora"),
    ("Who runs that company?", "anaphora"),
    ("那第二天呢？", "ellipsis"),
    ("那V3有多少参数？", "ellipsis"),
    ("What about R1?", "ellipsis"),
    ("And what about total server capital expenditure?", "ellipsis"),
    ("毕业于哪所大学？", "ellipsis"),                                      # dropped subject
    # a name jieba's dictionary splits (英/伟达) still names the question's subject
    ("英伟达股价跌了多少？", "self"), ("輝達的股價下跌了多少？", "self"), ("英伟达市值蒸发了多少？", "self"),
    ("嫦娥六号带回多少样品？", "self"), ("那长征五号呢？", "ellipsis"), ("在三号楼吗？", "ellipsis"),
])
def test_classify(question, kind):
    assert classify(question) == kind
    assert is_follow_up(question) == (kind != "self")


def test_no_standalone_qa_question_is_taken_for_a_follow_up():
    singles = [i["question"] for i in load_qa(QA_FILE) if not i.get("history")]
    wrong = [q for q in singles if is_follow_up(q)]
    assert len(singles) > 80 and wrong == []


@pytest.mark.parametrize("history,question,expected", [
    (["DeepSeek的创始人是谁？"], "他毕业于哪所大学？", "创始人毕业于哪所大学？"),
    (["深度求索是哪家量化投资公司旗下的子公司？"], "它的创始人是谁？", "深度求索的创始人是谁？"),
    (["新美国安全中心的斯坎伦认为DeepSeek低成本的秘诀是什么？"], "她举例说模型里最重要的那部分占多少？",
     "斯坎伦举例说模型里最重要的那部分占多少？"),
    (["DeepSeek什么时候发布V3？"], "那R1呢？", "DeepSeek什么时候发布R1？"),
    (["DeepSeek发布后，英伟达股价周一跌了多少？"], "那第二天呢？", "DeepSeek发布后，英伟达股价第二天跌了多少？"),
    (["When did DeepSeek release its V3 model?"], "What about R1?", "When did DeepSeek release its R1 model?"),
    (["What is DeepSeek?"], "What is its valuation?", "What is DeepSeek's valuation?"),
    (["How much did DeepSeek invest in GPUs, according to SemiAnalysis?"], "And what about servers?",
     "How much did DeepSeek invest in GPUs, according to SemiAnalysis? servers"),
    # a full question naming its own subject takes only the previous names: with 毕业/大学 too it
    # quoted the graduation sentence again; and its own code replaces the previous one
    (["梁文锋毕业于哪所大学？"], "那V3有多少参数？", "梁文锋V3有多少参数？"),
    (["DeepSeek什么时候发布V3？"], "那R1是什么时候发布的？", "DeepSeek R1是什么时候发布的？"),
    # a code swaps the code of its own shape, not the last one (R1 is a model like V3, not a chip)
    (["DeepSeek训练V3用了多少块H800？"], "那R1呢？", "DeepSeek训练R1用了多少块H800？"),
    (["DeepSeek训练V3用了多少块H800？"], "那H100呢？", "DeepSeek训练V3用了多少块H100？"),
    # a numbered name (九章/五号, tagged as numerals) names the question's own subject
    (["杭州熊猫研究所今年培育了多少只小熊猫？"], "九章五号操纵了多少个光子？", "九章五号操纵了多少个光子？"),
    # a name jieba's dictionary lacks (its HMM found 台积电) names the subject too
    (["DeepSeek训练V3用了多少块H800？"], "台積電的創辦人是誰？", "台積電的創辦人是誰？"),
    (["DeepSeek训练V3用了多少块H800？"], "营收多少？", "DeepSeek训练V3 H800营收多少？"),   # 营收 is a dictionary word
])
def test_rewrites(history, question, expected):
    assert standalone_query(question, history) == expected


def test_traditional_question_gets_a_traditional_query():
    query = standalone_query("他有沒有海外留學的經歷？", ["DeepSeek的創辦人是誰？", "他畢業於哪所大學？"])
    assert query == "創辦人有沒有海外留學的經歷？"  # resolved through the whole chain, in 繁體


def test_full_question_after_connective_gets_previous_topic():
    query = standalone_query("那V3有多少参数？", ["DeepSeek训练V3用了多少块H800？"])
    assert query.startswith("DeepSeek") and query.endswith("V3有多少参数？") and "那" not in query


@pytest.mark.parametrize("history", [[], [""], ["   "]])
def test_no_usable_history_keeps_the_question(history):
    assert standalone_query("他毕业于哪所大学？", history) == "他毕业于哪所大学？"


def test_self_contained_question_ignores_history():
    q = "格斯特纳估计OpenAI的o1大概花了多少研发费用？"
    assert standalone_query(q, ["DeepSeek的创始人是谁？"]) == q


def test_topic_terms_drop_question_words_and_known_terms():
    assert topic_terms("DeepSeek的创始人是谁？") == ["DeepSeek", "创始人"]
    assert topic_terms("DeepSeek的创始人是谁？", exclude="deepseek") == ["创始人"]
    assert topic_terms("Which former Taiwanese digital minister got around DeepSeek's censorship?",
                       pronoun="she") == ["former", "Taiwanese", "digital", "minister"]


@pytest.mark.slow
def test_history_improves_follow_ups(engine, record_property):
    """On the mt-* cases: condensed follow-ups find the gold source and answer more often."""
    cases = multi_turn_cases()
    assert len(cases) >= 10
    result = measure(engine, cases)
    print("\n".join(format_rows(result)))
    record_property("followups", result)
    alone, condensed = result["no history"], result["condense"]
    assert condensed["accuracy"] >= alone["accuracy"] + 0.2
    assert condensed["hit@1"] >= alone["hit@1"] and condensed["hit@5"] >= alone["hit@5"]
    assert "mt-13" not in condensed["failures"]  # a topic switch is not dragged back by history


@pytest.mark.parametrize("question", ["", "   "])
def test_blank_question_is_left_for_the_engine_to_reject(question):
    assert standalone_query(question, ["DeepSeek的创始人是谁？"]) == question


@pytest.mark.parametrize("turn,asking", [
    ("为什么？", True), ("在哪里", True), ("参数呢", True), ("是哪一年", True), ("真的嗎", True),
    ("how much", True), ("Who?", True), ("那R1呢", True),
    ("你好", False), ("好的", False), ("谢谢", False), ("ok thanks", False), ("Hi", False), ("", False),
    ("showing", False),  # "how" inside a word is no question word
])
def test_asks(turn, asking):
    assert asks(turn) is asking


@pytest.mark.parametrize("history,turn", [(["Hi"], "你好"), (["DeepSeek的创始人是谁？"], "好的"),
                                          (["Who founded DeepSeek?"], "ok thanks")])
def test_small_talk_after_a_turn_is_not_glued_to_it(engine, history, turn):
    """A greeting or thank-you that asks nothing gets the small-talk reply, not the previous answer again."""
    answer = engine.query(turn, history=history)
    assert answer.query == turn and answer.abstained and not answer.citations


@pytest.mark.parametrize("history,turn,query", [
    (["谢谢"], "再见", "再见"),                                      # two small-talk turns are not one query
    (["你好", "DeepSeek的创始人是谁？"], "他毕业于哪所大学？", "创始人毕业于哪所大学？"),
    (["DeepSeek"], "创始人是谁？", "DeepSeek创始人是谁？"),             # a bare subject is context
])
def test_earlier_small_talk_is_not_context(engine, history, turn, query):
    assert engine.query(turn, history=history).query == query


def test_a_fragment_that_asks_is_still_a_follow_up(engine):
    """"在哪里？" is small talk to the gate on its own, but after a question it asks about that question."""
    answer = engine.query("在哪里？", history=["DeepSeek的创始人毕业于哪所大学？"])
    assert answer.query != "在哪里？" and "DeepSeek" in answer.query
