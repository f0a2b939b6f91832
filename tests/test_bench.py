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
        "agreement": {"ct2_int8": {"label_agreement": 0.99, "max_prob_diff": 0.02, "pairs": 10}},
        "agreement_dev": {"ct2_int8": {"label_agreement": 0.995, "max_prob_diff": 0.05, "pairs": 10}},
        "batch_difference": {"ct2_int8": {"label_agreement": 1.0, "max_prob_diff": 0.0}},
        "settings": {"default_mode": "ct2_int8"},
    }


def test_ratios_and_goals_from_rates() -> None:
    r = _result(
        limit_fp32=100.0, limit_ct2_int8=200.0, project_cold_fp32=95.0, project_cold_ct2_int8=190.0,
        project_warm_ct2_int8=19000.0, pipeline_zero_shot=5.0,
    )  # fmt: skip
    r["ratios"] = bench.ratios(r)
    assert r["ratios"]["project_cold_fp32"]["vs_limit_fp32"] == 0.95
    assert r["ratios"]["limit_ct2_int8"]["vs_zero_shot"] == 40.0
    g = bench.goals(r)
    assert g["fastest_batch_independent"]["value"] == "ct2_int8"
    assert g["default"]["value"] == "ct2_int8" and g["default"]["is_fastest"] is True
    assert g["default_vs_limit_fp32"] == {"value": 2.0, "target": 1.6, "met": True}
    assert g["cold_default_vs_limit_default"] == {"value": 0.95, "target": 0.9, "met": True}
    assert g["dev_agreement_of_default"]["value"] == 0.995 and g["dev_agreement_of_default"]["met"]
    assert g["batch_prob_diff_of_default"] == {"value": 0.0, "target": 1e-3, "met": True}
    assert g["project_vs_zero_shot"]["value"] == 38.0
    assert g["warm_vs_cold"]["value"] == 100.0
    assert g["memory_peak_mb_100k"]["met"] is None


@pytest.mark.parametrize(
    ("what", "value"),
    [("batch", 2e-3), ("dev", 0.985)],
)
def test_a_mode_that_depends_on_its_batch_or_disagrees_is_not_the_fastest(what: str, value: float) -> None:
    r = _result(limit_fp32=100.0, limit_ct2_int8=300.0)
    if what == "batch":
        r["batch_difference"]["ct2_int8"]["max_prob_diff"] = value
    else:
        r["agreement_dev"]["ct2_int8"]["label_agreement"] = value
    g = bench.goals(r)
    assert g["fastest_batch_independent"]["value"] == "fp32"
    assert g["default"]["is_fastest"] is False


def test_cli_has_a_bench_command_and_a_precision_option() -> None:
    args = build_parser().parse_args(["--precision", "int8", "bench", "--n", "40", "--repeat", "1"])
    assert (args.command, args.precision, args.n, args.repeat) == ("bench", "int8", 40, 1)


def test_bench_has_no_precision_flag_of_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--precisions", "fp32,int8"])
    assert "--precisions" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("backend", "precision", "measured"),
    [
        (None, None, ("fp32", "ct2_int8", "ct2_fp32", "bf16", "int8")),
        ("ctranslate2", None, ("fp32", "ct2_int8")),
        (None, "fp32", ("fp32", "ct2_fp32")),
        ("torch", None, ("fp32",)),
        ("torch", "int8", ("fp32", "int8")),
        ("torch", "bf16", ("fp32", "bf16")),
    ],
)
def test_the_global_flags_are_measured_against_torch_fp32(
    backend: str | None, precision: str | None, measured: tuple[str, ...]
) -> None:
    assert bench.bench_modes(backend, precision) == measured
    assert all(bench.mode_settings(m)[0] in ("torch", "ctranslate2") for m in measured)


def _fake_result() -> dict:
    r = {"variants": {"limit_fp32": {"rate": 1.0, "sentences": 1}}, "agreement": {},
         "batch_difference": {}, "machine": {"cpu": "x", "cores": 1, "torch": "0", "loadavg": [0.0]}}
    r["ratios"] = bench.ratios(r)
    r["goals"] = {}
    return r


