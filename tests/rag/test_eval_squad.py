"""``rag eval --squad``: sampling, grading rules, the cached index and the CLI, on a tiny SQuAD file."""

import json
import re

import pytest
from langchain_core.embeddings import Embeddings

from ingest.errors import EvalDataError, LLMError
from rag import Settings
from rag.eval_squad import (contains_span, evaluate_squad, exact_match, f1_score, first_sentence,
                            format_squad_table, load_squad, short_tokens, split_sample, useful, USEFUL_F1)
from tests.llm.fake_openai import TEST_API_KEY, FakeOpenAI, Status, Text
from ui.cli import main

PARAGRAPHS = [
    ("长城", "长城是中国古代的军事防御工程，总长度超过两万一千公里。长城始建于春秋战国时期，"
             "秦始皇统一六国后把各国的城墙连接起来。明朝对长城进行了大规模的修缮。",
     [("q-wall", "长城的总长度是多少？", "两万一千公里")]),
    ("大熊猫", "大熊猫是中国特有的哺乳动物，主要生活在四川、陕西和甘肃的山区。"
               "大熊猫以竹子为主要食物，每天要吃十几公斤竹子。成年大熊猫的体重可达一百五十公斤。",
     [("q-panda", "大熊猫主要吃什么食物？", "竹子")]),
    ("臺北101", "臺北101是位於臺灣臺北市信義區的摩天大樓，樓高五百零八公尺。"
                "大樓於二零零四年落成，曾經是世界最高的建築物。大樓內設有巨大的阻尼器以抵抗颱風和地震。",
     [("q-taipei", "臺北101的樓高是多少公尺？", "五百零八公尺")]),
    ("咖啡", "咖啡树原产于非洲的埃塞俄比亚高原。咖啡豆经过烘焙以后研磨成粉，再用热水冲泡成饮料。"
             "巴西是当今世界上最大的咖啡生产国，越南排在第二位。",
     [("q-coffee", "世界上最大的咖啡生产国是哪个国家？", "巴西")]),
]
ENGLISH = {"q-wall": "How long is the Great Wall in total?", "q-panda": "What do giant pandas mainly eat?",
           "q-taipei": "How tall is Taipei 101?", "q-coffee": "Which country produces the most coffee?"}


def squad(paragraphs, questions=None) -> dict:
    return {"version": "test", "data": [
        {"title": title, "paragraphs": [{"context": context, "qas": [
            {"id": qid, "question": (questions or {}).get(qid, q),
             "answers": [{"text": a, "answer_start": context.find(a)}]} for qid, q, a in qas]}]}
        for title, context, qas in paragraphs]}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("squad")
    zh, en = root / "tiny.zh.json", root / "tiny.en.json"
    zh.write_text(json.dumps(squad(PARAGRAPHS), ensure_ascii=False), encoding="utf-8")
    en.write_text(json.dumps(squad(PARAGRAPHS, ENGLISH), ensure_ascii=False), encoding="utf-8")
    # subtle: the seed that holds the coffee paragraph out, found with the same sampling the run uses.
    seed = next(s for s in range(100) if [p.index for p in split_sample(load_squad(zh), 3, s)[1]] == [3])
    return {"zh": zh, "en": en, "seed": seed, "cache": root / "cache"}


class CountingEmbeddings(Embeddings):
    """The real model, counting the passages it is asked to embed."""

    def __init__(self, real) -> None:
        self.real, self.name, self.dim, self.passages = real, real.name, real.dim, 0

    def embed_documents(self, texts):
        self.passages += len(texts)
        return self.real.embed_documents(texts)

    def embed_query(self, text):
        return self.real.embed_query(text)


def run(files, embeddings, tmp_path, **kw):
    settings = Settings(vectorstore_dir=tmp_path / "unused", _env_file=None)
    return evaluate_squad(files["zh"], settings=settings, embeddings=embeddings, sample=3,
                          seed=files["seed"], cache_dir=files["cache"], **kw)


# -- pure grading rules ----------------------------------------------------------------
@pytest.mark.parametrize("text,golds,ok", [
    ("長城總長度超過兩萬一千公里。[1]", ["两万一千公里"], True),     # Traditional answer, Simplified gold
    ("It is 508 M tall[1]", ["508 m"], True),                          # case and whitespace
    ("答案是 五百 零八 公尺", ["五百零八公尺"], True),
    ("见[1]", ["1"], False),                                            # a citation marker is not text
    ("", ["巴西"], False),
    ("巴西", [""], False),                                              # an empty gold never matches
    ("巴西", [], False),
])
def test_contains_span(text, golds, ok):
    assert contains_span(text, golds) is ok


@pytest.mark.parametrize("answer,first", [
    ("巴西最大。[1]越南第二。[2]", "巴西最大。[1]"),
    ("According to the corpus (quoted in Chinese): 巴西。[1] 越南。[1]", "According to the corpus (quoted in Chinese): 巴西。[1]"),
    ("no marker", "no marker"),
    ("", ""),
])
def test_first_sentence(answer, first):
    assert first_sentence(answer) == first


