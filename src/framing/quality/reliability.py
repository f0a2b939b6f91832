"""Agreement between human coders, and between each coder and the model.

:func:`agreement` reports Krippendorff's alpha (nominal) on the long table of
codes that :func:`framing.quality.sheets.import_coded` reads; the model's
codes come from :func:`model_codes` (or, for tables saved to files, from
:func:`read_model_codes`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


def model_codes(*, stance: pd.DataFrame | None = None, frames: pd.DataFrame | None = None) -> pd.DataFrame:
    """The model's codes as a long table, to compare with coders in :func:`agreement`.

    Parameters
    ----------
    stance
        Output of ``score_stance`` (uses ``sent_id``, ``target``, ``label``).
    frames
        Output of ``score_frames`` (uses ``sent_id``, ``frame``, ``prob``); the
        most probable frame of each sentence is its code.

    Returns
    -------
    pandas.DataFrame
        ``sent_id, item, value``.

    Examples
    --------
    >>> import pandas as pd
    >>> st = pd.DataFrame({"sent_id": [0], "target": ["russia"], "label": ["favor"]})
    >>> fr = pd.DataFrame({"sent_id": [0, 0], "frame": ["economic", "political"], "prob": [0.2, 0.7]})
    >>> model_codes(stance=st, frames=fr).values.tolist()
    [[0, 'stance:russia', 'favor'], [0, 'frame', 'political']]
    """
    parts = []
    if stance is not None:
        parts.append(
            pd.DataFrame(
                {
                    "sent_id": stance["sent_id"].to_numpy(),
                    "item": ("stance:" + stance["target"].astype(str)).to_numpy(),
                    "value": stance["label"].astype(object).to_numpy(),
                }
            )
        )
    if frames is not None:
        top = frames.loc[frames.groupby("sent_id", sort=False)["prob"].idxmax()]
        parts.append(
            pd.DataFrame(
                {"sent_id": top["sent_id"].to_numpy(), "item": "frame", "value": top["frame"].to_numpy()}
            )
        )
    if not parts:
        raise ValueError("give stance= (from score_stance), frames= (from score_frames), or both")
    out = pd.concat(parts, ignore_index=True)
    out["value"] = out["value"].astype(object)
    return out


def _alpha(matrix: pd.DataFrame) -> tuple[float, int, int]:
    """Nominal alpha of a raters × units table of labels (NaN = not coded).

    Returns ``(alpha, n_units, n_coders)`` counted over pairable units (coded
    by at least two raters). Alpha is NaN when no unit is pairable or when
    the pairable units use a single label (agreement is then undefined).
    """
    pairable = matrix.loc[:, matrix.notna().sum(axis=0) >= 2]
    n_units = pairable.shape[1]
    n_coders = int(pairable.notna().any(axis=1).sum())
    values = pd.unique(pd.Series(pairable.to_numpy().ravel()).dropna())
    if len(values) < 2:
        return math.nan, n_units, n_coders
    codes = {v: float(i) for i, v in enumerate(sorted(map(str, values)))}
    raw = pairable.to_numpy(dtype=object)
    missing = pd.isna(raw)
    labels = raw.astype(str)
    data = np.full(raw.shape, np.nan)
    for label, code in codes.items():  # one pass per label, not one call per cell
        data[(labels == label) & ~missing] = code
    import krippendorff

    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    return float(alpha), n_units, n_coders


def _rows(long: pd.DataFrame, comparison: str, items: list[str]) -> list[dict[str, Any]]:
    """Alpha per item, pooled over stance targets (if several) and over all items."""
    groups: list[tuple[str, list[str]]] = [(i, [i]) for i in items]
    stance_items = [i for i in items if i.startswith("stance:")]
    if len(stance_items) > 1:
        groups.append(("stance:pooled", stance_items))
    if len(items) > 1:
        groups.append(("pooled", items))
    rows = []
    for name, members in groups:
        sub = long[long["item"].isin(members)]
        matrix = (
            sub.drop_duplicates(["rater", "sent_id", "item"])
            .set_index(["rater", "sent_id", "item"])["value"]
            .unstack(["sent_id", "item"])
        )
        alpha, n_units, n_coders = _alpha(matrix)
        rows.append(
            {"comparison": comparison, "item": name, "alpha": alpha, "n_units": n_units, "n_coders": n_coders}
        )
    return rows


def agreement(coded: pd.DataFrame, *, model: pd.DataFrame | None = None) -> pd.DataFrame:
    """Krippendorff's alpha (nominal) between coders, and between each coder and the model.

    Parameters
    ----------
    coded
        Long table ``sent_id, coder, item, value`` from :func:`import_coded`;
        NaN values are missing codes.
    model
        Optional long table ``sent_id, item, value`` (see :func:`model_codes`).

    Returns
    -------
    pandas.DataFrame
        ``comparison, item, alpha, n_units, n_coders``. ``comparison`` is
        ``"coders"`` (all coders together; needs two or more) or
        ``"<coder> vs model"``. ``item`` is each item, ``"stance:pooled"``
        (all stance targets as one set of units) and ``"pooled"`` (all items).
        ``n_units`` counts the sentence-item units coded by at least two of
        the raters compared (only these enter alpha) and ``n_coders`` the
        raters who coded any of them. Alpha is NaN when undefined: no such
        unit, or a single label used throughout.

    Examples
    --------
    >>> import pandas as pd
    >>> coded = pd.DataFrame({"sent_id": [0, 1, 0, 1], "coder": ["a", "a", "b", "b"],
    ...                       "item": ["frame"] * 4,
    ...                       "value": ["economic", "political", "economic", "political"]})
    >>> agreement(coded)[["comparison", "item", "alpha", "n_units"]].values.tolist()
    [['coders', 'frame', 1.0, 2]]
    """
    missing = {"sent_id", "coder", "item", "value"} - set(coded.columns)
    if missing:
        raise ValueError(f"coded table lacks column(s) {sorted(missing)}; read it with import_coded")
    codes = coded.assign(rater=coded["coder"].astype(str), sent_id=coded["sent_id"].astype(str))
    items = list(dict.fromkeys(codes["item"]))
    coders = list(dict.fromkeys(codes["rater"]))
    rows: list[dict[str, Any]] = []
    if len(coders) >= 2:
        rows += _rows(codes, "coders", items)
    if model is not None:
        missing = {"sent_id", "item", "value"} - set(model.columns)
        if missing:
            raise ValueError(f"model table lacks column(s) {sorted(missing)}; build it with model_codes")
        m = model.assign(rater="model", sent_id=model["sent_id"].astype(str))
        m = m[m["item"].isin(items)]
        if m.empty:
            log.warning("the model's codes share no item with the coders' (%s)", ", ".join(items))
        for coder in coders:
            pair = pd.concat([codes[codes["rater"] == coder], m], ignore_index=True)
            rows += _rows(pair, f"{coder} vs model", items)
    if not rows:
        log.warning("agreement needs two coders, or one coder and model=; found coders %s", coders)
    return pd.DataFrame(rows, columns=["comparison", "item", "alpha", "n_units", "n_coders"])


# ---------------------------------------------------------------------------
# tables saved to files


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a ``.csv`` (or ``.txt``) or ``.parquet`` table.

    Parameters
    ----------
    path
        The file; CSV is read as UTF-8, with or without a byte-order mark.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        For any other suffix.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("sent_id,text\\n0,Talks resumed.\\n")
    >>> read_table(p).values.tolist()
    [[0, 'Talks resumed.']]
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p} does not exist")
    if p.suffix == ".parquet":
        return pd.read_parquet(p)
    if p.suffix in {".csv", ".txt"}:
        return pd.read_csv(p, encoding="utf-8-sig")
    raise ValueError(f"{p}: expected a .csv or .parquet table")


def _model_table(path: str | Path) -> pd.DataFrame:
    """A long table of model codes, or score_stance / score_frames output, from a file."""
    df = read_table(path)
    cols = set(df.columns)
    if {"sent_id", "item", "value"} <= cols:
        return df[["sent_id", "item", "value"]]
    if {"sent_id", "target", "label"} <= cols:
        return model_codes(stance=df)
    if {"sent_id", "frame", "prob"} <= cols:
        return model_codes(frames=df)
    raise ValueError(
        f"{path}: expected columns sent_id,item,value, or score_stance output (sent_id,target,label), "
        "or score_frames output (sent_id,frame,prob)"
    )


def read_model_codes(paths: Sequence[str | Path]) -> pd.DataFrame | None:
    """The model's codes from files, stacked into one long table for :func:`agreement`.

    Parameters
    ----------
    paths
        Files (``.csv`` or ``.parquet``), each a long table ``sent_id, item,
        value``, or the output of ``score_stance`` (``sent_id, target,
        label``) or of ``score_frames`` (``sent_id, frame, prob``).

    Returns
    -------
    pandas.DataFrame or None
        ``sent_id, item, value``; ``None`` when ``paths`` is empty.

    Raises
    ------
    ValueError
        Naming the file whose columns are none of these.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "stance.csv"
    >>> _ = p.write_text("sent_id,target,label\\n0,russia,favor\\n")
    >>> read_model_codes([p]).values.tolist()
    [[0, 'stance:russia', 'favor']]
    >>> read_model_codes([]) is None
    True
    """
    if not paths:
        return None
    return pd.concat([_model_table(p) for p in paths], ignore_index=True)
