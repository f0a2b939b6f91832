"""Scoring benchmark: the project against the standard pipelines and the encoder's own limit.

Run ``framing bench`` (or ``python -m framing.quality.bench``). In one run it measures,
on N new sentences built from the corpus (so the cache cannot answer them):

- ``project_cold_<precision>``: :func:`score_stance` plus :func:`score_frames`
  for all default targets and frames, with an empty score cache (the heads are
  fitted once beforehand, like loading the model, and not timed);
- ``project_warm_<precision>``: the same again with the cache filled;
- ``pipeline_zero_shot``: ``transformers.pipeline("zero-shot-classification")``
  one sentence at a time, every target's favour and opposition hypotheses and
  every frame's hypothesis as candidate labels, with a MiniLM-L6-sized
  sequence classifier of random weights (the weights do not change the time);
  timed on a subsample and reported per sentence;
- ``pipeline_feature_extraction``: ``pipeline("feature-extraction")`` on the
  default encoder, one sentence at a time (subsample);
- ``limit_<precision>``: the encoder alone, tokenisation included, in
  length-sorted batches;
- ``memory``: peak resident memory of a streamed run over all N sentences, in
  a child process (``resource.getrusage``).

Rates are medians over ``--repeat`` repetitions. The table is printed and
``--json PATH`` writes everything, with the machine and its load average.

Examples
--------
>>> from framing.quality.bench import workload
>>> len(list(workload(3, seed=1)))  # doctest: +SKIP
3
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FRAME_THRESHOLD = 0.5  # a frame counts as present from this probability on
GOALS = {
    "cold_fp32_vs_limit_fp32": 0.9,
    "fastest_batch_independent_vs_limit_fp32": 2.5,
    "label_agreement_of_fastest": 0.98,
    "project_vs_zero_shot": 20.0,
    "warm_vs_cold": 50.0,
    "memory_peak_mb_100k": 2048.0,
}


# ---------------------------------------------------------------- workload


def source_sentences() -> list[str]:
    """Sentences of the corpus (``data/raw``, split by the project) and of the labelled ``data/gold``."""
    import pandas as pd

    from framing.config import paths
    from framing.loading.corpus import load_corpus
    from framing.loading.sentences import split_sentences

    p = paths()
    out: list[str] = []
    with contextlib.suppress(FileNotFoundError, ValueError):
        out += split_sentences(load_corpus(p.raw))["text"].tolist()
    for csv in sorted((p.root / "data" / "gold").glob("*.csv")):
        df = pd.read_csv(csv)
        if "text" in df.columns:
            out += df["text"].dropna().astype(str).tolist()
    out = [s for s in dict.fromkeys(out) if len(s.split()) >= 6]
    if len(out) < 2:
        raise FileNotFoundError(f"no sentences to build a workload from under {p.raw} and data/gold")
    return out


def workload(n: int, *, seed: int = 0, sources: Sequence[str] | None = None) -> Iterator[str]:
    """``n`` new, distinct sentences: the start of one corpus sentence joined to the end of another.

    Lengths (in words) are drawn from the corpus's own sentence lengths, so
    the batches look like real ones; the result is seeded and lazy.
    """
    pool = [s.split() for s in (sources if sources is not None else source_sentences())]
    lengths = np.array([len(w) for w in pool])
    known = {hashlib.blake2b(" ".join(w).encode(), digest_size=8).digest() for w in pool}
    rng = np.random.default_rng(seed)
    made = 0
    while made < n:
        a, b = rng.integers(len(pool), size=2)
        if a == b:
            continue
        want = int(lengths[rng.integers(len(pool))])
        head = int(rng.integers(2, max(3, min(len(pool[a]), want - 1))))
        tail = max(2, min(len(pool[b]) - 1, want - head))
        words = pool[a][:head] + pool[b][-tail:]
        text = " ".join(words)
        key = hashlib.blake2b(text.encode(), digest_size=8).digest()
        if key in known:
            continue
        known.add(key)
        made += 1
        yield text


# ---------------------------------------------------------------- measuring


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class _PeakRSS:
    """Highest resident memory (MB) of this process while the block runs, sampled every 20 ms."""

    def __enter__(self) -> _PeakRSS:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def _time(fn: Callable[[], Any], repeat: int, count: int) -> dict[str, Any]:
    """Median rate of ``fn`` (``count`` sentences each call) over ``repeat`` runs, and its peak RSS."""
    seconds: list[float] = []
    with _PeakRSS() as mem:
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - t0)
    med = statistics.median(seconds)
    return {
        "sentences": count,
        "seconds": seconds,
        "rate": count / med if med > 0 else float("inf"),
        "peak_rss_mb": round(mem.peak, 1),
    }


@contextlib.contextmanager
def _cache_dir(env: dict[str, str] | None = None) -> Iterator[Path]:
    """A temporary empty ``FRAMING_CACHE`` for the block."""
    old = os.environ.get("FRAMING_CACHE")
    with tempfile.TemporaryDirectory(prefix="framing-bench-") as tmp:
        os.environ["FRAMING_CACHE"] = tmp
        try:
            yield Path(tmp)
        finally:
            if old is None:
                os.environ.pop("FRAMING_CACHE", None)
            else:
                os.environ["FRAMING_CACHE"] = old


def _project(texts: list[str], model: Any) -> tuple[Any, Any]:
    from framing.scoring.frames import score_frames
    from framing.scoring.stance import score_stance

    return score_stance(texts, model=model), score_frames(texts, model=model)


def _labels(stance: Any, frames: Any) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities of every sentence–target and sentence–frame pair, in table order."""
    labels = np.concatenate(
        [stance["label"].to_numpy(dtype=str), np.where(frames["prob"] >= FRAME_THRESHOLD, "yes", "no")]
    )
    probs = np.concatenate(
        [stance[["favor", "against", "none"]].to_numpy().ravel(), frames["prob"].to_numpy()]
    )
    return labels, probs


