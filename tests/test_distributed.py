"""The pipeline on a Dask LocalCluster of two single-threaded worker processes."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import framing

pytest.importorskip("distributed")

from framing.distributed import (  # noqa: E402
    FramingWorker,
    documents,
    local_client,
    run_pipeline_dask,
    worker_stats,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "rt-2021-12-13-putin-johnson-call.txt"
KEYS = {
    "sentences": ["sent_id"],
    "quotes": ["quote_id", "sent_id"],
    "stance": ["sent_id", "target"],
    "frames": ["sent_id", "frame"],
}


def _corpus(folder: Path) -> Path:
    """A manifest of five short documents: the seed article and four made of labelled sentences."""
    gold = pd.read_csv(ROOT / "data" / "labelled" / "batches" / "taiwan_strait.csv")["text"].tolist()
    rows = []
    for i in range(4):
        body = " ".join(gold[i * 3 : (i + 1) * 3])
        (folder / f"d{i}.txt").write_text(f"Report {i}\n\n{body}\n", encoding="utf-8")
        rows.append({"doc_id": f"d{i}", "path": f"d{i}.txt", "outlet": f"Outlet {i % 2}"})
    shutil.copy(SEED, folder / "seed.txt")
    rows.append({"doc_id": "seed", "path": "seed.txt", "outlet": "RT"})
    pd.DataFrame(rows).to_csv(folder / "sources.csv", index=False)
    return folder / "sources.csv"


def _tidy(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = df.sort_values(keys, kind="stable").reset_index(drop=True)
    return out.astype({c: object for c in out.columns if out[c].dtype.kind not in "biuf"})


def _assert_same(got: pd.DataFrame, want: pd.DataFrame, name: str) -> None:
    assert list(got.columns) == list(want.columns), name
    pd.testing.assert_frame_equal(
        # a worker that refits its heads on embeddings computed in other batches than the
        # single-machine run's differs by float32 rounding, a few units in the sixth decimal
        _tidy(got, KEYS[name]), _tidy(want, KEYS[name]), check_dtype=False, atol=1e-5, rtol=0
    )


@contextlib.contextmanager
def _cache_at(folder: Path) -> Iterator[None]:
    """``FRAMING_CACHE`` set to ``folder`` for this process, for the length of a module fixture."""
    old = os.environ.get("FRAMING_CACHE")
    os.environ["FRAMING_CACHE"] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("FRAMING_CACHE")
        else:
            os.environ["FRAMING_CACHE"] = old


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A score cache holding the heads' training embeddings and nothing of the test corpus."""
    folder = tmp_path_factory.mktemp("warm-cache")
    with _cache_at(folder):
        framing.score_stance(["An unrelated sentence about the weather."])
        framing.score_frames(["An unrelated sentence about the weather."])
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def single(
    corpus: Path, warm_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> framing.pipeline.Tables:
    own = tmp_path_factory.mktemp("single-cache")
    shutil.copytree(warm_cache, own, dirs_exist_ok=True)
    with _cache_at(own):
        return framing.run_pipeline(corpus, write=False)


@pytest.fixture(scope="module")
def client():
    with local_client(2, threads_per_worker=1) as c:
        yield c


def _copy_cache(warm: Path, tmp: Path) -> str:
    shutil.copytree(warm, tmp, dirs_exist_ok=True)
    return str(tmp)


@pytest.mark.parametrize(
    ("n_docs", "partition_size", "expected"),
    [(5, 2, 3), (5, 5, 1), (5, 1, 5), (1, 100, 1)],
)
def test_documents_are_partitioned_whole(n_docs: int, partition_size: int, expected: int) -> None:
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n_docs)], "text": ["Talks."] * n_docs})
    ddf = documents(docs, partition_size=partition_size)
    assert ddf.npartitions == expected
    parts = [set(ddf.get_partition(i).compute()["doc_id"]) for i in range(ddf.npartitions)]
    assert sorted(d for p in parts for d in p) == sorted(docs["doc_id"])
    assert sum(len(p) for p in parts) == n_docs


def test_manifest_rows_are_read_in_partitions(corpus: Path) -> None:
    ddf = documents(corpus, partition_size=2)
    assert ddf.npartitions == 3
    got = ddf.compute(scheduler="sync")
    want = framing.load_corpus(corpus)
    assert got["doc_id"].tolist() == want["doc_id"].tolist()
    assert got["text"].tolist() == want["text"].tolist()
    assert got["outlet"].tolist() == want["outlet"].tolist()


@pytest.mark.slow
def test_plugin_puts_the_cache_in_the_worker_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRAMING_CACHE", "/somewhere/shared")

    class Worker:
        local_directory = str(tmp_path)

    from framing import distributed

    FramingWorker().setup(Worker())
    # the worker's settings point at its local folder; the process environment is left alone
    assert distributed._WORKER["settings"].cache == tmp_path / "framing-cache"
    assert os.environ["FRAMING_CACHE"] == "/somewhere/shared"
    assert (tmp_path / "framing-cache").is_dir()


