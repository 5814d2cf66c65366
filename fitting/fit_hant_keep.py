"""Fit which of OpenCC's Taiwan phrases a 繁體 reader should not get: writes ingest/hant_keep.tsv.

    PYTHONPATH=. python fitting/fit_hant_keep.py [--shared ../shared]   # + fitting/fit_hant_keep.txt

s2twp renders Simplified text with Taiwan vocabulary (芯片→晶片, 软件→軟體), but its phrase
table also maps everyday words to their computing sense: 对象 (target, partner) → 物件 (an
object in code), 支持 (support a cause) → 支援, 项目 → 專案, 类型 → 型別. Which of them a
Taiwan writer actually uses is a matter of data. DRCD is Taiwan Wikipedia text: every sentence
is taken to the canonical Simplified form the product stores (``to_canonical``), and for each
jieba word whose s2twp rendering differs from the plain character conversion (s2tw), the
sentence is counted for the plain form when the source has it and not the phrase, and for the
phrase in the reverse case. A word is kept plain when the source uses the plain form at least
``RATIO`` times as often as the phrase, in at least ``MIN_SENTENCES`` sentences.

Check: two folds over DRCD's articles (even / odd): the words chosen on one fold, applied to
the other, against none — character errors of the round trip (source → Simplified → 繁體).
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jieba  # noqa: E402

from ingest import script  # noqa: E402

RATIO = 2
MIN_SENTENCES = 8
OUT = Path(__file__).resolve().parents[1] / "ingest" / "hant_keep.tsv"


def _articles(shared: Path) -> list[list[str]]:
    data = json.loads((shared / "qa-dev" / "drcd_test.json").read_text(encoding="utf-8"))["data"]
    return [[s for p in a["paragraphs"] for s in re.split(r"(?<=[。！？])", p["context"]) if s.strip()]
            for a in data]


def count(sentences: list[str]) -> tuple[collections.Counter, collections.Counter, dict[str, tuple[str, str]]]:
    plain, phrase, forms = collections.Counter(), collections.Counter(), {}
    for source in sentences:
        for word in set(jieba.cut(script.to_canonical(source), HMM=False)):
            a, b = script._converter("s2tw").convert(word), script.convert_hant(word, "s2twp", {})
            if a == b:
                continue
            forms[word] = (a, b)
            if a in source and b not in source:
                plain[word] += 1
            elif b in source and a not in source:
                phrase[word] += 1
    return plain, phrase, forms


def choose(plain, phrase) -> list[str]:
    return sorted((w for w in plain if plain[w] >= MIN_SENTENCES and plain[w] >= RATIO * phrase[w]),
                  key=lambda w: (-plain[w], w))


def errors(sentences: list[str], keep: dict[str, str]) -> int:
    total = 0
    for source in sentences:
        got = script.convert_hant(script.to_canonical(source), "s2twp", keep)
        ops = difflib.SequenceMatcher(None, got, source, autojunk=False).get_opcodes()
        total += sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    jieba.setLogLevel(60)
    articles = _articles(ap.parse_args().shared)
    lines = [f"DRCD: {len(articles)} articles, {sum(map(len, articles))} sentences; "
             f"keep plain when plain >= {RATIO} x phrase and plain >= {MIN_SENTENCES} sentences"]
    for fold in (0, 1):
        fit = [s for i, a in enumerate(articles) if i % 2 == fold for s in a]
        held = [s for i, a in enumerate(articles) if i % 2 != fold for s in a]
        plain, phrase, forms = count(fit)
        keep = {w: forms[w][0] for w in choose(plain, phrase)}
        lines.append(f"fold {fold}: {len(keep)} words fitted; held-out character errors "
                     f"{errors(held, {})} with none -> {errors(held, keep)} with them ({' '.join(keep)})")
    plain, phrase, forms = count([s for a in articles for s in a])
    chosen = choose(plain, phrase)
    lines.append("all DRCD: word  plain  s2twp  source-uses-plain  source-uses-s2twp")
    lines += [f"  {w}\t{forms[w][0]}\t{forms[w][1]}\t{plain[w]}\t{phrase[w]}" for w in chosen]
    OUT.write_text("# simplified\t繁體 kept plain — written by fitting/fit_hant_keep.py; do not edit\n"
                   + "".join(f"{w}\t{forms[w][0]}\n" for w in chosen), encoding="utf-8")
    report = "\n".join(lines) + "\n"
    Path(__file__).with_suffix(".txt").write_text(report, encoding="utf-8")
    print(report, end="")


if __name__ == "__main__":
    main()
