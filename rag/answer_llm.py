"""LLM answerer: generated, cited answers through any OpenAI-compatible endpoint.

Owns: building the one ``ChatOpenAI`` client from settings (DeepSeek, Ollama, vLLM,
OpenAI — anything speaking ``/v1/chat/completions``); asking it with the fenced
prompt; streaming the sanitised answer; naming every failure (unreachable, HTTP
status, timeout, bad key, malformed or empty reply) in a one-line notice in the
asker's language and answering with the fallback (extractive) answerer instead; and
the optional LLM condense step for follow-up questions.
Streaming: text is released a segment (sentence) at a time after sanitising, never
raw tokens, so a forged [9] or an injected link never reaches the screen and the
streamed text equals the final ``Answer.answer``. The final ``Answer`` is
authoritative: after a mid-stream failure only the fallback ``Answer`` follows.
The API key is never logged or shown: failures are described by class and status
code only, never by the exception's message (a server may echo the key in it).
Does not own: the prompt wording (``rag.prompt``), output sanitising
(``rag.llm_output``), citations (``rag.citations``), retrieval.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import openai
from langchain_core.messages import BaseMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from ingest.errors import ConfigError, LLMError
from rag.citations import ABSTAIN, display, make_citation
from rag.llm_output import AnswerText, condensed_question
from rag.prompt import answer_prompt, condense_prompt
from rag.settings import Settings
from rag.answer.asking import asked_type
from rag.types import Answer

__all__ = ["LLMAnswerer", "LLMCondenser", "LLMUnavailable", "classify", "make_chat_model"]

log = logging.getLogger(__name__)

try:    # openai>=3 sends through httpx2, a drop-in copy of httpx with its own exception classes
    import httpx2
except ImportError:  # pragma: no cover — older openai
    httpx2 = httpx
# Raw transport errors, in case one escapes the SDK's own wrapping (e.g. mid-stream).
_TIMEOUTS = (openai.APITimeoutError, httpx.TimeoutException, httpx2.TimeoutException)
_UNREACHABLE = (openai.APIConnectionError, httpx.TransportError, httpx2.TransportError)

# cause → (English, Simplified Chinese); zh-Hant is converted from the latter.
_CAUSES = {
    "connect": ("cannot connect to {host}", "无法连接 {host}"),
    "timeout": ("no reply within {seconds:g} s", "{seconds:g} 秒内没有回应"),
    "auth": ("HTTP {status}: the endpoint rejected the API key, check LLM_API_KEY",
             "HTTP {status}：端点拒绝了 API 密钥，请检查 LLM_API_KEY"),
    "not_found": ("HTTP 404: check LLM_BASE_URL and LLM_MODEL", "HTTP 404：请检查 LLM_BASE_URL 和 LLM_MODEL"),
    "status": ("HTTP {status} from the endpoint", "端点返回 HTTP {status}"),
    "malformed": ("malformed reply from the endpoint", "端点的回复格式不正确"),
    "empty": ("the model returned an empty answer", "模型返回了空答案"),
}
_FRAME = ("LLM unavailable ({cause}); showing the extractive answer.", "大模型不可用（{cause}），以下为抽取式答案。")
# A failure of the transport, not of one reply: retrying in the same request is pointless.
_TRANSPORT = {"connect", "timeout", "auth", "not_found", "status"}


class LLMUnavailable(LLMError):
    """Why the LLM gave no usable answer; ``str()`` is the English notice (never the key)."""

    def __init__(self, cause: str, **params) -> None:
        self.cause, self.params = cause, params
        super().__init__(self.notice("en"))

    def reason(self, lang: int = 0) -> str:
        """The cause alone, in English (0) or Simplified Chinese (1)."""
        return _CAUSES[self.cause][lang].format(**self.params)

    def notice(self, script: str) -> str:
        lang = 0 if script == "en" else 1
        text = _FRAME[lang].format(cause=self.reason(lang))
        return display(text, script) if script != "en" else text

    @property
    def transport(self) -> bool:
        return self.cause in _TRANSPORT


def make_chat_model(s: Settings) -> ChatOpenAI:
    """The client, built once per engine; no retries, so a failure costs one timeout at most."""
    if not s.llm_base_url.lower().startswith(("http://", "https://")):
        raise ConfigError(f"LLM_BASE_URL must start with http:// or https:// (got {_endpoint(s.llm_base_url)!r}), "
                          "e.g. https://api.deepseek.com/v1 or http://localhost:11434/v1.")
    key = s.llm_api_key if s.llm_api_key.get_secret_value() else SecretStr("not-needed")
    # subtle: the key is always passed explicitly, so OPENAI_API_KEY from the environment
    # is never sent to whatever LLM_BASE_URL points at; Ollama/vLLM accept any key.
    return ChatOpenAI(model=s.llm_model, base_url=s.llm_base_url, api_key=key, timeout=s.llm_timeout,
                      max_retries=0, temperature=s.llm_temperature, use_responses_api=False)


def classify(exc: BaseException, settings: Settings) -> LLMUnavailable:
    """An exception from the client → a named cause. Reads types and status codes only."""
    if isinstance(exc, LLMUnavailable):
        return exc
    if isinstance(exc, _TIMEOUTS):
        return LLMUnavailable("timeout", seconds=settings.llm_timeout)
    if isinstance(exc, _UNREACHABLE):
        return LLMUnavailable("connect", host=_endpoint(settings.llm_base_url))
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        cause = "auth" if code in (401, 403) else "not_found" if code == 404 else "status"
        return LLMUnavailable(cause, status=code)
    return LLMUnavailable("malformed")


def _endpoint(base_url: str) -> str:
    """host[:port] of the endpoint; never the user:password@ a URL might carry."""
    parts = urlsplit(base_url if "://" in base_url else f"//{base_url}")
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or "?") + (f":{port}" if port else "")


class LLMAnswerer:
    """The ``answerer`` contract (``name``, ``invoke``, ``stream``) with a fallback answerer."""

    name = "llm"

    def __init__(self, model: ChatOpenAI, fallback, settings: Settings) -> None:
        self.model, self.fallback, self.settings = model, fallback, settings

    def invoke(self, inputs: dict) -> Answer:
        *_, answer = self._answer(inputs, streaming=False)
        return answer

    def stream(self, inputs: dict) -> Iterator[str | Answer]:
        """Sanitised text increments, then the final ``Answer``."""
        return self._answer(inputs, streaming=True)

    def _answer(self, inputs: dict, streaming: bool) -> Iterator[str | Answer]:
        failure, shown = inputs.get("llm_failure"), False
        if failure is None:
            try:
                for item in self._generate(inputs, streaming):
                    shown = shown or isinstance(item, str)
                    yield item
                return
            except Exception as exc:  # noqa: BLE001 — the remote call's boundary: any failure → fallback
                failure = classify(exc, self.settings)
        log.warning("LLM answer failed: %s; using the %s answer", failure.reason(), self.fallback.name)
        yield from self._fallback(inputs, failure, quiet=shown)

    def _fallback(self, inputs: dict, failure: LLMUnavailable, quiet: bool) -> Iterator[str | Answer]:
        """The fallback's stream with the notice; after shown LLM text, only its final Answer."""
        for item in self.fallback.stream(inputs):
            if isinstance(item, Answer):
                item.notice = failure.notice(inputs["script"])
                yield item
            elif not quiet:
                yield item

    def _generate(self, inputs: dict, streaming: bool) -> Iterator[str | Answer]:
        docs, script, hc = inputs["docs"], inputs["script"], self.settings.hant_config
        passages = [make_citation(i, d, script, [], d.metadata.get("rrf", 0.0), hc) for i, d in enumerate(docs, 1)]
        if not passages:
            yield ABSTAIN[script]
            yield self._result(inputs, AnswerText([], script, hc))
            return      # nothing retrieved: nothing to ground an answer in, no call needed
        prompt = answer_prompt(inputs["question"], script, passages, short=asked_type(inputs["question"]) is not None)
        text = AnswerText(passages, script, hc, fence=prompt.fence, docs=docs)
        for piece in self._tokens(prompt.messages, streaming):
            if out := text.feed(piece):
                yield out
        if not text.raw.strip():
            raise LLMUnavailable("empty")
        if out := text.finish():
            yield out
        if text.abstained:
            yield ABSTAIN[script]   # like the extractive answerer: the streamed text is the answer
        yield self._result(inputs, text)

    def _tokens(self, messages: list[BaseMessage], streaming: bool) -> Iterator[str]:
        if not streaming:
            yield _content(self.model.invoke(messages))
            return
        for chunk in self.model.stream(messages):
            yield _content(chunk)

    def _result(self, inputs: dict, text: AnswerText) -> Answer:
        script = inputs["script"]
        return Answer(
            question=inputs["question"], script=script, query=inputs["query"],
            answer=ABSTAIN[script] if text.abstained else text.text.strip(),
            citations=[] if text.abstained else text.citations(), abstained=text.abstained,
            retrieved=[d.metadata["source"] for d in inputs["docs"]], answerer=self.name,
            dropped_citations=text.dropped, short=None if text.abstained else text.short)


