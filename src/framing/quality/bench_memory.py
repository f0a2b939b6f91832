"""The benchmark's memory run: a streamed scoring of the workload, in a child process.

The child is ``framing --precision <p> --backend <b> bench --memory-child``; it calls
:func:`memory_run` and prints its result as one JSON line, so the peak
resident memory is that of the run alone (sampled every second from
``/proc/self/statm``: a child's ``getrusage`` peak would include its parent's).

Examples
--------
>>> from framing.quality.bench_memory import memory_run
>>> memory_run(20, chunk_size=10, seed=0)["sentences"]  # doctest: +SKIP
20
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from framing.config import Settings, resolve_settings
from framing.quality.bench_quiet import MemorySampler, rss_mb
from framing.quality.bench_workload import workload


@contextlib.contextmanager
def fresh_cache(settings: Settings) -> Iterator[Settings]:
    """``settings`` with an empty temporary score cache, removed after the block.

    Parameters
    ----------
    settings
        The settings to copy; only ``cache`` changes.

    Yields
    ------
    Settings
        The copy, whose ``cache`` is the temporary folder.

    Examples
    --------
    >>> from framing import Settings
    >>> with fresh_cache(Settings(precision="int8")) as s:
    ...     s.precision, s.cache_dir.name.startswith("framing-bench-")
    ('int8', True)
    """
    with tempfile.TemporaryDirectory(prefix="framing-bench-") as tmp:
        yield settings.replace(cache=tmp)


def memory_run(
    n: int,
    *,
    chunk_size: int,
    seed: int,
    log_every: int = 1,
    progress: Callable[[int, float], None] | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Score ``n`` workload sentences streamed in chunks to Parquet files, and measure peak memory.

    Parameters
    ----------
    n
        Workload sentences (:func:`workload`).
    chunk_size
        Sentences scored at once (:func:`framing.scoring.streaming.score_chunks`).
    seed
        Seed of the workload.
    log_every
        Call ``progress`` after every ``log_every`` chunks.
    progress
        Called with the sentences done so far and the peak resident memory in
        MB; ``framing bench`` prints these as JSON lines.
    settings
        Model, backend, precision and device (:class:`framing.Settings`); the
        score cache is a temporary folder whatever ``settings.cache`` says.

    Returns
    -------
    dict
        ``sentences``, ``seconds``, ``rate``, ``peak_rss_mb``, ``chunk_size``,
        ``backend``, ``precision``, ``trace`` (the progress points) and a ``note``.

    Examples
    --------
    >>> memory_run(20, chunk_size=10, seed=0)["sentences"]  # doctest: +SKIP
    20
    """
    from framing.scoring.models import load_model
    from framing.scoring.streaming import score_chunks

    opts = resolve_settings(settings)
    trace: list[tuple[int, float]] = []
    t0 = time.perf_counter()
    # sampled, not getrusage: a child started by fork and exec inherits its parent's ru_maxrss
    with MemorySampler(every=1.0) as mem:
        model = load_model(settings=opts)
        with fresh_cache(opts) as fresh:
            chunks = score_chunks(workload(n, seed=seed), model=model, chunk_size=chunk_size, settings=fresh)
            for done, _ in _write_chunks(chunks, fresh.cache_dir, log_every=log_every):
                trace.append((done, round(max(mem.peak, rss_mb()), 1)))
                if progress is not None:
                    progress(*trace[-1])
    return {
        "sentences": n,
        "seconds": [time.perf_counter() - t0],
        "rate": n / (time.perf_counter() - t0),
        "peak_rss_mb": round(mem.peak, 1),
        "chunk_size": chunk_size,
        "backend": model.key["backend"],
        "precision": model.key["precision"],
        "trace": trace,
        "note": "rate includes loading the model and fitting the heads",
    }


def _write_chunks(
    chunks: Iterator[tuple[Any, Any]], folder: Path, *, log_every: int
) -> Iterator[tuple[int, float]]:
    """Append each chunk's tables to Parquet files in ``folder``; yield (sentences done, resident MB)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writers: dict[str, Any] = {}
    done = 0
    try:
        for i, (stance, frames) in enumerate(chunks):
            for name, table in (("stance", stance), ("frames", frames)):
                t = pa.Table.from_pandas(table, preserve_index=False)
                if name not in writers:
                    writers[name] = pq.ParquetWriter(folder / f"{name}.parquet", t.schema)
                writers[name].write_table(t)
            done += len(frames) // max(1, frames["frame"].nunique())
            if i % log_every == 0:
                yield done, round(rss_mb(), 1)
    finally:
        for w in writers.values():
            w.close()


def _child_env(settings: Settings) -> dict[str, str]:
    """This process's environment with ``settings``'s model and device, for a child process."""
    env = dict(os.environ)
    for name, value in (("FRAMING_MODEL", settings.model), ("FRAMING_DEVICE", settings.device)):
        if value is not None:
            env[name] = str(value)
    return env


def memory_in_child(
    n: int, *, chunk_size: int, seed: int, settings: Settings | None = None
) -> dict[str, Any]:
    """:func:`memory_run` in a child process (``framing --precision <p> --backend <b> bench --memory-child``).

    Parameters
    ----------
    n, chunk_size, seed
        As for :func:`memory_run`.
    settings
        Backend and precision, as the child's flags; model and device, through
        its environment (``FRAMING_MODEL``, ``FRAMING_DEVICE``); this process's
        environment is not changed.

    Returns
    -------
    dict
        What :func:`memory_run` returned in the child.

    Raises
    ------
    RuntimeError
        With the end of the child's error output when it fails.

    Examples
    --------
    >>> memory_in_child(20, chunk_size=10, seed=0)["peak_rss_mb"]  # doctest: +SKIP
    812.4
    """
    opts = resolve_settings(settings)
    cmd = [
        sys.executable, "-m", "framing.cli", "--precision", opts.precision, "--backend", opts.backend,
        "bench", "--memory-child", "--n", str(n), "--chunk-size", str(chunk_size), "--seed", str(seed),
    ]  # fmt: skip
    env = _child_env(opts)
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"the memory run failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
