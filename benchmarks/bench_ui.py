"""Web chat latency: time to first streamed token and to the full answer (extractive path).

Owns: timing 20 QA questions (mixed 简/繁/EN) through ``engine.stream`` — what the chat
handler iterates — and the same questions end to end through a running app's ``/ask``
endpoint with gradio_client; prints p50/p95. ``--followups`` also prints the
multi-turn measurement (no history / naive concatenation / condense).
Does not own: asserting anything (tests/ui does that).

    .venv/bin/python benchmarks/bench_ui.py [--vectorstore DIR] [--followups]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Answer, Engine, Settings  # noqa: E402
from rag.evaluate import load_qa  # noqa: E402

__all__ = ["questions", "time_stream", "time_app"]

N = 20


def questions(n: int = N) -> list[str]:
    """n answerable single-turn QA questions, interleaving 简体, 繁體 and English."""
    items = [i for i in load_qa(ROOT / "tests" / "qa" / "qa.jsonl") if i["answerable"] and not i.get("history")]
    by_lang = [[i["question"] for i in items if i["lang"] == lang] for lang in ("zh-Hans", "zh-Hant", "en")]
    mixed = [q for group in zip(*by_lang) for q in group]
    return mixed[:n]


def time_stream(engine: Engine, qs: list[str]) -> tuple[list[float], list[float]]:
    """(seconds to the first text increment, seconds to the final Answer) per question."""
    first, full = [], []
    for q in qs:
        start = time.perf_counter()
        ttft = None
        for piece in engine.stream(q):
            if ttft is None and isinstance(piece, str) and piece:
                ttft = time.perf_counter() - start
            if isinstance(piece, Answer):
                full.append(time.perf_counter() - start)
        first.append(ttft if ttft is not None else full[-1])
    return first, full


def time_app(engine: Engine, settings: Settings, qs: list[str]) -> list[float]:
    """Seconds per question through a locally launched app's /ask (HTTP + queue + engine)."""
    import socket

    from gradio_client import Client

    from ui.web import build_app, launch

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = build_app(engine, settings)
    launch(app, settings, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        client.predict(qs[0], api_name="/ask")  # warm the connection
        out = []
        for q in qs:
            start = time.perf_counter()
            client.predict(q, api_name="/ask")
            out.append(time.perf_counter() - start)
        return out
    finally:
        app.close()


def _row(name: str, seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return f"{name:<34}{statistics.median(ms):>10.1f}{p95:>10.1f}{len(ms):>6}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vectorstore", type=Path, help="index directory (default: VECTORSTORE_DIR)")
    ap.add_argument("--followups", action="store_true", help="also measure the multi-turn QA cases")
    args = ap.parse_args()
    settings = Settings(**({"vectorstore_dir": args.vectorstore} if args.vectorstore else {}))
    engine = Engine(settings)
    start = time.perf_counter()
    engine.ensure_index()
    print(f"index ready in {time.perf_counter() - start:.1f} s ({settings.vectorstore_dir})")
    qs = questions()
    engine.query(qs[0])  # warm-up: models, BM25, OpenCC dictionaries
    first, full = time_stream(engine, qs)
    print(f"answerer: {engine.answerer.name}, {len(qs)} questions (简/繁/EN interleaved)")
    print(f"{'':<34}{'p50 ms':>10}{'p95 ms':>10}{'n':>6}")
    print(_row("engine.stream: first token", first))
    print(_row("engine.stream: full answer", full))
    print(_row("app /ask (gradio_client): full", time_app(engine, settings, qs)))
    if args.followups:
        from tests.ui.followups import format_rows, measure

        print("\nfollow-ups (mt-* cases in tests/qa/qa.jsonl):")
        print("\n".join(format_rows(measure(engine))))


if __name__ == "__main__":
    main()
