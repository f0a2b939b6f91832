"""Load documents into one tidy table.

:func:`load_corpus` reads plain text, Markdown, HTML, CSV and JSON Lines, from a
file, a folder, a list of paths or a manifest (a CSV like ``data/raw/sources.csv``
with a ``path`` column), and returns one row per document with cleaned text.

Cleaning is deterministic and recorded in ``df.attrs["cleaning"]``:

* characters: the one-for-one replacements in :data:`CHAR_MAP` (typographic
  quote variants to “ ” ‘ ’, Unicode spaces to a space, invisible characters
  removed), then straight quotes become curly ones by position (after a space,
  an opening bracket or a dash, or at the start, ``"`` becomes “ and ``'`` before
  a letter or digit becomes ‘; every other ``"`` is ” and ``'`` is ’);
* whitespace: paragraphs are separated by blank lines (or, in text without any
  blank line, by line breaks); inside a paragraph every run of whitespace
  becomes one space, so hard-wrapped prose is joined; paragraphs are joined
  with one blank line;
* boilerplate: whole paragraphs matching ``codebooks/boilerplate.txt`` (page
  clutter: bylines, time stamps, captions and credits, "Read more" links,
  share bars, newsletter prompts, footers) are dropped, and an ``END``
  pattern drops that paragraph and all that follow. In a paragraph of several
  lines, a line the rules match on its own becomes its own paragraph and is
  dropped, and a short line over a longer one ends its paragraph, so a
  sentence never runs across a caption, byline or time stamp line (see
  :mod:`framing.loading._clutter`);
* headline: the title is the first paragraph, once; copies of it at the start
  of the body are dropped.

Offsets elsewhere in the package refer to this cleaned ``text``.
"""

from __future__ import annotations

import csv
import logging
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from framing.loading._clutter import Rules, compile_rules, drop_boilerplate
from framing.loading._clutter import paragraphs as _paragraphs
from framing.loading._manifest import (
    TEXT_COLUMNS,
    csv_header,
    csv_rows,
    document_id,
    jsonl_rows,
    manifest_rows,
    resolve,
)

log = logging.getLogger(__name__)

COLUMNS = ["doc_id", "title", "outlet", "date", "url", "kind", "language", "text", "path"]
ID_COLUMNS = ("doc_id", "id")
FORMATS: dict[str, str] = {
    ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
}
_LANGUAGE_SAMPLE = 20_000

#: One-for-one character replacements applied to every document.
CHAR_MAP: dict[str, str] = {
    "„": "“", "‟": "“", "«": "“", "〝": "“", "＂": '"',
    "»": "”", "〞": "”",
    "‚": "‘", "‛": "‘", "‹": "‘", "＇": "'",
    "›": "’",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u205f": " ", "\u3000": " ", "\t": " ", "\v": " ",
    **{chr(c): " " for c in range(0x2000, 0x200B)},
    "\u200b": "", "\ufeff": "", "\u00ad": "", "\u2060": "",
    "\r": "\n", "\f": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n",
}
_TRANSLATE = str.maketrans({k: (v or None) for k, v in CHAR_MAP.items()})
_OPEN_DOUBLE = re.compile(r'(^|[\s(\[{\u2014\u2013-])"', re.M)
_OPEN_SINGLE = re.compile(r"(^|[\s(\[{“\u2014\u2013-])'(?=\w)", re.M)


class CorpusError(ValueError):
    """Raised by ``load_corpus(..., strict=True)`` when an input is skipped."""


class CorpusWarning(UserWarning):
    """Issued once per ``load_corpus`` call that skipped or repaired inputs."""


@dataclass
class _Report:
    skipped: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)

    def skip(self, path: Path | str, reason: str, line: int | None = None) -> None:
        self.skipped.append({"path": str(path), "line": line, "reason": reason})
        log.warning("skipped %s: %s", _where(path, line), reason)

    def note(self, path: Path | str, reason: str, line: int | None = None) -> None:
        self.notes.append({"path": str(path), "line": line, "reason": reason})
        log.warning("%s: %s", _where(path, line), reason)


def _where(path: Path | str, line: int | None) -> str:
    return f"{path}:{line}" if line is not None else str(path)


