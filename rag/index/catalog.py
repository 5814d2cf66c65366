"""Catalog: the SQLite file beside the vectors — documents, chunk texts, BM25, sentence vectors.

Owns: one SQLite database (``catalog.sqlite3`` in the data dir) holding
- ``documents``: every indexed document (label, title, date, url, chunk count, whether its
  last write finished) — the library list, paged and searchable at any size;
- ``chunks``: each chunk's canonical text, metadata and its sentences' vectors (float16);
- ``chunks_fts``: an FTS5 index over pre-tokenised (jieba) chunk text with its article's
  title (what the store passes as ``ChunkRow.tokens``), so BM25 is
  persisted and updated per change — never rebuilt, never loaded whole into memory;
- ``pinyin``: romanisation → corpus word, grown as words arrive (English name lookup);
- ``meta``: the embedding model, the running sum of sentence vectors (hubness
  centroid), whether the first build finished, and an epoch bumped by every reset.
Several processes may open the same file: SQLite serialises writers, and
``changed()`` (``PRAGMA data_version``) tells a reader cheaply that another connection
committed something.
Does not own: vectors of chunks (``rag.index.vectors``), tokenising (``rag.index.lexical``),
the order of writes across both stores (``rag.index.store``).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.documents import Document

from ingest.script import to_canonical
from rag.types import DocumentInfo, document_key

__all__ = ["Catalog", "DocumentInfo", "ChunkRow"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value);
CREATE TABLE IF NOT EXISTS documents(
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT, published TEXT, url TEXT,
    chunks INTEGER NOT NULL DEFAULT 0, added_at TEXT NOT NULL, complete INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE INDEX IF NOT EXISTS documents_incomplete ON documents(doc_id) WHERE complete=0;
CREATE TABLE IF NOT EXISTS chunks(
    id INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
    text TEXT NOT NULL, meta TEXT NOT NULL, sentences BLOB);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(tokens, tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TABLE IF NOT EXISTS pinyin(key TEXT PRIMARY KEY, word TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pinyin_word ON pinyin(word);
"""
_IN_PAGE = 500   # ids per ``IN (...)`` read: well under SQLite's bound-variable limit at any k
# subtle: titles and labels are stored as written, so a 繁體 search must meet a 简体 title on their
# canonical forms; the raw forms are compared too, because a phrase conversion (軟體→软件) can
# break a substring (體) that the text as written does contain.
_MATCHES = ("(?1='' OR source LIKE ?2 ESCAPE '\\' OR title LIKE ?2 ESCAPE '\\' "
            "OR canonical(source) LIKE ?3 ESCAPE '\\' OR canonical(title) LIKE ?3 ESCAPE '\\' "
            "OR published LIKE ?4 ESCAPE '\\')")


# the library's sort orders; undated documents after dated ones
ORDERS = {"source": "source, doc_id", "published": "published IS NULL, published DESC, source, doc_id",
          "added": "added_at DESC, source, doc_id"}


