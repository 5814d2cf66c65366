"""How well short answers are glossed into English, against XQuAD's parallel English answers (prints numbers).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_gloss.py

XQuAD's Chinese and English files are translations of each other, question by question: the
Chinese gold answer is the short answer the product would ideally show, the English gold
answer what an English reader needs. Each Chinese answer is glossed (``rag.answer.gloss``)
and its English part compared with the English answer (``rag.eval_squad.f1_score``, the
eval's SQuAD-style token F1), with CC-CEDICT's proper names (the product) and without
them (word list and pinyin only, as before), in one run. Rows: all answers, and the answers
whose Chinese is a name-like span (no digits).
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

def pairs() -> list[tuple[str, str]]:
    """(Chinese gold answer, English gold answer) per XQuAD question, matched by id."""
    def answers(name: str) -> dict[str, str]:
        data = json.loads((QA_DEV / name).read_text(encoding="utf-8"))["data"]
        return {q["id"]: q["answers"][0]["text"] for a in data for p in a["paragraphs"] for q in p["qas"]}
    zh, en = answers("xquad_dev.zh.json"), answers("xquad_dev.en.json")
    return [(zh[i], en[i]) for i in zh if i in en]


def english_part(span: str) -> str | None:
    out = gloss_module.gloss(span)
    return out[len(span) + 2:-1] if out != span else None


def measure(items: list[tuple[str, str]]) -> tuple[float, float, float]:
    """(share glossed, mean F1 against the English answer, share with F1 >= 0.5)."""
    scores, glossed = [], 0
    for zh, en in items:
        english = english_part(zh)
        glossed += english is not None
        scores.append(f1_score(english or "", [en]))
    n = len(items) or 1
    return glossed / n, sum(scores) / n, sum(s >= 0.5 for s in scores) / n


def main() -> None:
    items = pairs()
    names = [(zh, en) for zh, en in items if not re.search(r"\d", zh)]
    with_names = {k: measure(v) for k, v in (("all", items), ("no digits", names))}
    real = gloss_module._proper_names
    gloss_module._proper_names = lambda: {}     # the path before: word list and pinyin only
    try:
        without = {k: measure(v) for k, v in (("all", items), ("no digits", names))}
    finally:
        gloss_module._proper_names = real
    print(f"{'answers':10s} {'n':>5s}   {'glossed':>15s}   {'mean F1 vs en':>15s}   {'F1 >= 0.5':>15s}")
    print(f"{'':10s} {'':>5s}   {'before    now':>15s}   {'before    now':>15s}   {'before    now':>15s}")
    for k, n in (("all", len(items)), ("no digits", len(names))):
        b, a = without[k], with_names[k]
        print(f"{k:10s} {n:5d}   " + "   ".join(f"{b[i]:.3f}  {a[i]:.3f}".rjust(15) for i in range(3)))


if __name__ == "__main__":
    main()