@dataclass
class _Record:
    """One document as read, before cleaning."""

    doc_id: str
    body: str
    path: Path
    line: int | None = None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    paragraphs: Literal["auto", "lines"] = "auto"


# --------------------------------------------------------------------------- decoding


def _decode(path: Path, data: bytes, report: _Report) -> str | None:
    """Text of a file, or None (reported) when it is empty or binary."""
    if not data.strip():
        report.skip(path, "empty or whitespace-only file")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.note(path, "UTF-16 file (byte-order mark); decoded as UTF-16")
        return data.decode("utf-16")
    sample = data[:4096]
    if b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) // 2
        if odd > 0.4 * half and even < 0.05 * half:
            report.note(path, "UTF-16 file without byte-order mark; decoded as UTF-16-LE")
            return data.decode("utf-16-le", errors="replace")
        if even > 0.4 * half and odd < 0.05 * half:
            report.note(path, "UTF-16 file without byte-order mark; decoded as UTF-16-BE")
            return data.decode("utf-16-be", errors="replace")
        report.skip(path, "binary file (contains NUL bytes); expected text")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
            encoding = "Windows-1252"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            encoding = "Latin-1"
        report.note(path, f"not valid UTF-8 (first bad byte on line {line}); decoded as {encoding}. "
                          "Re-save the file as UTF-8 to silence this", line=line)
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > 0.01 * min(len(text), 4096):
        report.skip(path, "binary file (control characters); expected text")
        return None
    if not text.strip():
        report.skip(path, "empty or whitespace-only file")
        return None
    return text


# --------------------------------------------------------------------------- readers


def _read_plain(path: Path, text: str, doc_id: str, *, markdown: bool) -> Iterator[_Record]:
    text = text.lstrip()
    first, _, body = text.partition("\n")
    title = first.strip()
    if markdown:
        title = title.strip("#").strip()
    yield _Record(doc_id=doc_id, body=body, path=path, title=title)


def _read_html(path: Path, text: str, doc_id: str, report: _Report) -> Iterator[_Record]:
    import trafilatura  # noqa: PLC0415

    found = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False,
                                        include_tables=False)
    if found is None or not (found.text or "").strip():
        report.skip(path, "no main text found in the HTML (trafilatura extracted nothing)")
        return
    meta = {"outlet": found.sitename, "date": found.date, "url": found.url}
    yield _Record(doc_id=doc_id, body=found.text, path=path, title=found.title,
                  meta={k: v for k, v in meta.items() if v}, paragraphs="lines")


def _pick(columns: Sequence[str], wanted: str | None, defaults: Sequence[str]) -> str | None:
    if wanted is not None:
        return wanted if wanted in columns else None
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[c] for c in defaults if c in lowered), None)


def _no_text_column(columns: Sequence[str], text_column: str | None) -> str:
    looked = repr(text_column) if text_column else ", ".join(map(repr, TEXT_COLUMNS))
    return (f"no text column (looked for {looked}; found {', '.join(map(repr, columns)) or 'none'}); "
            "name the column with load_corpus(..., text_column=...)")


def _row_record(path: Path, row: dict[str, Any], line: int, index: int, text_col: str,
                report: _Report) -> _Record | None:
    body = row.get(text_col)
    if not isinstance(body, str) or not body.strip():
        report.skip(path, f"empty {text_col!r}", line=line)
        return None
    id_col = _pick(list(row), None, ID_COLUMNS)
    raw_id = row.get(id_col) if id_col else None
    doc_id = str(raw_id).strip() if raw_id not in (None, "") else f"{path.stem}-{index}"
    meta = {k: v for k, v in row.items() if k not in (text_col, id_col) and k is not None}
    title = meta.pop("title", None)
    return _Record(doc_id=doc_id, body=body, path=path, line=line,
                   title=str(title) if title not in (None, "") else None, meta=meta)


def _is_manifest(header: Sequence[str], text_column: str | None) -> bool:
    return "path" in header and _pick(header, text_column, TEXT_COLUMNS) is None