def _escape_like(text: str) -> str:
    """``text`` matched literally by ``LIKE … ESCAPE '\\'`` (a typed ``%`` or ``_`` is no wildcard)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _match_args(search: str) -> tuple[str, str, str, str]:
    # a date is searched as the start of the published date: 2020-10, 2020/10 and 2020.10 find 2020-10-02
    day = re.sub(r"(?<=\d)[/.](?=\d)", "-", search.strip())
    return search, f"%{_escape_like(search)}%", f"%{_escape_like(_canonical(search))}%", f"{_escape_like(day)}%"


@lru_cache(maxsize=65536)
def _canonical(text: str | None) -> str | None:
    # subtle: cached because every search converts every title and label (~7 ms per 1,000 uncached)
    return None if text is None else to_canonical(text)


@dataclass
class ChunkRow:
    doc: Document
    tokens: list[str]
    sentences: np.ndarray       # (n_sentences, dim), aligned with split_sentences(doc.page_content)


class Catalog:
    """Thread-safe: one connection, one lock (every statement here takes milliseconds)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self._lock = threading.RLock()
        self._dim = 0
        # subtle: WAL lets readers in other processes go on while an ingest writes. synchronous=NORMAL
        # skips the fsync per commit (WAL stays consistent; only a power cut can lose the last
        # commits, and the catalog is the commit point: such documents are simply ingested again).
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.create_function("canonical", 1, _canonical, deterministic=True)
        self._db.execute("SELECT count(*) FROM documents").fetchone()  # fails here on a damaged file
        self._add_keys()
        self._data_version = self._version()

    def _add_keys(self) -> None:
        """``documents.doc_key`` for stores written before it existed (or by such a version since)."""
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(documents)")}
        if "doc_key" in columns and not self._db.execute(
                "SELECT 1 FROM documents WHERE doc_key IS NULL LIMIT 1").fetchone():
            return  # subtle: no write lock on open when nothing is missing (another process may be ingesting)
        with self.transaction() as db:
            if "doc_key" not in {r[1] for r in db.execute("PRAGMA table_info(documents)")}:
                db.execute("ALTER TABLE documents ADD COLUMN doc_key TEXT")
            db.execute("CREATE INDEX IF NOT EXISTS documents_key ON documents(doc_key)")
            missing = [r[0] for r in db.execute("SELECT doc_id FROM documents WHERE doc_key IS NULL")]
            db.executemany("UPDATE documents SET doc_key=? WHERE doc_id=?",
                           [(document_key(d), d) for d in missing])

    def close(self) -> None:
        self._db.close()

    # -- change detection ----------------------------------------------------------
    def _version(self) -> int:
        return self._db.execute("PRAGMA data_version").fetchone()[0]

    def changed(self) -> bool:
        """Whether another connection committed since the last call (microseconds)."""
        with self._lock:
            now = self._version()
            changed, self._data_version = now != self._data_version, now
            return changed

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- meta ----------------------------------------------------------------------
    def get(self, key: str, default=None):
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return default if row is None else row[0]

    def set(self, key: str, value, db: sqlite3.Connection | None = None) -> None:
        self._dim = 0 if key == "dim" else self._dim
        with self._lock:
            (db or self._db).execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def unset_prefixed(self, prefix: str) -> list[str]:
        """Delete the meta keys starting with ``prefix``; returns them."""
        with self.transaction() as db:
            keys = [r[0] for r in db.execute("SELECT key FROM meta WHERE substr(key, 1, ?) = ?", (len(prefix), prefix))]
            db.executemany("DELETE FROM meta WHERE key=?", [(k,) for k in keys])
        return keys

    def set_if_absent(self, key: str, value) -> None:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def centroid(self) -> np.ndarray | None:
        """Unit mean of every stored sentence vector, kept as a running sum."""
        total = self.get("sentence_sum")
        if total is None:
            return None
        v = np.frombuffer(total, dtype=np.float64)
        norm = np.linalg.norm(v)
        return (v / norm).astype(np.float32) if norm else None

    def _add_to_centroid(self, db: sqlite3.Connection, delta: np.ndarray) -> None:
        total = self.get("sentence_sum")
        current = np.frombuffer(total, dtype=np.float64) if total is not None else np.zeros(len(delta))
        self.set("sentence_sum", (current + delta).tobytes(), db)

    # -- documents -----------------------------------------------------------------
    def start_documents(self, metas: list[dict]) -> None:
        """Mark each ``meta["doc_id"]`` as being written; ``complete`` stays 0 until it is finished.

        subtle: ``added_at`` is when its current text was written: a replaced upload showed the
        first upload's time (unchanged documents are never written again, so they keep theirs)."""
        if not metas:
            return
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO documents(doc_id, source, title, published, url, added_at, complete, doc_key) "
                "VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT(doc_id) DO UPDATE SET source=excluded.source, "
                "title=excluded.title, published=excluded.published, url=excluded.url, added_at=excluded.added_at, "
                "complete=0, doc_key=excluded.doc_key",
                [(m["doc_id"], m["source"], m.get("title"), m.get("published"), m.get("url"), now,
                  document_key(m["doc_id"])) for m in metas])

    @staticmethod
    def _finish(db: sqlite3.Connection, doc_id: str) -> None:
        n = db.execute("SELECT count(*) FROM chunks WHERE doc_id=?", (doc_id,)).fetchone()[0]
        if n:
            db.execute("UPDATE documents SET chunks=?, complete=1 WHERE doc_id=?", (n, doc_id))
        else:
            db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))

    def documents(self, search: str = "", offset: int = 0, limit: int | None = None,
                  order: str = "source") -> list[DocumentInfo]:
        """Indexed documents in ``order`` (``ORDERS``: by label, newest published, newest added);
        ``search`` matches label or title (case- and script-insensitive) or the start of the
        published date (2020-10)."""
        sql = ("SELECT doc_id, source, title, published, url, chunks, added_at, complete FROM documents "
               f"WHERE {_MATCHES} ORDER BY {ORDERS[order]} LIMIT ? OFFSET ?")  # noqa: S608 - fixed texts
        with self._lock:
            rows = self._db.execute(sql, (*_match_args(search), -1 if limit is None else limit, offset)).fetchall()
        return [DocumentInfo(*r[:7], complete=bool(r[7])) for r in rows]

    def document(self, doc_id: str) -> DocumentInfo | None:
        with self._lock:
            r = self._db.execute("SELECT doc_id, source, title, published, url, chunks, added_at, complete "
                                 "FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return DocumentInfo(*r[:7], complete=bool(r[7])) if r else None

    def label_taken(self, source: str, doc_id: str) -> bool:
        """Whether another document is already shown as ``source``."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM documents WHERE source=? AND doc_id!=? LIMIT 1",
                                    (source, doc_id)).fetchone() is not None

    def doc_id(self, key: str) -> str | None:
        """The ``doc_id`` whose ``document_key`` is ``key``, if it is indexed."""
        with self._lock:
            r = self._db.execute("SELECT doc_id FROM documents WHERE doc_key=?", (key,)).fetchone()
        return r[0] if r else None

    def count_documents(self, search: str = "") -> int:
        """How many documents ``documents(search)`` lists."""
        with self._lock:
            return self._db.execute(f"SELECT count(*) FROM documents WHERE {_MATCHES}",  # noqa: S608 - fixed text
                                    _match_args(search)).fetchone()[0]

    def doc_ids_under(self, prefix: str, limit: int = -1) -> set[str]:
        """Identities starting with ``prefix`` (every file below an ingested folder; ``limit``: at most)."""
        with self._lock:
            rows = self._db.execute("SELECT doc_id FROM documents WHERE doc_id LIKE ? ESCAPE '\\' LIMIT ?",
                                    (_escape_like(prefix) + "%", limit)).fetchall()
        return {r[0] for r in rows}

    def incomplete(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT doc_id FROM documents WHERE complete=0")]

    # -- chunks --------------------------------------------------------------------
    def chunk_ids(self, doc_id: str) -> set[str]:
        with self._lock:
            return {r[0] for r in self._db.execute("SELECT chunk_id FROM chunks WHERE doc_id=?", (doc_id,))}

    def chunk_ids_all(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._db.execute("SELECT chunk_id FROM chunks")}

    def count_chunks(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def write(self, rows: list[ChunkRow] = (), words: Iterable[tuple[str, str]] = (),
              stale: Iterable[str] = (), finished: Iterable[str] = ()) -> None:
        """Add ``rows`` (and pinyin ``words``), remove ``stale`` chunks, then finish ``finished``
        documents (chunk count, ``complete=1``; or drop the row when none are left) — one transaction.

        subtle: one commit for many documents' chunks instead of several per document; the
        centroid's running sum is read and written once.
        """
        rows, words, stale, finished = list(rows), list(words), list(stale), list(finished)
        if not (rows or words or stale or finished):
            return
        with self.transaction() as db:
            delta = self._insert_chunks(db, rows)
            db.executemany("INSERT OR IGNORE INTO pinyin(key, word) VALUES (?, ?)", words)
            removed = self._delete_chunks(db, stale)
            for doc_id in dict.fromkeys(finished):
                self._finish(db, doc_id)
            if delta is not None or removed is not None:
                self._add_to_centroid(db, (0 if delta is None else delta) - (0 if removed is None else removed))

    def _insert_chunks(self, db: sqlite3.Connection, rows: list[ChunkRow]) -> np.ndarray | None:
        """Insert chunk rows and their FTS rows; returns the sum of their sentence vectors."""
        delta = None
        for r in rows:
            cur = db.execute(
                "INSERT OR REPLACE INTO chunks(chunk_id, doc_id, text, meta, sentences) VALUES (?, ?, ?, ?, ?)",
                (r.doc.id, r.doc.metadata["doc_id"], r.doc.page_content, json.dumps(r.doc.metadata, ensure_ascii=False),
                 r.sentences.astype(np.float16).tobytes()))
            db.execute("INSERT INTO chunks_fts(rowid, tokens) VALUES (?, ?)", (cur.lastrowid, " ".join(r.tokens)))
            if len(r.sentences):
                s = r.sentences.astype(np.float64).sum(0)
                delta = s if delta is None else delta + s
        return delta

    def _delete_chunks(self, db: sqlite3.Connection, chunk_ids: list[str]) -> np.ndarray | None:
        """Delete chunks and their FTS rows; returns the sum of their sentence vectors."""
        removed = None
        for cid in chunk_ids:
            row = db.execute("SELECT id, sentences FROM chunks WHERE chunk_id=?", (cid,)).fetchone()
            if row is None:
                continue
            db.execute("DELETE FROM chunks WHERE id=?", (row[0],))
            db.execute("DELETE FROM chunks_fts WHERE rowid=?", (row[0],))
            vecs = self._vectors(row[1])
            if len(vecs):
                s = vecs.astype(np.float64).sum(0)
                removed = s if removed is None else removed + s
        return removed

    def reset(self) -> None:
        """Empty every table (``rag ingest --rebuild``) and bump the epoch other processes watch."""
        with self.transaction() as db:
            for table in ("documents", "chunks", "chunks_fts", "pinyin"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            db.execute("DELETE FROM meta WHERE key='sentence_sum'")
            self.set("first_build", "done", db)  # a rebuilt library is the user's: never add the default corpus
            self.set("epoch", int(self.get("epoch", 0)) + 1, db)

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        rows = self._rows_in("SELECT chunk_id, sentences FROM chunks WHERE chunk_id IN ({})", list(chunk_ids))
        return {cid: self._vectors(blob) for cid, blob in rows}

    def _vectors(self, blob: bytes | None) -> np.ndarray:
        # subtle: read per question for every candidate chunk, so the recorded dim is cached
        if not self._dim:
            self._dim = int(self.get("dim", 0) or 0)
        dim = self._dim
        if not blob or not dim:
            return np.zeros((0, max(dim, 1)), dtype=np.float32)
        return np.frombuffer(blob, dtype=np.float16).reshape(-1, dim).astype(np.float32)

    def chunks(self, chunk_ids: list[str]) -> dict[str, Document]:
        """Text and metadata of the given chunks (absent ids are left out), read a page of ids at a time.

        subtle: the one source of chunk text — Chroma holds only ids, vectors and ``doc_id``.
        """
        rows = self._rows_in("SELECT chunk_id, text, meta FROM chunks WHERE chunk_id IN ({})", chunk_ids)
        return {cid: Document(id=cid, page_content=text, metadata=json.loads(meta)) for cid, text, meta in rows}

    def _rows_in(self, sql: str, keys: list) -> list[tuple]:
        """``sql`` (one ``IN ({})``) run over ``keys`` a page at a time."""
        out: list[tuple] = []
        for start in range(0, len(keys), _IN_PAGE):
            page = keys[start:start + _IN_PAGE]
            with self._lock:
                out.extend(self._db.execute(sql.format(",".join("?" * len(page))), page).fetchall())
        return out

    def document_chunks(self, doc_id: str) -> list[Document]:
        """Every chunk of one document, in reading order."""
        with self._lock:
            rows = self._db.execute("SELECT chunk_id, text, meta FROM chunks WHERE doc_id=?", (doc_id,)).fetchall()
        docs = [Document(id=cid, page_content=text, metadata=json.loads(meta)) for cid, text, meta in rows]
        return sorted(docs, key=lambda d: d.metadata.get("start", 0))

    # -- lexical -------------------------------------------------------------------
    def bm25(self, tokens: list[str], k: int) -> list[tuple[Document, float]]:
        """Top-k chunks by FTS5's BM25 over any of ``tokens``."""
        if not tokens or k <= 0:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(tokens))
        with self._lock:
            hits = self._db.execute("SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?",
                                    (match, k)).fetchall()
            rows = {r[0]: r[1:] for r in self._db.execute(
                f"SELECT id, chunk_id, text, meta FROM chunks WHERE id IN ({','.join('?' * len(hits))})",  # noqa: S608
                [h[0] for h in hits])} if hits else {}
        return [(Document(id=rows[i][0], page_content=rows[i][1], metadata=json.loads(rows[i][2])), -rank)
                for i, rank in hits if i in rows]

    def df(self, token: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT doc FROM chunks_vocab WHERE term=?", (token,)).fetchone()
        return row[0] if row else 0

    def contains_phrase(self, tokens: list[str]) -> bool:
        if not tokens:
            return False
        phrase = '"' + " ".join(tokens).replace('"', '""') + '"'
        with self._lock:
            return self._db.execute("SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 1", (phrase,)).fetchone() is not None

    def known_words(self, words: Iterable[str]) -> set[str]:
        """Which of ``words`` the pinyin table already maps to (their pinyin need not be computed again)."""
        return {r[0] for r in self._rows_in("SELECT word FROM pinyin WHERE word IN ({})", list(words))}

    def pinyin_word(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT word FROM pinyin WHERE key=?", (key,)).fetchone()
        return row[0] if row else None
