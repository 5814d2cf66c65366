"""Short answers: the asked type, the span picked from a real sentence, English glosses."""

from __future__ import annotations

import pytest

from rag.short_answer import asked_type, candidates, short_answer, shown_span
from rag.gloss import gloss

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


@pytest.mark.parametrize("question,sentence,span", [
    ("DeepSeek的创始人是谁？", FOUNDER, "梁文锋"),
    ("梁文锋毕业于哪所大学？", FOUNDER, "浙江大学"),
    ("伦敦世界博览会是哪一年举办的？", "首届世界博览会于1851年在伦敦举办。", "1851年"),
    ("这家公司买了多少块GPU？", "该公司于2025年1月购买了2048块GPU用于训练。", "2048块"),
])
def test_short_answer_on_real_sentences(question, sentence, span):
    assert short_answer(question, [sentence]) == span


def test_no_short_answer_for_untyped_questions_or_empty_input():
    assert short_answer("为什么DeepSeek很有名？", [FOUNDER]) is None
    assert short_answer("DeepSeek的创始人是谁？", []) is None


def test_candidates_exclude_what_the_question_names_and_keep_sentence_text():
    texts = [c.text for c in candidates(FOUNDER, "梁文锋毕业于哪所大学？")]
    assert "梁文锋" not in texts and "浙江大学" in texts
    assert all(FOUNDER[c.start:c.end] == c.text for c in candidates(FOUNDER))


def test_numeral_candidates():
    texts = {c.text for c in candidates("2025年1月花费3.5亿美元，还剩3 分 08 秒，比分23–16，三分之二的人口。")}
    assert {"2025年1月", "3.5亿美元", "3 分 08 秒", "23–16", "三分之二"} <= texts


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
    ("然而，摄政王亚历山大一世反对任命。", "", "亚历山大一世"),
    ("省政府置省务会议，管理全省一切政务事宜。", "", "省务会议"),           # a noun compound
    ("行政权名义上属于君主，由总督代理执行。", "行政权名义上属于谁？", "君主"),  # the question word's slot
])
def test_candidate_forms(sentence, question, span):
    cands = candidates(sentence, question)
    assert span in [c.text for c in cands]
    assert all(sentence[c.start:c.end] == c.text for c in cands)


@pytest.mark.parametrize("sentence,question", [("", ""), ("", "谁？"), ("。", "哪一年？"), ("   ", "")])
def test_no_candidates_in_empty_text(sentence, question):
    assert candidates(sentence, question) == []
    assert short_answer(question, [sentence]) is None


def test_the_year_of_a_full_date_when_the_question_asks_a_year():
    assert short_answer("中国联通是在哪一年成立的？", ["该公司于2009年1月6日成立，由原中国联通和原中国网通合并而成。"]) == "2009年"


def test_shown_span_maps_a_canonical_span_into_the_displayed_sentence():
    shown = "幻方量化和DeepSeek的創始人梁文鋒畢業於浙江大學。"
    assert shown_span("梁文锋", FOUNDER, shown) == "梁文鋒"
    assert shown_span("不在", FOUNDER, shown) is None


@pytest.mark.parametrize("span,english", [
    ("浙江大学", "Zhejiang University"),
    ("梁文锋", "Liang Wenfeng"),
    ("2048块", "2048"),
    ("2025年1月", "January 2025"),
    ("3.5亿美元", "350 million US dollars"),
    ("北京", "Beijing"),
])
def test_gloss(span, english):
    assert gloss(span) == f"{span} ({english})"


def test_gloss_leaves_unknown_words_alone():
    assert gloss("幻方量化") == "幻方量化"
    assert gloss("") == ""
