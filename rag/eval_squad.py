"""Open-domain evaluation on SQuAD-format data: ``rag eval --squad FILE``.

Owns: reading SQuAD v1 JSON (and, with ``--questions``, other question texts for the
same ids); sampling the paragraphs to index plus a held-out set whose questions are asked
but whose paragraph is not indexed (unanswerable there); writing the indexed paragraphs
as a throwaway corpus, one ``pNNNNN.md`` file each (``# title`` then the context), and
building it with the product's own ``Engine.ingest`` — cached under
``<cache>/<content hash>/`` so a rerun embeds nothing; the span grading (accuracy,
first-sentence accuracy, SQuAD exact match / F1 over ``Answer.short`` (0 when an answer has
none) and the per-language table.
Does not own: answering (``rag.engine``); the baseline index, hit@k/MRR, abstention and
latency metrics, the fallback count and the table layout (``rag.evaluate``, shared with ``rag eval``).
subtle: relies only on the public Engine API and on ``Answer.retrieved`` holding the
retrieved passages' document labels, which for one flat folder are the file names.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from langchain_chroma import Chroma

from ingest import detect_script, make_embeddings, to_canonical
from ingest.chunk import INDEX_FORMAT
from ingest.embeddings import index_identity
from ingest.errors import EvalDataError, QuestionError
from rag.engine import Engine
from rag.evaluate import (LANGS, answer_metrics, answerer_line, baseline_rows, build_baseline, fallbacks,
                          mean, rank_of, retrieval_metrics, table)
from rag.settings import Settings
from rag.answer.asking import asked_type
from rag.index.vectors import ChromaTarget, open_client

__all__ = ["Paragraph", "load_squad", "load_question_texts", "split_sample", "pick_questions",
           "span_key", "contains_span", "first_sentence", "short_tokens", "exact_match", "f1_score",
           "useful", "USEFUL_F1", "evaluate_squad", "format_squad_table", "DEFAULT_CACHE"]

FORMAT_VERSION = 1          # bump when the corpus files' layout changes: invalidates every cache
# a short answer this close to a gold one (token F1) is one a reader can use: 近17% for 17%,
# 1957年4月 for 1957年4月26日. The eval's "en usable" and the fitted display bar both count by it.
USEFUL_F1 = 0.5
HOLDOUT = 0.2               # held-out paragraphs, as a share of the indexed ones
DEFAULT_CACHE = Path(".cache/squad")
_DONE = "complete.json"     # written last: a folder without it is an interrupted build
_MARKER = re.compile(r"\[\d+\]")
_HAN = "\u3400-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_HAN}]|[^\W_{_HAN}]+")
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_GLOSSED = re.compile(r"^(.*?)\s*\(([^()]*[A-Za-z0-9][^()]*)\)$")
_SHAPE = "expected data[].title, data[].paragraphs[].context and qas[].id/question/answers[].text"


class Paragraph:
    """One SQuAD paragraph; ``index`` is its position in the file, so its file name is stable."""

    def __init__(self, index: int, title: str, context: str, qas: list[dict]) -> None:
        self.index, self.title, self.context, self.qas = index, title, context, qas

    @property
    def name(self) -> str:
        return f"p{self.index:05d}.md"

    def text(self) -> str:
        # subtle: a markdown heading on the first line is what the product's cleaner takes as title.
        return f"# {self.title}\n\n{self.context}\n"


# -- reading and sampling ------------------------------------------------------------
def load_squad(path: Path) -> list[Paragraph]:
    """Every paragraph of a SQuAD v1 file, in file order; a user-facing error if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise EvalDataError(f"SQuAD file not found: {path}. Pass the path of a SQuAD v1 JSON file.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = [Paragraph(0, str(article.get("title", "")), p["context"], _qas(p["qas"]))
                      for article in data["data"] for p in article["paragraphs"]]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise EvalDataError(f"{path} is not SQuAD JSON ({type(exc).__name__}: {exc}); {_SHAPE}.") from None
    if not paragraphs:
        raise EvalDataError(f"{path} has no paragraphs; {_SHAPE}.")
    for i, p in enumerate(paragraphs):
        p.index = i
    return paragraphs


def _qas(qas: list) -> list[dict]:
    return [{"id": str(q["id"]), "question": str(q["question"]),
             "answers": [str(a["text"]) for a in q["answers"]]} for q in qas]


