"""Answer features on the real bundled index: one row per quotable sentence, context kept."""

from __future__ import annotations

import numpy as np
import pytest

from ingest import to_canonical
from rag.answer.features import (MIN_CHARS, SENTENCE_FEATURES, _bigrams, _coverage, _focus,
                                 _missing, _untitled, gather, unmatched)


def _evidence(engine, question: str):
    inputs = engine.prepare(question)
    docs = engine.retriever.invoke(inputs["query"])
    return docs, gather(inputs["query"], to_canonical(inputs["query"]), docs, inputs["script"],
                        engine.store, engine.lexical)


def test_one_row_per_quotable_sentence_with_its_context(engine):
    docs, ev = _evidence(engine, "梁文锋毕业于哪所大学？")
    assert ev.X.shape == (len(ev.candidates), len(SENTENCE_FEATURES)) and np.isfinite(ev.X).all()
    assert all(len(c.canonical) >= MIN_CHARS for c in ev.candidates)
    assert len(ev.context) == len(ev.candidates) and ev.kind == "org" and ev.lang == "zh"
    col = dict(zip(SENTENCE_FEATURES, ev.X.T))
    best = int(np.argmax(col["cov"]))
    assert "浙江大学" in ev.candidates[best].canonical        # the sentence naming both terms covers most
    assert col["sim_rel"].max() == 0 and col["cov_rel"].max() == 0


def test_english_question_is_marked_for_its_own_bar(engine):
    _, ev = _evidence(engine, "Which university did Liang Wenfeng graduate from?")
    assert ev.lang == "en" and ev.X[:, SENTENCE_FEATURES.index("en")].all()


@pytest.mark.parametrize("question,expected", [
    ("", set()), ("？？", set()), ("梁文锋毕业于哪所大学", {"毕业", "业于", "大学"}),
    ("谁", set()),
])
def test_focus_is_the_words_around_the_question_word(question, expected):
    assert expected <= _focus(question) and (expected or not _focus(question))


@pytest.mark.parametrize("text", ["", "abc", "谁"])
def test_bigrams_of_text_without_han_pairs_are_empty(text):
    assert _bigrams(text) == set()


@pytest.mark.parametrize("weights,text,expected", [
    ({}, "任何文字", 0.0),                                           # a question without terms lacks nothing
    ({"韩国": 4.0, "政府": 1.0, "禁止": 2.0}, "", 1.0),              # empty context lacks everything
    ({"韩国": 4.0, "政府": 1.0, "禁止": 2.0}, "台湾政府禁止公务机关使用", 1.0),   # the rarest term is the one missing
    ({"韩国": 4.0, "政府": 1.0, "禁止": 2.0}, "韩国政府宣布", 0.5),
    ({"韩国": 4.0, "政府": 1.0, "禁止": 2.0}, "韩国政府禁止", 0.0),
])
def test_missing_is_the_most_specific_term_the_context_lacks(weights, text, expected):
    assert _missing(weights, text) == pytest.approx(expected)


@pytest.mark.parametrize("question,expected", [
    ("asdf", True), ("？", True),                  # no term at all is no term the corpus has
    ("梁文锋毕业于哪所大学？", False), ("Who founded DeepSeek?", False),
    ("Where did Liang Wenfeng study?", False),     # a name the corpus writes in Han, by its pinyin
])
def test_unmatched_is_a_question_none_of_whose_terms_the_corpus_has(engine, question, expected):
    _, ev = _evidence(engine, question)
    assert unmatched(ev.constants) is expected


def test_sentence_from_the_wrong_country_lacks_the_question_s_most_specific_term(engine):
    _, ev = _evidence(engine, "韓國政府是什麼時候禁止公務機關使用DeepSeek的？")
    col = dict(zip(SENTENCE_FEATURES, ev.X.T))
    taiwan = [i for i, c in enumerate(ev.candidates) if "台湾政府" in c.canonical and "韩国" not in c.canonical]
    assert taiwan and all(col["miss_ctx"][i] > 0.5 for i in taiwan)


_PROBE = """
import hashlib, sys
from ingest import make_embeddings, to_canonical
from rag import Engine, Settings
from rag.answer.features import gather
engine = Engine(Settings(vectorstore_dir=sys.argv[1], corpus_dir=sys.argv[2]), embeddings=make_embeddings())
for q in sys.argv[3:]:
    inputs = engine.prepare(q)
    docs = engine.retriever.invoke(inputs["query"])
    ev = gather(inputs["query"], to_canonical(inputs["query"]), docs, inputs["script"], engine.store, engine.lexical)
    print(hashlib.sha256(ev.X.tobytes() + ev.constants.tobytes()).hexdigest()[:16], engine.query(q).abstained)
"""


@pytest.mark.slow
def test_features_do_not_depend_on_the_process_hash_seed(built_index, corpus_dir):
    # subtle: a feature summed over a set's iteration order moves by one ulp between processes,
    # and a fitted tree threshold sitting on that value flipped an abstention (tests/qa un-08).
    import os
    import subprocess
    import sys
    questions = ["How many daily active users does the DeepSeek app have?", "DeepSeek训练V3用了多少块H800？",
                 "根據公開資料，DeepSeek-R1模型有多少個參數？"]
    outputs = {subprocess.run([sys.executable, "-c", _PROBE, str(built_index), str(corpus_dir), *questions],
                              capture_output=True, text=True, check=True, timeout=300,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("0", "1", "2")}
    assert len(outputs) == 1, outputs


NONG_NOOCH = {"萱侬律": 3.0, "占地": 2.0, "面积": 1.0}     # 萱侬律占地面积多大？


@pytest.mark.parametrize("title,sentence,expected", [
    # the lead sentence names the article's subject and nothing else the question asks
    ("萱侬律", "萱侬律位于泰国的春武里府。", 0.0),
    ("萱侬律", "它是一个占地约两平方公里的热带植物公园。", 2 / 3),
    ("", "萱侬律位于泰国的春武里府。", 0.5),                      # no title: plain coverage
    ("萱侬律的占地面积", "萱侬律占地很大。", 0.0),                  # the title holds every term
    ("萱侬律", "", 0.0),
])
def test_coverage_of_what_the_title_does_not_say(title, sentence, expected):
    assert _coverage(_untitled(NONG_NOOCH, title), sentence) == pytest.approx(expected)
