"""Build and describe the labelled stance and frame corpus in ``data/labelled/``.

Subcommands::

    .venv/bin/python scripts/labelled_corpus.py merge-second PASS2_LABELS.csv ...
        # turn a second coder's label files (id, frame, frames, <targets>) into pass2/<event>.csv,
        # with the sentence columns of the first pass
    .venv/bin/python scripts/labelled_corpus.py disagreements [EVENT ...]
        # the sentence-target pairs and frames the two passes disagree on, for adjudication
    .venv/bin/python scripts/labelled_corpus.py adjudicate DECISIONS.csv ...
        # apply decisions (id, item, decision, rule, note; decision "drop" drops the sentence) to the
        # first pass of every event both passes coded: writes adjudicated/<event>.csv and the log
        # adjudication.csv (every disagreement, both labels, the decision and the rule)
    .venv/bin/python scripts/labelled_corpus.py datasheet
        # rewrite the counts and agreement section of data/labelled/DATASHEET.md
    .venv/bin/python scripts/labelled_corpus.py training
        # rewrite the default heads' training file (src/framing/codebooks/training/labelled.csv)
        # from the adjudicated train split

Every count and alpha in the datasheet comes from ``datasheet``, which reads the
files through ``framing.load_labelled`` and ``framing.quality.coding_agreement``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from framing.quality.labelled import (
    DEFAULT_TARGETS,
    SENTENCE_COLUMNS,
    coding_agreement,
    labelled_folder,
    labelled_sentences,
    load_labelled,
)

FOLDER = labelled_folder()
TRAINING = FOLDER.parents[1] / "src" / "framing" / "codebooks" / "training" / "labelled.csv"
TRAINING_COLUMNS = ["id", "event", "register", "text", *DEFAULT_TARGETS, "frame", "frames"]


TRAINING_HEADER = (
    "# Training sentences of the default stance and frame heads: the train split of data/labelled,\n"
    "# adjudicated. Written by scripts/labelled_corpus.py training; see README.md in this folder.\n"
)


TRAINING_MARK = "<!-- counts: written by scripts/labelled_corpus.py training -->"


def training_counts(table: pd.DataFrame) -> str:
    """The counts section of the training file's README, as Markdown."""
    stance = pd.DataFrame({t: table[t].value_counts() for t in DEFAULT_TARGETS}).T.fillna(0).astype(int)
    frames = table["frame"].value_counts().rename("sentences").to_frame()
    return "\n".join([
        TRAINING_MARK, "", "## How many", "",
        f"{len(table)} sentences from {table['event'].nunique()} events. Stance labels:", "",
        _markdown(stance[[c for c in ("favor", "against", "none") if c in stance.columns]]), "",
        "Main frames:", "", _markdown(frames),
    ])


def training_table() -> pd.DataFrame:
    """The default heads' training file: the adjudicated train split, the four default targets and frames."""
    return labelled_sentences("train", targets=list(DEFAULT_TARGETS))[TRAINING_COLUMNS]
MARK = "<!-- counts: written by scripts/labelled_corpus.py datasheet -->"


def _batches() -> dict[str, pd.DataFrame]:
    """The first-pass files by name (``<event>`` or ``<event>-<n>`` for later rounds)."""
    return {p.stem: pd.read_csv(p, keep_default_na=False, dtype=str)
            for p in sorted((FOLDER / "batches").glob("*.csv"))}


def merge_second(files: list[Path]) -> None:
    """Write ``pass2/<batch>.csv`` from a second coder's label files, in the first pass's shape."""
    (FOLDER / "pass2").mkdir(exist_ok=True)
    batches = _batches()
    for f in files:
        labels = pd.read_csv(f, keep_default_na=False, dtype=str)
        for name, first in batches.items():
            rows = first[first["id"].isin(labels["id"])]
            if rows.empty:
                continue
            if len(rows) != len(first):
                raise SystemExit(f"{f}: codes {len(rows)} of the {len(first)} sentences "
                                 f"of batches/{name}.csv")
            merged = rows[SENTENCE_COLUMNS[:6]].merge(labels, on="id", how="left", validate="one_to_one")
            merged[list(first.columns)].to_csv(FOLDER / "pass2" / f"{name}.csv", index=False)
            print(f"pass2/{name}.csv: {len(merged)} rows")


def disagreements(events: list[str]) -> pd.DataFrame:
    """``id, event, text, item, first, second``: where the two passes differ."""
    first, second = load_labelled(stage="first"), load_labelled(stage="second")
    key = ["id", "target"]
    both = first.merge(second[[*key, "label", "frame"]], on=key, suffixes=("_first", "_second"))
    if events:
        both = both[both["event"].isin(events)]
    undecided = both["label_first"].eq("?") | both["label_second"].eq("?")
    stance = both[(both["label_first"] != both["label_second"]) | undecided]
    stance = stance.assign(item=stance["target"])
    rows = [stance[["id", "event", "text", "item", "label_first", "label_second"]]
            .rename(columns={"label_first": "first", "label_second": "second"})]
    frames = both.drop_duplicates("id")
    frames = frames[frames["frame_first"] != frames["frame_second"]].assign(item="frame")
    rows.append(frames[["id", "event", "text", "item", "frame_first", "frame_second"]]
                .rename(columns={"frame_first": "first", "frame_second": "second"}))
    return pd.concat(rows, ignore_index=True).sort_values(["id", "item"]).reset_index(drop=True)


