"""Chat: the event handlers behind the web chat and the ``/ask`` API.

Owns: calling the engine for one turn (validate → stream → final bubble with its own
sources), regenerate and edit-and-resend, refusing an empty question with a hint in the
asker's script, keeping each conversation's turns (question typed, question as understood,
the answer as a dict) for follow-ups and feedback, and turning every failure into a readable message (``CorpusQAError`` → its sentence;
anything else → logged, generic sentence).
Does not own: layout (``ui.web``), markup (``ui.render``), saved conversations
(``ui.history``), feedback (``ui.feedback``), the library tab (``ui.library``). Talks only to ``rag``.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator

import gradio as gr

from rag import Answer, CorpusQAError, Engine
from ui import labels as L
from ui import render as R

__all__ = ["Chat", "ask_api", "asker_script", "follow_ups"]

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
            # subtle: the messages are written in 简体 + English; a 繁體 reader gets the Chinese half in 繁體
            reader = _script(script_choice) or self.engine.script_of(question)
            messages[-1] = _bot(R.render_error(self.engine.display(str(exc), reader) if reader == "zh-Hant" else str(exc)))
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
                # subtle: the query is searched in canonical (简体) form, but read in the answer's script
                shown = self.engine.display(piece.query, piece.script) if piece.query else None
                messages[-1] = _bot(R.render_answer(piece, self.docs_url, shown))
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


def public_answer(answer: Answer) -> dict:
    """``answer`` as the web API returns it: each citation's ``doc_id`` (``file:/server/path``)
    is replaced by ``doc_key``, the name article links use (``/article?doc=<doc_key>``)."""
    data = answer.to_dict()
    for shown, cited in zip(data["citations"], answer.citations):
        del shown["doc_id"]
        shown["doc_key"] = cited.key
    return data


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
            return public_answer(engine.query(question, script=_script(script), history=list(history or [])))
        except CorpusQAError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except Exception:
            log.exception("ask failed")
            raise gr.Error(L.INTERNAL_ERROR, print_exception=False) from None

    return ask
