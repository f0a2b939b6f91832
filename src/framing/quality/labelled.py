"""The labelled stance and frame corpus in ``data/labelled/``, as one tidy table.

The corpus is written per event. Each event has three files of the same
shape, one row per sentence (``id, event, register, side, hard_case, text,
frame, frames`` and one column per target coded for it):

* ``batches/<event>.csv``: the first coding pass, by the writer;
* ``pass2/<event>.csv``: the second, independent pass (same rows);
* ``adjudicated/<event>.csv``: the labels after adjudication, which
  :func:`load_labelled` returns.

``events.csv`` gives each event's split (``train``, ``dev`` or ``test``; the
split is by event) and its targets; the targets of ``test`` events are never
in training, so they are also the unseen-target split.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from framing.config import paths

DEFAULT_TARGETS = ("nato_expansion", "ukraine", "russia", "diplomacy")
SENTENCE_COLUMNS = ["id", "event", "register", "side", "hard_case", "text", "frame", "frames"]
#: the file a sentence was written in: one writer's round of one event (``<event>``, ``<event>-2`` ...)
BATCH = "batch"
LABELS = ("favor", "against", "none")
STAGES = {"first": "batches", "second": "pass2", "adjudicated": "adjudicated"}


def labelled_folder(folder: str | Path | None = None) -> Path:
    """The corpus folder: ``folder``, or ``data/labelled`` of the project.

    Examples
    --------
    >>> labelled_folder().name
    'labelled'
    """
    return Path(folder) if folder is not None else paths().root / "data" / "labelled"


def events_table(folder: str | Path | None = None) -> pd.DataFrame:
    """``event, description, split, targets`` (a list) of every event.

    Examples
    --------
    >>> events = events_table()
    >>> sorted(set(events["split"]))
    ['dev', 'test', 'train']
    """
    table = pd.read_csv(labelled_folder(folder) / "events.csv", keep_default_na=False, dtype=str)
    return table.assign(targets=table["targets"].str.split("|"))


def _read_stage(folder: Path, stage: str) -> pd.DataFrame:
    files = sorted((folder / STAGES[stage]).glob("*.csv"))
    if not files:
        raise FileNotFoundError(f"no {stage} coding in {folder / STAGES[stage]}")
    frames = [pd.read_csv(f, keep_default_na=False, dtype=str).assign(batch=f.stem) for f in files]
    return pd.concat(frames, ignore_index=True)


def _long(wide: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """One row per coded sentence–target pair: the four defaults and the event's own targets."""
    own = dict(zip(events["event"], events["targets"], strict=True))
    rows = []
    for r in wide.to_dict("records"):
        if r["event"] not in own:
            raise ValueError(f"sentence {r['id']}: event {r['event']!r} is not in events.csv")
        for target in dict.fromkeys([*DEFAULT_TARGETS, *own[r["event"]]]):
            label = str(r.get(target, "")).strip()
            if label == "":
                raise ValueError(f"sentence {r['id']} ({r['event']}) has no label for {target!r}")
            rows.append({**{c: r.get(c, "") for c in [*SENTENCE_COLUMNS, BATCH]}, "target": target,
                         "label": label})
    return pd.DataFrame(rows)


def load_labelled(folder: str | Path | None = None, *, stage: str = "adjudicated") -> pd.DataFrame:
    """The labelled corpus: one row per coded sentence–target pair, with the split of each row.

    Parameters
    ----------
    folder
        The corpus folder (default ``data/labelled`` of the project).
    stage
        ``"adjudicated"`` (the labels to train and evaluate on), ``"first"`` or
        ``"second"`` (one coding pass each, for agreement).

    Returns
    -------
    pandas.DataFrame
        ``id, event, register, side, hard_case, text, frame, frames, batch,
        target, label, split, unseen_target``. ``batch`` is the file the
        sentence was written in (one writer's round of the event); ``split``
        is the event's; a target is
        unseen when it belongs to a ``test`` event (never in training). Rows
        labelled ``?`` in a coding pass are kept there and dropped after
        adjudication.

    Examples
    --------
    >>> table = load_labelled()
    >>> set(table["split"]) <= {"train", "dev", "test"}
    True
    >>> bool(table.loc[table["unseen_target"], "split"].eq("train").any())
    False
    """
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {sorted(STAGES)}, not {stage!r}")
    root = labelled_folder(folder)
    events = events_table(root)
    table = _long(_read_stage(root, stage), events)
    split = dict(zip(events["event"], events["split"], strict=True))
    unseen = {t for ts, s in zip(events["targets"], events["split"], strict=True) if s == "test" for t in ts}
    table["split"] = table["event"].map(split)
    table["unseen_target"] = table["target"].isin(unseen - set(DEFAULT_TARGETS))
    if stage == "adjudicated":
        table = table[table["label"].isin(LABELS)].reset_index(drop=True)
    return table


