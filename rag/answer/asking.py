"""What a question asks for: the type of span, and the words beside its question word.

Owns: the asked type (``asked_type``: person/place/org/date/number/amount from cue words in
Chinese and English — general question-type cues, nothing per question; ``TYPES``); the
words that carry no content in a question (``ASKING``); the content words just before and
after the question word (``question_sides``), which the answer's slot in a sentence sits
between.
Does not own: the candidate spans of a sentence and finding that slot in one
(``rag.answer.candidates``); features and scoring (``rag.answer.short``).
"""

from __future__ import annotations

import re

import jieba

from ingest import detect_script, to_canonical

__all__ = ["TYPES", "ASKING", "asked_type", "answering_kinds", "question_sides"]

TYPES = ("person", "place", "org", "date", "number", "amount")

# -- what the question asks for ---------------------------------------------------------
# Checked in order: the first cue that matches decides ("多少钱" is an amount before a number,
# "哪一年" a date before "哪一…" a thing).
_ZH_CUES = [
    ("amount", r"多少钱|多少(美|日|港|人民|欧)?元|多少(英)?镑|多少美金|(价格|价钱|售价|估值|身价|金额|费用|花费|耗资|成本|"
               r"资金|票房|收入|营收|造价)[^，。？?]{0,4}(多少|几|多高)"),
    ("date", r"哪一?年|何年|哪一?天|何日|哪一?日|几月|哪个?月|何时|什么时(候|间)|什么年代|哪个?年代|哪个?世纪|"
             r"几几年|哪个?朝代|年份|日期|生于何|几号"),
    ("number", r"多少|几[个位名人次年岁座种项条部本场届倍天月分秒层]?|百分之|比例|多大|多高|多长|多远|多重|多深|多久|"
               r"多宽|多快|多少岁|第几|排名"),
    ("person", r"谁|哪一?位|哪个人|什么人|何人|哪些人|名字|叫什么|(创始|创办|发明|作|导演|主席|总统|领导|"
               r"首相|总理|国王|皇帝|设计|建造|发现|编剧)者?人?是(什么|谁)"),
    ("org", r"(哪|什么|何)[一个家所支间些]*(公司|企业|大学|学校|学院|机构|组织|团体|球队|队伍?|政党|党派|银行|"
            r"报纸?|杂志|电视台|电台|部门|集团|协会|委员会|品牌|乐队|俱乐部|军队|部队|出版社|医院|政府|王朝|帝国)"),
    ("place", r"哪里|哪儿|何地|何处|在哪|什么地方|(哪|什么|何)[一个座些]*(国家?|城市?|省|州|县|地区?|区域|岛|"
              r"大洲|洲|河|山|湖|海|港口?|村|镇|街|路|首都|地点|位置)"),
]
_EN_CUES = [
    ("amount", r"how much (money|did|does|do|was|is|were|are)\b.*\b(cost|pay|paid|spend|spent|worth|price|earn|raise)|"
               r"how much (money|funding)|\b(cost|price|budget|revenue|salary|valuation|worth)\b.*\bhow much|"
               r"what (was|is) the (cost|price|budget|revenue|value|valuation)"),
    ("date", r"\bwhen\b|what (year|date|day|month|century|decade|era|time|period)|which (year|date|day|month|century|decade)|"
             r"in what (year|century|decade)"),
    ("number", r"how (many|much|long|far|old|large|big|tall|high|deep|fast|often)|what (percentage|percent|share|"
               r"proportion|number|amount|fraction|age|size)"),
    ("person", r"\bwho(m|se)?\b|what (is|was) the name of the (man|woman|person|king|president)|which (person|man|woman|"
               r"king|queen|emperor|president|player|author|scientist)"),
    ("org", r"(which|what) (company|companies|university|school|college|organi[sz]ation|agency|team|party|bank|newspaper|"
            r"magazine|network|channel|group|firm|institution|band|club|army|dynasty|government|body)"),
    ("place", r"\bwhere\b|(which|what) (country|countries|city|cities|state|province|county|region|area|island|continent|"
              r"river|mountain|lake|sea|port|town|village|street|capital|location|place)"),
]
_ZH = [(kind, re.compile(p)) for kind, p in _ZH_CUES]
_EN = [(kind, re.compile(p, re.I)) for kind, p in _EN_CUES]


def answering_kinds(asked: str) -> set[str]:
    """The candidate kinds that answer a question asking for ``asked``: an amount is also a bare number."""
    return {asked, "number"} if asked == "amount" else {asked}


def asked_type(question: str) -> str | None:
    """person/place/org/date/number/amount, or None when the question asks for no such span."""
    if not question or not question.strip():
        return None
    english = detect_script(question) == "en"
    text = question if english else to_canonical(question)
    return next((kind for kind, cue in (_EN if english else _ZH) if cue.search(text)), None)


ASKING = re.compile(r"^(什么|哪|哪里|哪儿|哪个|哪些|哪一|谁|多少|几|何|是|的|了|在|有|为|被|于|和|与|吗|呢|怎么|如何|"
                     r"为什么|一个|哪位|何时|时候|什么样)$")
_WH = re.compile(r"谁|哪|什么|多少|几|何")


def question_sides(question: str) -> tuple[str, str]:
    """The content words just before and after the question word ("毕业于" in
    "梁文锋毕业于哪所大学"): the answer tends to sit between the same words in the sentence."""
    q = to_canonical(question)
    m = _WH.search(q)
    if not m:
        return "", ""
    before = [w for w in jieba.cut(q[:m.start()]) if len(w) > 1 and not ASKING.match(w)]
    after = [w for w in jieba.cut(q[m.end():]) if len(w) > 1 and not ASKING.match(w)]
    return (before[-1] if before else ""), (after[0] if after else "")
