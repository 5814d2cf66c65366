"""End-to-end, in headless Chromium: new upload formats, library search/paging, replace and delete
confirmations, the full-article page, the /help page, history across a restart, axe on the new views."""

from __future__ import annotations

import json
import re

import pytest

from tests.samples import docx_bytes, text_pdf
from tests.ui.conftest import free_port, save_screenshot
from tests.ui.test_web import FINAL, ask, open_chat, open_library
from tests.ui.test_web_chat import BUBBLE, _serious

pytestmark = pytest.mark.slow


def _upload_many(page, paths, lines: int) -> str:
    open_library(page)
    page.set_input_files("#cqa-upload input[type=file]", [str(p) for p in paths])
    page.wait_for_function(f"document.querySelectorAll('#cqa-upload-results li').length >= {lines}", timeout=120_000)
    return page.inner_text("#cqa-upload-results")


def test_pdf_docx_jsonl_csv_uploads_are_answered_and_bad_parts_reported(page, tmp_path, screenshot_dir):
    pdf, scan, word = tmp_path / "orbit.pdf", tmp_path / "scan.pdf", tmp_path / "heron.docx"
    pdf.write_bytes(text_pdf("Orbital Kitchens Ltd opened its first moon bakery in 2031.",
                             "The bakery sells 900 loaves a day to the Tycho crew."))
    scan.write_bytes(text_pdf(""))
    word.write_bytes(docx_bytes("苍鹭湖公园", "苍鹭湖公园位于临江市东郊，园内栖息着三百只苍鹭。"))
    rows = [{"id": "k1", "title": "柿子节", "date": "2025-10-02", "url": "https://news.example/k1",
             "text": "北坡村的柿子节在每年十月举行，今年共有两万名游客。"}, "{oops", {"title": "无正文"}]
    export = tmp_path / "village.jsonl"
    export.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows),
                      encoding="utf-8")
    table = tmp_path / "ferry.csv"
    table.write_text("title,date,url,text\n渡轮新航线,2025-09-01,,白鹭港的新渡轮航线每天往返六次。\n", encoding="utf-8")
    text = _upload_many(page, [pdf, scan, word, export, table], 7)
    added = " ".join(page.locator("#cqa-upload-results .cqa-ok").all_inner_texts())
    for name in ("orbit.pdf", "heron.docx", "village.jsonl", "ferry.csv"):
        assert name in added, text
    failed = page.inner_text("#cqa-upload-results").split("\n")
    assert any("scan.pdf" in f and "OCR" in f for f in failed), text
    assert any("village.jsonl#2" in f and "line 2: invalid JSON" in f for f in failed), text
    assert any("village.jsonl#3" in f and "line 3: no text" in f for f in failed), text
    save_screenshot(page, screenshot_dir, "library-upload-formats")

    open_chat(page)
    assert "900" in ask(page, "How many loaves does the moon bakery of Orbital Kitchens sell a day?")
    assert "三百只" in ask(page, "苍鹭湖公园里有多少只苍鹭？")
    assert "两万" in ask(page, "北坡村的柿子节今年有多少游客？")
    assert "六次" in ask(page, "白鹭港的新渡轮航线每天往返几次？")


def _wait_paging(page, prev: bool, nxt: bool) -> None:
    """Until ‹ Previous / Next › are clickable exactly as given (a bound's button is disabled)."""
    page.wait_for_function(f"""() => !document.querySelector('#cqa-prev').disabled === {str(prev).lower()}
        && !document.querySelector('#cqa-next').disabled === {str(nxt).lower()}""", timeout=10_000)


