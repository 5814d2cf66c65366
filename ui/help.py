"""Help: the app's own ``/help`` page (README's "Generated answers with an LLM" section) and
the key that keeps conversations saved in the browser readable across server restarts.

Owns: finding that README section (so the "How to set one up" link under English answers
leads somewhere real without internet access), deciding where the link points (``DOCS_URL``;
only a relative path or an http(s) URL), and the conversation-store secret: ``UI_STATE_SECRET``,
else a key generated once into ``<VECTORSTORE_DIR>/ui-secret`` with mode 0600.
Does not own: layout (``ui.web``), the saved conversations themselves (``ui.history``).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from rag import Settings

__all__ = ["HELP_PATH", "llm_section", "docs_url", "state_secret"]

log = logging.getLogger(__name__)
HELP_PATH = "help"
README = Path(__file__).resolve().parents[1] / "README.md"
_HEADING = "## Generated answers with an LLM"
# subtle: an installed wheel has no README beside it; the page still says where to look
_FALLBACK = ("## Generated answers with an LLM\n\nSet `LLM_BASE_URL`, `LLM_MODEL` and (if the endpoint "
             "needs one) `LLM_API_KEY` in `.env` — any OpenAI-compatible `/v1/chat/completions` server "
             "(DeepSeek, Ollama, vLLM) works. `.env.example` documents every setting.")


def llm_section(readme: Path = README) -> str:
    """The README's LLM section as Markdown (heading included), up to the next ``## `` heading."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return _FALLBACK
    start = text.find(_HEADING)
    if start < 0:
        return _FALLBACK
    end = text.find("\n## ", start + len(_HEADING))
    return text[start:end if end >= 0 else None].strip()


def docs_url(settings: Settings) -> str:
    """``DOCS_URL`` if it is a relative path or an http(s) URL; anything else falls back to /help."""
    url = (settings.docs_url or "").strip()
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc or (url and not parts.scheme and not parts.netloc
                                                              and not re.search(r"[\s\"'<>\\]", url)):
        return url
    log.warning("DOCS_URL=%r is not a relative path or an http(s) URL; using %s", url, HELP_PATH)
    return HELP_PATH


def state_secret(settings: Settings) -> str:
    """The key encrypting saved conversations; the same on every start of this data dir."""
    given = settings.ui_state_secret.get_secret_value()
    if given:
        return given
    path = Path(settings.vectorstore_dir) / "ui-secret"
    try:
        return _read_or_create(path)
    except OSError as exc:  # e.g. a read-only index: conversations then last one server run
        log.warning("cannot keep the conversation key in %s (%s); saved conversations will not survive a "
                    "restart — set UI_STATE_SECRET", path, exc.strerror or exc)
        return secrets.token_urlsafe(32)


def _read_or_create(path: Path) -> str:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another start (or process) made it first: use theirs
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key