def load_question_texts(path: Path, gold: list[Paragraph], gold_path: Path) -> dict[str, str]:
    """id → question text from ``path``; every id must exist in the gold file."""
    texts = {qa["id"]: qa["question"] for p in load_squad(path) for qa in p.qas}
    missing = sorted(texts.keys() - {qa["id"] for p in gold for qa in p.qas})
    if missing:
        raise EvalDataError(
            f"{len(missing)} of the {len(texts)} question ids in {path} are not in {gold_path} "
            f"(e.g. {', '.join(missing[:3])}); pass a --questions file with the same ids as the "
            "--squad file (e.g. xquad_dev.en.json with xquad_dev.zh.json).")
    return texts


def split_sample(paragraphs: list[Paragraph], sample: int, seed: int,
                 holdout: float = HOLDOUT, where: object = "the file") -> tuple[list[Paragraph], list[Paragraph]]:
    """(indexed, held out), each in file order: ``sample`` paragraphs plus ``holdout`` × as many
    more, drawn with one seeded generator; the held-out set shrinks to what is left."""
    total = len(paragraphs)
    if not 1 <= sample <= total:
        raise EvalDataError(f"--sample {sample} is not possible: {where} has {total} paragraphs; "
                            f"use --sample between 1 and {total}.")
    held = min(round(sample * holdout), total - sample)
    picked = random.Random(seed).sample(paragraphs, sample + held)
    order = lambda p: p.index  # noqa: E731
    return sorted(picked[:sample], key=order), sorted(picked[sample:], key=order)


def pick_questions(indexed: list[Paragraph], held: list[Paragraph], texts: dict[str, str] | None,
                   limit: int | None, seed: int) -> list[dict]:
    """The questions of both sets (texts from ``texts`` when given), capped to ``limit`` by a seeded draw."""
    items = [{"id": qa["id"], "question": q, "lang": detect_script(q), "answers": qa["answers"],
              "sources": [p.name] if answerable else [], "answerable": answerable}
             for group, answerable in ((indexed, True), (held, False)) for p in group for qa in p.qas
             if (q := qa["question"] if texts is None else texts.get(qa["id"])) is not None]
    if limit is not None and limit < 1:
        raise EvalDataError(f"--limit-questions {limit} is not possible; use a number of at least 1.")
    if limit is not None and limit < len(items):
        keep = set(random.Random(seed).sample(range(len(items)), limit))
        items = [item for i, item in enumerate(items) if i in keep]
    return items


# -- the cached index ------------------------------------------------------------------
def _cache_key(indexed: list[Paragraph], settings: Settings, model: str) -> str:
    h = hashlib.sha256()
    # subtle: INDEX_FORMAT changes when chunks or what they are embedded as change; an index
    # cached before would otherwise be scored as if it were today's.
    for part in [f"squad-eval-v{FORMAT_VERSION}", f"index-v{INDEX_FORMAT}", model, settings.sentence_vectors,
                 f"{settings.chunk_size}/{settings.chunk_overlap}",
                 *(f"{p.name}\x1f{p.text()}" for p in indexed)]:
        h.update(part.encode("utf-8") + b"\x1e")
    return h.hexdigest()[:20]


def open_indexes(indexed: list[Paragraph], settings: Settings, embeddings, cache_dir: Path,
                 progress: Callable[[str, int], None] | None = None, **engine_args) -> tuple[Engine, Chroma, dict]:
    """The product's engine and the baseline index over ``indexed``: built once, then reused.

    subtle: the baseline (one default-splitter chunk per paragraph, cheap) is always built
    with the engine's index, so ``--no-baseline`` on a first run still leaves a complete cache.
    """
    identity = index_identity(embeddings, settings.sentence_vectors == "late")
    root = Path(cache_dir) / _cache_key(indexed, settings, identity)
    s = settings.model_copy(update={"vectorstore_dir": root / "index", "corpus_dir": root / "corpus",
                                    "collection": "squad"})
    done = root / _DONE
    if not done.exists():
        shutil.rmtree(root, ignore_errors=True)
        s.corpus_dir.mkdir(parents=True)
        for p in indexed:
            (s.corpus_dir / p.name).write_text(p.text(), encoding="utf-8")
    engine = Engine(s, embeddings=embeddings, **engine_args)
    client = open_client(ChromaTarget(path=str(root / "baseline")))
    if done.exists():
        info = {**json.loads(done.read_text(encoding="utf-8")), "dir": str(root), "cache": "hit"}
        return engine, Chroma("baseline", embeddings, client=client), info
    t = time.perf_counter()
    report = engine.ingest(s.corpus_dir, progress=progress)
    base = build_baseline(embeddings, s.corpus_dir, client=client)
    info = {"dir": str(root), "chunks": report.chunks_added, "failed_files": report.failed,
            "build_s": round(time.perf_counter() - t, 1)}
    done.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    return engine, base, {**info, "cache": "built"}