def test_library_search_and_paging_stay_usable(page, ui_engine, screenshot_dir):
    for i in range(55):
        ui_engine.upload(f"pager-{i:03d}.txt", f"分页测试{i}号\n\n这是分页测试用的第{i}号短文。".encode())
    open_library(page)
    page.fill("#cqa-lib-search input", "pager-")
    page.wait_for_function("document.querySelector('#cqa-page').innerText.includes('(55 documents)')")
    assert "Page 1 of 2" in page.inner_text("#cqa-page")
    assert page.locator("#cqa-library tbody tr").count() == 50
    _wait_paging(page, prev=False, nxt=True)
    page.click("#cqa-next")
    page.wait_for_function("document.querySelector('#cqa-page').innerText.includes('Page 2 of 2')")
    assert page.locator("#cqa-library tbody tr").count() == 5
    _wait_paging(page, prev=True, nxt=False)
    assert "pager-054.txt" in page.inner_text("#cqa-library") and "2026" not in page.inner_text("#cqa-page")
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", page.locator("#cqa-library td.cqa-added").first.inner_text())
    save_screenshot(page, screenshot_dir, "library-search-page-2")
    page.fill("#cqa-lib-search input", "pager-007")
    page.wait_for_function("document.querySelector('#cqa-page').innerText.includes('(1 document)')")
    assert page.locator("#cqa-library tbody tr").count() == 1
    _wait_paging(page, prev=False, nxt=False)  # page 1 of 1


def test_library_sorts_newest_first_and_finds_by_date(page, ui_engine):
    open_library(page)
    page.locator("#cqa-lib-sort input").click()
    page.get_by_role("option", name=re.compile("Published, newest first")).click()
    page.wait_for_function("document.querySelector('#cqa-lib-sort input').value.includes('newest')")
    # the app is shared with upload tests: the newest date is whatever the library holds
    newest = max(d.published for d in ui_engine.documents() if d.published)
    page.wait_for_function("document.querySelector('#cqa-library tbody tr td:nth-child(2)')"
                           f"?.innerText.trim() === {newest!r}", timeout=10_000)
    page.fill("#cqa-lib-search input", "2025-01-28")    # two of the bundled articles
    n = ui_engine.count_documents("2025-01-28")
    assert n >= 2
    page.wait_for_function(f"document.querySelector('#cqa-page').innerText.includes('({n} documents)')")


def test_library_is_readable_on_a_phone(page, screenshot_dir):
    # at 390 px the five columns wrapped titles and file names one character per line
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        open_library(page)
        page.wait_for_selector("#cqa-library tbody tr")
        title = page.locator("#cqa-library tbody tr").first.locator("td").first.bounding_box()
        assert title["width"] >= 150 and title["height"] <= 160
        assert page.locator("#cqa-library thead th:visible").count() == 3
        save_screenshot(page, screenshot_dir, "library-phone")
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def test_library_columns_keep_readable_widths_on_a_laptop(page, ui_engine, screenshot_dir):
    # at 1366 px a long title took all the width: the file name wrapped over 6 lines and
    # "片段 / Chunks" one character a line
    ui_engine.upload("900_5e1f0c2b7a9d3e41.md", ("# " + "企鹅公司的CEO叫做赵长长" * 25 + "\n\n企鹅公司的CEO叫做赵长长。").encode())
    open_library(page)
    page.fill("#cqa-lib-search input", "5e1f0c2b")
    page.wait_for_function("document.querySelectorAll('#cqa-library tbody tr').length == 1")
    heads = page.locator("#cqa-library thead th")
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#cqa-library th')).lineHeight)")
    sizes = [heads.nth(i).bounding_box() for i in range(heads.count())]
    assert all(box["height"] <= line + 14 for box in sizes), (line, sizes)  # every header on one line
    name = page.locator("#cqa-library tbody tr td:nth-child(3) code").first
    assert name.bounding_box()["height"] <= line * 2.2, name.bounding_box()  # the file name: at most two lines
    assert name.inner_text() == "900_5e1f0c2b7a9d3e41.md"  # break points are not characters
    save_screenshot(page, screenshot_dir, "library-laptop")


def test_upload_of_a_namesake_asks_before_replacing(page, tmp_path):
    doc = tmp_path / "tide_note.txt"
    doc.write_text("潮汐笔记\n\n白沙湾的大潮出现在农历十八。", encoding="utf-8")
    assert "已添加 / Added" in _upload_many(page, [doc], 1)
    doc.write_text("潮汐笔记\n\n白沙湾的大潮出现在农历初三。", encoding="utf-8")
    page.set_input_files("#cqa-upload input[type=file]", str(doc))
    page.wait_for_selector("#cqa-replace-ask .cqa-question", timeout=30_000)
    assert "tide_note.txt" in page.inner_text("#cqa-replace-ask")
    assert page.inner_text("#cqa-upload-results").strip() == ""  # the earlier "Added" line is gone
    page.click("#cqa-replace")
    page.wait_for_selector("#cqa-upload-results .cqa-ok", timeout=60_000)
    assert "已替换 / Replaced" in page.inner_text("#cqa-upload-results")
    assert not page.locator("#cqa-replace").is_visible()


