"""Front ends: the ``rag`` command line (``ui.cli``) and the web chat (``ui.web``).

The outer layer: it talks only to ``rag`` (never to chromadb or ``ingest``), and turns
``CorpusQAError``s into one-line messages.
"""

__all__: list[str] = []
