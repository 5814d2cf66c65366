"""Nothing lost, nothing stalls: interrupted builds, damaged stores, several processes, bad input.

Real Chroma in temp dirs; other processes are real subprocesses running the ``rag`` CLI or
the Python API, as a user's second terminal would.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag import Engine, QuestionError, Settings, StoreBusyError, StoreError

ROOT = Path(__file__).resolve().parents[2]
RAG = str(Path(sys.executable).with_name("rag"))


def _env(vs: Path, corpus: Path | None = None, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHROMA_", "LLM_"))}
    env.update(VECTORSTORE_DIR=str(vs), CORPUS_DIR=str(corpus or vs), HF_HUB_OFFLINE="1",
               ANONYMIZED_TELEMETRY="False", **{k.upper(): str(v) for k, v in extra.items()})
    return env


def _run(args: list, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([RAG, *args], env=env, cwd=ROOT, capture_output=True, timeout=timeout)


def _engine(vs, embeddings, corpus=None, **settings):
    return Engine(Settings(_env_file=None, vectorstore_dir=vs, corpus_dir=corpus or vs, **settings),
                  embeddings=embeddings)


def _catalog_counts(vs: Path) -> tuple[int, int]:
    import sqlite3

    if not (vs / "catalog.sqlite3").exists():
        return 0, 0
    db = sqlite3.connect(vs / "catalog.sqlite3")
    try:
        return (db.execute("SELECT count(*) FROM documents WHERE complete=1").fetchone()[0],
                db.execute("SELECT count(*) FROM chunks").fetchone()[0])
    except sqlite3.OperationalError:
        return 0, 0
    finally:
        db.close()


def _wait_for(predicate, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the other process"
        time.sleep(0.2)


# -- interrupted work is resumed ------------------------------------------------------
@pytest.mark.slow
def test_interrupted_first_build_is_resumed(tmp_path, corpus_dir, embeddings):
    vs = tmp_path / "vs"
    env = _env(vs, corpus_dir, embed_batch=4)
    proc = subprocess.Popen([RAG, "ask", "梁文锋毕业于哪所大学？"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: _catalog_counts(vs)[0] >= 1)      # one article finished, the rest not
    proc.kill()
    proc.wait()
    done, _ = _catalog_counts(vs)
    assert done < 5
    engine = _engine(vs, embeddings, corpus_dir, embed_batch=4)
    assert "浙江大学" in engine.query("梁文锋毕业于哪所大学？").answer
    assert len(engine.documents()) == 5 and all(d.complete for d in engine.documents())
    assert engine.store.vectors.count() == engine.store.catalog.count_chunks()


@pytest.mark.slow
def test_a_reader_during_the_users_first_ingest_never_adds_the_demo_corpus(tmp_path, corpus_dir, embeddings):
    # a second terminal's `rag ask` waited for the user's first ingest, then built the demo corpus into it
    from filelock import FileLock, Timeout

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "big.txt").write_text("".join(f"第{i}段：白鹭港的第{i}号灯塔高{i}米，建于{1900 + i}年。\n\n"
                                          for i in range(300)), encoding="utf-8")
    vs = tmp_path / "vs"
    # subtle: one batch for the whole file, so nothing reaches the catalog for seconds after the lock is taken
    user = subprocess.Popen([RAG, "ingest", str(mine)],
                            env=_env(vs, corpus_dir, chunk_size=80, chunk_overlap=0, embed_batch=4096),
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def writing() -> bool:
        try:
            with FileLock(str(vs / "write.lock"), timeout=0):
                return False
        except Timeout:
            return True
    _wait_for(lambda: vs.exists() and writing())
    reader = _run(["ask", "白鹭港的第7号灯塔有多高？"], _env(vs, corpus_dir))
    out, err = user.communicate(timeout=600)
    assert user.returncode == 0 and reader.returncode == 0, (err[-1500:], reader.stderr[-1500:])
    engine = _engine(vs, embeddings, corpus_dir)
    assert [d.source for d in engine.documents()] == ["big.txt"]   # none of the demo's 00x_….txt
    assert not engine.first_build_pending()


def test_an_ingest_that_stores_nothing_leaves_a_fresh_store_to_the_demo(tmp_path, corpus_dir, embeddings):
    engine = _engine(tmp_path / "vs", embeddings, corpus_dir)
    with pytest.raises(Exception, match="not found"):
        engine.ingest(tmp_path / "nope")
    assert engine.first_build_pending()


@pytest.mark.slow
def test_ctrl_c_during_a_large_file_keeps_a_consistent_store_and_resumes(tmp_path, embeddings):
    corpus = tmp_path / "big"
    corpus.mkdir()
    text = "".join(f"第{i}段：白鹭港的第{i}号灯塔高{i}米，建于{1900 + i}年，由港务局管理。\n\n" for i in range(400))
    (corpus / "big.txt").write_text(text, encoding="utf-8")
    vs = tmp_path / "vs"
    env = _env(vs, corpus, embed_batch=8, chunk_size=80, chunk_overlap=0)
    # subtle: a test run started in the background (`make test &`, CI wrappers) inherits SIGINT
    # ignored, and Python then installs no Ctrl-C handler in the child: give it a terminal's default.
    proc = subprocess.Popen([RAG, "ingest", str(corpus)], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    _wait_for(lambda: _catalog_counts(vs)[1] >= 16)     # two batches stored
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and b"run the same command again to resume" in err, (proc.returncode, out, err[-2000:])
    engine = _engine(vs, embeddings, corpus, embed_batch=8, chunk_size=80, chunk_overlap=0)
    stored = engine.store.catalog.count_chunks()
    assert 16 <= stored and engine.store.vectors.count() == stored
    assert [d.complete for d in engine.documents()] == [False]
    report = engine.ingest(corpus)
    assert report.unchanged == stored and report.chunks_added > 0
    assert [d.complete for d in engine.documents()] == [True]
    assert engine.store.vectors.count() == engine.store.catalog.count_chunks() == report.unchanged + report.chunks_added


@pytest.mark.parametrize("batches_committed", [0, 2])
def test_a_stop_between_the_vector_write_and_its_catalog_commit_is_cleaned_on_reopen(
        tmp_path, embeddings, monkeypatch, batches_committed):
    """The window Ctrl-C sometimes hits: a batch's vectors are in Chroma, its catalog rows are not."""
    from rag.index.catalog import Catalog

    corpus = tmp_path / "big"
    corpus.mkdir()
    (corpus / "big.txt").write_text("".join(f"第{i}段：白鹭港的第{i}号灯塔高{i}米，建于{1900 + i}年，由港务局管理。\n\n"
                                            for i in range(40)), encoding="utf-8")
    vs, real_write, calls = tmp_path / "vs", Catalog.write, []

    def write_then_stop(self, rows=(), *args, **kwargs):
        if rows:
            calls.append(len(rows))
            if len(calls) > batches_committed:
                raise KeyboardInterrupt
        return real_write(self, rows, *args, **kwargs)

    settings = dict(embed_batch=8, chunk_size=80, chunk_overlap=0)
    monkeypatch.setattr(Catalog, "write", write_then_stop)
    with pytest.raises(KeyboardInterrupt):
        _engine(vs, embeddings, corpus, **settings).ingest(corpus)
    monkeypatch.setattr(Catalog, "write", real_write)
    engine = _engine(vs, embeddings, corpus, **settings)     # was "damaged" with 0 committed
    assert engine.store.vectors.count() == engine.store.catalog.count_chunks() == 8 * batches_committed
    report = engine.ingest(corpus)
    assert report.unchanged == 8 * batches_committed and [d.complete for d in engine.documents()] == [True]
    assert engine.store.vectors.count() == engine.store.catalog.count_chunks() == report.unchanged + report.chunks_added


