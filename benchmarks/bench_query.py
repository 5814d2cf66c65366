"""Benchmark (prints numbers; not a test): ingest, unchanged re-ingest, cold start, warm query().

    .venv/bin/python benchmarks/bench_query.py

Runs on a fresh temporary index built from the bundled corpus, so it never touches
./vectorstore. Targets (issue 2): warm p50 ≤ 50 ms, cold start ≤ 3 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

COLD = """
import time; t = time.perf_counter()
from rag import Engine, Settings
e = Engine(Settings(vectorstore_dir={path!r}))
e.query("DeepSeek训练V3用了多少块H800？")
print(time.perf_counter() - t)
"""


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    from rag import Engine, Settings
    from rag.evaluate import load_qa

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectorstore"
        engine = Engine(Settings(vectorstore_dir=path))
        t = time.perf_counter()
        report = engine.ingest(ROOT / "data" / "corpus")
        print(f"full ingest: {time.perf_counter() - t:.1f} s ({report.chunks_added} chunks, {report.files_read} files)")
        t = time.perf_counter()
        report = engine.ingest(ROOT / "data" / "corpus")
        print(f"unchanged re-ingest: {time.perf_counter() - t:.2f} s (chunks added: {report.chunks_added})")

        colds = [float(subprocess.run([sys.executable, "-c", COLD.format(path=str(path))], capture_output=True,
                                      text=True, check=True, cwd=ROOT).stdout.split()[-1]) for _ in range(3)]
        print(f"cold start (import + open index + first answer), median of 3: {statistics.median(colds):.2f} s")

        items = [i for i in load_qa(ROOT / "tests" / "qa" / "qa.jsonl") if not i.get("history")]
        engine.query("warm up")
        by_lang: dict[str, list[float]] = {}
        for item in items:
            t = time.perf_counter()
            engine.query(item["question"])
            by_lang.setdefault(item["lang"], []).append((time.perf_counter() - t) * 1000)
        every = [ms for values in by_lang.values() for ms in values]
        rows = {lang: {"p50_ms": round(statistics.median(v), 1), "p95_ms": round(_pct(v, 0.95), 1), "n": len(v)}
                for lang, v in {**by_lang, "all": every}.items()}
        print("warm query():", json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
