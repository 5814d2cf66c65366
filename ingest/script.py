"""Script stage: Chinese script detection and conversion (OpenCC).

Owns: deciding whether a text is zh-Hans, zh-Hant or en; the canonical Simplified
form used for indexing and search (Taiwan-phrase aware, ``tw2sp``: 輝達→英伟达,
顯示卡→显卡, 軟體→软件); converting display text to the asker's script.
Taiwan-phrase conversion (``s2twp``) is right for vocabulary (英伟达→輝達, 芯片→晶片,
显卡→顯示卡) but maps a few general words to their software-jargon sense, wrong in news
prose; the phrases Taiwan text keeps plain (fitted, ``hant_keep.tsv``, and reported,
``_HANT_KEEP``) are held out of it, a measure word 个 before 中 is kept out of OpenCC's 箇中
(一個中國, not 一箇中國), Taiwan configs get the names Taiwan's press uses (川普, 普丁), and
“” quotes become 「」.
Does not own: what is stored where (``ingest.chunk`` keeps the original text).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import opencc
from langchain_core.documents import Document

__all__ = ["SCRIPTS", "detect_script", "written_in", "to_canonical", "to_script", "normalise"]

SCRIPTS = ("zh-Hans", "zh-Hant", "en")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Simplified phrase → the 繁體 wording a Taiwan news reader expects, where s2twp's phrase
# table picks the computing term. Most come from data: ingest/hant_keep.tsv, written by
# fitting/fit_hant_keep.py from Taiwan text (对象 stays 對象, not 物件; 支持 stays 支持, not 支援).
# These were reported by readers: 参数 (parameters) is 參數, not 引數 (a function argument);
# 发布 (release/announce) is 發布, not 釋出; 运行 (operate/run) is 運行, not 執行 (execute,
# which stays right for 执行).
_HANT_KEEP = {"参数": "參數", "发布": "發布", "运行": "運行"}
# Names Taiwan's press writes its own way, missing from OpenCC's tables (Taiwan configs only;
# Hong Kong writes 特朗普). Extend it when a reader reports another.
_TAIWAN_NAMES = {"特朗普": "川普", "普京": "普丁", "悉尼": "雪梨", "泽连斯基": "澤倫斯基", "马克龙": "馬克宏",
                 "默克尔": "梅克爾", "扎克伯格": "祖克柏", "贝索斯": "貝佐斯", "内塔尼亚胡": "納坦雅胡",
                 "克林顿": "柯林頓", "布什": "布希"}
# subtle: 雪梨 is also a pear; a question about pears must not be searched as Sydney
_NOT_ASKED_AS = {"悉尼"}
_TAIWAN_CONFIGS = ("s2tw", "s2twp")
# “” and ‘’ are the mainland's quotation marks; 繁體 text quotes with 「」 and 『』. subtle: a
# single quote becomes 『』 only beside a Han character, so DeepSeek’s keeps its apostrophe.
_QUOTES = [(re.compile("“"), "「"), (re.compile("”"), "」"),
           (re.compile("‘(?=[\u3400-\u9fff])"), "『"), (re.compile("(?<=[\u3400-\u9fff。！？，])’"), "』")]


def _fitted_keep() -> dict[str, str]:
    path = Path(__file__).with_name("hant_keep.tsv")
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    return {simplified: hant for simplified, hant in rows}


_KEEP = {**_fitted_keep(), **_HANT_KEEP}
# subtle: OpenCC matches its longest phrase first, across word boundaries: 一个|中国 held 个中
# (箇中, "therein") and came out 一箇中國 (also 一箇中央, 另一箇中國). A measure word 个 after a
# numeral or demonstrative is 個. In the DRCD, CMRC and XQuAD paragraphs it changes 3 places,
# all back to the source (benchmarks/hant_roundtrip.py, which also measures converting jieba
# word by word instead: 1 % fewer character errors, but names split — kept out).
_MEASURE_GE = re.compile(r"(?<=[一二两三四五六七八九十百千万几多每某这那哪各整半])个(?=中)")
_GE_MARK = chr(0xF00FF)


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    # subtle: building an OpenCC converter parses its dictionaries (~20 ms); one per config per process.
    return opencc.OpenCC(config)


_CJK_PUNCT = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")


def detect_script(text: str) -> str:
    """zh-Hant when more characters change under t2s than under s2t; en when no Han text."""
    han = _HAN.findall(text)
    if not han and not re.search(r"[A-Za-z]", text) and _CJK_PUNCT.search(text):
        return "zh-Hans"   # "？" or "。。。": typed on a Chinese keyboard, so not an English reader
    if not han or (len(han) < 2 and len(_LATIN_WORD.findall(text)) >= 2):
        return "en"
    chars = "".join(han)
    to_simp = _converter("t2s").convert(chars)
    to_trad = _converter("s2t").convert(chars)
    trad = sum(a != b for a, b in zip(chars, to_simp))
    simp = sum(a != b for a, b in zip(chars, to_trad))
    return "zh-Hant" if trad > simp else "zh-Hans"


def written_in(text: str, default: str) -> str:
    """The Chinese script ``text`` is written in, or ``default`` when no character tells.

    subtle: a short title such as 台北 or 中山 reads the same in both scripts; detect_script
    would call it 简体, and a 繁體 reader would get it back through s2twp as 臺北.
    """
    han = "".join(c for c in _HAN.findall(text) if c not in _BOTH)
    if han and (_converter("t2s").convert(han) != han or _converter("s2t").convert(han) != han):
        return detect_script(han)
    return default


# 台 is Simplified to OpenCC (s2t and s2tw give 臺) but Taiwan writes 台灣, 台北 as often as 臺
_BOTH = {"台"}


def taiwan_names(text: str) -> list[tuple[str, str]]:
    """(name as written in ``text``, the mainland name) for each Taiwan-press name it holds (川普 → 特朗普)."""
    return [(written, mainland) for written, mainland in _asked_names() if written in text]


@lru_cache(maxsize=1)
def _asked_names() -> tuple[tuple[str, str], ...]:
    return tuple((written, mainland) for mainland, taiwan in _TAIWAN_NAMES.items() if mainland not in _NOT_ASKED_AS
                 for written in dict.fromkeys((taiwan, to_canonical(taiwan))))


def to_canonical(text: str) -> str:
    """The Simplified, mainland-vocabulary form everything is indexed and searched in."""
    return _converter("tw2sp").convert(text)


def to_script(text: str, script: str, hant_config: str = "s2twp") -> str:
    """Render ``text`` for a reader of ``script``; English readers get the original text."""
    if script == "zh-Hans":
        return to_canonical(text) if detect_script(text) == "zh-Hant" else text
    if script == "zh-Hant":
        return _to_hant(to_canonical(text), hant_config)
    return text


def _to_hant(simplified: str, config: str) -> str:
    keep = {**_KEEP, **_TAIWAN_NAMES} if config in _TAIWAN_CONFIGS else _KEEP
    converted = convert_hant(simplified, config, keep)
    for pattern, mark in _QUOTES:
        converted = pattern.sub(mark, converted)
    return converted


def convert_hant(simplified: str, config: str, keep: dict[str, str]) -> str:
    """OpenCC's ``config`` conversion with the ``keep`` phrases held out and given their 繁體 form.

    subtle: each phrase is swapped for a private-use character before conversion (OpenCC leaves
    those alone) and restored after, so an override cannot touch text that was 執行 originally;
    longer phrases first, so one phrase inside another cannot split it.
    """
    marks = {phrase: chr(0xF0000 + i) for i, phrase in enumerate(sorted(keep, key=len, reverse=True))}
    for phrase, mark in marks.items():
        simplified = simplified.replace(phrase, mark)
    converted = _converter(config).convert(_MEASURE_GE.sub(_GE_MARK, simplified))
    for phrase, mark in marks.items():
        converted = converted.replace(mark, keep[phrase])
    return converted.replace(_GE_MARK, "個")


def normalise(doc: Document) -> Document:
    """Canonical Simplified ``page_content``; the original script is recorded in metadata."""
    script = detect_script(doc.page_content)
    return Document(
        page_content=to_canonical(doc.page_content),
        metadata={**doc.metadata, "script": script},
    )