def _read_csv(path: Path, text: str, text_column: str | None, report: _Report) -> Iterator[_Record]:
    header = csv_header(text)
    text_col = _pick(header, text_column, TEXT_COLUMNS)
    if text_col is None:
        report.skip(path, _no_text_column(header, text_column), line=1)
        return
    try:
        for index, (line, row) in enumerate(csv_rows(text), start=1):
            row = {(k.strip() if isinstance(k, str) else k): v for k, v in row.items()}
            record = _row_record(path, row, line, index, text_col, report)
            if record is not None:
                yield record
    except csv.Error as exc:
        report.skip(path, f"malformed CSV ({exc}); the rest of the file was not read")


def _read_jsonl(path: Path, text: str, text_column: str | None, report: _Report) -> Iterator[_Record]:
    text_col: str | None = None
    index = 0
    for line_no, row in jsonl_rows(path, text, report):
        if text_col is None:
            text_col = _pick(list(row), text_column, TEXT_COLUMNS)
            if text_col is None:
                report.skip(path, _no_text_column(list(row), text_column), line=line_no)
                return
        index += 1
        record = _row_record(path, row, line_no, index, text_col, report)
        if record is not None:
            yield record


def _read_file(path: Path, doc_id: str, *, text_column: str | None, report: _Report) -> Iterator[_Record]:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        report.skip(path, f"unknown extension {path.suffix or '(none)'!r}; "
                          f"supported: {', '.join(sorted(FORMATS))}")
        return
    if not path.is_file():
        report.skip(path, "file not found")
        return
    text = _decode(path, path.read_bytes(), report)
    if text is None:
        return
    if fmt in ("text", "markdown"):
        yield from _read_plain(path, text, doc_id, markdown=fmt == "markdown")
    elif fmt == "html":
        yield from _read_html(path, text, doc_id, report)
    elif fmt == "csv":
        if _is_manifest(csv_header(text), text_column):
            yield from _read_manifest(path, text, text_column=text_column, report=report)
        else:
            yield from _read_csv(path, text, text_column, report)
    else:
        yield from _read_jsonl(path, text, text_column, report)


def _read_manifest(path: Path, text: str, *, text_column: str | None, report: _Report) -> Iterator[_Record]:
    """Documents listed in a manifest; its ``path`` column is relative to the manifest's folder."""
    for line, row in manifest_rows(text):
        rel = row.pop("path", "") or ""
        if not rel:
            report.skip(path, "empty 'path'", line=line)
            continue
        target = resolve(path, rel)
        if not target.is_file():
            report.skip(path, f"listed file {rel!r} not found (looked for {target})", line=line)
            continue
        manifest_id = document_id(row, target, take=True)
        title = row.pop("title", "") or None
        meta = {k: v for k, v in row.items() if v not in (None, "")}
        for record in _read_file(target, manifest_id, text_column=text_column, report=report):
            if record.line is None:  # a whole file is one document: the manifest names it
                record.doc_id = manifest_id
                if title and record.title and not _same(title, record.title):
                    record.body = f"{record.title}\n\n{record.body}"
                record.title = title or record.title
            else:  # a table lists its own documents
                record.title = record.title or title
            record.meta = {**record.meta, **meta}
            yield record


# --------------------------------------------------------------------------- sources


