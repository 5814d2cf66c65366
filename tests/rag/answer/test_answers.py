"""The answers a new user gets, on the bundled corpus and on texts added to it (real index, real models).

The questions come from trying the product cold (issue 7): each failed before the answer
step was fitted on data.
"""

from __future__ import annotations

import pytest

from rag import Engine, Settings

ADDED = {
    # subtle: 该市 — the answer sits in the sentence that does not name its subject.
    "hangzhou.md": "# 杭州概况\n\n杭州是浙江省的省会，位于中国东南沿海。该市常住人口约为1252万人，"
                   "是长江三角洲的重要城市。西湖是当地最著名的景点。\n",
    # a year before 1900: the old hand-written year rule only knew 19xx/20xx.
    "taiping.md": "# 太平天国\n\n太平天国运动是清朝后期的一场农民战争。洪秀全于1851年在广西金田村发动起义，"
                  "建号太平天国。起义军后来攻占南京，改名天京。\n",
}


@pytest.fixture(scope="module")
def grown(tmp_path_factory, built_index, embeddings) -> Engine:
    """The bundled corpus plus two short articles on other subjects."""
    import shutil

    root = tmp_path_factory.mktemp("grown")
    shutil.copytree(built_index, root / "vectorstore")
    docs = root / "added"
    docs.mkdir()
    for name, text in ADDED.items():
        (docs / name).write_text(text, encoding="utf-8")
    engine = Engine(Settings(vectorstore_dir=root / "vectorstore"), embeddings=embeddings)
    engine.ingest(docs)
    return engine


def _first(ans) -> str:
    return ans.citations[0].highlights[0] if ans.citations else ""


@pytest.mark.parametrize("question,script,expected", [
    ("DeepSeek的创始人是谁？", None, "梁文锋"),
    ("DeepSeek的创始人是谁", None, "梁文锋"),
    ("DeepSeek的創始人是誰？", None, "梁文鋒"),
    ("Who is the founder of DeepSeek?", None, "梁文锋"),
    # the bilingual reader who types English but reads 繁體: the bar must not depend on the script
    ("Who is the founder of DeepSeek?", "zh-Hant", "梁文鋒"),
    ("Who is the founder of DeepSeek?", "zh-Hans", "梁文锋"),
])
@pytest.mark.xfail(strict=True, reason=(
    "known miss: both 'Altimeter Capital 创始人布莱德·格斯特纳' (top-ranked chunk) and "
    "'幻方量化和DeepSeek的创始人梁文锋' (4th chunk) name a 创始人 and a person; the fitted sentence model "
    "puts the first one first and quotes 梁文锋 second. Fitting with a 480-paragraph "
    "DRCD corpus (harder retrieval) did not change it"))
def test_founder_is_named_in_the_first_quoted_sentence(engine, question, script, expected):
    ans = engine.query(question, script=script)
    assert not ans.abstained
    assert expected in _first(ans)


@pytest.mark.xfail(strict=True, reason=(
    "known miss: jieba's search mode cuts 哪一年 into 哪一年 and 一年, and the question's most specific "
    "term becomes one no answer holds (top_miss_ctx 1, P(answerable) 0.05); dropping question words "
    "and refitting did not carry over to unseen paragraphs (README, 'Question words as no terms')"))
def test_founding_year_is_answered_when_asked_with_the_latin_name(engine):
    ans = engine.query("DeepSeek是哪一年成立的？")
    assert not ans.abstained and "2023年7月" in _first(ans)


@pytest.mark.parametrize("question,script,expected", [
    ("DeepSeek的创始人是谁？", None, "梁文锋"), ("DeepSeek的創始人是誰？", None, "梁文鋒"),
])
def test_founder_is_among_the_cited_sentences(engine, question, script, expected):
    ans = engine.query(question, script=script)
    assert not ans.abstained and any(expected in h for c in ans.citations for h in c.highlights)


_EN_ABSTENTION = pytest.mark.xfail(strict=True, reason=(
    "known miss: English questions meet Chinese text through weak cross-lingual evidence, so the English "
    "bar that keeps false abstention at 3% is low (held-out English abstention 0.32, fitting/fit_answer.separate.txt)"))


@pytest.mark.parametrize("question", [
    "今天天气怎么样？", "今天天氣怎麼樣？", pytest.param("What's the weather like today?", marks=_EN_ABSTENTION),
    "苹果公司2025年第一季度的营收是多少？", "蘋果公司2025年第一季的營收是多少？",
    pytest.param("What was Apple's revenue in the first quarter of 2025?", marks=_EN_ABSTENTION),
])
def test_off_topic_and_unmentioned_questions_abstain_in_every_language(engine, question):
    ans = engine.query(question)
    assert ans.abstained and ans.citations == []


@pytest.mark.parametrize("question", ["Hi", "hi", "asdf", "thanks", "qwertyuiop"])
def test_a_turn_none_of_whose_words_the_corpus_has_abstains(engine, question):
    # each got a quoted news sentence by vector similarity alone (cosine ~0.8) before
    ans = engine.query(question)
    assert ans.abstained and ans.citations == []


def test_no_filler_follows_the_answer(engine):
    ans = engine.query("DeepSeek声称训练V3用了多少块H800？")
    assert "2048" in _first(ans).replace(",", "")
    assert all("正加紧分析" not in h for c in ans.citations for h in c.highlights)


def test_answer_in_the_sentence_that_says_the_city_not_its_name(grown):
    ans = grown.query("杭州的常住人口是多少？")
    assert not ans.abstained and "1252万" in _first(ans)


def test_year_before_1900_is_answered(grown):
    ans = grown.query("洪秀全在哪一年发动金田起义？")
    assert not ans.abstained and "1851年" in _first(ans)


def test_short_answers_are_glossed_for_english_readers_only(engine):
    from rag.answer import gloss

    # subtle: the word list's table (3–7 s to build) is what a measure word's gloss needs;
    # a Chinese reader's answer must not pay for it.
    gloss._reverse.cache_clear()
    ans = engine.query("DeepSeek声称训练V3用了多少块H800？")
    assert ans.short and ans.short.replace(",", "") == "2048块"
    assert gloss._reverse.cache_info().currsize == 0
    ans = engine.query("Which university did Liang Wenfeng graduate from?")
    assert ans.short == "浙江大学 (Zhejiang University)"


@pytest.mark.parametrize("quote,frame", [
    ("深度求索于2023年成立。", "According to the corpus (quoted in Chinese): "),
    ("DeepSeek was founded in 2023.", "According to the corpus: "),   # a user's corpus may hold English articles
    ("", "According to the corpus: "),
])
def test_the_english_frame_says_chinese_only_for_chinese_quotes(quote, frame):
    from rag.answer_extractive import ExtractiveAnswerer

    assert ExtractiveAnswerer._frame("en", 0, quote) == frame
    assert ExtractiveAnswerer._frame("zh-Hans", 0, quote) == ""
