"""Questions: what a caller may ask, checked before anything heavy is loaded.

Owns: the rules for a usable question (a string, not empty, not over the length limit,
no lone surrogates — what undecodable bytes in a command-line argument become) and for
``history`` (a list of strings), each broken rule a ``QuestionError`` whose message says
what to do; and whether a question has any content to search for at all.
Does not own: answering (``rag.engine``).
"""

from __future__ import annotations

import unicodedata

from ingest.errors import QuestionError

__all__ = ["validate_question", "validate_history", "has_content"]

_EXAMPLE = "梁文锋毕业于哪所大学？"   # one the extractive answerer gets right: a suggestion must work


def validate_question(question: object, limit: int) -> str:
    """The stripped question, or a ``QuestionError`` naming what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError(f"The question must be text, not {type(question).__name__}.")
    _check_encoding(question, "question")
    question = question.strip()
    if not question:
        raise QuestionError(f"The question is empty. Type a question, e.g. “{_EXAMPLE}”.")
    if len(question) > limit:
        # subtle: the chat shows this to whoever typed the question, in any language
        raise QuestionError(f"问题有 {len(question)} 个字符，上限是 {limit} 个，请缩短。 · The question is "
                            f"{len(question)} characters long; the limit is {limit} (MAX_QUESTION_CHARS). Shorten it.")
    return question


def validate_history(history: object) -> list[str]:
    """Earlier questions of the conversation, oldest first."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise QuestionError(f"history must be a list of earlier questions (strings), not {type(history).__name__}.")
    for i, item in enumerate(history):
        if not isinstance(item, str):
            raise QuestionError(f"history[{i}] must be a string (an earlier question), not {type(item).__name__}.")
        _check_encoding(item, f"history[{i}]")
    return [h.strip() for h in history if h.strip()]


def _check_encoding(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QuestionError(f"The {what} holds bytes that are not valid UTF-8 text (at character {exc.start}). "
                            "Retype it or set your terminal to UTF-8.") from None


def has_content(text: str) -> bool:
    """Whether ``text`` holds a letter or a digit (not only punctuation, emoji or invisible marks)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)