def _markdown(frame: pd.DataFrame) -> str:
    """A small DataFrame as a Markdown table (index first)."""
    frame = frame.reset_index()
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def adjudicate(files: list[Path]) -> None:
    """Write ``adjudicated/<event>.csv`` and the log ``adjudication.csv`` from the decisions."""
    decisions = pd.concat([pd.read_csv(f, keep_default_na=False, dtype=str) for f in files],
                          ignore_index=True)
    todo = disagreements([])
    log = todo.merge(decisions[["id", "item", "decision", "rule", "note"]], on=["id", "item"], how="left")
    coded = set(log["event"])
    missing = log[log["decision"].isna()]
    if len(missing):
        raise SystemExit(f"{len(missing)} disagreements have no decision, e.g. {missing.iloc[0].to_dict()}")
    dropped = set(log.loc[log["decision"] == "drop", "id"])
    (FOLDER / "adjudicated").mkdir(exist_ok=True)
    for second in sorted((FOLDER / "pass2").glob("*.csv")):
        event = second.stem
        first = pd.read_csv(FOLDER / "batches" / f"{event}.csv", keep_default_na=False, dtype=str)
        out = first.set_index("id")
        for r in log[log["id"].isin(out.index) & (log["decision"] != "drop")].itertuples():
            out.loc[r.id, r.item] = r.decision
        out = out.drop(index=[i for i in out.index if i in dropped]).reset_index()
        undecided = out.isin(["?"]).any(axis=1)
        if undecided.any():
            raise SystemExit(f"{event}: {int(undecided.sum())} sentences still have '?'")
        out.to_csv(FOLDER / "adjudicated" / f"{event}.csv", index=False)
        print(f"adjudicated/{event}.csv: {len(out)} sentences ({len(first) - len(out)} dropped)")
    log.to_csv(FOLDER / "adjudication.csv", index=False)
    print(f"adjudication.csv: {len(log)} decisions over {len(coded)} events")


def agreement_table() -> str:
    """Alpha of the two passes per coded item, as a Markdown table."""
    alpha = coding_agreement()
    alpha = alpha[(alpha["comparison"] == "coders") & (alpha["n_units"] > 0)]
    rows = [f"| `{r.item}` | {r.alpha:.3f} | {r.n_units} |" for r in alpha.itertuples()]
    return "\n".join(["| item | alpha | units |", "|---|---|---|", *rows])


def datasheet() -> str:
    """The counts and agreement section of the datasheet, as Markdown."""
    table = load_labelled()
    sentences = table.drop_duplicates("id")
    out = [MARK, "", f"Sentences: {len(sentences)}; coded sentence–target pairs: {len(table)}.", ""]

    def block(title: str, frame: pd.DataFrame) -> None:
        out.extend([f"#### {title}", "", _markdown(frame), ""])

    block("Sentences per event and split", sentences.groupby(["split", "event"]).size().rename("sentences")
          .to_frame())
    block("Labels per target", pd.crosstab(table["target"], table["label"]))
    block("Main frame", sentences["frame"].value_counts().rename("sentences").to_frame())
    block("Register", sentences["register"].value_counts().rename("sentences").to_frame())
    block("Hard cases", sentences["hard_case"].replace("", "(none)").value_counts().rename("sentences")
          .to_frame())
    alpha = coding_agreement()
    alpha = alpha[alpha["comparison"] == "coders"].set_index("item")[["alpha", "n_units"]]
    block("Agreement of the two passes (Krippendorff's alpha, nominal)", alpha.round(3))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    merge = sub.add_parser("merge-second")
    merge.add_argument("files", nargs="+", type=Path)
    dis = sub.add_parser("disagreements")
    dis.add_argument("events", nargs="*")
    adj = sub.add_parser("adjudicate")
    adj.add_argument("files", nargs="+", type=Path)
    sub.add_parser("datasheet")
    sub.add_parser("training")
    args = parser.parse_args(argv)
    if args.command == "merge-second":
        merge_second(args.files)
    elif args.command == "adjudicate":
        adjudicate(args.files)
    elif args.command == "disagreements":
        disagreements(args.events).to_csv(sys.stdout, index=False)
    elif args.command == "training":
        table = training_table()
        TRAINING.write_text(TRAINING_HEADER + table.to_csv(index=False), encoding="utf-8")
        print(f"wrote {TRAINING}: {len(table)} sentences")
        readme = TRAINING.with_name("README.md")
        text = readme.read_text(encoding="utf-8")
        head = text.split(TRAINING_MARK)[0] if TRAINING_MARK in text else text + "\n"
        readme.write_text(head + training_counts(table) + "\n", encoding="utf-8")
        print(f"wrote {readme}")
    else:
        path = FOLDER / "DATASHEET.md"
        text = path.read_text(encoding="utf-8")
        head = text.split(MARK)[0] if MARK in text else text + "\n"
        path.write_text(head + datasheet() + "\n", encoding="utf-8")
        print(f"wrote {path}")
        docs = FOLDER.parents[1] / "docs" / "data.md"
        text = docs.read_text(encoding="utf-8")
        start = "<!-- agreement: written by scripts/labelled_corpus.py datasheet -->"
        end = "<!-- /agreement -->"
        if start in text and end in text:
            table = agreement_table()
            text = text[:text.index(start) + len(start)] + "\n" + table + "\n" + text[text.index(end):]
            docs.write_text(text, encoding="utf-8")
            print(f"wrote {docs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
