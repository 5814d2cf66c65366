"""Article: one stored document put back together for reading (the full-article view).

Owns: joining a document's chunks into its cleaned text without the chunk overlaps (by
each chunk's ``start`` offset into the article), and showing it in the reader's script.
Does not own: markup or highlighting (``ui``), storage (``rag.index``).
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.documents import Document

from rag.citations import display
from rag.index.catalog import DocumentInfo

__all__ = ["Article", "full_text", "article_in"]


@dataclass(frozen=True)
class Article:
    info: DocumentInfo
    title: str | None           # in the reader's script
    text: str                   # the whole cleaned article, in the reader's script


def full_text(chunks: list[Document]) -> str:
    """The article text from its chunks (original script), each overlap kept once.

    subtle: the splitter drops the separator between chunks that do not overlap (a paragraph
    break), so a gap between one chunk's end and the next one's start becomes a blank line.
    """
    out, pos = [], 0
    for c in sorted(chunks, key=lambda d: d.metadata.get("start", 0)):
        text, start = c.metadata.get("original", c.page_content), int(c.metadata.get("start", 0))
        end = start + len(text)
        if end <= pos:
            continue
        if start < pos:
            text = text[pos - start:]
        elif out and start > pos:
            out.append("\n\n")
        out.append(text)
        pos = end
    return "".join(out).strip()


def article_in(info: DocumentInfo, chunks: list[Document], script: str | None, hant_config: str) -> Article:
    """``script`` None (or "en") keeps the source's own script; zh-Hans / zh-Hant convert."""
    text = full_text(chunks)
    if script in ("zh-Hans", "zh-Hant"):
        return Article(info, display(info.title, script, hant_config) if info.title else None,
                       display(text, script, hant_config))
    return Article(info, info.title, text)
