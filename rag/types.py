"""The public result types of ``rag.query`` / ``rag.stream`` and of ingest.

Owns: field names that callers depend on (``Answer``, ``Citation``, ``IngestReport``).
Keep these names: they are the product's contract (tests pin them).
Does not own: how answers are produced.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

__all__ = ["Citation", "Answer", "DocumentInfo", "IngestReport", "document_key"]


def document_key(doc_id: str) -> str:
    """A document's opaque public name: what links and lists in the web chat carry.

    subtle: a ``doc_id`` is ``file:/abs/path`` — put in a URL it shows every reader the server's
    folders. A hash names the same document across re-ingests and rebuilds (so a link saved in a
    conversation keeps opening it) and tells nothing about where it lives.
    """
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str                 # identity: file:/abs/path or upload:name
    source: str                 # the label readers see (path relative to the ingested folder)
    title: str | None
    published: str | None
    url: str | None
    chunks: int
    added_at: str | None = None
    complete: bool = True

    @property
    def key(self) -> str:
        return document_key(self.doc_id)

    @property
    def on_disk(self) -> bool:
        """Ingested from a file on disk (not uploaded): the next ingest of its folder reads it again."""
        return self.doc_id.startswith("file:")


@dataclass
class Citation:
    n: int                      # the marker number used in Answer.answer, as [n]
    source: str                 # corpus file name, e.g. 003_9dad58ff233fdee4.txt
    title: str | None
    url: str | None
    published: str | None       # ISO date
    text: str                   # the passage, in the asker's script (original for English)
    score: float
    highlights: list[str] = field(default_factory=list)  # supporting sentence(s), as in ``text``
    doc_id: str | None = None   # the document's identity (``Engine.read(doc_id)`` opens it whole)

    @property
    def key(self) -> str | None:
        """``doc_id``'s public name (``Engine.find(key)``), for links that leave the process."""
        return document_key(self.doc_id) if self.doc_id else None


@dataclass
class Answer:
    question: str
    answer: str                 # in the asker's script; each claim followed by [n]
    citations: list[Citation]
    script: str                 # "zh-Hans" | "zh-Hant" | "en"
    abstained: bool
    query: str = ""             # the standalone query that was searched (follow-ups)
    retrieved: list[str] = field(default_factory=list)  # sources of the retrieved passages, by rank
    answerer: str = "extractive"
    notice: str | None = None   # one line for the user, e.g. why the LLM was not used
    dropped_citations: int = 0  # markers removed because they pointed at no passage
    short: str | None = None    # the asked-for span (person, place, date, number…) when the answerer names one

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class IngestReport:
    files_read: int = 0
    chunks_added: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    sources: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)   # an upload that replaced a document of the same name
    warnings: list[str] = field(default_factory=list)   # stored, but a field was dropped ("x#a3: dropped date …")
    withdrawn: list[str] = field(default_factory=list)  # skipped: deleted in the library (--include-deleted)

    def summary(self) -> str:
        # subtle: files_read counts documents (each row of an export is one), and the other
        # counts are chunks: the labels say so ("files read: 7" for 6 files misled)
        line = (f"documents read: {self.files_read}, chunks added: {self.chunks_added}, "
                f"chunks unchanged: {self.unchanged}, chunks removed: {self.removed}, failed: {len(self.failed)}")
        return "\n".join([line] + [f"  failed {name}: {reason}" for name, reason in self.failed]
                         + [f"  warning {warning}" for warning in self.warnings]
                         + [f"  skipped {name}: deleted in the library (`rag ingest --include-deleted PATH` adds it back)"
                            for name in self.withdrawn])