# -- damaged or unusable stores ---------------------------------------------------------
def test_empty_chroma_file_is_reported_not_replaced_by_the_demo_corpus(private_index, embeddings, corpus_dir):
    (private_index / "chroma.sqlite3").write_bytes(b"")
    with pytest.raises(StoreError, match="damaged.*rag ingest --rebuild"):
        _engine(private_index, embeddings, corpus_dir)
    assert (private_index / "chroma.sqlite3").stat().st_size == 0    # nothing was rebuilt behind the user's back


@pytest.mark.parametrize("damage", [b"", b"this is not a database" * 100])
def test_damaged_catalog_is_reported(private_index, embeddings, damage):
    (private_index / "catalog.sqlite3").write_bytes(damage)
    for suffix in ("-wal", "-shm"):
        (private_index / f"catalog.sqlite3{suffix}").unlink(missing_ok=True)
    with pytest.raises(StoreError, match="damaged|older version"):
        _engine(private_index, embeddings).query("DeepSeek是什么？")


def test_vectors_lost_behind_the_catalog_is_reported(private_index, embeddings, tmp_path):
    for path in private_index.iterdir():
        if path.name != "catalog.sqlite3" and not path.name.startswith("catalog.sqlite3-"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    with pytest.raises(StoreError, match="damaged.*vector store"):
        _engine(private_index, embeddings)


@pytest.mark.parametrize("make", ["file", "parent_file", "uncreatable"])
def test_unusable_vectorstore_dir_is_one_cli_line(tmp_path, make):
    if make == "file":
        vs = tmp_path / "vs"
        vs.write_text("x")
    elif make == "parent_file":
        (tmp_path / "p").write_text("x")
        vs = tmp_path / "p" / "vs"
    else:
        vs = Path("/proc/corpus-qa-cannot-exist/vs")
    result = _run(["ingest", str(ROOT / "data" / "corpus")], _env(vs))
    err = result.stderr.decode()
    assert result.returncode == 1 and err.startswith("error: VECTORSTORE_DIR") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_read_only_store_still_answers(built_index, tmp_path):
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is needed to mount a folder read-only")
    vs = tmp_path / "ro"
    shutil.copytree(built_index, vs)
    env = _env(vs, ROOT / "data" / "corpus")
    script = (f"mount --bind {vs} {vs} && mount -o remount,bind,ro {vs} && "
              f"{RAG} ask 梁文锋毕业于哪所大学？ ; {RAG} ingest {ROOT / 'data' / 'corpus'}")
    result = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                            env=env, cwd=ROOT, capture_output=True, timeout=600)
    out, err = result.stdout.decode(), result.stderr.decode()
    assert "浙江大学" in out, err
    assert "read-only" in err and "Traceback" not in err