@pytest.mark.parametrize("text,tokens", [
    ("北京大學", ["北", "京", "大", "学"]),
    ("The  Super Bowl, 50!", ["super", "bowl", "50"]),
    ("２０１５年", ["2015", "年"]),
    ("「巴西」。", ["巴", "西"]),
    ("", []),
])
def test_short_tokens(text, tokens):
    assert short_tokens(text) == tokens


@pytest.mark.parametrize("pred,golds,em,f1", [
    ("巴西", ["巴西"], 1.0, 1.0),
    ("巴西。", ["巴西"], 1.0, 1.0),
    ("是巴西", ["巴西"], 0.0, 0.8),
    ("越南", ["巴西"], 0.0, 0.0),
    ("the Panthers", ["Panthers"], 1.0, 1.0),
    ("", ["巴西"], 0.0, 0.0),
    ("", [""], 1.0, 1.0),
    ("巴西", [""], 0.0, 0.0),
    ("巴西", [], 0.0, 0.0),
    ("两万", ["兩萬一千公里", "两万"], 1.0, 1.0),
])
def test_exact_match_and_f1(pred, golds, em, f1):
    assert exact_match(pred, golds) == em
    assert f1_score(pred, golds) == pytest.approx(f1)


@pytest.mark.parametrize("pred,golds,expected", [
    ("近17%", ["17%"], True),                    # F1 .67: a reader can use it
    ("1957年4月", ["1957年4月26日"], True),        # F1 .8
    ("17%", ["17%"], True),
    ("越南", ["巴西"], False),
    ("是巴西以南的国家", ["巴西"], False),          # F1 .4: the gold drowned in other words
    ("", ["巴西"], False),                        # no short answer is not a useful one
    ("", [""], False),
    ("巴西", [], False),
])
def test_useful_short_answer(pred, golds, expected):
    assert useful(pred, golds) is expected
    assert USEFUL_F1 == 0.5


# -- bad input: user-facing errors before anything is embedded -------------------------
@pytest.mark.parametrize("content,kw,message", [
    (None, {}, "SQuAD file not found"),
    ("not json", {}, "is not SQuAD JSON"),
    ('{"data": [{"title": "x", "paragraphs": [{"qas": []}]}]}', {}, "is not SQuAD JSON"),
    ('{"data": []}', {}, "has no paragraphs"),
    ("tiny", {"sample": 5}, "use --sample between 1 and 4"),
    ("tiny", {"limit_questions": 0}, "--limit-questions 0"),
    ("tiny", {"questions_file": "other"}, "are not in"),
])
def test_bad_input_is_a_user_facing_error(files, tmp_path, content, kw, message):
    path = tmp_path / "data.json"
    if content == "tiny":
        path = files["zh"]
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    if kw.get("questions_file") == "other":
        other = tmp_path / "other.json"
        other.write_text(json.dumps(squad([("x", "某段文字。", [("nope", "问题？", "文字")])])), encoding="utf-8")
        kw = {"questions_file": other}
    with pytest.raises(EvalDataError, match=re.escape(message)):
        evaluate_squad(path, settings=Settings(_env_file=None), embeddings=None, sample=kw.pop("sample", 3),
                       cache_dir=tmp_path / "cache", **kw)
    assert not (tmp_path / "cache").exists()


