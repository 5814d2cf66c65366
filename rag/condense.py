"""Condense: a follow-up question + the earlier questions → the standalone query that is searched.

Owns: deciding whether a question depends on earlier turns and rewriting it so it can
be searched alone. There is no LLM offline, so the rule is small and explainable:

1. The conversation is resolved left to right: each earlier question is condensed
   against the one before it, so a chain (深度求索… → 它的创始人是谁？ → 他毕业于哪里？)
   carries its subject along.
2. A question is **self-contained** when it names its own subject — an *anchor*, i.e. a
   proper noun (jieba nr/ns/nt/nz, or a word its dictionary lacks: 台积电) or a Latin name/code (DeepSeek, V3) — before any
   pronoun. It is searched as typed.
3. **Anaphora**: a pronoun or demonstrative (他/她/它/其/该/那家…, it/she/that company)
   with no anchor before it. The pronoun is replaced by what it can refer to in the
   previous question: for 他/她/he/she a named person or a person noun with its
   modifiers (他毕业于哪所大学 after DeepSeek的创始人是谁 → 创始人毕业于哪所大学); for
   它/其/it the phrases that hold a name (它的创始人是谁 after 深度求索是哪家…子公司
   → 深度求索的创始人是谁); failing that, all its content words (its *topic*).
4. **Ellipsis**: a question that opens with a connective (那/那么/还有/至于, and/what
   about), ends in 呢, or is short and names nothing (dropped subject).
   A bare fragment (那R1呢, What about R1?) swaps the same kind of slot in the previous
   question — a model/chip code for a code, a time word for a time word — or, if there
   is none, is appended to the previous question. A full question (那V3有多少参数？)
   gets the previous topic prepended.

The rewritten query is built on the canonical Simplified text and returned in the
asker's script. Does not own: retrieval, answering, or measuring (see tests/ui).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import jieba

from ingest import detect_script, to_canonical, to_script
from rag.answer.candidates import tagged_words

__all__ = ["standalone_query", "is_follow_up", "classify", "topic_terms", "asks"]

jieba.setLogLevel(logging.WARNING)

_MAX_TURNS = 4
_PRONOUNS = {"他", "她", "它", "他们", "她们", "它们", "其", "该", "此", "那里", "这里", "那儿", "这儿",
             "当地", "此人", "此事", "上述", "对方", "前者", "后者", "该公司", "本人"}
_DEMONSTRATIVES = {"这个", "那个", "这些", "那些", "这家", "那家", "这位", "那位", "这款", "那款",
                   "这次", "那次", "这项", "那项", "这种", "那种", "这份", "那份", "这名", "那名"}
_CLASSIFIERS = set("家位个款次项种份名篇部条所座场只支间则些")
_ZH_CONNECTIVES = {"那", "那么", "还有", "另外", "至于", "而", "那要是", "那如果"}
_EN_PRONOUNS = {"he", "she", "it", "they", "him", "her", "them"}
_EN_POSSESSIVES = {"his", "its", "their", "theirs", "hers"}
_EN_DEMONSTRATIVES = {"this", "that", "these", "those"}
_EN_CONNECTIVE = re.compile(r"^\s*(?:and\s+)?(?:what about|how about|what of)\b|^\s*(?:and|also)\b", re.I)
_EN_STOP = set("""a an the of to in on for at by with from about as into over after before and or but not
no is are was were be been being do does did done have has had having can could will would shall should
may might must what which who whom whose when where why how much many that this these those it its he his
him she her they them their i you we us our your my me there here than then so if also just only alone
according said say says tell told get got managed around any some all each other such very more most s""".split())
_ASKING = re.compile(r"[？?]|谁|哪|什么|多少|几|何|怎|吗|呢|嗎|麼|\b(?:who|what|when|where|which|why|how|whose)\b", re.I)
_ZH_GENERIC = {"时候", "问题", "东西", "事情", "方面", "情况", "人", "时间"}
# light verbs carry no topic: 是/有/用 match every sentence
_ZH_LIGHT_VERBS = set("是 有 用 说 称 认为 表示 做 让 叫 会 能 要 在 给 到 得 去 来 看 想 知道 觉得".split())
_PERSONAL = {"他", "她", "他们", "她们", "此人", "本人", "he", "she", "him", "her", "his", "hers", "they", "them", "their"}
_ASKS = re.compile(r"什么|哪|谁|多少|几|怎|如何|为何|为什么|是否|吗|\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.I)
_CODE = re.compile(r"[A-Za-z]{1,5}-?\d+[A-Za-z]*|\d+[A-Za-z]+")
_TIME = re.compile(r"周[一二三四五六日天末]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|第[一二三四五六七八九十\d]+天"
                   r"|次日|当天|翌日|前一天|今天|昨天|明天|今年|去年|明年|\d+月(?:\d+日)?|\d{4}年|\d+日"
                   r"|(?:the\s+)?(?:next|following|previous)\s+day|today|yesterday|tomorrow"
                   r"|(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day", re.I)
_PROPER = ("nr", "ns", "nt", "nz")
_ROLE = re.compile(r"(?:人|者|长|家|员|师|官|裁|席|理|任|手|士)$|(?:er|or|ist|ian|ent|ant)s?$"
                   r"|^(?:ceo|cto|cfo|chair|minister|czar|secretary|spokes\w+)$", re.I)
_LATIN = re.compile(r"[A-Za-z0-9]")
_HAN_WORD = re.compile(r"[\u3400-\u9fff]+")
_PUNCT = re.compile(r"^[\s\W_]+$")


@dataclass
class _Token:
    word: str
    flag: str


def _tokens(canonical: str) -> list[_Token]:
    # subtle: posseg keeps every character (spaces and punctuation too), so joining the
    # words gives back the text and a rewrite can splice tokens in place. A name jieba's
    # dictionary lacks (英/伟达) is rejoined, or 英伟达股价跌了多少？ would name nothing and
    # be taken for a follow-up.
    return _join_designations([_Token(w, flag) for _, _, w, flag in tagged_words(canonical)])


_NUMBERED = re.compile(r"[零〇一二三四五六七八九十百千\d]+号")


def _join_designations(tokens: list[_Token]) -> list[_Token]:
    """A word and the numbered 号 after it are one name (九章/五号 → 九章五号, 嫦娥/六号): jieba tags
    both halves as numerals, so 九章五号操纵了多少个光子？ named nothing and was glued to the
    previous question. A one-character word before it is not a name (在/三号楼)."""
    out: list[_Token] = []
    for t in tokens:
        prev = out[-1] if out else None
        if (prev and _NUMBERED.fullmatch(t.word) and len(prev.word) >= 2 and not _LATIN.search(prev.word)
                and prev.word not in _PRONOUNS and prev.flag[:1] in ("n", "m", "l")):
            out[-1] = _Token(prev.word + t.word, "nz")
        else:
            out.append(t)
    return out


def _is_anchor(t: _Token) -> bool:
    w = t.word
    if _LATIN.search(w):
        return w.lower() not in _EN_STOP and bool(re.search(r"[A-Z\d]", w)) and len(w) >= 2
    # subtle: a word jieba's dictionary lacks was found by its HMM (台积电, tagged n): in a
    # question that is a name. Without this, 台積電的創辦人是誰？ after a DeepSeek question
    # "named nothing" and was searched as DeepSeek訓練V3 H800台積電的創辦人是誰？
    return len(w) >= 2 and (t.flag.startswith(_PROPER) or (_HAN_WORD.fullmatch(w) and w not in jieba.dt.FREQ))


def _is_content(t: _Token) -> bool:
    w = t.word
    if _LATIN.search(w):
        return len(w) >= 2 and w.lower() not in _EN_STOP
    if w in _ZH_GENERIC or w in _PRONOUNS or w in _ZH_LIGHT_VERBS:
        return False
    return _is_anchor(t) or t.flag[:1] in ("n", "v", "t", "l", "j")


def _anaphor(tokens: list[_Token]) -> tuple[int, int] | None:
    """(start, end) token span of the first pronoun that has no anchor before it."""
    words = [t.word.lower() for t in tokens]
    for i, w in enumerate(words):
        if any(_is_anchor(t) for t in tokens[:i]):
            return None
        nxt = next((x for x in words[i + 1:] if x.strip()), "")
        if w in _PRONOUNS or w in _DEMONSTRATIVES or w in _EN_PRONOUNS or w in _EN_POSSESSIVES:
            return i, i + 1
        if w in ("这", "那") and nxt[:1] in _CLASSIFIERS:
            return i, words.index(nxt, i + 1) + 1
        # "that company" refers back; "reported that OpenAI…" is a clause, not a reference
        nxt_raw = next((t.word for t in tokens[i + 1:] if t.word.strip()), "")
        if w in _EN_DEMONSTRATIVES and nxt_raw.islower() and nxt_raw.isalpha() and nxt not in _EN_STOP:
            return i, i + 1
    return None


def _connective_end(tokens: list[_Token], canonical: str) -> int:
    """Number of leading tokens that are a discourse connective (0 if none)."""
    m = _EN_CONNECTIVE.match(canonical)
    if m:
        length, n = 0, 0
        while n < len(tokens) and length < m.end():
            length += len(tokens[n].word)
            n += 1
        return n
    first = tokens[0].word if tokens else ""
    nxt = tokens[1].word if len(tokens) > 1 else ""
    if first in _ZH_CONNECTIVES and not (first == "那" and nxt[:1] in _CLASSIFIERS):
        return 1
    return 0


def _fragment(tokens: list[_Token], start: int) -> str:
    """The question's own words after a leading connective, without 呢 and end punctuation."""
    words = [t.word for t in tokens[start:]]
    while words and (_PUNCT.match(words[-1]) or words[-1] == "呢"):
        words.pop()
    return "".join(words).strip(" ,，、")


