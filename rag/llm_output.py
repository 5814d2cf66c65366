"""LLM output: from the model's raw text to what the reader may see.

Owns: cutting a token stream into segments (sentences, never inside a link or a
[marker]), and per segment: dropping the abstention sentinel and fence echoes,
removing links that are not a retrieved passage's URL (markdown links keep their
label as plain text; images, HTML tags and bare URLs/domains go), rewriting citation
markers — valid ones renumbered 1..k by first use, ones that point at no retrieved
passage removed and counted — and converting to the asker's script with OpenCC.
Nothing is released until the first valid citation, so an uncited reply never
reaches the screen; an answer with no valid citation is an abstention.
Also: picking the rewritten question out of a condense reply (``condensed_question``).
Does not own: calling the model (``rag.answer_llm``) or building ``Citation``s
(``rag.citations``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlsplit

from ingest import to_canonical
from rag.citations import display, display_sentences
from rag.prompt import NO_ANSWER, SHORT_LABEL
from rag.types import Citation

__all__ = ["AnswerText", "split_segments", "condensed_question"]

# A segment ends at CJK sentence punctuation or a newline, or at ASCII .!? followed by
# whitespace (so "3.5", "e.g.x" and URLs are not cut), plus any closing quotes.
_BOUNDARY = re.compile(r"[。！？；\n]+[”」』’\"）)]*|[.!?]+[\"')]*(?=\s)")
_MARKER = re.compile(r"[ \t]*[\[［【]\^?\s*(\d{1,3}(?:\s*(?:[,，、;；]|[-–~～])\s*\d{1,3})*)\s*[\]］】]")
_TARGET = r"\(((?:[^()\n]|\([^()\n]*\))*)\)"        # "(url)", "(url "title")", one nesting level
_IMAGE = re.compile(r"!\[([^\]\n]*)\]" + _TARGET)
_MD_LINK = re.compile(r"\[([^\]\n]*)\]" + _TARGET)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]"
_URL = re.compile(rf"(?:(?:https?|ftp)://|www\.){_URL_CHARS}+", re.I)
_DOMAIN = re.compile(
    # subtle: ASCII look-arounds, not \b — in "访问evil.com获取" the CJK neighbours are \w.
    rf"(?<![A-Za-z0-9.@/-])((?:[A-Za-z0-9-]+\.)+(?:com|net|org|cn|io|ai|co|info|xyz|top|me|app|dev|tw|hk|ru"
    rf"|biz|site|online|link|ly|gl|tk|cc|tv))(?![A-Za-z0-9-])(?:/{_URL_CHARS}*)?", re.I)
_TRAILING = ".,;:!?'"
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[。，、；：！？）.,;:!?](?!\w))")
_MIN_SHARED = 3     # bigrams a claim must share with a sentence to highlight it
# The short-answer line the prompt asks for; models also bold it or write it in Chinese.
_SHORT_LINE = re.compile(r"^\s*(?:\*\*)?\s*(?:" + re.escape(SHORT_LABEL.rstrip(":")) + r"|简答|簡答|短答案?)\s*[:：]"
                         r"\s*(?:\*\*)?(.*?)(?:\*\*)?\s*$", re.I)
_LABELS = (SHORT_LABEL.rstrip(":").lower(), "简答", "簡答", "短答")
_SHORT_MAX = 60     # longer than this is a sentence, not a span


def split_segments(buffer: str) -> tuple[list[str], str]:
    """Complete segments at the front of ``buffer``, and the incomplete rest."""
    segments, start = [], 0
    for m in _BOUNDARY.finditer(buffer):
        piece = buffer[start:m.end()]
        # subtle: a boundary inside "[label](http://a.b/c.html)" or "[1" must wait for the
        # closing bracket, or the link/marker would be sanitised in two halves.
        if piece.count("[") <= piece.count("]") and piece.count("(") <= piece.count(")"):
            segments.append(piece)
            start = m.end()
    return segments, buffer[start:]


def _host(url: str) -> str:
    host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    return host.lower().removeprefix("www.")


class AnswerText:
    """Per-request state: feed raw model text, get back the text that may be shown."""

    def __init__(self, passages: list[Citation], script: str, hant_config: str = "s2twp",
                 fence: str = "", docs: list | None = None) -> None:
        self.passages, self.script, self.hant_config, self.fence = passages, script, hant_config, fence
        self.docs = docs or []
        self.urls = {p.url.rstrip("/") for p in passages if p.url}
        self.hosts = {_host(u) for u in self.urls}
        self.order: list[int] = []           # passage numbers (1-based) by first use
        self.dropped = 0
        self.raw, self._pending, self._held, self.text = "", "", "", ""
        self.highlights: dict[int, list[str]] = {}
        self.short: str | None = None
        self._opening: str | None = ""      # raw text held until the first line is known; None once it is

    # -- streaming -----------------------------------------------------------------
    def feed(self, raw: str) -> str:
        """Add model text; return the newly releasable sanitised text (may be "")."""
        self.raw += raw
        if self._opening is not None:
            raw = self._first_line(self._opening + raw, final=False)
        segments, self._pending = split_segments(self._pending + raw)
        return self._release(segments)

    def finish(self) -> str:
        """The end of the reply: flush the incomplete rest."""
        if self._opening is not None:
            self._pending += self._first_line(self._opening, final=True)
        rest, self._pending = self._pending, ""
        return self._release([rest] if rest else [])

    def _first_line(self, text: str, final: bool) -> str:
        """Hold text until its first line is complete; a "Short answer: …" line becomes
        ``self.short`` (sanitised, in the asker's script) and leaves the text."""
        head = text.lstrip(" \t\n*").lower()
        if not any(head.startswith(l) or l.startswith(head) for l in _LABELS):
            self._opening = None        # not a short-answer line: stream as usual, no wait
            return text
        end = text.find("\n")
        if end < 0 and not final and len(text) <= _SHORT_MAX + len(SHORT_LABEL) + 8:
            self._opening = text
            return ""
        self._opening = None
        line, rest = (text, "") if end < 0 else (text[:end], text[end + 1:])
        m = _SHORT_LINE.match(line)
        if not m:
            return text
        span = m.group(1).replace(self.fence, "") if self.fence else m.group(1)
        span = self._unlink(_MARKER.sub("", span)).strip().strip("。.，,")
        if span and NO_ANSWER not in span and len(span) <= _SHORT_MAX:
            self.short = display(span, self.script, self.hant_config)
        return rest

    def _release(self, segments: list[str]) -> str:
        self._held += "".join(self.segment(s) for s in segments)
        if not self.order:
            return ""          # hold back until something is grounded
        out, self._held = self._held, ""
        if not self.text:
            out = out.lstrip()
        self.text += out
        return out

    # -- result ----------------------------------------------------------------------
    @property
    def abstained(self) -> bool:
        return not self.order

    def citations(self) -> list[Citation]:
        return [replace(self.passages[old - 1], n=new, highlights=self.highlights.get(old, []))
                for new, old in enumerate(self.order, 1)]

    # -- one segment -------------------------------------------------------------------
    def segment(self, raw: str) -> str:
        if NO_ANSWER in raw:
            return ""          # the model's abstention; never shown
        text = raw.replace(self.fence, "") if self.fence else raw
        text = self._unlink(text)
        text = _MARKER.sub(lambda m: self._marker(m, raw), text)
        text = _SPACE_BEFORE_PUNCT.sub("", _SPACES.sub(" ", text))   # gaps left by removed links
        return display(text, self.script, self.hant_config)

    def _unlink(self, text: str) -> str:
        text = _IMAGE.sub("", text)     # images fetch their URL when rendered: never kept
        text = _MD_LINK.sub(self._md_link, text)
        text = _HTML_TAG.sub("", text)
        text = _URL.sub(lambda m: self._bare(m.group(0)), text)
        return _DOMAIN.sub(lambda m: m.group(0) if _host(m.group(1)) in self.hosts else "", text)

    def _md_link(self, m: re.Match) -> str:
        label, url = m.group(1), (m.group(2).split() or [""])[0].strip("<>")
        if _MARKER.fullmatch(f"[{label}]"):
            return f"[{label}]"            # "[1](http://…)": keep the marker, lose the link
        return f"[{label}]({url})" if url.rstrip("/") in self.urls else label

    def _bare(self, url: str) -> str:
        core = url.rstrip(_TRAILING)
        tail = url[len(core):]
        allowed = core.rstrip("/") in self.urls or (core.lower().startswith("www.") and _host(core) in self.hosts
                                                   and "/" not in core)
        return (core if allowed else "") + tail

    def _marker(self, m: re.Match, segment: str) -> str:
        kept = []
        for n in _numbers(m.group(1)):
            if not 1 <= n <= len(self.passages):
                self.dropped += 1
                continue
            if n not in self.order:
                self.order.append(n)
            self._highlight(n, segment)
            kept.append(f"[{self.order.index(n) + 1}]")
        lead = m.group(0)[: len(m.group(0)) - len(m.group(0).lstrip(" \t"))]
        return lead + "".join(kept) if kept else ""

    def _highlight(self, n: int, segment: str) -> None:
        """The passage sentence sharing most character bigrams with the claim citing it."""
        if n > len(self.docs) or self.script == "en":
            return      # an English claim shares no characters with a Chinese passage
        claim = _bigrams(to_canonical(_MARKER.sub("", segment)))
        scored = [(len(claim & _bigrams(c)), shown) for c, shown in
                  display_sentences(self.docs[n - 1], self.script, self.hant_config)]
        best = max(scored, default=(0, ""), key=lambda s: s[0])
        found = self.highlights.setdefault(n, [])
        if best[0] >= _MIN_SHARED and best[1] not in found:
            found.append(best[1])


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _numbers(group: str) -> list[int]:
    """"1, 3" → [1, 3]; "2-4" → [2, 3, 4] (ranges capped, a model never needs more)."""
    out: list[int] = []
    for part in re.split(r"\s*[,，、;；]\s*", group):
        ends = [int(x) for x in re.split(r"\s*[-–~～]\s*", part) if x]
        if len(ends) == 2 and 0 < ends[1] - ends[0] <= 10:
            out.extend(range(ends[0], ends[1] + 1))
        else:
            out.extend(ends)
    return out


# -- the condense reply ----------------------------------------------------------------
# "Rewritten question:", "**Standalone query:**", "改写后的问题：" … up to the first colon
_Q_LABEL = re.compile(r"^[^:：\n]{0,60}?(?:question|query|问题|問題|查询|查詢|提问|提問)[^:：\n]{0,20}[:：]", re.I)
_BULLET = re.compile(r"^(?:[-•>#*_`]+\s*|\d{1,2}[.)]\s+|\d{1,2}、)")
# a line that talks to the reader instead of asking: "Sure!", "Hope this helps", "好的，", "希望对你有帮助"
_CHATTER = re.compile(r"^(?:sure|ok(?:ay)?\b|of course|certainly|absolutely|here(?:'s| is| are| you go)|"
                      r"(?:i )?hope|let me know|feel free|note\b|glad|happy to|i (?:have|replaced|rewrote)|"
                      r"好的|当然|當然|以下[是为為]|希望|注[:：意]|如有|如果(?:还|還)有|我(?:已|把|将|將))", re.I)
_QUOTES = "\"'“”‘’「」『』"
_HAN_CHAR = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def condensed_question(reply: str, question: str, limit: int) -> str:
    """The rewritten question in an LLM's condense ``reply``, or "" when no line is one.

    subtle: local models wrap the question in chatter ("Sure! Here is the rewritten
    question:\n\n…？\nHope this helps"); taken as the first line, the preamble was searched
    and answered as small talk. A line is plausible when it is not chatter, is in the
    question's writing system (Han or Latin) and fits ``limit``; one ending in ?/？ is preferred,
    and when the question ends in one, a line without it is taken only as the whole reply.
    """
    lines = [ln for ln in (_clean_line(raw) for raw in reply.splitlines()) if ln]
    plausible = [ln for ln in lines if _plausible(ln, question, limit)]
    asked = next((ln for ln in plausible if ln.endswith(("?", "？"))), "")
    if asked or question.rstrip().endswith(("?", "？")):
        return asked or (plausible[0] if len(lines) == 1 and plausible else "")
    return plausible[0] if plausible else ""


def _clean_line(raw: str) -> str:
    """A reply line without markdown decoration, a "…question:" label and wrapping quotes."""
    line = _BULLET.sub("", raw.strip())
    if m := _Q_LABEL.match(line):
        line = line[m.end():]
    return line.strip().strip("*_` ").strip().strip(_QUOTES).strip()


def _plausible(line: str, question: str, limit: int) -> bool:
    if len(line) > limit or line.endswith((":", "：")) or _CHATTER.match(line):
        return False
    if _HAN_CHAR.search(question):
        return bool(_HAN_CHAR.search(line))
    return bool(re.search(r"[A-Za-z]", line))
