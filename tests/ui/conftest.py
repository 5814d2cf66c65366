"""Fixtures for the web chat: one real engine + app per session, a headless Chromium, screenshots.

The app runs in this process (Gradio's server thread) on a free loopback port, over a
private copy of the session's built index, so uploads and deletions never touch the
read-only ``engine`` other tests use.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

_SCREENSHOTS: list[Path] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(app, settings, **extra) -> str:
    """Launch ``app`` on a free loopback port in a background thread; returns its URL."""
    from ui.web import launch

    port = free_port()
    launch(app, settings, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True, **extra)
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session")
def ui_settings(built_index, tmp_path_factory, corpus_dir):
    from rag import Settings

    path = tmp_path_factory.mktemp("ui") / "vectorstore"
    shutil.copytree(built_index, path)
    return Settings(vectorstore_dir=path, corpus_dir=corpus_dir, upload_max_mb=0.05)


@pytest.fixture(scope="session")
def ui_engine(ui_settings, embeddings):
    from rag import Engine

    engine = Engine(ui_settings, embeddings=embeddings)
    engine.ensure_index()
    return engine


@pytest.fixture(scope="session")
def app_url(ui_engine, ui_settings):
    from ui.web import build_app

    app = build_app(ui_engine, ui_settings)
    url = start(app, ui_settings)
    yield url
    app.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh browser session (so a fresh chat) on the app; records any JS dialog."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(app_url)
    pg.wait_for_selector("#cqa-question textarea", timeout=30_000)
    yield pg
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def save_screenshot(pg, directory: Path, name: str) -> Path:
    path = directory / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    _SCREENSHOTS.append(path)
    print(f"screenshot: {path}")
    return path


def pytest_terminal_summary(terminalreporter):
    if _SCREENSHOTS:
        terminalreporter.write_sep("-", "web chat screenshots")
        for path in _SCREENSHOTS:
            terminalreporter.write_line(str(path))
