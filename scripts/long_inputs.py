"""Load, split and score one very long document; print the time and peak memory of each stage.

Usage::

    python scripts/long_inputs.py --mb 50                  # load only
    python scripts/long_inputs.py --mb 2 --split --score   # the whole path on 2 MB

The document is synthetic news-like text (seeded), written to a temporary
folder. Peak memory is the process's maximum resident set size
(``resource.getrusage``), printed as ``peak_rss_mb`` after each stage, with a
JSON summary on the last line.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("the leaders agreed to continue talks about troops on the border and peace in Ukraine "
         "Russia NATO said officials Kremlin Downing Street spokesman security guarantees").split()


def document(n_bytes: int, seed: int = 0) -> str:
    """Paragraphs of 1-8 sentences of 5-25 words, about ``n_bytes`` long."""
    rng = random.Random(seed)
    paras, size = ["A long report"], 0
    while size < n_bytes:
        para = " ".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 25))).capitalize() + "."
                        for _ in range(rng.randint(1, 8)))
        paras.append(para)
        size += len(para) + 2
    return "\n\n".join(paras)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50.0, help="document size in megabytes (default 50)")
    ap.add_argument("--split", action="store_true", help="also split into sentences")
    ap.add_argument("--score", action="store_true", help="also score stance (implies --split)")
    args = ap.parse_args(argv)
    import framing

    summary: dict[str, float] = {"mb": args.mb, "baseline_rss_mb": round(peak_rss_mb(), 1)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.txt"
        path.write_text(document(int(args.mb * 1_000_000)), encoding="utf-8")
        t = time.perf_counter()
        docs = framing.load_corpus(path)
        summary.update(load_s=round(time.perf_counter() - t, 1), load_rss_mb=round(peak_rss_mb(), 1),
                       chars=len(docs.loc[0, "text"]))
        print(f"load: {summary['load_s']} s, peak_rss_mb {summary['load_rss_mb']}", flush=True)
        if args.split or args.score:
            t = time.perf_counter()
            sents = framing.split_sentences(docs)
            summary.update(split_s=round(time.perf_counter() - t, 1), split_rss_mb=round(peak_rss_mb(), 1),
                           sentences=len(sents))
            print(f"split: {summary['split_s']} s, {len(sents)} sentences, "
                  f"peak_rss_mb {summary['split_rss_mb']}", flush=True)
        if args.score:
            t = time.perf_counter()
            framing.score_stance(sents, cache=False)
            summary.update(score_s=round(time.perf_counter() - t, 1), score_rss_mb=round(peak_rss_mb(), 1))
            print(f"score: {summary['score_s']} s, peak_rss_mb {summary['score_rss_mb']}", flush=True)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
