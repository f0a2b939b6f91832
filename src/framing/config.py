"""Paths and settings, resolved in one place.

Settings come from arguments first, then environment variables
(``FRAMING_MODEL``, ``FRAMING_CACHE``, ``FRAMING_PRECISION``,
``FRAMING_BACKEND``), then defaults.
The project root is found from the package's location, so notebooks never
use relative paths such as ``../data``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Precision = Literal["auto", "fp32", "bf16", "int8"]
#: numeric precisions a model can run in (see :func:`framing.load_model`); ``auto`` is the
#: backend's own default (:data:`BACKEND_PRECISION`)
PRECISIONS: tuple[str, ...] = ("auto", "fp32", "bf16", "int8")
DEFAULT_PRECISION: Precision = "auto"
Backend = Literal["torch", "ctranslate2"]
#: libraries a model can run on: PyTorch (the reference) or CTranslate2 (converted, int8 by default)
BACKENDS: tuple[str, ...] = ("torch", "ctranslate2")
DEFAULT_BACKEND: Backend = "ctranslate2"
#: what ``precision="auto"`` means on each backend: the fastest mode that keeps a sentence's
#: scores independent of its batch and agrees with PyTorch fp32 (see docs/scaling.md)
BACKEND_PRECISION: dict[str, str] = {"torch": "fp32", "ctranslate2": "int8"}


def resolve_precision(backend: str, precision: str) -> str:
    """The precision a model runs in: ``precision``, or the backend's own for ``"auto"``.

    Examples
    --------
    >>> resolve_precision("ctranslate2", "auto"), resolve_precision("torch", "auto")
    ('int8', 'fp32')
    >>> resolve_precision("torch", "bf16")
    'bf16'
    """
    return BACKEND_PRECISION[backend] if precision == "auto" else precision


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


@dataclass(frozen=True)
class Settings:
    """How models run and where their scores are cached, passed as one argument.

    Every function that scores takes ``settings=``; the command line builds
    one from its flags, and :mod:`framing.distributed` ships it to each Dask
    worker. Nothing in the package writes these to ``os.environ``: the
    environment variables only supply the defaults, through
    :meth:`Settings.from_env`.

    Parameters
    ----------
    model
        Model name or folder, as :func:`framing.load_model` takes it; ``None``
        for the embedded default.
    precision
        ``"auto"`` (the backend's default: int8 on CTranslate2, fp32 on
        PyTorch), ``"fp32"``, ``"bf16"`` or ``"int8"``.
    cache
        Folder of the score cache; ``None`` for ``data/interim/cache``.
    device
        ``"cpu"``, ``"cuda"``...; ``None`` picks CUDA when available.
    backend
        ``"ctranslate2"`` (the default: the model converted once and cached
        beside the scores) or ``"torch"`` (PyTorch, the reference). A model
        CTranslate2 cannot convert runs on PyTorch, with a warning.

    Examples
    --------
    >>> from framing import Settings
    >>> s = Settings(precision="int8")
    >>> s.precision, s.replace(precision="fp32").precision
    ('int8', 'fp32')
    >>> Settings(backend="torch").backend
    'torch'
    """

    model: str | None = None
    precision: Precision = DEFAULT_PRECISION
    cache: Path | None = None
    device: str | None = None
    backend: Backend = DEFAULT_BACKEND

    def __post_init__(self) -> None:
        prec = str(self.precision).strip().lower()
        if prec not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}: use one of {', '.join(PRECISIONS)}")
        object.__setattr__(self, "precision", prec)
        backend = str(self.backend).strip().lower()
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}: use one of {', '.join(BACKENDS)}")
        object.__setattr__(self, "backend", backend)
        if self.cache is not None:
            object.__setattr__(self, "cache", Path(self.cache).expanduser().resolve())
        if self.model is not None:
            object.__setattr__(self, "model", str(self.model) or None)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings from ``FRAMING_MODEL``, ``_PRECISION``, ``_CACHE``, ``_DEVICE`` and ``_BACKEND``.

        Keyword arguments that are not ``None`` take precedence over the
        environment.

        Examples
        --------
        >>> Settings.from_env(precision="bf16").precision
        'bf16'
        """
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise TypeError(f"unknown setting(s) {sorted(unknown)}")
        env = {
            "model": os.environ.get("FRAMING_MODEL") or None,
            "precision": os.environ.get("FRAMING_PRECISION") or DEFAULT_PRECISION,
            "cache": os.environ.get("FRAMING_CACHE") or None,
            "device": os.environ.get("FRAMING_DEVICE") or None,
            "backend": os.environ.get("FRAMING_BACKEND") or DEFAULT_BACKEND,
        }
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed.

        Examples
        --------
        >>> Settings().replace(model="my/model").model
        'my/model'
        """
        return dataclasses.replace(self, **changes)

    @property
    def cache_dir(self) -> Path:
        """The cache folder: ``cache`` if set, else ``paths().cache``.

        Examples
        --------
        >>> Settings(cache="/tmp/scores").cache_dir.name
        'scores'
        """
        return self.cache if self.cache is not None else paths().cache


def resolve_settings(settings: Settings | None) -> Settings:
    """``settings`` as given, or :meth:`Settings.from_env` when ``None``."""
    return settings if settings is not None else Settings.from_env()
