"""Markup of the full-article page, the library rows and the article links: escaped, marked, linked."""

from __future__ import annotations

import html
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from rag import Answer, Article, Citation, DocumentInfo
from ui import render as R
from ui.article import ArticlePage, render_article

INFO = DocumentInfo(doc_id="upload:x.txt", source="<b>x</b>.txt", title="<img src=x onerror=alert(1)>",
                    published="2025-01-02", url="javascript:alert(1)", chunks=2, added_at="2026-01-02T03:04:05+00:00",
                    complete=False)


def test_article_is_escaped_and_every_highlight_marked():
    art = Article(INFO, INFO.title, "第一段<script>x</script>。\n\n梁文锋毕业于浙江大学。后来他创办了公司。梁文锋毕业于浙江大学。")
    out = render_article(art, ["梁文锋毕业于浙江大学。", "<script>x</script>"])
    assert "<script>" not in out and "<img" not in out and "javascript" not in out
    assert out.count('<mark tabindex="-1">') == 3 and out.split("cqa-full-text")[1].count("<p>") == 2
    assert 'href="./"' in out  # back to the chat


@pytest.mark.parametrize("query", [{}, {"doc": ""}, {"doc": "  "}])
def test_no_document_chosen_is_not_called_deleted(query):
    class NoEngine:  # nothing to look up: the engine is never asked
        def __getattr__(self, name):
            raise AssertionError(name)
    out = ArticlePage(NoEngine()).load(SimpleNamespace(query_params=query))
    assert "No document was chosen" in html.unescape(out) and "没有选择文档" in out
    assert "deleted" not in out and "cqa-note" in out and out.count("<h1") == 1


def test_missing_article_says_so():
    out = render_article(None)
    assert "cqa-note" in out and "not in the library" in out.replace("&#46;", ".")
    assert "cqa-error" not in out and "Cannot answer" not in out  # no question was asked


def test_library_row_shows_added_date_incomplete_badge_and_read_link():
    out = R.render_library([INFO], total=120)
    assert "(120)" in out and "2026&#45;01&#45;02 03&#58;04" in out and "incomplete" in out
    assert "<b>" not in out and "<img" not in out and 'class="cqa-read"' in out
    assert "complete" not in R.render_library([DocumentInfo("f", "f.txt", None, None, None, 1)]).replace("cqa-", "")


def test_article_href_carries_doc_script_and_highlights():
    href = R.article_href("0f3a9c", "zh-Hant", ["甲。", "乙。", "丙。", "丁。"])
    query = parse_qs(urlsplit(href).query)
    assert urlsplit(href).path == "article" and query["doc"] == ["0f3a9c"] and query["script"] == ["zh-Hant"]
    assert query["hl"] == ["甲。", "乙。", "丙。"]


def test_links_to_an_article_name_it_by_key_not_by_its_path_on_the_server():
    doc_id = "file:/home/editor/archive/2025/a.txt"
    cite = Citation(1, "2025/a.txt", "标题", None, None, "梁文锋毕业于浙江大学。", 0.9, ["梁文锋毕业于浙江大学。"], doc_id)
    cards = R.render_sources(Answer("q", "梁文锋毕业于浙江大学。[1]", [cite], "zh-Hans", False, retrieved=["2025/a.txt"]))
    row = R.render_library([DocumentInfo(doc_id, "2025/a.txt", "标题", None, None, 1)])
    for out in (cards, row):
        assert "home" not in out and "editor" not in out and cite.key in out
