"""Coding sheets: sample sentences for human coders and read their codes back.

:func:`export_sample` writes a stratified sample as a coding sheet with its
codebook; :func:`import_coded` reads filled-in sheets into a long table of
codes, checking every code against the allowed labels. Items are
``"stance:<target>"`` (labels ``favor``, ``against``, ``none``) and
``"frame"`` (the id of the sentence's main frame). See
:mod:`framing.quality.annotate` for the whole workflow.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from framing import _codebooks

log = logging.getLogger(__name__)

STANCE_LABELS: tuple[str, ...] = ("favor", "against", "none")
_STANCE_LABEL_DEFINITIONS = {
    "favor": "The sentence supports the target, or presents it in a positive light.",
    "against": "The sentence opposes or criticises the target, or presents it in a negative light.",
    "none": "The sentence takes no position on the target, or does not concern it.",
}
_SEP = "__"
_BASE_COLUMNS = ("sent_id", "doc_id", "text")
_UNKNOWN_STRATUM = "(unknown)"

Definitions = Mapping[str, str]


# ---------------------------------------------------------------------------
# codebooks


def _definitions(data: Any, *, key: str, source: str) -> dict[str, str]:
    """``{id: definition}`` from a parsed codebook.

    Accepts a list of ``{id, description|definition}`` records, a mapping keyed
    by id (values are strings or records), and either of these under a
    top-level ``key`` (``targets:`` or ``frames:``).
    """
    if isinstance(data, Mapping) and key in data:
        data = data[key]
    out: dict[str, str] = {}
    if isinstance(data, Mapping):
        items: Iterable[tuple[Any, Any]] = data.items()
    elif isinstance(data, list):
        items = []
        for i, rec in enumerate(data, 1):
            if isinstance(rec, str):
                items.append((rec, ""))
            elif isinstance(rec, Mapping) and rec.get("id") is not None:
                items.append((rec["id"], rec))
            else:
                raise ValueError(f"{source}: entry {i} under {key!r} has no 'id'; give each entry an id")
    else:
        raise ValueError(
            f"{source}: expected a list of entries with 'id' or a mapping keyed by id under {key!r}"
        )
    for ident, value in items:
        if isinstance(value, Mapping):
            text = value.get("description") or value.get("definition") or value.get("name") or ""
        else:
            text = "" if value is None else value
        out[str(ident)] = " ".join(str(text).split())
    if not out:
        raise ValueError(f"{source}: no {key} defined")
    return out


def _resolve(
    given: Definitions | str | Path | None, *, shipped: str, key: str, argument: str
) -> dict[str, str]:
    """Definitions from an explicit mapping, a user's codebook file, or the shipped one."""
    if isinstance(given, Mapping):
        if not given:
            raise ValueError(f"{argument} is empty; give at least one id")
        return {str(k): " ".join(str(v).split()) for k, v in given.items()}
    name = shipped if given is None else given
    try:
        data = _codebooks.load_yaml(name)
    except FileNotFoundError as err:
        raise FileNotFoundError(
            f"{err}; pass {argument}= as a dict of id -> definition or a path to a YAML codebook"
        ) from err
    except yaml.YAMLError as err:
        raise ValueError(f"codebook {str(name)!r} is not valid YAML: {err}") from err
    return _definitions(data, key=key, source=str(name))


def _check_id(ident: str, *, what: str) -> None:
    if not ident or _SEP in ident or ident != ident.strip():
        raise ValueError(
            f"{what} {ident!r} must be non-empty, without surrounding spaces and without {_SEP!r}"
        )


# ---------------------------------------------------------------------------
# column names


def _column(coder: str, item: str) -> str:
    if item == "frame":
        return f"{coder}{_SEP}frame"
    return f"{coder}{_SEP}stance{_SEP}{item.removeprefix('stance:')}"


def _parse_column(name: str) -> tuple[str, str] | None:
    """``(coder, item)`` for a coding column, ``None`` for any other column."""
    coder, sep, rest = name.partition(_SEP)
    if not sep or not coder:
        return None
    if rest == "frame":
        return coder, "frame"
    kind, sep, target = rest.partition(_SEP)
    if kind == "stance" and sep and target:
        return coder, f"stance:{target}"
    return None


# ---------------------------------------------------------------------------
# sampling


def _allocate(sizes: pd.Series, n: int) -> pd.Series:
    """Proportional allocation of ``n`` draws to strata, by largest remainder.

    Every stratum gets at least one draw when ``n`` is at least the number of
    strata; no stratum gets more than its size. Ties go to the stratum that
    sorts first, so the allocation is deterministic.
    """
    n = min(n, int(sizes.sum()))
    quota = n * sizes / sizes.sum()
    alloc = np.minimum(np.floor(quota), sizes).astype(int)
    floor_min = 1 if n >= len(sizes) else 0
    alloc = alloc.clip(lower=floor_min)
    while alloc.sum() < n:
        room = alloc < sizes
        alloc[(quota - alloc)[room].idxmax()] += 1
    while alloc.sum() > n:
        spare = alloc > floor_min
        alloc[(quota - alloc)[spare].idxmin()] -= 1
    return alloc


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    # utf-8-sig: spreadsheet programs then show non-ASCII text correctly
    df.to_csv(path, index=False, encoding="utf-8-sig")


