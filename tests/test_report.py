"""Rendering notebooks to HTML reports."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from framing.report import NotebookFailed, render_reports

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A test report")]
    params = nbformat.v4.new_code_cell("X = 1")
    params.metadata["tags"] = ["parameters"]
    nb.cells.append(params)
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_render_writes_html_without_code_and_an_index(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "a.ipynb", "secret_code_marker = X + 41\nprint(secret_code_marker)")
    (report,) = render_reports([nb], out_dir=tmp_path / "out", parameters={"X": 1})
    page = report.html.read_text()
    assert "42" in page
    assert "secret_code_marker = X" not in page  # code cells hidden
    assert "<script src=" not in page  # self-contained: nothing loaded from a CDN
    index = (tmp_path / "out" / "index.html").read_text()
    assert 'href="a.html"' in index and "A test report" in index


@pytest.mark.slow
def test_failed_notebook_names_the_cell_and_keeps_the_partial_notebook(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "bad.ipynb", "ok = 1", "raise ValueError('boom')")
    with pytest.raises(NotebookFailed, match=r"bad\.ipynb failed in cell 3 .*ValueError: boom"):
        render_reports([nb], out_dir=tmp_path / "out")
    kept = nbformat.read(tmp_path / "out" / "notebooks" / "bad.ipynb", as_version=4)
    assert kept.cells[2].outputs == [] and kept.cells[2].execution_count == 1


@pytest.mark.slow
@pytest.mark.parametrize("nb", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_project_notebooks_execute_top_to_bottom(nb: Path, tmp_path: Path) -> None:
    (report,) = render_reports([nb], out_dir=tmp_path)
    assert report.html.stat().st_size > 0
    assert "Traceback" not in report.html.read_text()


def _sents(text: str, start: int = 100) -> pd.DataFrame:
    return pd.DataFrame({"sent_id": ["d:0001"], "start": [start], "text": [text],
                         "source": ["Kremlin readout"], "mode": ["mixed"]})


@pytest.mark.parametrize(
    ("text", "quote", "expected"),
    [
        # quote offsets are document offsets; the sentence starts at 100
        ('He called it "destructive" today.', (113, 126),
         'He called it <mark class="quote">&quot;destructive&quot;</mark> today.'),
        ('<script>alert(1)</script> "x"', (126, 129),
         '&lt;script&gt;alert(1)&lt;/script&gt; <mark class="quote">&quot;x&quot;</mark>'),
        ("No quotes & no marks.", None, "No quotes &amp; no marks."),
    ],
)
def test_attribution_html_escapes_text_and_marks_quotes(text, quote, expected) -> None:
    from framing.report import attribution_html

    quotes = None if quote is None else pd.DataFrame(
        {"sent_id": ["d:0001"], "start": [quote[0]], "end": [quote[1]]})
    page = attribution_html(_sents(text), quotes, columns=("source", "mode"))
    assert f"<td>{expected}</td>" in page
    assert "<td>Kremlin readout</td><td>mixed</td>" in page
    assert "<script>" not in page


def _groups(n_a: int, n_b: int, score_a: float, score_b: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Body sentences of groups A then B in one document, with constant-ish stance scores."""
    rows, stance = [], []
    for i, (group, score) in enumerate([("A", score_a)] * n_a + [("B", score_b)] * n_b, start=1):
        sid = f"d:{i:04d}"
        rows.append({"doc_id": "d", "sent_id": sid, "n": i, "para": i, "start": i * 10, "text": "w w",
                     "is_title": False, "source": group})
        jitter = 0.01 * (i % 3)  # small spread so the bootstrap interval is not a point
        stance.append({"sent_id": sid, "target": "t", "score": score + jitter})
    return pd.DataFrame(rows), pd.DataFrame(stance)


