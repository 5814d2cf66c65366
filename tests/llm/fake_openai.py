"""A TEST DOUBLE of a remote OpenAI-compatible chat API — not an LLM, not a mock object.

Owns: a real HTTP server on a free loopback port, in a thread, speaking the wire
protocol of ``POST /v1/chat/completions`` (JSON replies, and ``stream: true`` as SSE
``data: {chunk}`` events ending in ``data: [DONE]``), so the product's real client
stack (langchain-openai → openai → httpx → sockets) is exercised end to end.
Replies are scripted per test, keyed by the request's ``model`` name: each scenario
is a function ``(request_json) -> Reply`` registered in ``FakeOpenAI.scenarios``.
Every request is recorded (headers + JSON body) for assertions.
Does not own: any answering logic; the scripted texts live in the tests.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["TEST_API_KEY", "FakeOpenAI", "Hang", "Raw", "Recorded", "Status", "Text", "is_condense"]


@dataclass
class Text:
    """A normal completion; streamed in ``piece``-character chunks when asked to stream."""
    content: str
    piece: int = 3
    hang_after: int | None = None   # stream this many chunks, then stall (mid-stream failure)


@dataclass
class Status:
    code: int
    body: dict = field(default_factory=dict)


@dataclass
class Hang:
    """Accept the request and say nothing (until the server stops)."""


@dataclass
class Raw:
    """A 200 with an arbitrary body: a malformed reply."""
    body: bytes
    content_type: str = "application/json"


@dataclass
class Recorded:
    headers: dict[str, str]     # names lower-cased
    body: dict


Reply = Text | Status | Hang | Raw
TEST_API_KEY = "sk-test-SECRET123"   # what the tests configure; it must never be shown or logged


def is_condense(request: dict) -> bool:
    """True for the product's follow-up rewrite request (its system prompt says so)."""
    return "standalone" in request["messages"][0]["content"]


class FakeOpenAI:
    def __init__(self) -> None:
        self.scenarios: dict[str, Callable[[dict], Reply]] = {}
        self.requests: dict[str, list[Recorded]] = {}
        self.stopping = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()          # releases hanging handlers
        self.server.shutdown()
        self.server.server_close()

    def reply_for(self, request: dict, headers: dict[str, str]) -> Reply:
        model = request.get("model", "")
        self.requests.setdefault(model, []).append(Recorded(headers, request))
        scenario = self.scenarios.get(model)
        if scenario is None:
            return Status(404, {"error": {"message": f"model {model!r} not found", "type": "invalid_request_error"}})
        return scenario(request)


def _chunk(model: str, delta: dict, finish: str | None = None) -> bytes:
    event = {"id": "chatcmpl-double", "object": "chat.completion.chunk", "created": 0, "model": model,
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()


def _completion(model: str, content: str) -> dict:
    return {"id": "chatcmpl-double", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _handler(double: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:   # keep pytest output clean
            pass

        def do_POST(self) -> None:  # noqa: N802 — http.server's naming
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._json(404, {"error": {"message": "unknown path"}})
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            reply = double.reply_for(request, {k.lower(): v for k, v in self.headers.items()})
            if isinstance(reply, Status):
                return self._json(reply.code, reply.body)
            if isinstance(reply, Hang):
                double.stopping.wait(30)
                return None
            if isinstance(reply, Raw):
                return self._send(200, reply.body, reply.content_type)
            if request.get("stream"):
                return self._sse(request["model"], reply)
            return self._json(200, _completion(request["model"], reply.content))

        def _json(self, code: int, body: dict) -> None:
            self._send(code, json.dumps(body, ensure_ascii=False).encode(), "application/json")

        def _send(self, code: int, data: bytes, content_type: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _sse(self, model: str, reply: Text) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()          # HTTP/1.0: the body ends when the connection closes
            self.wfile.write(_chunk(model, {"role": "assistant", "content": ""}))
            pieces = [reply.content[i:i + reply.piece] for i in range(0, len(reply.content), reply.piece)]
            for i, piece in enumerate(pieces):
                if reply.hang_after is not None and i == reply.hang_after:
                    self.wfile.flush()
                    double.stopping.wait(30)
                    return
                self.wfile.write(_chunk(model, {"content": piece}))
                self.wfile.flush()
            self.wfile.write(_chunk(model, {}, "stop") + b"data: [DONE]\n\n")

    return Handler
