"""Evaluation: run the QA set through the engine and a vanilla LangChain baseline.

Owns: reading ``qa.jsonl``, the grading rule (every keyword of one inner list appears
in the answer, compared in Simplified, case-insensitive, thousands separators removed),
and the metrics per language: hit@1, hit@5, MRR, answer accuracy, abstention accuracy,
false-abstention rate, p50/p95 latency; per question (``rows``) the outcome, latency,
answer, the answerer that gave it (and its notice) and best sentence similarity next to the abstention bar;
how many answers fell back from the evaluated answerer (``fell_back``, an error when all did);
the same retrieval metrics for the baseline
(RecursiveCharacterTextSplitter defaults + the same embeddings + Chroma top-4 on the
raw files, no cleaning or script normalisation).
Does not own: answering (``rag.engine``).
"""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

from langchain_chroma import Chroma
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest import ArticleColumns, find_files, load_path, to_canonical
from ingest.errors import ConfigError, EvalDataError, LLMError
from rag.index.vectors import open_ephemeral_client

__all__ = ["load_qa", "is_correct", "evaluate", "format_table", "rank_of", "retrieval_metrics",
           "answer_metrics", "build_baseline", "baseline_rows", "mean", "table", "fallbacks", "answerer_line"]

_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3})")
LANGS = ("zh-Hans", "zh-Hant", "en")


_QA_SHAPE = ("expected one JSON object per line with id, question, lang, answers (lists of keywords), "
             "sources (file names), answerable and optionally history (earlier questions), "
             "as in tests/qa/qa.jsonl")
# field → (check, what it must be); history is optional
_QA_FIELDS = {
    "question": (lambda v: isinstance(v, str) and v.strip(), "a non-empty string"),
    "id": (lambda v: isinstance(v, str) and v.strip(), "a non-empty string"),
    "lang": (lambda v: isinstance(v, str), "a string (zh-Hans, zh-Hant or en)"),
    "answers": (lambda v: isinstance(v, list) and all(isinstance(g, list) and all(isinstance(k, str) for k in g)
                                                      for g in v), "a list of lists of strings"),
    "sources": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of strings"),
    "answerable": (lambda v: isinstance(v, bool), "true or false"),
}


def load_qa(path: Path) -> list[dict]:
    """The QA set, one item per non-blank line; a user-facing error naming the line if one is unusable."""
    path = Path(path)
    if not path.is_file():
        raise EvalDataError(f"QA file not found: {path}. Pass --qa-file with a JSON-lines QA file "
                            "such as tests/qa/qa.jsonl.")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalDataError(f"Cannot read the QA file {path} ({type(exc).__name__}); {_QA_SHAPE}.") from None
    items = [_qa_item(path, n, line) for n, line in enumerate(lines, 1) if line.strip()]
    if not items:
        raise EvalDataError(f"There are no questions in {path}; {_QA_SHAPE}.")
    return items


def _qa_item(path: Path, n: int, line: str) -> dict:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EvalDataError(f"{path} line {n} is not JSON ({exc.msg}); {_QA_SHAPE}.") from None
    if not isinstance(item, dict):
        raise EvalDataError(f"{path} line {n} is not a JSON object; {_QA_SHAPE}.")
    for name, (ok, what) in _QA_FIELDS.items():
        if name not in item or not ok(item[name]):
            problem = "has no" if name not in item else "has an unusable"
            raise EvalDataError(f"{path} line {n} {problem} \"{name}\" (must be {what}); {_QA_SHAPE}.")
    history = item.get("history")
    if history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
        raise EvalDataError(f"{path} line {n} has an unusable \"history\" (must be a list of strings); {_QA_SHAPE}.")
    return item


def _norm(text: str) -> str:
    return _THOUSANDS.sub("", to_canonical(text)).lower()


def is_correct(answer: str, answers: list[list[str]]) -> bool:
    text = _norm(answer)
    return any(all(_norm(k) in text for k in group) for group in answers)


def rank_of(sources: list[str], gold: list[str]) -> int | None:
    """0-based position of the first retrieved passage from a gold source, None if absent."""
    return next((i for i, s in enumerate(sources) if s in gold), None)


def _best_similarity(engine, item: dict) -> tuple[float | None, float | None]:
    """(P(answerable) of the extractive models, the fitted bar it is compared with) for the report.

    subtle: abstained answers cite nothing, so citation scores cannot show how well the bar
    separates answerable from unanswerable questions; this re-assesses the retrieved passages
    with the extractive answerer (the quantity its bar applies to). Outside the timed call.
    """
    try:
        inputs = engine.retrieval.invoke(engine.prepare(item["question"], history=item.get("history")))
        a = engine.extractive.assess(inputs["query"], inputs["docs"], inputs["script"])
        return round(a.p_answerable, 4), round(engine.extractive.model.answer_bar.get(a.evidence.lang, 0.5), 4)
    except Exception:  # the report degrades to "no score"; the metrics never depend on it
        return None, None