# -- grading ---------------------------------------------------------------------------
def span_key(text: str) -> str:
    """Comparison form for span containment: Simplified (OpenCC), lower-case, no whitespace, no [n]."""
    return "".join(to_canonical(_MARKER.sub("", text or "")).lower().split())


def contains_span(text: str, golds: list[str]) -> bool:
    """A non-empty gold span occurs in ``text`` (both in ``span_key`` form)."""
    t = span_key(text)
    return any((g := span_key(gold)) and g in t for gold in golds)


def first_sentence(answer: str) -> str:
    """The answer text up to and including its first citation marker [n] (all of it if none)."""
    m = _MARKER.search(answer or "")
    return answer[: m.end()] if m else (answer or "")


def short_tokens(text: str) -> list[str]:
    """SQuAD-style tokens: NFKC + Simplified + lower-case, punctuation and English articles
    dropped; every Han character is a token, other letters/digits form word tokens."""
    canonical = to_canonical(unicodedata.normalize("NFKC", text or "")).lower()
    return _TOKEN.findall(_ARTICLES.sub(" ", canonical))


def exact_match(prediction: str, golds: list[str]) -> float:
    p = short_tokens(prediction)
    return float(any(p == short_tokens(g) for g in golds))


def f1_score(prediction: str, golds: list[str]) -> float:
    """Best over the golds of the token-overlap F1 (both empty → 1, one empty → 0)."""
    return max((_f1(short_tokens(prediction), short_tokens(g)) for g in golds), default=0.0)


def useful(prediction: str, golds: list[str]) -> bool:
    """A non-empty short answer within ``USEFUL_F1`` of a gold one."""
    return bool(prediction) and f1_score(prediction, golds) >= USEFUL_F1


def _f1(pred: list[str], gold: list[str]) -> float:
    if not pred or not gold:
        return float(pred == gold)
    same = sum((Counter(pred) & Counter(gold)).values())
    if not same:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def _grade(ans, item: dict, ms: float) -> dict:
    golds, answered = item["answers"], not ans.abstained
    row = {"item": item, "rank": rank_of(ans.retrieved, item["sources"]), "ms": ms, "abstained": ans.abstained,
           "correct": answered and contains_span(ans.answer, golds),
           "first": answered and contains_span(first_sentence(ans.answer), golds),
           "cited": sum(len(c.highlights) for c in ans.citations) if answered else None,
           "em": None, "f1": None, "answerer": ans.answerer, "notice": ans.notice}
    short = (ans.short or "") if answered else ""   # no short answer scores 0, as an abstention does
    span, glossed = _split_gloss(short)
    row["em"], row["f1"] = exact_match(span, golds), f1_score(span, golds)
    row["typed"] = asked_type(item["question"]) is not None
    row["shown"] = bool(span)
    row["useful"] = useful(span, golds)
    # an English reader can use the answer when its short answer is right and readable in English
    row["usable"] = (row["useful"] and (glossed or span.isascii())) if item["lang"] == "en" else None
    return row


def _split_gloss(short: str) -> tuple[str, bool]:
    """("浙江大学", True) for "浙江大学 (Zhejiang University)"; the span alone is what EM/F1 grade."""
    m = _GLOSSED.match(short)
    return (m.group(1), True) if m else (short, False)


# -- the run ---------------------------------------------------------------------------
def _ask(engine: Engine, items: list[dict]) -> tuple[list[dict], list[str]]:
    """Graded rows, and the ids of questions the engine refused as invalid (empty, too long).

    subtle: one untimed question first, so latencies are warm: the first query of a process
    loads jieba's dictionary and builds the BM25 index (~1 s), which is not per-question cost.
    """
    rows, skipped = [], []
    for item in items[:1]:
        try:
            engine.query(item["question"])
        except QuestionError:
            pass
    for item in items:
        t = time.perf_counter()
        try:
            ans = engine.query(item["question"])
        except QuestionError:  # an empty or over-long question in the data set: not the product's fault
            skipped.append(item["id"])
            continue
        rows.append(_grade(ans, item, (time.perf_counter() - t) * 1000))
    return rows, skipped


