"""The hybrid retriever against LangChain's standard retriever tests, plus its own ``k`` rules."""

from __future__ import annotations

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from rag.retriever import MAX_K, HybridRetriever


@pytest.fixture(scope="class")
def _engine(request, engine):
    request.cls.engine = engine


@pytest.mark.usefixtures("_engine")
class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    """Invoke, ainvoke, ``k`` in the constructor and per call — as every LangChain retriever."""

    engine = None

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"store": self.engine.store, "lexical": self.engine.lexical}

    @property
    def retriever_query_example(self) -> str:
        return "DeepSeek训练V3用了多少块H800？"


@pytest.mark.parametrize("k", [0, -1, MAX_K + 1, 2.5, "3", True])
def test_out_of_range_k_raises(engine, k):
    retriever = HybridRetriever(store=engine.store, lexical=engine.lexical)
    with pytest.raises(ValueError, match="k must be a whole number"):
        retriever.invoke("DeepSeek", k=k)


@pytest.mark.parametrize("k", [0, MAX_K + 1])
def test_out_of_range_k_in_the_constructor_raises(engine, k):
    with pytest.raises(ValueError):
        HybridRetriever(store=engine.store, lexical=engine.lexical, k=k)


def test_per_call_k_overrides_the_constructor(engine):
    retriever = HybridRetriever(store=engine.store, lexical=engine.lexical, k=5)
    assert len(retriever.invoke("DeepSeek的创始人是谁？", k=2)) == 2
    assert len(retriever.invoke("DeepSeek的创始人是谁？")) == 5
    assert [d.metadata["rank"] for d in retriever.invoke("DeepSeek的创始人是谁？", k=3)] == [0, 1, 2]


def test_wire_copies_do_not_fill_the_passages(tmp_path, embeddings):
    from rag import Engine, Settings

    engine = Engine(Settings(_env_file=None, vectorstore_dir=tmp_path / "vs", corpus_dir=tmp_path / "none"),
                    embeddings=embeddings)
    engine.store.mark_first_build("done")
    story = "男子百米决赛\n\n男子100米决赛将于周六晚上八点在体育场举行，八名选手参赛。".encode()
    for name in ("wire_a.txt", "wire_b.txt", "wire_c.txt"):
        engine.upload(name, story)
    engine.upload("other.txt", "女子跳远\n\n女子跳远决赛将于周日下午举行。".encode())
    docs = engine.retriever.invoke("男子100米决赛什么时候举行？", k=3)
    texts = [d.page_content for d in docs]
    assert len(texts) == len(set(texts)) and any("跳远" in t for t in texts)
