"""Feedback: the 👍/👎 on each answer and the optional comment after it.

Owns: turning a chat ``like`` event into a row of ``rag.FeedbackStore`` (question, answer,
citations, script, answerer, index version, conversation, login name) and attaching a
comment to that row. The index version is ``FeedbackStore.index_version(engine.documents())``
— counts and a hash of what the library held, the only index identity the engine exposes.
Does not own: the SQLite file (``rag.feedback``), layout (``ui.web``).
"""

from __future__ import annotations

import logging

import gradio as gr

from rag import Engine, FeedbackStore, Settings
from ui import labels as L

__all__ = ["Feedback"]

log = logging.getLogger(__name__)


class Feedback:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.store = engine, FeedbackStore(settings.feedback_path)

    def rate(self, data: gr.LikeData, turns: list, conv_id: str, request: gr.Request):
        """(row id, comment box update, status line); a cleared rating or a failed turn stores nothing."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = int(index) // 2
        answer = turns[turn].get("answer") if 0 <= turn < len(turns or []) else None
        if data.liked not in (True, False) or not answer:
            return None, gr.update(visible=False), ""
        try:
            version = FeedbackStore.index_version(self.engine.documents())
            row = self.store.add("up" if data.liked else "down", answer, version, conv_id or "",
                                 getattr(request, "username", None) or "")
        except Exception:
            log.exception("storing feedback failed")
            return None, gr.update(visible=False), L.FEEDBACK_FAILED
        return row, gr.update(visible=True, value=""), L.FEEDBACK_THANKS

    def comment(self, row: int | None, text: str):
        """(comment box update, status line)."""
        if row is None or not (text or "").strip():
            return gr.update(visible=False), ""
        try:
            self.store.comment(row, text)
        except Exception:
            log.exception("storing a feedback comment failed")
            return gr.update(visible=False), L.FEEDBACK_FAILED
        return gr.update(visible=False, value=""), L.FEEDBACK_COMMENTED
