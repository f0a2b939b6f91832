"""Execute the notebooks and render them as self-contained HTML reports."""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.config import paths

log = logging.getLogger(__name__)


class NotebookFailed(RuntimeError):
    """A notebook raised during execution; the partial notebook is kept."""


@dataclass(frozen=True)
class Report:
    """One rendered notebook."""

    notebook: Path
    executed: Path
    html: Path
    title: str


def _title(nb: Any, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _execute(src: Path, dst: Path, parameters: Mapping[str, Any], cwd: Path) -> None:
    import papermill as pm

    try:
        pm.execute_notebook(
            str(src),
            str(dst),
            parameters=dict(parameters),
            cwd=str(cwd),
            progress_bar=False,
            kernel_name="python3",
        )
    except pm.PapermillExecutionError as err:
        raise NotebookFailed(
            f"{src.name} failed in cell {err.cell_index} ({err.ename}: {err.evalue}). "
            f"The partially executed notebook is kept at {dst}."
        ) from None


def _to_html(executed: Path, out: Path) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    out.write_text(body, encoding="utf-8")
    return _title(nb, executed.stem)


def _index(reports: Sequence[Report], out: Path) -> None:
    items = "\n".join(
        f'<li><a href="{html.escape(r.html.name)}">{html.escape(r.title)}</a>'
        f" <small>({html.escape(r.notebook.name)})</small></li>"
        for r in reports
    )
    out.write_text(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>framing reports</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5}</style></head>\n<body>\n"
        "<h1>framing reports</h1>\n"
        "<p>Rendered from the notebooks in <code>notebooks/</code> by <code>make reports</code>.</p>\n"
        f"<ul>\n{items}\n</ul>\n</body></html>\n",
        encoding="utf-8",
    )


def render_reports(
    notebooks: Sequence[str | Path] | None = None,
    *,
    out_dir: str | Path | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> list[Report]:
    """Execute notebooks and write one HTML report each, plus ``index.html``.

    Parameters
    ----------
    notebooks
        Notebook files; defaults to every ``notebooks/*.ipynb`` in name order.
    out_dir
        Where to write HTML; defaults to ``reports/``. Executed notebooks go
        to ``<out_dir>/notebooks/``.
    parameters
        Passed to every notebook's ``parameters`` cell (papermill).

    Returns
    -------
    list of Report

    Raises
    ------
    NotebookFailed
        Naming the notebook and the cell; the partial notebook is kept.

    Examples
    --------
    >>> from framing import render_reports
    >>> reports = render_reports()  # doctest: +SKIP
    """
    p = paths()
    nbs = [Path(n) for n in notebooks] if notebooks else sorted(p.notebooks.glob("*.ipynb"))
    if not nbs:
        raise FileNotFoundError(f"no notebooks found in {p.notebooks}")
    out = Path(out_dir) if out_dir is not None else p.reports
    executed_dir = out / "notebooks"
    executed_dir.mkdir(parents=True, exist_ok=True)
    reports: list[Report] = []
    for nb in nbs:
        log.info("executing %s", nb.name)
        executed = executed_dir / nb.name
        _execute(nb, executed, parameters or {}, cwd=nb.parent)
        target = out / f"{nb.stem}.html"
        title = _to_html(executed, target)
        log.info("wrote %s", target)
        reports.append(Report(notebook=nb, executed=executed, html=target, title=title))
    _index(reports, out / "index.html")
    (executed_dir / "manifest.json").write_text(
        json.dumps([{"notebook": r.notebook.name, "html": r.html.name} for r in reports], indent=2)
    )
    return reports