def _span_metrics(rows: list[dict]) -> dict:
    ans = [r for r in rows if r["item"]["answerable"]]
    held = [r for r in rows if not r["item"]["answerable"]]
    typed = [r for r in ans if r["typed"]]
    return {"first_sentence": mean(r["first"] for r in ans),
            "em": mean(r["em"] for r in ans if r["em"] is not None),
            "f1": mean(r["f1"] for r in ans if r["f1"] is not None),
            "em_typed": mean(r["em"] for r in typed), "f1_typed": mean(r["f1"] for r in typed),
            "typed": len(typed), "short_shown": mean(r["shown"] for r in typed),
            # what a bold short answer costs: the shown ones a reader cannot use (F1 < USEFUL_F1)
            "misleading": mean(not r["useful"] for r in ans if r["shown"]),
            "usable_en": mean(r["usable"] for r in ans if r["usable"] is not None),
            "cited": mean(r["cited"] for r in rows if r["cited"] is not None),
            "held_out": len(held)}


def _by_group(rows: list[dict], base: list[dict]) -> dict:
    langs = [lang for lang in LANGS if any(r["item"]["lang"] == lang for r in rows)]
    groups = {"overall": lambda r: True} | {lang: (lambda r, l=lang: r["item"]["lang"] == l) for lang in langs}
    out = {}
    for name, keep in groups.items():
        mine = [r for r in rows if keep(r)]
        out[name] = {**retrieval_metrics(mine), **answer_metrics(mine), **_span_metrics(mine),
                     "baseline": retrieval_metrics([r for r in base if keep(r)])}
    return out


def _per_question(r: dict) -> dict:
    return {"id": r["item"]["id"], "lang": r["item"]["lang"], "answerable": r["item"]["answerable"],
            **{k: r[k] for k in ("rank", "abstained", "correct", "first", "em", "f1", "typed", "shown", "usable",
                                 "cited", "answerer", "notice")},
            "ms": round(r["ms"], 1)}


def evaluate_squad(squad_file: Path, *, settings: Settings | None = None, embeddings=None,
                   questions_file: Path | None = None, sample: int = 120, seed: int = 0,
                   limit_questions: int | None = None, cache_dir: Path = DEFAULT_CACHE,
                   answerer: str | None = None, baseline: bool = True,
                   progress: Callable[[str, int], None] | None = None) -> dict:
    """Index a seeded sample of ``squad_file``'s paragraphs, ask the questions, return the metrics."""
    paragraphs = load_squad(squad_file)
    texts = load_question_texts(questions_file, paragraphs, squad_file) if questions_file else None
    indexed, held = split_sample(paragraphs, sample, seed, where=squad_file)
    items = pick_questions(indexed, held, texts, limit_questions, seed)
    settings = settings or Settings()
    embeddings = embeddings or make_embeddings(settings.embedding_model)
    engine, base_vs, cache = open_indexes(indexed, settings, embeddings, cache_dir, progress)
    if answerer:
        engine.use_answerer(answerer)
    rows, skipped = _ask(engine, items)
    fell_back = fallbacks(rows, engine.answerer.name)
    base = baseline_rows(base_vs, [r["item"] for r in rows]) if baseline else []
    return {"file": str(squad_file), "questions_file": str(questions_file) if questions_file else None,
            "seed": seed, "indexed": len(indexed), "held_out": len(held), "questions": len(rows),
            "skipped": skipped, "answerer": engine.answerer.name, **fell_back, "index": cache,
            "by_group": _by_group(rows, base), "per_question": [_per_question(r) for r in rows]}


_COLS = [("n", "n"), ("hit@1", "hit@1"), ("hit@5", "hit@5"), ("mrr", "MRR"), ("accuracy", "acc"),
         ("first_sentence", "acc@1st"), ("em", "EM"), ("f1", "F1"), ("typed", "typed"), ("em_typed", "EM typed"),
         ("f1_typed", "F1 typed"), ("short_shown", "short shown"), ("misleading", "misleading"),
         ("usable_en", "en usable"), ("cited", "cited"),
         ("false_abstention", "false-abst"), ("abstained_unanswerable", "abst(held)"),
         ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms")]


def format_squad_table(result: dict) -> str:
    idx = result["index"]
    asked = Path(result["questions_file"]).name if result["questions_file"] else "same file"
    lines = [f"squad: {Path(result['file']).name}   questions: {asked}   seed: {result['seed']}   "
             f"paragraphs: {result['indexed']} indexed + {result['held_out']} held out",
             f"{answerer_line(result, result['questions'])}   questions asked: {result['questions']}"
             + (f" ({len(result['skipped'])} skipped: invalid question)" if result["skipped"] else "")
             + f"   index: {idx['cache']} ({idx['dir']}, {idx['chunks']} chunks"
             + (f", {len(idx['failed_files'])} files failed to ingest" if idx["failed_files"] else "") + ")",
             *table(result["by_group"], _COLS, width=11)]
    return "\n".join(lines)
