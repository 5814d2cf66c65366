"""A stand-in engine for the launch/queue tests, where the real models would add nothing.

It implements the part of ``rag.Engine`` the web app calls. ``gate`` lets a test hold
every answer until N of them are in flight at once (a concurrency probe).
"""

from __future__ import annotations

import threading

from rag import Answer, Citation, DocumentInfo, QuestionError

__all__ = ["StubEngine"]


class StubEngine:
    def __init__(self, gate: threading.Barrier | None = None) -> None:
        self.gate = gate

    def prepare(self, question, script=None, history=None) -> dict:
        if not question or not question.strip():
            raise QuestionError("The question is empty.")
        return {"question": question.strip(), "script": script or "zh-Hans", "query": question.strip()}

    def _answer(self, question: str) -> Answer:
        cite = Citation(n=1, source="stub.txt", title="Stub", url=None, published=None,
                        text="答案在这里。", score=1.0, highlights=["答案在这里。"])
        return Answer(question=question, answer="答案在这里。[1]", citations=[cite], script="zh-Hans",
                      abstained=False, query=question, retrieved=["stub.txt"])

    def stream(self, question, script=None, history=None):
        self.prepare(question, script, history)
        if self.gate is not None:
            self.gate.wait()  # raises BrokenBarrierError when the others never arrive
        yield "答案在这里。[1]"
        yield self._answer(question)

    def query(self, question, script=None, history=None) -> Answer:
        *_, answer = self.stream(question, script, history)
        return answer

    def documents(self) -> list[DocumentInfo]:
        return [DocumentInfo(source="stub.txt", title="Stub", published=None, url=None, chunks=1)]

    def upload(self, name, data):
        raise NotImplementedError

    def delete(self, source) -> int:
        return 0
