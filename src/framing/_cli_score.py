"""The input of ``framing score``: a corpus or a sentences table, as one table of sentences.

A CSV or JSON Lines file whose columns are ``sent_id`` and ``text``, or
``doc_id``, ``n`` and ``text`` (as :func:`framing.split_sentences` writes),
is a sentences table and is scored row by row. Anything else is a corpus: it
goes through :func:`framing.load_corpus` and :func:`framing.split_sentences`.
Either way a bad input (an unreadable file, a broken line, an empty text, a
repeated id) is skipped and logged in one line naming the file and line, the
rest is kept, and ``strict=True`` raises :class:`framing.loading.corpus.CorpusError`
instead, exactly as :func:`framing.load_corpus` does.

Only :mod:`framing.cli` imports this module.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from framing.loading._manifest import csv_header, csv_rows, jsonl_rows
from framing.loading.corpus import CorpusWarning, _announce, _decode, _Report

log = logging.getLogger(__name__)

TABLE_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_SENT_ID = re.compile(r"(.+):\d+")


class InputError(ValueError):
    """The input holds nothing to score; the message is one line saying so."""


class _Quiet:
    """A report that records nothing: for a first look at a file's columns."""

    def skip(self, *args: Any, **kwargs: Any) -> None:
        pass

    def note(self, *args: Any, **kwargs: Any) -> None:
        pass


def is_sentences_table(columns: list[str], text_column: str | None = None) -> bool:
    """Whether a table with these columns is one of sentences rather than of documents.

    Examples
    --------
    >>> is_sentences_table(["doc_id", "sent_id", "para", "n", "start", "end", "text", "is_title"])
    True
    >>> is_sentences_table(["doc_id", "n", "text"]), is_sentences_table(["doc_id", "title", "text"])
    (True, False)
    """
    cols = set(columns)
    return (text_column or "text") in cols and ("sent_id" in cols or {"doc_id", "n"} <= cols)


def _columns(text: str, fmt: str) -> list[str]:
    """The column names of a CSV, or the keys of a JSON Lines file's first object."""
    if fmt == "csv":
        return csv_header(text)
    for line in text.split("\n"):
        try:
            row = json.loads(line) if line.strip() else None
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict):
            return list(row)
    return []


