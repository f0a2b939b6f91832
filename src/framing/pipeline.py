"""The whole pipeline in one call: documents to scored, attributed sentences.

Notebooks and the command line use this so every report is built the same way
from ``data/raw``; each stage remains available on its own. ``framing
reports`` runs :func:`run_pipeline` once, writes its tables, and every notebook
reads them back with :func:`pipeline_tables` (through :func:`read_tables`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from framing.config import Settings, paths, resolve_settings

log = logging.getLogger(__name__)

#: the tables of one run, in the order they are written
TABLE_NAMES: tuple[str, ...] = ("docs", "sentences", "quotes", "stance", "frames")

PathArg = str | Path | None


@dataclass
class Tables:
    """The tidy tables of one run, and what produced them.

    Examples
    --------
    >>> import pandas as pd
    >>> empty = pd.DataFrame()
    >>> Tables(empty, empty, empty, empty, empty).provenance
    {}
    """

    docs: pd.DataFrame
    sentences: pd.DataFrame
    quotes: pd.DataFrame
    stance: pd.DataFrame
    frames: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)
    written: dict[str, Path] = field(default_factory=dict)


def _as_path(value: Any) -> str | None:
    """A path parameter as recorded in the provenance: absolute when it names a file or folder."""
    if value is None:
        return None
    if isinstance(value, pd.DataFrame):
        return f"<DataFrame of {len(value)} rows>"
    p = Path(value).expanduser()
    return str(p.resolve()) if p.exists() else str(value)


def _files(*values: Any) -> list[Path]:
    """The values that name files on disk (a user's codebook, aliases or training CSV)."""
    return [Path(v) for v in values if isinstance(v, str | Path) and Path(v).is_file()]


def run_pipeline(
    source: str | Path | None = None,
    *,
    model: Any = None,
    write: bool = True,
    folder: str | Path | None = None,
    settings: Settings | None = None,
    targets: PathArg = None,
    aliases: str | Path | pd.DataFrame | None = None,
    training: PathArg = None,
) -> Tables:
    """Load, split, attribute and score a corpus.

    Parameters
    ----------
    source
        Anything :func:`framing.load_corpus` takes; default ``data/raw/sources.csv``.
    model
        A loaded model, a name or path, or ``None`` for ``FRAMING_MODEL`` or
        the embedded default.
    write
        Write every table to ``data/processed/`` (or ``folder``) as Parquet
        with its provenance.
    folder
        Where to write; default ``data/processed``.
    settings
        Model, precision, score cache folder and device
        (:class:`framing.Settings`); default :meth:`framing.Settings.from_env`.
    targets
        The stance codebook (a YAML file of your own, or a shipped name);
        default the shipped ``targets.yaml``. Passed to
        :func:`framing.score_stance` as ``codebook=``.
    aliases
        Extra speaker aliases (a CSV, or a DataFrame) for
        :func:`framing.attribute` and :func:`framing.quotes`.
    training
        Labelled examples (a CSV) for the stance and frame heads; default the
        shipped examples. Passed to :func:`framing.score_stance` and
        :func:`framing.score_frames`.

    Returns
    -------
    Tables
        ``docs``, ``sentences`` (with ``speaker, source, mode, cue``),
        ``quotes``, ``stance``, ``frames`` and their ``provenance``, whose
        ``parameters`` entry records ``corpus``, ``targets``, ``aliases`` and
        ``training`` (their files are also among the hashed ``inputs``).

    Examples
    --------
    >>> from framing.pipeline import run_pipeline
    >>> t = run_pipeline(write=False, aliases="my_aliases.csv")  # doctest: +SKIP
    >>> t.sentences.groupby("source").size()  # doctest: +SKIP
    """
    from framing._provenance import provenance, write_table
    from framing.loading.attribution import attribute, quotes
    from framing.loading.corpus import load_corpus
    from framing.loading.sentences import split_sentences
    from framing.scoring.frames import score_frames
    from framing.scoring.models import resolve_model
    from framing.scoring.stance import score_stance

    src = Path(source) if source is not None else paths().manifest
    docs = load_corpus(src)
    log.info("loaded %d documents from %s", len(docs), src)
    sentences = attribute(split_sentences(docs), docs=docs, aliases=aliases)
    spans = quotes(sentences, aliases=aliases)
    opts = resolve_settings(settings)
    enc = resolve_model(model, settings=opts)
    heads: dict[str, Any] = {} if training is None else {"training": training}
    codebook: dict[str, Any] = {} if targets is None else {"codebook": targets}
    stance = score_stance(sentences, model=enc, settings=opts, **codebook, **heads)
    frames = score_frames(sentences, model=enc, settings=opts, **heads)
    inputs = [p for p in [src if src.is_file() else None, *docs["path"]] if p]
    prov = provenance(model_info=enc.key, inputs=[*inputs, *_files(targets, aliases, training)])
    prov["parameters"] = {
        "corpus": _as_path(src), "targets": _as_path(targets), "aliases": _as_path(aliases),
        "training": _as_path(training),
    }  # fmt: skip
    tables = Tables(docs, sentences, spans, stance, frames, prov)
    if write:
        for name in TABLE_NAMES:
            tables.written[name] = write_table(getattr(tables, name), name, provenance=prov, folder=folder)
    return tables


def read_tables(folder: str | Path | None = None) -> Tables:
    """The tables a run wrote with :func:`run_pipeline` (``write=True``), read back.

    Parameters
    ----------
    folder
        The folder holding ``docs``, ``sentences``, ``quotes``, ``stance`` and
        ``frames`` as Parquet; default ``data/processed``.

    Returns
    -------
    Tables
        With the run's ``provenance`` (from ``sentences.parquet``) and
        ``written``, the file each table was read from.

    Raises
    ------
    FileNotFoundError
        Naming the tables missing from ``folder``.

    Examples
    --------
    >>> import framing
    >>> t = framing.read_tables(framing.paths().processed)  # doctest: +SKIP
    >>> t.provenance["parameters"]["corpus"]  # doctest: +SKIP
    '/home/me/framing/data/raw/sources.csv'
    """
    from framing._provenance import read_provenance

    base = Path(folder) if folder is not None else paths().processed
    files = {name: base / f"{name}.parquet" for name in TABLE_NAMES}
    missing = [name for name, path in files.items() if not path.is_file()]
    if missing:
        raise FileNotFoundError(
            f"no {', '.join(missing)} table(s) in {base}: write them with "
            "framing.run_pipeline(write=True, folder=...) or `framing reports`"
        )
    frames = {name: pd.read_parquet(path) for name, path in files.items()}
    tables = Tables(**frames, provenance=read_provenance(files["sentences"]))
    tables.written.update(files)
    return tables


def _check_parameters(tables: Tables, folder: Path, given: dict[str, Any]) -> None:
    """Warn when a parameter given differs from the one the tables were made with."""
    recorded = tables.provenance.get("parameters") or {}
    for name, value in given.items():
        if value is None or name not in recorded:
            continue
        if _as_path(value) != recorded[name]:
            log.warning(
                "the tables in %s were made with %s=%s, not %s; they are used as they are "
                "(leave TABLES unset to run the pipeline with these parameters)",
                folder, name, recorded[name], value,
            )


def pipeline_tables(
    corpus: str | Path | None = None,
    *,
    tables: str | Path | None = None,
    targets: PathArg = None,
    aliases: str | Path | pd.DataFrame | None = None,
    training: PathArg = None,
    model: Any = None,
    settings: Settings | None = None,
) -> Tables:
    """The tables a notebook works on: read from ``tables`` when given, else computed here.

    This is the notebooks' one entry to the pipeline. ``framing reports``
    runs the pipeline once, writes the tables, and passes their folder to
    every notebook as ``TABLES``; run interactively with ``TABLES = None``,
    the notebook runs :func:`run_pipeline` in memory (nothing is written;
    scores come from the cache when they are there).

    Parameters
    ----------
    corpus
        Anything :func:`framing.load_corpus` takes; default ``data/raw/sources.csv``.
    tables
        A folder written by :func:`run_pipeline` (``write=True``) or by
        ``framing reports``; when given, the other parameters are only checked
        against the tables' provenance (a warning when they differ).
    targets, aliases, training, model, settings
        As for :func:`run_pipeline`.

    Returns
    -------
    Tables

    Examples
    --------
    >>> import framing
    >>> t = framing.pipeline_tables(None, tables=None, model=None)  # doctest: +SKIP
    >>> t = framing.pipeline_tables(tables="reports/processed")  # doctest: +SKIP
    """
    given = {"corpus": corpus, "targets": targets, "aliases": aliases, "training": training}
    if tables is not None:
        found = read_tables(tables)
        _check_parameters(found, Path(tables), given)
        return found
    return run_pipeline(corpus, model=model, write=False, settings=settings, targets=targets,
                        aliases=aliases, training=training)


def describe(tables: Tables) -> str:
    """One line on what a run was made from, for logs.

    Examples
    --------
    >>> import pandas as pd
    >>> t = Tables(*[pd.DataFrame()] * 5, provenance={"parameters": {"corpus": "c.csv"}})
    >>> describe(t)
    '0 documents, 0 sentences from c.csv'
    """
    corpus = (tables.provenance.get("parameters") or {}).get("corpus")
    return f"{len(tables.docs)} documents, {len(tables.sentences)} sentences from {corpus}"

