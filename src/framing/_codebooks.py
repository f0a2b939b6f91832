"""The one loader for package data in ``framing/codebooks/``.

Codebooks, alias tables and word lists are data, not code. Every function
takes either the name of a file shipped with the package (``"aliases.csv"``)
or a path to a user's own file, so users can replace or extend any of them.
"""

from __future__ import annotations

import hashlib
import io
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

_PACKAGE = "framing.codebooks"


def read_bytes(name_or_path: str | Path) -> bytes:
    """Bytes of a shipped codebook (by file name) or of a user's file (by path)."""
    p = Path(name_or_path)
    if p.is_file():
        return p.read_bytes()
    shipped = files(_PACKAGE).joinpath(str(name_or_path))
    if not shipped.is_file():
        raise FileNotFoundError(
            f"no codebook {str(name_or_path)!r}: neither a file on disk nor one shipped in "
            f"{_PACKAGE} (shipped: {', '.join(sorted(available()))})"
        )
    return shipped.read_bytes()


def available() -> list[str]:
    """Names of the codebook files shipped with the package."""
    return [f.name for f in files(_PACKAGE).iterdir() if f.is_file() and not f.name.startswith("_")]


def load_yaml(name_or_path: str | Path) -> Any:
    """Parse a YAML codebook."""
    import yaml

    return yaml.safe_load(read_bytes(name_or_path).decode("utf-8"))


def load_csv(name_or_path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV codebook (``#`` starts a comment line)."""
    return pd.read_csv(io.BytesIO(read_bytes(name_or_path)), comment="#", **kwargs)


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
