"""The pipeline on a Dask cluster: the same tidy tables, for a corpus larger than one machine.

Documents are spread over partitions of a :mod:`dask.dataframe`, whole
documents per partition, so sentence ids (``"<doc_id>:<n>"``) stay unique and
stable. Each partition goes through the same public steps as
:func:`framing.run_pipeline` — :func:`framing.load_corpus`,
:func:`framing.split_sentences`, :func:`framing.attribute`,
:func:`framing.score_stance`, :func:`framing.score_frames` and
:func:`framing.quotes` — with ``map_partitions``.

The client's :class:`framing.Settings` (model, backend, precision, cache)
travel to the workers as an argument. On each worker a :class:`FramingWorker` plugin

- puts the score cache in a folder on the worker's local disk (by default
  inside the worker's ``local_directory``). The score cache is a SQLite file,
  and SQLite's locking is not safe on shared network file systems (NFS,
  Lustre, SMB): never point the workers' cache at a shared folder;
- loads the model once per worker process and keeps it for every task that
  worker runs.

Results are written as partitioned Parquet (one file per partition, named by
the partition's number, so a task that is re-run after a lost worker replaces
its file rather than adding rows), each file carrying the run's provenance in
its schema metadata, as :func:`framing.write_table` does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from framing.config import Settings, paths, resolve_settings
from framing.loading import manifest_table

try:
    from distributed import WorkerPlugin
except ImportError as err:  # an optional extra
    raise ImportError(
        "framing.distributed needs Dask: `pip install 'framing[dask]'` (or `pip install 'dask[distributed]'`)"
    ) from err

if TYPE_CHECKING:
    import dask.dataframe as dd
    from distributed import Client

log = logging.getLogger(__name__)

PLUGIN_NAME = "framing"
TABLES: tuple[str, ...] = ("docs", "sentences", "quotes", "stance", "frames")
_STR, _INT, _FLOAT = "str", "int64", "float64"
_SCHEMAS: dict[str, dict[str, str]] = {
    "sentences": {
        "doc_id": _STR, "sent_id": _STR, "para": _INT, "n": _INT, "start": _INT, "end": _INT,
        "text": _STR, "is_title": "bool", "speaker": _STR, "source": _STR, "mode": _STR, "cue": _STR,
    },
    "quotes": {
        "quote_id": _STR, "sent_id": _STR, "doc_id": _STR, "start": _INT, "end": _INT, "text": _STR,
        "speaker": _STR, "source": _STR,
    },
    "stance": {
        "sent_id": _STR, "target": _STR, "favor": _FLOAT, "against": _FLOAT, "none": _FLOAT,
        "label": _STR, "score": _FLOAT,
    },
    "frames": {"sent_id": _STR, "frame": _STR, "prob": _FLOAT},
}
_DOC_COLUMNS = ["doc_id", "title", "outlet", "date", "url", "kind", "language", "text", "path"]

# per worker process: the loaded models, the settings the plugin set up, and what this process has done
_MODELS: dict[tuple[str, str, str, str], Any] = {}
_WORKER: dict[str, Settings] = {}
_STATS: Counter[str] = Counter()


# ---------------------------------------------------------------- per worker


def _worker_settings(settings: Settings) -> Settings:
    """``settings`` with the score cache this worker's plugin set up (if any) in place of its own."""
    local = _WORKER.get("settings")
    return settings if local is None else settings.replace(cache=local.cache)


def _worker_model(settings: Settings) -> Any:
    """The model of ``settings``, loaded at most once in this process."""
    key = (settings.model or "", settings.precision, settings.device or "", settings.backend)
    if key not in _MODELS:
        from framing import load_model

        # a CTranslate2 model is converted once into this worker's local cache folder (settings.cache)
        _MODELS[key] = load_model(settings=settings)
        _STATS["model_loads"] += 1
        log.info("worker process %d loaded model %r on %s", os.getpid(), settings.model or "default",
                 _MODELS[key].key["backend"])  # fmt: skip
    return _MODELS[key]


def worker_stats() -> dict[str, int]:
    """What this process has done: ``model_loads`` and tasks per step (``sentences``, ``stance``...).

    Run it on every worker with ``client.run(framing.distributed.worker_stats)``.

    Examples
    --------
    >>> worker_stats().get("model_loads", 0) >= 0
    True
    """
    return {"pid": os.getpid(), **_STATS}


def worker_models() -> list[dict[str, str]]:
    """The key of every model this process has loaded (model, weights hash, backend, compute type...).

    Run it on every worker with ``client.run(framing.distributed.worker_models)``
    to see that the client's backend and precision reached them.

    Examples
    --------
    >>> isinstance(worker_models(), list)
    True
    """
    return [dict(m.key) for m in _MODELS.values()]


