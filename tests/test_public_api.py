"""The public surface is small and pinned; layers only import downwards."""

import ast
from pathlib import Path

import pytest

import ingest
import rag
from rag import Answer, Citation

ROOT = Path(__file__).resolve().parents[1]


def test_rag_exports():
    assert sorted(rag.__all__) == sorted([
        "Answer", "Article", "Citation", "ConfigError", "CorpusNotFoundError", "CorpusQAError", "DocumentInfo",
        "EN_NEEDS_LLM", "EmptyCorpusError", "Engine", "FeedbackStore", "FileTooLargeError", "IngestReport", "LLMError",
        "ModelMismatchError", "QuestionError", "Settings", "StoreBusyError", "StoreError", "UnreadableFileError",
        "UnsupportedFileError", "get_engine", "query", "stream", "validate_question",
    ])


def test_ingest_exports():
    assert sorted(ingest.__all__) == sorted([
        "ArticleColumns", "DEFAULT_MODEL", "IdentifiedEmbeddings", "Loaded", "load_documents", "load_path", "SCRIPTS", "SUPPORTED_SUFFIXES", "chunk", "clean",
        "content_id", "detect_script", "file_id", "find_files", "folder_prefix", "label", "load_bytes",
        "load_file", "make_embeddings", "normalise", "prepare", "split_sentences", "to_canonical", "to_script",
        "upload_id", "vectorise", "written_in",
    ])


def test_answer_and_citation_field_names_are_the_contract():
    assert {"answer", "citations", "script", "abstained"} <= set(Answer.__dataclass_fields__)
    assert {"n", "source", "title", "url", "published", "text", "score"} <= set(Citation.__dataclass_fields__)


def _imports(package: str) -> set[str]:
    names = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "package,forbidden",
    [("ui", {"chromadb", "langchain_chroma", "ingest"}), ("rag", {"ui"}), ("ingest", {"rag", "ui", "chromadb"})],
)
def test_layers_only_import_downwards(package, forbidden):
    assert not _imports(package) & forbidden


def test_importing_the_product_does_not_load_pinyin():
    # subtle: pypinyin's phrase table is 0.3 s of every process's cold start; only English
    # glosses and ingest's romanised names need it, and they import it when they do.
    import subprocess
    import sys

    code = "import sys, rag.engine, ui.cli; print('pypinyin' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
