"""The one loader for package data in ``framing/codebooks/``.

Codebooks, alias tables and word lists are data, not code. Every function
takes either the name of a file shipped with the package (``"aliases.csv"``)
or a path to a user's own file, so users can replace or extend any of them.
"""

from __future__ import annotations

import copy
import hashlib
import io
import threading
from collections.abc import Callable, Hashable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

_PACKAGE = "framing.codebooks"
# parsed codebooks: (loader, file identity, loader options) -> ((size, mtime_ns), value); one entry
# per file and options, replaced when the file's size or modification time changes
_PARSED: dict[tuple[Hashable, ...], tuple[tuple[int, int], Any]] = {}
_LOCK = threading.Lock()


def _locate(name_or_path: str | Path) -> Any:
    """The file read for ``name_or_path``: a file on disk first, else the shipped codebook of that name."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    shipped = files(_PACKAGE).joinpath(str(name_or_path))
    if not shipped.is_file():
        raise FileNotFoundError(
            f"no codebook {str(name_or_path)!r}: neither a file on disk nor one shipped in "
            f"{_PACKAGE} (shipped: {', '.join(sorted(available()))})"
        )
    return shipped


def read_bytes(name_or_path: str | Path) -> bytes:
    """Bytes of a shipped codebook (by file name) or of a user's file (by path)."""
    return _locate(name_or_path).read_bytes()


def _identity(name_or_path: str | Path) -> tuple[tuple[str, str], tuple[int, int], Any]:
    """Who the file is (its resolved path, or a shipped codebook's name), its (size, mtime_ns), the file."""
    found = _locate(name_or_path)
    if isinstance(found, Path) and found == Path(name_or_path):  # a user's file
        st = found.stat()
        return ("path", str(found.resolve())), (st.st_size, st.st_mtime_ns), found
    try:  # a shipped file: by name, and by its stamp when it is a file on disk (an editable install)
        st = Path(str(found)).stat()
        stamp = (st.st_size, st.st_mtime_ns)
    except OSError:  # inside a zip: it cannot change while the package is imported
        stamp = (-1, -1)
    return ("shipped", str(name_or_path)), stamp, found


def _cached(kind: str, name_or_path: str | Path, options: Hashable, parse: Callable[[bytes], Any]) -> Any:
    """``parse`` of the file's bytes, parsed again only when the file's size or mtime changed."""
    ident, stamp, found = _identity(name_or_path)
    key = (kind, ident, options)
    with _LOCK:
        hit = _PARSED.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    value = parse(found.read_bytes())
    with _LOCK:
        _PARSED[key] = (stamp, value)
    return value


def clear_cache() -> None:
    """Forget every parsed codebook, so the next load reads the files again.

    Examples
    --------
    >>> clear_cache()
    >>> _PARSED
    {}
    """
    with _LOCK:
        _PARSED.clear()


def available() -> list[str]:
    """Names of the codebook files shipped with the package."""
    return [f.name for f in files(_PACKAGE).iterdir() if f.is_file() and not f.name.startswith("_")]


def _parse_yaml(data: bytes) -> Any:
    import yaml

    return yaml.safe_load(data.decode("utf-8"))


def load_yaml(name_or_path: str | Path) -> Any:
    """Parse a YAML codebook.

    Parsed once per file and kept, keyed by the file's path, size and
    modification time (a shipped codebook by its name), so an edited file is
    read again; each call returns a deep copy, which the caller may change.

    Examples
    --------
    >>> book = load_yaml("frames.yaml")
    >>> book.clear()
    >>> load_yaml("frames.yaml") != {}
    True
    """
    return copy.deepcopy(_cached("yaml", name_or_path, None, _parse_yaml))


def load_csv(name_or_path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV codebook (``#`` starts a comment line).

    Kept like :func:`load_yaml` (per file, its size and modification time,
    and the options), and each call returns a deep copy of the table.
    """
    def parse(data: bytes) -> pd.DataFrame:
        return pd.read_csv(io.BytesIO(data), comment="#", **kwargs)

    try:
        options: Hashable = tuple(sorted(kwargs.items()))
        hash(options)
    except TypeError:  # unhashable options (a dict of dtypes, a converter list): read every time
        return parse(read_bytes(name_or_path))
    return _cached("csv", name_or_path, options, parse).copy(deep=True)


def load_lines(name_or_path: str | Path) -> list[str]:
    """Non-empty lines of a word list, without ``#`` comments."""
    lines = read_bytes(name_or_path).decode("utf-8").splitlines()
    return [s for line in lines if (s := line.split("#", 1)[0].strip())]


def digest(*names_or_paths: str | Path) -> str:
    """SHA-256 over the given codebooks' bytes, for cache keys and provenance."""
    h = hashlib.sha256()
    for item in names_or_paths:
        h.update(read_bytes(item))
        h.update(b"\0")
    return h.hexdigest()
