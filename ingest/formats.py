"""Formats: bytes of a PDF, a Word file or an article export → raw ``Document``s.

Owns: extracting text from ``.pdf`` (pypdf; a page without a text layer is reported, never
stored empty; lines wrapped at the margin are joined back into paragraphs), ``.docx``
(python-docx; the first heading becomes the title) and article exports (``.jsonl`` / ``.csv``,
one article per row, columns from ``ArticleColumns`` or the usual CMS names), reading dates
(also Taiwan's calendar), and the identity of a row: ``<file doc_id>#<row id or line number>``, labelled
``<file label>#<row id or line number>`` — so a folder sync still works by ``doc_id`` prefix.
A bad row (invalid JSON, no text) is reported with its line number; the others are kept.
Does not own: decoding text files or file identity (``ingest.loader``), cleanup (``ingest.clean``).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from langchain_core.documents import Document

from ingest.errors import ConfigError, UnreadableFileError

__all__ = ["ArticleColumns", "Loaded", "pdf_document", "docx_document", "article_rows", "ROW_SUFFIXES", "iso_date"]

log = logging.getLogger(__name__)
ROW_SUFFIXES = (".jsonl", ".csv")
_FIELDS = ("id", "title", "date", "url", "text")
_ALIASES = {"id": ("article_id", "guid", "uuid", "编号", "編號"),
            "title": ("headline", "标题", "標題", "题目", "題目"),
            "date": ("pub_date", "published", "publish_time", "pubdate", "date_published", "日期", "发布时间",
                     "發布時間", "时间", "時間"),
            "url": ("link", "source_url", "链接", "連結", "网址", "網址"),
            "text": ("body", "content", "article", "正文", "内容", "內容")}
_OCR_FIX = "it has no text layer (a scan?); run OCR on it first (e.g. `ocrmypdf in.pdf out.pdf`) and add the result"


@dataclass(frozen=True)
class ArticleColumns:
    """Which column of an article export holds each field (``ARTICLE_COLUMNS``)."""

    id: str = "id"
    title: str = "title"
    date: str = "date"
    url: str = "url"
    text: str = "text"
    named: frozenset = frozenset()     # the fields ARTICLE_COLUMNS set: only their column is read

    @classmethod
    def parse(cls, spec: str) -> "ArticleColumns":
        """``"title:headline,text:body"`` → columns; fields not named keep their default."""
        mapping = {}
        for part in filter(None, (p.strip() for p in (spec or "").split(","))):
            key, sep, column = part.partition(":")
            if not sep or key.strip() not in _FIELDS or not column.strip():
                raise ConfigError(f"ARTICLE_COLUMNS entry {part!r} is invalid: use field:column with field one of "
                                  f"{', '.join(_FIELDS)}, e.g. ARTICLE_COLUMNS=title:headline,text:body.")
            mapping[key.strip()] = column.strip()
        named = frozenset(f for f, column in mapping.items() if column != getattr(cls, f))
        return cls(**mapping, named=named)

    def value(self, row, field: str):
        """The row's ``field``: its column, or for a field ARTICLE_COLUMNS did not name, the
        first of the names CMS exports commonly use for it (body, headline, pub_date, link…).

        subtle: one folder often holds exports of two systems; one mapping for all of them
        failed one of the two whole."""
        if not isinstance(row, dict):
            return None
        column = getattr(self, field)
        if column in row or field in self.named:
            return row.get(column)
        return next((row[alias] for alias in _ALIASES[field] if alias in row), None)


@dataclass
class Loaded:
    """What one file yields: its documents, and the parts that failed as (label, reason, doc_id)."""

    documents: list[Document] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)


# -- PDF -------------------------------------------------------------------------
def pdf_document(name: str, data: bytes, doc_id: str) -> Loaded:
    """One document of the PDF's text pages; pages without text are reported by number."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [unwrap_lines((page.extract_text() or "").strip()) for page in reader.pages]
        title = _metadata_title(reader.metadata.title if reader.metadata else None)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableFileError(name, f"not a readable PDF ({exc})") from None
    if not any(pages):
        raise UnreadableFileError(name, _OCR_FIX)
    loaded = Loaded([Document(page_content="\n\n".join(p for p in pages if p),
                              metadata=_meta(doc_id, name, "pdf", title=title))])
    for i, text in enumerate(pages, 1):
        if not text:
            loaded.failed.append((f"{name} p.{i}", f"page {i} {_OCR_FIX}; the other pages were added", doc_id))
    return loaded


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def unwrap_lines(text: str) -> str:
    """A page's lines with the margin's wraps undone: one line per paragraph or heading.

    subtle: pypdf reports every visual line as a line, and Chinese has no space to show that a
    line ends only because the page did: every wrap became a sentence boundary, and answers
    quoted 「…早已經被中國」. A line as wide as the page's full lines (``_FULL`` of the 90th
    percentile width) continues on the next one; a shorter one ends a paragraph or is a heading.
    """
    lines = [line.strip() for line in text.split("\n")]
    widths = sorted(_width(line) for line in lines if line)
    page = widths[int(0.9 * (len(widths) - 1))] if len(widths) >= 3 else 0
    if page < _MIN_PAGE:
        return text      # a list, a table of short cells, a poem: nothing was wrapped
    full = _FULL * page
    out = [lines[0]]
    for wrapped, line in zip(lines, lines[1:]):
        previous = out[-1]
        if not line or not previous or _width(wrapped) < full:
            out.append(line)
            continue
        latin = _width(previous[-1]) == 1 and _width(line[0]) == 1 and not previous.endswith("-")
        out[-1] = previous + (" " if latin else "") + line
    return "\n".join(out)


