"""The ``rag`` command, run as a real subprocess: one-line errors, non-zero exits, JSON output."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def rag(*args, env_extra=None, cwd=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd or ROOT, timeout=300)


@pytest.mark.slow
def test_ask_json(private_index):
    out = rag("ask", "Which university did Liang Wenfeng graduate from?", "--json",
              env_extra={"VECTORSTORE_DIR": str(private_index)})
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["script"] == "en" and not data["abstained"]
    assert data["citations"][0]["source"] == "003_9dad58ff233fdee4.txt"


@pytest.mark.slow
def test_ask_plain_prints_answer_and_sources(private_index):
    out = rag("ask", "梁文鋒畢業於哪所大學？", env_extra={"VECTORSTORE_DIR": str(private_index)})
    assert out.returncode == 0
    assert "浙江大學" in out.stdout and "[1]" in out.stdout and "003_9dad58ff233fdee4.txt" in out.stdout
    assert out.stdout.splitlines()[0] == "→ 浙江大學"      # the short answer first, in the asker's script


@pytest.mark.parametrize(
    "args,message",
    [
        (["ask", ""], "The question is empty"),
        (["ask", "   "], "The question is empty"),
        (["ask", "长" * 600], "limit is 500"),
        (["ingest", "no/such/folder"], "Corpus path not found"),
    ],
    ids=["empty", "blank", "too-long", "missing-path"],
)
def test_bad_input_is_one_line_without_traceback(private_index, args, message):
    out = rag(*args, env_extra={"VECTORSTORE_DIR": str(private_index)})
    assert out.returncode == 1
    assert out.stderr.strip().startswith("error: ") and message in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_empty_corpus_and_unreadable_file_keep_the_index(private_index, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = rag("ingest", str(empty), env_extra={"VECTORSTORE_DIR": str(private_index)})
    assert out.returncode == 1 and "No .txt, .md, .html, .pdf, .docx, .jsonl or .csv files" in out.stderr

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "garbage.txt").write_bytes(bytes(range(256)) * 8)
    (bad / "good.md").write_text("# 新文章\n\n深度求索的吉祥物是一头蓝色的鲸鱼。", encoding="utf-8")
    (bad / "dates.jsonl").write_text('{"id": "x1", "date": "2024-13-45", "text": "海豚每天吃五公斤鱼。"}\n',
                                     encoding="utf-8")
    out = rag("ingest", str(bad), env_extra={"VECTORSTORE_DIR": str(private_index)})
    assert out.returncode == 0
    assert "documents read: 2" in out.stdout and "failed garbage.txt" in out.stdout
    # stored without its date, and said so once
    assert (out.stdout + out.stderr).count("dates.jsonl#x1: dropped date '2024-13-45' (not a date)") == 1

    out = rag("ask", "梁文锋毕业于哪所大学？", env_extra={"VECTORSTORE_DIR": str(private_index)})
    assert "浙江大学" in out.stdout  # what was stored before is still there


def test_ask_on_an_empty_index_without_the_default_corpus_says_to_ingest(tmp_path):
    # run outside the checkout, it said "Corpus path not found: data/corpus. Pass an existing file or folder"
    out = rag("ask", "梁文锋是谁？", env_extra={"VECTORSTORE_DIR": str(tmp_path / "vs"), "CORPUS_DIR": "data/corpus"},
              cwd=tmp_path)
    assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1
    assert "is empty" in out.stderr and "rag ingest PATH" in out.stderr and "CORPUS_DIR" in out.stderr


@pytest.mark.parametrize("settings,names,unsaid", [
    ({"CHUNK_SIZE": "lots"}, ["CHUNK_SIZE"], []),
    # a rule across two settings used to print "setting ={...every setting...} is invalid"
    ({"CHUNK_SIZE": "100", "CHUNK_OVERLAP": "200"}, ["CHUNK_OVERLAP (200)", "CHUNK_SIZE (100)"], ["{", "Value error"]),
    # an empty VECTORSTORE_DIR= was the current folder, which then received the index's files
    ({"VECTORSTORE_DIR": ""}, ["VECTORSTORE_DIR", "empty"], []),
    ({"ARTICLE_COLUMNS": "title:headline,body:text"}, ["ARTICLE_COLUMNS", "'body:text'"], [".."]),
])
def test_bad_setting_is_one_line(private_index, tmp_path, settings, names, unsaid):
    work = tmp_path / "work"
    work.mkdir()
    out = rag("ask", "hi", env_extra={"VECTORSTORE_DIR": str(private_index), **settings}, cwd=work)
    assert out.returncode == 1 and "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert all(n in out.stderr for n in names) and not any(u in out.stderr for u in unsaid)
    assert list(work.iterdir()) == []


def test_feedback_export_plain_json_and_qa(tmp_path, monkeypatch, capsys):
    from rag import FeedbackStore
    from ui.cli import main

    db = tmp_path / "fb.sqlite3"
    store = FeedbackStore(db)
    answer = {"question": "梁文锋毕业于哪所大学？", "answer": "浙江大学。[1]", "script": "zh-Hans",
              "answerer": "extractive", "citations": [{"n": 1, "source": "003_9dad58ff233fdee4.txt"}]}
    store.add("up", answer, "5d-1c-x")
    store.comment(store.add("down", answer, "5d-1c-x"), "缺少年份")
    monkeypatch.setenv("FEEDBACK_DB", str(db))
    assert main(["feedback", "export"]) == 0
    assert capsys.readouterr().out.count("梁文锋毕业于哪所大学？") == 2
    assert main(["feedback", "export", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["rating"] for r in rows] == ["up", "down"] and rows[1]["comment"] == "缺少年份"
    assert main(["feedback", "export", "--qa"]) == 0
    [qa] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"id", "question", "lang", "answers", "sources", "answerable"} <= set(qa)
    assert qa["sources"] == ["003_9dad58ff233fdee4.txt"] and qa["lang"] == "zh-Hans" and qa["answers"] == []


@pytest.mark.parametrize("title,line", [
    (None, "[2] notes/a.txt, 2025-01-28"), ("", "[2] notes/a.txt, 2025-01-28"),
    ("notes/a.txt", "[2] notes/a.txt, 2025-01-28"),                  # an untitled file was named twice
    ("白鹭港灯塔", "[2] 白鹭港灯塔 — notes/a.txt, 2025-01-28"),
])
def test_a_cited_document_is_named_once(title, line):
    from rag import Citation
    from ui.cli import cited_line

    assert cited_line(Citation(2, "notes/a.txt", title, None, "2025-01-28", "…", 0.5)) == line


@pytest.mark.parametrize("content,message", [
    (None, "QA file not found: "),          # it said "Corpus path not found"
    ("", "There are no questions in "),     # it printed a table of "-" and exited 0
    ("not json", "line 1 is not JSON"),     # these two were tracebacks
    ('{"bad": 1}', 'line 1 has no "question"'),
], ids=["missing", "empty", "not-json", "no-question"])
def test_eval_with_a_bad_qa_file_is_one_line(private_index, tmp_path, content, message):
    qa = tmp_path / "qa.jsonl"
    if content is not None:
        qa.write_text(content, encoding="utf-8")
    out = rag("eval", "--qa-file", str(qa), "--no-baseline", env_extra={"VECTORSTORE_DIR": str(private_index)})
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.startswith("error: ") and message in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_eval_llm_exits_1_when_every_answer_fell_back(private_index, tmp_path):
    from tests.llm.fake_openai import TEST_API_KEY, FakeOpenAI, Status

    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(line for line in (ROOT / "tests" / "qa" / "qa.jsonl").read_text(encoding="utf-8")
                            .splitlines()[:2]), encoding="utf-8")
    api = FakeOpenAI().start()
    api.scenarios["e500"] = lambda _req: Status(500)
    try:
        out = rag("eval", "--qa-file", str(qa), "--answerer", "llm", "--no-baseline", "--json",
                  env_extra={"VECTORSTORE_DIR": str(private_index), "LLM_BASE_URL": api.base_url,
                             "LLM_MODEL": "e500", "LLM_API_KEY": TEST_API_KEY})
    finally:
        api.stop()
    # it printed the extractive fallback's metrics as the LLM's, exit 0
    assert out.returncode == 1 and out.stdout == ""
    [line] = [ln for ln in out.stderr.splitlines() if ln.startswith("error: ")]
    assert line.startswith("error: All 2 answers fell back to extractive") and "HTTP 500" in line
    assert "Traceback" not in out.stderr


def test_the_progress_bar_moves_from_the_first_stored_batch(monkeypatch):
    """A single export of hundreds of articles is one file: the bar used to wait for it to finish."""
    import io

    from ui import cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    with cli._progress_bar("ingest") as (progress, chunk_progress):
        chunk_progress("news.jsonl#a1", 2, 3)
        assert "news.jsonl#a1 2/3 chunks" in err.getvalue()
        progress("news.jsonl", 1)
    assert "1/1" in err.getvalue()


def test_ingest_takes_include_deleted(monkeypatch):
    from ui import cli

    seen = {}

    class Engine:
        def ingest(self, path, **kwargs):
            seen.update(kwargs)
            from rag.types import IngestReport
            return IngestReport()

    cli._ingest(Engine(), cli._parser().parse_args(["ingest", "archive", "--include-deleted"]))
    assert seen["include_deleted"] is True
    cli._ingest(Engine(), cli._parser().parse_args(["ingest", "archive"]))
    assert seen["include_deleted"] is False