def _model_key(settings: Settings) -> dict[str, str]:
    return dict(_worker_model(settings).key)


class FramingWorker(WorkerPlugin):
    """A Dask worker plugin: a local score cache and the model, loaded once per worker.

    Parameters
    ----------
    settings
        The client's :class:`framing.Settings`: the model (a folder must exist
        on every worker), its backend, precision and device. Its ``cache`` is the
        score cache's folder on each worker; it must be on the worker's local
        disk (SQLite is not safe on network file systems). With ``cache``
        ``None``: a ``framing-cache`` folder in the worker's
        ``local_directory``, which is removed with the worker.

    Notes
    -----
    Torch uses one thread per worker, because Dask's nanny starts each worker
    with ``OMP_NUM_THREADS=1`` (the ``distributed.nanny.pre-spawn-environ``
    setting), and CTranslate2 as many as torch. That suits one single-threaded
    worker per core; for one worker with several cores, raise that setting
    instead. On CTranslate2, each worker converts the model once into its
    local cache folder (a second or two), then loads it from there.

    Examples
    --------
    >>> from framing import Settings
    >>> plugin = FramingWorker(Settings(cache="/tmp/framing-cache"))
    >>> plugin.name
    'framing'
    """

    name = PLUGIN_NAME

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings if settings is not None else Settings()

    def setup(self, worker: Any) -> None:
        """Create the worker's score cache folder and load the model."""
        folder = self.settings.cache or Path(worker.local_directory) / "framing-cache"
        Path(folder).mkdir(parents=True, exist_ok=True)
        _WORKER["settings"] = self.settings.replace(cache=folder)
        _worker_model(_WORKER["settings"])


# ---------------------------------------------------------------- partitions


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _SCHEMAS[name].items()})


def _conform(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """``df`` with the columns and dtypes every partition of table ``name`` shares."""
    schema = _SCHEMAS[name]
    if set(df.columns) != set(schema):
        raise RuntimeError(
            f"the {name} step returned columns {list(df.columns)}, but framing.distributed writes "
            f"{list(schema)}: update _SCHEMAS in framing/distributed.py to the step's new columns"
        )
    return df[list(schema)].astype(schema).reset_index(drop=True)


def _docs_meta(extra: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_STR) for c in [*_DOC_COLUMNS, *extra]})


