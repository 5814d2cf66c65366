import pytest
from langchain_core.documents import Document

from ingest import chunk, clean, load_file, prepare, split_sentences
from ingest.chunk import MIN_CHUNK_CHARS, matched_text, title_line


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


# -- titles: part of what a chunk is matched on, never a chunk or a sentence of their own ----------
BODY = "他毕业于浙江大学，后来创办了幻方量化和深度求索。" * 14     # > one chunk, never names its subject


def _article(text: str, title: str | None) -> Document:
    return Document(page_content=text, metadata={"doc_id": "file:/x/a.md", "source": "a.md", "title": title})


@pytest.mark.parametrize("title", ["", None, "梁文锋", "DeepSeek横空出世，美中AI竞争会迎来根本性改变吗？"])
@pytest.mark.parametrize("head", ["梁文锋", "生平", "梁文锋（1985年—），广东湛江人"])
def test_a_short_first_line_or_the_title_is_never_a_chunk_of_its_own(title, head):
    text = f"{head}\n\n{BODY}\n\n（完）"
    chunks = chunk([_article(text, title)])
    assert len(chunks) > 1 and chunks[0].page_content.startswith(head)
    for c in chunks:
        assert len(c.page_content) >= MIN_CHUNK_CHARS and c.page_content != (title or "")
        assert text[c.metadata["start"]:].startswith(c.page_content)   # offsets stay exact
    assert chunks[-1].page_content.endswith("（完）")


def test_a_chunk_repeating_the_title_joins_the_next():
    title = "DeepSeek横空出世，美中AI竞争会迎来根本性改变吗"
    chunks = chunk([_article(f"{title}\n\n{BODY}", title)])
    assert all(c.page_content != title for c in chunks) and chunks[0].page_content.startswith(title)


@pytest.mark.parametrize("text", ["梁文锋", "很短的一句。"])
def test_an_article_that_is_only_a_short_line_keeps_it(text):
    [c] = chunk([_article(text, "")])
    assert c.page_content == text


def test_ids_change_with_the_title_and_only_with_content():
    untitled = [c.id for c in chunk([_article(BODY, None)])]
    assert untitled == [c.id for c in chunk([_article(BODY, "")])] == [c.id for c in chunk([_article(BODY, " ")])]
    titled = [c.id for c in chunk([_article(BODY, "梁文锋")])]
    assert titled == [c.id for c in chunk([_article(BODY, "梁文锋")])]
    assert not set(titled) & set(untitled) and not set(titled) & {c.id for c in chunk([_article(BODY, "梁文峰")])}


@pytest.mark.parametrize("raw_title,line", [
    ("", ""), (None, ""), ("梁文锋", "梁文锋\n"), ("梁文鋒", "梁文锋\n"),      # matched in canonical Simplified
    ("他毕业于浙江大学", ""),                                                # the text already starts with it
    ("  梁文锋 \n 简介 ", "梁文锋 简介\n"),                                    # one line, whatever the source had
])
def test_matched_text_is_the_title_line_then_the_chunk(raw_title, line):
    [c] = prepare(Document(page_content="他毕业于浙江大学，后来创办了深度求索。", metadata={
        "source": "a.txt", "format": "txt", "title": raw_title}))
    assert title_line(c) == line and matched_text(c) == line + c.page_content
    assert c.page_content == "他毕业于浙江大学，后来创办了深度求索。"   # shown and quoted: the chunk alone
    assert all(line.strip() not in s for s in split_sentences(c.page_content) if line)
