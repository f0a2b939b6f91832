"""The whole pipeline measured: the rate of each stage, and a large streamed run with its memory curve.

``framing bench --stages`` (:func:`stages`) writes a corpus of documents made
of benchmark sentences (:func:`write_corpus`), then times, on one machine,
each stage in turn on the previous stage's output:

- ``load``: :func:`framing.load_corpus` of the documents' files;
- ``split``: :func:`framing.split_sentences`;
- ``attribute``: :func:`framing.attribute`;
- ``encode``: :func:`framing.scoring.embed` of every sentence, into an empty
  score cache;
- ``heads``: :func:`framing.score_stance` and :func:`framing.score_frames`,
  which find the embeddings of ``encode`` in that cache, so nothing is
  computed twice;

and then ``end_to_end``, all of them in one go into another empty cache. The
model is loaded, the heads fitted and the spaCy pipelines loaded beforehand
and not timed. Every rate is in sentences (after splitting) per second.

``framing bench --large`` (:func:`large_run`) streams a generated corpus
through the same steps, a chunk of documents at a time, appending the
sentences, stance and frames to Parquet files, and samples the process's
resident memory every second (:class:`~framing.quality.bench_quiet.MemorySampler`):
wall time, sentences per second, peak memory and the memory-over-sentences
curve.

Examples
--------
>>> import tempfile
>>> from framing.quality.bench_stages import write_corpus
>>> sources = ["The Kremlin said the talks were frank on Monday.",
...            "Downing Street said the prime minister warned against it."]
>>> paths = write_corpus(6, tempfile.mkdtemp(), per_doc=4, sources=sources)
>>> len(paths)
2
"""

from __future__ import annotations

import logging
import os
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from framing.config import Settings, resolve_settings
from framing.quality.bench_memory import fresh_cache
from framing.quality.bench_quiet import MAX_WAIT, QUIET_LOAD, MemorySampler, wait_for_quiet
from framing.quality.bench_workload import workload

log = logging.getLogger(__name__)

STAGES: tuple[str, ...] = ("load", "split", "attribute", "encode", "heads")
_OUTLETS = ("Outlet A", "Outlet B", "Outlet C")


def write_corpus(n: int, folder: str | Path, *, seed: int = 0, per_doc: int = 25, per_para: int = 4,
                 sources: Sequence[str] | None = None) -> list[Path]:  # fmt: skip
    """Write ``n`` benchmark sentences as text documents of ``per_doc`` sentences; return their paths.

    Each document is a ``.txt`` file whose first line is its title, followed
    by paragraphs of ``per_para`` sentences (:func:`~framing.quality.bench_workload.workload`,
    so the score cache cannot answer them).

    Examples
    --------
    >>> import tempfile
    >>> sources = ["The Kremlin said the talks were frank on Monday.",
    ...            "Downing Street said the prime minister warned against it."]
    >>> p = write_corpus(3, tempfile.mkdtemp(), per_doc=3, sources=sources)
    >>> p[0].read_text().splitlines()[0]
    'Report 0'
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    texts = workload(n, seed=seed, sources=sources)
    paths: list[Path] = []
    while True:
        body = [t for _, t in zip(range(per_doc), texts, strict=False)]
        if not body:
            return paths
        paras = ["  ".join(body[i : i + per_para]) for i in range(0, len(body), per_para)]
        path = folder / f"doc-{len(paths):06d}.txt"
        path.write_text(f"Report {len(paths)}\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
        paths.append(path)


def _score(sentences: Any, model: Any, settings: Settings) -> tuple[Any, Any]:
    from framing.scoring.frames import score_frames
    from framing.scoring.stance import score_stance

    return (score_stance(sentences, model=model, settings=settings),
            score_frames(sentences, model=model, settings=settings))  # fmt: skip


def _steps(paths: Sequence[Path]) -> tuple[Any, Any]:
    """Documents and attributed sentences of ``paths``."""
    from framing.loading.attribution import attribute
    from framing.loading.corpus import load_corpus
    from framing.loading.sentences import split_sentences

    docs = load_corpus([str(p) for p in paths])
    return docs, attribute(split_sentences(docs), docs=docs)


def _warm(paths: Sequence[Path], model: Any, settings: Settings) -> None:
    """Load spaCy's pipelines and fit the heads (on a throw-away cache), before the clock starts."""
    _, sents = _steps(paths[:1])
    with fresh_cache(settings) as fresh:
        _score(sents.head(4), model, fresh)


