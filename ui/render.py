"""Render: answers, source cards, the library table and upload results as HTML strings.

Owns: turning ``rag`` results into markup, and the one rule that makes that safe —
every string that came from a document, a file name or the asker is passed through
``escape_text`` at render time; links are emitted only for http(s) URLs. Gradio's
sanitiser is a second line of defence, never the first (``gr.HTML`` inserts with
``innerHTML`` unsanitised).
Does not own: layout or events (``ui.web``), wording (``ui.labels``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rag import Answer, Citation, DocumentInfo, IngestReport
from ui import labels as L

__all__ = [
    "escape_text", "safe_url", "cited_numbers", "render_answer", "render_streaming", "render_sources",
    "render_error", "render_query", "render_library", "render_upload_results", "sources_placeholder",
]

# subtle: the chat renders Markdown before HTML, so Markdown's own syntax characters
# (* _ [ ] ( ) ` # | ~ $ …) become numeric entities too; a document line such as
# [x](javascript:…) or *text* then shows literally instead of becoming a link/emphasis.
_ENTITIES = {c: f"&#{ord(c)};" for c in "&<>\"'`*_[](){}#+-.!|~$\\=:@"}
_MARKER = re.compile(r"\[(\d+)\]")
def escape_text(text: object) -> str:
    """``text`` as inert characters in both HTML and Markdown contexts ("" for None)."""
    if text is None:
        return ""
    return "".join(_ENTITIES.get(ch, ch) for ch in str(text))


def safe_url(url: object) -> str | None:
    """The URL, escaped for an href, only if it is an absolute http(s) URL with a host."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in url for c in "\x00\r\n\t "):
        return None
    return escape_text(url)


def cited_numbers(answer_text: str) -> list[int]:
    """The [n] markers in an answer, in order of first use."""
    seen: list[int] = []
    for m in _MARKER.finditer(answer_text or ""):
        if int(m.group(1)) not in seen:
            seen.append(int(m.group(1)))
    return seen


def _with_markers(text: str) -> str:
    """Escaped answer text whose [n] markers become superscripts matching the numbered cards."""
    out, last = [], 0
    for m in _MARKER.finditer(text):
        out.append(escape_text(text[last:m.start()]))
        out.append(f'<sup class="cqa-ref">[{int(m.group(1))}]</sup>')
        last = m.end()
    out.append(escape_text(text[last:]))
    return "".join(out)


def render_streaming(text: str) -> str:
    """The chat bubble while the answer is still arriving."""
    return f'<div class="cqa-answer cqa-streaming">{_with_markers(text) or escape_text(L.SEARCHING)}</div>'


def _cited(answer: Answer) -> list[Citation]:
    used = set(cited_numbers(answer.answer))
    return [c for c in answer.citations if c.n in used]


def _footnotes(citations: list[Citation]) -> str:
    items = "".join(
        f'<li><span class="cqa-n">[{c.n}]</span> {escape_text(c.title or c.source)}'
        f' <span class="cqa-file">· {escape_text(c.source)}</span></li>' for c in citations)
    return f'<ol class="cqa-footnotes">{items}</ol>' if items else ""


def render_answer(answer: Answer) -> str:
    """The finished chat bubble: answer, abstention badge, notice, and a compact source list."""
    script = answer.script if answer.script in L.CARD_WORDS else "en"
    badge = (f'<span class="cqa-badge">{escape_text(L.ABSTAINED_BADGE[script])}</span> '
             if answer.abstained else "")
    kind = "cqa-abstained" if answer.abstained else "cqa-answered"
    notice = f'<div class="cqa-notice">{escape_text(answer.notice)}</div>' if answer.notice else ""
    return (f'<div class="cqa-answer {kind}">{badge}{_with_markers(answer.answer)}</div>'
            f"{notice}{_footnotes(_cited(answer))}")


def render_query(query: str) -> str:
    return f'<span class="cqa-query">{escape_text(query)}</span>'


def render_error(message: str) -> str:
    return (f'<div class="cqa-error"><strong>{escape_text(L.ERROR_PREFIX)}</strong> '
            f"{escape_text(message)}</div>")


