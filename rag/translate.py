"""Query translation for English questions: dictionary glosses and pinyin names.

Owns: a dictionary-based (classic cross-language IR) expansion of an English question
into the Chinese terms a Chinese article would use — "university" → 大学, "ban" → 禁令,
禁止 — from the English–Chinese word list bundled by the ``cedict`` package (offline,
no model); and romanised Chinese names ("Liang Wenfeng" → 梁文锋, "Zhejiang" → 浙江)
matched against the pinyin of the corpus' own words. The expansion feeds the lexical
side of retrieval and the answerer's term overlap; the dense side sees the question.
Does not own: translating answers (there is no translation model offline).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources

__all__ = ["english_to_chinese_terms", "glosses", "pinyin_map", "pinyin_terms", "romanisable", "warm"]

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_POS = re.compile(r"\b(?:n|v|vt|vi|adj|adv|prep|conj|pron|num|int|art|abbr|pl|aux)\.")
_SPLIT = re.compile(r"[,，;；、/\s]+")
_BRACKETS = re.compile(r"\([^)]*\)|（[^）]*）|\[[^\]]*\]|<[^>]*>|\{[^}]*\}")
_HAN_ONLY = re.compile(r"^[\u4e00-\u9fff]{1,6}$")
_STOP = set("a an the of to in on for is are was were be been by with and or what which who whom whose how why "
            "when where does did do it its that this as at from has have had say said says according about "
            "into than then there their they them he she his her him i you we our us not no yes can could "
            "would should will may might name called".split())
_MAX_GLOSSES = 4
_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:[\s-]+[A-Z][a-z]+){0,2}\b")
_MIN_PINYIN = 5  # subtle: shorter romanisations ("Li", "Wang") match too many words


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, str]:
    # subtle: ~100k rows parsed once per process, on the first English question only.
    path = resources.files("cedict") / "csv" / "EnWords.csv"
    with path.open(encoding="utf-8") as f:
        return {row[0].lower(): row[1] for row in csv.reader(f) if len(row) == 2}


def _glosses(word: str) -> list[str]:
    lexicon = _lexicon()
    for form in (word, word[:-1] if word.endswith("s") else "", word[:-2] if word.endswith(("es", "ed")) else "",
                 word[:-3] if word.endswith("ing") else "", word[:-1] if word.endswith("d") else ""):
        if form and form in lexicon:
            text = _BRACKETS.sub("", _POS.sub(" ", lexicon[form]))
            terms = [t for t in _SPLIT.split(text) if _HAN_ONLY.match(t)]
            return list(dict.fromkeys(terms))[:_MAX_GLOSSES]
    return []


def glosses(word: str) -> list[str]:
    """The Chinese glosses of one English word (any case), most common sense first; [] if unknown."""
    return _glosses(word.lower())


def english_to_chinese_terms(question: str) -> list[str]:
    """Chinese glosses of the question's English content words, most common sense first."""
    words = [w.lower() for w in _WORD.findall(question)]
    terms: list[str] = []
    for w in words:
        if w not in _STOP:
            terms.extend(_glosses(w))
    return list(dict.fromkeys(terms))


def warm() -> None:
    """Read the word list an English question's terms come from, and import pypinyin, which
    romanises an upload's words: what a process otherwise does at its first of each."""
    _lexicon()
    _romanised("")


def romanisable(vocabulary: set[str]) -> set[str]:
    """The words ``pinyin_map`` keeps: 2–4 character Han words."""
    return {w for w in vocabulary if _HAN_WORD.match(w)}


def pinyin_map(vocabulary: set[str]) -> dict[str, str]:
    """Toneless joined pinyin → corpus word, for the corpus' 2–4 character Han words."""
    table: dict[str, str] = {}
    for word in sorted(romanisable(vocabulary)):
        table.setdefault(_romanised(word), word)
    return table


@lru_cache(maxsize=65536)
def _romanised(word: str) -> str:
    # subtle: pypinyin costs ~70 µs a word and ingest meets the same words in chunk after chunk;
    # the ones the table already holds are skipped by the store, this catches the rest (homophones).
    # Imported here: its phrase table costs 0.3 s at import, and a process that only answers
    # questions over a built index never romanises a word.
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(word))


def pinyin_terms(question: str, table: dict[str, str]) -> list[str]:
    """Corpus words whose pinyin spells a run of capitalised words in the question."""
    terms = []
    for run in _CAPITALISED.findall(question):
        words = re.split(r"[\s-]+", run.lower())
        for n in range(len(words), 0, -1):
            for i in range(len(words) - n + 1):
                key = "".join(words[i : i + n])
                if len(key) >= _MIN_PINYIN and key in table:
                    terms.append(table[key])
    return list(dict.fromkeys(terms))
