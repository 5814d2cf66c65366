"""Vectors: the Chroma collection of chunk embeddings, embedded or on a Chroma server.

Owns: opening Chroma (a persistent folder, or ``chromadb.HttpClient`` when CHROMA_HOST
is set; telemetry off; never Chroma's own embedding function — vectors are always
passed in), the model identity recorded on the collection, paged reads (one Chroma
``get()`` fails past 32,766 records), and reopening an embedded store when another
process changed it (an embedded client keeps a stale vector index in memory), and the HNSW
settings every process searches with (graph synced after every write, ``ef_search`` 200; older
stores are switched over when opened).
A record is an id, a vector and ``{"doc_id"}`` — no document text: Chroma indexes every
document it is given for its own full-text search, which nothing here uses (it was half
of the store's ingest time). Records of older stores that still carry text are read the same.
A Chroma server that does not answer, at open or on any later call, is one ``StoreUnreachableError``
(chromadb lets httpx's own errors through); the process reconnects by itself once it is back.
One that accepts the connection and then says nothing (stopped, overloaded) is the same error
after ``ChromaTarget.timeout`` seconds: chromadb's own client would wait forever.
Does not own: embedding (``ingest``), texts, chunk metadata and BM25 (``rag.index.catalog``).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass

import chromadb
import httpx
from chromadb.config import Settings as ChromaSettings

from ingest.errors import ModelMismatchError, StoreError, StoreUnreachableError

__all__ = ["ChromaTarget", "Vectors", "open_client", "open_ephemeral_client"]

# subtle: Chroma writes its HNSW graph to disk only every `sync_threshold` records (default 1000)
# and rebuilds the unsynced rest from its log, on several threads, at every open. A store under
# 1000 chunks was rebuilt by every process, and two processes at once built different graphs:
# the same question got a different 20th dense neighbour (1–2 of 300 CMRC questions), enough to
# make refits of the answer model differ. Syncing after every write makes the persisted graph the
# one every process searches; and searching it with 200 candidates instead of 100 makes a small
# store's top 20 exact whatever graph was built (3 of 900 CMRC questions missed one at 100).
# benchmarks/bench_hnsw_sync.py has the measurements (agreement, add rate, open time, recall, ms).
_TUNED = {"sync_threshold": 1, "ef_search": 200}
_HNSW = {"hnsw": {"space": "cosine", **_TUNED}}


def _telemetry_off() -> ChromaSettings:
    # subtle: a fresh object per client — chromadb.HttpClient writes its server settings into
    # the object it is given, and a shared one then turned later PersistentClients into HTTP ones.
    return ChromaSettings(anonymized_telemetry=False)


@dataclass(frozen=True)
class ChromaTarget:
    """Where the vectors live: a folder (embedded) or a server."""

    path: str = "vectorstore"
    host: str = ""
    port: int = 8000
    ssl: bool = False
    token: str = ""
    timeout: float = 60.0   # seconds a server call may take before it counts as unreachable

    @property
    def is_server(self) -> bool:
        return bool(self.host)

    def describe(self) -> str:
        return f"{'https' if self.ssl else 'http'}://{self.host}:{self.port}" if self.is_server else self.path


def open_client(target: ChromaTarget) -> chromadb.ClientAPI:
    if not target.is_server:
        return chromadb.PersistentClient(path=target.path, settings=_telemetry_off())
    headers = {"Authorization": f"Bearer {target.token}"} if target.token else None
    try:
        # subtle: HttpClient() already talks to the server, with no timeout; a server that accepts
        # and never answers would hang here, so it is asked once first under ours
        httpx.get(f"{target.describe()}/api/v2/heartbeat", headers=headers, timeout=target.timeout)
        client = chromadb.HttpClient(host=target.host, port=target.port, ssl=target.ssl, headers=headers,
                                     settings=_telemetry_off())
    except Exception as exc:  # noqa: BLE001 - connection errors vary by transport
        raise StoreUnreachableError(target.describe(), _unreachable(exc) or _first_line(exc)) from None
    _bound_calls(client, target.timeout)
    return client


def _bound_calls(client: chromadb.ClientAPI, seconds: float) -> None:
    # subtle: chromadb 1.x builds its httpx session with timeout=None and has no setting for it
    # (chroma-core/chroma#5805); the session is reached through the client's server API object.
    # If a chromadb release renames it, calls are unbounded again — tests/rag/test_server_mode.py
    # stops a server mid-session and fails then.
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds)


def open_ephemeral_client() -> chromadb.ClientAPI:
    """An in-memory Chroma client (telemetry off) for throwaway indexes such as the eval baseline."""
    return chromadb.EphemeralClient(settings=_telemetry_off())


def _first_line(exc: BaseException) -> str:
    # subtle: the message appends ". Start it…": "running?." and "response.." read as typos
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(" .?!。？！") or type(exc).__name__


def _unreachable(exc: BaseException) -> str | None:
    """Why the server did not answer, or None when ``exc`` is about something else.

    subtle: on calls chromadb lets httpx's transport errors through; at connect it raises a
    ValueError("…Are you sure it is running?") or, from a port that is not Chroma's, one holding
    the HTML page it got — the httpx error is still in the context chain, with the status.
    """
    while exc is not None:
        if isinstance(exc, httpx.TimeoutException):
            return "it did not answer in time (CHROMA_TIMEOUT)"
        if isinstance(exc, httpx.TransportError):   # refused, reset, closed mid-answer
            return _first_line(exc)
        if isinstance(exc, httpx.HTTPStatusError):  # chromadb's own errors (JSON bodies) carry none
            return f"it answered, but not as a Chroma server (HTTP {exc.response.status_code})"
        exc = exc.__context__
    return None


def _reaching(method):
    """``method`` with a server that does not answer turned into one ``StoreUnreachableError``.

    subtle: it is also kept in ``unreachable`` (per thread, until ``Store.writer`` clears it): an
    ingest records a file that fails and goes on with the next, and must end with the outage instead.
    """
    @functools.wraps(method)
    def call(self: Vectors, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - anything else is re-raised unchanged
            if (cause := _unreachable(exc)) is None:
                raise
            self.unreachable = StoreUnreachableError(self.location, cause)
            raise self.unreachable from None
    return call


class Vectors:
    """Chunk vectors in one collection; metadata keeps only ``doc_id``, for per-document reads and deletes."""

    def __init__(self, client_factory: Callable[[], chromadb.ClientAPI], name: str, model: str, dim: int,
                 location: str, page_size: int = 5000, embedded_owned: bool = True) -> None:
        self._factory, self.name, self.model, self.dim = client_factory, name, model, dim
        self.location, self.page_size, self._embedded_owned = location, page_size, embedded_owned
        self._seen = threading.local()   # per thread: a reader's outage is not a concurrent writer's
        self.client = client_factory()
        self.collection = self._open()

    @property
    def unreachable(self) -> StoreUnreachableError | None:
        """The last outage this thread's calls met (see ``_reaching``)."""
        return getattr(self._seen, "error", None)

    @unreachable.setter
    def unreachable(self, error: StoreUnreachableError | None) -> None:
        self._seen.error = error

    @_reaching
    def _open(self):
        collection = self.client.get_or_create_collection(
            self.name, embedding_function=None, configuration=_HNSW,
            metadata={"embedding_model": self.model, "embedding_dim": self.dim})
        hnsw = (collection.configuration or {}).get("hnsw") or {}
        if any(hnsw.get(key, value) != value for key, value in _TUNED.items()):
            # a store made before _TUNED: Chroma syncs its graph at the next read
            collection.modify(configuration={"hnsw": dict(_TUNED)})
        return collection

    def recorded_model(self) -> tuple[str | None, int | None]:
        meta = self.collection.metadata or {}
        return meta.get("embedding_model"), meta.get("embedding_dim")

    def check_model(self) -> None:
        built, dim = self.recorded_model()
        if built is not None and (built != self.model or dim != self.dim):
            raise ModelMismatchError(self.location, f"{built} (dim {dim})", f"{self.model} (dim {self.dim})")

    def reopen(self) -> None:
        """See another process's writes: a fresh client for an embedded store we own, else a fresh handle.

        subtle: an embedded client keeps its vector index in memory and never sees another
        process's adds; closing it and opening a new one reloads from disk (ms at 50 chunks,
        measured in benchmarks/bench_scale.py at 100k). A rebuild elsewhere also replaces the
        collection, so the handle is always fetched again.
        """
        if self._embedded_owned:
            self.client.close()
            self.client = self._factory()
        self.collection = self._open()

    def reset(self) -> None:
        """Drop the collection and create it again for the configured model."""
        try:
            self.client.delete_collection(self.name)
        except Exception:  # noqa: BLE001 - NotFoundError/ValueError by chromadb version
            pass
        self.collection = self._open()

    @_reaching
    def count(self) -> int:
        return self.collection.count()

    def ids(self, doc_id: str) -> set[str]:
        """Every record of one document."""
        return set(self._paged_ids({"doc_id": doc_id}))

    def all_ids(self) -> list[str]:
        """Every record id (for checks and maintenance; never per question)."""
        return self._paged_ids(None)

    @_reaching
    def _paged_ids(self, where: dict | None) -> list[str]:
        """Ids a page at a time: one Chroma get() fails past 32,766 records."""
        ids: list[str] = []
        while True:
            got = self.collection.get(where=where, include=[], limit=self.page_size, offset=len(ids))
            ids.extend(got["ids"])
            if len(got["ids"]) < self.page_size:
                return ids

    @_reaching
    def upsert(self, ids: list[str], vectors: list[list[float]], doc_ids: list[str]) -> None:
        for start in range(0, len(ids), self.page_size):
            end = start + self.page_size
            self.collection.upsert(ids=ids[start:end], embeddings=vectors[start:end],
                                   metadatas=[{"doc_id": d} for d in doc_ids[start:end]])

    @_reaching
    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), self.page_size):
            self.collection.delete(ids=ids[start:start + self.page_size])

    @_reaching
    def search(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """Top-k chunk ids by cosine similarity (1 - distance); their text is the catalog's."""
        if k <= 0:
            return []
        got = self.collection.query(query_embeddings=[vector], n_results=k, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(got["ids"][0], got["distances"][0])]