def _timed_stages(paths: Sequence[Path], model: Any, settings: Settings) -> dict[str, float]:
    """Seconds of each stage, each on the previous one's output."""
    from framing.loading.attribution import attribute
    from framing.loading.corpus import load_corpus
    from framing.loading.sentences import split_sentences
    from framing.scoring import embed

    seconds: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        seconds[name], t = now - t, now

    with fresh_cache(settings) as fresh:
        docs = load_corpus([str(p) for p in paths])
        lap("load")
        sents = split_sentences(docs)
        lap("split")
        sents = attribute(sents, docs=docs)
        lap("attribute")
        embed(model, sents["text"].tolist(), folder=fresh.cache_dir, progress=False)
        lap("encode")
        _score(sents, model, fresh)
        lap("heads")
    seconds["sentences"] = len(sents)
    return seconds


def stages(n: int = 2000, *, seed: int = 0, settings: Settings | None = None,
           folder: str | Path | None = None, max_wait: float = MAX_WAIT,
           quiet_below: float = QUIET_LOAD) -> dict[str, Any]:  # fmt: skip
    """Sentences per second of each stage of the pipeline, and end to end (see the module docstring).

    Parameters
    ----------
    n
        Benchmark sentences to write as documents.
    seed
        Seed of the workload.
    settings
        Model, backend, precision and device (:class:`framing.Settings`); each
        timed run gets its own empty score cache.
    folder
        Where to write the documents (default: a temporary folder).
    max_wait, quiet_below
        Wait at most ``max_wait`` seconds for the 1-minute load average to
        fall below ``quiet_below`` first.

    Returns
    -------
    dict
        ``machine`` (with ``quiet`` and ``loadavg_end``), ``settings``,
        ``model`` (its key), ``documents``, ``sentences``, ``stages`` (per stage
        ``seconds`` and ``rate``), ``sum_of_stages`` and ``end_to_end`` (the
        same fields).

    Examples
    --------
    >>> r = stages(200, max_wait=0)  # doctest: +SKIP
    >>> list(r["stages"])  # doctest: +SKIP
    ['load', 'split', 'attribute', 'encode', 'heads']
    """
    import tempfile

    from framing.quality.bench import machine
    from framing.scoring.models import load_model

    opts = resolve_settings(settings)
    quiet = wait_for_quiet(below=quiet_below, max_wait=max_wait)
    with tempfile.TemporaryDirectory(prefix="framing-stages-") as tmp:
        paths = write_corpus(n, folder or tmp, seed=seed)
        model = load_model(settings=opts)
        _warm(paths, model, opts)
        log.info("stages: %d documents, %d benchmark sentences", len(paths), n)
        sec = _timed_stages(paths, model, opts)
        count = int(sec.pop("sentences"))
        with fresh_cache(opts) as fresh:
            t0 = time.perf_counter()
            _score(_steps(paths)[1], model, fresh)
            e2e = time.perf_counter() - t0

    def row(s: float) -> dict[str, float]:
        return {"seconds": round(s, 3), "rate": round(count / s, 1) if s > 0 else float("inf")}

    return {
        "machine": {**machine(), "quiet": quiet, "loadavg_end": list(os.getloadavg())},
        "settings": {"n": n, "seed": seed, "backend": opts.backend, "precision": opts.precision},
        "model": dict(model.key), "documents": len(paths), "sentences": count,
        "stages": {name: row(sec[name]) for name in STAGES},
        "sum_of_stages": row(sum(sec.values())), "end_to_end": row(e2e),
    }  # fmt: skip


def stages_table(result: dict[str, Any]) -> str:
    """The stages as a plain-text table, with the load at start and end.

    Examples
    --------
    >>> r = {"stages": {"load": {"seconds": 1.0, "rate": 100.0}}, "sum_of_stages": {"seconds": 1.0,
    ...      "rate": 100.0}, "end_to_end": {"seconds": 1.1, "rate": 90.9}, "sentences": 100,
    ...      "documents": 4, "model": {"backend": "ctranslate2", "compute_type": "int8_float32"},
    ...      "machine": {"quiet": {"quiet": True, "loadavg": [0.4]}, "loadavg_end": [0.6]}}
    >>> print(stages_table(r).splitlines()[2])  # doctest: +NORMALIZE_WHITESPACE
    load 1.00 100.0
    """
    lines = [f"{'stage':<14} {'seconds':>9} {'sent/s':>9}", "-" * 34]
    rows = {**result["stages"], "sum of stages": result["sum_of_stages"], "end to end": result["end_to_end"]}
    lines += [f"{k:<14} {v['seconds']:>9.2f} {v['rate']:>9.1f}" for k, v in rows.items()]
    m, q = result["machine"], result["machine"].get("quiet") or {}
    lines.append(f"{result['sentences']} sentences in {result['documents']} documents; "
                 f"{result['model'].get('backend')} {result['model'].get('compute_type')}")  # fmt: skip
    lines.append(f"load average {q.get('loadavg', [0])[0]:.2f} at start, {m['loadavg_end'][0]:.2f} at end"
                 + ("" if q.get("quiet") else ": NOT quiet, the rates are PROVISIONAL"))  # fmt: skip
    return "\n".join(lines)


