"""Launch rules (bind, auth, queue) of ui.web, checked on a running app over the real engine."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import httpx
import pytest
from gradio_client import Client

from rag import ConfigError, Settings
from tests.conftest import ROOT
from tests.ui.conftest import free_port, start
from tests.ui.gated import GatedEngine
from ui.web import build_app, is_loopback, launch_options, parse_auth, serve


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_need_no_login(host):
    opts = launch_options(Settings(), host=host, port=7861)
    assert opts["server_name"] == host and opts["server_port"] == 7861
    assert opts["share"] is False and opts["auth"] is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.com"])
def test_non_loopback_host_without_login_is_refused(host):
    assert not is_loopback(host)
    with pytest.raises(ConfigError, match="RAG_UI_AUTH"):
        launch_options(Settings(), host=host)


def test_non_loopback_host_with_login_is_allowed():
    opts = launch_options(Settings(rag_ui_auth="alice:s3cret:x"), host="0.0.0.0")
    assert opts["auth"] == ("alice", "s3cret:x") and opts["share"] is False


def test_defaults_come_from_settings():
    opts = launch_options(Settings(rag_ui_host="127.0.0.1", rag_ui_port=7999, upload_max_mb=2))
    assert (opts["server_name"], opts["server_port"]) == ("127.0.0.1", 7999)
    # Gradio's limit is only the hard cap, well above UPLOAD_MAX_MB (checked per file by the app)
    assert opts["max_file_size"] == 50 * 1024 * 1024
    assert launch_options(Settings(upload_max_mb=20))["max_file_size"] == 200 * 1024 * 1024


@pytest.mark.parametrize("raw", ["alice", ":pw", "alice:", ":"])
def test_malformed_auth_is_a_config_error(raw):
    with pytest.raises(ConfigError, match="user:password"):
        parse_auth(Settings(rag_ui_auth=raw).rag_ui_auth)


def test_serve_refuses_before_loading_anything(monkeypatch):
    monkeypatch.setattr("ui.web.Engine", lambda *_: pytest.fail("the engine must not be built"))
    with pytest.raises(ConfigError, match="Refusing to serve on 0.0.0.0"):
        serve(Settings(rag_ui_host="0.0.0.0"))


def test_login_is_enforced_when_configured(engine):
    settings = Settings(rag_ui_auth="alice:s3cret")
    app = build_app(engine, settings)
    url = start(app, settings)
    try:
        assert httpx.get(url + "config").status_code == 401
        with pytest.raises(Exception, match="credentials|login"):
            Client(url, verbose=False)
        client = Client(url, auth=("alice", "s3cret"), verbose=False)
        assert "浙江大学" in client.predict("梁文锋毕业于哪所大学？", api_name="/ask")["answer"]
    finally:
        app.close()


def test_queue_is_bounded_and_two_answers_progress_at_once(engine):
    settings = Settings(ui_concurrency=2, ui_queue_size=5)
    # both requests must be inside the engine at the same time to get past the barrier
    gate = threading.Barrier(2, timeout=20)
    app = build_app(GatedEngine(engine, gate), settings)
    assert app._queue.max_size == 5
    url = start(app, settings)
    try:
        client = Client(url, verbose=False)
        started = time.monotonic()
        questions = ["梁文锋毕业于哪所大学？", "DeepSeek训练V3用了多少块H800？"]
        jobs = [client.submit(q, api_name="/ask") for q in questions]
        answers = [job.result(timeout=30) for job in jobs]
        assert "浙江大学" in answers[0]["answer"] and "2048" in answers[1]["answer"]
        assert time.monotonic() - started < 20 and not gate.broken
    finally:
        app.close()


def _serve_process(tmp_path, vectorstore, corpus):
    """``rag ui`` as a user starts it: a real process on a free loopback port."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "VECTORSTORE_DIR": str(vectorstore), "CORPUS_DIR": str(corpus),
           "RAG_UI_HOST": "127.0.0.1", "RAG_UI_PORT": str(port)}
    log = (tmp_path / "ui.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "ui"], stdout=log, stderr=subprocess.STDOUT,
                            env=env, cwd=ROOT, text=True)
    return proc, log, f"http://127.0.0.1:{port}/"


def _wait_until_served(proc, log, url, timeout=240) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if httpx.get(url + "config", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    log.seek(0)
    return log.read()


@pytest.mark.slow
@pytest.mark.parametrize("fresh", [False, True], ids=["built index", "first run"])
def test_rag_ui_starts_and_answers(fresh, private_index, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text("# 校园新闻\n\n梁文锋毕业于浙江大学，后来创办了深度求索。\n", encoding="utf-8")
    vectorstore = tmp_path / "fresh-store" if fresh else private_index
    proc, log, url = _serve_process(tmp_path, vectorstore, corpus)
    try:
        output = _wait_until_served(proc, log, url)
        assert proc.poll() is None, f"`rag ui` exited with {proc.returncode}:\n{output}"
        assert ("Building the index" in output) == fresh, output
        answer = Client(url, verbose=False).predict("梁文锋毕业于哪所大学？", api_name="/ask")["answer"]
        assert "浙江大学" in answer
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_a_failed_warm_up_is_one_line_and_the_chat_still_starts(engine, monkeypatch, capsys):
    from ui.web import _warm_up

    def broken():
        raise OSError("cedict word list unreadable")

    monkeypatch.setattr(engine, "warm_up", broken)
    _warm_up(engine)        # on the chat's background thread: must not raise
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Warm-up skipped (cedict word list unreadable)" in err
    assert not engine.query("梁文锋毕业于哪所大学？").abstained
