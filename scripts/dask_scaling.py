"""Measure how the pipeline scales on Dask, on one machine, in one run.

Three configurations score the same synthetic corpus, each single-threaded
per process so that two cores are not oversubscribed:

1. the single-machine path (:func:`framing.run_pipeline`), 1 torch thread;
2. Dask, 1 worker x 1 thread (:func:`framing.run_pipeline_dask`);
3. Dask, 2 workers x 1 thread each.

The corpus is made of the seed article's and the labelled sentences
(``data/labelled``), each prefixed with a short opener drawn with a fixed
seed so that no two sentences are the same text (the score cache would
otherwise answer repeats). Every configuration starts from a score cache that
holds only the classifier heads' training embeddings, and its model is loaded
and its heads fitted before the clock starts: the times are steady-state
throughput, not start-up.

Usage::

    .venv/bin/python scripts/dask_scaling.py --sentences 1200 --out data/interim/dask_scaling.json
    .venv/bin/python scripts/dask_scaling.py --backend torch ...   # the PyTorch reference instead

The model runs on ``--backend`` (default: ``FRAMING_BACKEND``, then
CTranslate2). The script first waits (up to ``--max-wait`` seconds) for the
1-minute load average to fall below 1.0, and records whether it did.

Dask's statistical profiler samples every worker thread every 10 ms; to measure
without it, set ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch starts: the single-machine path gets 1 thread
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import dask  # noqa: E402
import pandas as pd  # noqa: E402

import framing  # noqa: E402
from framing.distributed import local_client, run_pipeline_dask  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OPENERS = [
    "On Monday,", "On Tuesday,", "On Wednesday,", "On Thursday,", "On Friday,", "Earlier,", "Later,",
    "Meanwhile,", "In Moscow,", "In London,", "In Washington,", "In Brussels,", "In Kyiv,", "In Paris,",
    "In Berlin,", "According to reports,", "Officials said that", "It was reported that", "Once again,",
    "By evening,", "Separately,", "At the talks,", "In a statement,", "In an interview,", "Overnight,",
]
PROJECTED_SENTENCES = 10_000_000
PROJECTED_WORKERS = (1, 8, 32, 128, 512)
#: the backend every configuration runs on (``--backend``; ``None``: the settings' default)
BACKEND: str | None = None


def settings(**kw: object) -> framing.Settings:
    return framing.Settings.from_env(backend=BACKEND, **kw)


def gold_sentences() -> list[str]:
    """The labelled corpus's sentences and the seed's, as the benchmark workload uses them."""
    from framing.quality.bench_workload import source_sentences

    return source_sentences()


def make_corpus(folder: Path, *, n_sentences: int, doc_size: int, seed: int) -> Path:
    """A manifest of documents of ``doc_size`` distinct sentences each."""
    rng = random.Random(seed)
    base = gold_sentences()
    pool = [f"{o} {s[0].lower()}{s[1:]}" for o in OPENERS for s in base]
    if n_sentences > len(pool):
        raise SystemExit(f"at most {len(pool)} distinct sentences can be made; ask for fewer")
    chosen = rng.sample(pool, n_sentences)
    rows = []
    for i in range(0, n_sentences, doc_size):
        doc_id = f"doc{i // doc_size:05d}"
        paras = [" ".join(chosen[j : j + 3]) for j in range(i, min(i + doc_size, n_sentences), 3)]
        (folder / f"{doc_id}.txt").write_text(f"Report {doc_id}\n\n" + "\n\n".join(paras) + "\n", "utf-8")
        rows.append({"doc_id": doc_id, "path": f"{doc_id}.txt", "outlet": f"Outlet {i % 3}"})
    pd.DataFrame(rows).to_csv(folder / "sources.csv", index=False)
    return folder / "sources.csv"


def warm_cache(folder: Path) -> None:
    """A cache with the heads' training embeddings, made by scoring one unrelated sentence."""
    opts = settings(cache=folder)
    framing.score_stance(["A sentence about the weather."], settings=opts)
    framing.score_frames(["A sentence about the weather."], settings=opts)


def fresh_copy(warm: Path, work: Path, name: str) -> str:
    target = work / name
    shutil.copytree(warm, target)
    return str(target)


