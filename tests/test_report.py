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
