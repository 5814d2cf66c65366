"""ui.chat handlers on the real engine: upload limits, delete messages, streaming order, API errors."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import gradio as gr
import pytest

from rag import FeedbackStore, Settings
from tests.ui.gated import GatedEngine
from ui import labels as L
from ui.chat import Chat, ask_api, asker_script
from ui.library import Library
from ui.feedback import Feedback
from ui.history import History


@pytest.fixture
def library(engine):
    # the shared engine is read-only: uploads here are refused before it, or fail on purpose
    return Library(GatedEngine(engine, broken_upload=True), Settings(upload_max_mb=0.001))  # ~1 kB


def test_upload_rejects_type_and_size_per_file(library, tmp_path):
    doc, big = tmp_path / "a.doc", tmp_path / "big.md"
    doc.write_bytes(b"\xd0\xcf\x11\xe0")
    big.write_text("大" * 1000, encoding="utf-8")
    results, table, where, _dropdown, page, prev, nxt, cleared, held, _ask = library.upload([str(doc), str(big)])
    assert results.count('class="cqa-fail"') == 2 and "Unsupported" in results and "0&#46;001 MB" in results
    assert "003&#95;<wbr>9dad58ff233fdee4<wbr>&#46;txt" in table and "(5)" in table and cleared is None
    assert held == [] and page == 1 and "Page 1 of 1 (5 documents)" in where
    assert not prev["interactive"] and not nxt["interactive"]  # page 1 of 1: nowhere to go


def test_upload_engine_failure_is_a_message(library, tmp_path):
    ok = tmp_path / "ok.txt"
    ok.write_text("短文。", encoding="utf-8")
    results, *_ = library.upload(str(ok))  # the wrapped engine's upload raises RuntimeError
    assert "cqa-fail" in results and "logged" in results and "disk on fire" not in results


def test_empty_upload_is_refused_in_both_languages(library, tmp_path):
    blank = tmp_path / "empty.txt"
    blank.write_bytes(b" \n\n")
    results, *_ = library.upload([str(blank)])  # refused before the (failing) engine is asked
    assert "cqa-fail" in results and "文件是空的" in results and "The file is empty" in results


def test_keeping_the_existing_document_is_not_a_failure(library, tmp_path):
    results, held, ask = library.keep([str(tmp_path / "a.txt")])
    assert "cqa-kept" in results and "Kept" in results and "保留了原文档" in results
    assert "cqa-fail" not in results and "Failed" not in results and held == [] and not ask["visible"]


@pytest.mark.parametrize("source,expected", [(None, "Choose a document first"), ("", "Choose a document first"),
                                             ("gone.txt", "not in the library")])
def test_delete_messages(library, source, expected):
    for status in (library.delete(source)[0], library.ask_delete(source)[0]):
        assert "cqa-note" in status and expected in status.replace("&#46;", ".").replace("&#40;", "(")
        assert "cqa-error" not in status and L.ERROR_PREFIX not in status  # a note, not an answer


def test_searched_query_is_shown_in_the_chosen_script(engine):
    chat = Chat(engine)
    *_, (messages, turns) = chat.respond("DeepSeek训练V3用了多少块H800？", [], [], "auto")
    *_, (messages, _) = chat.respond("那V3有多少参数？", messages, turns, "zh-Hant")
    shown = re.search(r'class="cqa-query">([^<]*)<', messages[-1]["content"]).group(1)
    assert "參數" in shown and "参数" not in shown and "檢索查詢" in messages[-1]["content"]


def test_chat_streams_placeholder_text_then_final(engine):
    steps = list(Chat(engine).respond("梁文锋毕业于哪所大学？", None, None, "zh-Hant"))
    contents = [s[0][-1]["content"] for s in steps]
    assert "cqa-streaming" in contents[0] and L.SEARCHING.split(" / ")[0] in contents[0]
    assert "cqa-streaming" in contents[1] and "浙江大學" in contents[1]
    assert "cqa-answered" in contents[-1]
    assert "cqa-card" in contents[-1]  # the answer carries its own cards
    final_turns = steps[-1][1]
    assert [t["question"] for t in final_turns] == ["梁文锋毕业于哪所大学？"]
    assert final_turns[0]["answer"]["citations"][0]["source"] == "003_9dad58ff233fdee4.txt"


@pytest.mark.parametrize("choice,question,script_word", [
    ("zh-Hant", "问" * 600, "個字元"), ("auto", "問" * 600, "個字元"), ("auto", "问" * 600, "个字符"),
])
def test_a_refused_question_is_explained_in_the_readers_script(engine, choice, question, script_word):
    final = list(Chat(engine).respond(question, None, None, choice))[-1][0][-1]["content"]
    assert script_word in final and "The question is 600 characters long" in final


def test_empty_question_changes_nothing(engine):
    steps = list(Chat(engine).respond("   ", [{"role": "user", "content": "x"}], [{"question": "x"}], "auto"))
    assert len(steps) == 1 and all(isinstance(v, type(gr.skip())) for v in steps[0])


@pytest.mark.parametrize("choice,accept,script", [
    ("auto", "zh-TW,zh;q=0.9", "zh-Hant"), ("auto", "zh-CN", "zh-Hans"), ("auto", "de-DE,en", "en"),
    ("auto", "", "en"), ("zh-Hant", "en-US", "zh-Hant")])
def test_asker_script_follows_selector_then_browser(choice, accept, script):
    assert asker_script(choice, accept) == script


def test_retry_and_edit_replace_the_last_turn(engine):
    chat = Chat(engine)
    *_, (messages, turns) = chat.respond("DeepSeek训练V3用了多少块H800？", [], [], "auto")
    *_, (messages, turns) = chat.respond("梁文锋毕业于哪所大学？", messages, turns, "auto")
    *_, (again, again_turns) = chat.retry(messages, turns, "zh-Hant")
    assert len(again) == 4 and [t["question"] for t in again_turns] == [t["question"] for t in turns]
    assert "浙江大學" in again[-1]["content"] and again[:2] == messages[:2]

    edited = gr.EditData(None, {"index": 2, "previous_value": "x", "value": "那V3有多少参数&#65311;"})
    *_, (after, after_turns) = chat.edit(edited, messages, turns, "auto")
    assert [t["question"] for t in after_turns] == ["DeepSeek训练V3用了多少块H800？", "那V3有多少参数？"]
    assert "6710亿" in after[-1]["content"]  # still a follow-up of the first question


def test_feedback_row_and_comment(engine, tmp_path):
    chat, fb = Chat(engine), Feedback(engine, Settings(feedback_db=tmp_path / "fb.sqlite3"))
    *_, (messages, turns) = chat.respond("梁文锋毕业于哪所大学？", [], [], "auto")
    row, box, _ = fb.rate(gr.LikeData(None, {"index": 1, "value": "x", "liked": False}), turns, "c1", None)
    assert box["visible"] is True
    fb.comment(row, "应该给出年份")
    [stored] = FeedbackStore(tmp_path / "fb.sqlite3").rows()
    assert stored["rating"] == "down" and stored["comment"] == "应该给出年份" and stored["conversation"] == "c1"
    assert stored["question"] == "梁文锋毕业于哪所大学？" and "浙江大学" in stored["answer"]
    assert stored["citations"][0]["source"] == "003_9dad58ff233fdee4.txt" and stored["answerer"] == "extractive"
    assert re.fullmatch(r"5d-\d+c-[0-9a-f]{10}", stored["index_version"])
    assert fb.rate(gr.LikeData(None, {"index": 1, "value": "x", "liked": ""}), turns, "c1", None)[0] is None


def test_history_save_open_rename_delete_per_user():
    alice, bob = SimpleNamespace(username="alice"), SimpleNamespace(username="bob")
    turns = [{"question": "梁文锋毕业于哪所大学？" * 5, "understood": "q", "answer": None}]
    conv, saved, listed = History.save("", [{"role": "user", "content": "q"}], turns, {}, alice)
    assert conv and listed["value"] == conv and len(listed["choices"][0][0]) == 40
    assert History.restore(saved, bob)[1] == []  # another login sees nothing
    opened = History.open(conv, saved, alice)
    assert opened[1] == [{"role": "user", "content": "q"}] and opened[2] == turns
    saved, listed = History.rename(conv, "  毕业院校 ", saved, alice)
    assert listed["choices"] == [("毕业院校", conv)]
    question, doomed, row = History.ask_delete(conv, saved, alice)
    assert "cqa-question" in question["value"] and "毕业院校" in question["value"] and doomed == conv and row["visible"]
    assert History.restore(saved, alice)[0] == conv  # asking deletes nothing
    assert History.ask_delete(conv, saved, bob)[1] is None  # not bob's to delete
    saved, new_id, messages, _, listed, _ = History.delete(doomed, saved, alice)
    assert new_id == "" and messages == [] and listed["choices"] == []


def test_api_errors_become_gradio_errors(engine):
    ask = ask_api(engine)
    assert ask("梁文锋毕业于哪所大学？")["citations"][0]["source"] == "003_9dad58ff233fdee4.txt"
    with pytest.raises(gr.Error, match="empty"):
        ask("  ")


def test_web_modules_talk_only_to_rag():
    import ast
    from pathlib import Path

    ui = Path(__file__).resolve().parents[2] / "ui"
    for module in ("web", "chat", "render", "labels", "style", "history", "feedback", "behaviour"):
        tree = ast.parse((ui / f"{module}.py").read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        roots = {name.split(".")[0] for name in imported}
        assert not roots & {"chromadb", "ingest", "langchain_chroma", "langchain_core"}, module
        assert {name for name in imported if name.startswith("rag.")} == set(), module  # only `from rag import`


def _uploads_only(tmp_path, embeddings, **settings):
    """A private engine whose library holds only what the test uploads (no demo corpus)."""
    from rag import Engine

    settings = Settings(_env_file=None, vectorstore_dir=tmp_path / "vs", corpus_dir=tmp_path / "none", **settings)
    engine = Engine(settings, embeddings=embeddings)
    engine.store.mark_first_build("done")
    return engine, settings


@pytest.mark.slow
def test_paging_search_and_confirmations(tmp_path, embeddings):
    """Handlers over a private engine: 12 small docs, page size 5, replace and delete both ask first."""
    engine, settings = _uploads_only(tmp_path, embeddings, library_page_size=5)
    for i in range(12):
        engine.upload(f"doc{i:02d}.txt", f"第{i}号文件\n\n这是第{i}号小文件的正文，讲的是编号{i}。".encode())
    lib = Library(engine, settings)
    table, where, pick, page, prev, nxt = lib.view("", 3)
    assert page == 3 and "Page 3 of 3 (12 documents)" in where and table.count("<tr data-source") == 2
    assert prev["interactive"] and not nxt["interactive"]
    assert [b["interactive"] for b in lib.view("", 2)[4:]] == [True, True]
    assert lib.view("", 99)[3] == 3  # past the end → the last page
    table, where, *_ = lib.view("doc1", 1)
    assert "(2 documents)" in where and "doc10" in table.replace("&#46;", ".") and "doc05" not in table
    assert "No document matches" in lib.view("nothing-like-this", 1)[0]
    again = tmp_path / "doc00.txt"
    again.write_text("新内容\n\n零号文件被替换了。", encoding="utf-8")
    results, *_, held, ask = lib.upload([str(again)])
    assert results == "" and held == [str(again)] and ask["visible"] and "doc00" in ask["value"].replace("&#46;", ".")
    assert "零号" not in engine.read("upload:doc00.txt").text  # nothing replaced before the answer
    results, *_ = lib.replace(held)
    assert "Replaced" in results and "零号" in engine.read("upload:doc00.txt").text
    assert "Page 1 of 1 (1 document)" in lib.view("doc03", 1)[1]  # not "(1 documents)"
    for name, day in (("old.txt", "2019-01-01"), ("new.txt", "2024-06-30")):
        engine.upload(name, f"{name}的标题\n{day} 来源：测试\n\n这是{name}的正文内容。".encode())
    newest = [label for label, _ in lib.view("", 1, "published")[2]["choices"]]
    assert newest[0].endswith("new.txt") and newest[1].endswith("old.txt")      # dated first, newest first
    assert lib.view("", 1, "no-such-order")[2]["choices"][0][0].endswith("doc00.txt")   # by file name
    choices = dict((label, value) for label, value in lib.view("doc03", 1)[2]["choices"])
    assert not any(":" in v for v in choices.values())  # keys, not upload:/file: ids (server paths)
    status, doomed, row = lib.ask_delete(next(iter(choices.values())))
    assert "cqa-question" in status and engine.find(doomed).doc_id == "upload:doc03.txt" and row["visible"]
    assert "cannot be undone" in status and "skip it" not in status
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "disk.txt").write_text("磁盘上的文件\n\n这篇文章来自一个文件夹。", encoding="utf-8")
    engine.ingest(folder)
    on_disk = next(v for label, v in lib.view("disk", 1)[2]["choices"])
    assert "later ingests of that folder skip it" in lib.ask_delete(on_disk)[0]
    assert engine.document("upload:doc03.txt") is not None
    status, *_ = lib.delete(doomed)
    assert "cqa-ok" in status and engine.document("upload:doc03.txt") is None
    assert "doc03.txt (1 chunk)" in html.unescape(status)  # not "(1 chunks)"


@pytest.mark.slow
def test_upload_reports_embedding_progress_per_batch(tmp_path, embeddings):
    """A long upload moves a progress bar per stored batch (it sat at a fake "1.1s" ETA for 20 minutes)."""
    engine, settings = _uploads_only(tmp_path, embeddings, embed_batch=2)
    doc = tmp_path / "long_note.txt"
    doc.write_text("长篇笔记\n\n" + "\n\n".join(f"第{i}段：白沙湾的渔船在清晨出海，这是第{i}段记录，内容各不相同。" * 3
                                                for i in range(30)), encoding="utf-8")
    calls = []
    results, *_ = Library(engine, settings).upload([str(doc)], progress=lambda *a, **k: calls.append((a, k)))
    assert "cqa-ok" in results
    steps = [a[0] for a, _ in calls if isinstance(a[0], tuple)]
    assert len(steps) >= 3 and steps == sorted(steps) and steps[-1][0] == steps[-1][1]  # 2/N, 4/N, … N/N
    assert all(k["unit"] == L.UPLOAD_PROGRESS_UNIT for a, k in calls if isinstance(a[0], tuple))
    assert all("long_note.txt" in k["desc"] and "file 1 of 1" in k["desc"] for _, k in calls)
