"""Fixtures for the LLM tests: the session's index (``tests/conftest.py``) and the API test double.

Every test builds its own ``Engine`` over the shared, read-only index with the settings
it needs (the LLM model name selects the double's scripted scenario), sharing the
embedding model and the Chroma client so an Engine costs milliseconds.
"""

from __future__ import annotations

import pytest

from rag import Engine, Settings
from rag.index.vectors import ChromaTarget, open_client
from tests.conftest import CORPUS
from tests.llm.fake_openai import TEST_API_KEY, FakeOpenAI


@pytest.fixture(scope="session")
def llm_client(built_index):
    return open_client(ChromaTarget(path=str(built_index)))


@pytest.fixture(scope="session")
def api():
    double = FakeOpenAI().start()
    yield double
    double.stop()


@pytest.fixture
def make_engine(built_index, embeddings, llm_client, api):
    """``make_engine("scenario", llm_timeout=1, ...)`` → an Engine whose LLM is the double;
    ``make_engine(None)`` → no LLM configured."""
    def make(model: str | None, **overrides) -> Engine:
        values = dict(vectorstore_dir=built_index, corpus_dir=CORPUS,
                      llm_base_url=api.base_url if model else "", llm_model=model or "",
                      llm_api_key=TEST_API_KEY, llm_timeout=2)
        return Engine(Settings(_env_file=None, **(values | overrides)), embeddings=embeddings, client=llm_client)

    return make
