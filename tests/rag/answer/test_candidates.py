"""Candidate spans: the asked type, and the spans a real sentence offers."""

from __future__ import annotations

import pytest

from rag.answer.asking import asked_type
from rag.answer.candidates import candidates

FOUNDER = "幻方量化和DeepSeek的创始人梁文锋毕业于浙江大学。"


@pytest.mark.parametrize("question,kind", [
    ("DeepSeek的创始人是谁？", "person"),
    ("DeepSeek的創始人是誰？", "person"),              # 繁體, canonicalised inside
    ("梁文锋毕业于哪所大学？", "org"),
    ("伦敦世界博览会是哪一年举办的？", "date"),
    ("這家公司買了多少塊GPU？", "number"),
    ("这笔收购花了多少钱？", "amount"),
    ("深度求索的总部在哪里？", "place"),
    ("为什么模型训练成本低？", None),
    ("Who founded DeepSeek?", "person"),
    ("Which university did Liang Wenfeng graduate from?", "org"),
    ("When was DeepSeek-V3 released?", "date"),
    ("How many GPUs were used?", "number"),
    ("How much did the training cost?", "amount"),
    ("Where is DeepSeek based?", "place"),
    ("Why is training cheap?", None),
    ("", None),
    ("   ", None),
])
def test_asked_type(question, kind):
    assert asked_type(question) == kind


def test_candidates_exclude_what_the_question_names_and_keep_sentence_text():
    texts = [c.text for c in candidates(FOUNDER, "梁文锋毕业于哪所大学？")]
    assert "梁文锋" not in texts and "浙江大学" in texts
    assert all(FOUNDER[c.start:c.end] == c.text for c in candidates(FOUNDER))


def test_numeral_candidates():
    texts = {c.text for c in candidates("2025年1月花费3.5亿美元，还剩3 分 08 秒，比分23–16，三分之二的人口。")}
    assert {"2025年1月", "3.5亿美元", "3 分 08 秒", "23–16", "三分之二"} <= texts


@pytest.mark.parametrize("sentence,span,kind", [
    # how long is a number; when is a date (a when-question must not take 两年 for its answer)
    ("该公司成立才不到两年。", "两年", "number"),
    ("谈判历时三个月。", "三个月", "number"),
    ("战争持续了十年。", "十年", "number"),
    ("工程用了5年。", "5年", "number"),
    ("这座城市已有300余年的历史。", "300余年", "number"),
    ("该公司于2023年7月成立。", "2023年7月", "date"),
    ("他生于一九八四年。", "一九八四年", "date"),
    ("宋朝建于960年。", "960年", "date"),
    ("三月是春天。", "三月", "date"),
])
def test_a_span_of_time_is_a_number_and_a_point_in_time_a_date(sentence, span, kind):
    assert {c.kind for c in candidates(sentence) if c.text == span} == {kind}


@pytest.mark.parametrize("sentence,question,span", [
    ("民国5年7月，改巡按使为省长。", "", "民国5年"),                       # a year under an era name
    ("该公司于2009年1月6日成立。", "", "2009年"),                          # the year of a full date
    ("密西西比文化农业自1000年至1600年覆盖大部分阿拉巴马州。", "", "1000年至1600年"),
    ("昆明市域总面积约21473平方公里。", "", "21473平方公里"),               # without 约
    ("国际照明协会所规定的标准白光是6500K时的黑体辐射。", "", "6500K"),     # a Latin unit
    ("体长可达50公分。", "", "50公分"),
    ("同名主题曲《鳄鱼泪》，由袁丽嫦原唱。", "", "袁丽嫦"),                 # a character jieba split off
    ("同名主题曲《鳄鱼泪》，由袁丽嫦原唱。", "", "《鳄鱼泪》"),             # a title with and without 《》
    ("同名主题曲《鳄鱼泪》，由袁丽嫦原唱。", "", "鳄鱼泪"),
    ("过去的记录是由约翰·埃尔维保持的。", "", "约翰·埃尔维"),             # a dotted name without 由
    ("他的老师约瑟夫·斯卡利格是一位学者。", "", "约瑟夫·斯卡利格"),       # jieba cuts 斯/卡利/格
    ("马尔科姆·K·休斯提出了这个观点。", "", "马尔科姆·K·休斯"),           # and 马尔科/姆
    ("然而，摄政王亚历山大一世反对任命。", "", "亚历山大一世"),
    ("省政府置省务会议，管理全省一切政务事宜。", "", "省务会议"),           # a noun compound
    ("行政权名义上属于君主，由总督代理执行。", "行政权名义上属于谁？", "君主"),  # the question word's slot
])
def test_candidate_forms(sentence, question, span):
    cands = candidates(sentence, question)
    assert span in [c.text for c in cands]
    assert all(sentence[c.start:c.end] == c.text for c in cands)


@pytest.mark.parametrize("sentence,kept,dropped", [
    # jieba's dictionary lacks 英伟达 and cuts 英/伟达: 英 became a place candidate, 个英 another
    ("DeepSeek仅使用了2048个英伟达H800显卡", {"英伟达", "2048个"}, {"英", "个英", "伟达"}),
    ("创始人梁文锋毕业于浙江大学", {"梁文锋", "浙江大学"}, {"梁文锋毕业于浙江大学"}),   # nothing over-joined
    # one dotted run spans two names and the words between them
    ("詹姆斯·邦德的作者是伊恩·法兰明。", {"詹姆斯·邦德", "伊恩·法兰明"},
     {"詹姆斯·邦德的作者是伊恩·法兰明", "詹姆斯·邦德的作者是伊恩·法兰"}),
    ("他说约翰·埃尔维来了", {"约翰·埃尔维"}, {"他说约翰·埃尔维", "约翰·埃尔维来"}),   # a pronoun, a verb
    ("", set(), {""}),
])
def test_dictionary_names_jieba_splits_are_one_candidate(sentence, kept, dropped):
    texts = {c.text for c in candidates(sentence)}
    assert kept <= texts and not dropped & texts