# a wrapped line is at least this share of the page's full width (Chromium-printed CJK text:
# a paragraph's first line, indented 2 characters, is 0.96 of it; the last lines vary freely)
_FULL = 0.8
_MIN_PAGE = 40     # half-width columns (20 Chinese characters): narrower full lines are not wrapped prose


# -- Word --------------------------------------------------------------------------
def docx_document(name: str, data: bytes, doc_id: str) -> Loaded:
    """Paragraphs and table cells in order; the first Title/Heading paragraph is the title."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError, OSError) as exc:
        raise UnreadableFileError(name, f"not a readable .docx file ({exc})") from None
    title, paragraphs = None, []
    for p in document.paragraphs:
        text = p.text.strip()
        style = (p.style.name if p.style is not None else "") or ""
        if text and title is None and (style == "Title" or style.startswith("Heading")):
            title = text
        elif text:
            paragraphs.append(text)
    paragraphs += [c.text.strip() for t in document.tables for row in t.rows for c in row.cells if c.text.strip()]
    title = title or _metadata_title(document.core_properties.title)
    return Loaded([Document(page_content="\n\n".join(paragraphs), metadata=_meta(doc_id, name, "docx", title=title))])


# -- article exports -------------------------------------------------------------------
def article_rows(name: str, text: str, doc_id: str, columns: ArticleColumns) -> Loaded:
    """One document per row of a ``.jsonl`` or ``.csv`` export; bad rows are reported, not fatal."""
    rows = _jsonl_rows(text) if name.lower().endswith(".jsonl") else _csv_rows(text)
    loaded, first_line = Loaded(), {}
    for line, row, problem in rows:
        key = _row_key(row, columns, line)
        label, row_id = f"{name}#{key}", f"{doc_id}#{key}"
        body = columns.value(row, "text")
        if problem is None and not (isinstance(body, str) and body.strip()):
            problem = f"no text in column {columns.text!r}" + (
                "" if columns.text in row else f" (its columns: {', '.join(map(str, row))})")
        if problem is None and key in first_line:
            # subtle: a second row with the same id would replace the first one's article
            problem = f"id {key!r} repeats line {first_line[key]}'s; each row needs its own id (this row was skipped)"
        first_line.setdefault(key, line)
        if problem:
            loaded.failed.append((label, f"line {line}: {problem}", row_id))
            continue
        loaded.documents.append(Document(page_content=body, metadata=_meta(
            row_id, label, "article", title=_str(columns.value(row, "title")), url=_str(columns.value(row, "url")),
            published=iso_date(columns.value(row, "date"), label))))
    if not loaded.documents:
        reasons = "; ".join(r for _, r, _ in loaded.failed[:3]) or "no rows"
        raise UnreadableFileError(name, f"no article with text ({reasons}); columns are set by ARTICLE_COLUMNS")
    return loaded


def _jsonl_rows(text: str):
    for line, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield line, None, f"invalid JSON ({exc.msg} at column {exc.colno})"
            continue
        yield line, row, None if isinstance(row, dict) else "not a JSON object"


def _csv_rows(text: str):
    reader = csv.DictReader(io.StringIO(text))
    start = 2  # line 1 is the header
    try:
        for row in reader:
            # subtle: a quoted field may span lines; report the line the row starts on
            yield start, row, None
            start = reader.line_num + 1
    except csv.Error as exc:
        yield start, None, f"invalid CSV ({exc})"


def _row_key(row, columns: ArticleColumns, line: int) -> str:
    value = _str(columns.value(row, "id"))
    # '#' and '/' would make a row id look like another row or a subfolder
    return re.sub(r"[#/\s]+", "_", value)[:80] if value else str(line)


def _str(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


# subtle: without 民國 only a 3-digit year is Taiwan's (112/03/05); 99.12.25 may mean 1999
_ROC = re.compile(r"(?:(?:民國|民国)\s*(\d{1,3})|(\d{3}))\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def iso_date(value, label: str) -> str | None:
    """ISO date from 2025-01-27, 2025/1/27, 2025-01-27T08:00:00Z or 2025年1月27日, or a Taiwan
    (Republic of China) date, 民國112年3月5日 or 112/03/05 (year + 1911); else dropped."""
    raw = _str(value)
    if raw is None:
        return None
    m = re.match(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", raw)
    roc = None if m else _ROC.fullmatch(raw.rstrip("日號号 "))
    try:
        if m:
            return date(*map(int, m.groups())).isoformat()
        if roc:
            year, month, day = int(roc[1] or roc[2]), int(roc[3]), int(roc[4])
            return date(year + 1911, month, day).isoformat()
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        log.warning("%s: dropped date %r (not a date)", label, raw)
        return None


_NOT_A_TITLE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:\S*|untitled|无标题|無標題|microsoft \w+ - .*|.*\.(?:docx?|pdf|txt|html?))$",
                          re.IGNORECASE)


def _metadata_title(value) -> str | None:
    """A file's metadata title, unless it is what a tool wrote instead of one.

    subtle: a page printed to PDF from a browser is titled "about:blank" (or its URL), Word
    writes "Microsoft Word - x.docx" or "Untitled": shown as the article's title on every card.
    Without it the clean stage takes the text's headline."""
    title = str(value or "").strip()
    return None if not title or _NOT_A_TITLE.match(title) else title


def _meta(doc_id: str, source: str, fmt: str, **fields) -> dict:
    return {"doc_id": doc_id, "source": source, "format": fmt, **{k: v for k, v in fields.items() if v}}
