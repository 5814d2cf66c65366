from pathlib import Path

import pytest

from ingest import detect_script, to_canonical, to_script, written_in
from ingest import script as stage


@pytest.mark.parametrize(
    "text,script",
    [
        ("DeepSeek训练V3用了多少块H800？", "zh-Hans"),
        ("DeepSeek聲稱訓練V3用了多少張輝達顯示卡？", "zh-Hant"),
        ("梁文鋒畢業於哪所大學？", "zh-Hant"),
        ("Which university did Liang Wenfeng graduate from?", "en"),
        ("", "en"),
        ("H800", "en"),
        ("中国", "zh-Hans"),
        # no letters at all: a Chinese keyboard's punctuation means a Chinese reader (it got English)
        ("？", "zh-Hans"), ("…… —— 。。", "zh-Hans"), ("?", "en"), ("What is DeepSeek？", "en"),
    ],
)
def test_detect_script(text, script):
    assert detect_script(text) == script


@pytest.mark.parametrize(
    "tw,canonical",
    [("輝達", "英伟达"), ("顯示卡", "显卡"), ("軟體", "软件"), ("人工智慧", "人工智能"), ("晶片", "芯片"),
     ("梁文鋒畢業於浙江大學", "梁文锋毕业于浙江大学"), ("", "")],
)
def test_taiwan_phrases_become_mainland_simplified(tw, canonical):
    assert to_canonical(tw) == canonical


@pytest.mark.parametrize("tw", ["輝達", "顯示卡", "軟體", "人工智慧", "晶片", "梁文鋒畢業於浙江大學"])
def test_round_trip_to_taiwan_script(tw):
    assert to_script(to_canonical(tw), "zh-Hant") == tw


def test_english_readers_get_the_original():
    assert to_script("英伟达", "en") == "英伟达"
    assert to_script("輝達", "zh-Hans") == "英伟达"
    assert to_script("英伟达的显卡", "zh-Hans") == "英伟达的显卡"


def test_hant_config_is_configurable():
    assert to_script("软件", "zh-Hant", hant_config="s2t") == "軟件"


@pytest.mark.parametrize("simplified,taiwan", [
    ("模型参数有6710亿个", "模型參數有6710億個"),     # s2twp alone: 引數 (a function argument)
    ("DeepSeek发布了V3", "DeepSeek發布了V3"),          # s2twp alone: 釋出
    ("程序运行在英伟达的芯片和显卡上", "程序運行在輝達的晶片和顯示卡上"),  # 執行; vocabulary kept
    ("执行任务", "執行任務"),                             # a real 执行 is not touched by the override
    ("软件发布会", "軟體發布會"),
    ("坚持一个中国原则", "堅持一個中國原則"),             # s2twp alone: 一箇中國 (个中 = 箇中, "therein")
    ("只有一个中央窝，另一个中国，多个中国城市", "只有一個中央窩，另一個中國，多個中國城市"),
    ("个中原因", "箇中原因"),                             # the real 箇中 is left to OpenCC
    # fitted on Taiwan text (fitting/fit_hant_keep.py): s2twp alone says 物件, 支援, 專案
    ("该岛是研究人员考虑开采的对象。", "該島是研究人員考慮開採的對象。"),
    ("美国支持该项目", "美國支持該項目"),
    ("他说：“我们会继续努力。”‘深度求索’的DeepSeek’s", "他說：「我們會繼續努力。」『深度求索』的DeepSeek’s"),
    ("特朗普在悉尼会见普京", "川普在雪梨會見普丁"),
    ("", ""),
])
def test_taiwan_wording_overrides(simplified, taiwan):
    assert to_script(simplified, "zh-Hant") == taiwan


def test_taiwan_names_are_for_taiwan_configs_only():
    assert to_script("特朗普说“好”", "zh-Hant", hant_config="s2hk") == "特朗普説「好」"   # HK variant 説
    assert to_script("特朗普", "zh-Hant", hant_config="s2tw") == "川普"


def test_the_fitted_phrases_are_the_fitting_script_s_output():
    fitted = stage._fitted_keep()
    assert fitted["对象"] == "對象" and len(fitted) >= 5
    assert (Path(stage.__file__).parents[1] / "fitting" / "fit_hant_keep.txt").read_text(encoding="utf-8").count(
        "\n  ") == len(fitted)


def test_overrides_leave_no_placeholder_behind():
    text = to_script("参数" * 3 + "发布运行一个中国", "zh-Hant")
    assert text == "參數參數參數發布運行一個中國" and not any(0xF0000 <= ord(c) for c in text)


@pytest.mark.parametrize("text,default,written", [
    ("东芝", "zh-Hant", "zh-Hans"), ("東芝", "zh-Hans", "zh-Hant"),
    ("台北歌手", "zh-Hant", "zh-Hant"), ("中山", "zh-Hans", "zh-Hans"),   # nothing tells: the text's script
    ("", "zh-Hant", "zh-Hant"), ("DeepSeek", "zh-Hans", "zh-Hans"),
])
def test_written_in_judges_only_by_characters_that_tell(text, default, written):
    assert written_in(text, default) == written