def coding_agreement(folder: str | Path | None = None) -> pd.DataFrame:
    """Krippendorff's alpha of the two coding passes, per target and for the main frame.

    Parameters
    ----------
    folder
        The corpus folder (default ``data/labelled`` of the project).

    Returns
    -------
    pandas.DataFrame
        The table of :func:`framing.quality.agreement` (``comparison, item,
        alpha, n_units, n_coders``) over the sentences both passes coded; items
        are ``stance:<target>``, ``frame``, ``stance:pooled`` and ``pooled``.

    Examples
    --------
    >>> alpha = coding_agreement()
    >>> {"frame", "stance:pooled"} <= set(alpha["item"])
    True
    """
    from framing.quality.reliability import agreement  # noqa: PLC0415

    long = []
    for coder, stage in (("first", "first"), ("second", "second")):
        t = load_labelled(folder, stage=stage)
        stance = t.assign(item="stance:" + t["target"], value=t["label"])
        frames = t.drop_duplicates("id").assign(item="frame", value=lambda d: d["frame"])
        both = pd.concat([stance, frames], ignore_index=True)[["id", "item", "value"]]
        long.append(both.assign(coder=coder).rename(columns={"id": "sent_id"}))
    coded = pd.concat(long, ignore_index=True)
    coded.loc[coded["value"].isin(["?", ""]), "value"] = None
    return agreement(coded)


def labelled_sentences(
    split: str | list[str] = "train",
    folder: str | Path | None = None,
    *,
    targets: list[str] | None = None,
    fill: bool = True,
) -> pd.DataFrame:
    """The adjudicated sentences of one or more splits, one row per sentence, one column per target.

    The wide shape the model's heads are fitted and measured on: ``id, event,
    batch, register, text, frame, frames`` and a column per target. A target that
    was not coded for a sentence's event is ``none`` by construction (the
    guide's rule for pairs outside the event), or empty with ``fill=False``
    (to measure on coded pairs only); a sentence dropped for a target in
    adjudication is empty there.

    Parameters
    ----------
    split
        ``"train"``, ``"dev"``, ``"test"`` or a list of them.
    folder
        The corpus folder (default ``data/labelled`` of the project).
    targets
        The target columns (default: the four defaults and every target
        coded in these splits).

    Examples
    --------
    >>> dev = labelled_sentences("dev")
    >>> set(DEFAULT_TARGETS) <= set(dev.columns) and dev["id"].is_unique
    True
    """
    splits = [split] if isinstance(split, str) else list(split)
    unknown = set(splits) - {"train", "dev", "test"}
    if unknown:
        raise ValueError(f"split must be train, dev or test, not {sorted(unknown)}")
    long = load_labelled(folder)
    long = long[long["split"].isin(splits)]
    tids = list(targets) if targets is not None else list(dict.fromkeys([*DEFAULT_TARGETS, *long["target"]]))
    wide = long.pivot(index="id", columns="target", values="label")
    columns = ["event", BATCH, "register", "text", "frame", "frames"]
    sentences = long.drop_duplicates("id").set_index("id")[columns]
    out = sentences.join(wide.reindex(columns=tids)).reset_index()
    own = dict(zip(events_table(folder)["event"], events_table(folder)["targets"], strict=True))
    for t in tids:
        coded = out["event"].map(lambda e, t=t: t in DEFAULT_TARGETS or t in own.get(e, []))
        out.loc[~coded, t] = "none" if fill else ""
    return out.fillna("")
