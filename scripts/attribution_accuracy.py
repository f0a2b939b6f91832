"""Accuracy of framing.attribute on hand-labelled sets.

Two layouts are read:

* a folder of articles ``NN-slug.txt`` (headline on the first line, a blank
  line, then paragraphs), each with ``NN-slug.csv`` listing every sentence as
  ``n,text,source,speaker,mode`` (``n`` = sentence number, headline = 0);
* a corpus folder with a manifest ``sources.csv`` (articles and readout
  documents) and ``labels.csv`` (``doc_id, sentence, source, speaker[,
  clutter]``, one row per body sentence as a reader splits it; see
  ``tests/data/attribution/GUIDE.md``). The documents are loaded, split and
  attributed as ``framing.run_pipeline`` does (``load_corpus``,
  ``split_sentences``, ``attribute(docs=...)``). Each labelled sentence is found
  in the loaded text and takes the attribution of the predicted sentence that
  contains its first character; a labelled line the loader dropped as page
  clutter counts as ``narrator``.

Usage::

    .venv/bin/python scripts/attribution_accuracy.py                 # every shipped set
    .venv/bin/python scripts/attribution_accuracy.py FOLDER [...]    # other folders
    .venv/bin/python scripts/attribution_accuracy.py --errors FOLDER # list the misses
    .venv/bin/python scripts/attribution_accuracy.py --aliases my_aliases.csv FOLDER

Prints, per folder, the share of labelled sentences whose ``source`` and
``speaker`` (and ``mode``, for the article folders) match the labels; for a
corpus folder also speaker accuracy inside readout documents and both figures
without the rows labelled as page clutter.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

import framing

ROOT = Path(__file__).resolve().parents[1]
# development sets first, then the held-out sets (never tuned on), then the older held-out
# articles whose misses are known
DEFAULT = [ROOT / "tests/data/attribution/dev", ROOT / "tests/data/multi",
           ROOT / "tests/data/multi_heldout", ROOT / "tests/data/wire_heldout",
           ROOT / "tests/data/wire_heldout2", ROOT / "tests/data/readouts_heldout",
           ROOT / "tests/data/wire_heldout3", ROOT / "tests/data/attribution/heldout"]
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


def _fold(text: str) -> str:
    return str(text).translate(_SAME_LENGTH)


def _find(text: str, sentence: str, pos: int) -> int | None:
    """Offset of ``sentence`` in ``text`` at or after ``pos``, whitespace and quote forms aside."""
    words = _fold(sentence).split()
    if not words:
        return None
    found = re.compile(r"\s+".join(re.escape(w) for w in words)).search(_fold(text), pos)
    return None if found is None else found.start()


def compare_corpus(folder: Path, aliases: Path | None = None) -> pd.DataFrame:
    """Predicted and expected attribution for a manifest corpus, one row per labelled sentence."""
    labels = pd.read_csv(folder / "labels.csv", keep_default_na=False, dtype=str)
    docs = framing.load_corpus(folder / "sources.csv")
    got = framing.attribute(framing.split_sentences(docs), docs=docs, aliases=aliases)
    kinds = dict(zip(docs["doc_id"], docs["kind"].fillna(""), strict=True))
    rows = []
    for doc_id, expected in labels.groupby("doc_id", sort=False):
        text = str(docs.loc[docs["doc_id"] == doc_id, "text"].iloc[0])
        predicted = got[got["doc_id"] == doc_id]
        body = predicted[~predicted["is_title"].astype(bool)]
        pos = int(predicted.loc[predicted["is_title"].astype(bool), "end"].max()) \
            if predicted["is_title"].astype(bool).any() else 0
        for e in expected.to_dict("records"):
            at = _find(text, e["sentence"], pos)
            hit = body[(body["start"] <= at) & (body["end"] > at)] if at is not None else body.iloc[:0]
            if at is not None:
                pos = at + 1
            g = hit.iloc[0] if len(hit) else None
            rows.append({
                "article": doc_id, "n": len(rows), "text": e["sentence"], "kind": kinds.get(doc_id, ""),
                "clutter": e.get("clutter", "") == "yes", "located": at is not None,
                "source": _fold(e["source"]), "speaker": _fold(e.get("speaker", "")),
                "got_source": "narrator" if g is None else _fold(g["source"]),
                "got_speaker": "" if g is None else _fold(g["speaker"]),
            })
    return pd.DataFrame(rows)


def accuracy(table: pd.DataFrame, fields: tuple[str, ...] = FIELDS) -> dict[str, float]:
    """Share of sentences whose field matches, per field."""
    return {f: float((table[f] == table[f"got_{f}"]).mean()) for f in fields}


def _report_corpus(folder: Path, name: str, errors: bool, aliases: Path | None = None) -> None:
    table = compare_corpus(folder, aliases)
    labelled = pd.read_csv(folder / "labels.csv", nrows=0).columns
    fields = ("source", "speaker") if "speaker" in labelled else ("source",)
    acc = accuracy(table, fields)
    readouts = table[table["kind"] == "readout"]
    clean = table[~table["clutter"]]
    line = (f"{name}: {table['article'].nunique()} documents, {len(table)} sentences; "
            + ", ".join(f"{f} {acc[f]:.1%}" for f in fields))
    if len(readouts) and "speaker" in fields:
        inside = accuracy(readouts, ("speaker",))["speaker"]
        line += f"; speaker inside readouts {inside:.1%} ({len(readouts)})"
    if table["clutter"].any():
        c = accuracy(clean, fields)
        line += f"; without page clutter ({len(clean)}): " + ", ".join(f"{f} {c[f]:.1%}" for f in fields)
    print(line + f"; labelled sentences found in the loaded text {table['located'].mean():.1%}")
    if errors:
        for f in fields:
            for r in table[table[f] != table[f"got_{f}"]].to_dict("records"):
                print(f"  {r['article']}:{r['n']} {f}: expected {r[f]!r}, got {r['got_' + f]!r}"
                      f"  | {r['text'][:90]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--errors", action="store_true", help="list the sentences that miss")
    parser.add_argument("--aliases", type=Path, default=None,
                        help="extra aliases, a CSV in the columns of codebooks/aliases.csv")
    args = parser.parse_args(argv)
    for folder in args.folders:
        if not folder.is_dir():
            print(f"{folder}: no such folder, skipped", file=sys.stderr)
            continue
        name = str(folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder)
        if (folder / "sources.csv").is_file():
            if (folder / "labels.csv").is_file():
                _report_corpus(folder, name, args.errors, args.aliases)
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
