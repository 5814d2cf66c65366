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
from urllib.parse import urlencode, urlsplit

from rag import EN_NEEDS_LLM, Answer, Citation, DocumentInfo, IngestReport
from ui import labels as L

__all__ = [
    "escape_text", "safe_url", "cited_numbers", "render_answer", "render_streaming", "render_sources",
    "render_error", "render_library", "render_upload_results", "plain_text", "library_summary",
    "render_question", "article_href", "ARTICLE_PATH", "render_notice", "render_kept", "english_noun",
]

ARTICLE_PATH = "article"  # the full-article page (ui.article); relative, so it works under a proxy prefix
_MAX_HIGHLIGHTS = 3

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


def _ref(n: int) -> str:
    # a real button: keyboard-reachable, and the click handler in ui.behaviour finds its card
    # subtle: the chat's sanitiser drops data-* and aria-* attributes, so the number is a class
    return f'<button type="button" class="cqa-ref cqa-ref-{n}" title="{escape_text(L.REF_LABEL)} {n}">[{n}]</button>'


def _with_markers(text: str) -> str:
    """Escaped answer text whose [n] markers become buttons that open the matching card."""
    out, last = [], 0
    for m in _MARKER.finditer(text):
        out.append(escape_text(text[last:m.start()]))
        out.append(_ref(int(m.group(1))))
        last = m.end()
    out.append(escape_text(text[last:]))
    # subtle: a blank line would end the chat's HTML block and show the rest as Markdown source
    return re.sub(r"\s*\n\s*", "<br>", "".join(out).strip())


def _attribute(text: str) -> str:
    """``text`` for an attribute value, line breaks included (a raw newline would end the HTML block)."""
    return escape_text(text).replace("\r", "").replace("\n", "&#10;")


def render_streaming(text: str) -> str:
    """The chat bubble while the answer is still arriving."""
    return f'<div class="cqa-answer cqa-streaming">{_with_markers(text) or escape_text(L.SEARCHING)}</div>'


def _cited(answer: Answer) -> list[Citation]:
    used = set(cited_numbers(answer.answer))
    return [c for c in answer.citations if c.n in used]


def _words(answer: Answer) -> dict[str, str]:
    return L.CARD_WORDS.get(answer.script, L.CARD_WORDS["en"])


def _footnotes(citations: list[Citation]) -> str:
    items = "".join(
        f"<li>{_ref(c.n)} {escape_text(c.title or c.source)}"
        + (f' <span class="cqa-date">· {escape_text(c.published)}</span>' if c.published else "")
        + "</li>" for c in citations)
    return f'<ol class="cqa-footnotes">{items}</ol>' if items else ""


def _searched(answer: Answer, shown: str | None) -> str:
    """The rewritten query (``shown``: as the reader's script writes it), only when it is not what
    the asker typed (follow-ups)."""
    if not answer.query or answer.query.strip() == (answer.question or "").strip():
        return ""
    return (f'<div class="cqa-searched"><span>{escape_text(_words(answer)["searched"])}:</span> '
            f'<span class="cqa-query">{escape_text(shown or answer.query)}</span></div>')


def _quotes_chinese_for_lack_of_llm(answer: Answer) -> bool:
    # subtle: a configured LLM that failed leaves its own notice; an abstention quotes nothing,
    # so "the cited Chinese sentences are quoted" would describe sentences that are not there
    return (answer.script == "en" and answer.answerer == "extractive" and answer.notice in (None, EN_NEEDS_LLM)
            and bool(_cited(answer)))


def _notices(answer: Answer, docs_url: str) -> str:
    own = answer.notice if answer.notice != EN_NEEDS_LLM else None  # reworded below, with the setup link
    lines = [f'<div class="cqa-notice">{escape_text(own)}</div>'] if own else []
    if _quotes_chinese_for_lack_of_llm(answer):
        lines.append(f'<div class="cqa-notice">{escape_text(L.EN_NEEDS_LLM)} '
                     f'<a href="{_attribute(docs_url)}" target="_blank" rel="noopener">'
                     f"{escape_text(L.EN_NEEDS_LLM_LINK)}</a></div>")
    return "".join(lines)


def plain_text(answer: Answer) -> str:
    """What Copy puts on the clipboard: the answer, then its numbered sources (title, date, link)."""
    lines = ([answer.short.strip(), ""] if answer.short and not answer.abstained else []) + [answer.answer.strip()]
    cited = _cited(answer)
    if cited:
        lines += ["", f"{_words(answer)['sources']}:"]
        lines += [f"[{c.n}] " + ", ".join(x for x in (c.title or c.source, c.published, c.url) if x)
                  for c in cited]
    return "\n".join(lines)


