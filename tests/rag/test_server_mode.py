"""Server mode: the product over a real ``chroma run`` server on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rag import Engine, Settings, StoreError

ROOT = Path(__file__).resolve().parents[2]
CHROMA = str(Path(sys.executable).with_name("chroma"))
RAG = str(Path(sys.executable).with_name("rag"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([CHROMA, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"})
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "chroma run did not start"
            time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(timeout=30)


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


def test_unreachable_server_is_one_clear_error(tmp_path, embeddings):
    with pytest.raises(StoreError, match="Chroma server at http://127.0.0.1:.*CHROMA_HOST"):
        Engine(_settings(tmp_path, _free_port()), embeddings=embeddings)
