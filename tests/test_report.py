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
