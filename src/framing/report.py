"""Execute the notebooks and render them as self-contained HTML reports."""

from __future__ import annotations

import html
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from framing._parameters import (
    absolute,
    check_known,
    declared_parameters,
    inspect_notebook,
    notebook_paths,
)
from framing.config import Settings, paths

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


def _kernel_env(settings: Settings) -> dict[str, str]:
    """``settings`` as the ``FRAMING_*`` variables a notebook kernel reads them from."""
    env = {"FRAMING_PRECISION": settings.precision, "FRAMING_BACKEND": settings.backend}
    for name, value in (("MODEL", settings.model), ("CACHE", settings.cache), ("DEVICE", settings.device)):
        if value is not None:
            env[f"FRAMING_{name}"] = str(value)
    return env


def _kernel_manager(env: Mapping[str, str]) -> type:
    """A kernel manager class whose kernels start with ``env`` added to this process's environment.

    Papermill runs each notebook in a separate kernel process; this is how
    settings reach it without changing ``os.environ`` here.
    """
    from jupyter_client.manager import AsyncKernelManager

    extra = dict(env)

    class _EnvKernelManager(AsyncKernelManager):  # type: ignore[misc]
        def start_kernel(self, **kw: Any) -> Any:
            kw["env"] = {**os.environ, **(kw.get("env") or {}), **extra}
            return super().start_kernel(**kw)

    return _EnvKernelManager


def _execute(
    src: Path, dst: Path, parameters: Mapping[str, Any], cwd: Path, env: Mapping[str, str] | None = None,
    progress: bool = False,
) -> None:
    import papermill as pm

    engine: dict[str, Any] = {} if env is None else {"kernel_manager_class": _kernel_manager(env)}
    try:
        pm.execute_notebook(
            str(src),
            str(dst),
            parameters=dict(parameters),
            cwd=str(cwd),
            progress_bar=progress,
            kernel_name="python3",
            **engine,
        )
    except pm.PapermillExecutionError as err:
        if err.ename == "KeyboardInterrupt":  # Ctrl-C reached the kernel first
            raise KeyboardInterrupt from None
        raise NotebookFailed(
            f"{src.name} failed in cell {err.cell_index} ({err.ename}: {err.evalue}). "
            f"The partially executed notebook is kept at {dst}."
        ) from None


