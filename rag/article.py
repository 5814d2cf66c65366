"""Article: one stored document put back together for reading (the full-article view).

Owns: joining a document's chunks into its cleaned text without the chunk overlaps (by
each chunk's ``start`` offset into the article), and showing it in the reader's script.
Does not own: markup or highlighting (``ui``), storage (``rag.index``).
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.documents import Document

from rag.citations import display, shown_title
from rag.types import DocumentInfo

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
    """``script`` None (or "en") keeps the source's own script; zh-Hans / zh-Hant convert a
    text written in the other one, and show one written in the reader's script as written.

    subtle: as the answer cards do (``citations._verbatim``): a 繁體 article sent to a 繁體
    reader through Simplified and back came out with 曆史, 割槽域, 半導體制造商 and 梅豔芳.
    """
    text = full_text(chunks)
    if script not in ("zh-Hans", "zh-Hant"):
        return Article(info, info.title, text)
    own = _written_in(chunks)
    title = shown_title(info.title, own, script, hant_config)
    return Article(info, title, text if own == script else display(text, script, hant_config))


def _written_in(chunks: list[Document]) -> str | None:
    """The script most of the article's text was written in (each chunk's, from ingest)."""
    sizes: dict[str, int] = {}
    for c in chunks:
        if script := c.metadata.get("script"):
            sizes[script] = sizes.get(script, 0) + len(c.page_content)
    return max(sizes, key=sizes.get) if sizes else None