def _rows(path: Path, text: str, fmt: str, report: _Report) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, row)`` of a table; broken lines are reported and left out."""
    if fmt == "csv":
        try:
            for line, row in csv_rows(text):
                yield line, {k.strip(): v for k, v in row.items() if isinstance(k, str)}
        except csv.Error as exc:
            report.skip(path, f"malformed CSV ({exc}); the rest of the file was not read")
        return
    yield from jsonl_rows(path, text, report)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""


def _sentence(path: Path, line: int, row: dict[str, Any], text_col: str, report: _Report,
              seen: dict[str, int]) -> dict[str, Any] | None:
    """One row of a sentences table, or None (reported) when it cannot be scored."""
    body = row.get(text_col)
    if not isinstance(body, str) or not body.strip():
        report.skip(path, f"empty {text_col!r}", line=line)
        return None
    doc_id = None if _blank(row.get("doc_id")) else str(row["doc_id"]).strip()
    sent_id = None if _blank(row.get("sent_id")) else str(row["sent_id"]).strip()
    if sent_id is None:
        n = str(row.get("n", "")).strip()
        if doc_id is None or not n.isdigit():
            report.skip(path, "no 'sent_id', and no 'doc_id' and whole-number 'n' to make one", line=line)
            return None
        sent_id = f"{doc_id}:{int(n):04d}"
    if doc_id is None and (match := _SENT_ID.fullmatch(sent_id)):
        doc_id = match.group(1)
    if sent_id in seen:
        report.skip(path, f"duplicate sent_id {sent_id!r} (first on line {seen[sent_id]})", line=line)
        return None
    seen[sent_id] = line
    out = {"doc_id": doc_id, "sent_id": sent_id, "text": body}
    if "language" in row:
        out["language"] = None if _blank(row["language"]) else str(row["language"])
    return out


def read_sentences_table(path: Path, text: str, fmt: str, *, text_column: str | None = None,
                         strict: bool = False) -> pd.DataFrame:
    """The rows of a sentences table: ``doc_id, sent_id, text`` (and ``language`` if it has one).

    Examples
    --------
    >>> import pathlib
    >>> table = read_sentences_table(pathlib.Path("s.csv"), "doc_id,n,text\\na,0,Talks.\\na,1,\\n", "csv")
    >>> table.values.tolist()
    [['a', 'a:0000', 'Talks.']]
    """
    report = _Report()
    seen: dict[str, int] = {}
    text_col = text_column or "text"
    rows = [r for line, row in _rows(path, text, fmt, report)
            if (r := _sentence(path, line, row, text_col, report, seen)) is not None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)  # every skipped row is already logged
        _announce(report, strict=strict)
    columns = ["doc_id", "sent_id", "text", *(["language"] if any("language" in r for r in rows) else [])]
    return pd.DataFrame(rows, columns=columns)


def _as_sentences_table(path: Path, text_column: str | None, strict: bool) -> pd.DataFrame | None:
    """The sentences of ``path`` when it is a sentences table, else None."""
    fmt = TABLE_FORMATS.get(path.suffix.lower())
    if fmt is None or not path.is_file():
        return None
    data = path.read_bytes()
    text = _decode(path, data, _Quiet())  # type: ignore[arg-type]
    if text is None or not is_sentences_table(_columns(text, fmt), text_column):
        return None
    text = _decode(path, data, _Report())  # again, to log any repair once
    return read_sentences_table(path, text or "", fmt, text_column=text_column, strict=strict)


def _from_corpus(source: Path, text_column: str | None, strict: bool) -> pd.DataFrame:
    from framing.loading.corpus import load_corpus
    from framing.loading.sentences import split_sentences

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)  # every skipped input is already logged
        docs = load_corpus(source, strict=strict, text_column=text_column)
    if docs.empty:
        skipped = len(docs.attrs.get("skipped", []))
        raise InputError(f"no documents to score in {source}"
                         + (f" ({skipped} input(s) skipped, each named above)" if skipped else ""))
    sentences = split_sentences(docs)
    sentences["language"] = sentences["doc_id"].map(dict(zip(docs["doc_id"], docs["language"], strict=True)))
    return sentences


def read_input(source: str | Path, *, text_column: str | None = None, strict: bool = False) -> pd.DataFrame:
    """The sentences to score in ``source``: a sentences table as it is, a corpus split into sentences.

    Parameters
    ----------
    source
        A file, folder or manifest as :func:`framing.load_corpus` takes, or a
        CSV / JSON Lines sentences table.
    text_column
        The text column of a CSV or JSON Lines input (default ``text``, and
        for documents the first of ``text, body, content, article``).
    strict
        Raise :class:`framing.loading.corpus.CorpusError` instead of skipping bad inputs.

    Returns
    -------
    pandas.DataFrame
        At least ``doc_id, sent_id, text``; ``sent_id`` as the input gives it,
        or ``<doc_id>:<n>`` as :func:`framing.split_sentences` makes it.

    Raises
    ------
    InputError
        When nothing is left to score.
    FileNotFoundError
        When ``source`` does not exist.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "s.jsonl").write_text('{"sent_id": "a:0001", "text": "Talks resumed."}\\n')
    >>> read_input(folder / "s.jsonl").values.tolist()
    [['a', 'a:0001', 'Talks resumed.']]
    """
    path = Path(source).expanduser()
    sentences = _as_sentences_table(path, text_column, strict)
    if sentences is None:
        sentences = _from_corpus(path, text_column, strict)
    if sentences.empty:
        raise InputError(f"no sentences to score in {source}")
    return sentences


def with_doc_id(table: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """A score table with the ``doc_id`` of each ``sent_id`` in front.

    Examples
    --------
    >>> st = pd.DataFrame({"sent_id": ["a:0000"], "target": ["russia"]})
    >>> with_doc_id(st, pd.DataFrame({"doc_id": ["a"], "sent_id": ["a:0000"]})).columns.tolist()
    ['doc_id', 'sent_id', 'target']
    """
    out = table.copy()
    out.insert(0, "doc_id", out["sent_id"].map(dict(zip(sentences["sent_id"], sentences["doc_id"],
                                                        strict=True))))
    return out


def interrupted(err: BaseException) -> str:
    """The one line that says a run was interrupted, with the sentences saved when the error knows them.

    Examples
    --------
    >>> interrupted(KeyboardInterrupt())
    'interrupted; run again to resume'
    """
    saved = getattr(err, "saved", None)
    if saved is None:
        return "interrupted; run again to resume"
    return f"interrupted: {saved} sentences saved; run again to resume"


@contextlib.contextmanager
def warnings_as_log_lines(logger: logging.Logger) -> Iterator[None]:
    """Within the block, every warning is logged in one line (its first), without the source line.

    Examples
    --------
    >>> with warnings_as_log_lines(logging.getLogger("demo")):
    ...     warnings.warn("one line only")
    """

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        logger.warning("%s", str(message).strip().splitlines()[0] if str(message).strip() else category)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        warnings.showwarning = show
        yield
