"""Answerability checks: does the chosen evidence answer *this* question at all?

Owns: two rules the similarity bar cannot see, because the unanswerable question is
about the same subject as the nearest sentences:
1. expected answer type — a question asking for a year, a number of people or a money
   amount is unanswered by sentences holding no year, head count or amount
   ("梁文锋是哪一年出生的？" vs "梁文锋毕业于浙江大学");
2. unknown governments — a government the question names whose place the corpus
   never mentions ("韩国政府…" when only 台湾政府 appears). Only governments: bare
   place names have aliases the corpus may use instead (德州 for 德克萨斯州).
Does not own: choosing sentences or the similarity bar (``rag.answer_extractive``).
"""

from __future__ import annotations

import logging
import re

import jieba
import jieba.posseg as pseg

__all__ = ["expected_type", "has_type", "unknown_governments"]

jieba.setLogLevel(logging.WARNING)

_QUESTION_TYPES = [
    ("year", re.compile(r"哪一年|哪年|何年|what year|which year", re.I)),
    ("people", re.compile(r"(多少|几)(名|位|个人|人)|how many (\w+ ){0,2}(users|people|employees|staff|workers|members)", re.I)),
    ("money", re.compile(r"估值|身价|valuation|how much is .* worth|net worth", re.I)),
]
_ANSWER_TYPES = {
    "year": re.compile(r"(19|20)\d\d|[〇零一二三四五六七八九]{4}年"),
    "people": re.compile(r"[\d一二两三四五六七八九十百千万亿]+\s*(多|余)?(名|位|人|个用户|用户)"),
    "money": re.compile(r"[\d一二两三四五六七八九十百千万亿]+\s*(多|余)?(万|亿)?(美元|元|人民币|欧元|英镑)"),
}


def expected_type(question: str) -> str | None:
    """The answer type a (canonical) question asks for, if it is one the rules know."""
    return next((name for name, pattern in _QUESTION_TYPES if pattern.search(question)), None)


def has_type(kind: str, sentences: list[str]) -> bool:
    return any(_ANSWER_TYPES[kind].search(s) for s in sentences)


_GOVERNMENT = re.compile(r"^(.{2,})(政府|当局|议会|国会)$")


def unknown_governments(question: str, corpus_has) -> list[str]:
    """Places of governments named in the question for which ``corpus_has(place)`` is false."""
    places = [m.group(1) for w in pseg.cut(question) if w.flag in ("nt", "ns") and (m := _GOVERNMENT.match(w.word))]
    return [p for p in places if not corpus_has(p)]
