"""Fit the logistic stance and frame heads on a labelled file, once, and save them for every later process.

:func:`train_heads` is what ``framing train`` runs: it fits both heads of an
encoder on a training CSV (``text``, one column per target with ``favor``,
``against`` or ``none``, ``frame`` and optionally ``frames``) plus the
codebooks' own sentences, and saves them as safetensors where scoring looks
for them (``heads/`` in the score cache folder, under the key of
:func:`framing.scoring.heads_io.head_key`). Scoring with the same training
file and codebooks then loads them instead of fitting.

:func:`ship_heads` does the same for the default model and the shipped
corpus and writes the heads into the package, with their SHA-256 in
``codebooks/heads/manifest.json``: ``make model``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from framing import _codebooks
from framing.config import Settings, resolve_settings
from framing.scoring import _core
from framing.scoring.frames import FRAMES_TASK
from framing.scoring.heads_io import SHIPPED, head_key, save_head
from framing.scoring.models import Encoder, resolve_model
from framing.scoring.stance import STANCE

log = logging.getLogger(__name__)

__all__ = ["ship_heads", "train_heads"]


def train_heads(
    data: str | Path = _core.TRAINING,
    *,
    targets: str | Path = _core.TARGETS,
    frames: str | Path = _core.FRAMES,
    model: _core.ModelArg = None,
    settings: Settings | None = None,
    out: str | Path | None = None,
) -> dict[str, Path]:
    """Fit the stance and frame heads on ``data`` and save them; returns the saved file of each task.

    Parameters
    ----------
    data
        The labelled sentences (shipped name or path to a CSV).
    targets, frames
        The codebooks (shipped names or paths).
    model
        An encoder, a name or folder, or ``None`` for the default.
    settings
        Model, precision, cache folder and device (:class:`framing.Settings`).
    out
        Folder to save the heads in (default: ``heads/`` in the score cache
        folder, where scoring finds them).

    Returns
    -------
    dict
        ``{"stance": path, "frames": path}``.

    Examples
    --------
    >>> paths = train_heads("my/labelled.csv", targets="my/targets.yaml")  # doctest: +SKIP
    >>> sorted(paths)  # doctest: +SKIP
    ['frames', 'stance']
    """
    opts = resolve_settings(settings)
    enc = resolve_model(model, settings=opts)
    if not isinstance(enc, Encoder):
        raise TypeError(f"{enc.name} is an NLI model: it is scored without heads, there is nothing to train")
    folder = Path(out) if out is not None else Path(opts.cache_dir) / "heads"
    saved: dict[str, Path] = {}
    for task, codebook in ((STANCE, targets), (FRAMES_TASK, frames)):
        digest = _codebooks.digest(codebook, data)
        key = head_key(task.what, enc.name, enc.weights_sha256, digest, _core.HEAD_VERSION)
        log.info("fitting the %s head on %s", task.what, data)
        if task.check is not None:
            task.check(str(codebook), str(data))
        head = task.fit(_core.reference_encoder(enc), str(codebook), str(data), opts.cache_dir)
        about = {"model": enc.name, "weights_sha256": enc.weights_sha256, "codebook": str(codebook),
                 "training": str(data), "data_digest": digest, "head_version": _core.HEAD_VERSION}
        saved[task.what] = save_head(head, folder / f"{key}.safetensors", about=about)
        _core._HEADS[key] = head
    return saved


def ship_heads(*, settings: Settings | None = None, folder: Path = SHIPPED) -> dict[str, Any]:
    """Fit the default model's heads on the shipped corpus and write them, hash-pinned, into the package.

    Stale head files in ``folder`` are removed; ``manifest.json`` lists each
    file with its SHA-256.

    Examples
    --------
    >>> ship_heads()  # doctest: +SKIP
    {'stance-…': '…', 'frames-…': '…'}
    """
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.safetensors"):
        old.unlink()
    saved = train_heads(settings=settings, out=folder)
    manifest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(saved.values())}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
