"""Generated answers in the web chat: headless Chromium, the real engine, the API test double.

What a person sees when an LLM is configured: the model's answer with its forged citation
and injected link removed, converted to the asker's script; and when the endpoint fails,
the extractive answer with a one-line notice — never the API key.
"""

from __future__ import annotations

import pytest

from tests.llm.fake_openai import TEST_API_KEY, Status, Text
from tests.ui.conftest import start
from tests.ui.test_web import FINAL, ask

pytestmark = pytest.mark.slow


@pytest.fixture
def llm_page(browser, make_engine, api, request):
    """A page on a fresh app whose engine's LLM replies with ``request.param``."""
    from ui.web import build_app

    api.scenarios[request.node.name] = lambda _req, reply=request.param: reply
    engine = make_engine(request.node.name)
    app = build_app(engine, engine.settings)
    url = start(app, engine.settings)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#cqa-question textarea", timeout=30_000)
    yield page
    context.close()
    app.close()


@pytest.mark.parametrize(
    "llm_page",
    [Text("DeepSeek-V3于2024年12月发布[1]。详情见[官网](https://evil.example.com/x)和更多[9]。", piece=4)],
    indirect=True,
)
def test_generated_answer_is_sanitised_and_in_the_askers_script(llm_page):
    text = ask(llm_page, "DeepSeek-V3是什麼時候發布的？")
    # converted to 繁體 although the model wrote 简体 (发布→發布: the news sense, not s2twp’s 釋出)
    assert "DeepSeek-V3於2024年12月發布[1]。詳情見官網" in text
    assert "[9]" not in text and "evil.example.com" not in llm_page.content()
    assert llm_page.locator("#cqa-chat a[href*='evil']").count() == 0
    assert llm_page.locator("#cqa-chat .cqa-card").count() == 1


@pytest.mark.parametrize("llm_page", [Status(500, {"error": {"message": f"boom {TEST_API_KEY}"}})], indirect=True)
def test_failing_endpoint_shows_extractive_answer_with_a_notice(llm_page):
    text = ask(llm_page, "Which university did Liang Wenfeng graduate from?")
    assert "浙江大学" in text
    notice = llm_page.locator("#cqa-chat .cqa-notice").last.inner_text()
    assert "HTTP 500" in notice and "extractive" in notice
    assert TEST_API_KEY not in llm_page.content()
    assert llm_page.locator(FINAL).count() == 1