def test_cli_prints_one_line_for_bad_input(tmp_path, capsys):
    assert main(["eval", "--squad", str(tmp_path / "missing.json")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: SQuAD file not found") and "\n" not in err
    assert main(["eval", "--sample", "3"]) == 1
    assert "only apply with --squad" in capsys.readouterr().err


# -- the real engine on the tiny corpus ------------------------------------------------
@pytest.mark.slow
def test_run_grades_answers_and_counts_held_out_questions(files, embeddings, tmp_path):
    counting = CountingEmbeddings(embeddings)
    result = run(files, counting, tmp_path)
    assert counting.passages > 0 and result["index"]["cache"] == "built"
    assert (result["indexed"], result["held_out"], result["questions"]) == (3, 1, 4)
    overall = result["by_group"]["overall"]
    assert overall["n"] == 3 and overall["held_out"] == 1
    assert overall["abstained_unanswerable"].endswith("/1")
    rows = {r["id"]: r for r in result["per_question"]}
    assert rows["q-coffee"]["answerable"] is False and rows["q-coffee"]["rank"] is None
    assert rows["q-wall"]["rank"] == 0 and rows["q-wall"]["correct"] and rows["q-wall"]["first"]
    assert overall["hit@1"] >= 2 / 3 and overall["baseline"]["n"] == 3
    assert 0.0 <= overall["em"] <= overall["f1"] <= 1.0         # no Answer.short yet scores 0
    assert all(isinstance(r["shown"], bool) for r in result["per_question"])
    assert overall["misleading"] is None or 0.0 <= overall["misleading"] <= 1.0
    corpus = sorted(p.name for p in (files["cache"]).glob("*/corpus/*.md"))
    assert corpus == ["p00000.md", "p00001.md", "p00002.md"]
    assert (files["cache"] / result["index"]["dir"].split("/")[-1] / "corpus" / "p00000.md").read_text(
        encoding="utf-8").startswith("# 长城\n")


@pytest.mark.slow
def test_rerun_embeds_nothing_and_english_questions_are_grouped(files, embeddings, tmp_path):
    first = run(files, embeddings, tmp_path)
    counting = CountingEmbeddings(embeddings)
    again = run(files, counting, tmp_path, questions_file=files["en"], limit_questions=3)
    assert counting.passages == 0 and again["index"]["cache"] == "hit"
    assert again["index"]["dir"] == first["index"]["dir"]
    assert again["questions"] == 3 and set(again["by_group"]) == {"overall", "en"}
    assert all(r["lang"] == "en" for r in again["per_question"])


@pytest.mark.slow
def test_cli_prints_the_table_from_the_cache(files, embeddings, tmp_path, capsys, monkeypatch):
    run(files, embeddings, tmp_path)   # makes sure the cache exists, whatever ran before
    monkeypatch.setenv("VECTORSTORE_DIR", str(tmp_path / "unused"))
    args = ["eval", "--squad", str(files["zh"]), "--sample", "3", "--seed", str(files["seed"]),
            "--cache-dir", str(files["cache"])]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "index: hit" in table and "acc@1st" in table and "base hit@1" in table
    assert "3 indexed + 1 held out" in table and table.splitlines()[3].startswith("overall")
    assert main(args + ["--json", "--no-baseline"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by_group"]["overall"]["baseline"] == {} and data["questions"] == 4
    assert format_squad_table(data).count("\n") == 3 + len(data["by_group"]) - 1


@pytest.mark.slow
def test_llm_fallbacks_are_counted_and_all_fallen_back_is_an_error(files, embeddings, tmp_path):
    api = FakeOpenAI().start()
    try:
        api.scenarios["some-fail"] = lambda req: (Status(500) if "咖啡" in req["messages"][-1]["content"]
                                                  else Text("答案[1]。"))
        api.scenarios["all-fail"] = lambda _req: Status(503)

        def llm_run(model):
            settings = Settings(vectorstore_dir=tmp_path / "unused", llm_base_url=api.base_url, llm_model=model,
                                llm_api_key=TEST_API_KEY, llm_timeout=2, _env_file=None)
            return evaluate_squad(files["zh"], settings=settings, embeddings=embeddings, sample=3,
                                  seed=files["seed"], cache_dir=files["cache"], answerer="llm", baseline=False)

        result = llm_run("some-fail")
        assert result["fell_back"] == 1 and result["questions"] == 4
        assert [r["id"] for r in result["per_question"] if r["answerer"] == "extractive"] == ["q-coffee"]
        assert format_squad_table(result).splitlines()[1].startswith(
            "answerer: llm (1 of 4 answers fell back to extractive: 大模型不可用（端点返回 HTTP 500）")
        with pytest.raises(LLMError, match=r"^All 4 answers fell back to extractive.*HTTP 503"):
            llm_run("all-fail")
    finally:
        api.stop()


def _squad_result(group: dict) -> dict:
    return {"file": "x.json", "questions_file": None, "seed": 0, "indexed": 3, "held_out": 1, "questions": 4,
            "skipped": [], "answerer": "extractive", "index": {"cache": "hit", "dir": "d", "chunks": 3,
                                                               "failed_files": []},
            "by_group": {"overall": group, "zh-Hant": {**group, "baseline": {}}}}


@pytest.mark.parametrize("kind", ["squad", "qa"])
def test_table_headers_are_separated_and_aligned_with_their_values(kind):
    from rag.eval_squad import _COLS
    from rag.evaluate import BASE_COLS, format_table

    # widest realistic values; "short shown" ran into "F1 typed" ("F1 typedshort shown")
    group = {k: (120 if k in ("n", "typed") else "30/30" if k.startswith("abstained") else 1234.5
                 if k.endswith("_ms") else 0.647) for k, _ in _COLS}
    group["baseline"] = {k: 0.505 for k, _ in BASE_COLS}
    if kind == "squad":
        lines = format_squad_table(_squad_result(group)).splitlines()[2:]
        labels = [label for _, label in _COLS + BASE_COLS]
    else:
        lines = format_table({"answerer": "extractive", "questions": 4, "failures": [],
                              "by_group": {"overall": group, "zh-Hant": {**group, "baseline": {}}}}).splitlines()[1:-1]
        labels = ["n", "hit@1", "hit@5", "MRR", "acc", "abst(unans)", "false-abst", "p50 ms", "p95 ms",
                  *(label for _, label in BASE_COLS)]
    header, *rows = lines
    ends, pos = [], 0
    for label in labels:
        start = header.index(label, pos)
        assert header[start - 2:start] == "  ", f"{label!r} runs into the column before it: {header!r}"
        pos = start + len(label)
        ends.append(pos)
    assert pos == len(header)
    for row in rows:
        cells = row[10:].split()
        assert len(cells) == len(labels)
        offset = 10
        for cell, end in zip(cells, ends):
            offset = row.index(cell, offset) + len(cell)
            assert offset == end, f"{cell!r} is not under its header in {row!r}"