def agreement(reference: tuple[Any, Any], other: tuple[Any, Any]) -> dict[str, float]:
    """Share of identical labels and largest probability difference between two scorings.

    Examples
    --------
    >>> import pandas as pd
    >>> st = pd.DataFrame({"label": ["favor"], "favor": [.6], "against": [.3], "none": [.1]})
    >>> fr = pd.DataFrame({"prob": [0.7]})
    >>> st2 = st.assign(label="none", favor=.3, none=.4)
    >>> agreement((st, fr), (st2, fr))
    {'label_agreement': 0.5, 'max_prob_diff': 0.3, 'pairs': 2}
    """
    la, pa = _labels(*reference)
    lb, pb = _labels(*other)
    return {
        "label_agreement": round(float((la == lb).mean()), 6),
        "max_prob_diff": round(float(np.abs(pa - pb).max()), 6),
        "pairs": int(len(la)),
    }


def batch_difference(model: Any, texts: Sequence[str], *, k: int = 3) -> dict[str, float]:
    """The first ``k`` sentences scored alone and inside two different batches (no cache).

    Returns the share of identical labels and the largest probability difference.
    """
    from framing.scoring.frames import score_frames
    from framing.scoring.stance import score_stance

    def scores(batch: list[str]) -> tuple[Any, Any]:
        st = score_stance(batch, model=model, cache=False)
        fr = score_frames(batch, model=model, cache=False)
        keep_st, keep_fr = st["sent_id"] < k, fr["sent_id"] < k
        return st[keep_st].reset_index(drop=True), fr[keep_fr].reset_index(drop=True)

    import pandas as pd

    parts = [scores([t]) for t in texts[:k]]
    alone = tuple(
        pd.concat([p[i].assign(sent_id=j) for j, p in enumerate(parts)], ignore_index=True) for i in (0, 1)
    )
    first = scores(list(texts))
    second = scores(list(texts[:k]) + list(texts[::-1]))
    a, b = agreement(alone, first), agreement(alone, second)  # type: ignore[arg-type]
    return {
        "label_agreement": min(a["label_agreement"], b["label_agreement"]),
        "max_prob_diff": max(a["max_prob_diff"], b["max_prob_diff"]),
    }


# ---------------------------------------------------------------- the standard pipelines


def _zero_shot_labels() -> list[str]:
    from framing.scoring.frames import load_frames
    from framing.scoring.stance import load_targets

    labels: list[str] = []
    for t in load_targets():
        h = t.get("hypotheses") or {}
        name = t.get("name", t["id"])
        labels += [
            h.get("favor", f"This text supports {name}."),
            h.get("against", f"This text opposes {name}."),
        ]
    labels += [
        str(f.get("hypothesis") or f"This text is about {f.get('name', f['id'])}.") for f in load_frames()
    ]
    return labels


def zero_shot_pipeline() -> Any:
    """``pipeline("zero-shot-classification")`` on a random-weight NLI model of the default encoder's size."""
    import torch
    from transformers import AutoConfig, AutoTokenizer, BertForSequenceClassification, pipeline

    from framing.scoring.models import _quiet_transformers, default_model_path

    path = default_model_path()
    with _quiet_transformers():
        config = AutoConfig.from_pretrained(path, local_files_only=True)
        config.num_labels = 3
        config.id2label = {0: "entailment", 1: "neutral", 2: "contradiction"}
        config.label2id = {v: k for k, v in config.id2label.items()}
        torch.manual_seed(0)
        model = BertForSequenceClassification(config).eval()
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        return pipeline("zero-shot-classification", model=model, tokenizer=tokenizer, device="cpu")


