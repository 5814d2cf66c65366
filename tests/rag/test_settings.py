"""rag.Settings: keyword arguments are checked, the environment and .env are not."""

import pytest

from rag import ConfigError, Settings


@pytest.mark.parametrize("name, suggestion", [
    ("vectorstore_dr", "did you mean vectorstore_dir?"),
    ("VECTORSTORE_DR", "did you mean vectorstore_dir?"),
    ("topk", "did you mean top_k?"),
    ("llm_modle", "did you mean llm_model?"),
    ("_env_fil", "did you mean _env_file?"),        # pydantic-settings' own options are checked too
    ("zzzz", "the settings are listed in .env.example."),
    ("", "the settings are listed in .env.example."),
])
def test_unknown_keyword_names_the_setting_and_the_closest_one(name, suggestion):
    with pytest.raises(ConfigError) as err:
        Settings(_env_file=None, **{name: "x"})
    assert str(err.value) == f"Unknown setting {name or repr(name)}; {suggestion}"


@pytest.mark.parametrize("name", ["top_k", "TOP_K", "Top_K"])
def test_keyword_names_are_case_insensitive_like_the_env_vars(name):
    assert Settings(_env_file=None, **{name: 3}).top_k == 3


def test_environment_and_env_file_may_hold_other_tools_variables(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text("OTHER_TOOL_TOKEN=abc\nVECTORSTORE_DR=typo-in-env\nTOP_K=7\n", encoding="utf-8")
    monkeypatch.setenv("SOME_OTHER_TOOL_HOME", "/opt/tool")
    monkeypatch.setenv("CHUNK_SIZE", "400")
    settings = Settings(_env_file=env, fetch_k=30)
    assert (settings.top_k, settings.chunk_size, settings.fetch_k) == (7, 400, 30)
    assert not hasattr(settings, "other_tool_token")
