"""Short answers: ranking a sentence's candidate spans and deciding whether to show the top one.

Owns: the features of each candidate against the question (``features``,
``FEATURE_NAMES``); ranking them with a softmax over the question's candidates
(``score_candidates``) and deciding whether to show the top one with a confidence model
(``confidence``, ``confidence_features``, ``CONFIDENCE_NAMES``), both fitted by
``fitting/fit_short.py`` over the dev sets (``WEIGHTS_PATH``, ``short_weights.json``);
``short_answer``; and finding a canonical span again in the displayed sentence
(``shown_span``).
Does not own: the asked type (``rag.answer.asking``) and the candidate spans
(``rag.answer.candidates``); choosing the answering sentence (``rag.answer_extractive``),
script conversion of what is shown (``rag.citations``), English glosses (``rag.answer.gloss``).
Input sentences are canonical Simplified (``ingest.to_canonical``); spans returned are
substrings of them.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

import jieba
import numpy as np

from ingest import detect_script, to_canonical
from rag.answer.asking import ASKING, TYPES, answering_kinds, asked_type, question_sides
from rag.answer.candidates import FUNCTION_CHARS, KINDS, Candidate, candidates, slots
from rag.answer.numerals import UNIT
from rag.translate import english_to_chinese_terms

__all__ = ["features", "FEATURE_NAMES", "short_answer", "score_candidates", "span_logit", "NO_SPAN", "confidence",
           "confidence_features", "CONFIDENCE_NAMES", "shown_span", "WEIGHTS_PATH"]

WEIGHTS_PATH = Path(__file__).with_name("short_weights.json")

# -- features and scoring ---------------------------------------------------------------------
_NEAR = 8           # chars: "next to a question word"


def _anchors(question: str, sentence: str) -> list[tuple[int, int]]:
    """(start, end) of every occurrence in ``sentence`` of the question's content words."""
    english = detect_script(question) == "en"
    # an English question meets a Chinese sentence through its dictionary glosses
    words = english_to_chinese_terms(question) if english else jieba.cut(to_canonical(question))
    out = []
    for w in set(words):
        w = w.strip()
        if len(w) < 2 or ASKING.match(w):
            continue
        out.extend((m.start(), m.end()) for m in re.finditer(re.escape(w), sentence))
    return out


_DATE_UNIT = r"世纪|年代|年份|年|月份|月|日|天|号|朝代"


def _asked_unit(question: str) -> str:
    """The measure word the question asks in ("多少块" → 块, "几年" → 年, "哪一个世纪" →
    世纪, "何年" → 年)."""
    m = (re.search(rf"(?:哪|何|几|什么)[一个]*\s*({_DATE_UNIT})", question)
         or re.search(rf"(?:多少|几)\s*({UNIT})", question))
    unit = m.group(1) if m else ""
    return {"年份": "年", "月份": "月", "号": "日", "天": "日"}.get(unit, unit)


_HEAD = re.compile(r"(?:哪|什么|何)[一个家所支间些位座名条部本种]*\s*([\u4e00-\u9fff]{1,4})")


def _asked_head(question: str) -> str:
    """The noun the question word modifies ("哪所大学" → 大学, "哪個帝國" → 帝国): the answer
    often ends with it. Up to the next particle or the end of the jieba word."""
    m = _HEAD.search(question)
    if not m:
        return ""
    rest = m.group(1)
    words = jieba.lcut(rest)
    head = words[0] if words else ""
    return "" if head in ("时候", "时间", "地方", "的", "是", "样") or head[0] in FUNCTION_CHARS else head


def _gap(c: Candidate, a: tuple[int, int]) -> int:
    return max(a[0] - c.end, c.start - a[1], 0)


FEATURE_NAMES = (["bias", "q_overlap", "log_gap", "no_anchor", "near_share", "left_adjacent", "right_adjacent",
                  "log_len", "tokens", "merged", "position", "nested", "contains", "log_same_kind", "in_context",
                  "has_unit", "flag_nz", "flag_eng", "flag_n", "left_side", "right_side", "unit_asked",
                  "slot_left", "slot_right", "slot_both", "quoted", "era", "starts_function", "ends_function",
                  "has_space", "has_latin", "log_slot_words", "other_unit", "head_match", "head_char", "extended"]
                 + [f"ask_{t}_is_{k}" for t in TYPES for k in KINDS]
                 + [f"ask_{t}_src_{s}" for t in TYPES for s in ("noun", "slot", "quote")])


