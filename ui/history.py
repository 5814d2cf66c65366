"""History: conversations saved in the browser, listed to reopen, rename, delete or start anew.

Owns: the shape of what is saved — ``{user: {conversation id: {title, updated, messages,
turns}}}`` in a ``gr.BrowserState`` (the browser's localStorage, encrypted by Gradio) — and
the handlers that read and change it, asking before a deletion. ``user`` is the login name when ``RAG_UI_AUTH`` is set
(``""`` otherwise), so people sharing a browser under different logins do not see each
other's conversations.
Does not own: answering (``ui.chat``), layout (``ui.web``). Nothing is stored on the server.
"""

from __future__ import annotations

import time
import uuid

import gradio as gr

from ui import labels as L
from ui import render as R

__all__ = ["History"]

_TITLE_CHARS = 40
_KEEP = 50  # conversations kept per user; the oldest go first (localStorage is ~5 MB)


def _user(request: gr.Request | None) -> str:
    return (getattr(request, "username", None) or "") if request is not None else ""


def _mine(saved: dict | None, request: gr.Request | None) -> dict:
    return dict((saved or {}).get(_user(request), {}))


def _with(saved: dict | None, request: gr.Request | None, mine: dict) -> dict:
    newest = sorted(mine.items(), key=lambda kv: kv[1].get("updated", 0), reverse=True)[:_KEEP]
    return {**(saved or {}), _user(request): dict(newest)}


def _choices(mine: dict) -> list[tuple[str, str]]:
    ordered = sorted(mine.items(), key=lambda kv: kv[1].get("updated", 0), reverse=True)
    return [(c.get("title") or L.UNTITLED, cid) for cid, c in ordered]


class History:
    """Handlers; every one takes the saved state and returns the new one (never edits in place)."""

    @staticmethod
    def save(conv_id: str, messages: list, turns: list, saved: dict, request: gr.Request):
        """After a turn: (conversation id, saved state, list update)."""
        if not turns:
            return gr.skip(), gr.skip(), gr.skip()
        conv_id = conv_id or uuid.uuid4().hex[:12]
        mine = _mine(saved, request)
        title = mine.get(conv_id, {}).get("title") or turns[0]["question"].strip()[:_TITLE_CHARS]
        mine[conv_id] = {"title": title, "updated": time.time(), "messages": messages, "turns": turns}
        return conv_id, _with(saved, request, mine), gr.update(choices=_choices(mine), value=conv_id)

    @staticmethod
    def restore(saved: dict, request: gr.Request):
        """On page load: reopen the most recent conversation. (id, messages, turns, list, name)."""
        mine = _mine(saved, request)
        choices = _choices(mine)
        if not choices:
            return "", [], [], gr.update(choices=[], value=None), ""
        return History.open(choices[0][1], saved, request)

    @staticmethod
    def open(conv_id: str | None, saved: dict, request: gr.Request):
        """(id, messages, turns, list, name) of the chosen conversation."""
        mine = _mine(saved, request)
        conv = mine.get(conv_id or "")
        if conv is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return (conv_id, conv["messages"], conv["turns"], gr.update(choices=_choices(mine), value=conv_id),
                conv.get("title", ""))

    @staticmethod
    def rename(conv_id: str, name: str, saved: dict, request: gr.Request):
        """(saved state, list update)."""
        mine = _mine(saved, request)
        if not conv_id or conv_id not in mine or not (name or "").strip():
            return gr.skip(), gr.skip()
        mine[conv_id] = {**mine[conv_id], "title": name.strip()[:80]}
        return _with(saved, request, mine), gr.update(choices=_choices(mine), value=conv_id)

    @staticmethod
    def ask_delete(conv_id: str, saved: dict, request: gr.Request):
        """First click: name the conversation and show the confirm buttons. (question, pending id, confirm row)."""
        conv = _mine(saved, request).get(conv_id or "")
        if conv is None:  # an empty chat is not saved: nothing to delete
            note = R.render_notice(L.DELETE_CONVERSATION_NONE)
            return gr.update(visible=True, value=note), None, gr.update(visible=False)
        question = L.DELETE_CONVERSATION_ASK.format(title=conv.get("title") or L.UNTITLED)
        return gr.update(visible=True, value=R.render_question(question)), conv_id, gr.update(visible=True)

    @staticmethod
    def delete(conv_id: str, saved: dict, request: gr.Request):
        """Confirmed: delete it and start a new one. (saved, id, messages, turns, list, name)."""
        mine = _mine(saved, request)
        mine.pop(conv_id or "", None)
        return _with(saved, request, mine), "", [], [], gr.update(choices=_choices(mine), value=None), ""

    @staticmethod
    def new(saved: dict, request: gr.Request):
        """A fresh conversation; the current one stays in the list. (id, messages, turns, list, name)."""
        return "", [], [], gr.update(choices=_choices(_mine(saved, request)), value=None), ""
