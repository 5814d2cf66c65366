import pytest
from langchain_core.documents import Document

from ingest import chunk, clean, load_file, prepare, split_sentences


@pytest.fixture(scope="module")
def article(corpus_dir):
    return clean(load_file(corpus_dir / "003_9dad58ff233fdee4.txt"))


def test_chunks_respect_size_and_keep_offsets(article):
    chunks = chunk([article], size=200, overlap=40)
    assert len(chunks) > 5
    for c in chunks:
        assert len(c.page_content) <= 200
        assert article.page_content[c.metadata["start"]:].startswith(c.page_content)
        assert c.metadata["source"] == "003_9dad58ff233fdee4.txt" and c.id == c.metadata["id"]


def test_chunks_end_at_sentence_boundaries(article):
    ends = [c.page_content[-1] for c in chunk([article], size=200, overlap=40)]
    assert sum(e in "。！？”" for e in ends) >= 0.8 * len(ends)


def test_ids_are_deterministic_and_content_derived(article):
    a = [c.id for c in chunk([article])]
    assert a == [c.id for c in chunk([article])]
    edited = Document(page_content=article.page_content.replace("浙江大学", "清华大学"), metadata=article.metadata)
    b = [c.id for c in chunk([edited])]
    assert len(set(a) - set(b)) == 1


def test_prepare_keeps_original_and_indexes_canonical():
    raw = Document(page_content="輝達的顯示卡和軟體。第二句話在這裡。", metadata={"source": "tw.txt", "format": "txt"})
    [c] = prepare(raw)
    assert c.page_content.startswith("英伟达的显卡和软件。")
    assert c.metadata["original"].startswith("輝達的顯示卡和軟體。")
    assert c.metadata["script"] == "zh-Hant"


@pytest.mark.parametrize(
    "text,sentences",
    [
        ("", []),
        ("一句话。第二句！第三句？", ["一句话。", "第二句！", "第三句？"]),
        ("他说：“我们知道。”然后走了。", ["他说：“我们知道。”", "然后走了。"]),
        ("安装 DeepSeek 等中国应用；其他还包括小红书。", ["安装 DeepSeek 等中国应用；其他还包括小红书。"]),
        ("No end punctuation", ["No end punctuation"]),
    ],
)
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences
