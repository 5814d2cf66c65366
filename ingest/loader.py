"""Load stage: files on disk → raw ``Document``s.

Owns: finding supported files, detecting their encoding, and refusing files that
cannot be decoded cleanly (no replacement characters are ever produced).
Does not own: HTML/markdown cleanup or metadata extraction (``ingest.clean``).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes
from langchain_core.documents import Document

from ingest.errors import CorpusNotFoundError, UnreadableFileError, UnsupportedFileError

__all__ = ["SUPPORTED_SUFFIXES", "find_files", "decode_bytes", "load_bytes", "load_file"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm")
# subtle: charset-normalizer alone sometimes calls short GBK text "cp1252"; only the
# encodings Chinese news actually arrives in are candidates.
_CANDIDATES = ["utf_8", "gb18030", "big5", "utf_16"]
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def find_files(path: Path) -> list[Path]:
    """Supported files under ``path`` (a file or a folder), sorted for stable order."""
    if not path.exists():
        raise CorpusNotFoundError(path)
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)


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


def load_bytes(name: str, data: bytes, folder: str = "") -> Document:
    """One raw document from bytes (used for uploads and files alike)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileError(name, SUPPORTED_SUFFIXES)
    text = decode_bytes(name, data)
    return Document(page_content=text, metadata={"source": name, "folder": folder, "format": suffix.lstrip(".")})


def load_file(path: Path) -> Document:
    """One raw document from disk; ``folder`` records where it came from for later syncs."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(path.name, exc.strerror or str(exc)) from None
    return load_bytes(path.name, data, folder=str(path.resolve().parent))
