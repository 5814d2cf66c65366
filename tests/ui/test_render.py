"""Unit tests for ui.render: escaping of every document-derived string, links, cards."""

from __future__ import annotations

import html
import re

import pytest

from rag import EN_NEEDS_LLM, Answer, Citation, DocumentInfo, IngestReport
from ui import render as R

NASTY = [
    "",
    "plain 中文 text",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "[click](javascript:alert(1))",
    "*bold* _em_ `code` # heading | table | ~~strike~~",
    "${alert(1)} {{constructor.constructor('alert(1)')()}}",
    "$$x^2$$ \\(x\\)",
    "&lt;script&gt; already-escaped &amp;",
    "https://evil.example/?q=<b>",
    "line1\nline2\r\n<b>line3</b>",
    "\u202e\u200b zero-width and bidi",
]


def _visible(markup: str) -> str:
    """What a browser shows for ``markup`` as text: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


@pytest.mark.parametrize("text", NASTY)
def test_escape_text_is_inert_and_lossless(text):
    out = R.escape_text(text)
    bare = re.sub(r"&#\d+;", "", out)  # what is left besides numeric character references
    for syntax in "<>\"'&*_[]()`$#|~{}\\":
        assert syntax not in bare  # neither HTML, Markdown nor template syntax survives
    assert html.unescape(out) == text


def test_escape_text_none_is_empty():
    assert R.escape_text(None) == ""


@pytest.mark.parametrize("url,ok", [
    ("https://www.voachinese.com/a/x.html", True),
    ("http://example.com/path?a=1&b=<2>", True),
    ("HTTPS://EXAMPLE.COM", True),
    ("javascript:alert(1)", False),
    ("JaVaScRiPt:alert(1)", False),
    (" javascript:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False),
    ("vbscript:msgbox(1)", False),
    ("//evil.example/x", False),
    ("/relative/path", False),
    ("http://", False),
    ("http://exa mple.com", False),
    ("", False),
    (None, False),
])
def test_safe_url_only_http_links(url, ok):
    out = R.safe_url(url)
    assert (out is not None) == ok
    if ok:
        assert "<" not in out and '"' not in out and html.unescape(out) == url.strip()


def _citation(n=1, **kw) -> Citation:
    base = dict(n=n, source="003_x.txt", title="标题", url="https://example.com/a", published="2025-01-28",
                text="第一句。创始人梁文锋毕业于浙江大学。第三句。", score=0.9,
                highlights=["创始人梁文锋毕业于浙江大学。"])
    return Citation(**{**base, **kw})


def _answer(text="创始人梁文锋毕业于浙江大学。[1]", citations=None, **kw) -> Answer:
    return Answer(question=kw.pop("question", "q"), answer=text, citations=citations if citations is not None else [_citation()],
                  script=kw.pop("script", "zh-Hans"), abstained=kw.pop("abstained", False), **kw)


@pytest.mark.parametrize("field", ["title", "text", "source", "published"])
@pytest.mark.parametrize("payload", NASTY[2:7])
def test_source_card_escapes_every_field(field, payload):
    cit = _citation(**{field: payload, "highlights": [payload] if field == "text" else []})
    out = R.render_sources(_answer(citations=[cit]))
    assert not re.search(r"<(script|img|svg)|onerror=|onload=|onmouseover=", out)
    assert payload in _visible(out)


@pytest.mark.parametrize("retrieved, hint", [(["003_x.txt"], True), ([], False)])
def test_no_sources_hint_only_when_passages_were_searched(retrieved, hint):
    # an abstention over retrieved passages says none answers; small talk searched nothing
    out = R.render_sources(_answer(text="语料中没有找到这个问题的答案。", citations=[], abstained=True, retrieved=retrieved))
    assert ("cqa-nosources" in out) == hint and ("没有段落能回答这个问题" in out) == hint


def test_card_link_only_for_http_and_with_rel_noopener():
    good = R.render_sources(_answer(citations=[_citation(url="https://example.com/a?x=1&y=2")]))
    assert 'rel="noopener noreferrer nofollow"' in good and 'target="_blank"' in good
    assert re.search(r'href="https&#58;//example&#46;com/a\?x&#61;1&#38;y&#61;2"', good)
    for bad in ("javascript:alert(1)", "data:text/html,x", None, ""):
        out = R.render_sources(_answer(citations=[_citation(url=bad)]))
        assert "href" not in out


def test_card_highlights_supporting_sentence():
    out = R.render_sources(_answer())
    assert "<mark>创始人梁文锋毕业于浙江大学。</mark>" in out
    assert _visible(out).count("第一句。") == 1 and "第三句。" in _visible(out)


def test_card_highlight_missing_from_text_is_ignored_not_invented():
    out = R.render_sources(_answer(citations=[_citation(highlights=["不在段落里的句子。", ""])]))
    assert "<mark>" not in out and "不在段落里" not in out


def test_cards_only_for_cited_passages():
    cites = [_citation(1, source="a.txt"), _citation(2, source="b.txt"), _citation(3, source="c.txt")]
    out = R.render_sources(_answer("甲。[1]丙。[3]", citations=cites))
    assert "a&#46;txt" in out and "c&#46;txt" in out and 'cqa-card-1"' in out and 'cqa-card-3"' in out
    assert "b&#46;txt" not in out and "cqa-card-2" not in out
    assert out.index("[1]") < out.index("[3]")


def test_abstention_has_badge_and_no_cards():
    ans = _answer("語料中沒有找到這個問題的答案。", citations=[], script="zh-Hant", abstained=True,
                  retrieved=["003_x.txt"])
    bubble, cards = R.render_answer(ans), R.render_sources(ans)
    assert "cqa-abstained" in bubble and "未找到答案" in bubble
    assert "cqa-card" not in cards and "沒有段落能回答" in cards


def test_answer_markers_become_refs_and_text_is_escaped():
    out = R.render_answer(_answer("<b>x</b> [a](javascript:1) 答案。[1]"))
    assert re.search(r'<button type="button" class="cqa-ref cqa-ref-1" title="[^"<>]+">\[1\]</button>', out)
    assert "<b>" not in out and "javascript:" not in out
    assert "<b>x</b> [a](javascript:1) 答案。" in _visible(out)


def test_notice_is_shown_escaped():
    out = R.render_answer(_answer(notice="LLM <unavailable>; extractive answer shown"))
    assert "cqa-notice" in out and "<unavailable>" not in out and "LLM <unavailable>" in _visible(out)


def test_streaming_placeholder_then_text():
    assert "检索" in _visible(R.render_streaming(""))
    assert "部分答案" in _visible(R.render_streaming("部分答案[1]"))


def test_library_table_escapes_and_links():
    docs = [DocumentInfo(doc_id="upload:<x>.txt", source="<x>.txt", title="<img src=x onerror=alert(1)>", published=None,
                         url="javascript:alert(1)", chunks=3),
            DocumentInfo(doc_id="upload:a.txt", source="a.txt", title=None, published="2025-01-01", url="https://e.com", chunks=1)]
    out = R.render_library(docs)
    assert "<img" not in out and "javascript" not in out and "<x>" not in out
    assert "<img src=x onerror=alert(1)>" in _visible(out) and "<x>.txt" in _visible(out)
    assert 'href="https&#58;//e&#46;com"' in out and "(2)" in out
    assert "空" in R.render_library([])


def test_upload_results_per_file():
    ok = IngestReport(files_read=1, chunks_added=2, sources=["a.txt"])
    out = R.render_upload_results([("a.txt", ok, None), ("<b>.exe", None, "Unsupported <type>")])
    assert out.count("<li") == 2 and "cqa-ok" in out and "cqa-fail" in out
    assert "<b>" not in out and "Unsupported <type>" in _visible(out)


def test_upload_results_show_each_dropped_field_under_its_file():
    ok = IngestReport(files_read=2, chunks_added=2, warnings=["feed.jsonl#a1: dropped date '<x>' (not a date)"])
    out = R.render_upload_results([("feed.jsonl", ok, None)])
    assert out.count("<li") == 2 and out.index("cqa-ok") < out.index("cqa-warn")
    assert "注意 / Note feed.jsonl#a1: dropped date '<x>' (not a date)" in _visible(out) and "<x>" not in out


def test_cited_numbers_in_first_use_order():
    assert R.cited_numbers("a[2]b[1]c[2][10]") == [2, 1, 10]
    assert R.cited_numbers("") == []




def test_each_answer_carries_its_own_cards_with_relevance():
    out = R.render_answer(_answer(citations=[_citation(score=0.8734)]))
    assert out.count('class="cqa-card ') == 1 and "<details" in out  # under the answer, collapsed
    assert "相关度 0.87" in _visible(out)
    assert out.index("cqa-answer") < out.index("cqa-sources")


@pytest.mark.parametrize("payload", NASTY[2:7])
def test_copy_text_is_clean_and_escaped_in_the_attribute(payload):
    ans = _answer(f"{payload}答案。[1]", citations=[_citation(title=payload)])
    text = R.plain_text(ans)
    assert text == f"{payload}答案。[1]\n\n来源:\n[1] {payload}, 2025-01-28, https://example.com/a"
    out = R.render_answer(ans)
    copy = re.search(r'class="cqa-copy" value="([^"]*)"', out).group(1)
    assert html.unescape(copy) == text and "<" not in copy


def test_searched_query_shown_only_when_rewritten():
    same = R.render_answer(_answer(question="梁文锋毕业于哪所大学？", query="梁文锋毕业于哪所大学？"))
    assert "cqa-searched" not in same
    other = R.render_answer(_answer(question="那<b>他</b>呢？", query="梁文锋<b>毕业</b>于哪所大学"))
    assert "cqa-searched" in other and "<b>" not in other and "梁文锋<b>毕业</b>于哪所大学" in _visible(other)


def test_english_extractive_answer_points_to_llm_setup():
    out = R.render_answer(_answer("According to the corpus: 答案。[1]", script="en"))
    assert "need an LLM" in _visible(out)
    assert 'href="help"' in out
    moved = R.render_answer(_answer("According to the corpus: 答案。[1]", script="en"), docs_url="https://x.org/a\"b")
    assert 'href="https&#58;//x&#46;org/a&#34;b"' in moved
    assert "need an LLM" not in _visible(R.render_answer(_answer(script="en", answerer="llm")))
    assert "need an LLM" not in _visible(R.render_answer(_answer()))


@pytest.mark.parametrize("notice", [None, EN_NEEDS_LLM])
def test_english_abstention_quotes_nothing_so_says_nothing_about_quoting(notice):
    out = R.render_answer(_answer("The corpus does not say.", citations=[], script="en", abstained=True,
                                  retrieved=["003_x.txt"], notice=notice))
    assert "cqa-notice" not in out and "LLM" not in _visible(out)


def test_searched_query_is_shown_as_given_for_the_reader():
    out = R.render_answer(_answer(question="那V3呢？", query="V3有多少参数", script="zh-Hant"), query="V3有多少參數")
    assert "V3有多少參數" in _visible(out) and "参数" not in _visible(out)


def test_library_summary_counts_dates_and_escapes():
    docs = [DocumentInfo(doc_id="upload:a", source="a", title="<x>", published="2025-01-28T10:00", url=None, chunks=2),
            DocumentInfo(doc_id="upload:b", source="b", title=None, published="2024-12-26", url=None, chunks=1),
            DocumentInfo(doc_id="upload:c", source="c", title=None, published=None, url=None, chunks=1)]
    out = R.library_summary(docs)
    assert "3 篇" in out and "3 news articles" in out and "2024&#45;12&#45;26 – 2025&#45;01&#45;28" in out
    assert "<x>" not in out and "空" in R.library_summary([])
    assert "（2024&#45;12&#45;26" in out and "articles &#40;2024&#45;12&#45;26" in out  # each language's brackets
    undated = R.library_summary(docs[2:])
    assert "（" not in undated and "&#40;" not in undated and "1 news article&#46;" in undated


@pytest.mark.parametrize("short,shown", [("梁文锋", True), ("<b>梁</b>", True), ("", False), (None, False)])
def test_short_answer_comes_first_in_bold(short, shown):
    ans = _answer(short=short)
    out = R.render_answer(ans)
    assert ("cqa-short" in out) == shown and "<b>梁</b>" not in out
    if shown:
        assert out.index("cqa-short") < out.index("cqa-answer ") and R.plain_text(ans).startswith(short)
    assert "cqa-short" not in R.render_answer(_answer(short="梁文锋", abstained=True, citations=[]))
