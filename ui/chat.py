"""Chat: the event handlers behind the web chat, the library tab and the ``/ask`` API.

Owns: calling the engine for one turn (validate → stream → final bubble with its own
sources), regenerate and edit-and-resend, refusing an empty question with a hint in the
asker's script, keeping each conversation's turns (question typed, question as understood,
the answer as a dict) for follow-ups and feedback, uploads with size/type limits, deletion,
and turning every failure into a readable message (``CorpusQAError`` → its sentence;
anything else → logged, generic sentence).
Does not own: layout (``ui.web``), markup (``ui.render``), saved conversations
(``ui.history``), feedback (``ui.feedback``). Talks only to ``rag``.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from rag import Answer, CorpusQAError, Engine, Settings
from ui import labels as L
from ui import render as R

__all__ = ["Chat", "Library", "ask_api", "asker_script", "follow_ups"]

log = logging.getLogger(__name__)
_MAX_HISTORY = 8  # earlier questions kept per conversation; condense only looks at the last few


def _script(choice: str | None) -> str | None:
    return None if not choice or choice == L.AUTO else choice


def asker_script(choice: str | None, accept_language: str = "") -> str:
    """The script to speak to the asker in: the selector, else the browser's first language."""
    if _script(choice):
        return choice
    lang = (accept_language or "").split(",")[0].strip().lower()
    if lang.startswith(("zh-tw", "zh-hk", "zh-mo", "zh-hant")):
        return "zh-Hant"
    return "zh-Hans" if lang.startswith("zh") else "en"


def follow_ups(turns: list[dict]) -> list[str]:
    """Earlier questions (as understood) of the answered turns, for the engine's follow-ups."""
    return [t["understood"] for t in turns if t.get("understood")][-_MAX_HISTORY:]


def _user(text: str) -> dict:
    return {"role": "user", "content": R.escape_text(text)}


def _bot(html_: str) -> dict:
    return {"role": "assistant", "content": html_}