def render_answer(answer: Answer, docs_url: str = L.LLM_DOCS_URL, query: str | None = None) -> str:
    """The finished bubble: searched query, answer, notices, sources list, passage cards, copy.

    Everything an answer needs lives in its own bubble, so each answer keeps its sources.
    ``query`` is ``answer.query`` converted to the answer's script (``Engine.display``).
    """
    badge = (f'<span class="cqa-badge">{escape_text(L.ABSTAINED_BADGE[answer.script])}</span> '
             if answer.abstained and answer.script in L.ABSTAINED_BADGE else "")
    kind = "cqa-abstained" if answer.abstained else "cqa-answered"
    # the plain text rides in the button's value: the sanitiser keeps it, and ui.behaviour
    # copies it and uses it as the message's accessible label
    copy = (f'<button type="button" class="cqa-copy" value="{_attribute(plain_text(answer))}">'
            f"{escape_text(_words(answer)['copy'])}</button>")
    return (f'<div class="cqa-msg">{_searched(answer, query)}'
            f'{_short(answer)}<div class="cqa-answer {kind}">{badge}{_with_markers(answer.answer)}</div>'
            f"{_notices(answer, docs_url)}{_footnotes(_cited(answer))}{render_sources(answer)}"
            f'<div class="cqa-tools">{copy}</div></div>')


def _short(answer: Answer) -> str:
    """The short answer, bold, before the cited sentences — when the answerer gives one."""
    if answer.abstained or not (answer.short or "").strip():
        return ""
    return f'<p class="cqa-short"><strong>{escape_text(answer.short.strip())}</strong></p>'


def render_error(message: str, prefix: str = L.ERROR_PREFIX) -> str:
    return _box("cqa-error", prefix, message)


def render_notice(message: str) -> str:
    """A neutral line: nothing went wrong, there was just nothing to do (no document chosen, already gone)."""
    return _box("cqa-note", L.NOTICE_PREFIX, message)


def _box(kind: str, prefix: str, message: str) -> str:
    return f'<div class="{kind}"><strong>{escape_text(prefix)}</strong> {escape_text(message)}</div>'


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
    if c.key:
        link += (f' · <a class="cqa-full-link" href="{_attribute(article_href(c.key, script, c.highlights))}" '
                 f'target="_blank" rel="noopener">{escape_text(words["full"])}</a>')
    date = f'<span class="cqa-date">{escape_text(c.published)}</span> · ' if c.published else ""
    score = (f'<span class="cqa-score" title="{escape_text(words["score_hint"])}">'
             f'{escape_text(words["score"])} {c.score:.2f}</span> · ')
    return (
        f'<article class="cqa-card cqa-card-{c.n}" tabindex="-1">'
        f'<header><span class="cqa-n">[{c.n}]</span> '
        f'<span class="cqa-title">{escape_text(c.title or c.source)}</span></header>'
        f'<div class="cqa-meta">{date}{score}<span class="cqa-file">{escape_text(words["file"])}: '
        f"{escape_text(c.source)}</span>{link}</div>"
        f'<div class="cqa-passage">{_highlighted(c.text or "", c.highlights)}</div>'
        "</article>")


def render_sources(answer: Answer) -> str:
    """Numbered cards for the passages the answer actually cites (none when it abstained).

    Collapsed under the answer, so on a phone the answer stays in view; a marker click opens it.
    """
    script = answer.script if answer.script in L.CARD_WORDS else "en"
    cited = _cited(answer)
    if not cited:
        # subtle: a turn turned away before retrieval (small talk, no content) searched nothing;
        # "no passage answers this" would be a claim about passages nobody read
        return f'<p class="cqa-hint cqa-nosources">{escape_text(L.NO_SOURCES[script])}</p>' if answer.retrieved else ""
    cards = "".join(_card(c, script) for c in cited)
    return (f'<details class="cqa-sources"><summary>{escape_text(_words(answer)["cited"])} ({len(cited)})'
            f"</summary>{cards}</details>")


def article_href(key: str, script: str | None = None, highlights: list[str] | None = None) -> str:
    """The full-article page for the document ``key`` names (``DocumentInfo.key``, never a path):
    opened in ``script``, ``highlights`` marked (unescaped URL)."""
    params = [("doc", key)] + ([("script", script)] if script else [])
    params += [("hl", h[:300]) for h in (highlights or [])[:_MAX_HIGHLIGHTS] if h]
    return f"{ARTICLE_PATH}?{urlencode(params)}"


def english_noun(n: int, noun: str) -> str:
    """``noun`` as English counts ``n`` of it: 1 chunk, 0 chunks, 2 chunks."""
    return noun if n == 1 else noun + "s"


def _breakable(name: str) -> str:
    """``name`` escaped, free to wrap after ``_ - /`` and before ``.``: a narrow column breaks a
    file name between its parts (``000_<wbr>47c1…<wbr>.txt``), not after any character."""
    return "<wbr>".join(escape_text(part) for part in re.split(r"(?<=[_\-/])|(?=\.)", name) if part)


