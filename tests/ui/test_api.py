"""The /ask endpoint through gradio_client, and the chat handler's streaming turn, on the real engine."""

from __future__ import annotations

import pytest
from gradio_client import Client

from rag import Answer
from ui import labels as L
from ui.chat import Chat, follow_ups
from ui.library import Library
from ui.render import escape_text

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_only_ask_is_public(client):
    api = client.view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/ask"]


def test_ask_returns_answer_and_citations(client):
    result = client.predict("梁文鋒畢業於哪所大學？", api_name="/ask")
    assert result["script"] == "zh-Hant" and not result["abstained"]
    assert "浙江大學" in result["answer"] and "[1]" in result["answer"]
    first = result["citations"][0]
    assert first["n"] == 1 and first["source"] == "003_9dad58ff233fdee4.txt"
    assert first["url"].startswith("https://") and first["highlights"] and first["highlights"][0] in first["text"]
    # the server's folders stay on the server: a document is named by its key, as article links name it
    assert "doc_id" not in first and "/" not in first["doc_key"] and len(first["doc_key"]) == 20


def test_ask_with_script_and_history(client):
    result = client.predict(question="那V3有多少参数？", script="zh-Hant",
                            history=["DeepSeek训练V3用了多少块H800？"], api_name="/ask")
    assert result["script"] == "zh-Hant" and "6710億" in result["answer"]
    assert result["query"] != result["question"] and "V3" in result["query"]
    assert "001_c2c4fdbdcdf9be8a.txt" in {c["source"] for c in result["citations"]}


def test_ask_errors_are_sentences(client):
    with pytest.raises(Exception, match="The question is empty"):
        client.predict("   ", api_name="/ask")
    with pytest.raises(Exception, match="Unknown script"):
        client.predict("DeepSeek是什么？", script="klingon", api_name="/ask")


def test_chat_turn_streams_then_shows_query_and_cards(ui_engine):
    steps = list(Chat(ui_engine).respond("DeepSeek训练V3用了多少块H800？", [], [], L.AUTO))
    assert len(steps) >= 3  # placeholder, ≥1 text increment, final
    first_messages, _ = steps[0]
    assert "cqa-streaming" in first_messages[-1]["content"]
    messages, turns = steps[-1]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "cqa-answered" in messages[1]["content"] and "2048" in messages[1]["content"]
    assert "cqa-card" in messages[1]["content"]  # the answer's own sources
    assert [t["understood"] for t in turns] == ["DeepSeek训练V3用了多少块H800？"]
    partial = [s[0][-1]["content"] for s in steps[1:-1]]
    assert any("cqa-streaming" in p and "2048" in p for p in partial)


def test_chat_turn_failures_are_messages_not_tracebacks(ui_engine, monkeypatch):
    chat = Chat(ui_engine)
    earlier = [{"question": "earlier", "understood": "earlier", "answer": None}]
    *_, (messages, turns) = chat.respond("长" * 600, [], earlier, L.AUTO)
    assert "cqa-error" in messages[-1]["content"] and "limit is 500" in messages[-1]["content"]
    assert follow_ups(turns) == ["earlier"]  # a failed turn is not remembered for follow-ups

    def boom(*_a, **_k):
        raise RuntimeError("secret internal detail")
        yield Answer  # pragma: no cover

    monkeypatch.setattr(ui_engine, "stream", boom)
    *_, (messages, _) = chat.respond("DeepSeek是什么？", [], [], L.AUTO)
    assert "cqa-error" in messages[-1]["content"]
    assert "secret internal detail" not in messages[-1]["content"] and "Traceback" not in messages[-1]["content"]


@pytest.mark.parametrize("encoding", ["big5", "gbk", "utf-16"])
def test_library_upload_decodes_chinese_encodings(ui_engine, ui_settings, tmp_path, encoding):
    name = f"harbour_{encoding.replace('-', '')}.txt"
    path = tmp_path / name
    path.write_bytes("港口簡介\n\n白鷺港的燈塔建於一九二三年，高四十二米。\n".encode(encoding))
    # searched by name: the shared app's library may hold more than one page
    results, table, *_view, cleared, held, _ask = Library(ui_engine, ui_settings).upload([str(path)], name)
    try:
        assert "cqa-ok" in results and escape_text(name) in table and cleared is None and held == []
        answer = ui_engine.query("白鷺港的燈塔有多高？")
        assert "四十二米" in answer.answer and answer.citations[0].source == name
    finally:
        ui_engine.delete("upload:" + name)