# ---------------------------------------------------------------- the large run


class _ParquetTables:
    """Parquet files that each chunk's tables are appended to, one schema per table."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.writers = folder, {}

    def append(self, name: str, df: Any) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if name not in self.writers:
            table = pa.Table.from_pandas(df, preserve_index=False)
            self.writers[name] = pq.ParquetWriter(self.folder / f"{name}.parquet", table.schema)
        w = self.writers[name]
        w.write_table(pa.Table.from_pandas(df, schema=w.schema, preserve_index=False))

    def close(self) -> None:
        for w in self.writers.values():
            w.close()


def _chunks(paths: Sequence[Path], size: int) -> Iterator[Sequence[Path]]:
    for i in range(0, len(paths), size):
        yield paths[i : i + size]


def _stream(paths: Sequence[Path], model: Any, settings: Settings, out: Path, docs_per_chunk: int,
            done: list[int], progress: Callable[[int], None] | None) -> None:  # fmt: skip
    """Load, split, attribute and score each chunk of documents, appending the tables to Parquet."""
    tables = _ParquetTables(out)
    try:
        for chunk in _chunks(paths, docs_per_chunk):
            _, sents = _steps(chunk)
            stance, frames = _score(sents, model, settings)
            for name, df in (("sentences", sents), ("stance", stance), ("frames", frames)):
                tables.append(name, df)
            done[0] += len(sents)
            if progress is not None:
                progress(done[0])
    finally:
        tables.close()


def large_run(n: int = 100_000, *, folder: str | Path | None = None, seed: int = 0,
              settings: Settings | None = None, docs_per_chunk: int = 100, sample_every: float = 1.0,
              max_wait: float = MAX_WAIT,
              progress: Callable[[int], None] | None = None) -> dict[str, Any]:  # fmt: skip
    """Stream ``n`` benchmark sentences end to end into Parquet, sampling memory every second.

    Parameters
    ----------
    n
        Benchmark sentences, written as documents of 25 sentences into
        ``folder/corpus`` first (not timed).
    folder
        Where the corpus, the score cache, the Parquet tables (``sentences``,
        ``stance``, ``frames``) and ``memory.csv`` (:func:`write_curve`) go;
        default a new temporary folder, which is kept.
    seed
        Seed of the workload.
    settings
        Model, backend, precision and device; the score cache is
        ``folder/cache``, empty at the start.
    docs_per_chunk
        Documents loaded, split, attributed and scored at once (100 documents
        is about 2,500 sentences).
    sample_every
        Seconds between two memory samples.
    max_wait
        Wait at most this long for a quiet machine first.
    progress
        Called with the sentences done after each chunk.

    Returns
    -------
    dict
        ``sentences``, ``documents``, ``startup_seconds`` (model, heads,
        spaCy), ``seconds`` and ``rate`` of the streamed run,
        ``peak_rss_mb`` (the highest sample) and ``ru_maxrss_mb``,
        ``samples`` (seconds, sentences, rss MB), ``projection_1m``
        (:func:`projection`), ``folder``, ``model``, ``machine``.

    Examples
    --------
    >>> r = large_run(2000, folder="/tmp/large", max_wait=0)  # doctest: +SKIP
    >>> r["peak_rss_mb"] < 2048  # doctest: +SKIP
    True
    """
    import tempfile

    from framing.quality.bench import machine
    from framing.scoring.models import load_model

    base = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="framing-large-"))
    (base / "tables").mkdir(parents=True, exist_ok=True)
    quiet = wait_for_quiet(max_wait=max_wait)
    paths = write_corpus(n, base / "corpus", seed=seed)
    opts = resolve_settings(settings).replace(cache=base / "cache")
    t0 = time.perf_counter()
    model = load_model(settings=opts)
    _warm(paths, model, opts)
    startup = time.perf_counter() - t0
    done = [0]
    with MemorySampler(every=sample_every, progress=lambda: done[0]) as mem:
        _stream(paths, model, opts, base / "tables", docs_per_chunk, done, progress)
    seconds = mem.samples[-1][0]
    result = {
        "sentences": done[0], "documents": len(paths), "benchmark_sentences": n,
        "docs_per_chunk": docs_per_chunk, "startup_seconds": round(startup, 1),
        "seconds": seconds, "rate": round(done[0] / seconds, 1) if seconds else None,
        "peak_rss_mb": round(mem.peak, 1),
        "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "samples": mem.samples, "model": dict(model.key), "folder": str(base),
        "machine": {**machine(), "quiet": quiet, "loadavg_end": list(os.getloadavg())},
    }  # fmt: skip
    result["projection_1m"] = projection(result)
    write_curve(result, base / "memory.csv")
    return result


def projection(result: dict[str, Any], sentences: int = 1_000_000) -> dict[str, Any]:
    """Time and memory of a run of ``sentences``, projected from a measured large run only.

    The time is the measured rate held; the memory is the last sample plus the
    growth per sentence over the second half of the run (a plateau projects
    flat, a leak projects its slope).

    Examples
    --------
    >>> r = {"rate": 125.0, "samples": [(0, 0, 900.0), (1, 50, 1000.0), (2, 100, 1000.0)]}
    >>> projection(r, 1000)
    {'sentences': 1000, 'hours': 0.0, 'peak_rss_mb': 1000.0, 'mb_per_1000_sentences': 0.0}
    """
    s = np.asarray(result["samples"], dtype=float)
    half = s[s[:, 1] >= s[-1, 1] / 2]
    slope = 0.0
    if len(half) >= 2 and half[-1, 1] > half[0, 1]:
        slope = max(0.0, float(np.polyfit(half[:, 1], half[:, 2], 1)[0]))
    peak = float(max(s[:, 2].max(), s[-1, 2] + slope * (sentences - s[-1, 1])))
    return {"sentences": sentences, "hours": round(sentences / result["rate"] / 3600, 2),
            "peak_rss_mb": round(peak, 1), "mb_per_1000_sentences": round(slope * 1000, 3)}  # fmt: skip


def write_curve(result: dict[str, Any], path: str | Path) -> Path:
    """The memory samples of a large run as CSV: ``seconds, sentences, rss_mb``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = write_curve({"samples": [(0.0, 0, 800.0), (1.0, 120, 812.5)]},
    ...                 pathlib.Path(tempfile.mkdtemp()) / "memory.csv")
    >>> f.read_text().splitlines()[2]
    '1.0,120,812.5'
    """
    rows = "".join(f"{t},{k},{m}\n" for t, k, m in result["samples"])
    Path(path).write_text("seconds,sentences,rss_mb\n" + rows, encoding="utf-8")
    return Path(path)


def large_summary(result: dict[str, Any]) -> str:
    """One paragraph on a large run: rate, peak memory, load, and the projection if there is one.

    Examples
    --------
    >>> r = {"sentences": 2000, "seconds": 16.0, "rate": 125.0, "peak_rss_mb": 1100.0,
    ...      "startup_seconds": 5.0, "machine": {"quiet": {"quiet": False, "loadavg": [3.0]},
    ...      "loadavg_end": [3.5]}}
    >>> print(large_summary(r))  # doctest: +NORMALIZE_WHITESPACE
    2000 sentences in 16 s: 125.0 sentences/s, peak resident memory 1100 MB (sampled every second);
    startup 5.0 s; load average 3.00 at start, 3.50 at end: NOT quiet, PROVISIONAL
    """
    q = result["machine"]["quiet"]
    state = "" if q["quiet"] else ": NOT quiet, PROVISIONAL"
    text = (f"{result['sentences']} sentences in {result['seconds']:.0f} s: {result['rate']} sentences/s, "
            f"peak resident memory {result['peak_rss_mb']:.0f} MB (sampled every second);\n"
            f"startup {result['startup_seconds']} s; load average {q['loadavg'][0]:.2f} at start, "
            f"{result['machine']['loadavg_end'][0]:.2f} at end{state}")
    if "folder" in result:
        text += f"\nwrote {result['folder']}/tables/*.parquet and {result['folder']}/memory.csv"
    if "projection_1m" in result:
        pr = result["projection_1m"]
        text += (f"\nprojected from this run to {pr['sentences']:,} sentences: {pr['hours']} h, peak "
                 f"{pr['peak_rss_mb']:.0f} MB (growth {pr['mb_per_1000_sentences']} MB per 1,000 sentences)")
    return text
