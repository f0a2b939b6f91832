"""Command-line interface: ``framing <command>``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence


def _cmd_reports(args: argparse.Namespace) -> int:
    from framing.report import NotebookFailed, render_reports

    try:
        reports = render_reports(args.notebooks or None, out_dir=args.out, parameters=dict(args.param))
    except NotebookFailed as err:
        logging.getLogger("framing").error("%s", err)
        return 1
    for r in reports:
        print(f"wrote {r.html}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from framing.quality.evaluation import evaluate
    from framing.scoring.models import ModelError

    try:
        ev = evaluate(args.split, model=args.model, k=args.folds, head=args.head)
    except (ModelError, FileNotFoundError, ValueError) as err:
        logging.getLogger("framing").error("%s", err)
        return 1
    print(ev.summary())
    for name, matrix in ev.confusion.items():
        print(f"\nconfusion {name} (rows gold, columns predicted)")
        print(matrix.to_string())
    if args.out:
        ev.table.to_csv(args.out, index=False)
        print(f"\nwrote {args.out}")
    return 0


def _read_sentences(path: str) -> object:
    """A CSV with a ``text`` column (and ``sent_id``), or a text file with one sentence per line."""
    import pandas as pd

    if path.lower().endswith(".csv"):
        df = pd.read_csv(path)
        if "text" not in df.columns:
            raise ValueError(f"{path} has no 'text' column")
        if "sent_id" not in df.columns:
            df.insert(0, "sent_id", range(len(df)))
        return df
    with open(path, encoding="utf-8") as fh:
        return [line.strip() for line in fh if line.strip()]


def _cmd_score_dask(args: argparse.Namespace) -> int:
    """The whole pipeline on a Dask cluster: INPUT is a corpus, the tables go to partitioned Parquet."""
    log = logging.getLogger("framing")
    if args.stance_out or args.frames_out:
        log.error("--stance-out and --frames-out apply to sentence files; on Dask the tables are written "
                  "as partitioned Parquet under --out")
        return 2
    if args.scheduler and args.dask_workers:
        log.error("give either --scheduler (an existing cluster) or --dask-workers (a local one), not both")
        return 2
    try:
        from framing.distributed import local_client, run_pipeline_dask
        from framing.scoring.models import ModelError
    except ImportError as err:
        log.error("%s", err)
        return 1
    if not args.verbose:  # Dask logs every worker and connection at INFO
        logging.getLogger("distributed").setLevel(logging.WARNING)
    options = dict(model=args.model, partition_size=args.partition_size, folder=args.out,
                   cache_dir=args.cache_dir)
    try:
        if args.scheduler:
            run = run_pipeline_dask(args.input, client=args.scheduler, **options)
        else:
            with local_client(args.dask_workers, threads_per_worker=1) as client:
                run = run_pipeline_dask(args.input, client=client, **options)
    except (ModelError, FileNotFoundError, ValueError, OSError) as err:
        log.error("%s", err)
        return 1
    for name, path in run.written.items():
        print(f"wrote {path}/ ({name}, {run.partitions} partitions)")
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    if args.scheduler or args.dask_workers:
        return _cmd_score_dask(args)
    from framing.scoring.frames import score_frames
    from framing.scoring.models import ModelError, load_model
    from framing.scoring.stance import score_stance

    try:
        sentences = _read_sentences(args.input)
        model = load_model(args.model)
        stance = score_stance(sentences, model=model)  # type: ignore[arg-type]
        frames = score_frames(sentences, model=model)  # type: ignore[arg-type]
    except (ModelError, FileNotFoundError, ValueError) as err:
        logging.getLogger("framing").error("%s", err)
        return 1
    for table, out in ((stance, args.stance_out), (frames, args.frames_out)):
        if out:
            table.to_csv(out, index=False)
            print(f"wrote {out}")
        else:
            print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from framing.loading.fetch import fetch_originals

    try:
        report = fetch_originals(args.manifest, out=args.out, timeout=args.timeout)
    except (FileNotFoundError, ValueError) as err:
        logging.getLogger("framing").error("%s", err)
        return 1
    for row in report.itertuples():
        print(f"{row.status:8} {row.doc_id}: {row.message or row.url}")
    return 1 if (report["status"] == "failed").any() else 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from framing.quality.bench import main_args

    return main_args(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="framing", description="Media framing and stance analysis.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument(
        "--precision",
        choices=["fp32", "bf16", "int8"],
        default=None,
        help="numeric precision of the model (default: FRAMING_PRECISION, then fp32)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("reports", help="execute the notebooks and write HTML reports")
    rep.add_argument("notebooks", nargs="*", help="notebooks to run (default: notebooks/*.ipynb)")
    rep.add_argument("--out", default=None, help="output folder (default: reports/)")
    rep.add_argument(
        "-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a notebook parameter, e.g. -p CORPUS my/manifest.csv (repeatable)",
    )
    rep.set_defaults(func=_cmd_reports)

    ev = sub.add_parser("evaluate", help="measure stance and frame scores on the labelled data in data/gold/")
    ev.add_argument("--split", default="dev", help="dev (cross-validated), test, seed, or a CSV path")
    ev.add_argument(
        "--model", default=None, help="model name or folder (default: FRAMING_MODEL or the embedded one)"
    )
    ev.add_argument("--folds", type=int, default=5, help="cross-validation folds on dev (default: 5)")
    ev.add_argument(
        "--head", choices=["logistic", "finetuned"], default=None,
        help="logistic heads on frozen embeddings (default) or the fine-tuned encoder",
    )
    ev.add_argument("--out", default=None, help="write the metric table to this CSV")
    ev.set_defaults(func=_cmd_evaluate)

    sc = sub.add_parser("score", help="score sentences for stance and frames")
    sc.add_argument(
        "input", help="a CSV with a 'text' column (and 'sent_id'), or a text file, one sentence a line"
    )
    sc.add_argument(
        "--model", default=None, help="model name or folder (default: FRAMING_MODEL or the embedded one)"
    )
    sc.add_argument("--stance-out", default=None, help="write the stance table to this CSV")
    sc.add_argument("--frames-out", default=None, help="write the frame table to this CSV")
    dk = sc.add_argument_group(
        "on Dask",
        "with --scheduler or --dask-workers, INPUT is a corpus (a manifest, folder or file, as "
        "load_corpus takes) and the whole pipeline runs on the cluster",
    )
    dk.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="an existing Dask scheduler, e.g. tcp://host:8786")
    dk.add_argument("--dask-workers", type=int, default=0, metavar="N",
                    help="start a local Dask cluster of N single-threaded worker processes")
    dk.add_argument("--partition-size", type=int, default=100, metavar="DOCS",
                    help="documents per partition (default: 100)")
    dk.add_argument("--out", default=None,
                    help="folder for the partitioned Parquet tables (default: data/processed/partitioned)")
    dk.add_argument("--cache-dir", default=None,
                    help="score cache on each worker's LOCAL disk, never a network file system "
                         "(default: inside the worker's local directory)")
    sc.set_defaults(func=_cmd_score)

    fe = sub.add_parser("fetch", help="download the originals listed in a manifest into data/external/")
    fe.add_argument(
        "--manifest", default=None, help="CSV with doc_id and url (default: data/raw/originals.csv)",
    )
    fe.add_argument("--out", default=None, help="folder to save into (default: data/external/)")
    fe.add_argument("--timeout", type=float, default=20.0, help="seconds to wait per server (default: 20)")
    fe.set_defaults(func=_cmd_fetch)
    from framing.quality.bench import build_parser as bench_parser

    bench_parser(sub.add_parser("bench", help="measure scoring speed, precision agreement and memory"))
    sub.choices["bench"].set_defaults(func=_cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.precision:
        os.environ["FRAMING_PRECISION"] = args.precision
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
