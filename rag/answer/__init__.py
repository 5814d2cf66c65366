"""The answer step's fitted parts: features and the models fitted on data.

``features`` computes what the models look at (answer types come from
``rag.short_answer``), ``model`` applies the weights ``fitting/fit_answer.py`` wrote to ``weights.json``.
Nothing here retrieves or displays; ``rag.answer_extractive`` puts them to use.
"""
