"""Report: ``rag eval --html FILE`` — one self-contained HTML page of an evaluation run.

Owns: the page (inline CSS, inline SVG charts, no script, no external asset or link):
metrics per language against the vanilla-LangChain baseline as bars, the latency histogram
with p50/p95, P(answerable) for answerable vs unanswerable questions with the
abstention bar(s), the metrics table, and the failed questions with their answers. Every
string from the QA file or an answer is escaped.
Does not own: running the evaluation (``rag.evaluate``); it reads only that result dict.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone

__all__ = ["render_report"]

_GROUPS = ("overall", "zh-Hans", "zh-Hant", "en", "follow-up")
_METRICS = (("hit@1", "hit@1"), ("hit@5", "hit@5"), ("mrr", "MRR"))
_OURS, _BASE, _ANS, _UNANS, _BAR = "#1d4ed8", "#9ca3af", "#15803d", "#b91c1c", "#111827"
_CSS = """body{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;max-width:60rem;margin:1.5rem auto;
padding:0 1rem;color:#111827}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;
width:100%;font-size:.9rem}th,td{border-bottom:1px solid #d1d5db;padding:4px 6px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}svg{max-width:100%;height:auto}.muted{color:#4b5563}
.key span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em;vertical-align:middle}"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _num(value) -> str:
    return "-" if value is None else _e(value)


def _key(*items: tuple[str, str]) -> str:
    return '<p class="key">' + "".join(f'<span style="background:{c}"></span>{_e(t)}' for c, t in items) + "</p>"


def _svg(width: int, height: int, label: str, body: str) -> str:
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{_e(label)}"><title>{_e(label)}</title>{body}</svg>')


# -- metrics vs baseline ------------------------------------------------------------------
def _metric_bars(by_group: dict) -> str:
    groups = [g for g in _GROUPS if by_group.get(g, {}).get("n")]
    slot, height = 3 * 2 * 16 + 30, 200
    body = [f'<line x1="40" y1="{height - 30}" x2="{40 + slot * len(groups)}" y2="{height - 30}" stroke="#6b7280"/>']
    for tick in (0, 0.5, 1):
        y = height - 30 - tick * 150
        body.append(f'<text x="34" y="{y + 4}" font-size="10" text-anchor="end">{tick:g}</text>')
    for gi, name in enumerate(groups):
        g, base = by_group[name], by_group[name].get("baseline") or {}
        x0 = 46 + gi * slot
        for mi, (key, label) in enumerate(_METRICS):
            for bi, (value, colour, who) in enumerate(((g.get(key), _OURS, "Corpus QA"), (base.get(key), _BASE, "baseline"))):
                if value is None:
                    continue
                x, h = x0 + (mi * 2 + bi) * 16, float(value) * 150
                body.append(f'<rect class="bar" data-group="{_e(name)}" data-metric="{_e(key)}" data-who="{who}" '
                            f'x="{x}" y="{height - 30 - h:.1f}" width="14" height="{h:.1f}" fill="{colour}">'
                            f"<title>{_e(name)} {_e(label)} {who}: {_e(value)}</title></rect>")
            body.append(f'<text x="{x0 + mi * 32 + 15}" y="{height - 18}" font-size="9" text-anchor="middle">'
                        f"{_e(label)}</text>")
        body.append(f'<text x="{x0 + 46}" y="{height - 4}" font-size="11" text-anchor="middle" font-weight="600">'
                    f"{_e(name)}</text>")
    return _key((_OURS, "Corpus QA"), (_BASE, "baseline (vanilla LangChain)")) + _svg(
        60 + slot * len(groups), height, "retrieval metrics per language, Corpus QA vs baseline", "".join(body))


# -- histograms ---------------------------------------------------------------------------------
def _bins(values: list[float], lo: float, hi: float, n: int) -> list[int]:
    counts = [0] * n
    for v in values:
        counts[min(n - 1, max(0, int((v - lo) / ((hi - lo) or 1) * n)))] += 1
    return counts


def _histogram(series: list[tuple[str, str, list[float]]], label: str, unit: str,
               lines: list[tuple[float, str]] = (), n: int = 20) -> str:
    """Bars per series (side by side within a bin) and labelled vertical lines (p50, the bar…)."""
    values = [v for _, _, vs in series for v in vs] + [x for x, _ in lines]
    if not values:
        return '<p class="muted">no data</p>'
    lo, hi = min(values), max(values)
    lo, hi = (lo - 1, hi + 1) if lo == hi else (lo - (hi - lo) * 0.02, hi + (hi - lo) * 0.02)
    width, height, left, plot = 640, 220, 40, 580
    counts = [_bins(vs, lo, hi, n) for _, _, vs in series]
    top = max(max(c) for c in counts) or 1
    xs = lambda v: left + (v - lo) / (hi - lo) * plot  # noqa: E731 - a tiny scale
    bin_w = plot / n
    body = [f'<line x1="{left}" y1="{height - 30}" x2="{left + plot}" y2="{height - 30}" stroke="#6b7280"/>',
            f'<text x="{left - 6}" y="24" font-size="10" text-anchor="end">{top}</text>']
    for si, ((name, colour, _), c) in enumerate(zip(series, counts)):
        w = bin_w / len(series) - 1
        for i, k in enumerate(c):
            if k:
                h = k / top * 160
                body.append(f'<rect class="hist" data-series="{_e(name)}" x="{left + i * bin_w + si * (w + 1):.1f}" '
                            f'y="{height - 30 - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}">'
                            f"<title>{_e(name)}: {k}</title></rect>")
    for tick in (lo, (lo + hi) / 2, hi):
        body.append(f'<text x="{xs(tick):.1f}" y="{height - 16}" font-size="10" text-anchor="middle">'
                    f"{tick:.2f}{_e(unit)}</text>")
    for i, (x, text) in enumerate(lines):
        body.append(f'<line class="marker" x1="{xs(x):.1f}" y1="14" x2="{xs(x):.1f}" y2="{height - 30}" '
                    f'stroke="{_BAR}" stroke-dasharray="4 3"/><text x="{xs(x) + 3:.1f}" y="{14 + 12 * i}" '
                    f'font-size="10">{_e(text)}</text>')
    return _key(*((colour, name) for name, colour, _ in series)) + _svg(width, height, label, "".join(body))