def features(question: str, sentence: str, cands: list[Candidate], asked: str | None,
             context: str = "") -> np.ndarray:
    """One row of ``FEATURE_NAMES`` per candidate (the fitting script and the runtime share it)."""
    q = to_canonical(question)
    anchors = _anchors(question, sentence)
    left, right = question_sides(question)
    asked_unit, head = _asked_unit(q), _asked_head(q)
    kinds = [c.kind for c in cands]
    in_slot = slots(question, sentence) if q else {}
    rows = []
    for c in cands:
        gaps = [_gap(c, a) for a in anchors]
        row = {"bias": 1.0, "q_overlap": sum(ch in q for ch in c.text) / len(c.text),
               "log_gap": math.log1p(min(gaps)) if gaps else math.log1p(len(sentence)),
               "no_anchor": float(not anchors),
               "near_share": sum(g <= _NEAR for g in gaps) / len(gaps) if gaps else 0.0,
               "left_adjacent": float(any(0 <= c.start - a[1] <= 2 for a in anchors)),
               "right_adjacent": float(any(0 <= a[0] - c.end <= 2 for a in anchors)),
               "log_len": math.log(len(c.text)), "tokens": float(c.tokens), "merged": float(c.merged),
               "position": c.start / max(len(sentence), 1),
               "nested": float(any(o is not c and o.start <= c.start and c.end <= o.end for o in cands)),
               "contains": float(any(o is not c and c.start <= o.start and o.end <= c.end for o in cands)),
               "log_same_kind": math.log(kinds.count(c.kind)), "in_context": float(bool(context) and c.text in context),
               "has_unit": float(c.flag == "num" and not c.text[-1].isdigit()),
               "flag_nz": float(c.flag == "nz"), "flag_eng": float(c.flag == "eng"), "flag_n": float(c.flag == "n"),
               "left_side": float(bool(left) and left in sentence[max(c.start - len(left) - 3, 0):c.start]),
               "right_side": float(bool(right) and right in sentence[c.end:c.end + len(right) + 3]),
               "unit_asked": float(bool(asked_unit) and c.text.endswith(asked_unit)),
               "other_unit": float(bool(asked_unit) and c.flag == "num" and not c.text[-1].isdigit()
                                   and not c.text.endswith(asked_unit)),
               "head_match": float(bool(head) and c.text.endswith(head) and c.text != head),
               "head_char": float(bool(head) and c.text[-1] == head[-1] and c.text != head),
               "extended": float(c.flag.endswith("+"))}
        sides = in_slot.get((c.start, c.end), set())
        row.update({"slot_left": float("left" in sides), "slot_right": float("right" in sides),
                    "slot_both": float(len(sides) == 2), "quoted": float(c.flag == "quote"),
                    "era": float(c.flag == "era"), "starts_function": float(c.text[0] in FUNCTION_CHARS),
                    "ends_function": float(c.text[-1] in FUNCTION_CHARS), "has_space": float(" " in c.text.strip()),
                    "has_latin": float(bool(re.search(r"[A-Za-z]", c.text))),
                    "log_slot_words": math.log(c.tokens) if c.flag == "slot" else 0.0})
        if asked:
            row[f"ask_{asked}_is_{c.kind}"] = 1.0
            src = {"n": "noun", "slot": "slot", "quote": "quote"}.get(c.flag)
            if src:
                row[f"ask_{asked}_src_{src}"] = 1.0
        rows.append([row.get(name, 0.0) for name in FEATURE_NAMES])
    return np.asarray(rows, dtype=np.float64).reshape(len(cands), len(FEATURE_NAMES))


@lru_cache(maxsize=4)
def _weights(path: str) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data["features"] != FEATURE_NAMES or data.get("confidence_features", CONFIDENCE_NAMES) != CONFIDENCE_NAMES:
        # subtle: weights fitted for another feature list would score silently wrong.
        raise ValueError(f"{path} was fitted for other features; rerun fitting/fit_short.py")
    return data


def _logits(question: str, sentences: list[str], w: dict) -> tuple[str | None, list[Candidate], np.ndarray]:
    """(asked type, candidates of ``sentences[0]``, their fitted logits); no candidates when the
    question asks for no type or the sentence offers none."""
    asked = asked_type(question)
    cands = candidates(sentences[0], question) if asked and sentences and sentences[0] else []
    if not cands:
        return asked, [], np.zeros(0)
    X = features(question, sentences[0], cands, asked, "".join(sentences[1:]))
    return asked, cands, X @ np.asarray(w["coef"]) + w["intercept"]


def score_candidates(question: str, sentences: list[str], weights: dict | None = None
                     ) -> tuple[str | None, list[tuple[Candidate, float]]]:
    """(asked type, candidates of ``sentences[0]`` with their probability, best first)."""
    w = weights or _weights(str(WEIGHTS_PATH))
    asked, cands, z = _logits(question, sentences, w)
    if not cands:
        return asked, []
    if w.get("model") == "softmax":     # conditional logit: a distribution over this question's candidates
        e = np.exp(z - z.max())
        probs = e / e.sum()
    else:
        probs = 1.0 / (1.0 + np.exp(-z))
    return asked, sorted(zip(cands, probs.tolist()), key=lambda cp: -cp[1])