def _highlighted(text: str, highlights: list[str]) -> str:
    """The passage with each supporting sentence wrapped in <mark>; every piece escaped."""
    spans: list[tuple[int, int]] = []
    for h in highlights or []:
        h = (h or "").strip()
        start = text.find(h) if h else -1
        if start >= 0:
            spans.append((start, start + len(h)))
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:  # overlapping highlights: extend the current mark instead of nesting
            start = pos
        if end <= start:
            continue
        out.append(escape_text(text[pos:start]))
        out.append(f"<mark>{escape_text(text[start:end])}</mark>")
        pos = end
    out.append(escape_text(text[pos:]))
    # paragraphs stay visible as single line breaks (the card uses white-space: pre-line)
    return re.sub(r"\s*\n\s*", "\n", "".join(out).strip())


def _card(c: Citation, script: str) -> str:
    words = L.CARD_WORDS.get(script, L.CARD_WORDS["en"])
    href = safe_url(c.url)
    link = (f' · <a href="{href}" target="_blank" rel="noopener noreferrer nofollow">'
            f"{escape_text(words['link'])}</a>" if href else "")
    date = f'<span class="cqa-date">{escape_text(c.published)}</span> · ' if c.published else ""
    return (
        f'<article class="cqa-card" data-n="{c.n}" data-source="{escape_text(c.source)}">'
        f'<header><span class="cqa-n">[{c.n}]</span> '
        f'<span class="cqa-title">{escape_text(c.title or c.source)}</span></header>'
        f'<div class="cqa-meta">{date}<span class="cqa-file">{escape_text(words["file"])}: '
        f"{escape_text(c.source)}</span>{link}</div>"
        f'<div class="cqa-passage">{_highlighted(c.text or "", c.highlights)}</div>'
        "</article>")


def sources_placeholder() -> str:
    return (f'<section class="cqa-sources"><h3>{escape_text(L.SOURCES_TITLE)}</h3>'
            f'<p class="cqa-hint">{escape_text(L.SOURCES_EMPTY)}</p></section>')


def render_sources(answer: Answer) -> str:
    """Numbered cards for the passages the answer actually cites (none when it abstained)."""
    script = answer.script if answer.script in L.CARD_WORDS else "en"
    cards = "".join(_card(c, script) for c in _cited(answer))
    body = cards or f'<p class="cqa-hint">{escape_text(L.NO_SOURCES[script])}</p>'
    return f'<section class="cqa-sources"><h3>{escape_text(L.SOURCES_TITLE)}</h3>{body}</section>'


def render_library(docs: list[DocumentInfo]) -> str:
    if not docs:
        return f'<p class="cqa-hint">{escape_text(L.LIBRARY_EMPTY)}</p>'
    head = "".join(f"<th>{escape_text(h)}</th>" for h in L.LIBRARY_COLUMNS)
    rows = []
    for d in docs:
        href = safe_url(d.url)
        title = escape_text(d.title or d.source)
        title = (f'<a href="{href}" target="_blank" rel="noopener noreferrer nofollow">{title}</a>'
                 if href else title)
        rows.append(f'<tr data-source="{escape_text(d.source)}"><td>{title}</td><td>{escape_text(d.published)}</td>'
                    f"<td><code>{escape_text(d.source)}</code></td><td>{int(d.chunks)}</td></tr>")
    return (f'<table class="cqa-library"><caption>{escape_text(L.LIBRARY_TITLE)} ({len(docs)})</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def render_upload_results(results: list[tuple[str, IngestReport | None, str | None]]) -> str:
    """One line per uploaded file: (name, report or None, error message or None)."""
    items = []
    for name, report, error in results:
        if error is None and report is not None:
            detail = (f"新增 {report.chunks_added} 个片段 / {report.chunks_added} chunk"
                      f"{'' if report.chunks_added == 1 else 's'} added"
                      + (f", {report.unchanged} unchanged" if report.unchanged else ""))
            items.append(f'<li class="cqa-ok"><strong>{escape_text(L.UPLOAD_ADDED)}</strong> '
                         f"{escape_text(name)} — {escape_text(detail)}</li>")
        else:
            items.append(f'<li class="cqa-fail"><strong>{escape_text(L.UPLOAD_FAILED)}</strong> '
                         f"{escape_text(name)} — {escape_text(error)}</li>")
    return f'<ul class="cqa-uploads">{"".join(items)}</ul>'
