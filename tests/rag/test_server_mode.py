"""Server mode: the product over a real ``chroma run`` server on a free loopback port."""

from __future__ import annotations

import http.server
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from rag import Engine, Settings, StoreError

ROOT = Path(__file__).resolve().parents[2]
CHROMA = str(Path(sys.executable).with_name("chroma"))
RAG = str(Path(sys.executable).with_name("rag"))
QUESTION = "梁文锋毕业于哪所大学？"
HARBOUR = "白鹭港的灯塔建于一九二三年，高四十二米，是港口的地标。".encode()
# one line, the cause without doubled punctuation, then the fix
UNREACHABLE = re.compile(r"Cannot reach the Chroma server at http://127\.0\.0\.1:\d+: [^\n]*[^.?!]\. Start it "
                         r"\(`chroma run --path DIR --port PORT`\) or check CHROMA_HOST/CHROMA_PORT\.")
RESUME = "What was stored is kept (a document cut short is listed as incomplete): run the same ingest"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """``chroma run`` on a loopback port, over one data folder; it can be stopped and started again."""

    def __init__(self, data: Path) -> None:
        self.port, self.data = _free_port(), data
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen([CHROMA, "run", "--path", str(self.data), "--host", "127.0.0.1",
                                      "--port", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"})
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1)
                return
            except OSError:
                assert self.proc.poll() is None and time.monotonic() < deadline, "chroma run did not start"
                time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    yield server.port
    server.stop()


@pytest.fixture
def stoppable_server(tmp_path):
    """A server of the test's own, to stop mid-test."""
    server = ChromaServer(tmp_path / "chroma")
    yield server
    server.stop()


def _settings(tmp_path, port, **extra) -> Settings:
    return Settings(_env_file=None, vectorstore_dir=tmp_path / "data", corpus_dir=tmp_path / "corpus",
                    chroma_host="127.0.0.1", chroma_port=port, collection=f"srv-{tmp_path.name[-20:]}", **extra)


@pytest.mark.slow
def test_ingest_ask_upload_delete_through_a_server(tmp_path, chroma_server, corpus_dir, embeddings):
    (tmp_path / "corpus").mkdir()
    for name in ["003_9dad58ff233fdee4.txt", "004_2506fd8a5bd187dc.txt"]:
        (tmp_path / "corpus" / name).write_bytes((corpus_dir / name).read_bytes())
    settings = _settings(tmp_path, chroma_server)
    engine = Engine(settings, embeddings=embeddings)
    assert not list((tmp_path / "data").glob("chroma.sqlite3"))          # no embedded store was made
    ans = engine.query("梁文锋毕业于哪所大学？")                          # first use builds through the server
    assert "浙江大学" in ans.answer and ans.citations[0].source == "003_9dad58ff233fdee4.txt"
    engine.upload("harbour.txt", "白鹭港的灯塔建于一九二三年，高四十二米，是港口的地标。".encode())
    assert "四十二米" in engine.query("白鹭港的灯塔有多高？").answer

    env = {"VECTORSTORE_DIR": str(tmp_path / "data"), "CORPUS_DIR": str(tmp_path / "corpus"),
           "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_server), "COLLECTION": settings.collection,
           "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin",
           # subtle: the other process must run the tree under test, not the one the editable install names
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    other = tmp_path / "other"
    other.mkdir()
    (other / "dolphin.txt").write_text("海豚馆的海豚每天吃五公斤鱼。", encoding="utf-8")
    done = subprocess.run([RAG, "ingest", str(other)], env=env, cwd=ROOT, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "五公斤" in engine.query("海豚每天吃多少鱼？").answer           # another process's ingest, next question

    harbour = next(d.doc_id for d in engine.documents() if d.source == "harbour.txt")
    assert engine.delete(harbour) == 1
    assert "四十二米" not in engine.query("白鹭港的灯塔有多高？").answer
    assert engine.store.vectors.count() == engine.store.catalog.count_chunks()


class _WebPage(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:           # noqa: N802 - http.server's name
        self.send_error(404)            # an HTML page, as any web server's

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def not_chroma(request):
    """A loopback port where no Chroma server answers: nothing listens, a listener hangs up, or a web server."""
    if request.param == "nothing":
        yield _free_port()
        return
    if request.param == "web page":
        web = http.server.HTTPServer(("127.0.0.1", 0), _WebPage)
        threading.Thread(target=web.serve_forever, daemon=True).start()
        yield web.server_address[1]
        web.shutdown()
        web.server_close()
        return
    listener = socket.create_server(("127.0.0.1", 0))

    def hang_up() -> None:
        try:
            while True:
                with listener.accept()[0] as conn:
                    conn.recv(65536)    # subtle: closed with the request unread, the peer sees a reset instead
        except OSError:                 # the listener was closed
            pass
    threading.Thread(target=hang_up, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


@pytest.mark.parametrize("not_chroma, cause", [
    ("nothing", "Connection refused"),
    ("hangs up", "Server disconnected without sending a response"),
    ("web page", "it answered, but not as a Chroma server (HTTP 404)"),
], indirect=["not_chroma"])
def test_unreachable_server_is_one_clear_error(tmp_path, embeddings, not_chroma, cause):
    with pytest.raises(StoreError) as caught:
        Engine(_settings(tmp_path, not_chroma), embeddings=embeddings)
    message = str(caught.value)
    assert UNREACHABLE.match(message) and f"{cause}. Start it" in message, message



@pytest.mark.slow
def test_a_running_engine_reports_a_stopped_server_as_one_store_error_and_recovers(
        tmp_path, stoppable_server, corpus_dir, embeddings):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "003.txt").write_bytes((corpus_dir / "003_9dad58ff233fdee4.txt").read_bytes())
    other = tmp_path / "other"
    other.mkdir()
    for name, text in [("dolphin.txt", "海豚馆的海豚每天吃五公斤鱼。"), ("otter.txt", "水獭馆的水獭每天吃两公斤虾。")]:
        (other / name).write_text(text, encoding="utf-8")
    # subtle: one chunk per batch, so each file's write meets the outage inside ingest_path's per-file loop
    engine = Engine(_settings(tmp_path, stoppable_server.port, embed_batch=1), embeddings=embeddings)
    assert "浙江大学" in engine.query(QUESTION).answer
    doc_id = engine.documents()[0].doc_id
    stoppable_server.stop()
    reads = {"query": lambda: engine.query(QUESTION), "stream": lambda: list(engine.stream(QUESTION))}
    writes = {"upload": lambda: engine.upload("harbour.txt", HARBOUR), "delete": lambda: engine.delete(doc_id),
              "ingest": lambda: engine.ingest(other)}
    for name, call in {**reads, **writes}.items():
        with pytest.raises(StoreError) as caught:
            call()
        message = str(caught.value)
        assert UNREACHABLE.match(message) and "\n" not in message, (name, message)
        assert (RESUME in message) == (name in writes), (name, message)
    assert [(d.source, d.complete) for d in engine.documents() if d.source == "harbour.txt"] == [("harbour.txt", False)]

    stoppable_server.start()                                  # the same engine, no restart
    assert "浙江大学" in engine.query(QUESTION).answer          # the delete changed nothing
    assert engine.upload("harbour.txt", HARBOUR).chunks_added == 1
    assert "四十二米" in engine.query("白鹭港的灯塔有多高？").answer
    assert engine.ingest(other).chunks_added == 2
    assert "五公斤" in engine.query("海豚每天吃多少鱼？").answer
    assert all(d.complete for d in engine.documents())


@pytest.mark.slow
def test_an_ingest_cut_short_by_the_server_keeps_what_it_stored_and_resumes(
        tmp_path, stoppable_server, corpus_dir, embeddings):
    folder = tmp_path / "mine"
    folder.mkdir()
    for name in ["003_9dad58ff233fdee4.txt", "004_2506fd8a5bd187dc.txt"]:
        (folder / name).write_bytes((corpus_dir / name).read_bytes())
    engine = Engine(_settings(tmp_path, stoppable_server.port, embed_batch=4), embeddings=embeddings)
    stored: list[int] = []

    def stop_after_the_first_batch(name: str, done: int, total: int) -> None:
        if not stored:
            stored.append(done)
            stoppable_server.stop()
    with pytest.raises(StoreError, match=re.escape(RESUME)):
        engine.ingest(folder, chunk_progress=stop_after_the_first_batch)
    stoppable_server.start()
    report = engine.ingest(folder)
    assert stored == [4] and report.unchanged == 4 and report.chunks_added > 0    # resumed, not redone
    assert "浙江大学" in engine.query(QUESTION).answer
    assert engine.store.vectors.count() == engine.store.catalog.count_chunks()


@pytest.mark.slow
def test_a_server_that_stops_answering_is_reported_after_the_timeout_not_waited_for(
        tmp_path, stoppable_server, corpus_dir, embeddings):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "003.txt").write_bytes((corpus_dir / "003_9dad58ff233fdee4.txt").read_bytes())
    settings = _settings(tmp_path, stoppable_server.port, chroma_timeout=1)
    engine = Engine(settings, embeddings=embeddings)
    assert "浙江大学" in engine.query(QUESTION).answer
    # subtle: a stopped process still accepts connections (the kernel's backlog) but never answers
    stoppable_server.proc.send_signal(signal.SIGSTOP)
    try:
        for name, call in [("query", lambda: engine.query(QUESTION)),
                           ("upload", lambda: engine.upload("harbour.txt", HARBOUR)),
                           ("open", lambda: Engine(settings, embeddings=embeddings))]:
            started = time.monotonic()
            with pytest.raises(StoreError) as caught:
                call()
            message = str(caught.value)
            assert UNREACHABLE.match(message) and "did not answer in time (CHROMA_TIMEOUT)" in message, (name, message)
            assert time.monotonic() - started < 30, name          # bounded, not the 60 s default
    finally:
        stoppable_server.proc.send_signal(signal.SIGCONT)
    assert "浙江大学" in engine.query(QUESTION).answer              # the same engine, once it answers again