NO_SPAN = -10.0     # span_logit of a sentence with no candidate span


def span_logit(question: str, sentences: list[str], weights: dict | None = None) -> float:
    """The scorer's best candidate logit in ``sentences[0]`` (context after it, as in
    ``score_candidates``): how answer-like its best span sits against the question's words,
    comparable across sentences because the features are. ``NO_SPAN`` when it has none."""
    _, cands, z = _logits(question, sentences, weights or _weights(str(WEIGHTS_PATH)))
    return max(float(z.max()), NO_SPAN) if cands else NO_SPAN


CONFIDENCE_NAMES = ["bias", "top_p", "log_margin", "log_candidates", "kind_is_asked", "asked_present"] + [f"ask_{t}" for t in TYPES]


def confidence_features(asked: str, probs: list[float], kinds: list[str]) -> np.ndarray:
    """One row of ``CONFIDENCE_NAMES`` for a question's ranked candidates (probabilities best
    first): how sure the ranking is that its top candidate is the answer."""
    second = probs[1] if len(probs) > 1 else 0.0
    # subtle: a sentence with nothing of the asked type (多少人 against a sentence without a
    # number) is the wrong sentence, however sure the ranking among what it has
    wanted = answering_kinds(asked)
    row = {"bias": 1.0, "top_p": probs[0], "log_margin": math.log(probs[0] / max(second, 1e-6)),
           "log_candidates": math.log(len(probs)), "kind_is_asked": float(kinds[0] == asked),
           "asked_present": float(any(k in wanted for k in kinds)), f"ask_{asked}": 1.0}
    return np.asarray([row.get(n, 0.0) for n in CONFIDENCE_NAMES], dtype=np.float64)


def confidence(asked: str, scored: list[tuple[Candidate, float]], weights: dict) -> float:
    """Fitted probability that the top candidate is the answer (the top probability itself
    for weights without a confidence model)."""
    if "confidence" not in weights:
        return scored[0][1]
    x = confidence_features(asked, [p for _, p in scored], [c.kind for c, _ in scored])
    return float(1.0 / (1.0 + math.exp(-float(x @ np.asarray(weights["confidence"])))))


def short_answer(question: str, sentences: list[str], weights: dict | None = None) -> str | None:
    """The asked-for span of ``sentences[0]`` (canonical Simplified), or None.

    ``sentences[1:]`` are optional context (title, neighbouring sentences): a name they
    repeat is more likely the topic than the answer. None when the question asks for no
    person/place/org/date/number/amount or the best candidate is below the fitted bar.
    """
    w = weights or _weights(str(WEIGHTS_PATH))
    asked, scored = score_candidates(question, sentences, w)
    if not scored or confidence(asked, scored, w) < w["threshold"] or _cuts_a_code(sentences[0], scored[0][0]):
        return None
    if asked == "person" and len(scored[0][0].text) == 1:
        return None     # subtle: a surname alone (赵 of 赵长长, split by jieba) is never the answer (README)
    return scored[0][0].text


_ALNUM = re.compile(r"[A-Za-z0-9]")


def _cuts_a_code(sentence: str, c: Candidate) -> bool:
    """The span starts or ends inside a run of Latin letters and digits: the 800 of H800.

    subtle: only what is shown is checked, not the candidates — dropping such candidates changed
    the span features of 169 of 3,486 fitted questions and was not kept (README)."""
    before, after = sentence[c.start - 1:c.start] if c.start else "", sentence[c.end:c.end + 1]
    return bool(_ALNUM.match(before) and _ALNUM.match(c.text[:1]) or _ALNUM.match(after) and _ALNUM.match(c.text[-1:]))


def shown_span(span: str, canonical: str, shown: str) -> str | None:
    """``span`` (found in ``canonical``) as it reads in ``shown``, the displayed sentence.

    OpenCC maps character for character in nearly all text, so the span usually sits at the
    same offsets; otherwise look for its converted form.

    subtle: equal lengths do not mean equal offsets — s2twp's phrases can shorten one word and
    lengthen another (英伟达→輝達, 显卡→顯示卡), so the slice is checked, not trusted.
    """
    i = canonical.find(span)
    if i < 0:
        return None
    same = shown[i:i + len(span)]
    if to_canonical(same) == span:
        return same
    for n in sorted(range(max(1, len(span) - 2), len(span) + 3), key=lambda n: abs(n - len(span))):
        for k in range(len(shown) - n + 1):
            if to_canonical(shown[k:k + n]) == span:     # 英伟达 is shown as 輝達
                return shown[k:k + n]
    return None
