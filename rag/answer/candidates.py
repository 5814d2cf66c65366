"""Candidate spans: the spans of a sentence that could answer a question.

Owns: the kinds a span can have (``KINDS``: the asked types and "other"); the
candidate spans of an answering sentence (``Candidate``, ``candidates``: jieba
part-of-speech runs for names and the name forms jieba splits (rejoined where CC-CEDICT,
via ``rag.answer.gloss.proper_names``, knows the whole: 英/伟达 → 英伟达), nouns, 《》 titles and
quotes, dates, numbers and amounts (by the grammar of ``rag.answer.numerals``), and the spans sitting in the
question word's slot between the sentence's copies of its neighbour words).
Does not own: what the question asks for and the words beside its question word
(``rag.answer.asking``); features, scoring, the confidence model or the display bar
(``rag.answer.short``); choosing the answering sentence (``rag.answer_extractive``);
English glosses (``rag.answer.gloss``).
Input sentences are canonical Simplified (``ingest.to_canonical``); spans returned are
substrings of them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import jieba
import jieba.posseg as pseg

from ingest import to_canonical
from rag.answer.asking import TYPES, question_sides
from rag.answer.gloss import proper_names
from rag.answer.numerals import APPROX, DATE, NUM, QUANTITY, RANGE, YEAR, duration, quantity_kind

__all__ = ["KINDS", "Candidate", "candidates", "slots", "FUNCTION_CHARS", "tagged_words"]

jieba.setLogLevel(logging.WARNING)

KINDS = TYPES + ("other",)        # "other": a name jieba cannot type (nz, Latin words)


# -- candidate spans ----------------------------------------------------------------------
_NAME_FLAGS = {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "place", "nt": "org", "nz": "other",
               "eng": "other"}
_ORG_SUFFIX = re.compile(r"(大学|学院|学校|中学|公司|集团|银行|协会|委员会|政府|党|队|报|社|组织|基金会|研究所|研究院|"
                         r"医院|电视台|出版社|俱乐部|乐队|联盟|议会|法院|军|部|局|署|院|会)$")
_PLACE_SUFFIX = re.compile(r"(省|市|县|区|州|国|岛|山|河|江|湖|海|镇|村|街|路|港|湾|半岛|群岛|大陆|王国|共和国)$")
_JOIN = "·・•‧"
_PEOPLE = re.compile(r"人|族|队|军")


@dataclass(frozen=True)
class Candidate:
    start: int          # character offsets in the sentence
    end: int
    text: str
    kind: str           # one of KINDS
    flag: str           # jieba flag of the run's last word ("+": grown by a character jieba split off), or "num", "era", "quote", "slot"
    tokens: int         # words in the run (1 for a numeral match)
    merged: bool        # a run of several words (a name with its suffix, 苏珊·福尔曼)


@lru_cache(maxsize=512)
def tagged_words(sentence: str) -> tuple[tuple[int, int, str, str], ...]:
    """(start, end, word, jieba flag) of every word, names jieba's dictionary splits rejoined."""
    out, pos = [], 0
    for w in pseg.cut(sentence):
        out.append((pos, pos + len(w.word), w.word, w.flag))
        pos += len(w.word)
    return tuple(_join_names(out))


_NAME_SPAN = 4      # words a dictionary name may have been split into


