"""PDF, Word and article exports (.jsonl/.csv) through the loader: text, titles, row identity, bad rows."""

from __future__ import annotations

import json

import pytest

from pathlib import Path

from ingest import ArticleColumns, load_bytes, load_documents, load_path
from ingest.formats import iso_date, unwrap_lines
from ingest.errors import ConfigError, UnreadableFileError, UnsupportedFileError
from tests.samples import docx_bytes, text_pdf


def test_pdf_text_and_title():
    loaded = load_documents("report.pdf", text_pdf("Zephyr Labs trained Quill on 4096 GPUs.", "Page two.",
                                                   title="Quill report"))
    doc, = loaded.documents
    assert "4096 GPUs" in doc.page_content and "Page two." in doc.page_content
    assert doc.metadata["title"] == "Quill report" and doc.metadata["doc_id"] == "upload:report.pdf"
    assert loaded.failed == []


@pytest.mark.parametrize("junk", ["about:blank", "https://news.example.com/a/1", "Untitled",
                                  "Microsoft Word - report.docx", "report.pdf"])
def test_a_pdf_title_a_tool_wrote_gives_way_to_the_headline(junk):
    # a page printed from a browser showed "about:blank" as its title on every card and in the library
    from ingest import clean

    loaded = load_documents("drone.pdf", text_pdf("Drone fair opens in Shenzhen\n\nThree hundred firms took part.",
                                                  title=junk))
    assert "title" not in loaded.documents[0].metadata
    assert clean(loaded.documents[0]).metadata["title"] == "Drone fair opens in Shenzhen"


@pytest.mark.parametrize("value,title", [("about:blank", None), ("无标题", None), ("", None), (None, None),
                                         ("  Quill report ", "Quill report"), ("Re: the 2025 budget", "Re: the 2025 budget"),
                                         ("深度求索发布V3", "深度求索发布V3")])
def test_metadata_titles_tools_write_are_dropped(value, title):
    from ingest.formats import _metadata_title

    assert _metadata_title(value) == title


def test_scanned_pdf_is_an_error_naming_ocr():
    with pytest.raises(UnreadableFileError, match="no text layer.*OCR"):
        load_documents("scan.pdf", text_pdf("", ""))


def test_pdf_with_one_scanned_page_keeps_the_text_and_reports_the_page():
    loaded = load_documents("mixed.pdf", text_pdf("Real text here.", ""))
    assert len(loaded.documents) == 1 and "Real text" in loaded.documents[0].page_content
    assert [(name, "page 2" in reason and "OCR" in reason) for name, reason, _ in loaded.failed] == [("mixed.pdf p.2", True)]


def test_broken_pdf_is_unreadable():
    with pytest.raises(UnreadableFileError, match="not a readable PDF"):
        load_documents("x.pdf", b"%PDF-1.4 garbage")


def test_docx_heading_is_the_title():
    doc = load_bytes("news.docx", docx_bytes("深度求索发布V3", "第一段。", "第二段。"))
    assert doc.metadata["title"] == "深度求索发布V3"
    assert doc.page_content == "第一段。\n\n第二段。"


def test_jsonl_rows_become_documents_and_bad_rows_are_reported_by_line():
    rows = [json.dumps({"title": "甲", "date": "2025/1/27", "url": "https://e.com/a", "text": "甲文。"}, ensure_ascii=False),
            "{not json", "", json.dumps({"title": "无正文"}, ensure_ascii=False),
            json.dumps({"id": "a/b#7", "text": "乙文。"}, ensure_ascii=False)]
    loaded = load_documents("news.jsonl", "\n".join(rows).encode(), doc_id="file:/c/news.jsonl")
    first, second = loaded.documents
    assert first.metadata == {"doc_id": "file:/c/news.jsonl#1", "source": "news.jsonl#1", "format": "article",
                              "title": "甲", "url": "https://e.com/a", "published": "2025-01-27"}
    assert second.metadata["doc_id"] == "file:/c/news.jsonl#a_b_7" and second.page_content == "乙文。"
    assert [(n, r.split(":")[0]) for n, r, _ in loaded.failed] == [("news.jsonl#2", "line 2"), ("news.jsonl#4", "line 4")]
    assert "invalid JSON" in loaded.failed[0][1] and "no text" in loaded.failed[1][1]


def test_a_repeated_row_id_is_reported_and_the_first_article_kept():
    # the second "x" used to replace the first article, and every re-ingest flipped them again
    rows = [json.dumps({"id": "x", "text": "武汉樱花节开幕。"}, ensure_ascii=False),
            json.dumps({"id": "y", "text": "乙文。"}, ensure_ascii=False),
            json.dumps({"id": "x", "text": "另一篇文章。"}, ensure_ascii=False)]
    loaded = load_documents("news.jsonl", "\n".join(rows).encode(), doc_id="file:/c/news.jsonl")
    assert [d.page_content for d in loaded.documents] == ["武汉樱花节开幕。", "乙文。"]
    assert loaded.failed == [("news.jsonl#x", "line 3: id 'x' repeats line 1's; each row needs its own id "
                                              "(this row was skipped)", "file:/c/news.jsonl#x")]


