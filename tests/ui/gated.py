"""The real engine, wrapped to hold answers at a gate or to fail uploads on purpose.

``gate`` lets a test hold every answer until N of them are in flight at once (a
concurrency probe); ``broken_upload`` injects an unexpected internal error. Everything
else is the real ``rag.Engine`` over the bundled corpus.
"""

from __future__ import annotations

import threading

__all__ = ["GatedEngine"]


class GatedEngine:
    def __init__(self, engine, gate: threading.Barrier | None = None, broken_upload: bool = False) -> None:
        self._engine, self.gate, self.broken_upload = engine, gate, broken_upload

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def stream(self, question, script=None, history=None):
        inputs = self._engine.prepare(question, script, history)  # validate before waiting
        if self.gate is not None:
            self.gate.wait()  # raises BrokenBarrierError when the others never arrive
        del inputs
        yield from self._engine.stream(question, script, history)

    def upload(self, name, data, chunk_progress=None):
        if self.broken_upload:
            raise RuntimeError("disk on fire")
        return self._engine.upload(name, data, chunk_progress=chunk_progress)
