"""Condense: a follow-up question + the conversation → the standalone query that is searched.

Owns: deciding whether a question depends on earlier turns and, if so, which earlier
question to carry into the search. Without an LLM (none exists offline) the rule is:
a question that refers back (a pronoun or demonstrative such as 它/他/那/这家公司/
"it"/"what about", or a fragment with no content of its own) is searched together
with the most recent earlier question; a self-contained question is searched alone.
Does not own: retrieval or answering.
"""

from __future__ import annotations

import re

from ingest import to_canonical

__all__ = ["standalone_query", "is_follow_up"]

_ZH_REFERS = re.compile(r"^(那|那么|还有|另外|而|又|它|他|她|其|该|这|此)|它|他们|他的|她|其|该公司|这家|那家|这个|那个|此事|上述|同一")
_EN_REFERS = re.compile(r"\b(it|its|he|his|him|she|her|they|them|their|that|this|those|these|what about|how about|and the)\b", re.I)


def is_follow_up(question: str) -> bool:
    q = to_canonical(question).strip()
    return bool(_ZH_REFERS.search(q) or _EN_REFERS.search(q))


def standalone_query(question: str, history: list[str]) -> str:
    """The question itself, or the last earlier question + the question when it refers back."""
    earlier = [h.strip() for h in history if h and h.strip()]
    if not earlier or not is_follow_up(question):
        return question
    return f"{earlier[-1]} {question}"
