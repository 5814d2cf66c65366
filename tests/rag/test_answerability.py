import pytest

from rag.answerability import expected_type, has_type, unknown_governments


@pytest.mark.parametrize(
    "question,kind",
    [("梁文锋是哪一年出生的？", "year"), ("In what year was OpenAI founded?", "year"),
     ("深度求索目前有多少名员工？", "people"), ("How many daily active users does it have?", "people"),
     ("DeepSeek的估值是多少？", "money"), ("What is DeepSeek's current company valuation?", "money"),
     ("梁文锋毕业于哪所大学？", None), ("", None)],
)
def test_expected_type(question, kind):
    assert expected_type(question) == kind


@pytest.mark.parametrize(
    "kind,sentences,ok",
    [("year", ["在2023年深度求索刚成立时"], True), ("year", ["创始人梁文锋毕业于浙江大学"], False),
     ("people", ["公司有一百多名员工"], True), ("people", ["尽管深度求索2023年7月才成立"], False),
     ("money", ["花费了560万美元"], True), ("money", ["下载量超越了ChatGPT"], False), ("year", [], False)],
)
def test_has_type(kind, sentences, ok):
    assert has_type(kind, sentences) is ok


def test_unknown_governments():
    corpus = "台湾政府星期五表示，禁止公务机关使用。意大利政府星期四宣布。"
    assert unknown_governments("韩国政府是什么时候禁止公务机关使用DeepSeek的？", corpus.__contains__) == ["韩国"]
    assert unknown_governments("台湾政府禁止哪些单位使用？", corpus.__contains__) == []
    assert unknown_governments("德州的禁令包括哪些应用？", corpus.__contains__) == []
