"""Vectorise stage: chunk ``Document``s → a vector per chunk and a vector per sentence of it.

Owns: embedding each chunk as what it is matched on (``ingest.chunk.matched_text``: its
title, then its text) and each of its sentences as the sentence alone (the title is
context, never a sentence); the sentence vectors the extractive answerer scores. A model that can pool its
token embeddings over character spans (``embed_with_spans``: one forward pass per chunk,
the sentences' vectors pooled from it — late chunking) gives them at no extra model
cost; any other model embeds the sentences as passages of their own.
Does not own: which chunks need embedding (``rag.index.store``), the model (``ingest.embeddings``).
"""

from __future__ import annotations

import numpy as np
from langchain_core.documents import Document

from ingest.chunk import matched_text, split_sentences, title_line

__all__ = ["sentence_spans", "vectorise"]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of ``split_sentences(text)``, in order."""
    spans, pos = [], 0
    for s in split_sentences(text):
        start = text.find(s, pos)
        spans.append((start, start + len(s)))
        pos = start + len(s)
    return spans


def vectorise(embeddings, docs: list[Document], late: bool = False) -> tuple[list[list[float]], list[np.ndarray]]:
    """(chunk vectors, per chunk an (n_sentences, dim) array aligned with ``split_sentences``).

    ``late``: pool sentence vectors from the chunk's own pass when the engine can (about
    half the model time), then through the engine's fitted ``map_late`` when it has one
    (pooled vectors carry their chunk's context and tell its sentences apart less well);
    the answerer has its own fitted weights for them.
    """
    if not docs:
        return [], []
    texts = [d.page_content for d in docs]
    spans = [sentence_spans(t) for t in texts]
    with_spans = getattr(embeddings, "embed_with_spans", None) if late else None
    if with_spans is not None:
        # subtle: the sentences are pooled inside the titled passage, so their spans shift by the title line
        shifts = [len(title_line(d)) for d in docs]
        shifted = [[(a + n, b + n) for a, b in ss] for ss, n in zip(spans, shifts)]
        vectors, sentences = with_spans([matched_text(d) for d in docs], shifted)
        mapped = getattr(embeddings, "map_late", None)
        if mapped is not None:
            sentences = mapped(sentences, vectors)
        return [list(map(float, v)) for v in vectors], [np.asarray(s, dtype=np.float32) for s in sentences]
    vectors = embeddings.embed_documents([matched_text(d) for d in docs])
    flat = [t[a:b] for t, ss in zip(texts, spans) for a, b in ss]
    dim = len(vectors[0])
    flat_vectors = np.asarray(embeddings.embed_documents(flat) if flat else [], dtype=np.float32).reshape(len(flat), dim)
    out, i = [], 0
    for ss in spans:
        out.append(flat_vectors[i:i + len(ss)])
        i += len(ss)
    return vectors, out
