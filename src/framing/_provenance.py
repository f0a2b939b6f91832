"""Provenance: what produced a table or a report, so a reader can check or rebuild it.

Every table written to ``data/processed/`` carries a record of the package
version, the model (id, weights hash, numeric precision, backend and compute
type), the codebooks' hash and the input files with their SHA-256, both in a
JSON sidecar and in the Parquet file's own schema metadata.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import platform
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from framing import _codebooks
from framing._io import sha256_file

log = logging.getLogger(__name__)

METADATA_KEY = b"framing.provenance"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_MODEL_KEYS = {
    "model": ("model", "model_id", "id", "name"),
    "weights_sha256": ("weights_sha256", "weights_hash", "sha256"),
    "precision": ("precision", "dtype"),
    "backend": ("backend",),
    "compute_type": ("compute_type",),
    "revision": ("revision",),
    "kind": ("kind",),
}


def _model_record(model_info: Any) -> dict[str, Any] | None:
    if model_info is None:
        return None
    info = getattr(model_info, "key", model_info)  # a loaded model exposes its identity as .key
    if not isinstance(info, Mapping):
        raise TypeError(f"model_info must be a mapping (or a loaded model), got {type(model_info).__name__}")
    out: dict[str, Any] = {}
    for key, names in _MODEL_KEYS.items():
        out[key] = next((str(info[n]) for n in names if info.get(n) is not None), None)
    return out


def provenance(*, model_info: Mapping[str, Any] | None = None, codebooks: Sequence[str] | None = None,
               inputs: Sequence[str | Path] = ()) -> dict[str, Any]:
    """Describe what produced an output.

    Parameters
    ----------
    model_info
        The model's identity: a mapping with ``model`` (or ``model_id``),
        ``weights_sha256``, ``precision``, ``backend`` and ``compute_type``, such as a
        loaded model's ``.key`` (a loaded model itself is accepted too). ``None`` when no model was used.
    codebooks
        Names (or paths) of the codebooks used; by default every codebook
        shipped with the package. Names that do not exist are skipped with a
        warning and listed under ``codebooks_missing``.
    inputs
        Input files; each is recorded with its size and SHA-256.

    Returns
    -------
    dict
        ``framing_version``, ``created_utc``, ``python``, ``pandas``, ``model``,
        ``codebooks`` (name → SHA-256), ``codebooks_sha256`` (one hash over all,
        as :func:`framing._codebooks.digest`), ``codebooks_missing`` and
        ``inputs`` (a list of ``{"path", "bytes", "sha256"}``).

    Examples
    --------
    >>> p = provenance(model_info={"model": "m", "weights_sha256": "ab12", "precision": "fp32"},
    ...                codebooks=["markers.yaml"])
    >>> p["model"]["precision"], len(p["codebooks_sha256"])
    ('fp32', 64)
    """
    from framing import __version__

    names = list(_codebooks.available()) if codebooks is None else list(codebooks)
    found, missing = {}, []
    for name in sorted(names, key=str):
        try:
            found[str(name)] = _codebooks.digest(name)
        except FileNotFoundError:
            missing.append(str(name))
    if missing:
        log.warning("codebook(s) not found and left out of the provenance: %s", ", ".join(missing))
    files = []
    for item in inputs:
        path = Path(item)
        if not path.is_file():
            raise FileNotFoundError(
                f"input file {path} does not exist: pass the files the output was made from"
            )
        files.append({"path": str(path), "bytes": path.stat().st_size, "sha256": sha256_file(path)})
    return {
        "framing_version": __version__,
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "model": _model_record(model_info),
        "codebooks": found,
        "codebooks_sha256": _codebooks.digest(*sorted(found)) if found else None,
        "codebooks_missing": missing,
        "inputs": files,
    }


def write_table(df: pd.DataFrame, name: str, *, provenance: Mapping[str, Any],
                folder: str | Path | None = None) -> Path:
    """Write ``df`` to ``<folder>/<name>.parquet`` with its provenance.

    The provenance goes into the Parquet schema metadata (key
    ``framing.provenance``) and into a sidecar ``<name>.provenance.json``.

    Parameters
    ----------
    df
        The table.
    name
        File name without extension (letters, digits, ``_``, ``-``, ``.``).
    provenance
        As from :func:`provenance`.
    folder
        Where to write; default ``data/processed`` of the project.

    Returns
    -------
    pathlib.Path
        The Parquet file written.

    Examples
    --------
    >>> import tempfile
    >>> out = write_table(pd.DataFrame({"x": [1]}), "demo", provenance={"framing_version": "0"},
    ...                   folder=tempfile.mkdtemp())
    >>> out.name, out.with_suffix(".provenance.json").exists()
    ('demo.parquet', True)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not _NAME.match(name):
        raise ValueError(
            f"table name {name!r} must be a plain file name (letters, digits, _ - .), no folders"
        )
    if folder is None:
        from framing.config import paths

        folder = paths().processed
    out_dir = Path(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    record = json.dumps(dict(provenance), indent=2, sort_keys=True, default=str)
    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), METADATA_KEY: record.encode()})
    target = out_dir / f"{name}.parquet"
    pq.write_table(table, target)
    (out_dir / f"{name}.provenance.json").write_text(record + "\n", encoding="utf-8")
    log.info("wrote %s (%d rows) with its provenance", target, len(df))
    return target


def read_provenance(path: str | Path) -> dict[str, Any]:
    """The provenance stored in a Parquet file written by :func:`write_table`.

    Examples
    --------
    >>> import tempfile
    >>> out = write_table(pd.DataFrame({"x": [1]}), "demo", provenance={"framing_version": "0"},
    ...                   folder=tempfile.mkdtemp())
    >>> read_provenance(out)["framing_version"]
    '0'
    """
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    if METADATA_KEY not in meta:
        raise ValueError(f"{path} has no framing provenance: it was not written by framing.write_table")
    return json.loads(meta[METADATA_KEY])
