"""The answer step's parts: features, the models fitted on data, and the short answer.

``features`` computes what the models look at (the asked type comes from ``asking``),
``model`` applies the weights ``fitting/fit_answer.py`` wrote to ``weights.json``.
The short answer is three stages: ``asking`` (what a question asks for), ``candidates``
(a sentence's candidate spans) and ``short`` (scoring them, fitted by ``fitting/fit_short.py`` into
``short_weights.json``); ``gloss`` gives English glosses of the span.
Nothing here retrieves or picks the answering sentence; ``rag.answer_extractive`` puts them to use.
"""
