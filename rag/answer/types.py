"""Answer types: what kind of span a question asks for, and whether a sentence offers one.

Owns: the coarse answer type of a question (person, place, org, date, number, amount)
from its question words, in Chinese (canonical Simplified) and English; and whether a
sentence holds an entity of that type that the question does not already name
(jieba's part-of-speech tags for names, places and organisations; digits and Chinese
numerals with a unit for dates, numbers and amounts). These are *features* the fitted
models weigh, not rules that decide.
Does not own: extracting the short answer span (``rag.short_answer``), any weight.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba
import jieba.posseg as pseg

__all__ = ["ASKED_TYPES", "asked_type", "has_new_entity", "entities"]

jieba.setLogLevel(logging.WARNING)

ASKED_TYPES = ("person", "place", "org", "date", "amount", "number")
# subtle: order matters — "哪一年" must be a date before "几/多少" makes it a number, and
# "多少钱" an amount before it is a number.
_ASKED = [
    ("date", r"哪一?年|何年|哪一?天|哪一?日|几月|几号|什么时候|何时|什么时间|哪个月|年代|日期|\bwhen\b|what (year|date|day|month|time|century)|which (year|date|day|month|century)"),
    ("amount", r"多少钱|多少(美元|元|资金|费用|成本|亿|万)|价格|估值|营收|收入是多少|how much (money|did|does|is|was|were|are)|\bcost\b|valuation|revenue"),
    ("number", r"多少|几[个位名人次项种家座所条年岁天倍]|百分之|比例|how (many|much|long|far|old|large|big|high)|what (percentage|proportion|number)"),
    ("person", r"谁|哪位|哪一位|什么人|何人|哪个人|\bwho(m|se)?\b"),
    ("place", r"哪里|哪儿|何处|何地|哪个(国家|城市|省|地区|州|地方)|哪座|在哪|\bwhere\b|which (country|city|province|state|region|place)"),
    ("org", r"哪(家|所|个)(公司|机构|组织|大学|学校|企业|银行|单位)|什么(公司|机构|组织)|哪家|which (company|organi[sz]ation|university|school|firm|agency|bank)"),
]
_ASKED_RE = [(kind, re.compile(p, re.I)) for kind, p in _ASKED]
_NUMERAL = r"[\d０-９一二两三四五六七八九十百千万亿零〇]"
_SPANS = {
    "date": re.compile(rf"{_NUMERAL}+\s*(年代|年|月|日|号|世纪)|[春夏秋冬]季|(北|南|东|西)?[宋元明清唐汉周秦隋晋]朝?"),
    "number": re.compile(rf"\d[\d,.]*\s*%?|{_NUMERAL}{{2,}}|{_NUMERAL}+\s*[个位名人次项种家座所条岁天倍块张台万亿%]"),
    "amount": re.compile(rf"{_NUMERAL}[\d,.]*\s*(多|余)?\s*(万|亿|千|百)?\s*(美元|元|人民币|欧元|英镑|日元|港元|美金|块钱)"),
}
_POS = {"person": ("nr",), "place": ("ns",), "org": ("nt",)}
_ORG_SUFFIX = re.compile(r"(大学|学院|公司|集团|银行|研究院|研究所|委员会|协会|基金会|实验室|政府|部)$")


def asked_type(question: str) -> str | None:
    """The answer type a canonical (Simplified) or English question asks for, if any."""
    return next((kind for kind, pattern in _ASKED_RE if pattern.search(question or "")), None)


@lru_cache(maxsize=4096)
def entities(kind: str, sentence: str) -> tuple[str, ...]:
    """Spans of ``sentence`` that are of the answer type ``kind``, in order."""
    if kind in _SPANS:
        found = [m.group(0) for m in _SPANS[kind].finditer(sentence)]
        return tuple(found + (list(entities("number", sentence)) if kind == "amount" and not found else []))
    spans = [w.word for w in pseg.cut(sentence) if w.flag in _POS.get(kind, ()) and len(w.word) > 1]
    if kind == "org":
        spans += [w for w in jieba.lcut(sentence) if len(w) > 2 and _ORG_SUFFIX.search(w)]
    return tuple(dict.fromkeys(spans))


def has_new_entity(kind: str, sentence: str, question: str) -> bool:
    """``sentence`` holds a ``kind`` span the question does not already contain."""
    return any(span.strip() and span.strip() not in question for span in entities(kind, sentence))
