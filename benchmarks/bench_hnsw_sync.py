"""Benchmark (prints numbers; not a test): how often Chroma persists its HNSW graph.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_hnsw_sync.py [--sizes 20000,100000]

Chroma writes the graph every ``sync_threshold`` records (default 1000) and rebuilds the
unsynced tail from its log, on several threads, whenever a process opens the store; and it
searches the graph with ``ef_search`` candidates (default 100). The product's settings are
in ``rag/index/vectors.py``. Per sync setting, interleaved (A B A B) in one run:

- add rate (records/s) through ``collection.add`` in batches of 64, as ingest writes;
- open + first query (ms) in a new client, then one 5-record add (ms: an upload's write);
- agreement: a 350-record store is opened by two processes at once, each answering 300
  queries for their top 20; the count of queries whose lists differ between the two
  (the embedded store a CLI and the chat share; a refit run beside an eval).

Then per ``ef_search`` (100, 200; A B A B, each in a fresh process) on the 350-record store
and the last store of each size: recall of the top 20 against exact (numpy) search, the
queries whose top 20 is exact, and ms per query.

Vectors are synthetic (seeded gaussian, unit length): the graph, not the model, is measured.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings

SETTINGS = (1000, 100, 1)
EF_SEARCH = (100, 200)
AGREE_N = 350  # subtle: not a multiple of 100, so a tail of records since the last sync is replayed at open


def _vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, 384)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _client(path: Path):
    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))


def build(path: Path, n: int, sync: int) -> float:
    shutil.rmtree(path, ignore_errors=True)
    col = _client(path).create_collection(
        "bench", embedding_function=None, configuration={"hnsw": {"space": "cosine", "sync_threshold": sync}})
    vectors = _vectors(n, 0)
    start = time.perf_counter()
    for s in range(0, n, 64):
        ids = [str(i) for i in range(s, min(n, s + 64))]
        col.add(ids=ids, embeddings=vectors[s:s + 64], metadatas=[{"doc_id": str(int(i) // 5)} for i in ids])
    return n / (time.perf_counter() - start)


def open_ms(path: Path) -> tuple[float, float]:
    """(open + first query, then one 5-record add as an upload writes) in ms, in a fresh process
    (a client in this one would be Chroma's cached one)."""
    code = ("import sys, time; sys.path.insert(0, %r); import bench_hnsw_sync as b; from pathlib import Path; "
            "t = time.perf_counter(); col = b._client(Path(%r)).get_collection('bench'); col.query("
            "query_embeddings=[b._vectors(1, 1)[0].tolist()], n_results=20); o = (time.perf_counter() - t) * 1000; "
            "t = time.perf_counter(); col.add(ids=[f'up{i}' for i in range(5)], embeddings=b._vectors(5, 4)); "
            "print(o, (time.perf_counter() - t) * 1000)")
    out = subprocess.run([sys.executable, "-c", code % (str(Path(__file__).parent), str(path))],
                         capture_output=True, text=True, check=True).stdout
    opened, added = out.split()[-2:]
    return float(opened), float(added)


def worker(path: Path, out: Path) -> None:
    col = _client(path).get_collection("bench")
    queries = _vectors(300, 2)
    out.write_text(json.dumps([col.query(query_embeddings=[q.tolist()], n_results=20)["ids"][0] for q in queries]))


def ef_worker(path: Path, ef: int) -> None:
    """Recall of the top 20 against exact search, and ms per query, at ``ef_search`` = ef."""
    col = _client(path).get_collection("bench")
    col.modify(configuration={"hnsw": {"ef_search": ef}})
    col = _client(path).get_collection("bench")
    vectors = _vectors(col.count(), 0)         # what build() wrote, ids "0".."n-1"
    queries = _vectors(300, 3)
    exact = [{str(j) for j in np.argsort(-(vectors @ q))[:20]} for q in queries]
    start = time.perf_counter()
    found = [set(col.query(query_embeddings=[q.tolist()], n_results=20)["ids"][0]) for q in queries]
    ms = (time.perf_counter() - start) * 1000 / len(queries)
    print(json.dumps({"recall": float(np.mean([len(f & e) / 20 for f, e in zip(found, exact)])),
                      "exact_lists": sum(f == e for f, e in zip(found, exact)), "ms": ms}))


def ef_compare(path: Path) -> str:
    out = []
    for ef in EF_SEARCH * 2:
        res = subprocess.run([sys.executable, __file__, "--ef-worker", str(path), str(ef)],
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(res.strip().splitlines()[-1])
        out.append(f"ef_search={ef}: recall@20 {r['recall']:.3f}, exact top-20 {r['exact_lists']}/300, "
                   f"{r['ms']:.2f} ms/query")
    return "; ".join(out)


def disagreements(path: Path, rounds: int = 3) -> int:
    differ = 0
    for r in range(rounds):
        outs = [path.parent / f"agree{r}{w}.json" for w in "ab"]
        procs = [subprocess.Popen([sys.executable, __file__, "--worker", str(path), str(o)]) for o in outs]
        for p in procs:
            p.wait()
        a, b = (json.loads(o.read_text()) for o in outs)
        differ += sum(x != y for x, y in zip(a, b))
    return differ


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20000")
    ap.add_argument("--worker", nargs=2)
    ap.add_argument("--ef-worker", nargs=2)
    args = ap.parse_args()
    if args.worker:
        return worker(Path(args.worker[0]), Path(args.worker[1]))
    if args.ef_worker:
        return ef_worker(Path(args.ef_worker[0]), int(args.ef_worker[1]))
    root = Path(tempfile.mkdtemp(prefix="bench_hnsw_sync_"))
    try:
        for sync in SETTINGS:
            build(root / f"agree{sync}", AGREE_N, sync)
            print(f"sync_threshold={sync:5d}  {AGREE_N} records, two processes at once, 3×300 queries: "
                  f"{disagreements(root / f'agree{sync}')} top-20 lists differ", flush=True)
        print(f"{AGREE_N} records: {ef_compare(root / f'agree{SETTINGS[-1]}')}", flush=True)
        for n in map(int, args.sizes.split(",")):
            for turn, sync in enumerate(SETTINGS * 2):
                path = root / f"size{n}_{turn}"
                rate = build(path, n, sync)
                opened, added = open_ms(path)
                print(f"sync_threshold={sync:5d}  N={n}: add {rate:,.0f} records/s, "
                      f"open + first query {opened:.0f} ms, then a 5-record add {added:.0f} ms", flush=True)
                if turn == len(SETTINGS) * 2 - 1:
                    print(f"N={n}: {ef_compare(path)}", flush=True)
                shutil.rmtree(path, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
