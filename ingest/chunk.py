"""Chunk stage: article ``Document``s → chunk ``Document``s with deterministic ids.

Owns: Chinese-aware splitting (paragraph, then 。！？；… boundaries), chunk size and
overlap, start offsets, content-derived ids (so re-ingest is an idempotent upsert),
what a chunk is *matched on* (``matched_text``: its article's title, then its text — the
dense and the BM25 side both), the rule that no chunk is only a heading (the title or a
line too short to match on is folded into its neighbour), and sentence splitting inside
a chunk (the unit the extractive answerer quotes: never the title).
Does not own: script conversion (``ingest.script``) or storage (``rag.index.store``).
"""

from __future__ import annotations

import hashlib
import re

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.script import to_canonical

__all__ = ["chunk", "split_sentences", "content_id", "title_line", "matched_text", "MIN_CHUNK_CHARS",
           "INDEX_FORMAT"]

# Bump when what a chunk is or what it is matched on changes: cached indexes keyed by it
# (``rag eval --squad``) are rebuilt. A live store needs no bump: changed chunks get new ids.
INDEX_FORMAT = 2
# subtle: a chunk shorter than this (a 2–3 character first line, a section heading, a
# trailing "（完）") is nearly all "passage: " prefix to the model and a near-zero BM25
# length, so it matched every question; it joins its neighbour instead.
MIN_CHUNK_CHARS = 20
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
    """Split each article; every chunk keeps its article's metadata plus ``start`` and ``id``.

    A chunk may run past ``size`` by the heading it absorbed (see ``_fold_headings``).
    """
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=overlap,
        separators=_SEPARATORS,
        keep_separator="end",
        add_start_index=True,
    )
    chunks = []
    for doc in docs:
        text, title = doc.page_content, _title(doc.metadata)
        spans = [(p.metadata["start_index"], len(p.page_content)) for p in splitter.split_documents([doc])]
        for start, end in _fold_headings([(s, s + n) for s, n in spans], text, title):
            meta = {**doc.metadata, "start": start}
            # subtle: keyed by the document's identity, so two files with equal text stay apart,
            # and by the title, which is part of what is embedded: a retitled article re-embeds.
            meta["id"] = content_id(meta.get("doc_id") or meta["source"], title, text[start:end])
            chunks.append(Document(id=meta["id"], page_content=text[start:end], metadata=meta))
    return chunks


def _title(meta: dict) -> str:
    return " ".join((meta.get("title") or "").split())


def _is_heading(text: str, title: str) -> bool:
    """Too little to be matched on by itself: the title again, or a line under ``MIN_CHUNK_CHARS``."""
    return len(text) < MIN_CHUNK_CHARS or (bool(title) and " ".join(text.split()) == title)


def _fold_headings(spans: list[tuple[int, int]], text: str, title: str) -> list[tuple[int, int]]:
    """Spans with every heading-only one merged into the next (it heads it), or the previous at the end.

    subtle: merging spans of the article (not concatenating chunk texts) keeps the
    separator between them and each ``start`` offset exact, and an overlap counts once.
    An article that is nothing but a short line keeps it: that is its text.
    """
    out = [list(s) for s in spans]
    i = 0
    while len(out) > 1 and i < len(out):
        start, end = out[i]
        if not _is_heading(text[start:end], title):
            i += 1
            continue
        into = out[i + 1] if i + 1 < len(out) else out[i - 1]
        into[0], into[1] = min(into[0], start), max(into[1], end)
        del out[i]          # subtle: i now names the merged span, checked again (two short lines stay short)
    return [(s, e) for s, e in out]


def title_line(doc: Document) -> str:
    """``"title\\n"`` (canonical) to put before a prepared chunk's text, or "" when it has none.

    subtle: "" also when the chunk already starts with its title (a PDF whose first line is
    the title), so a title is never counted twice.
    """
    title = to_canonical(_title(doc.metadata))
    return f"{title}\n" if title and not doc.page_content.startswith(title) else ""


def matched_text(doc: Document) -> str:
    """What a prepared (canonical) chunk is embedded and BM25-indexed as: title line + its text.

    subtle: only for matching. The chunk's ``page_content`` stays its own text — what is
    shown, quoted and split into sentences — so the title is never an answer sentence.
    """
    return title_line(doc) + doc.page_content


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` with their closing punctuation and quotes; blanks dropped."""
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) > 1]
