"""Manifests: CSV tables that list the documents to read or the originals to fetch.

A document manifest (like ``data/raw/sources.csv``) has a ``path`` column,
relative to the manifest's folder, and no text column; each row's document id
is its ``doc_id``, else its ``id``, else the listed file's name without the
extension. An originals manifest (like ``data/raw/originals.csv``) has
``doc_id`` and ``url`` columns. Every reader of a manifest in the package goes
through this module:

* :func:`manifest_rows`: the rows streamed with their line numbers, keys and
  values stripped (:func:`framing.load_corpus`, which reports skipped rows by
  line);
* :func:`manifest_table`: the rows as a table with absolute paths, one row
  per document id (the distributed pipeline, which partitions the rows);
* :func:`originals_table`: the originals manifest (:func:`framing.fetch_originals`).
"""

from __future__ import annotations

import csv
import io
import json
import sys
import warnings
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pandas as pd

#: Columns that hold a document's text; a CSV with one of them is a table of documents, not a manifest.
TEXT_COLUMNS = ("text", "body", "content", "article")


def csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(first line, row)`` of a CSV; line numbers count the header as line 1."""
    csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2**31 - 1)))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    last = 1
    for row in reader:
        yield last + 1, row
        last = reader.line_num


def jsonl_rows(path: Path, text: str, report: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, object)`` of a JSON Lines text; a line that is not a JSON object is reported and left out.

    ``report`` is anything with ``skip(path, message, line=...)``, as ``load_corpus`` keeps.

    Examples
    --------
    >>> class Report:
    ...     def skip(self, path, message, line=None): print(line, message)
    >>> list(jsonl_rows(Path("x.jsonl"), '{"a": 1}\\n[2]\\n', Report()))
    2 a JSON list, expected an object
    [(1, {'a': 1})]
    """
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            report.skip(path, f"not valid JSON ({exc.msg} at column {exc.colno})", line=line_no)
            continue
        if not isinstance(row, dict):
            report.skip(path, f"a JSON {type(row).__name__}, expected an object", line=line_no)
            continue
        yield line_no, row


def csv_header(text: str) -> list[str]:
    """The stripped column names of a CSV (read from its first 64 KiB)."""
    first = next(csv.reader(io.StringIO(text[:65536], newline="")), [])
    return [c.strip() for c in first]


def resolve(manifest: Path, listed: str) -> Path:
    """Absolute path of a file a manifest lists, relative to the manifest's folder."""
    return (manifest.parent / listed.strip()).resolve()


def document_id(row: MutableMapping[str, Any], target: Path, *, take: bool = False) -> Any:
    """A manifest row's document id: ``doc_id``, else ``id``, else the stem of the listed file.

    With ``take=True`` the columns read are removed from ``row`` (``id`` stays
    when ``doc_id`` decides).
    """
    get = row.pop if take else row.get
    return get("doc_id", "") or get("id", "") or target.stem


def manifest_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, row)`` of a manifest's text; keys and string values stripped, unnamed columns dropped."""
    for line, row in csv_rows(text):
        yield line, {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k}


def read_table(path: str | Path, *, encoding: str = "utf-8") -> pd.DataFrame:
    """A CSV as a table of strings, empty cells as ``""``."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)


def manifest_table(path: str | Path, *, stacklevel: int = 2) -> pd.DataFrame | None:
    """The rows of a document manifest, with absolute paths and one row per document id.

    Parameters
    ----------
    path
        A CSV file (UTF-8, with or without a byte order mark).
    stacklevel
        Passed to :func:`warnings.warn` for the warning about repeated ids:
        2 names the caller of this function.

    Returns
    -------
    pandas.DataFrame or None
        ``None`` when ``path`` cannot be read as a CSV or is not a manifest (no
        ``path`` column, or one of the columns ``text, body, content,
        article``). Otherwise the manifest's columns (names stripped, values
        as strings exactly as written, the original index kept), without the
        rows whose ``path`` is blank, ``path`` replaced by the absolute path of
        the listed file. When a document id (``doc_id``, else ``id``, else the
        file's stem) occurs more than once, the first row is kept and a
        ``UserWarning`` names it, as :func:`framing.load_corpus` keeps the first.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "sources.csv").write_text("doc_id,path,outlet\\na,a.txt,RT\\n,b.txt,\\n")
    >>> table = manifest_table(folder / "sources.csv")
    >>> table["doc_id"].tolist(), [pathlib.Path(p).name for p in table["path"]]
    (['a', ''], ['a.txt', 'b.txt'])
    >>> _ = (folder / "docs.csv").write_text("doc_id,path,text\\na,a.txt,Talks resumed.\\n")
    >>> manifest_table(folder / "docs.csv") is None  # a table of documents, not a manifest
    True
    """
    path = Path(path)
    try:
        table = read_table(path, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return None
    table.columns = [str(c).strip() for c in table.columns]
    if "path" not in table.columns or set(TEXT_COLUMNS) & set(table.columns):
        return None
    table = table[table["path"].str.strip() != ""].copy()
    table["path"] = [str(resolve(path, p)) for p in table["path"]]
    ids = table["doc_id"] if "doc_id" in table.columns else pd.Series("", index=table.index)
    if "id" in table.columns:
        ids = ids.where(ids != "", table["id"])
    ids = ids.where(ids != "", table["path"].map(lambda p: Path(p).stem))
    dup = ids.duplicated()
    if dup.any():
        warnings.warn(
            f"{path}: doc_id {ids[dup].iloc[0]!r} and {int(dup.sum()) - 1} more occur more than once; "
            "keeping the first row of each, as load_corpus does",
            stacklevel=stacklevel,
        )
        table = table[~dup]
    return table


def originals_table(manifest: Path) -> pd.DataFrame:
    """The originals manifest as strings; it must exist and have ``doc_id`` and ``url`` columns."""
    if not manifest.is_file():
        raise FileNotFoundError(f"no manifest of originals at {manifest}: create it with the columns "
                                "doc_id, issuer, source, kind, url, title, date")
    df = read_table(manifest)
    missing = {"doc_id", "url"} - set(df.columns)
    if missing:
        raise ValueError(f"{manifest}: needs the columns {sorted(missing)}")
    return df