class Chat:
    """One conversational turn at a time; messages and turns live in the session.

    ``turns[i]`` belongs to messages ``2i`` (the question) and ``2i + 1`` (the answer).
    """

    def __init__(self, engine: Engine, docs_url: str = L.LLM_DOCS_URL) -> None:
        self.engine, self.docs_url = engine, docs_url

    def respond(self, question: str, messages: list | None, turns: list | None,
                script_choice: str | None) -> Iterator[tuple[list, list]]:
        """Yields (chat messages, turns) as the answer streams; an empty question changes nothing.

        Each yield holds new lists (messages are replaced, never edited), so a consumer may
        keep earlier yields.
        """
        messages, turns = list(messages or []), list(turns or [])
        if not (question or "").strip():
            yield gr.skip(), gr.skip()
            return
        messages += [_user(question), _bot(R.render_streaming(""))]
        turns.append({"question": question, "understood": None, "answer": None})
        yield list(messages), list(turns)
        try:
            yield from self._answer(question, messages, turns, _script(script_choice))
        except CorpusQAError as exc:
            messages[-1] = _bot(R.render_error(str(exc)))
            yield list(messages), list(turns)
        except Exception:  # the page must keep working; details go to the server log only
            log.exception("chat turn failed")
            messages[-1] = _bot(R.render_error(L.INTERNAL_ERROR))
            yield list(messages), list(turns)

    def _answer(self, question: str, messages: list, turns: list,
                script: str | None) -> Iterator[tuple[list, list]]:
        history = follow_ups(turns[:-1])
        prepared = self.engine.prepare(question, script, history)
        text = ""
        for piece in self.engine.stream(question, script=script, history=history):
            if isinstance(piece, Answer):
                messages[-1] = _bot(R.render_answer(piece, self.docs_url))
                turns[-1] = {"question": question, "understood": prepared["question"], "answer": piece.to_dict()}
                yield list(messages), list(turns)
                return
            text += piece
            messages[-1] = _bot(R.render_streaming(text))
            yield list(messages), list(turns)

    def retry(self, messages: list | None, turns: list | None,
              script_choice: str | None) -> Iterator[tuple[list, list]]:
        """Regenerate: ask the last question again in place of its answer."""
        turns = list(turns or [])
        if not turns:
            yield gr.skip(), gr.skip()
            return
        last = turns[-1]["question"]
        yield from self.respond(last, list(messages or [])[:2 * (len(turns) - 1)], turns[:-1], script_choice)

    def edit(self, data: gr.EditData, messages: list | None, turns: list | None,
             script_choice: str | None) -> Iterator[tuple[list, list]]:
        """Edit-and-resend: the conversation continues from the edited question."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = int(index) // 2
        # subtle: the edit box shows the stored (entity-escaped) text; undo that before asking.
        question = html.unescape(str(data.value or ""))
        yield from self.respond(question, list(messages or [])[:2 * turn], list(turns or [])[:turn],
                                script_choice)


def ask_api(engine: Engine):
    """The ``/ask`` endpoint for ``gradio_client``: a JSON-able ``Answer`` dict."""

    def ask(question: str, script: str = "auto", history: list[str] | None = None) -> dict:
        """Answer a question from the corpus with numbered citations.

        Args:
            question: the question, in 简体, 繁體 or English.
            script: "auto" (follow the question), "zh-Hans", "zh-Hant" or "en".
            history: earlier questions of this conversation, oldest first, for follow-ups.
        """
        try:
            return engine.query(question, script=_script(script), history=list(history or []))\
                .to_dict()
        except CorpusQAError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except Exception:
            log.exception("ask failed")
            raise gr.Error(L.INTERNAL_ERROR, print_exception=False) from None

    return ask


class Library:
    """The library tab: list, upload (same ingest as the CLI) and delete documents."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.max_bytes = engine, int(settings.upload_max_mb * 1024 * 1024)
        self.max_mb = settings.upload_max_mb

    @staticmethod
    def _choices(docs) -> list[tuple[str, str]]:
        return [(f"{d.title or d.source} — {d.source}", d.doc_id) for d in docs]

    def refresh(self) -> tuple[str, object]:
        """(table HTML, delete dropdown update)."""
        try:
            docs = self.engine.documents()
        except Exception:
            log.exception("listing documents failed")
            return R.render_error(L.INTERNAL_ERROR), gr.skip()
        return R.render_library(docs), gr.update(choices=self._choices(docs), value=None)

    def _one(self, path: str) -> tuple[str, object, str | None]:
        name = Path(path).name
        if Path(name).suffix.lower() not in L.ALLOWED_SUFFIXES:
            return name, None, L.UPLOAD_BAD_TYPE.format(allowed=" ".join(L.ALLOWED_SUFFIXES))
        if Path(path).stat().st_size > self.max_bytes:
            return name, None, L.UPLOAD_TOO_BIG.format(limit=f"{self.max_mb:g}")
        try:
            return name, self.engine.upload(name, Path(path).read_bytes()), None
        except CorpusQAError as exc:
            return name, None, str(exc)
        except Exception:
            log.exception("upload of %s failed", name)
            return name, None, L.INTERNAL_ERROR

    def upload(self, paths: list[str] | str | None) -> tuple[str, str, object, None]:
        """(per-file results, table, dropdown, cleared file input)."""
        if isinstance(paths, str):
            paths = [paths]
        results = [self._one(p) for p in paths or []]
        table, dropdown = self.refresh()
        return R.render_upload_results(results), table, dropdown, None

    def _remove(self, doc_id: str) -> str:
        try:
            info = self.engine.document(doc_id)
            source = info.source if info else doc_id
            removed = self.engine.delete(doc_id)
        except CorpusQAError as exc:
            return R.render_error(str(exc))
        except Exception:
            log.exception("deleting %s failed", doc_id)
            return R.render_error(L.INTERNAL_ERROR)
        if not removed:
            return R.render_error(L.DELETE_MISSING.format(source=source))
        return f'<p class="cqa-ok">{R.escape_text(L.DELETED.format(source=source, chunks=removed))}</p>'

    def delete(self, source: str | None) -> tuple[str, str, object]:
        """(status line, table, dropdown)."""
        status = self._remove(source) if source else R.render_error(L.DELETE_NONE)
        table, dropdown = self.refresh()
        return status, table, dropdown
