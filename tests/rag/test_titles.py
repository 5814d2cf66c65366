"""Titles are searchable: each chunk is matched (dense and BM25) on its article's title too.

A paragraph that says only 他 is still found by its subject's name; the title is never a
chunk, a citation's text or a quoted sentence of its own. Real Chroma in temp dirs, the
real default embedding model.
"""

from __future__ import annotations

import numpy as np
import pytest

from ingest import split_sentences, to_canonical
from ingest.chunk import MIN_CHUNK_CHARS, matched_text
from rag import Engine, Settings

# subtle: the bodies never name their subject, so only the title can tie them to it
LIANG = "他毕业于浙江大学，主修电子信息工程。二〇一五年他与同学创办了幻方量化，后来又创办了深度求索。"
HUANG = "他出生于台南，九岁时随家人移居美国。一九九三年他与两位工程师创办了英伟达，并一直担任首席执行官。"
LIGHTHOUSE = "它建于一九二〇年，塔身高四十二米，是全省最高的一座。每到夜里，它的灯光能照到三十公里外的海面。"
WHALE = "吉祥物是一只鲸鱼。它住在杭州的一个大鱼缸里，每天吃三公斤虾，周末会表演跳水。"


def _engine(path, embeddings, **settings):
    return Engine(Settings(_env_file=None, vectorstore_dir=path, corpus_dir=path, **settings), embeddings=embeddings)


def _corpus(folder, liang_title="梁文锋", liang_body=LIANG):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "liang.md").write_text(f"# {liang_title}\n\n{liang_body}\n" if liang_title else liang_body + "\n",
                                     encoding="utf-8")
    (folder / "huang.md").write_text(f"# 黄仁勋\n\n{HUANG}\n", encoding="utf-8")
    (folder / "whale.txt").write_text(WHALE + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def titled(tmp_path_factory, embeddings):
    root = tmp_path_factory.mktemp("titles")
    engine = _engine(root / "vs", embeddings)
    first = engine.ingest(_corpus(root / "corpus"))
    return engine, root / "corpus", first


def _top_source(hits) -> str:
    return hits[0][0].metadata["source"]


@pytest.mark.parametrize("name", ["梁文锋", "梁文鋒"])
def test_bm25_finds_a_chunk_by_its_title_alone(titled, name):
    engine, _, _ = titled
    hits = engine.lexical.search(to_canonical(name), 5)
    assert hits and _top_source(hits) == "liang.md"
    assert all(h.metadata["source"] == "liang.md" for h, _ in hits)   # the other articles never say it


@pytest.mark.parametrize("question,source,body", [("梁文锋是谁？", "liang.md", LIANG),
                                                  ("黃仁勳的經歷", "huang.md", HUANG)])
def test_dense_search_finds_a_chunk_by_its_title_subject(titled, question, source, body):
    engine, _, _ = titled
    q = engine.embeddings.embed_query(to_canonical(question))
    [(hit, sim)] = engine.store.dense(q, 1)
    assert hit.metadata["source"] == source and hit.page_content == body
    assert sim > float(np.dot(q, engine.embeddings.embed_documents([body])[0]))   # the title is what matched


@pytest.mark.parametrize("question", ["白鹭港灯塔有多高？", "白鷺港燈塔有多高？"])
def test_a_question_naming_only_the_title_gets_the_body_answer_never_the_title(private_index, embeddings, question):
    # subtle: beside the bundled corpus, so the answerer's hubness centroid is a real one
    engine = _engine(private_index, embeddings)
    engine.upload("lighthouse.md", f"# 白鹭港灯塔\n\n{LIGHTHOUSE}\n".encode())
    answer = engine.query(question)
    assert not answer.abstained and "四十二米" in to_canonical(answer.answer)
    assert answer.retrieved[0] == "lighthouse.md"
    for c in answer.citations:
        title = c.title or "\0"
        assert c.text != title and not c.text.startswith(title)
        assert all(title not in h for h in c.highlights)


def test_stored_chunks_are_the_text_alone_and_no_chunk_is_only_a_title(titled):
    engine, _, _ = titled
    for info in engine.documents():
        chunks = engine.store.document_chunks(info.doc_id)
        title = to_canonical(info.title or "")
        for c in chunks:
            assert c.page_content != title and (len(chunks) == 1 or len(c.page_content) >= MIN_CHUNK_CHARS)
            if title:
                assert not c.page_content.startswith(title) and matched_text(c).startswith(title + "\n")
                assert title not in split_sentences(c.page_content)
        # the answerer's sentence vectors are the body's sentences, not the title
        vectors = engine.store.sentence_vectors([c.id for c in chunks])
        assert all(len(vectors[c.id]) == len(split_sentences(c.page_content)) for c in chunks)


def test_reingesting_an_unchanged_corpus_adds_and_removes_nothing(titled):
    engine, folder, first = titled
    again = engine.ingest(folder)
    assert (again.chunks_added, again.removed, again.unchanged) == (0, 0, first.chunks_added)


@pytest.mark.parametrize("before,after", [("梁文锋", "梁文锋（企业家）"), ("", "梁文锋"), ("梁文锋", "")])
def test_a_title_change_re_embeds_that_article_only(tmp_path, embeddings, before, after):
    engine = _engine(tmp_path / "vs", embeddings)
    folder = _corpus(tmp_path / "corpus", liang_title=before)
    first = engine.ingest(folder)
    liang = next(d for d in engine.documents() if d.source == "liang.md")
    old = {c.id: c for c in engine.store.document_chunks(liang.doc_id)}
    _corpus(folder, liang_title=after)
    report = engine.ingest(folder)
    assert (report.chunks_added, report.removed) == (len(old), len(old))
    assert report.unchanged == first.chunks_added - len(old)
    new = engine.store.document_chunks(liang.doc_id)
    assert [c.page_content for c in new] == [c.page_content for c in old.values()]  # same text, new vectors
    assert not set(old) & {c.id for c in new}
    assert (engine.document(liang.doc_id).title or "") == after
    # the retitled chunk is found by the new title's words only
    found = {h.metadata["source"] for h, _ in engine.lexical.search("企业家 梁文锋", 5)}
    assert ("liang.md" in found) == bool(after)


def test_an_untitled_article_is_matched_on_its_text_alone(tmp_path, embeddings):
    engine = _engine(tmp_path / "vs", embeddings)
    engine.ingest(_corpus(tmp_path / "corpus", liang_title=""))
    liang = next(d for d in engine.documents() if d.source == "liang.md")
    [c] = engine.store.document_chunks(liang.doc_id)
    assert matched_text(c) == c.page_content
    [(hit, sim)] = [h for h in engine.store.dense(engine.embeddings.embed_documents([c.page_content])[0], 5)
                    if h[0].id == c.id]
    assert sim > 0.999      # the stored vector is the text's own


def test_late_sentence_vectors_are_pooled_over_the_body_not_the_title(tmp_path, embeddings):
    """With the title before the text, each sentence's span is shifted past the title line."""
    engine = _engine(tmp_path / "vs", embeddings, sentence_vectors="late")
    engine.ingest(_corpus(tmp_path / "corpus"))
    liang = next(d for d in engine.documents() if d.source == "liang.md")
    [c] = engine.store.document_chunks(liang.doc_id)
    late = engine.store.sentence_vectors([c.id])[c.id]
    alone = np.asarray(embeddings.embed_documents(split_sentences(c.page_content)), dtype=np.float32)
    assert late.shape == alone.shape
    assert min(float(a @ b) for a, b in zip(late, alone)) > 0.85
