"""Feedback: 👍/👎 (and an optional comment) on answers, kept in a local SQLite file.

Owns: the table, writing a rating, adding a comment to it, reading every row back for
evaluators, and turning a 👎 row into a line of the QA set (``tests/qa/qa.jsonl`` format)
to be completed by hand. Plain ``sqlite3``: one short connection per call, so the web
chat's worker threads never share a connection.
Does not own: where the file is (``Settings.feedback_path``), the buttons (``ui``).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["FeedbackStore", "index_version", "qa_line"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,      -- JSON list of Citation dicts
    script TEXT NOT NULL,
    answerer TEXT NOT NULL,
    index_version TEXT NOT NULL,  -- see index_version()
    conversation TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL DEFAULT ''
)"""
_COLUMNS = ("id", "created", "rating", "comment", "question", "answer", "citations", "script",
            "answerer", "index_version", "conversation", "user")


def index_version(documents) -> str:
    """What the index held when the answer was given: ``<docs>d-<chunks>c-<hash>``.

    The hash covers each document's source label and chunk count, so adding, removing or
    re-chunking a document changes it; it is computed from ``Engine.documents()`` alone.
    """
    parts = sorted(f"{d.source}:{d.chunks}" for d in documents)
    digest = hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:10]
    return f"{len(parts)}d-{sum(d.chunks for d in documents)}c-{digest}"


def qa_line(row: dict) -> dict:
    """A QA-set item from a 👎 row. ``answers`` is left empty: the evaluator writes the
    expected keywords (and fixes ``sources``/``answerable``) before adding it to qa.jsonl."""
    return {"id": f"feedback-{row['id']}", "question": row["question"], "lang": row["script"],
            "answers": [], "sources": sorted({c["source"] for c in row["citations"]}),
            "answerable": True, "comment": row["comment"], "given_answer": row["answer"]}


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path)
        conn.execute(_SCHEMA)
        return conn

    def add(self, rating: str, answer: dict, index: str, conversation: str = "", user: str = "") -> int:
        """Store one rating of an ``Answer.to_dict()``; returns the row id."""
        row = (datetime.now(timezone.utc).isoformat(timespec="seconds"), rating, answer.get("question", ""),
               answer.get("answer", ""), json.dumps(answer.get("citations", []), ensure_ascii=False),
               answer.get("script", ""), answer.get("answerer", ""), index, conversation, user)
        with closing(self._connect()) as conn, conn:
            cur = conn.execute(
                "INSERT INTO feedback (created, rating, question, answer, citations, script, answerer,"
                " index_version, conversation, user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            return int(cur.lastrowid)

    def comment(self, row_id: int, text: str) -> None:
        with closing(self._connect()) as conn, conn:
            conn.execute("UPDATE feedback SET comment = ? WHERE id = ?", (text.strip(), int(row_id)))

    index_version = staticmethod(index_version)
    qa_line = staticmethod(qa_line)

    def rows(self) -> list[dict]:
        """Every row, oldest first; ``citations`` decoded."""
        if not self.path.exists():
            return []
        with closing(self._connect()) as conn:
            found = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM feedback ORDER BY id").fetchall()
        return [dict(zip(_COLUMNS, r)) | {"citations": json.loads(r[6])} for r in found]