def _content(message) -> str:
    """Message text; anything but a string (tool calls, content blocks) is malformed here."""
    content = message.content
    if isinstance(content, list):
        content = "".join(b if isinstance(b, str) else b.get("text", "") for b in content
                          if isinstance(b, str) or b.get("type") == "text")
    if not isinstance(content, str):
        raise LLMUnavailable("malformed")
    return content


class LLMCondenser:
    """Follow-up + earlier questions → a standalone query written by the LLM."""

    def __init__(self, model: ChatOpenAI, settings: Settings) -> None:
        self.model, self.settings = model, settings

    def condense(self, question: str, history: list[str], fallback_query: str) -> dict:
        """``{"query": …}``; after a transport failure also ``"llm_failure"``, so the answer
        step falls back at once instead of waiting for the same timeout again."""
        earlier = [h.strip() for h in history if h and h.strip()]
        if not earlier:
            return {"query": fallback_query}
        try:
            reply = _content(self.model.invoke(condense_prompt(question, earlier)))
        except Exception as exc:  # noqa: BLE001 — same boundary as the answerer
            failure = classify(exc, self.settings)
            log.warning("LLM condense failed: %s; using the rule-based query", failure.reason())
            return {"query": fallback_query} | ({"llm_failure": failure} if failure.transport else {})
        query = condensed_question(reply, question, self.settings.max_question_chars)
        if not query:
            log.warning("LLM condense reply holds no rewritten question; using the rule-based query")
        return {"query": query or fallback_query}