def feature_pipeline() -> Any:
    """``pipeline("feature-extraction")`` on the default encoder."""
    from transformers import pipeline

    from framing.scoring.models import _quiet_transformers, default_model_path

    with _quiet_transformers():
        return pipeline("feature-extraction", model=str(default_model_path()), device="cpu")


# ---------------------------------------------------------------- memory (child process)


def memory_run(n: int, *, precision: str, chunk_size: int, seed: int, log_every: int = 1) -> dict[str, Any]:
    """Score ``n`` workload sentences streamed in chunks to Parquet files; peak RSS in MB."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from framing.scoring.models import load_model
    from framing.scoring.streaming import score_chunks

    model = load_model(precision=precision)  # type: ignore[arg-type]
    trace: list[tuple[int, float]] = []
    done = 0
    t0 = time.perf_counter()
    with _cache_dir() as tmp:
        writers: dict[str, Any] = {}
        for i, (stance, frames) in enumerate(
            score_chunks(workload(n, seed=seed), model=model, chunk_size=chunk_size)
        ):
            for name, table in (("stance", stance), ("frames", frames)):
                t = pa.Table.from_pandas(table, preserve_index=False)
                if name not in writers:
                    writers[name] = pq.ParquetWriter(tmp / f"{name}.parquet", t.schema)
                writers[name].write_table(t)
            done += len(frames) // max(1, frames["frame"].nunique())
            if i % log_every == 0:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                trace.append((done, round(peak, 1)))
                print(
                    json.dumps({"progress": done, "peak_rss_mb": round(peak, 1)}), file=sys.stderr, flush=True
                )
        for w in writers.values():
            w.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "sentences": n,
        "seconds": [time.perf_counter() - t0],
        "rate": n / (time.perf_counter() - t0),
        "peak_rss_mb": round(peak, 1),
        "chunk_size": chunk_size,
        "precision": precision,
        "trace": trace,
        "note": "rate includes loading the model and fitting the heads",
    }


def _memory_in_child(n: int, *, precision: str, chunk_size: int, seed: int) -> dict[str, Any]:
    cmd = [
        sys.executable, "-m", "framing.quality.bench", "--memory-child",
        "--n", str(n), "--precisions", precision, "--chunk-size", str(chunk_size), "--seed", str(seed),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the memory run failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the run


def machine() -> dict[str, Any]:
    """CPU model, cores, library versions and the load average, for the record."""
    import torch
    import transformers

    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
        "loadavg": list(os.getloadavg()),
    }


def run(
    *,
    n: int = 2000,
    repeat: int = 3,
    precisions: Sequence[str] = ("fp32", "bf16", "int8"),
    batch_size: int = 32,
    pipeline_n: int = 100,
    zero_shot_n: int = 20,
    chunk_size: int = 2000,
    seed: int = 0,
    only: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Run the benchmark and return its results (see the module docstring for the variants).

    ``only`` limits the run to some of ``project``, ``pipelines``, ``limit``, ``memory``.
    """
    from framing.scoring.models import load_model

    parts = set(only or ("project", "pipelines", "limit", "memory"))
    texts = list(workload(n, seed=seed))
    result: dict[str, Any] = {
        "machine": machine(),
        "settings": {
            "n": n,
            "repeat": repeat,
            "precisions": list(precisions),
            "batch_size": batch_size,
            "pipeline_n": min(pipeline_n, n),
            "zero_shot_n": min(zero_shot_n, n),
            "chunk_size": chunk_size,
            "seed": seed,
            "parts": sorted(parts),
            "mean_words": round(float(np.mean([len(t.split()) for t in texts])), 1),
        },  # fmt: skip
        "variants": {},
        "agreement": {},
        "batch_difference": {},
    }
    variants = result["variants"]
    outputs: dict[str, tuple[Any, Any]] = {}
    for prec in precisions:
        model = load_model(precision=prec)  # type: ignore[arg-type]
        if "project" in parts:
            with _cache_dir():
                _project(texts[:8], model)  # fits the heads, as a first call would
            with _cache_dir():
                outputs[prec] = _project(texts, model)  # fills the cache for the warm runs
                log.info("project warm, %s", prec)
                variants[f"project_warm_{prec}"] = _time(lambda m=model: _project(texts, m), repeat, n)

            def cold(model: Any = model) -> None:
                with _cache_dir():
                    _project(texts, model)

            log.info("project cold, %s", prec)
            variants[f"project_cold_{prec}"] = _time(cold, repeat, n)
        if "limit" in parts:
            log.info("encoder limit, %s", prec)
            model.encode(texts[:batch_size], batch_size=batch_size, progress=False)
            variants[f"limit_{prec}"] = _time(
                lambda m=model: m.encode(texts, batch_size=batch_size, progress=False), repeat, n
            )
            result["batch_difference"][prec] = batch_difference(model, texts[:24])
    for prec in precisions:
        if prec != "fp32" and prec in outputs and "fp32" in outputs:
            result["agreement"][prec] = agreement(outputs["fp32"], outputs[prec])
    if "pipelines" in parts:
        labels = _zero_shot_labels()
        zs = zero_shot_pipeline()
        sub = texts[: min(zero_shot_n, n)]
        zs(sub[0], candidate_labels=labels, hypothesis_template="{}", multi_label=True)
        log.info("zero-shot pipeline on %d sentences, %d labels", len(sub), len(labels))
        variants["pipeline_zero_shot"] = _time(
            lambda: [zs(t, candidate_labels=labels, hypothesis_template="{}", multi_label=True) for t in sub],
            repeat,
            len(sub),
        )
        variants["pipeline_zero_shot"]["note"] = f"per-sentence rate on a subsample, {len(labels)} labels"
        fe = feature_pipeline()
        sub = texts[: min(pipeline_n, n)]
        fe(sub[0])
        log.info("feature-extraction pipeline on %d sentences", len(sub))
        variants["pipeline_feature_extraction"] = _time(
            lambda: [np.asarray(fe(t)[0]).mean(axis=0) for t in sub], repeat, len(sub)
        )
        variants["pipeline_feature_extraction"]["note"] = "per-sentence rate on a subsample"
    if "memory" in parts:
        log.info("memory: streamed run over %d sentences in a child process", n)
        variants["memory"] = _memory_in_child(n, precision=precisions[0], chunk_size=chunk_size, seed=seed)
    result["ratios"] = ratios(result)
    result["goals"] = goals(result)
    result["machine"]["loadavg_end"] = list(os.getloadavg())
    return result


