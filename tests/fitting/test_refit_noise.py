"""refit_noise.py's bookkeeping: nets per set, the paired comparison, and refusing mismatched dumps.

The refits themselves run in ``test_fit_answer.py::test_refit_on_a_slice`` (slow)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

refit_noise = pytest.importorskip("fitting.refit_noise")    # scikit-learn: the dev extra

W = {"answer_bar": {"zh": 0.2, "en": 0.1}, "near_miss_weight": 0.1, "sentence_c": 1.0}


def _runs(*counts):
    return [(label, c, W) for label, c in zip(["all", "drop 1", "drop 2"], counts)]


@pytest.mark.parametrize("base,new,expected", [
    ((10, 12, 2, 5), (10, 12, 2, 5), 0),
    ((10, 12, 2, 5), (11, 12, 2, 5), 1),       # one more first sentence right
    ((10, 12, 2, 5), (10, 12, 3, 5), -1),      # one more false abstention
    ((10, 12, 2, 5), (9, 11, 1, 7), 1),        # −1 −1 +1 +2
])
def test_net_counts_gains_against_losses(base, new, expected):
    assert refit_noise.net(base, new) == expected


def test_paired_table_nets_each_round_against_the_same_rounds_base():
    base = _runs({"a": (10, 12, 2, 5), "b": (5, 6, 1, 3)}, {"a": (9, 12, 2, 5), "b": (5, 6, 1, 3)},
                 {"a": (10, 12, 2, 4), "b": (5, 6, 1, 3)})
    change = _runs({"a": (11, 12, 2, 5), "b": (5, 6, 1, 3)}, {"a": (10, 12, 2, 5), "b": (5, 7, 1, 3)},
                   {"a": (10, 12, 2, 4), "b": (5, 6, 1, 3)})
    lines = refit_noise.paired_table(base, change)
    assert [line.split()[-1] for line in lines[1:4]] == ["+1", "+2", "+0"]
    assert lines[-1] == "change's net over 3 paired fits: +1.0 ± 0.6 (standard error)"


def test_a_dump_against_itself_nets_zero_and_its_noise_table_starts_at_zero():
    runs = _runs({"a": (10, 12, 2, 5)}, {"a": (8, 12, 2, 5)})
    assert refit_noise.paired_table(runs, runs)[-1] == "change's net over 2 paired fits: +0.0 ± 0.0 (standard error)"
    table = refit_noise.noise_table(runs)
    assert table[1].split()[6] == "+0" and table[2].split()[7] == "-2"    # "drop 1" is two tokens


@pytest.mark.parametrize("other,same", [
    ([("cmrc", "q1", False), ("cmrc", "q2", True)], True),
    ([("cmrc", "q2", True), ("cmrc", "q1", False)], False),     # same questions, other order: other drops
    ([("cmrc", "q1", False)], False),
    ([], False),
])
def test_dumps_must_hold_the_same_questions_in_the_same_order(tmp_path: Path, other, same):
    def dump(name, keys):
        path = tmp_path / name
        path.write_bytes(pickle.dumps([{"set": s, "id": i, "eval": e} for s, i, e in keys]))
        return path
    a = dump("a.pkl", [("cmrc", "q1", False), ("cmrc", "q2", True)])
    assert refit_noise.same_questions(a, dump("b.pkl", other)) is same


@pytest.mark.parametrize("args,message", [
    (["--drop", "0"], "--drop must be between 0 and 1"),
    (["--rounds", "-1"], "--rounds at least 0"),
    (["--bags", "0"], "--bags at least 1"),
])
def test_bad_arguments_are_named(tmp_path: Path, capsys, args, message):
    with pytest.raises(SystemExit):
        refit_noise.main([str(tmp_path / "rows.pkl"), *args])
    assert message in capsys.readouterr().err


def test_a_missing_dump_names_the_command_that_writes_one(tmp_path: Path, capsys):
    with pytest.raises(SystemExit):
        refit_noise.main([str(tmp_path / "rows.pkl")])
    assert "fitting/fit_answer.py --dump" in capsys.readouterr().err
