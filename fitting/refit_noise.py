"""How much a refit moves the eval rows on its own: the answer step refit on a random share of
its fitting questions left out, several times, each measured on the same held-out questions.

Run from the repository root, after ``python fitting/fit_answer.py --dump rows.pkl`` (the
features of every question, collected once):
    python fitting/refit_noise.py rows.pkl [--rounds 3] [--drop 0.05] [--bags N] [--report PATH]
    python fitting/refit_noise.py rows.pkl --against changed.pkl     # a change, judged in pairs

Each round leaves out a seeded ``--drop`` share of the fitting questions (never an eval one)
and refits everything ``fit_answer.fit`` fits: sentence models, ranker and its C, the
answerable trees, the near-miss weight and the bars. Printed per eval set (the questions
``rag eval --squad`` asks at seed 0, and the held-out 30 % of ``tests/qa``), in questions: the
first cited sentence holds the answer (1st), any cited one does (any), false abstentions
(fabst), held-out questions abstained (held); and each round's net against the fit on all the
fitting questions (gained − lost, a false abstention counted as lost). A change to the answer
step whose net is inside this spread cannot be told from a refit of the same code.

``--against`` takes a second dump, collected with a change to the features (same questions),
and fits both on the same questions in every round (all of them, then each seeded drop): the
change's net in each round is paired, so the refit's own noise largely cancels, and the
mean ± standard error over the rounds says whether the change shows through it.
"""

from __future__ import annotations

import argparse
import pickle
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fitting import abstention  # noqa: E402
from fitting.fit_answer import MAX_CITED, MAX_FALSE_ABSTENTION, fit, metrics  # noqa: E402


def counts(rows: list[dict], w: dict) -> dict[str, tuple[int, int, int, int]]:
    """Per eval set: (first sentence right, any sentence right, false abstentions, held-out abstained)."""
    out = {}
    for name in sorted({r["set"] for r in rows}):
        group = [r for r in rows if r["set"] == name and r["eval"]]
        m = metrics(group, w["answer_bar"], w["extra_bar"], w["max_sentences"])
        n, held = m["n"], m["held"]
        out[name] = (round(m["acc@1st"] * n), round(m["acc"] * n), round(m["false-abst"] * n),
                     round(m["abst(held)"] * held) if held else 0)
    return out


def net(base: tuple, new: tuple) -> int:
    return (new[0] - base[0]) + (new[1] - base[1]) - (new[2] - base[2]) + (new[3] - base[3])


def refit(dump: Path, drop: float, seed: int, bags: int) -> tuple[dict[str, tuple], dict]:
    # subtle: a fresh load per round — fitting writes into the rows (masked type features, scores)
    with open(dump, "rb") as f:
        rows = pickle.load(f)
    rng = random.Random(seed)
    keep = [r for r in rows if r["eval"] or rng.random() >= drop]
    w = fit(keep, MAX_FALSE_ABSTENTION, MAX_CITED, bags)
    return counts(keep, w), w


def rounds(dump: Path, n: int, drop: float, bags: int) -> list[tuple[str, dict, dict]]:
    """(label, counts per eval set, weights) for the fit on every question, then ``n`` drop rounds."""
    return [("all", *refit(dump, 0.0, 0, bags))] + [(f"drop {s}", *refit(dump, drop, s, bags))
                                                    for s in range(1, n + 1)]


def noise_table(runs: list[tuple[str, dict, dict]]) -> list[str]:
    base = runs[0][1]
    lines = [f"{'fit':8} {'set':9} {'1st':>4} {'any':>4} {'fabst':>5} {'held':>4} {'net':>4}   bars, near-miss weight, ranker C"]
    for label, c, w in runs:
        for i, (name, v) in enumerate(c.items()):
            bars = " ".join(f"{lang} {bar:.3f}" for lang, bar in sorted(w["answer_bar"].items(), reverse=True))
            tail = f"   {bars}, {w['near_miss_weight']}, {w['sentence_c']}" if i == 0 else ""
            lines.append(f"{label:8} {name:9} {v[0]:4d} {v[1]:4d} {v[2]:5d} {v[3]:4d} {net(base[name], v):+4d}{tail}")
        if label != "all":
            spread = sum(abs(net(base[k], v)) for k, v in c.items())
            lines.append(f"{label:8} {'total':9} {'':>4} {'':>4} {'':>5} {'':>4} "
                         f"{sum(net(base[k], v) for k, v in c.items()):+4d}   (sum of |net| per set: {spread})")
    return lines


def paired_table(base: list[tuple[str, dict, dict]], change: list[tuple[str, dict, dict]]) -> list[str]:
    """Per round, the change's net against the base fitted on the same questions; then their mean."""
    names = list(base[0][1])
    lines = [f"{'fit':8} " + " ".join(f"{n:>9}" for n in names) + f" {'total':>6}"]
    totals = []
    for (label, a, _), (_, b, _) in zip(base, change):
        nets = [net(a[n], b[n]) for n in names]
        totals.append(sum(nets))
        lines.append(f"{label:8} " + " ".join(f"{x:+9d}" for x in nets) + f" {totals[-1]:+6d}")
    mean = statistics.fmean(totals)
    se = statistics.stdev(totals) / len(totals) ** 0.5 if len(totals) > 1 else 0.0
    return lines + [f"change's net over {len(totals)} paired fits: {mean:+.1f} ± {se:.1f} (standard error)"]


def same_questions(a: Path, b: Path) -> bool:
    keys = []
    for dump in (a, b):
        with open(dump, "rb") as f:
            keys.append([(r["set"], r["id"], r["eval"]) for r in pickle.load(f)])
    return keys[0] == keys[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dump", type=Path, help="rows pickled by fit_answer.py --dump")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--drop", type=float, default=0.05)
    ap.add_argument("--bags", type=int, default=abstention.BAGS, help="bootstrap replicates of the answerable trees")
    ap.add_argument("--against", type=Path, default=None, help="a dump of the same questions with a change")
    ap.add_argument("--report", type=Path, default=None, help="also write the printed report here")
    args = ap.parse_args(argv)
    if not 0 < args.drop < 1 or args.rounds < 0 or args.bags < 1:
        ap.error(f"--drop must be between 0 and 1 (got {args.drop}), --rounds at least 0 (got {args.rounds}) "
                 f"and --bags at least 1 (got {args.bags})")
    for dump in filter(None, (args.dump, args.against)):
        if not dump.is_file():
            ap.error(f"{dump} is not a file; write one with `python fitting/fit_answer.py --dump {dump}`")
    if args.against and not same_questions(args.dump, args.against):
        ap.error(f"{args.dump} and {args.against} hold different questions; dump both from the same sets and sample")
    runs = rounds(args.dump, args.rounds, args.drop, args.bags)
    changed = rounds(args.against, args.rounds, args.drop, args.bags) if args.against else None
    lines = [f"refit noise: {args.rounds} rounds, {args.drop:.0%} of the fitting questions left out, "
             f"answerable trees averaged over {args.bags} bootstrap replicate(s)", *noise_table(runs)]
    if changed:
        lines += ["", f"{args.against} against {args.dump}, fitted on the same questions in each round:",
                  *paired_table(runs, changed)]
    text = "\n".join(lines)
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
