"""Clean stage: raw ``Document`` → article ``Document`` (paragraph text + metadata).

Owns: stripping HTML tags, comments, CDATA, images, markdown links and bold markers, in time linear in
the page; dropping text a browser does not show (``display:none``, ``hidden``,
``aria-hidden``, ``<template>``, form controls); dropping site chrome (menus, share bars,
print links, copyright lines, sidebar link lists); replacing radical code points that some
sites type instead of characters (⼈⽬⻓ → 人目长); extracting ``title``, ``url`` and
``published`` (ISO date) into metadata. A metadata field that cannot be parsed is dropped
with a warning naming the file; it never costs the file.
Does not own: decoding bytes (``ingest.loader``) or script conversion (``ingest.script``).
"""

from __future__ import annotations

from collections.abc import Iterator
import logging
import re
import unicodedata
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime

from bs4 import BeautifulSoup, NavigableString, Tag
from langchain_core.documents import Document
from lxml import etree

from ingest.formats import iso_date

__all__ = ["clean", "clean_text"]

log = logging.getLogger(__name__)

_EPOCH = re.compile(r"<!--\s*(\d{10,13})\s*-->")
_GMT = re.compile(r"<i>\s*([A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} [\d:]+ GMT)\s*</i>")
_MD_TITLE = re.compile(r"^\s*\[([^\]]+)\]\((https?://[^)\s]+)\)\s*$")
_MD_HEADING = re.compile(r"^\s*#{1,3}\s+(.+?)\s*#*\s*$")
# subtle: the bracket classes exclude "[" and "(" too, so each failed match stops at the next
# bracket instead of scanning to the end of the text (quadratic on text full of "[").
_MD_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^()\s]*\)")
_MD_LINK = re.compile(r"\[([^\[\]]+)\]\((?:[^()\s]|\([^()\s]*\))+\)")
# subtle: **bold** markers were quoted into answers and citations (**中央社台北2月11日電**)
_MD_STRONG = re.compile(r"\*\*(?=\S)(.{1,200}?)(?<=\S)\*\*")   # bounded: linear in the page
_URL_LINE = re.compile(r"^(?:文章网址|本文网址|文章網址|本文網址|原文网址|原文链接)\s*[:：]\s*(https?://\S+)")
_URL_DATE = re.compile(r"/(20\d\d)[/-]?(\d{1,2})[/-]?(\d{1,2})(?:/|\.|$)|-(20\d\d)(\d\d)(\d\d)/")
_RULE = re.compile(r"^\s*[-=*_]{3,}\s*$")
_CHROME = re.compile(
    r"^(打印机版|打印版|列印版|分享至|分享到|如果您喜欢本文章|转载请注明|責任編輯|责任编辑|本报记者|专栏作者)"
    r"|Copyright|All Rights Reserved|版权所有|版權所有",
    re.IGNORECASE,
)
_SEPARATED = re.compile(r"\s+[-|>»/]\s+")
_SENTENCE_END = re.compile(r"[。！？!?；;…”」』]")
_HTML_HINT = re.compile(r"</?[a-zA-Z][^<>]*>|<!--|<!\[CDATA\[")
_BLOCKS = ["p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "blockquote"]
# form controls outside a <form> (which is dropped whole): option lists, button captions, prefilled values
_DROP_TAGS = ["img", "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "iframe", "svg", "figure",
              "title", "head", "template", "input", "select", "option", "textarea", "button"]
_MAYBE_HIDDEN = "//*[@hidden or @aria-hidden or @style]"
# where pages declare their publication date; first one that parses wins: what the publisher
# declares for machines (meta tags), then <time datetime>, then a visible element classed as a date
_DATE_METAS = (("article:published_time",), ("pubdate",))
_DATE_CLASSES = {"date", "time", "pubdate", "publish-date"}
_DATE_CLASS_HINT = re.compile(r"""class\s*=\s*["']?[^"'>]*\b(?:date|time|pubdate)\b""", re.IGNORECASE)
_DISPLAY_NONE = re.compile(r"(?<![\w-])display\s*:\s*none\b", re.IGNORECASE)
# a published date outside this range is a broken field (an epoch in the wrong unit, a typo), not news
_PLAUSIBLE = (date(1990, 1, 1), date(2100, 1, 1))
_SHORT = 16
_NAME = re.compile(r"[\w\u3400-\u9fff·]{2,3}")    # a one-word first line: 梁文锋, 北京, 马斯克
_RADICALS = re.compile(r"[\u2e80-\u2fdf]")
# subtle: Kangxi radicals map to characters by NFKC, CJK Radicals Supplement forms have no
# mapping; these are the supplement forms web text uses as characters. Left alone, they
# break search (⽬标 never matches 目标) and show as boxes in common CJK fonts.
_SUPPLEMENT = dict(zip("⺠⻄⻅⻆⻉⻋⻓⻔⻗⻘⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻬⻮⻰⻳",
                       "民西见角贝车长门雨青页风飞食马骨鬼鱼鸟卤麦黄齐齿龙龟"))


def clean(doc: Document) -> Document:
    """Return a new Document with article text and title/url/published metadata."""
    html = doc.metadata.get("format") in ("html", "htm")
    text, meta = clean_text(doc.page_content, html=html, source=doc.metadata.get("source", "<document>"),
                            title=doc.metadata.get("title"))
    # metadata the loader already knows (a PDF's title, an export row's columns) beats guessing
    found = {k: v for k, v in meta.items() if not doc.metadata.get(k)}
    return Document(page_content=text, metadata={**doc.metadata, **found})


def clean_text(raw: str, html: bool = False, source: str = "<text>", title: str | None = None) -> tuple[str, dict]:
    """Clean one article; ``html`` marks a whole HTML page (``<title>``, ``<h1>``).

    ``source`` names the file in warnings about metadata fields that were dropped.
    ``title``: one the loader already knows (a PDF's, an export row's); no headline is
    guessed then, and a body line repeating it is dropped (it heads every chunk already).
    subtle: a guessed headline leaves the body, so guessing one that is then discarded for
    the loader's title lost that line from every searchable text.
    """
    meta: dict = {"title": _squash(title or "") or None, "url": None, "published": _published(raw, source)}
    raw = _take_markdown_title(_GMT.sub("", raw), meta)
    if html or _HTML_HINT.search(raw):
        raw = _html_to_text(raw, meta, source)
    raw = _MD_STRONG.sub(r"\1", _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", raw)))
    lines = [_squash(line) for line in raw.splitlines()]
    lines = [line for line in lines if not _take_url_line(line, meta)]
    lines = _take_dateline(lines, meta, source)
    paragraphs = _drop_chrome(lines)
    if meta["title"] is None and paragraphs:
        meta["title"] = _headline(paragraphs)
    if meta["title"] in paragraphs:
        paragraphs.remove(meta["title"])
    if meta["published"] is None and meta["url"]:
        meta["published"] = _date_from_url(meta["url"])
    if meta["published"] is None:
        meta["published"] = _date_from_name(source)
    return "\n\n".join(paragraphs), meta


def _published(raw: str, source: str) -> str | None:
    """ISO date from the GMT line, else the epoch comment; a broken one is dropped with a warning."""
    for field, pattern, parse in (("GMT date", _GMT, _gmt_date), ("epoch comment", _EPOCH, _epoch_date)):
        if m := pattern.search(raw):
            try:
                day = parse(m.group(1))
                if not _PLAUSIBLE[0] <= day < _PLAUSIBLE[1]:
                    raise ValueError(f"{day} is not between {_PLAUSIBLE[0]} and {_PLAUSIBLE[1]}")
                return day.isoformat()
            except (ValueError, TypeError, OverflowError, OSError) as exc:
                log.warning("%s: dropped published %s %r: %s", source, field, m.group(1), exc)
    return None


def _gmt_date(value: str) -> date:
    return parsedate_to_datetime(value).date()


def _epoch_date(value: str) -> date:
    stamp = int(value)
    stamp = stamp / 1000 if stamp > 10**11 else stamp
    return datetime.fromtimestamp(stamp, tz=timezone.utc).date()


def _take_markdown_title(raw: str, meta: dict) -> str:
    lines = raw.splitlines()
    for i, line in enumerate(lines[:5]):
        m = _MD_TITLE.match(line) or _MD_HEADING.match(line)
        if m:
            meta["title"] = m.group(1).strip()
            meta["url"] = m.group(2) if m.re is _MD_TITLE else None
            return "\n".join(lines[:i] + lines[i + 1 :])
    return raw


def _html_to_text(raw: str, meta: dict, source: str) -> str:
    """Visible text of an HTML page or fragment, one line per block element; O(size of input).

    subtle: every edit here is O(1) per element (text/tail strings, clear()). Inserting
    siblings instead (bs4's insert_before) scans the parent's children each time, which
    made 40k <br> in one <body> take minutes.
    """
    raw = _drop_cdata(raw)
    # subtle: bytes with a fixed encoding, because lxml refuses a str that declares its own
    # encoding (<?xml … encoding=…?>) and a page's <meta charset> must not re-decode our text.
    parser = etree.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True)
    root = etree.fromstring(raw.encode("utf-8", "replace"), parser)
    if root is None:
        return ""
    if meta["title"] is None:
        meta["title"] = _title(root)
    if meta["published"] is None:
        # subtle: read before <head> is cleared below, which holds the meta tags
        meta["published"] = _html_published(root, source, bool(_DATE_CLASS_HINT.search(raw)))
    if parser.error_log.filter_from_fatals():
        # subtle: libxml2 gives up past 2048 open elements (thousands of unclosed <div>s or
        # <font>s) and silently drops the rest of the page; html.parser has no such limit.
        log.warning("%s: HTML nested too deep for lxml; cleaned with html.parser instead", source)
        return _soup_text(BeautifulSoup(raw, "html.parser"))
    for el in [*filter(_is_hidden, root.xpath(_MAYBE_HIDDEN)), *root.iter(_DROP_TAGS)]:
        el.clear(keep_tail=True)
    for el in list(root.iter(_BLOCKS)):
        el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")
    return etree.tostring(root, method="text", encoding="unicode")


def _title(root: etree._Element) -> str | None:
    heading = root.find(".//h1")
    heading = root.find(".//title") if heading is None else heading
    return _squash("".join(heading.itertext())) or None if heading is not None else None


def _html_published(root: etree._Element, source: str, classed: bool = True) -> str | None:
    """ISO date from the first publication-date marker that parses; one that does not is warned of, then
    skipped. ``classed``: the page has an element classed as a date at all (a regex over the raw HTML)."""
    for value in _date_markers(root, classed):
        if day := iso_date(value, source):
            return day
    return None


def _date_markers(root: etree._Element, classed: bool = True) -> Iterator[str]:
    """The first value of each kind of date marker, in order.

    subtle: walked with lxml's C iterators, and the class search (an XPath over every element,
    ~15 % of cleaning a tag-dense page) only when the raw HTML has such a class — one XPath per
    marker testing every element's class tokens had made cleaning 1.5–2× slower.
    """
    metas = [m for m in root.iter("meta") if m.get("content")]
    for names in _DATE_METAS:
        if found := next((m.get("content") for m in metas if m.get("property") in names or m.get("name") in names), None):
            yield found
    if stamp := next((t.get("datetime") for t in root.iter("time") if t.get("datetime")), None):
        yield stamp
    for el in root.xpath("//*[contains(@class, 'date') or contains(@class, 'time')]") if classed else ():
        if _DATE_CLASSES & set(el.get("class", "").split()):
            yield "".join(el.itertext())
            return


def _soup_text(soup: BeautifulSoup) -> str:
    """The same text as the lxml path, from a bs4 tree, walked with a stack (no recursion)."""
    out: list[str] = []
    todo: list = [soup]
    while todo:
        node = todo.pop()
        if isinstance(node, str):
            # subtle: comments, doctypes and CDATA are str subclasses too; only text counts
            out.append(node if type(node) in (str, NavigableString) else "")
        elif node.name not in _DROP_TAGS and not _is_hidden(node):
            newline = ["\n"] if node.name in _BLOCKS else []
            out += newline
            todo += newline + node.contents[::-1]
    return "".join(out)


def _drop_cdata(raw: str) -> str:
    """``raw`` without ``<![CDATA[…]]>`` sections; an unterminated one is left to the parser.

    subtle: libxml2 reads CDATA in HTML as a comment that ends at the first ``>``, so
    ``<![CDATA[a>b]]>`` would leak ``b]]>``. str.find keeps this linear where a lazy regex
    rescans to the end for every unterminated section.
    """
    out, i = [], 0
    while (start := raw.find("<![CDATA[", i)) != -1 and (end := raw.find("]]>", start + 9)) != -1:
        out.append(raw[i:start])
        i = end + 3
    out.append(raw[i:])
    return "".join(out)


def _is_hidden(el: etree._Element | Tag) -> bool:
    hidden = el.get("hidden")
    # subtle: hidden="until-found" is a collapsed section that find-in-page opens: article text
    if hidden is not None and hidden.strip().lower() != "until-found":
        return True
    return el.get("aria-hidden", "").strip().lower() == "true" or bool(_DISPLAY_NONE.search(el.get("style", "")))


def _take_url_line(line: str, meta: dict) -> bool:
    m = _URL_LINE.match(line)
    if m and meta["url"] is None:
        meta["url"] = m.group(1)
    return bool(m) or bool(_RULE.match(line))


# a news dateline: the date (and time), maybe the source/author/editor, nothing else
_DATELINE_DATE = re.compile(r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?")
_DATELINE_FIELD = re.compile(r"(?:来源|來源|作者|记者|記者|编辑|編輯|责任编辑|責任編輯|出处|出處|发布时间|發布時間|时间|時間)"
                             r"\s*[:：]\s*[^\s:：|]{0,30}")
_DATELINE_LINES = 5     # only near the top: a date heading inside a timeline article is text
_TIMELINE_LINES = 20    # a second date-only line among these: a timeline, and none is a dateline


def _take_dateline(lines: list[str], meta: dict, source: str) -> list[str]:
    """``lines`` without the dateline near the top (2023年03月30日 来源：示例新闻网), its date kept as
    the published date when the page declared none.

    subtle: left in, it was a quotable sentence — answered for 2023年3月30日发生了什么？, and
    for off-corpus English questions too.
    """
    top = [i for i, line in enumerate(lines) if line][:_TIMELINE_LINES]
    found = [i for i in top if _is_dateline(lines[i])]
    if len(found) != 1 or top.index(found[0]) >= _DATELINE_LINES:
        return lines        # none, or a timeline's date headings (2023年3月30日 / 公司成立。/ 2023年4月1日 …)
    i = found[0]
    day = re.sub(r"\s", "", _DATELINE_DATE.search(lines[i]).group(1))
    meta["published"] = meta["published"] or iso_date(day, source)
    return lines[:i] + lines[i + 1:]


def _is_dateline(line: str) -> bool:
    return (len(line) <= 80 and bool(_DATELINE_DATE.search(line))
            and not _DATELINE_FIELD.sub("", _DATELINE_DATE.sub("", line, count=1)).strip(" |/·-—,，"))


def _squash(line: str) -> str:
    line = _RADICALS.sub(lambda m: _SUPPLEMENT.get(m.group(), unicodedata.normalize("NFKC", m.group())), line)
    return " ".join(line.split())


def _is_chrome(line: str) -> bool:
    if _CHROME.search(line):
        return True
    words = line.split()
    if len(words) >= 4 and all(len(w) <= 4 for w in words):
        return True  # a menu: 首页 要闻 内幕 时事 …
    parts = _SEPARATED.split(line)
    return len(parts) >= 3 and all(len(p) <= 6 for p in parts)  # 简体 - 正體 - 手机版, 评论 > 文集


def _is_short(line: str) -> bool:
    return len(line) <= _SHORT and not _SENTENCE_END.search(line)


def _drop_chrome(lines: list[str]) -> list[str]:
    """Drop chrome lines, and runs of ≥3 short lines around them (sidebar link lists)."""
    kept = [(line, _is_chrome(line)) for line in lines if line]
    out: list[str] = []
    i = 0
    while i < len(kept):
        j = i
        while j < len(kept) and (kept[j][1] or _is_short(kept[j][0])):
            j += 1
        if j - i >= 3:
            i = j
            continue
        for line, chrome in kept[i : max(j, i + 1)]:
            if not chrome:
                out.append(line)
        i = max(j, i + 1)
    return out


def _headline(paragraphs: list[str]) -> str | None:
    """The first short line that is not a sentence, when there is body text after it.

    subtle: a first line of 2–3 characters that is one word (梁文锋, 北京: an encyclopaedia
    entry's name) is the title too — left in the body it became a chunk of its own that
    matched everything, and the paragraphs below it, which say only 他, lost their subject.
    """
    for i, p in enumerate(paragraphs[:3]):
        if p is paragraphs[-1] or _SENTENCE_END.search(p[-1]):
            continue
        if 4 <= len(p) <= 60 or (i == 0 and _NAME.fullmatch(p)):
            return p
    return None


# 2021-06-30_体育馆.txt, 20210630-x.html, 2021/06/30/x.txt (not an export row's id: news.jsonl#20210630)
_NAME_DATE = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d\d)[-_./]?(\d\d)[-_./]?(\d\d)(?![0-9A-Za-z])")


def _date_from_name(source: str) -> str | None:
    """The date a newsroom file name or folder path carries, when nothing else gave one."""
    m = _NAME_DATE.search(source.split("#", 1)[0])
    try:
        day = date(*map(int, m.groups())) if m else None
    except ValueError:
        return None
    return day.isoformat() if day and _PLAUSIBLE[0] <= day < _PLAUSIBLE[1] else None


def _date_from_url(url: str) -> str | None:
    m = _URL_DATE.search(url)
    if not m:
        return None
    y, mo, d = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
    try:
        return datetime(y, mo, d).date().isoformat()
    except ValueError:
        return None
