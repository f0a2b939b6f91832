"""Paths and settings, resolved in one place.

Settings come from arguments first, then environment variables
(``FRAMING_MODEL``, ``FRAMING_CACHE``, ``FRAMING_PRECISION``), then defaults.
The project root is found from the package's location, so notebooks never
use relative paths such as ``../data``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _find_root() -> Path:
    """The checkout that holds ``data/raw``, or the working directory.

    An editable install resolves to the repository; an installed wheel used
    elsewhere falls back to the current directory (or ``FRAMING_ROOT``).
    """
    env = os.environ.get("FRAMING_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "data" / "raw").is_dir():
            return parent
    return Path.cwd().resolve()


@dataclass(frozen=True)
class Paths:
    """Where the project reads and writes. All paths are absolute."""

    root: Path

    @property
    def raw(self) -> Path:
        """Immutable inputs, committed."""
        return self.root / "data" / "raw"

    @property
    def manifest(self) -> Path:
        """The manifest of ``data/raw``."""
        return self.raw / "sources.csv"

    @property
    def interim(self) -> Path:
        """Derived, regenerated: caches and intermediate tables."""
        return self.root / "data" / "interim"

    @property
    def processed(self) -> Path:
        """Derived, regenerated: final tables."""
        return self.root / "data" / "processed"

    @property
    def external(self) -> Path:
        """Fetched originals (never committed)."""
        return self.root / "data" / "external"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def figures(self) -> Path:
        return self.reports / "figures"

    @property
    def cache(self) -> Path:
        """Score cache: ``FRAMING_CACHE`` if set, else ``data/interim/cache``."""
        env = os.environ.get("FRAMING_CACHE")
        return Path(env).expanduser().resolve() if env else self.interim / "cache"


def paths(root: str | Path | None = None) -> Paths:
    """Return the project's paths.

    Parameters
    ----------
    root
        Project root; defaults to ``FRAMING_ROOT`` or the checkout the package
        was installed from.

    Examples
    --------
    >>> from framing import paths
    >>> paths().raw.name
    'raw'
    """
    return Paths(Path(root).resolve() if root is not None else _find_root())


def setting(name: str, value: str | None = None, *, default: str | None = None) -> str | None:
    """Resolve one setting: explicit ``value``, then ``FRAMING_<NAME>``, then ``default``."""
    if value is not None:
        return value
    return os.environ.get(f"FRAMING_{name.upper()}", default)
