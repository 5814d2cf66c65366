import codecs

import pytest

from ingest import find_files, load_bytes, load_file
from ingest.loader import load_path
from ingest.errors import CorpusNotFoundError, UnreadableFileError, UnsupportedFileError

TEXT_HANS = "深度求索的创始人梁文锋毕业于浙江大学，没有海外留学和工作的经历。"
TEXT_HANT = "深度求索的創始人梁文鋒畢業於浙江大學，沒有海外留學和工作的經歷。輝達顯示卡與軟體。"
TEXT_HANT_CP950 = "台北市大安區的社區圍棋班每週六在活動中心裏上課，學費每月€20，教室裏有十二張碁盤，永恒不變。"


@pytest.mark.parametrize(
    "text,data",
    [
        (TEXT_HANS, TEXT_HANS.encode("utf-8")),
        (TEXT_HANS, codecs.BOM_UTF8 + TEXT_HANS.encode("utf-8")),
        (TEXT_HANS, TEXT_HANS.encode("gbk")),
        (TEXT_HANS, TEXT_HANS.encode("gb18030")),
        (TEXT_HANT, TEXT_HANT.encode("big5")),
        # what Windows and Taiwan sites write as "Big5": 裏 碁 恒 and € are not in plain big5
        (TEXT_HANT_CP950, TEXT_HANT_CP950.encode("cp950")),
        (TEXT_HANS, TEXT_HANS.encode("utf-16")),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "big5", "cp950", "utf16"],
)
def test_encodings_are_detected(text, data):
    assert load_bytes("a.txt", data).page_content.lstrip("\ufeff") == text


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, b"\x00\x01\x02binary\x00" * 50, b"\xff\xfe\x00\xd8"])
def test_undecodable_bytes_are_refused_not_replaced(data):
    with pytest.raises(UnreadableFileError) as err:
        load_bytes("bad.txt", data)
    assert "bad.txt" in str(err.value)


@pytest.mark.parametrize("name", ["a.doc", "a.xlsx", "a", ""])
def test_unsupported_types_name_the_allowed_ones(name):
    with pytest.raises(UnsupportedFileError, match=r"\.txt"):
        load_bytes(name, b"hello")


def test_missing_path(tmp_path):
    with pytest.raises(CorpusNotFoundError, match="not found"):
        find_files(tmp_path / "nope")


def test_folder_lists_supported_files_only(tmp_path):
    for name in ["b.txt", "a.md", "c.html", "d.doc", "sub/e.txt"]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in find_files(tmp_path)] == ["a.md", "b.txt", "c.html", "e.txt"]


def test_a_broken_link_is_listed_and_reported_unreadable(tmp_path):
    # it was skipped without a word: the user's file was simply not there
    (tmp_path / "ok.txt").write_text("x", encoding="utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "moved-away.txt")
    (tmp_path / "gone.doc").symlink_to(tmp_path / "elsewhere.doc")
    assert [p.name for p in find_files(tmp_path)] == ["gone.txt", "ok.txt"]
    with pytest.raises(UnreadableFileError, match="gone.txt"):
        load_path(tmp_path / "gone.txt", tmp_path)


def test_loaded_file_records_identity_and_label(corpus_dir):
    doc = load_file(corpus_dir / "000_47c153a9fafeb903.txt")
    assert doc.metadata["source"] == "000_47c153a9fafeb903.txt"
    assert doc.metadata["doc_id"] == "file:" + (corpus_dir / "000_47c153a9fafeb903.txt").resolve().as_posix()


def test_label_is_relative_to_the_ingested_folder(tmp_path):
    from ingest import file_id, folder_prefix

    (tmp_path / "a" / "sub").mkdir(parents=True)
    (tmp_path / "a" / "sub" / "news.txt").write_text("新闻。", encoding="utf-8")
    doc = load_file(tmp_path / "a" / "sub" / "news.txt", root=tmp_path / "a")
    assert doc.metadata["source"] == "sub/news.txt"
    assert doc.metadata["doc_id"].startswith(folder_prefix(tmp_path / "a"))
    assert doc.metadata["doc_id"] == file_id(tmp_path / "a" / "sub" / "news.txt")
    assert not file_id(tmp_path / "a-b" / "x.txt").startswith(folder_prefix(tmp_path / "a"))


@pytest.mark.parametrize("size,limit,ok", [(10, 10, True), (11, 10, False), (0, 10, True)])
def test_size_limit(tmp_path, size, limit, ok):
    from ingest.errors import FileTooLargeError

    (tmp_path / "f.txt").write_bytes(b"a" * size)
    if ok:
        assert load_file(tmp_path / "f.txt", max_bytes=limit).metadata["source"] == "f.txt"
    else:
        with pytest.raises(FileTooLargeError, match="MAX_FILE_MB"):
            load_file(tmp_path / "f.txt", max_bytes=limit)