def test_a_store_made_read_only_by_chmod_is_answered_from_a_writable_copy(built_index, tmp_path, embeddings,
                                                                          monkeypatch):
    # `chmod -R a-w` kept the mode bits in the copy, and SQLite refused the catalog as "damaged"
    import rag.index.store as store_module

    vs = tmp_path / "ro"
    shutil.copytree(built_index, vs)
    for p in [*vs.rglob("*"), vs]:
        p.chmod(p.stat().st_mode & ~0o222)
    # subtle: the tests run as root, whom os.access lets write anything: say read-only as a user's check would
    monkeypatch.setattr(store_module, "_prepare_dir", lambda path, target: True)
    try:
        engine = _engine(vs, embeddings)
        copy = Path(engine.store._scratch.name) / "index"
        assert all(p.stat().st_mode & 0o200 for p in [copy, *copy.rglob("*")])
        assert "浙江大学" in engine.query("梁文锋毕业于哪所大学？").answer
    finally:
        for p in [vs, *vs.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)


# -- several processes ------------------------------------------------------------------
@pytest.mark.slow
def test_a_running_engine_sees_another_processes_ingest_rebuild_and_delete(private_index, embeddings, corpus_dir,
                                                                           tmp_path):
    engine = _engine(private_index, embeddings, corpus_dir)
    assert "四十二米" not in engine.query("白鹭港的灯塔有多高？").answer
    note = tmp_path / "notes" / "harbour.txt"
    note.parent.mkdir()
    shutil.copy(corpus_dir / "003_9dad58ff233fdee4.txt", note.parent)  # subtle: a one-article corpus is its own centroid
    note.write_text("白鹭港简介\n\n白鹭港的灯塔建于一九二三年，高四十二米，是港口的地标。", encoding="utf-8")
    assert _run(["ingest", str(note.parent)], _env(private_index, corpus_dir)).returncode == 0
    assert "四十二米" in engine.query("白鹭港的灯塔有多高？").answer           # seen by the next question
    assert "harbour.txt" in {d.source for d in engine.documents()}
    rebuilt = _run(["ingest", "--rebuild", str(note.parent)], _env(private_index, corpus_dir))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert [d.source for d in engine.documents()] == ["003_9dad58ff233fdee4.txt", "harbour.txt"]
    assert "四十二米" in engine.query("白鹭港的灯塔有多高？").answer           # no restart needed after --rebuild
    deleter = "import rag; e = rag.get_engine(); print(e.delete(e.documents()[1].doc_id))"
    subprocess.run([sys.executable, "-c", deleter], env=_env(private_index, corpus_dir), cwd=ROOT, check=True,
                   timeout=300)
    assert len(engine.documents()) == 1 and "四十二米" not in engine.query("白鹭港的灯塔有多高？").answer


def test_two_writers_exclude_each_other_with_a_clear_message(private_index, embeddings, corpus_dir):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, filelock; l = filelock.FileLock(sys.argv[1]); l.acquire(); "
                               "print('held', flush=True); time.sleep(60)", str(private_index / "write.lock")],
        stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"held"
        engine = _engine(private_index, embeddings, corpus_dir)
        with pytest.raises(StoreBusyError, match="Another ingest is running"):
            engine.ingest(corpus_dir)
        with pytest.raises(StoreBusyError):
            engine.upload("note.txt", "白鹭港的灯塔高四十二米。".encode())
        assert len(engine.documents()) == 5                        # nothing was changed
        assert not engine.query("梁文锋毕业于哪所大学？").abstained  # readers are not blocked
    finally:
        holder.kill()
        holder.wait()