@pytest.mark.parametrize(
    ("n_a", "n_b", "score_a", "score_b", "expected"),
    [
        (6, 6, 0.8, -0.8, "Toward **t**, A is more favourable"),
        (6, 6, -0.8, 0.8, "Toward **t**, B is more favourable"),
        (2, 6, 0.8, -0.8, "too few sentences to conclude"),
    ],
)
def test_summarise_comparison_calls_a_finding_only_when_the_interval_allows(
    n_a, n_b, score_a, score_b, expected
) -> None:
    import framing

    sentences, stance = _groups(n_a, n_b, score_a, score_b)
    text = framing.summarise_comparison(sentences, stance, "A", "B")
    assert expected in text
    assert f"**A**: {n_a} sentences" in text and "it opens the text" in text
    if "too few" in expected:
        assert "more favourable" not in text


def test_summarise_comparison_counts_markers_by_who_chose_the_words() -> None:
    import framing

    sentences, stance = _groups(6, 6, 0.5, -0.5)
    markers = pd.DataFrame({
        "sent_id": ["d:0001", "d:0002", "d:0003", "d:0007"],
        "category": ["naming", "distancing", "reporting_neutral", "naming"],
        "match": ["Kiev", "alleged", "said", "Kyiv"],
        "credited_to": ["outlet", "A", "outlet", "outlet"],
    })
    text = framing.summarise_comparison(sentences, stance, "A", "B", markers=markers)
    assert "reporting **A**, 1 framing markers are the outlet's own words (Kiev) and 1 are inside" in text
    assert "reporting **B**, 1 framing markers are the outlet's own words (Kyiv) and 0 are inside" in text
    assert "said" not in text  # neutral reporting verbs frame nothing


def test_summarise_prominence_names_who_opens_and_closes() -> None:
    import framing

    sentences, _ = _groups(3, 1, 0, 0)
    text = framing.summarise_prominence(framing.prominence(sentences))
    assert text == "**d**: A has the most words (75%); A opens the text and B closes it."


@pytest.mark.slow
def test_cli_passes_parameters_to_the_notebooks(tmp_path: Path) -> None:
    from framing import cli

    nb = _notebook(tmp_path / "p.ipynb", "print(f'value={X}')")
    assert cli.main(["reports", str(nb), "--out", str(tmp_path / "out"), "-p", "X", "hello"]) == 0
    assert "value=hello" in (tmp_path / "out" / "p.html").read_text()


@pytest.mark.slow
def test_cli_exits_non_zero_and_names_the_failing_notebook(tmp_path: Path, caplog) -> None:
    from framing import cli

    nb = _notebook(tmp_path / "broken.ipynb", "1 / 0")
    assert cli.main(["reports", str(nb), "--out", str(tmp_path / "out")]) == 1
    assert "broken.ipynb failed in cell 2" in caplog.text


# ---------------------------------------------------------------- one pipeline run, parameters, --out

PARAMETERS = ["CORPUS", "TABLES", "FIGURES", "TARGETS", "ALIASES", "TRAINING", "MODEL", "GROUP_BY",
              "SOURCE_A", "SOURCE_B", "RANDOM_SEED"]  # fmt: skip


