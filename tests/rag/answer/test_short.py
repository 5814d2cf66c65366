"""Short answers: the span picked from a real sentence, its shown form, English glosses."""

from __future__ import annotations

import pytest

from rag.answer.candidates import candidates
from rag.answer.gloss import english_name, gloss
from ingest import to_canonical
from rag.answer.short import (CONFIDENCE_NAMES, NO_SPAN, confidence_features, score_candidates, short_answer, shown_span,
                              span_logit)

FOUNDER = "幻方量化和DeepSeek的创始人梁文锋毕业于浙江大学。"


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


@pytest.mark.parametrize("sentence,question", [("", ""), ("", "谁？"), ("。", "哪一年？"), ("   ", "")])
def test_no_candidates_in_empty_text(sentence, question):
    assert candidates(sentence, question) == []
    assert short_answer(question, [sentence]) is None


@pytest.mark.parametrize("question,answering,neighbour", [
    # the asked-for span where the question's words put it, against a sentence that only names one
    ("梁文锋毕业于哪所大学？", FOUNDER, "浙江大学是一所位于杭州的大学，梁文锋曾在这里演讲。"),
    ("伦敦世界博览会是哪一年举办的？", "首届世界博览会于1851年在伦敦举办。", "1900年前后，伦敦的人口已经很多。"),
    ("这家公司买了多少块GPU？", "该公司于2025年1月购买了2048块GPU用于训练。", "该公司共有300名员工。"),
])
def test_span_logit_is_higher_where_the_answer_sits(question, answering, neighbour):
    assert span_logit(question, [answering]) > span_logit(question, [neighbour]) > NO_SPAN


@pytest.mark.parametrize("question,sentences", [
    ("为什么DeepSeek很有名？", [FOUNDER]), ("DeepSeek的创始人是谁？", []), ("DeepSeek的创始人是谁？", [""]),
    ("", [FOUNDER]), ("哪一年？", ["。"]),
])
def test_span_logit_of_no_asked_type_or_no_candidate_is_the_floor(question, sentences):
    assert span_logit(question, sentences) == NO_SPAN


def test_the_year_of_a_full_date_when_the_question_asks_a_year():
    assert short_answer("中国联通是在哪一年成立的？", ["该公司于2009年1月6日成立，由原中国联通和原中国网通合并而成。"]) == "2009年"


@pytest.mark.parametrize("asked, kinds, present", [
    ("number", ["org", "place", "other"], 0.0),     # 多少员工 against a sentence with no number
    ("number", ["org", "number"], 1.0),
    ("amount", ["other", "number"], 1.0),           # an amount is a number with its unit
    ("amount", ["other"], 0.0),
    ("person", ["person"], 1.0),
    ("date", ["number"], 0.0),
])
def test_confidence_sees_whether_the_sentence_offers_the_asked_type_at_all(asked, kinds, present):
    row = dict(zip(CONFIDENCE_NAMES, confidence_features(asked, [0.9] + [0.1 / len(kinds)] * (len(kinds) - 1), kinds)))
    assert row["asked_present"] == present
    assert row["kind_is_asked"] == float(kinds[0] == asked) and row[f"ask_{asked}"] == 1.0


def test_shown_span_maps_a_canonical_span_into_the_displayed_sentence():
    shown = "幻方量化和DeepSeek的創始人梁文鋒畢業於浙江大學。"
    assert shown_span("梁文锋", FOUNDER, shown) == "梁文鋒"
    assert shown_span("不在", FOUNDER, shown) is None


@pytest.mark.parametrize("question", ["DeepSeek用了多少张显卡？", "DeepSeek用了多少块显卡？"])
def test_the_digits_of_a_model_code_are_never_the_short_answer(question):
    # the bold answer read 800 (of H800) for the bundled corpus' most asked number
    sentence = ("DeepSeek称,自己仅使用了2048个英伟达H800显卡,并花费了560万美元来训练具有6710亿个参数的V3模型,"
                "这只是OpenAI和谷歌训练同等规模模型费用的一小部分。")
    assert short_answer(question, [sentence, "", "", ""]) in (None, "2048个", "2048")   # no neighbours, no title


def test_a_surname_alone_is_never_the_short_answer():
    # the bold answer read 赵 for 赵长长 (jieba splits 赵/长长); the ranker's top span, sure enough to show
    question, sentence = "企鹅公司的CEO叫什么？", "其中提到企鹅公司的CEO叫做赵长长。"
    assert score_candidates(question, [sentence, "一篇很长很长的标题", ""])[1][0][0].text == "赵"
    assert short_answer(question, [sentence, "一篇很长很长的标题", ""]) != "赵"