def _to_html(executed: Path, out: Path) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(
        extra_template_basedirs=[str(Path(__file__).parent / "templates")],
        template_name="framing",
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


class ReportsInterrupted(KeyboardInterrupt):
    """Ctrl-C during a render; ``during`` names the notebook (or the pipeline run) it stopped in.

    Reports finished before it are kept, and so is every score already
    committed to the cache, so running the same command again resumes.
    """

    def __init__(self, during: str) -> None:
        super().__init__(during)
        self.during = during


def _run_pipeline_once(params: Mapping[str, Any], folder: Path, settings: Settings | None) -> None:
    from framing.pipeline import describe, run_pipeline

    log.info("running the pipeline once for every notebook; its tables go to %s", folder)
    try:
        tables = run_pipeline(
            params.get("CORPUS"), model=params.get("MODEL"), write=True, folder=folder, settings=settings,
            targets=params.get("TARGETS"), aliases=params.get("ALIASES"), training=params.get("TRAINING"),
        )  # fmt: skip
    except KeyboardInterrupt as err:
        saved = getattr(err, "saved", None)  # scoring says how many sentences reached the cache
        raise ReportsInterrupted(
            "the pipeline run" + (f" ({saved} sentences scored and cached)" if saved else "")
        ) from None
    log.info("pipeline: %s", describe(tables))


def render_reports(
    notebooks: Sequence[str | Path] | None = None,
    *,
    out_dir: str | Path | None = None,
    parameters: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
    progress: bool = False,
) -> list[Report]:
    """Run the pipeline once, execute the notebooks on its tables, and write one HTML report each.

    When a notebook declares ``TABLES`` (the project's do) and ``TABLES`` is
    not given, :func:`framing.run_pipeline` runs once here, with the
    parameters ``CORPUS``, ``MODEL``, ``TARGETS``, ``ALIASES`` and
    ``TRAINING``, and writes its tables (Parquet with provenance); each
    notebook then reads them (``TABLES``) instead of running the pipeline.

    Parameters
    ----------
    notebooks
        Notebook files; defaults to every ``notebooks/*.ipynb`` in name order.
    out_dir
        Where everything goes: the HTML reports and ``index.html``, executed
        notebooks in ``<out_dir>/notebooks/``, figures in
        ``<out_dir>/figures/`` and the tables in ``<out_dir>/processed/``.
        Default: ``reports/``, ``reports/notebooks/``, ``reports/figures/``
        and ``data/processed/``.
    parameters
        For the notebooks' ``parameters`` cells (papermill); each notebook is
        given the ones it declares. Paths are made absolute.
    settings
        Model, backend, precision, cache and device (:class:`framing.Settings`), for
        the pipeline run and for the notebooks. Each notebook runs in its own
        kernel process, which gets them as ``FRAMING_*`` environment
        variables (so ``Settings.from_env()`` in the notebook returns them);
        this process's environment is not changed. Default: the kernel
        inherits this process's environment as it is.
    progress
        Show papermill's cell-by-cell progress bar (on stderr).

    Returns
    -------
    list of Report

    Raises
    ------
    UnknownParameter
        A parameter that no notebook declares (before anything runs).
    NotebookFailed
        Naming the notebook and the cell; the partial notebook is kept.
    ReportsInterrupted
        On Ctrl-C, naming the notebook it stopped in; reports already written
        are kept.

    Examples
    --------
    >>> from framing import render_reports
    >>> reports = render_reports(parameters={"CORPUS": "my/manifest.csv"}, out_dir="out")  # doctest: +SKIP
    """
    env = None if settings is None else _kernel_env(settings)
    p = paths()
    nbs = notebook_paths(notebooks)
    declared = {nb: set(inspect_notebook(nb)) for nb in nbs}
    every = declared_parameters(nbs)  # in declaration order, for the message
    check_known(parameters or {}, every)
    params = absolute(parameters or {})
    out = Path(out_dir).resolve() if out_dir is not None else p.reports
    params.setdefault("FIGURES", str(out / "figures") if out_dir is not None else str(p.figures))
    if "TABLES" in every and params.get("TABLES") is None:
        folder = out / "processed" if out_dir is not None else p.processed
        _run_pipeline_once(params, folder, settings)
        params["TABLES"] = str(folder)
    executed_dir = out / "notebooks"
    executed_dir.mkdir(parents=True, exist_ok=True)
    reports: list[Report] = []
    for i, nb in enumerate(nbs, start=1):
        log.info("[%d/%d] %s", i, len(nbs), nb.name)
        executed = executed_dir / nb.name
        own = {k: v for k, v in params.items() if k in declared[nb]}
        target = out / f"{nb.stem}.html"
        try:
            _execute(nb, executed, own, cwd=nb.parent, env=env, progress=progress)
            title = _to_html(executed, target)
        except KeyboardInterrupt:
            raise ReportsInterrupted(nb.name) from None
        log.info("wrote %s", target)
        reports.append(Report(notebook=nb, executed=executed, html=target, title=title))
    _index(reports, out / "index.html")
    (executed_dir / "manifest.json").write_text(
        json.dumps([{"notebook": r.notebook.name, "html": r.html.name} for r in reports], indent=2)
    )
    return reports


def _mark_spans(text: str, spans: Sequence[tuple[int, int]], *, css_class: str) -> str:
    """Escape ``text`` and wrap the given character spans in ``<mark>``.

    Overlapping or out-of-range spans are clipped; all text is escaped, so
    markup inside a document is shown, never interpreted.
    """
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark class="{css_class}">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def attribution_html(
    sentences: pd.DataFrame,
    quotes: pd.DataFrame | None = None,
    *,
    columns: Sequence[str] = ("n", "source", "speaker", "mode", "cue"),
    colors: Mapping[str, str] | None = None,
) -> str:
    """An HTML table of sentences with their attribution and quoted words highlighted.

    Parameters
    ----------
    sentences
        Sentences table with ``sent_id``, ``start`` and ``text`` and the
        attribution ``columns``.
    quotes
        Quotation spans (``sent_id``, ``start``, ``end`` as offsets into the
        document text); highlighted inside their sentence.
    columns
        Columns shown before the text (missing ones are skipped).
    colors
        Optional colour per ``source`` value, shown as a left border.

    Returns
    -------
    str
        Escaped HTML; display it with ``IPython.display.HTML``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"sent_id": ["d:1"], "start": [0], "text": ['He said "no <b>".'],
    ...                   "source": ["narrator"]})
    >>> q = pd.DataFrame({"sent_id": ["d:1"], "start": [8], "end": [16]})
    >>> "<mark" in attribution_html(s, q) and "&lt;b&gt;" in attribution_html(s, q)
    True
    """
    spans: dict[str, list[tuple[int, int]]] = {}
    if quotes is not None and len(quotes):
        offset = sentences.set_index("sent_id")["start"]
        for q in quotes.itertuples(index=False):
            base = int(offset.get(q.sent_id, 0))
            spans.setdefault(q.sent_id, []).append((int(q.start) - base, int(q.end) - base))
    shown = [c for c in columns if c in sentences.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in [*shown, "text"])
    rows = []
    for row in sentences.to_dict("records"):
        color = (colors or {}).get(row.get("source", ""), "transparent")
        cells = "".join(
            f"<td>{html.escape('' if pd.isna(row[c]) else str(row[c]))}</td>" for c in shown
        )
        text = _mark_spans(str(row["text"]), spans.get(row["sent_id"], []), css_class="quote")
        rows.append(f'<tr style="border-left:6px solid {html.escape(color)}">{cells}<td>{text}</td></tr>')
    return (
        '<table class="framing-attribution">'
        "<style>table.framing-attribution td,table.framing-attribution th"
        "{vertical-align:top;text-align:left !important}"
        ".framing-attribution mark.quote{background:#fde68a}</style>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def summarise_prominence(prominence: pd.DataFrame, *, by: str = "source") -> str:
    """One Markdown paragraph per document: who gets the most words, who opens, who closes.

    Parameters
    ----------
    prominence
        The output of :func:`framing.prominence`.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"doc_id": ["d", "d"], "source": ["A", "B"], "word_share": [0.7, 0.3],
    ...                   "opens": [True, False], "closes": [False, True]})
    >>> summarise_prominence(p)
    '**d**: A has the most words (70%); A opens the text and B closes it.'
    """
    lines = []
    for doc_id, g in prominence.groupby("doc_id", sort=False):
        top = g.sort_values("word_share", ascending=False).iloc[0]
        opens = ", ".join(g.loc[g["opens"], by].astype(str)) or "no attributed voice"
        closes = ", ".join(g.loc[g["closes"], by].astype(str)) or "no attributed voice"
        lines.append(
            f"**{doc_id}**: {top[by]} has the most words ({top['word_share']:.0%}); "
            f"{opens} opens the text and {closes} closes it."
        )
    return "\n\n".join(lines)


def _interval(row: Any, value: str) -> str:
    return f"{row[value]:+.2f} [{row['ci_low']:+.2f}, {row['ci_high']:+.2f}]"


def summarise_comparison(
    sentences: pd.DataFrame,
    stance: pd.DataFrame,
    a: str,
    b: str,
    *,
    by: str = "source",
    prominence: pd.DataFrame | None = None,
    difference: pd.DataFrame | None = None,
    markers: pd.DataFrame | None = None,
) -> str:
    """A Markdown summary of how groups ``a`` and ``b`` differ, computed from the tables.

    Every statement is derived from the numbers, with its interval, and a
    difference is called a finding only when its interval excludes zero and
    neither group is too small; otherwise the summary says it is not.

    Parameters
    ----------
    sentences, stance
        The attributed sentences and the long stance table.
    a, b
        The two groups (values of ``by``).
    prominence, difference, markers
        Outputs of :func:`framing.prominence`, :func:`framing.stance_difference`
        and :func:`framing.find_markers`; computed when not given (markers are
        then left out).

    Returns
    -------
    str
        Markdown bullet points.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"doc_id": "d", "sent_id": range(6), "n": range(6), "text": ["x"] * 6,
    ...                   "source": ["A", "A", "A", "B", "B", "B"]})
    >>> st = pd.DataFrame({"sent_id": range(6), "target": "t", "favor": 0.5, "against": 0.2,
    ...                    "none": 0.3, "label": "favor", "score": 0.3})
    >>> print(summarise_comparison(s, st, "A", "B").splitlines()[0])
    - **A**: 3 sentences, 50% of the words, first seen in the lead; it opens the text.
    """
    from framing.analysis.compare import prominence as _prominence
    from framing.analysis.compare import stance_difference

    prom = prominence if prominence is not None else _prominence(sentences, by=by)
    diff = difference if difference is not None else stance_difference(sentences, stance, a, b, by=by)
    bullets: list[str] = []
    for name in (a, b):
        rows = prom[prom[by] == name]
        if rows.empty:
            bullets.append(f"**{name}** has no sentences in this corpus.")
            continue
        r = rows.iloc[0]
        bullets.append(
            f"**{name}**: {int(r['n_sentences'])} sentences, {r['word_share']:.0%} of the words, "
            f"first seen in the {r['first_position']}"
            + ("; it opens the text" if r["opens"] else "")
            + ("; it closes the text" if r["closes"] else "")
            + "."
        )
    found = diff[diff["excludes_zero"] & ~diff["too_small"]]
    unclear = diff[~(diff["excludes_zero"] & ~diff["too_small"])]
    for row in found.itertuples(index=False):
        side = a if row.difference > 0 else b
        bullets.append(
            f"Toward **{row.target}**, {side} is more favourable: difference {a} − {b} = "
            f"{_interval(row._asdict(), 'difference')}."
        )
    if len(unclear):
        small = bool(unclear["too_small"].any())
        bullets.append(
            "No conclusion on "
            + ", ".join(
                f"**{r.target}** ({_interval(r._asdict(), 'difference')})"
                for r in unclear.itertuples(index=False)
            )
            + (": at least one group has too few sentences to conclude anything."
               if small else ": the intervals include zero.")
        )
    if markers is not None and len(markers):
        # neutral reporting verbs (said, told) are counted in the marker table but frame nothing
        framing_markers = markers[markers["category"] != "reporting_neutral"]
        m = framing_markers.merge(sentences[["sent_id", by]], on="sent_id")
        for name in (a, b):
            own = m[m[by] == name]
            outlet = own[own["credited_to"] == "outlet"]
            quoted = own[own["credited_to"] != "outlet"]
            if len(own):
                bullets.append(
                    f"In sentences reporting **{name}**, {len(outlet)} framing markers "
                    "are the outlet's own words"
                    + (f" ({', '.join(sorted(set(outlet['match'].astype(str))))})" if len(outlet) else "")
                    + f" and {len(quoted)} are inside quotation marks"
                    + (f" ({', '.join(sorted(set(quoted['match'].astype(str))))})" if len(quoted) else "")
                    + "."
                )
    return "\n".join(f"- {s}" for s in bullets)


def provenance_table(prov: Mapping[str, Any]) -> pd.DataFrame:
    """The provenance record of :func:`framing.provenance` as a two-column table for a report.

    Examples
    --------
    >>> t = provenance_table({"framing_version": "0.1.0", "model": {"model": "m", "precision": "fp32"},
    ...                       "inputs": [{"path": "/x/a.txt", "sha256": "ab" * 32}]})
    >>> t.loc[t["item"] == "input a.txt", "value"].item()[:12]
    'sha256 ababa'
    """
    rows: list[tuple[str, str]] = [("framing version", str(prov.get("framing_version", "")))]
    model = prov.get("model") or {}
    for key in ("model", "kind", "weights_sha256", "precision", "backend", "compute_type"):
        if model.get(key):
            rows.append((f"model {key}" if key != "model" else "model", str(model[key])))
    if prov.get("codebooks_sha256"):
        rows.append(("codebooks sha256", str(prov["codebooks_sha256"])))
    for key, value in (prov.get("parameters") or {}).items():
        if value is not None:
            rows.append((key, str(value)))
    for item in prov.get("inputs", []):
        rows.append((f"input {Path(item['path']).name}", f"sha256 {item['sha256']}"))
    if prov.get("created_utc"):
        rows.append(("created (UTC)", str(prov["created_utc"])))
    return pd.DataFrame(rows, columns=["item", "value"])
