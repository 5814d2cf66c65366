"""The ingest stages in order, for one raw document: clean → chunk → normalise.

Owns: the order of the stages and the rule that an article with no text is an error.
Does not own: reading files (``ingest.loader``) or storing chunks (``rag.index.store``).
"""

from __future__ import annotations

from langchain_core.documents import Document

from ingest.chunk import chunk
from ingest.clean import clean
from ingest.errors import UnreadableFileError
from ingest.script import normalise

__all__ = ["prepare"]


def prepare(raw: Document, size: int = 300, overlap: int = 60) -> list[Document]:
    """Chunks of one raw document: canonical Simplified text, original kept as ``original``."""
    article = clean(raw)
    if not article.page_content.strip():
        raise UnreadableFileError(raw.metadata["source"], "no article text left after cleaning")
    chunks = []
    for piece in chunk([article], size=size, overlap=overlap):
        canonical = normalise(piece)
        canonical.metadata["original"] = piece.page_content
        canonical.id = piece.id
        chunks.append(canonical)
    return chunks
