"""How well short answers are glossed into English, against XQuAD's parallel English answers (prints numbers).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_gloss.py

XQuAD's Chinese and English files are translations of each other, question by question: the
Chinese gold answer is the short answer the product would ideally show, the English gold
answer what an English reader needs. Each Chinese answer is glossed (``rag.answer.gloss``)
and its English part compared with the English answer (``rag.eval_squad.f1_score``, the
eval's SQuAD-style token F1), three ways in one run: word list and pinyin only; plus
CC-CEDICT's proper names; plus the Latin-script name the paragraph itself gives in brackets
after the span (the product). Rows: all answers; the answers whose Chinese is a name-like
span (no digits); and the answers the annotators wrote with the bracketed original
("铁壁威廉 (William Iron Arm)"), cut to the name before the bracket as the product shows it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.qa_sample import QA_DEV  # noqa: E402
from rag.answer import gloss as gloss_module  # noqa: E402
from rag.eval_squad import f1_score  # noqa: E402

PATHS = ("pinyin/words", "+ names", "+ source")
_ANNOTATED = re.compile(r"^([^()（）]+?)\s*[(（][A-Za-z][^()（）]*[)）]$")


def items() -> list[tuple[str, str, str]]:
    """(Chinese gold answer, its Chinese paragraph, English gold answer) per XQuAD question, by id."""
    def answers(name: str) -> dict[str, tuple[str, str]]:
        data = json.loads((QA_DEV / name).read_text(encoding="utf-8"))["data"]
        return {q["id"]: (q["answers"][0]["text"], p["context"])
                for a in data for p in a["paragraphs"] for q in p["qas"]}
    zh, en = answers("xquad_dev.zh.json"), answers("xquad_dev.en.json")
    return [(*zh[i], en[i][0]) for i in zh if i in en]


def bracketed(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Answers annotated with the bracketed original, "铁壁威廉 (William Iron Arm)", cut to the
    name before the bracket: the span the product's candidates hold (they stop at brackets)."""
    out = []
    for zh, context, en in rows:
        m = _ANNOTATED.match(zh)
        if m and m.group(1) in context:
            out.append((m.group(1), context, en))
    return out


def english_part(span: str, context: str) -> str | None:
    """What an English reader reads: the gloss, or the span itself when it needs none (17%, H800)."""
    out = gloss_module.gloss(span, context)
    return out[len(span) + 2:-1] if out != span else (span if span.isascii() else None)


def measure(rows: list[tuple[str, str, str]], use_context: bool) -> tuple[float, float, float]:
    """(share readable in English, mean F1 against the English answer, share with F1 >= 0.5)."""
    scores, glossed = [], 0
    for zh, context, en in rows:
        english = english_part(zh, context if use_context else "")
        glossed += english is not None
        scores.append(f1_score(english or "", [en]))
    n = len(rows) or 1
    return glossed / n, sum(scores) / n, sum(s >= 0.5 for s in scores) / n


def main() -> None:
    rows = items()
    subsets = {"all": rows, "no digits": [r for r in rows if not re.search(r"\d", r[0])],
               "bracketed": bracketed(rows)}
    results = {}
    real = gloss_module.proper_names
    gloss_module.proper_names = lambda: {}     # word list and pinyin only
    try:
        results[PATHS[0]] = {k: measure(v, False) for k, v in subsets.items()}
    finally:
        gloss_module.proper_names = real
    results[PATHS[1]] = {k: measure(v, False) for k, v in subsets.items()}
    results[PATHS[2]] = {k: measure(v, True) for k, v in subsets.items()}
    width = 9 * len(PATHS)
    heads = ("readable", "mean F1 vs en", "F1 >= 0.5")
    print(f"{'answers':10s} {'n':>5s}   " + "   ".join(f"{h:>{width}s}" for h in heads))
    print(f"{'':10s} {'':>5s}   " + "   ".join("".join(f"{p[:8]:>9s}" for p in PATHS) for _ in range(3)))
    for k, v in subsets.items():
        cells = ("".join(f"{results[p][k][i]:9.3f}" for p in PATHS) for i in range(3))
        print(f"{k:10s} {len(v):5d}   " + "   ".join(cells))


if __name__ == "__main__":
    main()