@pytest.mark.parametrize("nb", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_project_notebooks_declare_the_common_parameters_and_papermill_parses_them(
    nb: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import papermill as pm

    with caplog.at_level("WARNING", logger="papermill"):
        declared = pm.inspect_notebook(str(nb))
    assert [r.getMessage() for r in caplog.records if r.name.startswith("papermill")] == []
    assert list(declared)[: len(PARAMETERS)] == PARAMETERS
    assert declared["GROUP_BY"]["default"] == '"source"'
    source = "".join(c.source for c in nbformat.read(nb, as_version=4).cells)
    assert "run_pipeline(" not in source  # notebooks read TABLES through framing.pipeline_tables
    assert "framing.pipeline_tables(" in source


def test_command_line_values_are_typed_as_papermill_types_them_unless_the_default_is_a_string() -> None:
    from framing._parameters import declared_parameters, typed_parameters

    declared = declared_parameters()
    typed = typed_parameters({"RANDOM_SEED": "7", "GROUP_BY": "12", "SOURCE_A": "None", "MODEL": "None",
                              "CORPUS": "my/manifest.csv"}, declared)  # fmt: skip
    # GROUP_BY's default is a string, so its value stays one; the others default to a number or None
    assert typed == {"RANDOM_SEED": 7, "GROUP_BY": "12", "SOURCE_A": None, "MODEL": None,
                     "CORPUS": "my/manifest.csv"}  # fmt: skip


def test_an_unknown_parameter_is_refused_before_anything_runs(tmp_path: Path) -> None:
    from framing._parameters import UnknownParameter

    nb = _notebook(tmp_path / "a.ipynb", "print(X)")
    with pytest.raises(UnknownParameter, match=r"^unknown notebook parameter 'Y'; the notebooks take X$"):
        render_reports([nb], out_dir=tmp_path / "out", parameters={"Y": 1})
    assert not (tmp_path / "out").exists()


def _tiny_tables(folder: Path) -> dict[str, pd.DataFrame]:
    import framing

    frames = {
        "docs": pd.DataFrame({"doc_id": ["d"], "text": ["Talks went on."], "path": ["/x/d.txt"]}),
        "sentences": pd.DataFrame({"doc_id": ["d"], "sent_id": ["d:0001"], "n": [1], "text": ["Talks on."],
                                   "is_title": [False], "source": ["narrator"]}),
        "quotes": pd.DataFrame({"quote_id": pd.Series([], dtype=str), "start": pd.Series([], dtype="int64")}),
        "stance": pd.DataFrame({"sent_id": ["d:0001"], "target": ["t"], "favor": [0.5], "against": [0.2],
                                "none": [0.3], "label": ["favor"], "score": [0.3]}),
        "frames": pd.DataFrame({"sent_id": ["d:0001"], "frame": ["economic"], "prob": [0.9]}),
    }  # fmt: skip
    prov = {"framing_version": "0", "parameters": {"corpus": "/x/sources.csv", "targets": None}}
    for name, df in frames.items():
        framing.write_table(df, name, provenance=prov, folder=folder)
    return frames


def test_read_tables_returns_what_was_written_with_its_provenance(tmp_path: Path) -> None:
    import framing

    written = _tiny_tables(tmp_path)
    tables = framing.read_tables(tmp_path)
    for name, df in written.items():
        pd.testing.assert_frame_equal(getattr(tables, name), df, check_dtype=False)
    assert tables.provenance["parameters"]["corpus"] == "/x/sources.csv"
    assert tables.written["stance"] == tmp_path / "stance.parquet"
    assert "read_tables" in framing.__all__ and "pipeline_tables" in framing.__all__


def test_read_tables_names_the_missing_tables(tmp_path: Path) -> None:
    import framing

    _tiny_tables(tmp_path)
    (tmp_path / "frames.parquet").unlink()
    with pytest.raises(FileNotFoundError, match=r"no frames table\(s\) in .*framing reports"):
        framing.read_tables(tmp_path)


def test_pipeline_tables_reads_the_folder_and_warns_when_a_parameter_differs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import framing
    from framing import pipeline

    _tiny_tables(tmp_path)
    monkeypatch.setattr(pipeline, "run_pipeline", lambda *a, **k: pytest.fail("the pipeline ran"))
    tables = framing.pipeline_tables(None, tables=tmp_path, model="any")
    assert tables.stance["target"].tolist() == ["t"] and caplog.records == []
    framing.pipeline_tables("/y/other.csv", tables=tmp_path)
    assert "made with corpus=/x/sources.csv, not /y/other.csv" in caplog.text


def _write_inputs(tmp_path: Path) -> dict[str, Path]:
    """A one-document corpus, a one-target codebook, an alias and labelled examples for that target."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Talks resume\n\nZorblat Venn said the talks must go on. "
        "The ministry said it wanted an agreement.\n", encoding="utf-8")
    manifest = "doc_id,path,outlet,title,date\na,a.txt,Wire,Talks resume,2024-01-02\n"
    (corpus / "sources.csv").write_text(manifest, encoding="utf-8")
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        "version: 1\ntargets:\n  - id: talks\n    name: The talks\n    description: The negotiations.\n"
        "    favor: [The talks must go on.]\n    against: [The talks are pointless.]\n"
        "    hypothesis_favor: This text supports the talks.\n"
        "    hypothesis_against: This text opposes the talks.\n", encoding="utf-8")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,speaker,source,kind\nZorblat Venn,Zorblat Venn,Venn readout,leader\n")
    training = tmp_path / "training.csv"
    rows = [("The talks must go on.", "favor", "economic"), ("Talks are a waste.", "against", "morality"),
            ("It rained.", "none", "economic"), ("We back the negotiations.", "favor", "morality"),
            ("Negotiating is useless.", "against", "economic"), ("Trains ran late.", "none", "morality")]
    pd.DataFrame([{"id": f"t{i}", "text": t, "talks": s, "frame": f} for i, (t, s, f) in enumerate(rows)]
                 ).to_csv(training, index=False)  # fmt: skip
    return {"corpus": corpus / "sources.csv", "targets": targets, "aliases": aliases, "training": training}


def test_run_pipeline_passes_targets_aliases_and_training_on_and_records_them(
    tmp_path: Path, model_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import framing
    from framing.scoring import frames as frames_module

    inputs = _write_inputs(tmp_path)
    seen: dict[str, object] = {}
    real = frames_module.score_frames

    def spy(*args: object, **kw: object) -> pd.DataFrame:
        seen.update(kw)
        return real(*args, **kw)

    monkeypatch.setattr(frames_module, "score_frames", spy)
    tables = framing.run_pipeline(
        inputs["corpus"], model=model_dirs["encoder"], write=True, folder=tmp_path / "out",
        settings=framing.Settings(cache=tmp_path / "cache"), targets=inputs["targets"],
        aliases=inputs["aliases"], training=inputs["training"],
    )  # fmt: skip
    assert set(tables.stance["target"]) == {"talks"}  # the codebook given, not the shipped one
    assert "Venn readout" in set(tables.sentences["source"])  # the alias given
    assert seen["training"] == inputs["training"]
    recorded = framing.read_tables(tmp_path / "out").provenance
    assert recorded["parameters"] == {name: str(path.resolve()) for name, path in inputs.items()}
    hashed = {Path(item["path"]).name for item in recorded["inputs"]}
    assert {"targets.yaml", "aliases.csv", "training.csv"} <= hashed


def _table_notebook(path: Path, name: str) -> Path:
    """A notebook that declares the report parameters and reads the tables it is given."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("CORPUS = None\nTABLES = None\nFIGURES = None\nMODEL = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), params, nbformat.v4.new_code_cell(
        "import framing\nt = framing.pipeline_tables(CORPUS, tables=TABLES, model=MODEL)\n"
        "print('tables from', TABLES, 'figures to', FIGURES, 'targets', sorted(set(t.stance['target'])))")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_render_runs_the_pipeline_once_and_every_notebook_reads_its_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from framing import pipeline

    calls: list[dict[str, object]] = []

    def fake_run(source: object, **kw: object) -> pipeline.Tables:
        calls.append({"source": source, **kw})
        _tiny_tables(Path(str(kw["folder"])))
        return pipeline.read_tables(kw["folder"])  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "run_pipeline", fake_run)
    nbs = [_table_notebook(tmp_path / f"{n}.ipynb", n) for n in ("one", "two")]
    out = tmp_path / "out"
    reports = render_reports(nbs, out_dir=out, parameters={"CORPUS": str(tmp_path), "MODEL": "m"})
    assert len(calls) == 1 and calls[0]["folder"] == out / "processed" and calls[0]["model"] == "m"
    for report in reports:
        page = report.html.read_text()
        assert f"tables from {out / 'processed'} figures to {out / 'figures'} targets ['t']" in page


# --out on a corpus of several documents and outlets: tests/test_multi_reports.py


def test_kernel_env_carries_backend_precision_and_the_set_settings() -> None:
    from framing import Settings
    from framing.report import _kernel_env

    env = _kernel_env(Settings(backend="torch", precision="fp32", cache="/tmp/c"))
    assert env["FRAMING_BACKEND"] == "torch"
    assert env["FRAMING_PRECISION"] == "fp32"
    assert env["FRAMING_CACHE"] == "/tmp/c"
    assert "FRAMING_DEVICE" not in env  # unset settings are left to the kernel's own environment


# a whole reports run carrying --backend to the kernel: test_cli.py (with --precision)