# -- questions and files the user gets wrong ------------------------------------------------
@pytest.mark.parametrize("question", ["", "   ", "x" * 501])
def test_cli_refuses_a_bad_question_before_opening_anything(tmp_path, question):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")  # opening the store would fail with another message
    result = _run(["ask", question], _env(blocker))
    err = result.stderr.decode()
    assert result.returncode == 1 and err.startswith("error: ") and "The question" in err
    assert "VECTORSTORE_DIR" not in err and len(err.strip().splitlines()) == 1


def test_cli_argument_that_is_not_utf8(tmp_path):
    result = subprocess.run([RAG.encode(), b"ask", b"\xff\xfe\xb0\xa1"], env=_env(tmp_path / "vs"), cwd=ROOT,
                            capture_output=True, timeout=120)
    assert result.returncode == 1 and b"not valid UTF-8" in result.stderr and b"Traceback" not in result.stderr


@pytest.mark.parametrize("kwargs,match", [
    (dict(question="DeepSeek\ud800是什么"), "not valid UTF-8"),
    (dict(question=42), "must be text"),
    (dict(question="它是谁？", history=["DeepSeek是什么？", 3]), r"history\[1\]"),
    (dict(question="它是谁？", history="DeepSeek是什么？"), "list of earlier questions"),
])
def test_bad_question_or_history_is_a_clear_error(engine, kwargs, match):
    with pytest.raises(QuestionError, match=match):
        engine.query(**kwargs)


@pytest.mark.parametrize("question", ["？？？！！", "😀🔥👍", "\u200b\u200b\u200b", "…… —— 。。"])
def test_questions_without_content_abstain(engine, question):
    ans = engine.query(question)
    assert ans.abstained and ans.citations == []
    if any(c in question for c in "？。"):
        assert ans.script == "zh-Hans" and "语料" in ans.answer


def test_file_over_the_size_limit_is_reported_and_the_rest_kept(tmp_path, embeddings):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "big.txt").write_text("鲸" * 300_000, encoding="utf-8")   # ~0.9 MB
    (corpus / "ok.txt").write_text("白鹭港的灯塔建于一九二三年，高四十二米。", encoding="utf-8")
    engine = _engine(tmp_path / "vs", embeddings, corpus, max_file_mb=0.5)
    report = engine.ingest(corpus)
    assert report.sources == ["ok.txt"] and report.failed[0][0] == "big.txt"
    assert "MAX_FILE_MB" in report.failed[0][1]


def test_one_bad_date_does_not_abort_the_ingest(tmp_path, embeddings):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a_bad_date.html").write_text(
        "<html><body><i>Sat, 31 Feb 2025 10:00:00 GMT</i><p>白鹭港的灯塔建于一九二三年，高四十二米。</p></body></html>",
        encoding="utf-8")
    (corpus / "b_ok.txt").write_text("海豚每天吃五公斤鱼，住在杭州的大鱼缸里。", encoding="utf-8")
    engine = _engine(tmp_path / "vs", embeddings, corpus)
    report = engine.ingest(corpus)
    assert sorted(report.sources) == ["a_bad_date.html", "b_ok.txt"] and report.failed == []
    assert {d.source: d.published for d in engine.documents()}["a_bad_date.html"] is None


@pytest.mark.parametrize("case", ["missing", "empty folder", "only unreadable files"])
def test_rebuild_with_nothing_to_read_keeps_the_index(private_index, embeddings, corpus_dir, tmp_path, case):
    # --rebuild used to reset the store first: each of these emptied it, then said "Nothing was changed"
    engine = _engine(private_index, embeddings, corpus_dir)
    before = _catalog_counts(private_index)
    path = tmp_path / "input"
    if case != "missing":
        path.mkdir()
    if case == "only unreadable files":
        (path / "binary.txt").write_bytes(bytes(range(256)) * 8)
        (path / "blank.txt").write_text("   \n\n", encoding="utf-8")
    with pytest.raises(Exception, match="not found|No .* files|could be ingested"):
        engine.ingest(path, rebuild=True)
    assert _catalog_counts(private_index) == before and before[0] == 5
    assert not engine.query("DeepSeek训练V3用了多少块H800？").abstained