@pytest.mark.parametrize("span,expected", [
    ("2048个", "2048個"), ("H800", "H800"), ("560万美元", "560萬美元"), ("英伟达", "輝達"), ("显卡", "顯示卡"),
])
def test_shown_span_after_phrases_that_shift_the_offsets(span, expected):
    # subtle: s2twp shortens 英伟达→輝達 and lengthens 显卡→顯示卡, so both sentences have one length
    # but every span between the two moved: the bold answer read "00顯" for 2048個
    shown = "DeepSeek稱,自己僅使用了2048個輝達H800顯示卡,並花費了560萬美元來訓練V3模型。"
    assert shown_span(span, to_canonical(shown), shown) == expected


@pytest.mark.parametrize("span,english", [
    ("浙江大学", "Zhejiang University"),
    ("梁文锋", "Liang Wenfeng"),
    ("2048块", "2048"),
    ("2025年1月", "January 2025"),
    ("3.5亿美元", "350 million US dollars"),
    # what qualifies the number is part of the answer: not "17" for 近17%
    ("近17%", "nearly 17%"),
    ("约16亿美元", "about 1.6 billion US dollars"),
    ("2,048块", "2,048"),
    ("九个百分点", "9 percentage points"),
    ("55米", "55 m"),
    ("北京", "Beijing"),
    # foreign names and institutions: CC-CEDICT's English, not their pinyin (Te Langpu, Bai Gong)
    ("特朗普", "Donald Trump"),
    ("白宫", "White House"),
    ("英伟达", "NVIDIA"),
    ("美国之音", "Voice of America"),
])
def test_gloss(span, english):
    assert gloss(span) == f"{span} ({english})"


@pytest.mark.parametrize("span", ["17%", "H800", "DeepSeek", ""])
def test_a_span_an_english_reader_can_already_read_is_not_glossed(span):
    assert gloss(span) == span


@pytest.mark.parametrize("word,english", [
    ("特朗普", "Donald Trump"), ("英偉達", "NVIDIA"),     # traditional headwords too
    ("大学", None),         # a common word first ("university"), not the classic "the Great Learning"
    ("梁文锋", None), ("", None),
])
def test_english_name(word, english):
    assert english_name(word) == english


GERSTNER = "硅谷科技投资公司 Altimeter Capital 创始人布莱德·格斯特纳 (Brad Gerstner) 在X平台上发文指出"


@pytest.mark.parametrize("span,context,expected", [
    # the source's own Latin-script name, as spelt there, beats pinyin (Bulaide Gesitena)
    ("布莱德·格斯特纳", GERSTNER, "布莱德·格斯特纳 (Brad Gerstner)"),
    ("韦尔万", "埃纳省地区首府韦尔万（Vervins）。", "韦尔万 (Vervins)"),
    ("皮埃尔·巴利冈", "让-皮埃尔·巴利冈（Jean-Pierre Balligand，1950年5月30日 - ）", "皮埃尔·巴利冈 (Jean-Pierre Balligand)"),
    ("尤金袋鼠", '尤金袋鼠（"Macropus eugenii"）', "尤金袋鼠 (Macropus eugenii)"),
    ("蒙塔纳利", "蒙塔纳利（英语：Geminiano Montanari）", "蒙塔纳利 (Geminiano Montanari)"),
    # an acronym only when nothing else glosses the span
    ("马歇尔太空飞行中心", "马歇尔太空飞行中心 (MSFC) 负责", "马歇尔太空飞行中心 (Marshall Firmament Flight Center)"),
    ("幻方量化", "幻方量化 (HFQ) 的", "幻方量化 (HFQ)"),
    # not a name given in brackets right after the span
    ("梁文锋", "梁文锋（1985年－）", "梁文锋 (Liang Wenfeng)"),
    ("梁文锋", "梁文锋的公司 (High-Flyer)", "梁文锋 (Liang Wenfeng)"),
    ("梁文锋", "梁文锋 (Liang Wenfeng and others", "梁文锋 (Liang Wenfeng)"),
    ("布莱德·格斯特纳", "", "布莱德·格斯特纳 (Bulaide Gesitena)"),
    ("", GERSTNER, ""),
])
def test_gloss_uses_the_english_name_the_source_gives(span, context, expected):
    assert gloss(span, context) == expected


def test_gloss_leaves_unknown_words_alone():
    assert gloss("幻方量化") == "幻方量化"
    assert gloss("") == ""


def test_the_word_lists_pinyin_check_skips_only_what_pinyin_could_not_match():
    # subtle: the table's pinyin check skips converting a term whose English does not start with a
    # reading of its first character; that is exact only while lazy_pinyin's first syllable is
    # always one of those readings (ü as v, tones dropped).
    from pypinyin import lazy_pinyin

    from rag.answer.gloss import _readings, _reverse

    assert "lv" in _readings("绿") and _readings("北") == ("bei",) and _readings("a") == ()
    terms = sorted(_reverse())[::20]
    assert len(terms) > 3000
    assert [t for t in terms if lazy_pinyin(t)[0] not in _readings(t[0])] == []