def classify(question: str) -> str:
    """"self", "anaphora" or "ellipsis" — how the question depends on the previous one."""
    canonical = to_canonical(question).strip()
    tokens = _tokens(canonical)
    if _anaphor(tokens):
        return "anaphora"
    if _connective_end(tokens, canonical) or re.search(r"呢\s*[？?]?\s*$", canonical):
        return "ellipsis"
    content = [t for t in tokens if _is_content(t)]
    if not any(_is_anchor(t) for t in tokens) and len(content) <= 3:
        return "ellipsis"  # a short question that names nothing: its subject was dropped
    return "self"


def asks(question: str) -> bool:
    """Whether the turn asks something: a question mark or a question word (为什么, 呢, who, how…).

    subtle: "你好" or "好的" after a question is a greeting or a thank-you, not a fragment of it;
    "为什么？" or "在哪里？" is a fragment. Both are short and name nothing; only this tells them apart.
    """
    return bool(_ASKING.search(to_canonical(question)))


def is_follow_up(question: str) -> bool:
    return classify(question) != "self"


def _runs(tokens: list[_Token]) -> list[list[_Token]]:
    """Maximal runs of adjacent content words (noun phrases, roughly); 的/是/spaces' neighbours split."""
    runs: list[list[_Token]] = [[]]
    for t in tokens:
        if _is_content(t):
            runs[-1].append(t)
        elif t.word.strip() or not runs[-1] or not _LATIN.search(runs[-1][-1].word):
            runs.append([])  # a space between two English words does not end the phrase
    return [r for r in runs if r]