def _run_engine(engine, items: list[dict]) -> list[dict]:
    rows = []
    for item in items:
        t = time.perf_counter()
        ans = engine.query(item["question"], history=item.get("history"))
        ms = (time.perf_counter() - t) * 1000
        best, bar = _best_similarity(engine, item)
        rows.append({"item": item, "rank": rank_of(ans.retrieved, item["sources"]), "ms": ms,
                     "abstained": ans.abstained, "correct": is_correct(ans.answer, item["answers"]),
                     "answer": ans.answer, "best_score": best, "bar": bar,
                     "answerer": ans.answerer, "notice": ans.notice,
                     "cited_score": max((c.score for c in ans.citations), default=None)})
    return rows


def _row(r: dict) -> dict:
    """One question's outcome, JSON-able, for reports (``rag eval --html``)."""
    item = r["item"]
    return {"id": item["id"], "lang": item["lang"], "question": item["question"],
            "follow_up": bool(item.get("history")), "answerable": item["answerable"], "rank": r["rank"],
            "abstained": r["abstained"], "correct": r["correct"], "ms": round(r["ms"], 1),
            "best_score": r["best_score"], "bar": r["bar"], "cited_score": r["cited_score"], "answer": r["answer"],
            "answerer": r["answerer"], "notice": r["notice"]}


def build_baseline(embeddings, corpus: Path, client=None, name: str = "baseline", columns=None) -> Chroma:
    """Vanilla LangChain index: default splitter over raw file text, same embeddings.

    subtle: documents are labelled as the product labels them (relative to the folder, rows as
    file#id), or a nested archive's QA sources never matched the baseline's bare file names.
    """
    root = corpus if corpus.is_dir() else None
    docs = [d for f in find_files(corpus) for d in load_path(f, root, columns=columns).documents]
    chunks = RecursiveCharacterTextSplitter().split_documents(docs)
    vs = Chroma(name, embeddings, client=client or open_ephemeral_client())
    vs.add_documents(chunks)
    return vs


def baseline_rows(vs: Chroma, items: list[dict], k: int = 4) -> list[dict]:
    """Chroma similarity top-``k`` for each item (a follow-up is prefixed with its last turn)."""
    rows = []
    for item in items:
        question = " ".join([*(item.get("history") or [])[-1:], item["question"]])
        hits = vs.similarity_search(question, k=k)
        rows.append({"item": item, "rank": rank_of([d.metadata["source"] for d in hits], item["sources"])})
    return rows


def _baseline(engine, items: list[dict], corpus: Path) -> list[dict]:
    vs = build_baseline(engine.embeddings, corpus, columns=ArticleColumns.parse(engine.settings.article_columns))
    try:
        return baseline_rows(vs, items)
    finally:
        vs.delete_collection()


def retrieval_metrics(rows: list[dict]) -> dict:
    ans = [r for r in rows if r["item"]["answerable"]]
    if not ans:
        return {}
    return {"n": len(ans),
            "hit@1": mean(r["rank"] == 0 for r in ans),
            "hit@5": mean(r["rank"] is not None and r["rank"] < 5 for r in ans),
            "mrr": mean(1 / (r["rank"] + 1) if r["rank"] is not None else 0 for r in ans)}


