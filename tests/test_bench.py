"""The scoring benchmark: its workload, its arithmetic, and a small run with every JSON field."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from framing.cli import build_parser, main
from framing.quality import bench

SOURCES = [
    "The Kremlin said the talks were frank and businesslike on Monday.",
    "Downing Street said the prime minister warned against any incursion.",
    "NATO allies agreed to keep the door open to new members in Europe.",
]


def test_workload_is_seeded_distinct_and_new() -> None:
    a = list(bench.workload(20, seed=3, sources=SOURCES))
    b = list(bench.workload(20, seed=3, sources=SOURCES))
    c = list(bench.workload(20, seed=4, sources=SOURCES))
    assert a == b
    assert a != c
    assert len(set(a)) == 20
    assert not set(a) & set(SOURCES)
    assert all(len(t.split()) >= 4 for t in a)


def _tables(labels: list[str], probs: list[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    st = pd.DataFrame({"label": labels, "favor": probs, "against": 0.0, "none": 0.0})
    return st, pd.DataFrame({"prob": [0.6]})


@pytest.mark.parametrize(
    ("labels", "probs", "expected"),
    [
        (["favor", "none"], [0.5, 0.1], {"label_agreement": 1.0, "max_prob_diff": 0.0, "pairs": 3}),
        (["against", "none"], [0.5, 0.1], {"label_agreement": 2 / 3, "max_prob_diff": 0.0, "pairs": 3}),
        (["favor", "none"], [0.25, 0.1], {"label_agreement": 1.0, "max_prob_diff": 0.25, "pairs": 3}),
    ],
)
def test_agreement_counts_labels_and_the_largest_probability_gap(
    labels: list[str], probs: list[float], expected: dict[str, float]
) -> None:
    ref = _tables(["favor", "none"], [0.5, 0.1])
    got = bench.agreement(ref, _tables(labels, probs))
    assert got == pytest.approx(expected, abs=1e-6)


def _result(**rates: float) -> dict:
    return {
        "variants": {k: {"rate": v, "sentences": 10} for k, v in rates.items()},
        "agreement": {"int8": {"label_agreement": 0.99, "max_prob_diff": 0.02, "pairs": 10}},
        "batch_difference": {"int8": {"label_agreement": 1.0, "max_prob_diff": 0.001}},
    }


def test_ratios_and_goals_from_rates() -> None:
    r = _result(
        limit_fp32=100.0, limit_int8=300.0, project_cold_fp32=95.0, project_cold_int8=280.0,
        project_warm_fp32=9500.0, pipeline_zero_shot=10.0,
    )  # fmt: skip
    r["ratios"] = bench.ratios(r)
    assert r["ratios"]["project_cold_fp32"]["vs_limit_fp32"] == 0.95
    assert r["ratios"]["project_warm_fp32"]["warm_vs_cold"] == 100.0
    assert r["ratios"]["limit_int8"]["vs_zero_shot"] == 30.0
    g = bench.goals(r)
    assert g["fastest_batch_independent"]["value"] == "int8"
    assert g["fastest_batch_independent_vs_limit_fp32"] == {"value": 3.0, "target": 2.5, "met": True}
    assert g["project_vs_zero_shot"]["value"] == 28.0
    assert g["memory_peak_mb_100k"]["met"] is None


def test_a_mode_that_depends_on_its_batch_is_not_the_fastest() -> None:
    r = _result(limit_fp32=100.0, limit_int8=300.0)
    r["batch_difference"]["int8"]["max_prob_diff"] = 0.5
    assert bench.goals(r)["fastest_batch_independent"]["value"] == "fp32"


def test_cli_has_a_bench_command_and_a_precision_option() -> None:
    args = build_parser().parse_args(["--precision", "int8", "bench", "--n", "40", "--repeat", "1"])
    assert (args.command, args.precision, args.n, args.repeat) == ("bench", "int8", 40, 1)


def test_bench_has_no_precision_flag_of_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--precisions", "fp32,int8"])
    assert "--precisions" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "measured"),
    [
        (None, ("fp32", "bf16", "int8")),
        ("fp32", ("fp32",)),
        ("int8", ("fp32", "int8")),
        ("bf16", ("fp32", "bf16")),
    ],
)
def test_the_global_precision_is_measured_against_fp32(flag: str | None, measured: tuple[str, ...]) -> None:
    assert bench.bench_precisions(flag) == measured


def test_cli_bench_runs_the_precision_of_the_global_flag(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict = {}

    def fake_run(**kw: object) -> dict:
        seen.update(kw)
        r = {"variants": {"limit_fp32": {"rate": 1.0, "sentences": 1}}, "agreement": {},
             "batch_difference": {}, "machine": {"cpu": "x", "cores": 1, "torch": "0", "loadavg": [0.0]}}
        r["ratios"] = bench.ratios(r)
        r["goals"] = {}
        return r

    monkeypatch.setattr(bench, "run", fake_run)
    monkeypatch.delenv("FRAMING_PRECISION", raising=False)
    out = tmp_path / "b.json"
    assert main(["--precision", "int8", "bench", "--n", "5", "--json", str(out)]) == 0
    assert seen["precisions"] == ("fp32", "int8") and seen["n"] == 5
    assert seen["memory_precision"] == "int8"
    assert seen["settings"].precision == "int8"
    assert "limit_fp32" in json.loads(out.read_text())["variants"]


@pytest.mark.slow
def test_a_small_run_writes_every_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "bench.json"
    argv = ["--precision", "int8", "bench", "--n", "12", "--repeat", "1", "--zero-shot-n", "1",
            "--pipeline-n", "2", "--chunk-size", "5", "--json", str(out)]  # fmt: skip
    assert main(argv) == 0
    res = json.loads(out.read_text())
    assert {"machine", "settings", "variants", "ratios", "agreement", "batch_difference", "goals"} <= set(res)
    assert {"cpu", "cores", "torch", "loadavg"} <= set(res["machine"])
    expected = {
        "project_cold_fp32", "project_warm_fp32", "limit_fp32", "project_cold_int8", "limit_int8",
        "pipeline_zero_shot", "pipeline_feature_extraction", "memory",
    }  # fmt: skip
    assert expected <= set(res["variants"])
    for v in res["variants"].values():
        assert v["rate"] > 0 and v["peak_rss_mb"] > 0
    assert res["variants"]["memory"]["sentences"] == 12
    assert 0 <= res["agreement"]["int8"]["label_agreement"] <= 1
    assert set(bench.GOALS) <= set(res["goals"])
