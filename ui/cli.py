"""The ``rag`` command: ingest, ask, eval, feedback export, ui.

Owns: argument parsing, progress output, and turning ``CorpusQAError`` into one line
on stderr with a non-zero exit (no traceback). Settings are read here, once.
Does not own: any behaviour; it calls ``rag``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from rag import Citation, ConfigError, CorpusQAError, Engine, FeedbackStore, Settings, validate_question

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="语料问答 / Corpus QA")
    sub = p.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="add a file or folder to the index (default: the bundled corpus)")
    ing.add_argument("path", nargs="?", type=Path,
                     help="a file or folder (.txt .md .html .pdf .docx .jsonl .csv); default: CORPUS_DIR")
    ing.add_argument("--rebuild", action="store_true",
                     help="replace the whole index with PATH's documents (once the first one has loaded)")
    ing.add_argument("--include-deleted", action="store_true",
                     help="also add back PATH's documents that were deleted from the library (skipped otherwise)")
    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question", help="in 简体, 繁體 or English (one starting with - goes after --)")
    ask.add_argument("--script", choices=["zh-Hans", "zh-Hant", "en"], help="answer in this script (default: the question's)")
    ask.add_argument("--json", action="store_true", help="print the whole answer as JSON (citations, short answer, …)")
    ev = sub.add_parser("eval", help="run the QA set (or a SQuAD-format file) and print metrics")
    ev.add_argument("--qa-file", type=Path, default=Path("tests/qa/qa.jsonl"), help="default: tests/qa/qa.jsonl")
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ev.add_argument("--answerer", choices=["extractive", "llm"], default=None, help="default: llm when configured")
    ev.add_argument("--no-baseline", action="store_true", help="skip the vanilla LangChain baseline")
    ev.add_argument("--html", type=Path, metavar="FILE", help="also write a self-contained HTML report with charts")
    sq = ev.add_argument_group("open-domain evaluation on SQuAD-format data (instead of --qa-file)")
    sq.add_argument("--squad", type=Path, metavar="FILE", help="SQuAD v1 JSON: paragraphs and gold answers")
    sq.add_argument("--questions", type=Path, metavar="FILE", help="ask these questions instead (same ids)")
    sq.add_argument("--sample", type=int, default=None, metavar="N", help="paragraphs to index (default 120)")
    sq.add_argument("--seed", type=int, default=None, metavar="S", help="sampling seed (default 0)")
    sq.add_argument("--limit-questions", type=int, default=None, metavar="M", help="ask at most M questions")
    sq.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                    help="where built indexes are kept (default .cache/squad)")
    fb = sub.add_parser("feedback", help="read the 👍/👎 feedback given in the web chat")
    fb.add_argument("action", choices=["export"])
    fmt = fb.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object per line, every field")
    fmt.add_argument("--qa", action="store_true", help="👎 rows as qa.jsonl lines (fill in answers by hand)")
    ui = sub.add_parser("ui", help="serve the web chat")
    ui.add_argument("--host", help="default RAG_UI_HOST (127.0.0.1); another needs RAG_UI_AUTH")
    ui.add_argument("--port", type=int, help="default RAG_UI_PORT (7860)")
    return p


@contextmanager
def _progress_bar(desc: str) -> Iterator[tuple[Callable[[str, int], None], Callable[[str, int, int], None]]]:
    """Per-file and per-batch progress callbacks for ``Engine.ingest``, drawing a bar on stderr."""
    from tqdm import tqdm

    bar: list[tqdm] = []

    def shown(files: int | None = None) -> tqdm:
        # subtle: created on the first callback, so an error before any file prints no empty bar;
        # disable=None hides it when stderr is not a terminal (CI logs, pipes).
        if not bar:
            bar.append(tqdm(total=files, unit="file", desc=desc, file=sys.stderr, disable=None))
        elif files and bar[0].total != files:
            bar[0].total = files
        return bar[0]

    def progress(name: str, total: int) -> None:
        shown(total).set_postfix_str(name)
        bar[0].update()

    def chunk_progress(name: str, done: int, total: int) -> None:
        # subtle: from the first stored batch, not the first finished file: an export of 500
        # articles is one file, and its terminal stayed blank for minutes
        shown().set_postfix_str(f"{name} {done}/{total} chunks")

    try:
        yield progress, chunk_progress
    finally:
        for b in bar:
            b.close()


def _ingest(engine: Engine, args) -> None:
    with _progress_bar("ingest") as (progress, chunk_progress):
        report = engine.ingest(args.path, rebuild=args.rebuild, progress=progress, chunk_progress=chunk_progress,
                               include_deleted=args.include_deleted)
    print(report.summary())


def _ask(engine: Engine, args) -> None:
    ans = engine.query(args.question, script=args.script)
    if args.json:
        print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
        return
    if ans.short:   # the asked-for span first, as the chat shows it in bold
        print(f"→ {ans.short}")
    print(ans.answer)
    if ans.notice:
        print(f"({ans.notice})")
    for c in ans.citations:
        print(cited_line(c))


def cited_line(c: Citation) -> str:
    """``[n] title — file, date`` (and the link below); an untitled document is named once."""
    named = c.source if c.title in (None, "", c.source) else f"{c.title} — {c.source}"
    return f"[{c.n}] {named}" + (f", {c.published}" if c.published else "") + (f"\n    {c.url}" if c.url else "")


def _eval(engine: Engine, args) -> None:
    from rag.evaluate import evaluate, format_table

    result = evaluate(engine, args.qa_file, answerer=args.answerer, baseline=not args.no_baseline)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_table(result))
    if args.html:
        from ui.report import render_report

        try:
            args.html.write_text(render_report(result, str(args.qa_file)), encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"Cannot write the report to {args.html} ({exc.strerror}); pass a writable --html path.") from None
        print(f"report: {args.html}", file=sys.stderr)


def _feedback(settings: Settings, args) -> None:
    store = FeedbackStore(settings.feedback_path)
    rows = store.rows()
    if args.qa:
        rows = [store.qa_line(r) for r in rows if r["rating"] == "down"]
    if args.json or args.qa:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    for r in rows:
        print(f"{r['id']}\t{r['created']}\t{'👍' if r['rating'] == 'up' else '👎'}\t{r['script']}\t"
              f"{r['question']}\t{r['comment']}")


_SQUAD_ONLY = ("questions", "sample", "seed", "limit_questions", "cache_dir")


def _eval_squad(settings: Settings, args) -> None:
    from rag.eval_squad import DEFAULT_CACHE, evaluate_squad, format_squad_table

    with _progress_bar("index") as (progress, _):
        result = evaluate_squad(
            args.squad, settings=settings, questions_file=args.questions,
            sample=120 if args.sample is None else args.sample, seed=args.seed or 0,
            limit_questions=args.limit_questions, cache_dir=args.cache_dir or DEFAULT_CACHE,
            answerer=args.answerer, baseline=not args.no_baseline, progress=progress)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_squad_table(result))


def _ui(settings: Settings, args) -> None:
    from ui.web import serve

    serve(settings, host=args.host, port=args.port)


def _setting_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:   # a rule across settings (CHUNK_OVERLAP < CHUNK_SIZE) names its own settings
        return f"settings are invalid: {message}. Fix them in the environment or .env."
    name = ".".join(str(p) for p in first["loc"]).upper()
    return f"setting {name}={first.get('input')!r} is invalid: {message.rstrip('.')}. Fix it in the environment or .env."


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
        if args.command == "ask":
            # subtle: before the engine loads its model (seconds), so a bad question fails at once.
            args.question = validate_question(args.question, settings.max_question_chars)
        if args.command in ("ui", "feedback"):  # neither needs the engine
            {"ui": _ui, "feedback": _feedback}[args.command](settings, args)
            return 0
        if args.command == "eval" and args.squad:
            # subtle: before Engine(settings): the SQuAD run never opens the default index.
            _eval_squad(settings, args)
            return 0
        if args.command == "eval" and any(getattr(args, k) is not None for k in _SQUAD_ONLY):
            from rag.eval_squad import EvalDataError

            raise EvalDataError("--questions, --sample, --seed, --limit-questions and --cache-dir "
                                "only apply with --squad FILE.")
        engine = Engine(settings)
        {"ingest": _ingest, "ask": _ask, "eval": _eval}[args.command](engine, args)
    except CorpusQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        print(f"error: {_setting_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: what was stored so far is kept; run the same command again to resume.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