def _cpu() -> float:
    """CPU seconds (user + system, all threads) this process has used."""
    import psutil  # installed with distributed

    t = psutil.Process().cpu_times()
    return float(t.user + t.system)


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def time_single(manifest: Path, warmup: Path, warm: Path, work: Path) -> tuple[float, float, int, int]:
    """Wall seconds and CPU seconds for the timed run, sentences scored, torch threads."""
    import torch

    torch.set_num_threads(1)
    opts = settings(cache=fresh_copy(warm, work, "cache-single"))
    # model and parsers loaded, heads fitted, on text that is not in the corpus
    framing.run_pipeline(warmup, write=False, settings=opts)
    start, cpu = time.perf_counter(), _cpu()
    tables = framing.run_pipeline(manifest, write=True, folder=work / "out-single", settings=opts)
    wall, cpu = time.perf_counter() - start, _cpu() - cpu
    return wall, cpu, len(tables.sentences), int(torch.get_num_threads())


def _torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


def time_dask(manifest: Path, warmup: Path, warm: Path, work: Path, *, workers: int,
              partition_size: int) -> dict[str, object]:
    """Wall and CPU seconds of the timed run (workers, and this process: client and scheduler),
    seconds to start and warm the cluster, torch threads and memory per worker."""
    t0 = time.perf_counter()
    with local_client(workers, threads_per_worker=1) as client:
        cache = fresh_copy(warm, work, f"cache-dask{workers}")
        # model loaded and heads fitted on every worker, on text that is not in the corpus
        run_pipeline_dask(warmup, client=client, partition_size=1, folder=work / "out-warmup",
                          cache_dir=cache, settings=settings())
        threads = sorted(client.run(_torch_threads).values())
        started = time.perf_counter() - t0
        before, start, here = client.run(_cpu), time.perf_counter(), _cpu()
        run_pipeline_dask(manifest, client=client, partition_size=partition_size,
                          folder=work / f"out-dask{workers}", cache_dir=cache, settings=settings())
        wall, here = time.perf_counter() - start, _cpu() - here
        after = client.run(_cpu)
        return {"wall": wall, "worker_cpu": sum(after[w] - before[w] for w in after), "client_cpu": here,
                "started": started, "threads": threads,
                "worker_rss_mb": sorted(client.run(_rss_mb).values())}