def export_sample(
    sentences: pd.DataFrame,
    path: str | Path,
    *,
    n: int = 200,
    stratify_by: str | None = "source",
    random_state: int = 0,
    coders: Sequence[str] = ("coder_1", "coder_2"),
    targets: Definitions | str | Path | None = None,
    frames: Definitions | str | Path | None = None,
    overwrite: bool = False,
) -> pd.DataFrame:
    """Write a stratified sample of sentences as a coding sheet, with its codebook.

    The sheet has columns ``sent_id, doc_id, text``, then for each coder one
    empty column per stance target (``<coder>__stance__<target>``, to be
    filled with ``favor``, ``against`` or ``none``) and one for the main frame
    (``<coder>__frame``, a frame id). Rows are in random order, so that coders
    do not see the strata. Next to it, ``<stem>_codebook.csv`` lists the
    targets, the stance labels and the frames with their definitions.

    Parameters
    ----------
    sentences
        The sentences table (``sent_id``, ``doc_id``, ``text``; optionally
        ``source`` or ``speaker``).
    path
        Where to write the sheet (``.csv``).
    n
        Sample size (all sentences if there are fewer).
    stratify_by
        Column whose values are the strata, allocated in proportion to their
        size with at least one sentence each when ``n`` allows; ``None``, or a
        column that is missing, draws a simple random sample. Missing values
        form a stratum of their own.
    random_state
        Seed; the same seed and table give the same sample.
    coders
        Coder names, used as column prefixes.
    targets, frames
        ``{id: definition}``, or a path to a YAML codebook; default the
        shipped ``targets.yaml`` and ``frames.yaml``.
    overwrite
        Replace an existing sheet. Off by default, so coders' work is not lost.

    Returns
    -------
    pandas.DataFrame
        The sheet as written.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> sents = pd.DataFrame({"sent_id": [0, 1, 2], "doc_id": ["a", "a", "b"],
    ...                       "text": ["Talks resumed.", "Troops moved.", "Prices rose."],
    ...                       "source": ["x", "x", "y"]})
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "sample.csv"
    >>> sheet = export_sample(sents, out, n=2, coders=["ann"],
    ...                       targets={"diplomacy": "Talks as the way out."},
    ...                       frames={"economic": "Costs and benefits."})
    >>> list(sheet.columns)
    ['sent_id', 'doc_id', 'text', 'ann__stance__diplomacy', 'ann__frame']
    >>> len(sheet), (out.parent / "sample_codebook.csv").exists()
    (2, True)
    """
    path = Path(path)
    missing = [c for c in _BASE_COLUMNS if c not in sentences.columns]
    if missing:
        raise ValueError(f"sentences table lacks column(s) {missing}; expected {list(_BASE_COLUMNS)}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    coders = list(coders)
    if not coders or len(set(coders)) != len(coders):
        raise ValueError(f"coders must be distinct names, got {coders}")
    for c in coders:
        _check_id(c, what="coder name")
    target_defs = _resolve(targets, shipped="targets.yaml", key="targets", argument="targets")
    frame_defs = _resolve(frames, shipped="frames.yaml", key="frames", argument="frames")
    for t in target_defs:
        _check_id(t, what="target id")
    codebook_path = path.with_name(f"{path.stem}_codebook.csv")
    if not overwrite:
        for p in (path, codebook_path):
            if p.exists():
                raise FileExistsError(f"{p} exists; choose another path or pass overwrite=True (--force)")

    # sort first so the sample does not depend on the table's row order
    pool = sentences.sort_values("sent_id", kind="stable").reset_index(drop=True)
    if stratify_by is not None and stratify_by not in pool.columns:
        log.warning("no column %r in the sentences table; drawing a simple random sample", stratify_by)
        stratify_by = None
    strata = (
        pool[stratify_by].astype("object").where(pool[stratify_by].notna(), _UNKNOWN_STRATUM).astype(str)
        if stratify_by is not None
        else pd.Series("all", index=pool.index)
    )
    alloc = _allocate(strata.value_counts().sort_index(), n)
    rng = np.random.default_rng(random_state)
    picked = [pool[strata == name].sample(n=int(k), random_state=rng) for name, k in alloc.items() if k > 0]
    sample = pd.concat(picked).sample(frac=1.0, random_state=rng)
    log.info("sampled %d of %d sentences from %d strata", len(sample), len(pool), len(alloc))

    sheet = sample.loc[:, list(_BASE_COLUMNS)].reset_index(drop=True)
    items = [f"stance:{t}" for t in target_defs] + ["frame"]
    for coder in coders:
        for item in items:
            sheet[_column(coder, item)] = ""

    codebook = pd.DataFrame(
        [("target", t, d) for t, d in target_defs.items()]
        + [("stance_label", lab, d) for lab, d in _STANCE_LABEL_DEFINITIONS.items()]
        + [("frame", f, d) for f, d in frame_defs.items()],
        columns=["kind", "id", "definition"],
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_csv(sheet, path)
    _write_csv(codebook, codebook_path)
    log.info("wrote %s and %s", path, codebook_path)
    return sheet


# ---------------------------------------------------------------------------
# reading codes back


def _allowed_frames(path: Path, frames: Definitions | str | Path | None) -> set[str]:
    if frames is None:
        sidecar = path.with_name(f"{path.stem}_codebook.csv")
        if sidecar.is_file():
            book = pd.read_csv(sidecar, encoding="utf-8-sig", dtype=str)
            ids = set(book.loc[book["kind"] == "frame", "id"].str.strip())
            if ids:
                return ids
    return set(_resolve(frames, shipped="frames.yaml", key="frames", argument="frames"))


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and ``(line number, cells)`` of each record; multi-line cells keep their first line."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        head = fh.readline()
        fh.seek(0)
        # a spreadsheet may save with ';' or tabs depending on the locale
        delimiter = max(",;\t", key=head.count)
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise ValueError(f"{path} is empty; expected a coding sheet written by export_sample") from None
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    return [h.strip() for h in header], rows


def _sent_ids(values: pd.Series) -> pd.Series:
    """Integer ids when every id is an integer, else the strings as written."""
    as_int = pd.to_numeric(values, errors="coerce")
    if as_int.notna().all() and (as_int == as_int.round()).all():
        return as_int.astype("int64")
    return values.astype(object)


def _import_one(path: Path, frames: Definitions | str | Path | None) -> pd.DataFrame:
    header, rows = _read_rows(path)
    if "sent_id" not in header:
        raise ValueError(f"{path}: no 'sent_id' column in the header (line 1); is this a coding sheet?")
    coding = {i: parsed for i, h in enumerate(header) if (parsed := _parse_column(h)) is not None}
    if not coding:
        raise ValueError(
            f"{path}: no coding columns in the header (line 1); expected names like "
            f"'coder_1{_SEP}stance{_SEP}<target>' or 'coder_1{_SEP}frame'"
        )
    frame_ids = (
        {f.lower() for f in _allowed_frames(path, frames)}
        if any(item == "frame" for _, item in coding.values())
        else set()
    )
    id_col = header.index("sent_id")
    records = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        sid = cells[id_col].strip() if id_col < len(cells) else ""
        if not sid:
            raise ValueError(f"{path}, line {line}: empty sent_id; do not delete or edit the sent_id column")
        if sid in seen:
            raise ValueError(f"{path}, line {line}: sent_id {sid!r} already appears on line {seen[sid]}")
        seen[sid] = line
        for i, (coder, item) in coding.items():
            raw = cells[i] if i < len(cells) else ""
            value = raw.strip().lower()
            if not value:
                records.append((sid, coder, item, np.nan))
                continue
            allowed = frame_ids if item == "frame" else STANCE_LABELS
            if value not in allowed:
                raise ValueError(
                    f"{path}, line {line}, column {header[i]!r}: {raw!r} is not an allowed code; "
                    f"use one of {', '.join(sorted(allowed))} (or leave the cell empty)"
                )
            records.append((sid, coder, item, value))
    long = pd.DataFrame.from_records(records, columns=["sent_id", "coder", "item", "value"])
    long["value"] = long["value"].astype(object)
    return long


def import_coded(
    path: str | Path | Sequence[str | Path],
    *,
    frames: Definitions | str | Path | None = None,
) -> pd.DataFrame:
    """Read filled-in coding sheets into a long table of codes.

    Every code is checked: stance cells must be ``favor``, ``against`` or
    ``none``, frame cells a frame id (case and surrounding spaces are
    ignored). Empty cells are missing codes.

    Parameters
    ----------
    path
        A sheet written by :func:`export_sample`, or several (one per coder,
        say), read and stacked.
    frames
        Allowed frame ids (``{id: definition}`` or a YAML codebook). Default:
        the ``<stem>_codebook.csv`` written next to the sheet, else the
        shipped ``frames.yaml``.

    Returns
    -------
    pandas.DataFrame
        ``sent_id, coder, item, value``: one row per sentence, coder and item
        (``"stance:<target>"`` or ``"frame"``); ``value`` is NaN where the
        cell was empty.

    Raises
    ------
    ValueError
        Naming the file, the line and the cell when a code is not allowed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "coded.csv"
    >>> _ = p.write_text("sent_id,doc_id,text,ann__stance__russia\\n7,a,Moscow refused.,against\\n")
    >>> import_coded(p).values.tolist()
    [[7, 'ann', 'stance:russia', 'against']]
    """
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    if not paths:
        raise ValueError("no coding sheet given")
    parts = [_import_one(p, frames) for p in paths]
    long = pd.concat(parts, ignore_index=True)
    dup = long.duplicated(["sent_id", "coder", "item"])
    if dup.any():
        first = long[dup].iloc[0]
        raise ValueError(
            f"coder {first['coder']!r} coded {first['item']!r} for sent_id {first['sent_id']!r} "
            f"in more than one of {[str(p) for p in paths]}"
        )
    long["sent_id"] = _sent_ids(long["sent_id"])
    return long
