"""A small, fixed sample of real passages and questions from /work/shared/qa-dev (SQuAD JSON).

``cmrc``: Chinese passages with one Chinese question each (gold = its passage).
``xquad``: Chinese passages with the parallel *English* question (cross-lingual, as the
product's English questions over Chinese news).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

QA_DEV = Path(os.environ.get("QA_DEV_DIR", "/work/shared/qa-dev"))


def _paragraphs(name: str) -> list[dict]:
    data = json.loads((QA_DEV / name).read_text(encoding="utf-8"))["data"]
    return [p for article in data for p in article["paragraphs"] if p["qas"]]


def cmrc(n: int = 200) -> tuple[list[str], list[str]]:
    """(passages, questions); question i is about passage i."""
    paras = _paragraphs("cmrc2018_trial.json")[:n]
    return [p["context"] for p in paras], [p["qas"][0]["question"] for p in paras]


def xquad(n: int = 120) -> tuple[list[str], list[str]]:
    """(Chinese passages, English questions); the two files are parallel by question id."""
    zh = _paragraphs("xquad_dev.zh.json")[:n]
    en = {q["id"]: q["question"] for p in _paragraphs("xquad_dev.en.json") for q in p["qas"]}
    return [p["context"] for p in zh], [en[p["qas"][0]["id"]] for p in zh]