def _conform_docs(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = df.reindex(columns=columns)
    return out.astype(dict.fromkeys(columns, _STR)).reset_index(drop=True)


def _load_rows(rows: list[dict[str, str]], names: list[str]) -> pd.DataFrame:
    """Documents of some manifest rows (``path`` absolute), read on a worker."""
    from framing import load_corpus

    with tempfile.TemporaryDirectory(prefix="framing-manifest-") as tmp:
        manifest = Path(tmp) / "sources.csv"
        pd.DataFrame(rows).to_csv(manifest, index=False)
        docs = load_corpus(manifest)
    _STATS["load"] += 1
    return _conform_docs(docs, names)


def _sentences_partition(docs: pd.DataFrame) -> pd.DataFrame:
    from framing import attribute, split_sentences

    _STATS["sentences"] += 1
    if docs.empty:
        return _empty("sentences")
    return _conform(attribute(split_sentences(docs), docs=docs), "sentences")


def _quotes_partition(sentences: pd.DataFrame) -> pd.DataFrame:
    from framing import quotes

    _STATS["quotes"] += 1
    if sentences.empty:
        return _empty("quotes")
    return _conform(quotes(sentences), "quotes")


def _stance_partition(sentences: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    from framing import score_stance

    _STATS["stance"] += 1
    if sentences.empty:
        return _empty("stance")
    opts = _worker_settings(settings)
    return _conform(score_stance(sentences, model=_worker_model(opts), settings=opts), "stance")


def _frames_partition(sentences: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    from framing import score_frames

    _STATS["frames"] += 1
    if sentences.empty:
        return _empty("frames")
    opts = _worker_settings(settings)
    return _conform(score_frames(sentences, model=_worker_model(opts), settings=opts), "frames")


# ---------------------------------------------------------------- documents


def documents(
    source: str | Path | pd.DataFrame | dd.DataFrame | None = None, *, partition_size: int = 100
) -> dd.DataFrame:
    """Documents as a dask DataFrame, whole documents per partition, in manifest order.

    Parameters
    ----------
    source
        A manifest (its files are read on the workers, ``partition_size``
        rows per partition), anything else :func:`framing.load_corpus` takes
        (read here, then partitioned), a pandas table of documents, or a
        dask DataFrame with ``doc_id`` and ``text`` (used as it is; each
        ``doc_id`` must sit in one partition). Default ``data/raw/sources.csv``.
    partition_size
        Documents per partition.

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :func:`framing.load_corpus`, all strings.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": ["One.", "Two.", "Three."]})
    >>> documents(docs, partition_size=2).npartitions
    2
    """
    import dask.dataframe as dd

    if partition_size < 1:
        raise ValueError(f"partition_size must be at least 1, got {partition_size}")
    if isinstance(source, dd.DataFrame):
        missing = {"doc_id", "text"} - set(source.columns)
        if missing:
            raise ValueError(f"the documents need columns doc_id and text (missing: {sorted(missing)})")
        return source
    if isinstance(source, pd.DataFrame):
        docs = source
    else:
        src = Path(source) if source is not None else paths().manifest
        is_csv = src.is_file() and src.suffix.lower() == ".csv"
        manifest = manifest_table(src, stacklevel=4) if is_csv else None
        if manifest is not None:
            extra = [c for c in manifest.columns if c not in (*_DOC_COLUMNS, "id")]
            columns = [*_DOC_COLUMNS, *extra]
            records = manifest.to_dict("records")
            chunks = [records[i : i + partition_size] for i in range(0, len(records), partition_size)]
            return dd.from_map(
                _load_rows, chunks, names=columns, meta=_docs_meta(extra), enforce_metadata=False,
                label="framing-load",
            )
        from framing import load_corpus

        docs = load_corpus(src)
    extra = [c for c in docs.columns if c not in _DOC_COLUMNS]
    docs = _conform_docs(docs, [*_DOC_COLUMNS, *extra])
    nparts = max(1, math.ceil(len(docs) / partition_size))
    return dd.from_pandas(docs, npartitions=nparts, sort=False)


# ---------------------------------------------------------------- the pipeline


def pipeline_frames(docs: dd.DataFrame, *, settings: Settings | None = None) -> dict[str, dd.DataFrame]:
    """The lazy tables of the pipeline, one ``map_partitions`` step each.

    Parameters
    ----------
    docs
        Documents, as from :func:`documents`.
    settings
        Model, backend, precision, cache and device (:class:`framing.Settings`);
        default :meth:`framing.Settings.from_env`.

    Returns
    -------
    dict of dask.dataframe.DataFrame
        ``docs``, ``sentences`` (with attribution), ``quotes``, ``stance``
        and ``frames``, nothing computed yet.

    Examples
    --------
    >>> import pandas as pd
    >>> frames = pipeline_frames(documents(pd.DataFrame({"doc_id": ["a"], "text": ["Talks."]})))
    >>> list(frames["stance"].columns)
    ['sent_id', 'target', 'favor', 'against', 'none', 'label', 'score']
    """
    opts = resolve_settings(settings)
    sentences = docs.map_partitions(_sentences_partition, meta=_empty("sentences"), token="framing-sentences")
    return {
        "docs": docs,
        "sentences": sentences,
        "quotes": sentences.map_partitions(_quotes_partition, meta=_empty("quotes"), token="framing-quotes"),
        "stance": sentences.map_partitions(
            _stance_partition, opts, meta=_empty("stance"), token="framing-stance"
        ),
        "frames": sentences.map_partitions(
            _frames_partition, opts, meta=_empty("frames"), token="framing-frames"
        ),
    }


@dataclass
class DaskRun:
    """What a run on Dask wrote: one folder of Parquet files per table, and its provenance."""

    written: dict[str, Path]
    provenance: dict[str, Any] = field(default_factory=dict)
    partitions: int = 0

    def read(self, name: str) -> pd.DataFrame:
        """One written table, read into pandas (all its partitions)."""
        if name not in self.written:
            raise KeyError(f"no table {name!r}: this run wrote {', '.join(self.written)}")
        return pd.read_parquet(self.written[name])


@contextlib.contextmanager
def _connected(client: Client | str | None) -> Iterator[Client]:
    from distributed import Client, get_client

    if isinstance(client, str):
        with Client(client) as c:
            yield c
        return
    if client is not None:
        yield client
        return
    try:
        yield get_client()
    except ValueError:
        raise ValueError(
            "no Dask client: pass client= (a distributed.Client or a scheduler address such as "
            "'tcp://host:8786'), or start one with framing.distributed.local_client(n_workers=2)"
        ) from None


@contextlib.contextmanager
def local_client(n_workers: int = 2, *, threads_per_worker: int = 1) -> Iterator[Client]:
    """A Dask client on a cluster of worker processes on this machine.

    Examples
    --------
    >>> with local_client(2) as client:  # doctest: +SKIP
    ...     run_pipeline_dask(client=client)
    """
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=n_workers, threads_per_worker=threads_per_worker, processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _inputs(source: Any) -> list[Path]:
    """Input files for the provenance: the manifest and the files it lists, or the files read."""
    if source is None:
        source = paths().manifest
    if not isinstance(source, str | Path):
        paths_col = getattr(source, "columns", ())
        if isinstance(source, pd.DataFrame) and "path" in paths_col:
            return [Path(p) for p in source["path"].dropna().unique() if Path(p).is_file()]
        return []
    src = Path(source)
    manifest = manifest_table(src, stacklevel=4) if src.is_file() and src.suffix.lower() == ".csv" else None
    if manifest is not None:
        return [src, *(Path(p) for p in manifest["path"] if Path(p).is_file())]
    if src.is_dir():
        return sorted(p for p in src.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [src] if src.is_file() else []


def run_pipeline_dask(
    source: str | Path | pd.DataFrame | dd.DataFrame | None = None,
    *,
    client: Client | str | None = None,
    model: str | os.PathLike[str] | None = None,
    partition_size: int = 100,
    folder: str | Path | None = None,
    cache_dir: str | None = None,
    settings: Settings | None = None,
) -> DaskRun:
    """Load, split, attribute and score a corpus on a Dask cluster; write partitioned Parquet.

    The tables equal :func:`framing.run_pipeline`'s row for row; each is a
    folder of Parquet files, one per partition.

    Parameters
    ----------
    source
        What :func:`documents` takes; default ``data/raw/sources.csv``.
    client
        A ``distributed.Client``, a scheduler address (``"tcp://host:8786"``),
        or ``None`` for the current client.
    model
        Model name or folder; default ``settings.model``, else the
        embedded model. A folder must exist on every worker.
    partition_size
        Documents per partition: large enough that a task runs for seconds,
        small enough that a lost worker costs little.
    folder
        Where to write; default ``data/processed/partitioned``. Each table's
        folder (``<folder>/sentences/`` ...) is replaced.
    cache_dir
        Score cache folder on each worker's local disk; default a folder in
        the worker's ``local_directory`` (see :class:`FramingWorker`). The
        client's own cache folder (``settings.cache``) is not used on the
        workers, since it may not be on their local disk.
    settings
        Model, backend, precision and device for every worker (:class:`framing.Settings`);
        default :meth:`framing.Settings.from_env` on the client.

    Returns
    -------
    DaskRun
        ``written`` (table name to folder), ``provenance`` and ``partitions``;
        ``run.read("stance")`` reads a table into pandas.

    Examples
    --------
    >>> from framing.distributed import local_client, run_pipeline_dask
    >>> with local_client(2) as client:  # doctest: +SKIP
    ...     run = run_pipeline_dask("data/raw/sources.csv", client=client, partition_size=50)
    >>> run.read("stance").groupby("target")["score"].mean()  # doctest: +SKIP
    """
    import dask

    from framing import provenance
    from framing._provenance import METADATA_KEY

    opts = resolve_settings(settings)
    opts = opts.replace(model=str(model) if model is not None else opts.model, cache=cache_dir)
    name = opts.model or ""
    out = Path(folder) if folder is not None else paths().processed / "partitioned"
    with _connected(client) as c:
        # the client's settings (model, backend, precision, device) hold on every worker
        c.register_plugin(FramingWorker(opts), name=PLUGIN_NAME)
        keys = c.run(_model_key, opts)
        distinct = {json.dumps(k, sort_keys=True) for k in keys.values()}
        if len(distinct) != 1:
            raise RuntimeError(
                f"the workers loaded different models for {name or 'the default'!r}: {sorted(distinct)}; "
                "install the same model (same weights) and the same ctranslate2 on every worker"
            )
        docs = documents(source, partition_size=partition_size)
        tables = pipeline_frames(docs, settings=opts)
        prov = provenance(model_info=next(iter(keys.values())), inputs=_inputs(source))
        record = json.dumps(prov, indent=2, sort_keys=True, default=str)
        out.mkdir(parents=True, exist_ok=True)
        written = {t: out / t for t in TABLES}
        writes = [
            tables[t].to_parquet(
                written[t], write_index=False, overwrite=True, compute=False,
                custom_metadata={METADATA_KEY: record.encode()},
            )
            for t in TABLES
        ]
        log.info("scoring %d partitions on %d workers", docs.npartitions, len(keys))
        dask.compute(*writes)
    for t in TABLES:
        (out / f"{t}.provenance.json").write_text(record + "\n", encoding="utf-8")
    log.info("wrote %s", ", ".join(str(p) for p in written.values()))
    return DaskRun(written, prov, docs.npartitions)


def read_tables(folder: str | Path | None = None) -> Mapping[str, pd.DataFrame]:
    """Read every table a Dask run wrote under ``folder`` (default ``data/processed/partitioned``).

    Examples
    --------
    >>> read_tables("/nonexistent")
    {}
    """
    base = Path(folder) if folder is not None else paths().processed / "partitioned"
    return {t: pd.read_parquet(base / t) for t in TABLES if (base / t).is_dir()}