def answer_metrics(rows: list[dict]) -> dict:
    ans = [r for r in rows if r["item"]["answerable"]]
    un = [r for r in rows if not r["item"]["answerable"]]
    ms = sorted(r["ms"] for r in rows)
    return {"accuracy": mean(r["correct"] and not r["abstained"] for r in ans),
            "abstained_unanswerable": f"{sum(r['abstained'] for r in un)}/{len(un)}",
            "abstention_accuracy": mean(r["abstained"] for r in un),
            "false_abstention": mean(r["abstained"] for r in ans),
            "p50_ms": round(statistics.median(ms), 1) if ms else None,
            "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1) if ms else None}


def fallbacks(rows: list[dict], answerer: str) -> dict:
    """How many answers came from another answerer than the one evaluated (the LLM's
    extractive fallback), and the first reason given; an error when every answer did.

    subtle: a failed LLM call still answers, extractively, so without this count the
    fallback's metrics were reported as the LLM's. When no answer at all is the LLM's,
    there is nothing to report under its name: the run fails (exit 1) rather than print
    numbers a script or a reader would record as the model's.
    """
    fell = [r for r in rows if r["answerer"] != answerer]
    notices = [r["notice"] for r in fell if r["notice"]]
    # the table is English: an English notice when there is one, else the first (Chinese) one
    notice = next((n for n in notices if n.isascii()), notices[0] if notices else None)
    if fell and len(fell) == len(rows):
        raise LLMError(f"All {len(rows)} answers fell back to extractive, so there are no {answerer} numbers "
                       f"to report. First reason: {notice or 'none given'} Fix the endpoint (LLM_BASE_URL, "
                       f"LLM_MODEL, LLM_API_KEY) and run again, or evaluate with --answerer extractive.")
    return {"fell_back": len(fell), "fallback_notice": notice}


def answerer_line(result: dict, asked: int) -> str:
    """``answerer: llm`` and, when some answers fell back, how many of ``asked`` and why."""
    n = result.get("fell_back", 0)
    why = f": {result['fallback_notice']}" if result.get("fallback_notice") else ""
    return f"answerer: {result['answerer']}" + (f" ({n} of {asked} answers fell back to extractive{why})" if n else "")


def mean(values) -> float | None:
    """Rounded mean; None when there are no values (printed as "-")."""
    values = [float(v) for v in values]
    return round(sum(values) / len(values), 3) if values else None


def evaluate(engine, qa_file: Path, answerer: str | None = None, baseline: bool = True) -> dict:
    """Metrics per language and overall; ``answerer`` switches extractive/llm for the run."""
    items = load_qa(qa_file)
    if baseline and not Path(engine.settings.corpus_dir).exists():
        # subtle: checked before any question is asked, not after all of them
        raise ConfigError(f"The baseline is built from CORPUS_DIR ({engine.settings.corpus_dir}), which does not "
                          "exist: set CORPUS_DIR to the folder you ingested, or pass --no-baseline.")
    if answerer:
        engine.use_answerer(answerer)
    engine.ensure_index()
    rows = _run_engine(engine, items)
    fell_back = fallbacks(rows, engine.answerer.name)   # before the baseline: an error costs no more time
    base = _baseline(engine, items, engine.settings.corpus_dir) if baseline else []
    groups = {"overall": lambda r: True} | {lang: (lambda r, l=lang: r["item"]["lang"] == l) for lang in LANGS}
    groups["follow-up"] = lambda r: bool(r["item"].get("history"))
    result: dict = {"answerer": engine.answerer.name, "questions": len(items), **fell_back, "by_group": {}}
    for name, keep in groups.items():
        mine = [r for r in rows if keep(r)]
        result["by_group"][name] = {**retrieval_metrics(mine), **answer_metrics(mine),
                                    "baseline": retrieval_metrics([r for r in base if keep(r)])}
    result["failures"] = [{"id": r["item"]["id"], "rank": r["rank"], "abstained": r["abstained"],
                           "question": r["item"]["question"], "answer": r["answer"]}
                          for r in rows if r["item"]["answerable"] != (not r["abstained"]) or
                          (r["item"]["answerable"] and not r["correct"])]
    result["rows"] = [_row(r) for r in rows]
    return result


def format_table(result: dict) -> str:
    cols = [("n", "n"), ("hit@1", "hit@1"), ("hit@5", "hit@5"), ("mrr", "MRR"), ("accuracy", "acc"),
            ("abstained_unanswerable", "abst(unans)"), ("false_abstention", "false-abst"),
            ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms")]
    lines = [f"{answerer_line(result, result['questions'])}   questions: {result['questions']}",
             *table(result["by_group"], cols),
             f"failures: {', '.join(f['id'] for f in result['failures']) or 'none'}"]
    return "\n".join(lines)


BASE_COLS = [("hit@1", "base hit@1"), ("hit@5", "base hit@5"), ("mrr", "base MRR")]


def table(by_group: dict, cols: list[tuple[str, str]], width: int = 12) -> list[str]:
    """Header + one line per group: ``cols`` of the group, then the baseline's retrieval columns,
    each right-aligned in at least ``width`` characters."""
    # subtle: labels have inner spaces ("short shown"), so a column is 2 wider than its label:
    # at exactly ``width`` they ran together ("F1 typedshort shown").
    widths = [max(width, len(label) + 2) for _, label in cols + BASE_COLS]
    lines = [f"{'group':<10}" + "".join(f"{label:>{w}}" for (_, label), w in zip(cols + BASE_COLS, widths))]
    for name, g in by_group.items():
        b = g.get("baseline") or {}
        cells = [_cell(g.get(k)) for k, _ in cols] + [_cell(b.get(k)) for k, _ in BASE_COLS]
        lines.append(f"{name:<10}" + "".join(f"{c:>{w}}" for c, w in zip(cells, widths)))
    return lines


def _cell(value) -> str:
    return "-" if value is None else str(value)