def _manifest_targets(path: Path) -> set[Path]:
    """Files a CSV manifest lists (empty if the CSV is not a manifest)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return set()
    if not _is_manifest(csv_header(text), None):
        return set()
    return {resolve(path, row["path"]) for _, row in csv_rows(text) if row.get("path")}


def _folder_files(folder: Path) -> list[tuple[Path, str]]:
    """``(file, doc_id)`` under a folder, sorted; files a manifest there lists are left to the manifest."""
    files = sorted(p for p in folder.rglob("*")
                   if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    listed: set[Path] = set()
    manifests: list[Path] = []
    for p in files:
        if p.suffix.lower() == ".csv" and (targets := _manifest_targets(p)):
            listed |= targets
            manifests.append(p)
    if manifests:
        # a manifest is the folder's table of contents: what it does not list (other
        # metadata tables, notes) is not a document
        unlisted = [p for p in files if p.resolve() not in listed and p not in manifests]
        if unlisted:
            log.info("load_corpus: %s has a manifest; %d file(s) it does not list were not read: %s",
                     folder, len(unlisted), ", ".join(p.name for p in unlisted[:5]))
        files = manifests
    return [(p, p.relative_to(folder).with_suffix("").as_posix()) for p in files if p.resolve() not in listed]


def _expand(source: str | Path | Sequence[str | Path], report: _Report) -> list[tuple[Path, str]]:
    items = [source] if isinstance(source, str | Path) else list(source)
    out: list[tuple[Path, str]] = []
    for item in items:
        path = Path(item).expanduser()
        if path.is_dir():
            out.extend(_folder_files(path))
        elif path.exists():
            out.append((path, path.stem))
        elif isinstance(source, str | Path):
            raise FileNotFoundError(f"load_corpus: no file or folder {path}")
        else:
            report.skip(path, "file not found")
    return out


# --------------------------------------------------------------------------- cleaning


def normalise_characters(text: str) -> str:
    """Apply :data:`CHAR_MAP` and make straight quotes curly by position.

    Every replacement is one character for one (or removes an invisible one),
    so the mapping is deterministic and recorded in ``df.attrs["cleaning"]``.

    Examples
    --------
    >>> normalise_characters('He said "it\\'s \\'fine\\'"\\u00a0today.')
    'He said “it’s ‘fine’” today.'
    """
    text = text.replace("\r\n", "\n").translate(_TRANSLATE)
    text = _OPEN_DOUBLE.sub("\\1“", text).replace('"', "”")
    return _OPEN_SINGLE.sub("\\1‘", text).replace("'", "’")


def _key(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(" .:;")


def _same(a: str, b: str) -> bool:
    return _key(normalise_characters(a)) == _key(normalise_characters(b))


def clean_text(body: str, *, title: str | None = None, paragraphs: Literal["auto", "lines"] = "auto",
               boilerplate: str | Path | Sequence[str] | None = None) -> tuple[str, str]:
    """Cleaned ``(title, text)``: the headline once as the first paragraph, then the body.

    Examples
    --------
    >>> clean_text("Big news\\n\\nIt  rained.\\nAll day.\\n\\nLeave a Reply\\n\\nNice!", title="Big news")
    ('Big news', 'Big news\\n\\nIt rained. All day.')
    """
    return _clean(body, title=title, paragraphs=paragraphs, rules=compile_rules(boilerplate))


def _clean(body: str, *, title: str | None, paragraphs: Literal["auto", "lines"],
           rules: Rules) -> tuple[str, str]:
    head = " ".join(normalise_characters(title).split()) if title else ""
    paras = drop_boilerplate(_paragraphs(normalise_characters(body), paragraphs, rules), rules)
    if head:
        key = _key(head)
        while paras and _key(paras[0]) == key:
            paras.pop(0)
        paras.insert(0, head)
    return head, "\n\n".join(paras)


def _detect_language(text: str) -> str | None:
    import py3langid  # noqa: PLC0415

    sample = text[:_LANGUAGE_SAMPLE]
    return py3langid.classify(sample)[0] if sample.strip() else None


# --------------------------------------------------------------------------- public


def load_corpus(source: str | Path | Sequence[str | Path], *, strict: bool = False,
                boilerplate: str | Path | Sequence[str] | None = None,
                text_column: str | None = None) -> pd.DataFrame:
    """Read documents into a table with one row per document.

    Parameters
    ----------
    source
        A file, a folder (read recursively, hidden files ignored), a list of
        paths, or a manifest: a CSV with a ``path`` column (relative to the
        manifest's folder) and optional ``doc_id, title, outlet, date, url,
        kind, language`` and other columns. Formats by extension: ``.txt`` and
        ``.md`` (title on the first line), ``.html`` (main text extracted with
        trafilatura), ``.csv`` and ``.jsonl`` (one document per row, with a text
        column; other columns become metadata).
    strict
        Raise :class:`CorpusError` instead of skipping unreadable inputs.
    boilerplate
        Extra boilerplate patterns (a file like ``codebooks/boilerplate.txt``, or
        a list of regular expressions), used in addition to the shipped list.
    text_column
        Name of the text column in CSV/JSONL inputs; by default the first of
        ``text, body, content, article``.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, title, outlet, date, url, kind, language, text, path``
        and any extra metadata columns. ``df.attrs["skipped"]`` lists skipped
        inputs (``path, line, reason``), ``df.attrs["notes"]`` inputs read with
        a repair (encoding), and ``df.attrs["cleaning"]`` the cleaning rules.
        ``language`` is the declared language where the input gives one
        (a mismatch with detection is noted), else the detected one.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "talks.txt").write_text("Talks resume\\n\\nThe two sides met on Monday.")
    >>> load_corpus(folder)[["doc_id", "title", "text"]].values.tolist()
    [['talks', 'Talks resume', 'Talks resume\\n\\nThe two sides met on Monday.']]
    """
    report = _Report()
    rules = compile_rules(boilerplate)
    rows: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path, doc_id in _expand(source, report):
        for record in _read_file(path, doc_id, text_column=text_column, report=report):
            row = _finish(record, rules, report)
            if row is None:
                continue
            where = _where(record.path, record.line)
            if row["doc_id"] in seen:
                report.skip(record.path, f"duplicate doc_id {row['doc_id']!r} (first read from "
                                         f"{seen[row['doc_id']]})", line=record.line)
                continue
            seen[row["doc_id"]] = where
            rows.append(row)
    extras = sorted({k for r in rows for k in r} - set(COLUMNS))
    df = pd.DataFrame(rows, columns=[*COLUMNS, *extras])
    df.attrs["skipped"] = report.skipped
    df.attrs["notes"] = report.notes
    df.attrs["cleaning"] = _cleaning_record(rules)
    _announce(report, strict=strict)
    return df


def _finish(record: _Record, rules: Rules, report: _Report) -> dict[str, Any] | None:
    title, text = _clean(record.body, title=record.title, paragraphs=record.paragraphs, rules=rules)
    body = text[len(title):].strip() if title else text
    if not body:
        report.skip(record.path, "no text left after cleaning", line=record.line)
        return None
    meta = {k: (None if v is None or (isinstance(v, float) and pd.isna(v)) or v == "" else v)
            for k, v in record.meta.items()}
    detected = _detect_language(body)
    declared = meta.pop("language", None)
    if declared and detected and str(declared).lower() != detected:
        report.note(record.path, f"declared language {declared!r} but the text looks like {detected!r}; "
                                 "keeping the declared one", line=record.line)
    row = {c: meta.pop(c, None) for c in ("outlet", "date", "url", "kind")}
    return {"doc_id": str(record.doc_id), "title": title or None, **row,
            "language": declared or detected, "text": text, "path": str(record.path.resolve()), **meta}


def _cleaning_record(rules: Rules) -> dict[str, Any]:
    return {
        "characters": dict(CHAR_MAP),
        "straight_quotes": '" and \' become “ and ‘ at the start, after whitespace, an opening bracket or '
                           "a dash (' only before a letter or digit); otherwise ” and ’",
        "whitespace": "paragraphs split at blank lines (at line breaks when a text has no blank line); "
                      "inside a paragraph, a line the boilerplate rules match on its own, and the "
                      "break after a line shorter than 0.6 of the paragraph's longest, start a new "
                      "paragraph unless a lower-case letter carries the sentence across the break; "
                      "whitespace runs inside a paragraph become one space; "
                      "paragraphs joined by one blank line",
        "boilerplate": list(rules.patterns),
        "headline": "title first, once; copies at the start of the body dropped",
    }


def _announce(report: _Report, *, strict: bool) -> None:
    if report.skipped and strict:
        lines = "\n".join(f"  {_where(s['path'], s['line'])}: {s['reason']}" for s in report.skipped)
        raise CorpusError(f"load_corpus (strict=True) could not read {len(report.skipped)} "
                          f"input(s):\n{lines}")
    items = [("skipped", s) for s in report.skipped] + [("note", n) for n in report.notes]
    if items:
        lines = "\n".join(f"  {kind} {_where(s['path'], s['line'])}: {s['reason']}" for kind, s in items)
        warnings.warn(f"load_corpus: {len(report.skipped)} input(s) skipped, {len(report.notes)} note(s) "
                      f"(see df.attrs['skipped'] and df.attrs['notes']):\n{lines}", CorpusWarning,
                      stacklevel=3)
