"""The numeral grammar of short answers: which strings are dates, quantities and spans of time.

Owns: the patterns for numbers (Arabic and Chinese numerals), currencies, units, dates
(years, months, days, centuries, seasons, ranges) and quantities (约50万名, 三分之二, 23–16),
and telling a span of time (两年, 三个月: a number) from a point in time (2023年, 三月: a date).
Does not own: finding them in a sentence or typing the other candidates (``rag.answer.candidates``),
glossing them into English (``rag.answer.gloss``).
Patterns match canonical Simplified text (``ingest.to_canonical``).
"""

from __future__ import annotations

import re

__all__ = ["NUM", "CURRENCY", "UNIT", "DATE", "QUANTITY", "APPROX", "YEAR", "RANGE", "duration", "quantity_kind"]

NUM = r"(?:\d+(?:[.,，]\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千廿卅]+)"
CURRENCY = r"(?:美元|美金|日元|日圆|港元|港币|欧元|英镑|卢布|元|块钱|人民币|镑|法郎|马克|比索|新台币|台币)"
_SEASON = r"(?:春|夏|秋|冬)(?:季|天)"
DATE = re.compile(
    rf"(?:公元前?\s*)?{NUM}\s*(?:世纪|年代)(?:初|末|中期|初期|末期|以后|以前)?|"
    rf"(?:公元前?\s*)?{NUM}\s*年(?:\s*{NUM}\s*月(?:\s*{NUM}\s*[日号])?)?|{NUM}\s*月(?:\s*{NUM}\s*[日号])?|"
    rf"{NUM}\s*[日号]|{_SEASON}")
UNIT = (r"(?:%|％|公分|周岁|公尺|海里|光年|摄氏度|华氏度|°C|℃|" + CURRENCY + r"|人次|个月|个|位|名|人|次|年|岁|座|种|项|条|部|本|册|篇|页|字|场|届|倍|天|日|月|周|小时|"
         r"分钟?|秒|层|米|公里|千米|厘米|毫米|英里|英尺|公斤|千克|克|吨|磅|平方(?:公里|米|英里)|公顷|亩|度|块|张|件|家|"
         r"所|支|架|艘|辆|首|集|期|卷|章|票|分|户|股|枚|颗|只|头|匹|棵|间|栋|站|国|队|类|门|局|级|"
         r"(?:km|cm|mm|kg|nm|m|g|K|GB|MB|mi|ft|mph|km/h)(?![A-Za-z]))")
QUANTITY = re.compile(
    rf"百分之{NUM}|{NUM}分之{NUM}|\d+\s*[–\-:：比]\s*\d+(?![\d.]|\s*{UNIT})|"
    rf"(?:约|近|逾|超过|第)?(?:{NUM}\s*[-–~至到]\s*)?{NUM}\s*(?:多|余)?\s*(?:[万亿千百]+)?\s*(?:{UNIT}"
    rf"(?:\s*{NUM}\s*{UNIT})?)?")
_IN_CURRENCY = re.compile(CURRENCY + "$")
APPROX = re.compile(r"(?:大约|约|近|逾|超过|第)\s*")
YEAR = re.compile(rf"(?:公元前?\s*)?(?:{NUM}|元)\s*年(?!代)")
RANGE = re.compile(rf"({DATE.pattern})\s*(?:至|到|－|-|–|~|～)\s*({DATE.pattern})")


_SPAN_OF_TIME = re.compile(rf"({NUM})\s*(多|余)?\s*(个)?\s*(年|月|天|周|星期|小时|分钟|秒)")


def duration(text: str) -> bool:
    """How long, not when: 两年, 十年, 5年, 三个月, 二十多天 (a year is 2023年, 一九八四年, 960年;
    a month 三月). Such a span is a number, not a date."""
    m = _SPAN_OF_TIME.fullmatch(text.strip())
    if not m:
        return False
    number, more, measure, unit = m.groups()
    if unit == "年":     # a positional numeral or one or two digits count years; 2023, 一九八四 name one
        return bool(more or re.search("[十百千两廿卅]", number)) or len(number) <= (2 if number.isdigit() else 1)
    return unit != "月" or bool(more or measure)


def quantity_kind(text: str) -> str:
    """A quantity ending in a currency is an amount (16亿美元); any other is a number."""
    return "amount" if _IN_CURRENCY.search(text) else "number"