def _join_names(words: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Rejoin a proper name jieba's dictionary lacks and split (英/伟达 → 英伟达): the longest run
    of words that is a CC-CEDICT proper noun becomes one "nz" word."""
    names, out, i = proper_names(), [], 0
    while i < len(words):
        j = next((j for j in range(min(len(words), i + _NAME_SPAN), i + 1, -1)
                  if "".join(w[2] for w in words[i:j]) in names), i + 1)
        if j > i + 1:
            out.append((words[i][0], words[j - 1][1], "".join(w[2] for w in words[i:j]), "nz"))
        else:
            out.append(words[i])
        i = j
    return out


def _name_kind(text: str, flag: str) -> str:
    if _ORG_SUFFIX.search(text) and flag not in ("nr", "nrfg", "nrt"):
        return "org"
    if flag in ("nz", "eng", "n") and _PLACE_SUFFIX.search(text):
        return "place"
    return _NAME_FLAGS.get(flag, "other")


def _joins(words: list, j: int) -> bool:
    """Word j continues the run: a name word, a "·" between two words (苏珊·福尔曼, whatever
    jieba tagged the halves), the word after such a "·", or a Latin word after a space."""
    w, f = words[j][2], words[j][3]
    prev = words[j - 1][2] if j else ""
    if f in _NAME_FLAGS or (prev and prev[-1] in _JOIN and w.strip()):
        return True
    if w in _JOIN:
        return j + 1 < len(words) and bool(words[j + 1][2].strip())
    # "Virgin Media", "Astra 2A": a space between two Latin/digit words stays inside the name
    return (w == " " and j + 1 < len(words) and words[j + 1][3] in ("eng", "m") and words[j - 1][3] == "eng")


def _suffix_end(words: list, j: int) -> int:
    """Past up to two generic nouns when the last one types the run (浙江 + 大学, 新英格兰 +
    爱国者 + 队)."""
    for k in range(j, min(j + 2, len(words))):
        if not words[k][3].startswith("n"):
            break
        if _ORG_SUFFIX.search(words[k][2]) or _PLACE_SUFFIX.search(words[k][2]) or _PEOPLE.fullmatch(words[k][2]):
            return k + 1
    return j


def _name_runs(words: list[tuple[int, int, str, str]]) -> list[Candidate]:
    """Each name word, and each run of name words (joined directly, by "·" or a space
    between Latin words), with a generic noun that types it."""
    out: list[Candidate] = []
    i = 0
    while i < len(words):
        if words[i][3] not in _NAME_FLAGS and not (i + 1 < len(words) and words[i + 1][2] in _JOIN):
            i += 1
            continue
        j = i + 1
        while j < len(words) and _joins(words, j):
            j += 1
        while j > i + 1 and not words[j - 1][2].strip():
            j -= 1
        j = _suffix_end(words, j)
        run = words[i:j]
        for a, b, w, f in run:
            if f in _NAME_FLAGS:
                out.append(Candidate(a, b, w, _name_kind(w, f), f, 1, False))
        if len(run) > 1:
            text = "".join(w for _, _, w, _ in run)
            flag = next((f for *_, f in reversed(run) if f in _NAME_FLAGS), run[-1][3])
            kind = "person" if any(c in text for c in _JOIN) and flag != "nt" else _name_kind(text, flag)
            out.append(Candidate(run[0][0], run[-1][1], text, kind, flag, len(run), True))
        i = j
    return out


def _numerals(sentence: str, words: list[tuple[int, int, str, str]]) -> list[Candidate]:
    """Dates, seasons, time words (jieba "t"), and quantities with and without their unit
    and scale: "50万 名" also yields "50万" and "50" (the gold may be any of them). A span of
    time (两年) is a quantity, not a date."""
    out = [Candidate(m.start(), m.end(), m.group(), "date", "num", 1, False) for m in DATE.finditer(sentence)
           if not duration(m.group())]
    out += [Candidate(a, b, w, "date", "t", 1, False) for a, b, w, f in words
            if f == "t" and len(w) > 1 and not duration(w)]
    for m in QUANTITY.finditer(sentence):
        text = m.group().rstrip()
        if not re.search(r"\d|[一二两三四五六七八九十百千廿卅]", text):
            continue
        kind = quantity_kind(text)
        out.append(Candidate(m.start(), m.start() + len(text), text, kind, "num", 1, False))
        for part in (rf"(?:约|近|逾|超过|第)?{NUM}\s*(?:多|余)?\s*[万亿千百]*", rf"{NUM}"):
            bare = re.match(part, text)
            if bare and bare.group().rstrip() != text:
                piece = bare.group().rstrip()
                out.append(Candidate(m.start(), m.start() + len(piece), piece, kind, "num", 1, False))
        lead = APPROX.match(text)
        if lead and lead.end() < len(text):          # "约21473平方公里" → "21473平方公里"
            out.append(Candidate(m.start() + lead.end(), m.start() + len(text), text[lead.end():], kind, "num", 1,
                                 False))
    return out + _date_variants(sentence, words)


def _date_variants(sentence: str, words) -> list[Candidate]:
    """The year of a full date ("2009年1月6日" → "2009年", "2009年1月"), a year under an era or
    reign name ("民国5年", "绍兴十一年", "民国元年"), and a date range ("1000年至1600年")."""
    out = []
    for m in YEAR.finditer(sentence):
        a, b = m.start(), m.end()
        if not duration(m.group()):
            out.append(Candidate(a, b, m.group(), "date", "num", 1, False))
        month = re.match(rf"\s*{NUM}\s*月", sentence[b:])
        if month:
            out.append(Candidate(a, b + month.end(), sentence[a:b + month.end()], "date", "num", 1, False))
        era = next((w for w in words if w[1] == a), None)
        if era and len(era[2]) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", era[2]) and era[3] in (
                "n", "nr", "ns", "nz", "nt", "t", "nrt", "nrfg"):
            out.append(Candidate(era[0], b, sentence[era[0]:b], "date", "era", 2, True))
    for m in RANGE.finditer(sentence):
        out.append(Candidate(m.start(), m.end(), m.group(), "date", "num", 1, True))
    return out


FUNCTION_CHARS = set("的了在和与及是被将把向给对于由从以为而也都就并或等之其")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_DOTTED = re.compile(r"[\w\u4e00-\u9fff]+(?:\s?[·・•‧\-]\s?[\w\u4e00-\u9fff]+)+")


_NAME_TAIL = 3      # name pieces beyond the words at a dotted name's dots that may belong to it


def _lone_char(text: str) -> bool:
    """One Han character that is not a function word: what jieba leaves over from a name."""
    return len(text) == 1 and bool(_HAN.match(text)) and text not in FUNCTION_CHARS


def _extra_names(sentence: str, words) -> list[Candidate]:
    """Name forms jieba splits: a name with a single character it left out ("袁丽" + "嫦"), a
    regnal number ("亚历山大" + "一世"), a name with a particle jieba glued on, and dotted names."""
    out = []
    n = len(words)
    for i, (a, b, w, f) in enumerate(words):
        if f not in ("nr", "nrfg", "nrt", "ns"):
            continue
        kind = _NAME_FLAGS[f]
        if i + 1 < n and _lone_char(words[i + 1][2]):
            out.append(Candidate(a, words[i + 1][1], w + words[i + 1][2], kind, f + "+", 2, True))
        if i and _lone_char(words[i - 1][2]):
            out.append(Candidate(words[i - 1][0], b, words[i - 1][2] + w, kind, f + "+", 2, True))
        if i + 1 < n and re.fullmatch(r"[一二三四五六七八九十]+世", words[i + 1][2]):
            out.append(Candidate(a, words[i + 1][1], w + words[i + 1][2], "person", f, 2, True))
        if len(w) > 2 and w[0] in FUNCTION_CHARS:
            out.append(Candidate(a + 1, b, w[1:], kind, f, 1, False))
    return out + _dotted_names(sentence, words)


def _dot_chains(sentence: str, m: re.Match) -> list[tuple[int, int]]:
    """(first dot, last dot) of each name in a dotted run; subtle: the run itself may span two
    names and the words between them ("詹姆斯·邦德的作者是伊恩·法兰明"), so it is cut wherever
    the text between two dots is too long or holds a function character."""
    dots = [m.start() + i for i, c in enumerate(m.group()) if c in _JOIN]
    chains = []
    for d in dots:
        between = sentence[chains[-1][1] + 1:d].strip() if chains else ""
        if chains and len(between) <= 4 and not FUNCTION_CHARS & set(between):
            chains[-1] = (chains[-1][0], d)
        else:
            chains.append((d, d))
    return chains


def _name_piece(word: tuple[int, int, str, str]) -> bool:
    text, flag = word[2], word[3]
    if flag in ("nr", "nrt", "nrfg"):
        return len(text) <= 3
    # subtle: a verb, pronoun or particle next to a name (他说约翰·埃尔维来了) is not part of it
    return _lone_char(text) and flag[0] not in "vrupcdmq"


def _dotted_names(sentence: str, words) -> list[Candidate]:
    """The whole of each dotted name: the word either side of its dots, and up to _NAME_TAIL name
    pieces beyond them (jieba cuts 马尔科/姆·K·休斯 and 约瑟夫·斯/卡利/格), without a particle
    jieba glued on ("由约翰·埃尔维" → "约翰·埃尔维")."""
    out = []
    starts = {w[0]: k for k, w in enumerate(words)}
    ends = {w[1]: k for k, w in enumerate(words)}
    for m in _DOTTED.finditer(sentence):
        for first, last in _dot_chains(sentence, m):
            left = next((w[0] for w in words if w[0] < first <= w[1] or w[1] == first), m.start())
            right = next((w[1] for w in words if w[0] <= last + 1 < w[1]), m.end())
            lefts, k = [left], ends.get(left)
            while k is not None and k >= 0 and len(lefts) <= _NAME_TAIL and _name_piece(words[k]):
                lefts.append(words[k][0])
                k -= 1
            rights, k = [right], starts.get(right)
            while k is not None and k < len(words) and len(rights) <= _NAME_TAIL and _name_piece(words[k]):
                rights.append(words[k][1])
                k += 1
            for lo in lefts:
                if sentence[lo] in FUNCTION_CHARS and lo + 1 < first:
                    lo += 1
                out += [Candidate(lo, hi, sentence[lo:hi], "person", "nr", 3, True)
                        for hi in rights if hi > lo and sentence[lo:hi].strip()]
    return out


_QUOTED = re.compile(r"《([^》]{1,30})》|[“「『\"]([^”」』\"]{1,20})[”」』\"]")


def _quoted(sentence: str) -> list[Candidate]:
    """Titles and quoted names, with and without their marks."""
    out = []
    for m in _QUOTED.finditer(sentence):
        g = 1 if m.group(1) is not None else 2
        inner = m.group(g).strip()
        if not inner:
            continue
        a = m.start(g) + m.group(g).find(inner)
        out.append(Candidate(a, a + len(inner), inner, "other", "quote", 1, False))
        if g == 1:
            out.append(Candidate(m.start(), m.end(), m.group(), "other", "quote", 1, False))
    return out


def _nouns(words) -> list[Candidate]:
    """Common nouns and short noun compounds ("君主", "省务会议"): jieba often tags a name
    as a plain noun."""
    out = []
    n = len(words)
    for i in range(n):
        if words[i][3] not in ("n", "nz", "vn", "nt", "ns", "nr", "eng") and not words[i][3].startswith("n"):
            continue
        for j in range(i, min(i + 3, n)):
            f = words[j][3]
            if not (f.startswith("n") or f in ("vn", "eng")):
                break
            text = "".join(w[2] for w in words[i:j + 1])
            if len(text) < 2 or not _HAN.search(text) and j == i and f != "eng":
                continue
            if j == i and f in _NAME_FLAGS:
                continue
            out.append(Candidate(words[i][0], words[j][1], text, _name_kind(text, "n"), "n", j - i + 1, j > i))
    return out


_STOP_PUNCT = re.compile(r"[，。；：！？、,.;:!?（）()\[\]【】《》“”「」『』\"]")
_LEAD = re.compile(r"^(?:是|为|于|在|由|被|了|给|到|向|以|将|把|的|有|乃|即|系)+")
_TRAIL = re.compile(r"(?:的|了|在|于|是|被|由|所|等|之|中|时|后|前)+$")
_SLOT_CHARS, _SLOT_WORDS = 16, 5


def slots(question: str, sentence: str) -> dict[tuple[int, int], set[str]]:
    """Spans in the question word's place: after the sentence's copy of the content word
    just before it in the question ("毕业于|浙江大学，"), before the copy of the word just
    after it, cut at word boundaries, punctuation and particles. {(start, end): {"left", "right"}}."""
    left, right = question_sides(question)
    words = tagged_words(sentence)
    starts = sorted({w[0] for w in words} | {len(sentence)})
    out: dict[tuple[int, int], set[str]] = {}

    def add(a: int, b: int, side: str) -> None:
        text = sentence[a:b]
        lead = _LEAD.match(text)
        a += lead.end() if lead and lead.end() < len(text) else 0
        text = sentence[a:b]
        trail = _TRAIL.search(text)
        b -= len(trail.group()) if trail and trail.start() > 0 else 0
        if b > a and sentence[a:b].strip():
            out.setdefault((a, b), set()).add(side)

    if left:
        for m in re.finditer(re.escape(left), sentence):
            a = m.end()
            stop = _STOP_PUNCT.search(sentence, a)
            limit = min(stop.start() if stop else len(sentence), a + _SLOT_CHARS)
            ends = [e for e in starts if a < e <= limit][:_SLOT_WORDS] + ([limit] if limit > a else [])
            for e in ends:
                add(a, e, "left")
    if right:
        for m in re.finditer(re.escape(right), sentence):
            b = m.start()
            seg = sentence[max(b - _SLOT_CHARS, 0):b]
            stops = list(_STOP_PUNCT.finditer(seg))
            limit = max(b - _SLOT_CHARS, 0) + (stops[-1].end() if stops else 0)
            begins = [s_ for s_ in starts if limit <= s_ < b][-_SLOT_WORDS:]
            for s_ in begins:
                add(s_, b, "right")
    return out


def _slot_candidates(question: str, sentence: str, words) -> list[Candidate]:
    out = []
    for (a, b), sides in slots(question, sentence).items():
        text = sentence[a:b]
        last = next((w for w in reversed(words) if w[0] < b), None)
        flag = last[3] if last else "x"
        if DATE.fullmatch(text) and not duration(text):
            kind = "date"
        elif QUANTITY.fullmatch(text) and re.search(r"\d|[一二两三四五六七八九十百千]", text):
            kind = quantity_kind(text)
        else:
            kind = _name_kind(text, flag if flag in _NAME_FLAGS else "n")
        out.append(Candidate(a, b, text, kind, "slot", max(1, sum(a <= w[0] < b for w in words)), True))
    return out


def candidates(sentence: str, question: str = "") -> list[Candidate]:
    """Candidate spans of ``sentence`` (canonical), minus those the question already names."""
    return list(_candidates(sentence, question))


# subtle: the answer step asks for one sentence's candidates several times (has_new_entity,
# span_logit, then the short answer of the chosen sentence); Candidate is frozen, so a cached
# tuple is safe to share
@lru_cache(maxsize=512)
def _candidates(sentence: str, question: str) -> tuple[Candidate, ...]:
    q = to_canonical(question)
    seen, out = set(), []
    words = tagged_words(sentence)
    found = (_name_runs(words) + _numerals(sentence, words) + _extra_names(sentence, words) + _quoted(sentence)
             + _nouns(words) + (_slot_candidates(question, sentence, words) if question else []))
    for c in found:
        if (c.start, c.end) in seen or not c.text.strip() or (q and c.text in q):
            continue
        seen.add((c.start, c.end))
        out.append(c)
    return tuple(out)