@pytest.mark.slow
def test_dask_tables_equal_the_single_machine_tables(
    client, corpus: Path, single: framing.pipeline.Tables, warm_cache: Path, tmp_path: Path
) -> None:
    cache = _copy_cache(warm_cache, tmp_path / "cache")
    run = run_pipeline_dask(corpus, client=client, partition_size=2, folder=tmp_path / "out", cache_dir=cache)
    assert run.partitions == 3
    # one file per partition, provenance in each
    assert len(list((tmp_path / "out" / "stance").glob("*.parquet"))) == 3
    part = next((tmp_path / "out" / "sentences").glob("*.parquet"))
    model = framing.read_provenance(part)["model"]
    assert model["weights_sha256"] == single.provenance["model"]["weights_sha256"]
    for name in KEYS:
        _assert_same(run.read(name), getattr(single, name), name)
    assert run.read("docs")["doc_id"].tolist() == single.docs["doc_id"].tolist()

    stats = client.run(worker_stats)
    assert len(stats) == 2
    # the model is loaded once per worker process, though each ran several partitions' tasks
    assert all(s.get("model_loads") == 1 for s in stats.values())
    assert sum(s.get("stance", 0) for s in stats.values()) == 3
    assert max(s.get("stance", 0) + s.get("frames", 0) for s in stats.values()) >= 2
    # the sentences of each partition are made once, not once per table that needs them
    assert sum(s.get("sentences", 0) for s in stats.values()) == 3


@pytest.mark.slow
def test_a_killed_worker_loses_and_duplicates_no_rows(
    client, corpus: Path, single: framing.pipeline.Tables, warm_cache: Path, tmp_path: Path
) -> None:
    import dask.dataframe as dd

    marker = tmp_path / "killed"
    docs = single.docs
    chunks = [docs.iloc[0:2], docs.iloc[2:4], docs.iloc[4:5]]
    before = {s["pid"] for s in client.run(worker_stats).values()}

    def load(chunk: pd.DataFrame, index: int) -> pd.DataFrame:
        if index == 2 and not marker.exists():
            marker.touch()
            os._exit(1)  # the worker process dies in the middle of the run
        return chunk

    ddf = dd.from_map(load, chunks, [0, 1, 2], meta=docs.iloc[:0], enforce_metadata=False)
    cache = _copy_cache(warm_cache, tmp_path / "cache")
    run = run_pipeline_dask(ddf, client=client, folder=tmp_path / "out", cache_dir=cache)

    assert marker.exists()
    after = {s["pid"] for s in client.run(worker_stats).values()}
    assert len(after) == 2 and after != before  # one worker was replaced
    for name in KEYS:
        got = run.read(name)
        assert not got.duplicated(KEYS[name]).any(), name
        _assert_same(got, getattr(single, name), name)


@pytest.mark.parametrize(
    "argv",
    [
        ["--dask-workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
        ["--dask-workers", "2", "--stance-out", "x.csv"],
        ["--scheduler", "tcp://127.0.0.1:1", "--frames-out", "x.csv"],
    ],
)
def test_cli_refuses_options_that_do_not_go_together(argv: list[str], corpus: Path) -> None:
    from framing.cli import main

    assert main(["score", str(corpus), *argv]) == 2


@pytest.mark.slow
def test_cli_scores_a_corpus_on_an_existing_scheduler(
    client, corpus: Path, single: framing.pipeline.Tables, warm_cache: Path, tmp_path: Path
) -> None:
    from framing.cli import main

    cache = _copy_cache(warm_cache, tmp_path / "cache")
    argv = ["score", str(corpus), "--scheduler", client.scheduler.address, "--partition-size", "2",
            "--out", str(tmp_path / "out"), "--cache-dir", cache]
    assert main(argv) == 0
    _assert_same(pd.read_parquet(tmp_path / "out" / "stance"), single.stance, "stance")
    _assert_same(pd.read_parquet(tmp_path / "out" / "frames"), single.frames, "frames")


@pytest.mark.parametrize(("backend", "compute_type"), [("ctranslate2", "int8_float32"), ("torch", "fp32")])
def test_the_plugin_loads_the_model_on_the_settings_backend(
    model_dirs: dict[str, Path], tmp_path: Path, backend: str, compute_type: str
) -> None:
    from framing import distributed

    class Worker:
        local_directory = str(tmp_path)

    settings = framing.Settings(model=str(model_dirs["encoder"]), backend=backend)  # type: ignore[arg-type]
    FramingWorker(settings).setup(Worker())
    keys = [k for k in distributed.worker_models() if k["model"] == str(model_dirs["encoder"])]
    assert (backend, compute_type) in {(k["backend"], k["compute_type"]) for k in keys}
    if backend == "ctranslate2":  # converted into the worker's local cache folder
        assert list((tmp_path / "framing-cache" / "ctranslate2").glob("*/model.bin"))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_the_backend_reaches_every_dask_worker(
    client, model_dirs: dict[str, Path], tmp_path: Path, backend: str
) -> None:
    from framing.distributed import PLUGIN_NAME, worker_models

    settings = framing.Settings(model=str(model_dirs["encoder"]), backend=backend,  # type: ignore[arg-type]
                                cache=tmp_path / "cache")  # fmt: skip
    client.register_plugin(FramingWorker(settings), name=PLUGIN_NAME)
    per_worker = client.run(worker_models)
    assert len(per_worker) == 2
    for keys in per_worker.values():
        mine = [k for k in keys if k["model"] == str(model_dirs["encoder"]) and k["backend"] == backend]
        assert mine, keys
