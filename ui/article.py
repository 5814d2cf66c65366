"""Article: the full-article page (``/article?doc=…&script=…&hl=…``) opened from a citation card
or a library row.

Owns: reading the page's query (which document, in which script, which sentences to mark),
the article's markup — title, date, link, file, the whole cleaned text with the cited sentences
in ``<mark>`` — every piece escaped, and the script that brings the first mark into view and
gives it keyboard focus.
Does not own: putting the text back together (``rag.Engine.read``), layout (``ui.web``).
"""

from __future__ import annotations

import logging
import re

import gradio as gr

from rag import Article, Engine
from ui import labels as L
from ui import render as R

__all__ = ["ArticlePage", "render_article", "SHOW_MARK"]

log = logging.getLogger(__name__)
_SCRIPTS = ("zh-Hans", "zh-Hant", "en")

# subtle: run after the page's load event filled the HTML; focus lets keyboard and screen-reader
# users start at the cited sentence, tabindex=-1 keeps it out of the tab order.
SHOW_MARK = """() => { setTimeout(() => {
  const mark = document.querySelector('#cqa-article mark');
  if (mark) { mark.scrollIntoView({block: 'center'}); mark.focus({preventScroll: true}); }
}, 100); }"""


def _marked(text: str, highlights: list[str]) -> str:
    """Escaped paragraphs with every occurrence of each highlight wrapped in <mark>."""
    spans = sorted((m.start(), m.end()) for h in {h.strip() for h in highlights if h and h.strip()}
                   for m in re.finditer(re.escape(h), text))
    out, pos = [], 0
    for start, end in spans:
        start = max(start, pos)
        if end <= start:
            continue
        out += [R.escape_text(text[pos:start]), f'<mark tabindex="-1">{R.escape_text(text[start:end])}</mark>']
        pos = end
    out.append(R.escape_text(text[pos:]))
    paragraphs = re.split(r"\s*\n\s*\n\s*", "".join(out).strip())
    return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs if p)


def render_article(article: Article | None, highlights: list[str] | None = None,
                   missing: str = L.ARTICLE_MISSING) -> str:
    """The article page; without an article, the page's own title and ``missing`` (gone, or none chosen)."""
    back = f'<p><a class="cqa-back" href="./">{R.escape_text(L.BACK)}</a></p>'
    if article is None:
        return f'{back}<h1 class="cqa-page-title">{R.escape_text(L.ARTICLE_TITLE)}</h1>{R.render_notice(missing)}'
    info = article.info
    href = R.safe_url(info.url)
    meta = [R.escape_text(info.published)] if info.published else []
    if href:
        meta.append(f'<a href="{href}" target="_blank" rel="noopener noreferrer nofollow">{R.escape_text(info.url)}</a>')
    meta.append(f"<code>{R.escape_text(info.source)}</code>")
    return (f'{back}<article class="cqa-full" lang="{"en" if _latin(article.text) else "zh"}">'
            f"<h1>{R.escape_text(article.title or info.source)}</h1>"
            f'<p class="cqa-meta">{" · ".join(meta)}</p>'
            f'<div class="cqa-full-text">{_marked(article.text, highlights or [])}</div></article>')


def _latin(text: str) -> bool:
    return not re.search(r"[\u4e00-\u9fff]", text[:500])


class ArticlePage:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, request: gr.Request) -> str:
        """The page's HTML for the document named in the URL (``doc``, optional ``script``, ``hl``…)."""
        params = request.query_params if request is not None else {}
        key = (params.get("doc") or "").strip()
        if not key:  # the bare /article address: nothing was deleted, nothing was chosen
            return render_article(None, missing=L.ARTICLE_NONE)
        script = params.get("script") if params.get("script") in _SCRIPTS else None
        highlights = params.getlist("hl") if hasattr(params, "getlist") else []
        try:
            info = self.engine.find(key)
            return render_article(self.engine.read(info.doc_id, script) if info else None, highlights)
        except Exception:
            log.exception("opening %s failed", key)
            return R.render_error(L.INTERNAL_ERROR, L.FAILED_PREFIX)