def _rate(result: dict[str, Any], name: str) -> float | None:
    v = result["variants"].get(name)
    return None if v is None else float(v["rate"])


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else round(a / b, 3)


def ratios(result: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """Each variant's rate over the fp32 limit, over the zero-shot pipeline, and warm over cold."""
    lim, zs = _rate(result, "limit_fp32"), _rate(result, "pipeline_zero_shot")
    out: dict[str, dict[str, float | None]] = {}
    for name in result["variants"]:
        r = _rate(result, name)
        row = {"vs_limit_fp32": _div(r, lim), "vs_zero_shot": _div(r, zs)}
        if name.startswith("project_warm_"):
            row["warm_vs_cold"] = _div(r, _rate(result, name.replace("warm", "cold")))
        out[name] = row
    return out


def goals(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The performance goals, each with its measured value and whether it is met."""
    prec_ok = [
        p for p, a in result["agreement"].items()
        if a["label_agreement"] >= GOALS["label_agreement_of_fastest"]
        and result["batch_difference"].get(p, {}).get("label_agreement") == 1.0
        and result["batch_difference"][p]["max_prob_diff"] <= _tolerance()
    ]  # fmt: skip
    fastest = max(["fp32", *prec_ok], key=lambda p: _rate(result, f"limit_{p}") or 0.0)
    lim = _rate(result, "limit_fp32")
    values = {
        "cold_fp32_vs_limit_fp32": _div(_rate(result, "project_cold_fp32"), lim),
        "fastest_batch_independent_vs_limit_fp32": _div(_rate(result, f"limit_{fastest}"), lim),
        "label_agreement_of_fastest": result["agreement"].get(fastest, {}).get("label_agreement", 1.0),
        "project_vs_zero_shot": _div(
            _rate(result, f"project_cold_{fastest}") or _rate(result, "project_cold_fp32"),
            _rate(result, "pipeline_zero_shot"),
        ),
        "warm_vs_cold": _div(_rate(result, "project_warm_fp32"), _rate(result, "project_cold_fp32")),
        "memory_peak_mb_100k": (result["variants"].get("memory") or {}).get("peak_rss_mb"),
    }
    out: dict[str, dict[str, Any]] = {}
    for name, target in GOALS.items():
        v = values[name]
        met = None if v is None else (v <= target if name.startswith("memory") else v >= target)
        out[name] = {"value": v, "target": target, "met": met}
    out["fastest_batch_independent"] = {"value": fastest, "target": None, "met": None}
    mem = result["variants"].get("memory")
    if mem and mem["sentences"] < 100_000:
        out["memory_peak_mb_100k"]["note"] = f"measured over {mem['sentences']} sentences, not 100,000"
    return out


def _tolerance() -> float:
    from framing.scoring.models import BATCH_TOLERANCE

    return BATCH_TOLERANCE


def table(result: dict[str, Any]) -> str:
    """The results as a plain-text table."""
    head = (
        f"{'variant':<30} {'sent/s':>9} {'peak MB':>8} {'vs fp32 limit':>13} "
        f"{'vs zero-shot':>12} {'warm/cold':>9}"
    )
    lines = [head, "-" * len(head)]

    def fmt(x: Any, spec: str) -> str:
        return "-" if x is None else format(x, spec)

    for name, v in result["variants"].items():
        r = result["ratios"].get(name, {})
        lines.append(
            f"{name:<30} {v['rate']:>9.1f} {fmt(v.get('peak_rss_mb'), '.0f'):>8} "
            f"{fmt(r.get('vs_limit_fp32'), '.2f'):>13} {fmt(r.get('vs_zero_shot'), '.1f'):>12} "
            f"{fmt(r.get('warm_vs_cold'), '.1f'):>9}"
        )
    lines.append("")
    for prec, a in result["agreement"].items():
        lines.append(
            f"agreement {prec} vs fp32: {a['label_agreement']:.2%} of {a['pairs']} labels, "
            f"max probability difference {a['max_prob_diff']:.4f}"
        )
    for prec, d in result["batch_difference"].items():
        lines.append(
            f"batch independence {prec}: {d['label_agreement']:.0%} identical labels, max probability "
            f"difference {d['max_prob_diff']:.2e} (alone vs inside two batches; tolerance {_tolerance()})"
        )
    lines.append("")
    for name, g in result["goals"].items():
        if g["target"] is not None:
            state = {True: "met", False: "NOT met", None: "not measured"}[g["met"]]
            lines.append(f"goal {name}: {g['value']} (target {g['target']}) {state}")
    m = result["machine"]
    lines.append(
        f"machine: {m['cpu']}, {m['cores']} cores, torch {m['torch']}, "
        f"load average {m['loadavg'][0]:.1f} at start, {m.get('loadavg_end', [0])[0]:.1f} at end"
    )
    return "\n".join(lines)


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """Arguments of ``framing bench`` (added to ``parser`` if given)."""
    p = parser or argparse.ArgumentParser(prog="framing bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=2000, help="sentences in the workload (default 2000)")
    p.add_argument("--repeat", type=int, default=3, help="repetitions; rates are medians (default 3)")
    p.add_argument(
        "--precisions", default="fp32,bf16,int8", help="comma-separated precisions (default fp32,bf16,int8)"
    )
    p.add_argument("--batch-size", type=int, default=32, help="encoder batch size for the limit (default 32)")
    p.add_argument(
        "--pipeline-n", type=int, default=100, help="subsample for feature-extraction (default 100)"
    )
    p.add_argument("--zero-shot-n", type=int, default=20, help="subsample for zero-shot (default 20)")
    p.add_argument("--chunk-size", type=int, default=2000, help="sentences per chunk in the memory run")
    p.add_argument("--seed", type=int, default=0, help="seed of the workload (default 0)")
    p.add_argument("--only", default=None, help="comma-separated subset of project,pipelines,limit,memory")
    p.add_argument("--json", default=None, help="write the results to this JSON file")
    p.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    return p


def main_args(args: argparse.Namespace) -> int:
    """Run from parsed arguments; prints the table (or, as a memory child, one JSON line)."""
    precisions = [p.strip() for p in args.precisions.split(",") if p.strip()]
    if args.memory_child:
        print(
            json.dumps(
                memory_run(args.n, precision=precisions[0], chunk_size=args.chunk_size, seed=args.seed)
            )
        )
        return 0
    result = run(
        n=args.n,
        repeat=args.repeat,
        precisions=precisions,
        batch_size=args.batch_size,
        pipeline_n=args.pipeline_n,
        zero_shot_n=args.zero_shot_n,
        chunk_size=args.chunk_size,
        seed=args.seed,
        only=[s.strip() for s in args.only.split(",")] if args.only else None,
    )
    result["command"] = " ".join(sys.argv)
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return main_args(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
