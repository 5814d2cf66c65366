"""Ingest: load, clean, normalise script, chunk and embed documents.

The bottom layer: it knows files, text and models, never Chroma or the UI.
"""

from ingest.chunk import chunk, content_id, split_sentences
from ingest.clean import clean
from ingest.embeddings import DEFAULT_MODEL, IdentifiedEmbeddings, make_embeddings
from ingest.formats import ArticleColumns, Loaded
from ingest.loader import (SUPPORTED_SUFFIXES, file_id, find_files, folder_prefix, label, load_bytes,
                           load_documents, load_file, load_path, upload_id)
from ingest.pipeline import prepare
from ingest.script import SCRIPTS, detect_script, normalise, to_canonical, to_script, written_in
from ingest.vectorize import vectorise

__all__ = [
    "ArticleColumns",
    "DEFAULT_MODEL",
    "Loaded",
    "IdentifiedEmbeddings",
    "SCRIPTS",
    "SUPPORTED_SUFFIXES",
    "chunk",
    "clean",
    "content_id",
    "detect_script",
    "file_id",
    "find_files",
    "folder_prefix",
    "label",
    "load_bytes",
    "load_documents",
    "load_file",
    "load_path",
    "make_embeddings",
    "normalise",
    "prepare",
    "split_sentences",
    "to_canonical",
    "to_script",
    "upload_id",
    "vectorise",
    "written_in",
]
