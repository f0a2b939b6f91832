"""Accuracy of framing.attribute on hand-labelled articles.

Each article is ``NN-slug.txt`` (headline on the first line, a blank line, then
paragraphs) with ``NN-slug.csv`` next to it, listing every sentence as
``n,text,source,speaker,mode`` (``n`` = sentence number, headline = 0).

Usage::

    .venv/bin/python scripts/attribution_accuracy.py                 # dev and held-out
    .venv/bin/python scripts/attribution_accuracy.py FOLDER [...]    # other folders
    .venv/bin/python scripts/attribution_accuracy.py --errors FOLDER # list the misses

Prints, per folder, the share of sentences whose ``source``, ``speaker`` and
``mode`` match the labels, over all labelled sentences (the headline included).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

import framing

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [ROOT / "tests/data/attribution/dev", ROOT / "tests/data/attribution/heldout"]
FIELDS = ("source", "speaker", "mode")


_SAME_LENGTH = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\xa0": " "})


def _locate(text: str, sentences: list[str]) -> list[int | None]:
    """Start offset of each labelled sentence in the document, found in order.

    Quote characters are compared without their curly/straight form, since the
    loader makes straight quotes curly.
    """
    flat = text.translate(_SAME_LENGTH)
    out: list[int | None] = []
    pos = 0
    for sentence in sentences:
        at = flat.find(sentence.strip().translate(_SAME_LENGTH), pos)
        out.append(None if at < 0 else at)
        if at >= 0:
            pos = at + 1
    return out


def compare(folder: Path) -> pd.DataFrame:
    """Predicted and expected attribution, one row per labelled sentence.

    Each labelled sentence is matched to the predicted sentence that contains
    its first character, so the score does not depend on whether the labels
    split a quotation into two sentences where the pipeline keeps one.
    """
    rows = []
    for txt in sorted(folder.glob("*.txt")):
        expected = pd.read_csv(txt.with_suffix(".csv"), keep_default_na=False, dtype=str)
        docs = framing.load_corpus(txt)
        got = framing.attribute(framing.split_sentences(docs)).reset_index(drop=True)
        starts = _locate(str(docs["text"].iloc[0]), expected["text"].tolist())
        for e, at in zip(expected.to_dict("records"), starts, strict=True):
            if at is not None:
                hit = got[(got["start"] <= at) & (got["end"] > at)]
            else:  # not found in the text: fall back to the sentence number
                hit = got[got["n"] == int(e["n"])]
            g = hit.iloc[0] if len(hit) else None
            row = {"article": txt.stem, "n": int(e["n"]), "text": e["text"],
                   "aligned": g is not None and str(g["text"]).translate(_SAME_LENGTH).strip()
                   == e["text"].translate(_SAME_LENGTH).strip(),
                   "located": at is not None}
            for f in FIELDS:
                row[f] = e[f]
                row[f"got_{f}"] = "" if g is None else str(g[f])
            rows.append(row)
    return pd.DataFrame(rows)


def accuracy(table: pd.DataFrame) -> dict[str, float]:
    """Share of sentences whose field matches, per field."""
    return {f: float((table[f] == table[f"got_{f}"]).mean()) for f in FIELDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--errors", action="store_true", help="list the sentences that miss")
    args = parser.parse_args(argv)
    for folder in args.folders:
        if not folder.is_dir():
            print(f"{folder}: no such folder, skipped", file=sys.stderr)
            continue
        table = compare(folder)
        if table.empty:
            print(f"{folder}: no labelled articles")
            continue
        acc = accuracy(table)
        articles = table["article"].nunique()
        print(f"{folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder}: "
              f"{articles} articles, {len(table)} sentences; "
              + ", ".join(f"{f} {acc[f]:.1%}" for f in FIELDS)
              + f"; labelled sentences found in the text {table['located'].mean():.1%}, "
              f"identical to a predicted sentence {table['aligned'].mean():.1%}")
        if args.errors:
            for f in FIELDS:
                for r in table[table[f] != table[f"got_{f}"]].to_dict("records"):
                    print(f"  {r['article']}:{r['n']} {f}: expected {r[f]!r}, got {r['got_' + f]!r}"
                          f"  | {r['text'][:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
