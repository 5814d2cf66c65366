"""ui.chat handlers on the real engine: upload limits, delete messages, streaming order, API errors."""

from __future__ import annotations

import gradio as gr
import pytest

from rag import Settings
from tests.ui.gated import GatedEngine
from ui import labels as L
from ui.chat import Chat, Library, ask_api


@pytest.fixture
def library(engine):
    # the shared engine is read-only: uploads here are refused before it, or fail on purpose
    return Library(GatedEngine(engine, broken_upload=True), Settings(upload_max_mb=0.001))  # ~1 kB


def test_upload_rejects_type_and_size_per_file(library, tmp_path):
    pdf, big = tmp_path / "a.pdf", tmp_path / "big.md"
    pdf.write_bytes(b"%PDF")
    big.write_text("大" * 1000, encoding="utf-8")
    results, table, _dropdown, cleared = library.upload([str(pdf), str(big)])
    assert results.count('class="cqa-fail"') == 2 and "Unsupported" in results and "0&#46;001 MB" in results
    assert "003&#95;9dad58ff233fdee4&#46;txt" in table and "(5)" in table and cleared is None


def test_upload_engine_failure_is_a_message(library, tmp_path):
    ok = tmp_path / "ok.txt"
    ok.write_text("短文。", encoding="utf-8")
    results, *_ = library.upload(str(ok))  # the wrapped engine's upload raises RuntimeError
    assert "cqa-fail" in results and "logged" in results and "disk on fire" not in results


@pytest.mark.parametrize("source,expected", [(None, "Choose a document first"), ("", "Choose a document first"),
                                             ("gone.txt", "not in the library")])
def test_delete_messages(library, source, expected):
    status, _table, _dropdown = library.delete(source)
    assert "cqa-error" in status and expected in status.replace("&#46;", ".").replace("&#40;", "(")


def test_chat_streams_placeholder_text_then_final(engine):
    steps = list(Chat(engine).respond("梁文锋毕业于哪所大学？", None, None, "zh-Hant"))
    contents = [s[0][-1]["content"] for s in steps]
    assert "cqa-streaming" in contents[0] and L.SEARCHING.split(" / ")[0] in contents[0]
    assert "cqa-streaming" in contents[1] and "浙江大學" in contents[1]
    assert "cqa-answered" in contents[-1]
    assert isinstance(steps[0][1], type(gr.skip())) and "cqa-card" in steps[-1][1]
    assert steps[-1][2] == ["梁文锋毕业于哪所大学？"]


def test_api_errors_become_gradio_errors(engine):
    ask = ask_api(engine)
    assert ask("梁文锋毕业于哪所大学？")["citations"][0]["source"] == "003_9dad58ff233fdee4.txt"
    with pytest.raises(gr.Error, match="empty"):
        ask("  ")


def test_web_modules_talk_only_to_rag():
    import ast
    from pathlib import Path

    ui = Path(__file__).resolve().parents[2] / "ui"
    for module in ("web", "chat", "render", "labels", "style"):
        tree = ast.parse((ui / f"{module}.py").read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        roots = {name.split(".")[0] for name in imported}
        assert not roots & {"chromadb", "ingest", "langchain_chroma", "langchain_core"}, module
        assert {name for name in imported if name.startswith("rag.")} == set(), module  # only `from rag import`
