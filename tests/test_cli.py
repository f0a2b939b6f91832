"""The ``framing`` command: one parser, one Settings per run, nothing written to os.environ."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from framing import Settings, cli

TARGETS = "targets:\n  - id: russia\n    description: Russia's government.\n"
FRAMES = "frames:\n  - id: economic\n    definition: Costs.\n  - id: political\n    definition: Politics.\n"


def _corpus(tmp_path: Path) -> Path:
    """A sentences table of two sources, as a CSV."""
    rows = [
        {"sent_id": i, "doc_id": f"d{i // 3}", "text": f"Sentence number {i}.", "source": "ab"[i % 2]}
        for i in range(8)
    ]
    path = tmp_path / "sentences.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _codebooks(tmp_path: Path) -> list[str]:
    (tmp_path / "t.yaml").write_text(TARGETS)
    (tmp_path / "f.yaml").write_text(FRAMES)
    return ["--targets", str(tmp_path / "t.yaml"), "--frames", str(tmp_path / "f.yaml")]


def test_annotate_export_then_import_writes_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet_path = tmp_path / "coding" / "sheet.csv"
    argv = ["annotate", "export", str(_corpus(tmp_path)), "-o", str(sheet_path), "-n", "4",
            "--coders", "ann", "bob", "--seed", "3", *_codebooks(tmp_path)]  # fmt: skip
    assert cli.main(argv) == 0
    assert f"wrote {sheet_path} (4 sentences)" in capsys.readouterr().out
    sheet = pd.read_csv(sheet_path, encoding="utf-8-sig")
    assert list(sheet.columns) == [
        "sent_id", "doc_id", "text", "ann__stance__russia", "ann__frame", "bob__stance__russia", "bob__frame",
    ]  # fmt: skip
    assert len(sheet) == 4 and set(sheet["sent_id"]) <= set(range(8))
    book = pd.read_csv(tmp_path / "coding" / "sheet_codebook.csv", encoding="utf-8-sig")
    assert set(book["id"]) == {"russia", "favor", "against", "none", "economic", "political"}

    sheet["ann__stance__russia"] = ["favor", "against", "none", "favor"]
    sheet["bob__stance__russia"] = ["favor", "against", "none", "against"]
    sheet["ann__frame"] = sheet["bob__frame"] = ["economic", "political", "economic", "political"]
    sheet.to_csv(sheet_path, index=False)
    stance = tmp_path / "stance.csv"
    model = pd.DataFrame({"sent_id": sheet["sent_id"], "target": "russia", "label": "favor"})
    model.to_csv(stance, index=False)
    codes, alpha = tmp_path / "codes.csv", tmp_path / "alpha.csv"
    argv = ["annotate", "import", str(sheet_path), "--model", str(stance), "--codes", str(codes),
            "--out", str(alpha)]  # fmt: skip
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"wrote {codes}" in out and f"wrote {alpha}" in out

    long = pd.read_csv(codes)
    assert list(long.columns) == ["sent_id", "coder", "item", "value"]
    assert len(long) == 4 * 2 * 2  # sentences x coders x items
    table = pd.read_csv(alpha)
    assert set(table["comparison"]) == {"coders", "ann vs model", "bob vs model"}
    coders = table[table["comparison"] == "coders"].set_index("item")["alpha"]
    assert coders["frame"] == 1.0
    assert coders["stance:russia"] < 1.0  # the coders disagree on one sentence


def test_annotate_import_rejects_a_bad_code(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("sent_id,doc_id,text,ann__stance__russia\n0,d,Talks resumed.,maybe\n")
    assert cli.main(["annotate", "import", str(sheet)]) == 1
    assert "'maybe' is not an allowed code" in caplog.text


def test_the_environment_is_unchanged_after_a_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FRAMING_PRECISION", raising=False)
    monkeypatch.delenv("FRAMING_MODEL", raising=False)
    before = dict(os.environ)
    argv = ["--precision", "int8", "annotate", "export", str(_corpus(tmp_path)), "-o",
            str(tmp_path / "s.csv"), "-n", "2", *_codebooks(tmp_path)]  # fmt: skip
    assert cli.main(argv) == 0
    assert dict(os.environ) == before


def test_one_settings_from_the_flags_reaches_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from framing.quality import evaluation

    seen: list[Settings] = []

    class Stop(ValueError):
        pass

    def fake_evaluate(split: str, **kw: object) -> None:
        seen.append(kw["settings"])  # type: ignore[arg-type]
        raise Stop("stop here")

    monkeypatch.setattr(evaluation, "evaluate", fake_evaluate)
    monkeypatch.setenv("FRAMING_PRECISION", "bf16")
    monkeypatch.setenv("FRAMING_CACHE", "/tmp/framing-test-cache")
    assert cli.main(["--precision", "int8", "evaluate", "--model", "some/model"]) == 1
    assert cli.main(["evaluate"]) == 1
    flag, env = seen
    assert (flag.precision, flag.model, flag.cache) == ("int8", "some/model", Path("/tmp/framing-test-cache"))
    assert (env.precision, env.model) == ("bf16", None)
    assert os.environ["FRAMING_PRECISION"] == "bf16"


def test_an_unknown_precision_in_the_environment_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("FRAMING_PRECISION", "int4")
    assert cli.main(["evaluate"]) == 1
    assert "unknown precision 'int4'" in caplog.text


def test_every_command_shares_the_one_precision_flag() -> None:
    parser = cli.build_parser()
    for argv in (["score", "x.txt"], ["evaluate"], ["reports"], ["bench"], ["fetch"],
                 ["annotate", "import", "x.csv"]):  # fmt: skip
        assert parser.parse_args(["--precision", "bf16", *argv]).precision == "bf16"
        with pytest.raises(SystemExit):
            parser.parse_args([*argv, "--precision", "bf16"])


@pytest.mark.slow
def test_the_precision_and_backend_reach_the_notebook_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FRAMING_PRECISION", raising=False)
    monkeypatch.delenv("FRAMING_BACKEND", raising=False)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("X = 1")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell(
            "import os\nfrom framing import Settings\n"
            "print('env=' + os.environ.get('FRAMING_PRECISION', 'unset'))\n"
            "print('settings=' + Settings.from_env().precision)\n"
            "print('backend=' + os.environ.get('FRAMING_BACKEND', 'unset') + '/'\n"
            "      + Settings.from_env().backend)"
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "p.ipynb")
    before = dict(os.environ)
    argv = ["--precision", "int8", "--backend", "torch", "reports", str(tmp_path / "p.ipynb"),
            "--out", str(tmp_path / "out")]
    assert cli.main(argv) == 0
    page = (tmp_path / "out" / "p.html").read_text()
    assert "env=int8" in page and "settings=int8" in page
    assert "backend=torch/torch" in page
    assert dict(os.environ) == before


def test_reports_refuses_an_unknown_parameter_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["reports", "-p", "CORPSU", "x"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown notebook parameter 'CORPSU'; the notebooks take CORPUS, TABLES, ")
    assert len(err.splitlines()) == 1


def test_reports_flags_become_the_notebook_parameters(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from framing import report

    seen: dict[str, object] = {}

    def fake_render(notebooks: object, **kw: object) -> list[object]:
        seen.update(kw)
        return []

    monkeypatch.setattr(report, "render_reports", fake_render)
    argv = ["reports", "--corpus", "c.csv", "--targets", "t.yaml", "--aliases", "a.csv",
            "--training", "x.csv", "-p", "RANDOM_SEED", "7", "-p", "SOURCE_A", "None",
            "-p", "GROUP_BY", "7", "--out", str(tmp_path)]  # fmt: skip
    assert cli.main(argv) == 0
    # typed as the notebooks' defaults: a number, None, and a string that stays a string
    assert seen["parameters"] == {"CORPUS": "c.csv", "TARGETS": "t.yaml", "ALIASES": "a.csv",
                                  "TRAINING": "x.csv", "RANDOM_SEED": 7, "SOURCE_A": None,
                                  "GROUP_BY": "7"}  # fmt: skip
    assert seen["out_dir"] == str(tmp_path) and seen["progress"] is False


def test_reports_ctrl_c_is_one_line_and_exit_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from framing import report

    def interrupted(notebooks: object, **kw: object) -> list[object]:
        raise report.ReportsInterrupted("02_scores.ipynb")

    monkeypatch.setattr(report, "render_reports", interrupted)
    assert cli.main(["reports"]) == 130
    assert capsys.readouterr().err.strip() == (
        "interrupted during 02_scores.ipynb: finished reports are kept; "
        "scores are cached, run again to resume"
    )