def test_citation_opens_the_full_article_with_the_sentence_marked(page, screenshot_dir):
    ask(page, "梁文锋毕业于哪所大学？")
    page.locator(f"{BUBBLE} .cqa-answer .cqa-ref").first.click()
    link = page.locator(f"{BUBBLE} .cqa-card.cqa-hl .cqa-full-link")
    assert "file" not in link.get_attribute("href") and "data" not in link.get_attribute("href")  # no server path
    with page.expect_popup() as opened:
        link.click()
    article = opened.value
    article.wait_for_selector("#cqa-article .cqa-full mark", timeout=30_000)
    mark = article.locator("#cqa-article mark").first
    assert "浙江大学" in mark.inner_text()
    article.wait_for_function("document.activeElement && document.activeElement.tagName === 'MARK'")
    box, height = mark.bounding_box(), article.viewport_size["height"]
    assert 0 <= box["y"] <= height  # scrolled into view
    whole = article.inner_text("#cqa-article")
    assert "003_9dad58ff233fdee4.txt" in whole and len(whole) > 800
    save_screenshot(article, screenshot_dir, "article-view")
    assert _serious(article) == []


def test_library_row_opens_the_article_and_missing_ones_say_so(page, app_url):
    open_library(page)
    page.fill("#cqa-lib-search input", "003_9dad58ff233fdee4")
    page.wait_for_function("document.querySelectorAll('#cqa-library tbody tr').length == 1")
    with page.expect_popup() as opened:
        page.locator("#cqa-library .cqa-read").first.click()
    opened.value.wait_for_selector("#cqa-article .cqa-full", timeout=30_000)
    assert "梁文锋" in opened.value.inner_text("#cqa-article")
    page.goto(app_url + "article?doc=upload%3Anever.txt")
    page.wait_for_selector("#cqa-article .cqa-note", timeout=30_000)  # a note, not "Cannot answer"
    page.goto(app_url + "article?doc=")
    page.wait_for_selector("#cqa-article .cqa-note", timeout=30_000)
    assert "No document was chosen" in page.inner_text("#cqa-article")
    assert page.locator("h1").count() == 1  # axe: page-has-heading-one


def test_llm_setup_link_leads_to_the_readme_section(page):
    ask(page, "Which university did Liang Wenfeng graduate from?")
    with page.expect_popup() as opened:
        page.get_by_role("link", name="How to set one up").last.click()
    help_page = opened.value
    help_page.wait_for_selector("#cqa-help h2", timeout=30_000)
    text = help_page.inner_text("#cqa-help")
    assert help_page.locator("h1").all_inner_texts() == ["帮助 / Help"]  # axe: page-has-heading-one
    assert "Generated answers with an LLM" in text and "LLM_BASE_URL" in text and "Ollama" in text


def test_library_views_pass_axe(page, screenshot_dir):
    open_library(page)
    page.locator("#cqa-delete-pick input").click()
    page.get_by_role("option").first.click()
    page.click("#cqa-delete")
    page.wait_for_selector("#cqa-delete-confirm", timeout=10_000)
    assert _serious(page) == []
    save_screenshot(page, screenshot_dir, "library-delete-confirm")
    page.click("#cqa-delete-cancel")


def test_saved_conversations_survive_a_server_restart(browser, ui_engine, ui_settings):
    from ui.web import build_app, launch

    port = free_port()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        for run in range(2):
            app = build_app(ui_engine, ui_settings)  # a fresh app = a server restart for the browser
            launch(app, ui_settings, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
            try:
                pg = context.new_page()
                pg.goto(f"http://127.0.0.1:{port}/")
                pg.wait_for_selector("#cqa-question textarea", timeout=30_000)
                if run == 0:
                    ask(pg, "梁文锋毕业于哪所大学？")
                else:
                    pg.wait_for_selector(FINAL, timeout=30_000)
                    assert "浙江大学" in pg.locator(FINAL).last.inner_text()
                pg.close()
            finally:
                app.close()
    finally:
        context.close()
