"""Evaluation metrics (worked by hand), the evaluation on a small labelled file, and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_models import NLI_LABELS, build_tiny

from framing import cli
from framing.quality import evaluation


@pytest.fixture(autouse=True)
def _cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMING_MODEL", raising=False)


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        (["favor", "against", "none"], ["favor", "against", "none"], (1.0, 1.0, 1.0)),
        (["favor", "against", "none"], ["favor", "none", "none"], (1.0, 0.0, 0.5)),
        # favor: P = 1/2, R = 1/2 -> 0.5; against: P = 1, R = 1/2 -> 2/3
        (["favor", "favor", "against", "against"], ["favor", "against", "against", "favor"], (0.5, 0.5, 0.5)),
        (
            ["favor", "none", "against", "against"],
            ["favor", "favor", "against", "none"],
            (2 / 3, 2 / 3, 2 / 3),
        ),
        (["none", "none"], ["none", "none"], (0.0, 0.0, 0.0)),  # no favor or against at all
    ],
)
def test_favor_against_f1(gold: list[str], pred: list[str], expected: tuple[float, float, float]) -> None:
    assert evaluation.favor_against_f1(gold, pred) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("conf", "correct", "expected"),
    [
        ([0.9, 0.9], [1, 1], 0.1),
        ([0.9, 0.9], [1, 0], 0.4),
        ([0.55, 0.95], [1, 0], 0.5 * 0.45 + 0.5 * 0.95),
        ([1.0, 0.35, 0.35], [1, 0, 1], (1 / 3) * 0.0 + (2 / 3) * abs(0.5 - 0.35)),
    ],
)
def test_expected_calibration_error(conf: list[float], correct: list[int], expected: float) -> None:
    assert evaluation.expected_calibration_error(conf, correct) == pytest.approx(expected)


@pytest.mark.parametrize(("k", "expected"), [(1, 0.5), (2, 1.0)])
def test_topk_accuracy(k: int, expected: float) -> None:
    probs = np.array([[0.7, 0.2, 0.1], [0.5, 0.3, 0.2]])
    assert evaluation.topk_accuracy(["a", "b"], probs, ["a", "b", "c"], k=k) == expected


def _gold_file(folder: Path, name: str) -> Path:
    rows = []
    words = [
        "nato must stop expanding .",
        "the leaders agreed to continue talks .",
        "troops and the border",
        "war",
    ]
    labels = ["favor", "against", "none", "none"]
    frames_ = ["security_and_defense", "external_regulation_and_reputation", "political", "other"]
    for i in range(12):
        rows.append(
            {
                "id": f"g{i}",
                "text": f"{words[i % 4]} {'peace ' * (i // 4)}".strip(),
                "nato_expansion": labels[i % 4],
                "ukraine": "none",
                "russia": labels[(i + 1) % 4],
                "diplomacy": labels[(i + 2) % 4],
                "frame": frames_[i % 4],
                "genre": "news",
            }
        )
    path = folder / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("kind", "cv", "method"),
    [("encoder", True, "cv3"), ("encoder", False, "shipped"), ("nli", True, "nli")],
)
def test_evaluate_on_a_small_file(tmp_path: Path, kind: str, cv: bool, method: str) -> None:
    model = build_tiny(tmp_path / "m", id2label=NLI_LABELS if kind == "nli" else None)
    ev = evaluation.evaluate(_gold_file(tmp_path, "held.csv"), model=model, k=3, cross_validate=cv)
    t = ev.table
    assert set(t["method"]) == {method}
    pooled = t[(t["target"] == "pooled") & (t["metric"] == "macro_f1")]
    assert pooled["n"].item() == 12 * 4
    assert 0 <= pooled["value"].item() <= 1
    assert set(t[t["task"] == "stance"]["target"]) == {
        "pooled",
        "nato_expansion",
        "ukraine",
        "russia",
        "diplomacy",
    }
    top1 = t[t["metric"] == "top1_accuracy"]["value"].item()
    top3 = t[t["metric"] == "top3_accuracy"]["value"].item()
    assert 0 <= top1 <= top3 <= 1
    assert ev.confusion["stance/pooled"].to_numpy().sum() == 48
    assert ev.confusion["frames"].to_numpy().sum() == 12
    # the pooled metric agrees with the scored sentences
    st = ev.stance
    assert pooled["value"].item() == pytest.approx(evaluation.favor_against_f1(st["gold"], st["label"])[2])


def test_the_bootstrap_interval_resamples_sentences_with_their_pairs() -> None:
    gold = ["favor", "against", "none", "favor"] * 25
    pred = ["favor", "none", "none", "against"] * 25
    lo, hi = evaluation.bootstrap_interval(gold, pred, [i // 2 for i in range(100)], "macro_f1")
    point = evaluation.favor_against_f1(gold, pred)[2]
    assert lo < point < hi and hi - lo < 0.5
    again = evaluation.bootstrap_interval(gold, pred, [i // 2 for i in range(100)], "macro_f1")
    assert (lo, hi) == again  # seeded
    acc = evaluation.bootstrap_interval(list("aabb"), list("abab"), range(4), "accuracy", n_boot=200)
    assert 0 <= acc[0] <= 0.5 <= acc[1] <= 1


def test_named_splits_are_the_labelled_corpus_events_of_that_split() -> None:
    from framing.quality.labelled import events_table

    events = events_table()
    for split in ("dev", "test"):
        gold = evaluation.load_gold(split)
        assert set(gold["event"]) == set(events.loc[events["split"] == split, "event"])
        assert {"id", "text", "frame", "russia"} <= set(gold.columns)
    assert len(evaluation.load_gold("seed")) == 10


def test_missing_split_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no labelled data"):
        evaluation.load_gold(tmp_path / "nothing.csv")


def test_cli_evaluate_writes_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = build_tiny(tmp_path / "m", id2label=NLI_LABELS)
    out = tmp_path / "table.csv"
    code = cli.main(["evaluate", "--split", str(_gold_file(tmp_path, "x.csv")), "--model", str(model),
                     "--out", str(out)])  # fmt: skip
    assert code == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["split", "method", "model", "task", "target", "metric", "value", "n",
                                   "ci_low", "ci_high"]
    pooled = table[(table["target"] == "pooled") & (table["metric"] == "macro_f1")].iloc[0]
    assert pooled["ci_low"] <= pooled["value"] <= pooled["ci_high"]
    assert "macro_f1" in capsys.readouterr().out


def test_cli_score_writes_both_tables(tmp_path: Path) -> None:
    model = build_tiny(tmp_path / "m", id2label=NLI_LABELS)
    src = tmp_path / "s.txt"
    src.write_text("nato must stop expanding .\n\nwar and peace\n", encoding="utf-8")
    st, fr = tmp_path / "st.csv", tmp_path / "fr.csv"
    argv = ["score", str(src), "--model", str(model), "--stance-out", str(st), "--frames-out", str(fr)]
    assert cli.main(argv) == 0
    assert len(pd.read_csv(st)) == 2 * 4
    assert len(pd.read_csv(fr)) == 2 * 15


def test_cli_reports_a_bad_model_in_one_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    src = tmp_path / "s.txt"
    src.write_text("A title\n\nA sentence of the body.\n", encoding="utf-8")
    assert cli.main(["score", str(src), "--model", "no-such-model"]) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "no-such-model" in errors[0]
