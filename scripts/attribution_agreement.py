"""Agreement of two independent labelling passes of a who-says-what set.

Both files have one row per sentence (``doc_id, sentence, source, speaker``
and optionally ``clutter``), the same rows in the same order. Prints
Krippendorff's alpha (nominal) and the raw agreement for ``source``,
``speaker`` and ``clutter``, and with ``--disagreements`` the rows where the
two passes differ, for adjudication.

Usage::

    .venv/bin/python scripts/attribution_agreement.py FIRST.csv SECOND.csv [--disagreements]

Labels are compared after folding curly quotes and apostrophes to straight
ones, so "Ukraine’s military" and "Ukraine's military" are the same label.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd

FIELDS = ("source", "speaker", "clutter")
_FOLD = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\xa0": " "})


def _read(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, keep_default_na=False, dtype=str)
    for field in FIELDS:
        if field not in table:
            table[field] = None
        else:
            table[field] = table[field].map(lambda v: v.translate(_FOLD).strip())
    return table


def agreement(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """One row per field: items, raw agreement and Krippendorff's alpha (nominal).

    Parameters
    ----------
    first, second
        The two passes, same rows in the same order.

    Returns
    -------
    pandas.DataFrame
        Columns ``field, items, agreement, alpha``; a field missing from one
        pass is left out.

    Examples
    --------
    >>> a = pd.DataFrame({"source": ["x", "y", "narrator"], "speaker": ["x", "y", ""]})
    >>> b = pd.DataFrame({"source": ["x", "y", "y"], "speaker": ["x", "y", "y"]})
    >>> agreement(a, b)[["field", "items", "agreement"]].values.tolist()[0]
    ['source', 3, 0.6666666666666666]
    """
    if len(first) != len(second):
        raise ValueError(f"the passes have {len(first)} and {len(second)} rows; "
                         "they must label the same rows")
    rows = []
    for field in FIELDS:
        if first.get(field) is None or second.get(field) is None or first[field].isna().all() \
                or second[field].isna().all():
            continue
        a, b = first[field].astype(str), second[field].astype(str)
        codes = {v: i for i, v in enumerate(sorted(set(a) | set(b)))}
        data = np.array([[codes[v] for v in a], [codes[v] for v in b]], dtype=float)
        alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal") \
            if len(codes) > 1 else float("nan")
        rows.append({"field": field, "items": len(a), "agreement": float((a == b).mean()), "alpha": alpha})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--disagreements", action="store_true", help="list the rows where the passes differ")
    args = parser.parse_args(argv)
    first, second = _read(args.first), _read(args.second)
    if (first[["doc_id", "sentence"]].values != second[["doc_id", "sentence"]].values).any():
        raise SystemExit("the two files do not list the same sentences in the same order")
    print(agreement(first, second).to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if args.disagreements:
        for i in range(len(first)):
            diff = [f for f in FIELDS if first.at[i, f] is not None and second.at[i, f] is not None
                    and first.at[i, f] != second.at[i, f]]
            if diff:
                print(f"\n{i + 2}: {first.at[i, 'doc_id']} | {first.at[i, 'sentence'][:110]}")
                for f in diff:
                    print(f"   {f}: first {first.at[i, f]!r} / second {second.at[i, f]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
