"""The whole pipeline in one call: documents to scored, attributed sentences.

Notebooks and the command line use this so every report is built the same way
from ``data/raw``; each stage remains available on its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from framing.config import Settings, paths, resolve_settings

log = logging.getLogger(__name__)


@dataclass
class Tables:
    """The tidy tables of one run, and what produced them."""

    docs: pd.DataFrame
    sentences: pd.DataFrame
    quotes: pd.DataFrame
    stance: pd.DataFrame
    frames: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)
    written: dict[str, Path] = field(default_factory=dict)


def run_pipeline(
    source: str | Path | None = None,
    *,
    model: Any = None,
    write: bool = True,
    folder: str | Path | None = None,
    settings: Settings | None = None,
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

    Returns
    -------
    Tables
        ``docs``, ``sentences`` (with ``speaker, source, mode, cue``),
        ``quotes``, ``stance``, ``frames`` and their ``provenance``.

    Examples
    --------
    >>> from framing.pipeline import run_pipeline
    >>> t = run_pipeline(write=False)  # doctest: +SKIP
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
    sentences = attribute(split_sentences(docs))
    spans = quotes(sentences)
    opts = resolve_settings(settings)
    enc = resolve_model(model, settings=opts)
    stance = score_stance(sentences, model=enc, settings=opts)
    frames = score_frames(sentences, model=enc, settings=opts)
    inputs = [p for p in [src if src.is_file() else None, *docs["path"]] if p]
    prov = provenance(model_info=enc.key, inputs=inputs)
    tables = Tables(docs, sentences, spans, stance, frames, prov)
    if write:
        for name in ("docs", "sentences", "quotes", "stance", "frames"):
            tables.written[name] = write_table(getattr(tables, name), name, provenance=prov, folder=folder)
    return tables
