"""Today's heads, refitted on the labelled corpus's train split and scored on its dev split.

The baseline the trained models are compared with: the embedded encoder's
logistic stance and frame heads (``framing.evaluate`` with ``head="logistic"``),
fitted on the adjudicated ``train`` events of ``data/labelled`` plus the
codebook's statements (``data/labelled/targets.yaml``), and scored on the
``dev`` events. The dev events' own targets have no training sentence (the
split is by event), so their scores are zero-shot: from the codebook
statements alone.

Usage::

    .venv/bin/python scripts/labelled_baseline.py [--split dev]

Prints stance favor/against macro-F1 per target (with the number of sentences
and of favor/against labels) and pooled, and frame top-1 and top-3 accuracy.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

import framing
from framing.quality.labelled import labelled_folder, labelled_sentences, load_labelled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev", "test"])
    args = parser.parse_args(argv)
    corpus = load_labelled()
    with tempfile.TemporaryDirectory() as tmp:
        train, scored = Path(tmp) / "train.csv", Path(tmp) / f"labelled_{args.split}.csv"
        labelled_sentences("train").to_csv(train, index=False)
        labelled_sentences(args.split).to_csv(scored, index=False)
        ev = framing.evaluate(scored, targets=labelled_folder() / "targets.yaml", training=train,
                              head="logistic")
    table = ev.table
    stance = table[(table["task"] == "stance") & (table["metric"] == "macro_f1")]
    print(f"train: {corpus.loc[corpus['split'] == 'train', 'id'].nunique()} sentences; "
          f"{args.split}: {corpus.loc[corpus['split'] == args.split, 'id'].nunique()} sentences")
    part = corpus[corpus["split"] == args.split]
    support = pd.crosstab(part["target"], part["label"]).reindex(columns=["favor", "against"], fill_value=0)
    shown = stance[["target", "value", "n"]].merge(support, left_on="target", right_index=True, how="left")
    shown[["favor", "against"]] = shown[["favor", "against"]].astype("Int64")
    print(shown.to_string(index=False, float_format=lambda x: f"{x:.3f}", na_rep=""))
    frames = table[(table["task"] == "frames") & table["metric"].isin(["top1_accuracy", "top3_accuracy"])]
    print(frames[["metric", "value", "n"]].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