def test_csv_with_configured_columns_and_multiline_fields():
    data = 'headline,body,when\n"A","line one\nline two",2025-02-01\nB,,2025-02-02\nC,third,bad-date\n'
    loaded = load_documents("feed.csv", data.encode(), columns=ArticleColumns.parse("title:headline,text:body,date:when"))
    assert [d.metadata["source"] for d in loaded.documents] == ["feed.csv#2", "feed.csv#5"]
    assert loaded.documents[0].metadata["published"] == "2025-02-01" and "published" not in loaded.documents[1].metadata
    assert loaded.failed[0][:2] == ("feed.csv#4", "line 4: no text in column 'body'")


def test_a_cms_export_s_usual_column_names_are_read_without_a_mapping():
    # two systems' exports in one folder: one ARTICLE_COLUMNS could not fit both
    cms = 'article_id,headline,pub_date,link,body,section\nk9,灯塔开放,2024-05-01,https://e.com/k9,灯塔今日开放。,本地\n'
    doc = load_documents("cms.csv", cms.encode()).documents[0]
    assert (doc.metadata["source"], doc.metadata["title"], doc.metadata["published"], doc.metadata["url"],
            doc.page_content) == ("cms.csv#k9", "灯塔开放", "2024-05-01", "https://e.com/k9", "灯塔今日开放。")
    row = json.dumps({"id": "a", "title": "甲", "text": "甲文。", "body": "不是它。"}, ensure_ascii=False)
    assert load_documents("e.jsonl", row.encode()).documents[0].page_content == "甲文。"   # the named column first


def test_a_column_ARTICLE_COLUMNS_names_is_the_only_one_read_and_a_miss_lists_the_row_s_columns():
    cms = 'article_id,headline,body\nk9,灯塔开放,灯塔今日开放。\nk10,空行,\n'
    with pytest.raises(UnreadableFileError, match=r"no text in column 'story' \(its columns: article_id, headline, body\)"):
        load_documents("cms.csv", cms.encode(), columns=ArticleColumns.parse("text:story"))


def test_export_without_any_good_row_is_an_error():
    with pytest.raises(UnreadableFileError, match="no article with text.*ARTICLE_COLUMNS"):
        load_documents("e.jsonl", b'{"title": "x"}\n')


def test_bad_column_spec_names_the_fix():
    with pytest.raises(ConfigError, match="ARTICLE_COLUMNS"):
        ArticleColumns.parse("headline")


def test_load_bytes_refuses_exports_and_load_path_reads_them(tmp_path):
    with pytest.raises(UnsupportedFileError):
        load_bytes("a.jsonl", b'{"text": "x"}')
    (tmp_path / "sub").mkdir()
    f = tmp_path / "sub" / "a.jsonl"
    f.write_text('{"text": "正文。"}\n', encoding="utf-8")
    doc, = load_path(f, tmp_path).documents
    assert doc.metadata["source"] == "sub/a.jsonl#1" and doc.metadata["doc_id"].endswith("/sub/a.jsonl#1")


def test_a_pdf_s_wrapped_lines_are_joined_back_into_paragraphs():
    # subtle: printed by Chromium (fixtures/make_wrapped_pdf.py): pypdf gives every visual line as a line
    data = (Path(__file__).parent / "fixtures" / "wrapped_zh.pdf").read_bytes()
    text = load_documents("wrapped_zh.pdf", data).documents[0].page_content
    paragraphs = text.split("\n")
    assert paragraphs[0] == "白鷺港燈塔"                                       # the headline stays its own line
    assert paragraphs[1].startswith("白鷺港燈塔位於") and paragraphs[1].endswith("刻在塔底的石碑上。")
    assert "塔高四十二公尺，是港口最早" in text and "二十二海里；整修期間" in text    # wraps undone
    assert "passed the cape during the typhoon season" in text                 # English words keep their space
    assert len(paragraphs) == 3


@pytest.mark.parametrize("text", ["", "one line", "short\nlines\nonly", "一行\n\n兩行",
                                  "第一項：申請表格\n第二項：身分證明文件\n第三項：兩吋照片兩張"])
def test_unwrapping_leaves_text_without_wrapped_lines_alone(text):
    assert unwrap_lines(text) == text


@pytest.mark.parametrize("raw,iso", [
    ("2025/1/27", "2025-01-27"), ("2025年1月27日", "2025-01-27"),
    ("民國112年3月5日", "2023-03-05"), ("民国99年12月25日", "2010-12-25"), ("112/03/05", "2023-03-05"),
    ("民國 98 年 1 月 2 日", "2009-01-02"),          # Taiwan's calendar: year + 1911
    ("99.12.25", None), ("112年13月1日", None), ("", None),   # a 2-digit year needs 民國
])
def test_dates_in_the_western_and_the_taiwan_calendar(raw, iso):
    assert iso_date(raw, "feed.jsonl#1") == iso