def _referents(tokens: list[_Token], person: bool) -> list[_Token]:
    """What a pronoun can stand for in the previous question (empty → its whole topic).

    Personal pronouns (他/她/he/she) take a named person, else the phrase headed by a
    person noun — recognised by suffix (创始人, 部长, 分析师; founder, minister). Other
    pronouns (它/其/那家/it) take the phrases that hold a name (深度求索, DeepSeek模型).
    A possessor joined by 的 is not part of the phrase (DeepSeek的创始人 → 创始人): the
    head noun is what the pronoun replaces, and DeepSeek matches nearly every sentence.
    """
    runs = _runs(tokens)
    if person:
        named = [t for t in tokens if t.flag.startswith("nr") and len(t.word) >= 2]
        if named:
            return named
        heads = [(run, max(i for i, t in enumerate(run) if _ROLE.search(t.word)))
                 for run in runs if any(_ROLE.search(t.word) for t in run)]
        return [t for run, head in heads for t in run[:head + 1]]
    return [t for run in runs if any(_is_anchor(t) for t in run) for t in run]


def topic_terms(previous: str, exclude: str = "", pronoun: str | None = None) -> list[str]:
    """The words of ``previous`` carried into a follow-up, in order, minus those in ``exclude``.

    Without ``pronoun``: every anchor and content word. With one: its referents (see
    ``_referents``), falling back to every content word when there are none.
    """
    tokens = _tokens(to_canonical(previous))
    chosen = (_referents(tokens, pronoun.lower() in _PERSONAL) if pronoun else []) \
        or [t for t in tokens if _is_content(t)]
    out: list[str] = []
    for t in chosen:
        w = t.word.strip()
        if w and w not in out and w.lower() not in exclude.lower():
            out.append(w)
    return out


