"""Benchmark (prints numbers; not a test): MB/s of ``ingest.clean`` on tag-dense HTML.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_clean.py [--sizes 10000,100000] [--repeat 3]

Cleaning must be linear in the input (issue: 40k <br> took 345 s): MB/s should stay
roughly flat from 10 KB to 5 MB in every column. Sizes are bytes of UTF-8 HTML.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.clean import clean_text  # noqa: E402

SIZES = [10_000, 100_000, 1_000_000, 5_000_000]
# one repeating unit per kind of tag-dense page; short sentences so the cleaner keeps them
UNITS = {
    "br": "第{i}句话。<br>",
    "div>p>span": "<div><p><span>第{i}段</span>内容。</p></div>",
    "mix": ('<p>第{i}段<b>要闻</b>，<a href="/a/{i}">链接</a>。<br>次行。</p>'
            '<div style="display:none">隐藏</div><!-- c --><ul><li>列表项{i}。</li></ul>'),
}


def page(unit: str, size: int) -> str:
    """An HTML page of about ``size`` UTF-8 bytes made of numbered copies of ``unit``."""
    parts, total, i = [], 0, 0
    while total < size:
        part = unit.format(i=i)
        parts.append(part)
        total += len(part.encode())
        i += 1
    return "<html><head><title>基准</title></head><body>" + "".join(parts) + "</body></html>"


def mb_per_s(raw: str, repeat: int) -> float:
    best = min(_seconds(raw) for _ in range(repeat))
    return len(raw.encode()) / 1e6 / best


def _seconds(raw: str) -> float:
    start = time.perf_counter()
    clean_text(raw, html=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated sizes in bytes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell; the best is reported")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'size':>8} " + " ".join(f"{name + ' MB/s':>16}" for name in UNITS))
    for size in sizes:
        cells = [mb_per_s(page(unit, size), args.repeat) for unit in UNITS.values()]
        print(f"{_label(size):>8} " + " ".join(f"{cell:>16.2f}" for cell in cells), flush=True)


def _label(size: int) -> str:
    return f"{size / 1e6:g} MB" if size >= 1_000_000 else f"{size / 1e3:g} KB"


if __name__ == "__main__":
    main()