def _latency(rows: list[dict], by_group: dict) -> str:
    overall = by_group.get("overall", {})
    lines = [(overall[k], f"{k[:3]} {overall[k]} ms") for k in ("p50_ms", "p95_ms") if overall.get(k) is not None]
    return _histogram([("questions", _OURS, [r["ms"] for r in rows if r.get("ms") is not None])],
                      "answer latency histogram (ms)", " ms", lines)


def _abstention(rows: list[dict]) -> str:
    scored = [r for r in rows if r.get("best_score") is not None]
    bars = sorted({r["bar"] for r in scored if r.get("bar") is not None})
    lines = [(bar, f"abstain below {bar:.3f}") for bar in bars]
    return _histogram([("answerable", _ANS, [r["best_score"] for r in scored if r["answerable"]]),
                       ("unanswerable", _UNANS, [r["best_score"] for r in scored if not r["answerable"]])],
                      "P(answerable), answerable vs unanswerable questions, with the fitted abstention bar", "", lines)


# -- tables -----------------------------------------------------------------------------------
def _metrics_table(by_group: dict) -> str:
    cols = [("n", "n"), ("hit@1", "hit@1"), ("hit@5", "hit@5"), ("mrr", "MRR"), ("accuracy", "acc"),
            ("abstained_unanswerable", "abst(unans)"), ("false_abstention", "false-abst"),
            ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms")]
    head = "".join(f'<th scope="col">{_e(label)}</th>' for _, label in cols)
    head += "".join(f'<th scope="col">base {_e(label)}</th>' for _, label in _METRICS)
    rows = []
    for name, g in by_group.items():
        base = g.get("baseline") or {}
        cells = "".join(f'<td class="n">{_num(g.get(k))}</td>' for k, _ in cols)
        cells += "".join(f'<td class="n">{_num(base.get(k))}</td>' for k, _ in _METRICS)
        rows.append(f'<tr data-group="{_e(name)}"><th scope="row">{_e(name)}</th>{cells}</tr>')
    return f'<table id="metrics"><thead><tr><th scope="col">group</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _failures(rows: list[dict], failures: list[dict]) -> str:
    if not failures:
        return '<p id="failures">none</p>'
    by_id = {r["id"]: r for r in rows}
    out = []
    for f in failures:
        r = by_id.get(f["id"], {})
        why = ("answered an unanswerable question" if not r.get("answerable", True) else
               "abstained" if f.get("abstained") else "answer lacks the expected keywords")
        out.append(f'<tr data-id="{_e(f["id"])}"><td>{_e(f["id"])}</td><td>{_e(r.get("lang"))}</td>'
                   f'<td>{_e(f["question"])}</td><td class="n">{_num(f.get("rank"))}</td><td>{_e(why)}</td>'
                   f'<td>{_e(f["answer"])}</td></tr>')
    return ('<table id="failures"><thead><tr><th scope="col">id</th><th scope="col">lang</th><th scope="col">question</th>'
            '<th scope="col">rank</th><th scope="col">why</th><th scope="col">answer</th></tr></thead>'
            f'<tbody>{"".join(out)}</tbody></table>')


def render_report(result: dict, qa_file: str = "") -> str:
    """The whole page for one ``rag.evaluate.evaluate`` result."""
    rows, groups = result.get("rows", []), result.get("by_group", {})
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        ("metrics-chart", "Retrieval per language vs the baseline", _metric_bars(groups)),
        ("latency", "Latency", _latency(rows, groups)),
        ("abstention", "Abstention vs score", _abstention(rows)),
        ("metrics-table", "All metrics", _metrics_table(groups)),
        ("failed", f"Failed questions ({len(result.get('failures', []))})", _failures(rows, result.get("failures", []))),
    ]
    body = "".join(f'<section id="{sid}"><h2>{_e(title)}</h2>{content}</section>' for sid, title, content in sections)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Corpus QA evaluation</title>'
            f"<style>{_CSS}</style></head><body><h1>Corpus QA evaluation</h1>"
            f'<p class="muted">answerer: {_e(result.get("answerer"))} · questions: {_e(result.get("questions"))} · '
            f"{_e(qa_file)} · {_e(when)}</p>{body}</body></html>")
