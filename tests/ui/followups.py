"""Follow-up measurement: the multi-turn (mt-*) QA cases with and without conversation history.

Owns: running each case three ways — the question alone, the previous question glued
in front (the naive rule condense.py replaced), and ``rag.condense.standalone_query``
— and reporting hit@1 / hit@5 of the gold source and answer keyword accuracy.
Used by tests/ui/test_condense.py (asserts) and benchmarks/bench_ui.py (prints).
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from rag.evaluate import is_correct, load_qa

__all__ = ["QA_FILE", "MODES", "multi_turn_cases", "measure", "format_rows"]

QA_FILE = Path(__file__).resolve().parents[1] / "qa" / "qa.jsonl"


def _concat(question: str, history: list[str]) -> str:
    earlier = [h for h in history if h.strip()]
    return f"{earlier[-1]} {question}" if earlier else question


MODES = {
    "no history": lambda question, history: question,
    "concat previous": _concat,
    "condense": None,  # the engine's own rule
}


def multi_turn_cases(path: Path = QA_FILE) -> list[dict]:
    return [item for item in load_qa(path) if item.get("history")]


def _run(engine, cases: list[dict], rule) -> dict:
    hit1 = hit5 = correct = 0
    failures = []
    for case in cases:
        if rule is None:
            ans = engine.query(case["question"], history=case["history"])
        else:
            # subtle: only the rewrite rule changes; validation, retrieval and answering are the engine's
            with mock.patch("rag.engine.standalone_query", rule):
                ans = engine.query(case["question"], history=case["history"])
        rank = next((i for i, s in enumerate(ans.retrieved) if s in case["sources"]), None)
        ok = not ans.abstained and is_correct(ans.answer, case["answers"])
        hit1, hit5, correct = hit1 + (rank == 0), hit5 + (rank is not None and rank < 5), correct + ok
        if not ok:
            failures.append(case["id"])
    n = len(cases)
    return {"n": n, "hit@1": round(hit1 / n, 3), "hit@5": round(hit5 / n, 3),
            "accuracy": round(correct / n, 3), "failures": failures}


def measure(engine, cases: list[dict] | None = None) -> dict[str, dict]:
    cases = cases if cases is not None else multi_turn_cases()
    return {name: _run(engine, cases, rule) for name, rule in MODES.items()}


def format_rows(result: dict[str, dict]) -> list[str]:
    lines = [f"{'mode':<16}{'n':>4}{'hit@1':>8}{'hit@5':>8}{'accuracy':>10}  failures"]
    for name, r in result.items():
        lines.append(f"{name:<16}{r['n']:>4}{r['hit@1']:>8}{r['hit@5']:>8}{r['accuracy']:>10}  "
                     f"{' '.join(r['failures']) or '-'}")
    return lines
