"""Compare two folders of processed tables (Parquet or CSV), table by table.

Used to show that a change of code leaves the results alone: run
``make reports`` (or ``framing evaluate --out``) before and after, keep the
two folders, then

    python scripts/compare_tables.py BEFORE_DIR AFTER_DIR

Prints one line per table (identical, equal within --atol, or how it
differs) and exits 1 if any table differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def compare(before: Path, after: Path, *, atol: float = 0.0) -> list[str]:
    """One line per table found in either folder; lines of differing tables start with ``DIFF``."""
    names = sorted({p.name for d in (before, after) for p in d.iterdir() if p.suffix in {".parquet", ".csv"}})
    lines = []
    for name in names:
        a, b = before / name, after / name
        if not (a.is_file() and b.is_file()):
            lines.append(f"DIFF {name}: only in {'before' if a.is_file() else 'after'}")
            continue
        x, y = _read(a), _read(b)
        if x.equals(y):
            lines.append(f"same {name}: identical ({len(x)} rows, {x.shape[1]} columns)")
            continue
        try:
            pd.testing.assert_frame_equal(x, y, check_exact=atol == 0, atol=atol or None, rtol=0)
            lines.append(f"same {name}: equal within {atol} ({len(x)} rows)")
        except AssertionError as err:
            first = str(err).strip().splitlines()
            lines.append(f"DIFF {name}: {' '.join(first[:3])}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--atol", type=float, default=0.0, help="absolute tolerance (default: exact)")
    args = parser.parse_args(argv)
    lines = compare(args.before, args.after, atol=args.atol)
    print("\n".join(lines))
    return 1 if any(line.startswith("DIFF") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