def _join(parts: list[str]) -> str:
    """Concatenate, with a space only where two Latin words would otherwise touch."""
    out = ""
    for p in (p.strip() for p in parts):
        if not p:
            continue
        if out and (_LATIN.search(out[-1]) or out[-1] in "?.!,'") and _LATIN.search(p[0]):
            out += " "
        out += p
    return out


def _shape(code: str) -> str:
    """V3 and R1 → "A9", H800 and H100 → "A999": what kind of code it is."""
    return re.sub(r"[A-Za-z]", "A", re.sub(r"\d", "9", code))


def _swap_slot(previous: str, fragment: str) -> str | None:
    """The previous question with its slot of the fragment's kind (code, time) replaced: the last
    one, or for a code the last one of the same shape.

    subtle: 那R1呢？ after DeepSeek训练V3用了多少块H800？ must swap the model (V3), not the chip
    (H800) that happens to come last; a model code and a chip code differ in shape.
    """
    for kind in (_CODE, _TIME):
        if kind.fullmatch(fragment):
            slots = list(kind.finditer(previous))
            if slots:
                alike = [m for m in slots if kind is _CODE and _shape(m.group()) == _shape(fragment)]
                last = (alike or slots)[-1]
                return previous[:last.start()] + fragment + previous[last.end():]
    return None


def _rewrite(canonical: str, previous: str) -> str:
    tokens = _tokens(canonical)
    span, skip = _anaphor(tokens), _connective_end(tokens, canonical)
    if span:
        i, j = span
        pronoun = tokens[i].word
        topic = topic_terms(previous, exclude=canonical, pronoun=pronoun)
        glue = "'s" if pronoun.lower() in _EN_POSSESSIVES else ("的" if pronoun == "其" else "")
        head = "".join(t.word for t in tokens[skip:i])
        return _join([head, _join(topic) + glue if topic else pronoun, "".join(t.word for t in tokens[j:])])
    fragment = _fragment(tokens, skip)
    if not _ASKS.search(fragment):
        return _swap_slot(previous, fragment) or _join([previous, fragment])
    topic = topic_terms(previous, exclude=canonical)
    if any(_is_anchor(t) for t in tokens[skip:]):
        # subtle: 那V3有多少参数？ names its own subject: only the previous question's names come
        # along (梁文锋毕业于哪所大学 → 梁文锋), or its other words outvote the question's own
        names = {t.word.strip() for t in _tokens(to_canonical(previous)) if _is_anchor(t)}
        own_code = any(_CODE.fullmatch(t.word) for t in tokens[skip:])
        # …and not a code its own one replaces (V3 → 那R1是什么时候发布的？)
        topic = [w for w in topic if w in names and not (own_code and _CODE.fullmatch(w))]
    return _join([_join(topic), "".join(t.word for t in tokens[skip:])])


def _resolve(question: str, previous: str | None) -> str:
    """Canonical standalone form of ``question`` given the resolved previous question."""
    canonical = to_canonical(question).strip()
    if previous is None or classify(question) == "self":
        return canonical
    return _rewrite(canonical, previous)


def standalone_query(question: str, history: list[str]) -> str:
    """The question itself when self-contained, else its rewrite with the conversation's context."""
    if not question or not question.strip():
        return question
    context = None
    for earlier in [h for h in history if h and h.strip()][-_MAX_TURNS:]:
        context = _resolve(earlier, context)
    if context is None or classify(question) == "self":
        return question
    query = _resolve(question, context)
    return to_script(query, "zh-Hant") if detect_script(question) == "zh-Hant" else query
