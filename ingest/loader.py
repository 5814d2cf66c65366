"""Load stage: files on disk → raw ``Document``s.

Owns: finding supported files, detecting their encoding, refusing files that cannot be
decoded cleanly (no replacement characters are ever produced) or that are larger than the
per-file limit, and each document's identity: ``doc_id`` (unique: ``file:`` + the absolute
path, or ``upload:`` + the upload's name, so two different files never share one) and
``source``, the label readers see (the path relative to the ingested folder).
``load_documents`` / ``load_path`` give every raw document of any supported file (an
article export yields one per row, see ``ingest.formats``); ``load_bytes`` / ``load_file``
stay for single-document files.
Does not own: HTML/markdown cleanup or metadata extraction (``ingest.clean``), the
PDF/Word/export parsers (``ingest.formats``).
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from charset_normalizer import from_bytes
from langchain_core.documents import Document

from ingest.errors import CorpusNotFoundError, FileTooLargeError, UnreadableFileError, UnsupportedFileError
from ingest.formats import ROW_SUFFIXES, ArticleColumns, Loaded, article_rows, docx_document, pdf_document

__all__ = ["SUPPORTED_SUFFIXES", "find_files", "decode_bytes", "load_bytes", "load_file", "load_documents",
           "load_path", "file_id", "upload_id", "folder_prefix", "label"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx") + ROW_SUFFIXES
_BINARY = {".pdf": pdf_document, ".docx": docx_document}
# subtle: charset-normalizer alone sometimes calls short GBK text "cp1252"; only the
# encodings Chinese news actually arrives in are candidates. Big5 is read as cp950 (what
# Windows and Taiwan sites write): plain big5 lacks 裏 碁 恒 銹 and €, common in Taiwan text.
_CANDIDATES = ["utf_8", "gb18030", "cp950", "utf_16"]
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def find_files(path: Path) -> list[Path]:
    """Supported files under ``path`` (a file or a folder), sorted for stable order."""
    if not path.exists():
        raise CorpusNotFoundError(path)
    if path.is_file():
        return [path]
    # subtle: a broken link is listed too, so the ingest reports it as unreadable instead of skipping it unsaid
    return sorted(p for p in path.rglob("*") if (p.is_file() or p.is_symlink() and not p.exists())
                  and p.suffix.lower() in SUPPORTED_SUFFIXES)


def decode_bytes(name: str, data: bytes) -> str:
    """Decode with BOM → strict UTF-8 → detected CJK encoding; raise if none is clean."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(name, data, encoding)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data, cp_isolation=_CANDIDATES).best()
        if best is None:
            raise UnreadableFileError(name, "not UTF-8, UTF-16, GB18030/GBK or Big5 text") from None
        text = _strict(name, data, best.encoding)
    if "\x00" in text or "\ufffd" in text:
        raise UnreadableFileError(name, "binary data or replacement characters in the text")
    return text


def _strict(name: str, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(name, f"invalid {encoding} bytes at offset {exc.start}") from None


def file_id(path: Path) -> str:
    """The identity of a file on disk: two different files never share one."""
    return "file:" + path.resolve().as_posix()


def upload_id(name: str) -> str:
    """Uploads are their own namespace: an upload never replaces a file ingested from disk."""
    return "upload:" + name


def folder_prefix(folder: Path) -> str:
    """The ``doc_id`` prefix shared by every file below ``folder`` (subfolders included)."""
    return file_id(folder).rstrip("/") + "/"


def load_documents(name: str, data: bytes, doc_id: str | None = None, max_bytes: int | None = None,
                   columns: ArticleColumns | None = None) -> Loaded:
    """Every raw document of one file (uploads and files alike); ``name`` is its label.

    An article export gives one document per row (``doc_id#row``) and reports bad rows in
    ``Loaded.failed``; a file that yields nothing raises a user-facing error.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileError(name, SUPPORTED_SUFFIXES)
    if max_bytes is not None and len(data) > max_bytes:
        raise FileTooLargeError(name, len(data), max_bytes)
    doc_id = doc_id or upload_id(name)
    if suffix in _BINARY:
        return _BINARY[suffix](name, data, doc_id)
    text = decode_bytes(name, data)
    if suffix in ROW_SUFFIXES:
        return article_rows(name, text, doc_id, columns or ArticleColumns())
    return Loaded([Document(page_content=text, metadata={"doc_id": doc_id, "source": name,
                                                         "format": suffix.lstrip(".")})])


def load_bytes(name: str, data: bytes, doc_id: str | None = None, max_bytes: int | None = None) -> Document:
    """One raw document from a single-document file (not an article export)."""
    if Path(name).suffix.lower() in ROW_SUFFIXES:
        raise UnsupportedFileError(name, tuple(s for s in SUPPORTED_SUFFIXES if s not in ROW_SUFFIXES))
    return load_documents(name, data, doc_id, max_bytes).documents[0]


def _read(path: Path, name: str, max_bytes: int | None) -> bytes:
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise FileTooLargeError(name, path.stat().st_size, max_bytes)
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(name, exc.strerror or str(exc)) from None


def load_path(path: Path, root: Path | None = None, max_bytes: int | None = None,
              columns: ArticleColumns | None = None) -> Loaded:
    """Every raw document of one file on disk, labelled by its path relative to ``root``."""
    if path.is_symlink() and not path.exists():
        link = Path(os.path.relpath(path, root)).as_posix() if root else path.name
        raise UnreadableFileError(link, f"a link to {os.readlink(path)}, which does not exist")
    name = label(path, root)
    return load_documents(name, _read(path, name, max_bytes), file_id(path), max_bytes, columns)


def load_file(path: Path, root: Path | None = None, max_bytes: int | None = None) -> Document:
    """One raw document from disk, labelled by its path relative to ``root`` (the ingested folder)."""
    name = label(path, root)
    return load_bytes(name, _read(path, name, max_bytes), doc_id=file_id(path), max_bytes=max_bytes)


def label(path: Path, root: Path | None) -> str:
    """What readers see: the path relative to the ingested folder, or the file name."""
    if root is not None and root.is_dir():
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.name
