"""The large run: N benchmark sentences end to end, streamed to Parquet, with its memory curve and figure.

The corpus is written from the benchmark's workload (documents of 25 new
sentences, so the score cache cannot answer them); then, a chunk of 100
documents at a time, the run loads, splits, attributes and scores them for
every default target and frame, appending ``sentences``, ``stance`` and
``frames`` to Parquet files (``framing.quality.bench_stages.large_run``, the
same as ``framing bench --large``). The resident memory of this process is
sampled every second. It reports the wall time, sentences per second and the
peak, writes ``large_run.json`` and ``memory.csv`` (seconds, sentences,
rss_mb) into ``--out``, draws memory over sentences into ``--figure``, and
projects the run to 1,000,000 sentences from this run alone.

Usage::

    .venv/bin/python scripts/large_run.py --n 100000 --out data/interim/large_run \
        --figure docs/scaling_memory.png          # the documented run (about 15 minutes when idle)
    .venv/bin/python scripts/large_run.py --n 2000 --max-wait 0   # a quick check

Run it alone on the machine: it first waits (up to ``--max-wait`` seconds) for
the 1-minute load average to fall below 1.0 and records whether it did.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

import framing
from framing.quality.bench_stages import large_run, large_summary


def figure(result: dict[str, Any], path: Path) -> None:
    """Resident memory over sentences done, with the rate, the peak and the load in the caption."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t, done, rss = zip(*result["samples"], strict=True)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot(done, rss, lw=1.5)
    ax.axhline(2048, color="grey", ls="--", lw=1)
    ax.text(done[-1], 2048, "2 GB", va="bottom", ha="right", color="grey", fontsize=8)
    ax.set(xlabel="sentences done", ylabel="resident memory (MB)", ylim=(0, max(2200, max(rss) * 1.1)))
    q = result["machine"]["quiet"]
    state = "" if q["quiet"] else ", PROVISIONAL: machine not quiet"
    ax.set_title(f"{result['sentences']:,} sentences end to end: {result['rate']} sentences/s, "
                 f"peak {result['peak_rss_mb']:.0f} MB\n(load {q['loadavg'][0]:.1f} at start{state})",
                 fontsize=9)  # fmt: skip
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000, help="benchmark sentences (default 100000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--docs-per-chunk", type=int, default=100)
    p.add_argument("--out", default=None,
                   help="folder for the corpus, cache, tables, JSON and CSV (default: a temporary folder)")
    p.add_argument("--figure", default=None, help="write the memory-over-sentences figure here (PNG)")
    p.add_argument("--max-wait", type=float, default=600.0, help="seconds to wait for a quiet machine")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="framing-large-"))
    log = logging.getLogger("large_run")
    result = large_run(args.n, folder=out, seed=args.seed, settings=framing.Settings.from_env(),
                       docs_per_chunk=args.docs_per_chunk, max_wait=args.max_wait,
                       progress=lambda done: log.info("%d sentences done", done))  # fmt: skip
    (out / "large_run.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(large_summary(result))
    print(f"wrote {out / 'large_run.json'}")
    if args.figure:
        figure(result, Path(args.figure))
        print(f"wrote {args.figure}")


if __name__ == "__main__":
    main()
