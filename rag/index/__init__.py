"""The index: chunk vectors in Chroma (``vectors``), texts/BM25/sentence vectors in SQLite
(``catalog``), the tokenizer and term statistics (``lexical``), and the ``store`` that keeps
them consistent. Only ``rag`` imports this package; the UI never does.
"""