def _library_row(d: DocumentInfo) -> str:
    href = safe_url(d.url)
    title = escape_text(d.title or d.source)
    title = (f'<a href="{href}" target="_blank" rel="noopener noreferrer nofollow">{title}</a>' if href else title)
    state = ("" if d.complete else f' <span class="cqa-badge cqa-incomplete" title="{_attribute(L.INCOMPLETE_HINT)}">'
             f"{escape_text(L.INCOMPLETE)}</span>")
    read = (f'<a class="cqa-read" href="{_attribute(article_href(d.key))}" target="_blank" rel="noopener">'
            f"{escape_text(L.READ)}</a>")
    added = escape_text((d.added_at or "")[:16].replace("T", " "))
    return (f'<tr data-source="{escape_text(d.source)}"><td>{title}{state}<br>{read}</td>'
            f"<td>{escape_text(d.published)}</td><td><code>{_breakable(d.source)}</code></td>"
            f'<td class="cqa-added">{added}</td><td>{int(d.chunks)}</td></tr>')


def render_library(docs: list[DocumentInfo], total: int | None = None, search: str = "") -> str:
    """One page of the library; ``total`` is the number of matching documents on all pages."""
    if not docs:
        empty = L.LIBRARY_NO_MATCH.format(search=search) if search else L.LIBRARY_EMPTY
        return f'<p class="cqa-hint">{escape_text(empty)}</p>'
    head = "".join(f'<th scope="col">{escape_text(h)}</th>' for h in L.LIBRARY_COLUMNS)
    rows = "".join(_library_row(d) for d in docs)
    return (f'<table class="cqa-library"><caption>{escape_text(L.LIBRARY_TITLE)} '
            f"({len(docs) if total is None else total})</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def render_question(text: str) -> str:
    """A question the user must answer with the buttons beside it (replace? delete?)."""
    return f'<p class="cqa-question" role="alert">{escape_text(text)}</p>'


def library_summary(docs: list[DocumentInfo], examples: bool = True) -> str:
    """Markdown for the empty chat: how many documents, which dates, what to ask (pointing at
    the example questions only when they are shown)."""
    if not docs:
        return escape_text(L.LIBRARY_EMPTY)
    dates = sorted(d.published[:10] for d in docs if d.published)
    span = L.SUMMARY_DATES.format(first=dates[0], last=dates[-1]) if dates else ""
    count = L.SUMMARY_COUNT.format(n=len(docs), articles="article" if len(docs) == 1 else "articles",
                                   zh=f"（{span}）" if span else "", en=f" ({span})" if span else "")
    return (f"**{escape_text(count)}**\n\n"
            f"{escape_text(L.SUMMARY_ASK if examples else L.SUMMARY_ASK_OWN)}")


def _added(name: str, report: IngestReport) -> str:
    detail = (f"新增 {report.chunks_added} 个片段 / {report.chunks_added} "
              f"{english_noun(report.chunks_added, 'chunk')} added"
              + (f", {report.unchanged} unchanged" if report.unchanged else "")
              + (f", {report.files_read} documents" if report.files_read > 1 else ""))
    word = L.REPLACED if report.replaced else L.UPLOAD_ADDED
    line = f'<li class="cqa-ok"><strong>{escape_text(word)}</strong> {escape_text(name)} — {escape_text(detail)}</li>'
    # parts of the file that failed (an export's bad rows, a scanned page): each with its reason;
    # then what was stored without a field it had (a date that is not one)
    return (line + "".join(_failed(part, reason) for part, reason in report.failed)
            + "".join(f'<li class="cqa-warn"><strong>{escape_text(L.UPLOAD_NOTE)}</strong> {escape_text(warning)}</li>'
                      for warning in report.warnings))


def _failed(name: str, error: str | None) -> str:
    return (f'<li class="cqa-fail"><strong>{escape_text(L.UPLOAD_FAILED)}</strong> '
            f"{escape_text(name)} — {escape_text(error)}</li>")


def render_kept(names: list[str]) -> str:
    """One line per file the user chose not to upload over its namesake: a choice, not a failure."""
    items = "".join(f'<li class="cqa-kept"><strong>{escape_text(L.UPLOAD_KEPT)}</strong> {escape_text(name)} '
                    f"— {escape_text(L.REPLACE_SKIPPED)}</li>" for name in names)
    return f'<ul class="cqa-uploads">{items}</ul>'


def render_upload_results(results: list[tuple[str, IngestReport | None, str | None]]) -> str:
    """One line per uploaded file: (name, report or None, error message or None)."""
    items = [_added(name, report) if error is None and report is not None else _failed(name, error)
             for name, report, error in results]
    return f'<ul class="cqa-uploads">{"".join(items)}</ul>'