def test_cli_bench_runs_the_modes_of_the_global_flags(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict = {}

    def fake_run(**kw: object) -> dict:
        seen.update(kw)
        return _fake_result()

    monkeypatch.setattr(bench, "run", fake_run)
    monkeypatch.delenv("FRAMING_PRECISION", raising=False)
    monkeypatch.delenv("FRAMING_BACKEND", raising=False)
    out = tmp_path / "b.json"
    assert main(["--backend", "torch", "--precision", "int8", "bench", "--n", "5", "--max-wait", "7",
                 "--json", str(out)]) == 0  # fmt: skip
    assert seen["modes"] == ("fp32", "int8") and seen["n"] == 5 and seen["max_wait"] == 7
    assert (seen["settings"].backend, seen["settings"].precision) == ("torch", "int8")
    assert "limit_fp32" in json.loads(out.read_text())["variants"]


def test_the_memory_child_gets_the_backend_and_precision(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from framing import Settings
    from framing.quality import bench_memory

    seen: dict = {}

    def fake(cmd: list[str], **kw: object) -> subprocess.CompletedProcess:
        seen["cmd"] = cmd
        return subprocess.CompletedProcess(cmd, 0, stdout='{"peak_rss_mb": 1.0}\n', stderr="")

    monkeypatch.setattr(bench_memory.subprocess, "run", fake)
    got = bench_memory.memory_in_child(4, chunk_size=2, seed=0, settings=Settings(backend="torch"))
    assert got == {"peak_rss_mb": 1.0}
    cmd = seen["cmd"]
    assert cmd[cmd.index("--backend") + 1] == "torch" and cmd[cmd.index("--precision") + 1] == "auto"


# ---------------------------------------------------------------- waiting for a quiet machine


class _Clock:
    def __init__(self, loads: list[float]) -> None:
        self.t, self.loads, self.sleeps = 0.0, list(loads), 0

    def loadavg(self) -> tuple[float, float, float]:
        return (self.loads.pop(0) if len(self.loads) > 1 else self.loads[0], 0.0, 0.0)

    def sleep(self, s: float) -> None:
        self.t += s
        self.sleeps += 1


@pytest.mark.parametrize(
    ("loads", "max_wait", "quiet", "sleeps", "end"),
    [
        ([0.4], 600, True, 0, 0.4),  # quiet already: no wait
        ([3.0, 2.0, 0.9], 600, True, 2, 0.9),  # falls below 1.0 after two looks
        ([5.0], 60, False, 6, 5.0),  # never quiet: gives up after max_wait, and says so
        ([5.0], 0, False, 0, 5.0),  # max_wait 0: only records the load
        ([1.0], 30, False, 3, 1.0),  # 1.0 is not below 1.0
    ],
)
def test_wait_for_quiet_is_bounded_and_records_the_load(
    loads: list[float], max_wait: float, quiet: bool, sleeps: int, end: float
) -> None:
    from framing.quality.bench_quiet import wait_for_quiet

    c = _Clock(loads)
    w = wait_for_quiet(max_wait=max_wait, poll=10, loadavg=c.loadavg, sleep=c.sleep, clock=lambda: c.t)
    assert (w["quiet"], c.sleeps, w["loadavg"][0]) == (quiet, sleeps, end)
    assert w["loadavg_before"][0] == loads[0] and w["waited_s"] == 10 * sleeps <= max_wait


def test_the_table_marks_a_loaded_run_provisional() -> None:
    r = _fake_result()
    r["machine"]["quiet"] = {"quiet": False, "below": 1.0, "loadavg": [4.2], "waited_s": 600}
    r["machine"]["loadavg_end"] = [3.9]
    last = bench.table(r).splitlines()[-1]
    assert "4.20 at start" in last and "3.90 at end" in last and "PROVISIONAL" in last
    r["machine"]["quiet"].update(quiet=True, loadavg=[0.3])
    assert "PROVISIONAL" not in bench.table(r)


# ---------------------------------------------------------------- the stages and the large run


@pytest.fixture
def tiny_settings(model_dirs: dict[str, Path], tmp_path: Path) -> object:
    from framing import Settings

    return Settings(model=str(model_dirs["encoder"]), cache=tmp_path / "cache")


@pytest.mark.slow  # fits the heads on the tiny model and loads spaCy's pipelines
@pytest.mark.filterwarnings("ignore:.*longer than the model's limit")  # the tiny model reads 64 tokens
def test_stages_report_every_stage_and_end_to_end(tiny_settings: object, tmp_path: Path) -> None:
    from framing.quality.bench_stages import STAGES, stages, stages_table

    r = stages(30, settings=tiny_settings, max_wait=0, folder=tmp_path / "docs")  # type: ignore[arg-type]
    assert list(r["stages"]) == list(STAGES) == ["load", "split", "attribute", "encode", "heads"]
    assert r["documents"] == 2 and r["sentences"] > 0
    for row in [*r["stages"].values(), r["sum_of_stages"], r["end_to_end"]]:
        # seconds are rounded to the millisecond: a stage of a few milliseconds has a wider relative error
        tolerance = max(0.05, 0.0011 / row["seconds"]) if row["seconds"] > 0 else 0.05
        assert row["seconds"] > 0
        assert row["rate"] == pytest.approx(r["sentences"] / row["seconds"], rel=tolerance)
    assert r["sum_of_stages"]["seconds"] == pytest.approx(sum(v["seconds"] for v in r["stages"].values()),
                                                          abs=0.01)  # fmt: skip
    assert {"quiet", "loadavg", "loadavg_end"} <= set(r["machine"]) and r["model"]["backend"] == "ctranslate2"
    lines = stages_table(r).splitlines()
    assert [ln.split()[0] for ln in lines[2:7]] == list(STAGES) and "end to end" in lines[8]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:.*longer than the model's limit")
def test_the_large_run_streams_to_parquet_and_samples_memory(tiny_settings: object, tmp_path: Path) -> None:
    import pandas as pd

    from framing.quality.bench_stages import large_run, projection, write_curve

    seen: list[int] = []
    r = large_run(60, folder=tmp_path / "run", settings=tiny_settings, docs_per_chunk=1,  # type: ignore[arg-type]
                  sample_every=0.05, max_wait=0, progress=seen.append)  # fmt: skip
    assert r["documents"] == 3 and len(seen) == 3 and seen[-1] == r["sentences"]
    sents = pd.read_parquet(tmp_path / "run" / "tables" / "sentences.parquet")
    stance = pd.read_parquet(tmp_path / "run" / "tables" / "stance.parquet")
    assert len(sents) == r["sentences"] and set(stance["sent_id"]) == set(sents["sent_id"])
    assert {"speaker", "source", "mode", "cue"} <= set(sents.columns)
    counts = [k for _, k, _ in r["samples"]]
    assert counts == sorted(counts) and counts[-1] == r["sentences"] and len(counts) >= 2
    assert r["peak_rss_mb"] == max(m for _, _, m in r["samples"]) > 0 and r["rate"] > 0
    curve = write_curve(r, tmp_path / "memory.csv").read_text().splitlines()
    assert curve[0] == "seconds,sentences,rss_mb" and len(curve) == len(r["samples"]) + 1
    assert projection(r)["sentences"] == 1_000_000


def test_projection_holds_the_rate_and_follows_the_memory_slope() -> None:
    from framing.quality.bench_stages import projection

    flat = {"rate": 100.0, "samples": [(0, 0, 900.0), (1, 500, 1000.0), (2, 1000, 1000.0)]}
    leak = {"rate": 100.0, "samples": [(0, 0, 900.0), (1, 500, 1000.0), (2, 1000, 1100.0)]}
    assert projection(flat, 360_000) == {"sentences": 360_000, "hours": 1.0, "peak_rss_mb": 1000.0,
                                         "mb_per_1000_sentences": 0.0}  # fmt: skip
    assert projection(leak, 2000)["peak_rss_mb"] == pytest.approx(1300.0)


def test_cli_bench_stages_writes_json(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from framing.quality import bench_stages

    fake = {"stages": {s: {"seconds": 1.0, "rate": 10.0} for s in bench_stages.STAGES},
            "sum_of_stages": {"seconds": 5.0, "rate": 2.0}, "end_to_end": {"seconds": 5.0, "rate": 2.0},
            "sentences": 10, "documents": 1, "model": {}, "machine": {"quiet": {"quiet": True,
            "loadavg": [0.1]}, "loadavg_end": [0.2]}}  # fmt: skip
    monkeypatch.setattr(bench_stages, "stages", lambda n, **kw: {**fake, "n": n, "kw": sorted(kw)})
    out = tmp_path / "s.json"
    assert main(["bench", "--stages", "--n", "7", "--max-wait", "0", "--json", str(out)]) == 0
    got = json.loads(out.read_text())
    assert got["n"] == 7 and got["kw"] == ["max_wait", "seed", "settings"] and "command" in got


@pytest.mark.slow
def test_a_small_run_writes_every_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "bench.json"
    argv = ["--backend", "ctranslate2", "bench", "--n", "12", "--repeat", "1", "--zero-shot-n", "1",
            "--pipeline-n", "2", "--chunk-size", "5", "--max-wait", "0", "--json", str(out)]  # fmt: skip
    assert main(argv) == 0
    res = json.loads(out.read_text())
    assert {"machine", "settings", "models", "variants", "ratios", "agreement", "agreement_dev",
            "batch_difference", "goals"} <= set(res)  # fmt: skip
    assert {"cpu", "cores", "torch", "ctranslate2", "loadavg", "loadavg_end", "quiet"} <= set(res["machine"])
    expected = {
        "project_cold_fp32", "project_warm_fp32", "limit_fp32", "project_cold_ct2_int8", "limit_ct2_int8",
        "pipeline_zero_shot", "pipeline_feature_extraction", "memory",
    }  # fmt: skip
    assert expected <= set(res["variants"])
    for v in res["variants"].values():
        assert v["rate"] > 0 and v["peak_rss_mb"] > 0
    assert res["variants"]["memory"]["sentences"] == 12
    assert res["models"]["ct2_int8"]["compute_type"] == "int8_float32"
    assert 0 <= res["agreement"]["ct2_int8"]["label_agreement"] <= 1
    dev = res["settings"]["dev_sentences"]
    assert dev > 0 and res["agreement_dev"]["ct2_int8"]["pairs"] % dev == 0
    assert set(bench.GOALS) <= set(res["goals"])
