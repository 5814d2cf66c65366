"""Measurement (prints numbers; not a test): how faithfully Simplified text reaches a 繁體 reader.

    PYTHONPATH=. .venv/bin/python benchmarks/hant_roundtrip.py [--shared ../shared]

DRCD is Taiwan Wikipedia text, so it can be its own reference: each sentence goes to the
canonical Simplified form (``to_canonical``) and back (``ingest.script._to_hant``, s2twp), and
the result is compared with the source. Printed for the product's conversion, for OpenCC
alone (without the product's overrides), and for OpenCC over jieba words one at a time (which
stops cross-word phrase matches such as 一|个中|国 → 一箇中國 but splits names whose OpenCC
phrase spans several jieba words: 朴槿惠 → 樸槿惠). Also lists every place the measure-word
rule (个 before 中) changes in the three qa-dev sets.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jieba  # noqa: E402

from ingest import script  # noqa: E402

SETS = ["drcd_test.json", "cmrc2018_trial.json", "xquad_dev.zh.json"]


def _paragraphs(path: Path) -> list[str]:
    return [p["context"] for a in json.loads(path.read_text(encoding="utf-8"))["data"] for p in a["paragraphs"]]


def _errors(got: str, want: str) -> int:
    ops = difflib.SequenceMatcher(None, got, want, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


ARMS = {
    "product": lambda simp: script._to_hant(simp, "s2twp"),
    "opencc alone": lambda simp: script._converter("s2twp").convert(simp),
    "opencc per jieba word": lambda simp: "".join(script._to_hant(w, "s2twp") for w in jieba.cut(simp, HMM=False)),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    dev = ap.parse_args().shared / "qa-dev"
    jieba.setLogLevel(60)
    sents = [s for p in _paragraphs(dev / SETS[0]) for s in re.split(r"(?<=[。！？])", p) if s.strip()]
    pairs = [(script.to_canonical(s), s) for s in sents]
    print(f"DRCD round trip: {len(pairs)} sentences, {sum(len(s) for _, s in pairs)} characters")
    for name, arm in ARMS.items():
        outs = [arm(simp) for simp, _ in pairs]
        wrong = sum(o != s for o, (_, s) in zip(outs, pairs))
        print(f"  {name:24s} sentences not as the source {wrong:5d}   character errors "
              f"{sum(_errors(o, s) for o, (_, s) in zip(outs, pairs)):5d}")
    for name in SETS:
        for para in _paragraphs(dev / name):
            simp = script.to_canonical(para)
            for m in script._MEASURE_GE.finditer(simp):
                window = slice(max(0, m.start() - 6), m.end() + 6)
                print(f"  measure-word rule, {name}: {script._converter('s2twp').convert(simp)[window]}"
                      f" -> {script._to_hant(simp, 's2twp')[window]}")


if __name__ == "__main__":
    main()
