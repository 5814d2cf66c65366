"""Chunk stage: article ``Document``s → chunk ``Document``s with deterministic ids.

Owns: Chinese-aware splitting (paragraph, then 。！？；… boundaries), chunk size and
overlap, start offsets, content-derived ids (so re-ingest is an idempotent upsert),
and sentence splitting inside a chunk (the unit the extractive answerer quotes).
Does not own: script conversion (``ingest.script``) or storage (``rag.index.store``).
"""

from __future__ import annotations

import hashlib
import re

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

__all__ = ["chunk", "split_sentences", "content_id"]

# subtle: the splitter tries these in order, so a chunk breaks at a paragraph before a
# sentence end, and at a sentence end before a comma; "" is the last resort for runs with none.
_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "…", "!", "?", ";", "，", ",", " ", ""]
# subtle: ；joins clauses of one claim (…安装 DeepSeek 等中国应用；其他被禁的还包括…), so it
# does not end a sentence here even though the chunker may break there.
_SENTENCE = re.compile(r"[^。！？!?…\n]+(?:[。！？!?…]+[”」』’\")）]*)?")


def content_id(*parts: str) -> str:
    """A stable id from content, so the same text always maps to the same record."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def chunk(docs: list[Document], size: int = 300, overlap: int = 60) -> list[Document]:
    """Split each article; every chunk keeps its article's metadata plus ``start`` and ``id``."""
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=overlap,
        separators=_SEPARATORS,
        keep_separator="end",
        add_start_index=True,
    )
    chunks = []
    for piece in splitter.split_documents(docs):
        meta = dict(piece.metadata)
        meta["start"] = meta.pop("start_index")
        # subtle: keyed by the document's identity, so two files with equal text stay apart.
        meta["id"] = content_id(meta.get("doc_id") or meta["source"], piece.page_content)
        chunks.append(Document(id=meta["id"], page_content=piece.page_content, metadata=meta))
    return chunks


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` with their closing punctuation and quotes; blanks dropped."""
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) > 1]