def projection(per_worker: float, efficiency: float) -> list[dict[str, float]]:
    """Hours for the projected corpus on n workers: linear scaling, and at the measured efficiency."""
    rows = []
    for n in PROJECTED_WORKERS:
        linear = PROJECTED_SENTENCES / (per_worker * n) / 3600
        measured = linear / (efficiency if n > 1 else 1.0)
        rows.append({"workers": n, "hours_linear": linear, "core_hours_linear": linear * n,
                     "hours_at_measured_efficiency": measured,
                     "core_hours_at_measured_efficiency": measured * n})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=1500, help="sentences in the corpus")
    parser.add_argument("--doc-size", type=int, default=15, help="sentences per document")
    parser.add_argument("--partition-size", type=int, default=10, help="documents per Dask partition")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", default=str(ROOT / "data" / "interim" / "dask_scaling.json"))
    parser.add_argument("--backend", choices=["torch", "ctranslate2"], default=None,
                        help="the backend of every run (default: FRAMING_BACKEND, then ctranslate2)")
    parser.add_argument("--max-wait", type=float, default=600.0, help="seconds to wait for a quiet machine")
    args = parser.parse_args()
    global BACKEND
    BACKEND = args.backend

    from framing.quality.bench_quiet import wait_for_quiet

    quiet = wait_for_quiet(max_wait=args.max_wait)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="framing-scaling-") as tmp:
        work = Path(tmp)
        (work / "corpus").mkdir()
        (work / "warmup").mkdir()
        manifest = make_corpus(work / "corpus", n_sentences=args.sentences, doc_size=args.doc_size,
                               seed=args.seed)
        warmup = make_corpus(work / "warmup", n_sentences=4, doc_size=2, seed=args.seed + 1)
        (work / "warm").mkdir()
        warm_cache(work / "warm")
        single, single_cpu, n, threads0 = time_single(manifest, warmup, work / "warm", work)
        d1 = time_dask(manifest, warmup, work / "warm", work, workers=1, partition_size=args.partition_size)
        d2 = time_dask(manifest, warmup, work / "warm", work, workers=2, partition_size=args.partition_size)
        dask1, dask2 = float(d1["wall"]), float(d2["wall"])
    load_after = os.getloadavg()

    cpu = {"single, 1 thread": single_cpu,
           "dask, 1 worker x 1 thread": float(d1["worker_cpu"]) + float(d1["client_cpu"]),
           "dask, 2 workers x 1 thread": float(d2["worker_cpu"]) + float(d2["client_cpu"])}
    rates = {"single, 1 thread": n / single, "dask, 1 worker x 1 thread": n / dask1,
             "dask, 2 workers x 1 thread": n / dask2}
    speedup = rates["dask, 2 workers x 1 thread"] / rates["dask, 1 worker x 1 thread"]
    overhead = rates["single, 1 thread"] / rates["dask, 1 worker x 1 thread"]
    per_worker = rates["dask, 1 worker x 1 thread"]
    cores = os.cpu_count() or 1
    provisional = max(load_before[0], load_after[0]) > 0.5 * cores
    result = {
        "sentences": n, "documents": -(-args.sentences // args.doc_size),
        "partition_size": args.partition_size, "seed": args.seed,
        "seconds": {"single, 1 thread": single, "dask, 1 worker x 1 thread": dask1,
                    "dask, 2 workers x 1 thread": dask2},
        "sentences_per_second": rates,
        "ratio_2_vs_1_workers": speedup, "dask_overhead_ratio": overhead,
        "cpu_seconds": cpu,
        "sentences_per_cpu_second": {k: n / v for k, v in cpu.items()},
        "dask_overhead_ratio_cpu": cpu["dask, 1 worker x 1 thread"] / cpu["single, 1 thread"],
        "cluster_start_and_warmup_seconds": {"1 worker": d1["started"], "2 workers": d2["started"]},
        "worker_rss_mb_after_run": {"1 worker": d1["worker_rss_mb"], "2 workers": d2["worker_rss_mb"]},
        "torch_threads": {"single": threads0, "dask 1 worker": d1["threads"],
                          "dask 2 workers": d2["threads"]},
        "loadavg_before": load_before, "loadavg_after": load_after, "cpu_count": cores,
        "provisional": provisional or not quiet["quiet"], "quiet": quiet, "backend": settings().backend,
        "worker_profiler": bool(dask.config.get("distributed.worker.profile.enabled")),
        "projection": {"sentences": PROJECTED_SENTENCES, "per_worker_sentences_per_second": per_worker,
                       "scaling_efficiency": speedup / 2, "rows": projection(per_worker, speedup / 2)},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    print(f"{n} sentences in {result['documents']} documents, {args.partition_size} documents a partition")
    print("| configuration | wall s | sentences/s | CPU s (all processes) | sentences per CPU-s |\n"
          "|---|---:|---:|---:|---:|")
    for name, secs in result["seconds"].items():
        print(f"| {name} | {secs:.1f} | {rates[name]:.1f} | {cpu[name]:.1f} | {n / cpu[name]:.1f} |")
    print(f"\n2 workers vs 1 worker: {speedup:.2f}x (ideal 2.00)")
    print(f"Dask overhead (single-machine rate / Dask 1-worker rate): {overhead:.2f}x (1.00 = none); "
          f"in CPU seconds: {result['dask_overhead_ratio_cpu']:.2f}x")
    print(f"Dask's worker profiler: {'on' if result['worker_profiler'] else 'off'}")
    print(f"worker memory after the run (RSS, MB): {d1['worker_rss_mb']} / {d2['worker_rss_mb']}")
    print(f"backend {result['backend']}; load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
          f"on {cores} cores"
          + ("  -> PROVISIONAL: other work shared the machine" if result["provisional"] else ""))
    print(f"\nprojection: {PROJECTED_SENTENCES:,} sentences at {per_worker:.1f} sentences/s per worker, "
          f"scaling efficiency {speedup / 2:.2f}")
    print("| workers | hours (linear) | core-hours (linear) | cost (linear) | hours at measured efficiency "
          "| cost at measured efficiency |\n|---:|---:|---:|---:|---:|---:|")
    for r in result["projection"]["rows"]:
        print(f"| {r['workers']} | {r['hours_linear']:.1f} | {r['core_hours_linear']:.0f} | "
              f"{r['core_hours_linear']:.0f} x C | {r['hours_at_measured_efficiency']:.1f} | "
              f"{r['core_hours_at_measured_efficiency']:.0f} x C |")
    print("C = your cost per core-hour; one worker = one core")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
