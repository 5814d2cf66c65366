"""Library: the handlers behind the library tab — a searchable, paged list, uploads and deletion.

Owns: one page of the list at a time (``LIBRARY_PAGE_SIZE`` rows, counted with one cheap call,
so 10,000 documents stay usable), uploads with type/size limits (the same ingest as the CLI),
asking before an upload replaces a document of the same name, asking before a deletion, and
clearing stale "Added …" lines whenever the list changes. Every failure becomes a readable line
(``CorpusQAError`` → its sentence; anything else → logged, generic sentence).
Does not own: layout (``ui.web``), markup (``ui.render``). Talks only to ``rag``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from rag import CorpusQAError, Engine, Settings
from ui import labels as L
from ui import render as R

__all__ = ["Library"]

log = logging.getLogger(__name__)
_ORDERS = {value for _, value in L.SORT_CHOICES}
_BLANK_PROBE = 4096  # bytes: a blank file is this small; reading bigger ones just to look is not worth it


class Library:
    """Every list-changing handler returns ``view`` outputs: (table, page label, delete choices, page,
    previous button, next button)."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.max_bytes = engine, int(settings.upload_max_mb * 1024 * 1024)
        self.max_mb, self.page_size = settings.upload_max_mb, settings.library_page_size

    # -- the list -----------------------------------------------------------------
    def view(self, search: str | None = "", page: int | None = 1, order: str | None = "source") -> tuple:
        """One page of documents matching ``search``, in ``order`` (``L.SORT_CHOICES``); a page past
        the end shows the last one."""
        search = (search or "").strip()
        try:
            total = self.engine.count_documents(search)
            pages = max(1, -(-total // self.page_size))
            page = min(max(1, int(page or 1)), pages)
            order = order if order in _ORDERS else "source"
            docs = self.engine.documents(search, (page - 1) * self.page_size, self.page_size, order)
        except Exception:
            log.exception("listing documents failed")
            return R.render_error(L.INTERNAL_ERROR, L.FAILED_PREFIX), "", gr.skip(), 1, gr.skip(), gr.skip()
        # subtle: a choice's value reaches the browser; a doc_id there is the server's file path
        choices = [(f"{d.title or d.source} — {d.source}", d.key) for d in docs]
        where = L.PAGE_OF.format(page=page, pages=pages, total=total, documents=R.english_noun(total, "document"))
        # subtle: a button that does nothing when clicked must not look clickable (page 1 of 1, the last page)
        return (R.render_library(docs, total, search), where, gr.update(choices=choices, value=None), page,
                gr.update(interactive=page > 1), gr.update(interactive=page < pages))

    def refresh(self, search: str | None = "", page: int | None = 1, order: str | None = "source"):
        """(view…, cleared upload results, cleared delete status)."""
        return (*self.view(search, page, order), "", "")

    def step(self, search: str | None, page: int | None, delta: int, order: str | None = "source"):
        return self.refresh(search, (page or 1) + delta, order)

    # -- uploads --------------------------------------------------------------------
    def _check(self, path: str) -> str | None:
        file = Path(path)
        if file.suffix.lower() not in L.ALLOWED_SUFFIXES:
            return L.UPLOAD_BAD_TYPE.format(allowed=" ".join(L.ALLOWED_SUFFIXES))
        size = file.stat().st_size
        if size > self.max_bytes:
            return L.UPLOAD_TOO_BIG.format(limit=f"{self.max_mb:g}")
        # subtle: only a small file is read here, to say "empty" in both languages; a larger one
        # that cleans down to nothing is still reported by ingest, in its own (English) words
        if size <= _BLANK_PROBE and not file.read_bytes().strip():
            return L.UPLOAD_EMPTY
        return None

    def _one(self, path: str, progress=None) -> tuple[str, object, str | None]:
        name = Path(path).name
        if problem := self._check(path):
            return name, None, problem
        try:
            return name, self.engine.upload(name, Path(path).read_bytes(), chunk_progress=progress), None
        except CorpusQAError as exc:
            return name, None, str(exc)
        except Exception:
            log.exception("upload of %s failed", name)
            return name, None, L.INTERNAL_ERROR

    def _replaces(self, path: str) -> bool:
        try:
            return self._check(path) is None and self.engine.would_replace(Path(path).name) is not None
        except Exception:  # the upload itself will report the problem
            return False

    def _each(self, paths: list[str], progress) -> list[tuple[str, object, str | None]]:
        """Upload each file, reporting "file i of n, chunk k of m" to ``progress`` (a ``gr.Progress``).

        subtle: embedding is the slow part (minutes for a few MB on a CPU), so the bar moves per
        stored batch of chunks; before the first batch it names the file being read and chunked.
        """
        results = []
        for i, path in enumerate(paths, 1):
            desc = L.UPLOAD_PROGRESS.format(name=Path(path).name, i=i, n=len(paths))
            progress(0, desc=desc)
            report = (lambda _name, done, total, desc=desc:
                      progress((done, total), desc=desc, unit=L.UPLOAD_PROGRESS_UNIT))
            results.append(self._one(path, report))
        return results

    def upload(self, paths: list[str] | str | None, search: str | None = "", page: int | None = 1,
               order: str | None = "source", progress=gr.Progress()):
        """Add new files at once; hold back those that would replace a document and ask first.

        Returns (results, view…, cleared file input, files awaiting confirmation, question box update).
        """
        paths = [paths] if isinstance(paths, str) else list(paths or [])
        held = [p for p in paths if self._replaces(p)]
        results = self._each([p for p in paths if p not in held], progress)
        return (R.render_upload_results(results) if results else "", *self.view(search, page, order), None,
                held, self._ask_replace(held))

    @staticmethod
    def _ask_replace(held: list[str]):
        if not held:
            return gr.update(visible=False, value="")
        names = ", ".join(Path(p).name for p in held)
        return gr.update(visible=True, value=R.render_question(L.REPLACE_ASK.format(names=names)))

    def replace(self, held: list[str] | None, search: str | None = "", page: int | None = 1,
                order: str | None = "source", progress=gr.Progress()):
        """The user confirmed: upload the held files over their namesakes. (results, view…, [], box)."""
        results = self._each(list(held or []), progress)
        return R.render_upload_results(results), *self.view(search, page, order), [], self._ask_replace([])

    def keep(self, held: list[str] | None):
        """The user declined: nothing is uploaded. (results, [], box)."""
        return R.render_kept([Path(p).name for p in held or []]), [], self._ask_replace([])

    # -- deletion -------------------------------------------------------------------
    def ask_delete(self, key: str | None):
        """First click: name the document (by its ``DocumentInfo.key``) and show the confirm button.
        (status, pending key, confirm row)."""
        info = self.engine.find(key) if key else None
        if info is None:
            message = L.DELETE_NONE if not key else L.DELETE_GONE
            return R.render_notice(message), None, gr.update(visible=False)
        ask = L.DELETE_ASK_FILE if info.on_disk else L.DELETE_ASK
        return R.render_question(ask.format(source=info.title or info.source)), key, gr.update(visible=True)

    def delete(self, key: str | None, search: str | None = "", page: int | None = 1, order: str | None = "source"):
        """Confirmed: delete. (status, view…, cleared upload results, pending key, hidden confirm row)."""
        status = self._remove(key) if key else R.render_notice(L.DELETE_NONE)
        return (status, *self.view(search, page, order), "", None, gr.update(visible=False))

    def _remove(self, key: str) -> str:
        try:
            info = self.engine.find(key)
            if info is None:
                return R.render_notice(L.DELETE_GONE)
            source, doc_id = info.source, info.doc_id
            removed = self.engine.delete(doc_id)
        except CorpusQAError as exc:
            return R.render_error(str(exc), L.FAILED_PREFIX)
        except Exception:
            log.exception("deleting %s failed", doc_id)
            return R.render_error(L.INTERNAL_ERROR, L.FAILED_PREFIX)
        if not removed:
            return R.render_notice(L.DELETE_MISSING.format(source=source))
        deleted = L.DELETED.format(source=source, n=removed, chunks=R.english_noun(removed, "chunk"))
        return f'<p class="cqa-ok">{R.escape_text(deleted)}</p>'
