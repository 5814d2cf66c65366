"""The answer step's fitted parts: features, answer types and the models fitted on data.

``features`` computes what the models look at, ``types`` the answer types of questions and
sentences, ``model`` applies the weights ``fitting/fit_answer.py`` wrote to ``weights.json``.
Nothing here retrieves or displays; ``rag.answer_extractive`` puts them to use.
"""
