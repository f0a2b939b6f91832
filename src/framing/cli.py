"""Command-line interface: ``framing <command>``.

This module and :mod:`framing.report` are the only places that parse
arguments or print for the user. Each invocation builds one
:class:`framing.Settings` from the global ``--precision`` and ``--backend`` flags, the command's
``--model`` and the ``FRAMING_*`` environment variables, and passes it to the
library as ``settings=``; nothing here writes ``os.environ``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from framing.config import BACKENDS, PRECISIONS, Settings

log = logging.getLogger("framing")


#: ``framing reports`` flags that set a notebook parameter (and reach the pipeline run)
_REPORT_FLAGS = {"corpus": "CORPUS", "targets": "TARGETS", "aliases": "ALIASES", "training": "TRAINING"}


def _cmd_reports(args: argparse.Namespace, settings: Settings) -> int:
    from framing._parameters import UnknownParameter, declared_parameters, typed_parameters
    from framing.report import NotebookFailed, ReportsInterrupted, render_reports
    given = dict(args.param)
    given.update({name: value for flag, name in _REPORT_FLAGS.items() if (value := getattr(args, flag))})
    try:
        parameters = typed_parameters(given, declared_parameters(args.notebooks or None))
        reports = render_reports(args.notebooks or None, out_dir=args.out, parameters=parameters,
                                 settings=settings, progress=sys.stderr.isatty())
    except UnknownParameter as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (NotebookFailed, FileNotFoundError, ValueError) as err:  # ValueError: a corpus load_corpus refuses
        log.error("%s", err)
        return 1
    except RuntimeError as err:  # a model that does not load (ModelError, imported only when it happens)
        from framing.scoring.models import ModelError

        if not isinstance(err, ModelError):
            raise
        log.error("%s", err)
        return 1
    except KeyboardInterrupt as err:
        during = err.during if isinstance(err, ReportsInterrupted) else "the reports"
        print(f"interrupted during {during}: finished reports are kept; scores are cached, "
              "run again to resume", file=sys.stderr)
        return 130
    for r in reports:
        print(f"wrote {r.html}")
    return 0


def _cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    from framing.quality.evaluation import evaluate
    from framing.scoring._core import FRAMES, TARGETS
    from framing.scoring.models import ModelError
    from framing.scoring.train_heads import train_heads

    targets, frames = args.targets or TARGETS, args.frames or FRAMES
    try:
        saved = train_heads(args.data, targets=targets, frames=frames, model=args.model, settings=settings)
        for task, path in saved.items():
            print(f"saved the {task} head: {path}")
        if args.cv:
            ev = evaluate(args.data, model=args.model, targets=targets, frames=frames, training=None,
                          cross_validate=True, k=args.folds, settings=settings)
            print(ev.summary())
    except (ModelError, FileNotFoundError, ValueError, TypeError) as err:
        log.error("%s", str(err).strip().splitlines()[0])
        return 1
    print(f"scoring with --training {args.data} --targets {targets} now loads these heads instead of fitting")
    return 0


def _cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from framing.quality.evaluation import evaluate
    from framing.scoring.models import ModelError

    try:
        ev = evaluate(
            args.split, model=args.model, k=args.folds, head=args.head, cross_validate=args.cv,
            settings=settings,
        )
    except (ModelError, FileNotFoundError, ValueError) as err:
        log.error("%s", err)
        return 1
    print(ev.summary())
    for name, matrix in ev.confusion.items():
        print(f"\nconfusion {name} (rows gold, columns predicted)")
        print(matrix.to_string())
    if args.out:
        ev.table.to_csv(args.out, index=False)
        print(f"\nwrote {args.out}")
    return 0


def _read_sentences(args: argparse.Namespace) -> Any:
    """The sentences of INPUT: a sentences table as it is, else load_corpus and split_sentences."""
    from framing._cli_score import read_input

    return read_input(args.input, text_column=args.text_column, strict=args.strict)


def _cmd_score_dask(args: argparse.Namespace, settings: Settings) -> int:
    """The whole pipeline on a Dask cluster: INPUT is a corpus, the tables go to partitioned Parquet."""
    if args.stance_out or args.frames_out:
        log.error("--stance-out and --frames-out apply to sentence files; on Dask the tables are written "
                  "as partitioned Parquet under --out")
        return 2
    if args.scheduler and args.dask_workers:
        log.error("give either --scheduler (an existing cluster) or --dask-workers (a local one), not both")
        return 2
    if args.text_column or args.strict:
        log.error("--text-column and --strict apply without Dask; on Dask the corpus is read as load_corpus "
                  "reads it by default")
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
                   cache_dir=args.cache_dir, settings=settings)
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


def _cmd_score(args: argparse.Namespace, settings: Settings) -> int:
    if args.scheduler or args.dask_workers:
        return _cmd_score_dask(args, settings)
    from framing._cli_score import InputError, interrupted, warnings_as_log_lines, with_doc_id
    from framing.loading.corpus import CorpusError

    with warnings_as_log_lines(log):
        try:
            sentences = _read_sentences(args)
        except CorpusError as err:  # --strict: each input it could not read is logged above
            log.error("%s, each named above; nothing was scored", str(err).splitlines()[0].rstrip(":"))
            return 1
        except (InputError, FileNotFoundError, ValueError, OSError) as err:
            log.error("%s", err)
            return 1
        except KeyboardInterrupt as err:
            print(interrupted(err), file=sys.stderr)
            return 130
        try:
            stance, frames = _score(sentences, args, settings)
        except KeyboardInterrupt as err:
            print(interrupted(err), file=sys.stderr)
            return 130
        except (RuntimeError, FileNotFoundError, ValueError) as err:  # ModelError is a RuntimeError
            log.error("%s", str(err).strip().splitlines()[0])
            return 1
    for table, out in ((stance, args.stance_out), (frames, args.frames_out)):
        table = with_doc_id(table, sentences)
        if out:
            table.to_csv(out, index=False)
            print(f"wrote {out}")
        else:
            print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return 0


def _score(sentences: Any, args: argparse.Namespace, settings: Settings) -> tuple[Any, Any]:
    """Stance and frame tables of the sentences, with one model loaded once."""
    from framing.scoring.frames import score_frames
    from framing.scoring.models import load_model
    from framing.scoring.stance import score_stance

    log.info("scoring %d sentences from %s", len(sentences), args.input)
    model = load_model(args.model, settings=settings)
    stance = score_stance(sentences, model=model, settings=settings)
    frames = score_frames(sentences, model=model, settings=settings)
    return stance, frames


def _cmd_fetch(args: argparse.Namespace, settings: Settings) -> int:
    from framing.loading.fetch import fetch_originals

    try:
        report = fetch_originals(args.manifest, out=args.out, timeout=args.timeout)
    except (FileNotFoundError, ValueError) as err:
        log.error("%s", err)
        return 1
    for row in report.itertuples():
        print(f"{row.status:8} {row.doc_id}: {row.message or row.url}")
    return 1 if (report["status"] == "failed").any() else 0


def _cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    """Run the benchmark and print its table (or, as the memory child, one JSON line)."""
    from framing.quality.bench import bench_modes, memory_run, run, table

    if args.memory_child:

        def progress(done: int, peak: float) -> None:
            print(json.dumps({"progress": done, "peak_rss_mb": peak}), file=sys.stderr, flush=True)

        result = memory_run(args.n, chunk_size=args.chunk_size, seed=args.seed, progress=progress,
                            settings=settings)  # fmt: skip
        print(json.dumps(result))
        return 0
    if args.stages or args.large:
        return _bench_pipeline(args, settings)
    result = run(
        n=args.n,
        repeat=args.repeat,
        modes=bench_modes(args.backend, args.precision),
        batch_size=args.batch_size,
        pipeline_n=args.pipeline_n,
        zero_shot_n=args.zero_shot_n,
        chunk_size=args.chunk_size,
        seed=args.seed,
        only=[s.strip() for s in args.only.split(",")] if args.only else None,
        settings=settings,
        max_wait=args.max_wait,
    )
    result["command"] = " ".join(sys.argv)
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


def _bench_pipeline(args: argparse.Namespace, settings: Settings) -> int:
    """``framing bench --stages`` (each stage's rate) or ``--large`` (a streamed run and its memory)."""
    from framing.quality import bench_stages as bs

    if args.stages:
        result = bs.stages(args.n, seed=args.seed, settings=settings, max_wait=args.max_wait)
        print(bs.stages_table(result))
    else:
        result = bs.large_run(args.n, folder=args.out, seed=args.seed, settings=settings,
                              max_wait=args.max_wait, progress=lambda k: log.info("%d sentences done", k))
        print(bs.large_summary(result))
    result["command"] = " ".join(sys.argv)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


def _cmd_annotate_export(args: argparse.Namespace, settings: Settings) -> int:
    from framing.quality.annotate import export_sample, read_table

    try:
        sheet = export_sample(
            read_table(args.sentences),
            args.out,
            n=args.n,
            stratify_by=None if args.no_stratify else args.stratify_by,
            random_state=args.seed,
            coders=args.coders,
            targets=args.targets,
            frames=args.frames,
            overwrite=args.force,
        )
    except (ValueError, FileNotFoundError, FileExistsError) as err:
        log.error("%s", err)
        return 1
    print(f"wrote {args.out} ({len(sheet)} sentences) and its codebook")
    return 0


def _cmd_annotate_import(args: argparse.Namespace, settings: Settings) -> int:
    from framing.quality.annotate import agreement, import_coded, read_model_codes

    try:
        coded = import_coded(args.coded, frames=args.frames)
        model = read_model_codes(args.model_codes)
    except (ValueError, FileNotFoundError) as err:
        log.error("%s", err)
        return 1
    if args.codes:
        coded.to_csv(args.codes, index=False)
        print(f"wrote {args.codes}")
    table = agreement(coded, model=model)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if args.out:
        table.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0


# ---------------------------------------------------------------- the parser


def _model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", default=None, help="model name or folder (default: FRAMING_MODEL or the embedded one)"
    )


def _add_reports(sub: Any) -> None:
    rep = sub.add_parser(
        "reports", help="run the pipeline once, execute the notebooks on its tables and write HTML reports"
    )
    rep.add_argument("notebooks", nargs="*", help="notebooks to run (default: notebooks/*.ipynb)")
    rep.add_argument(
        "--out", default=None, metavar="DIR",
        help="put everything here: the HTML reports, DIR/notebooks, DIR/figures and the tables in "
             "DIR/processed (default: reports/, and the tables in data/processed/)",
    )  # fmt: skip
    rep.add_argument("--corpus", default=None, help="a manifest, folder or file (same as -p CORPUS)")
    rep.add_argument("--targets", default=None, help="stance-target codebook, YAML (parameter TARGETS)")
    rep.add_argument("--aliases", default=None, help="CSV of extra speaker aliases (parameter ALIASES)")
    rep.add_argument(
        "--training", default=None,
        help="CSV of labelled examples for the stance and frame heads (parameter TRAINING)",
    )  # fmt: skip
    rep.add_argument(
        "-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a notebook parameter, e.g. -p SOURCE_A 'White House readout' (repeatable); "
             "a name no notebook declares is refused",
    )  # fmt: skip
    rep.set_defaults(func=_cmd_reports)


def _add_train(sub: Any) -> None:
    tr = sub.add_parser(
        "train", help="fit the stance and frame heads on a labelled CSV and save them for every later run"
    )
    tr.add_argument(
        "--data", required=True,
        help="labelled CSV: text, a column per target (favor/against/none), frame; optionally frames, event",
    )
    tr.add_argument("--targets", default=None, help="targets codebook YAML (default: the shipped one)")
    tr.add_argument("--frames", default=None, help="frames codebook YAML (default: the shipped one)")
    _model_option(tr)
    tr.add_argument("--cv", action="store_true",
                    help="also cross-validate on the file (grouped by its event column if it has one)")
    tr.add_argument("--folds", type=int, default=5, help="cross-validation folds with --cv (default: 5)")
    tr.set_defaults(func=_cmd_train)


def _add_evaluate(sub: Any) -> None:
    ev = sub.add_parser("evaluate", help="measure stance and frame scores on labelled sentences")
    ev.add_argument(
        "--split", default="dev",
        help="dev or test (events of the labelled corpus in data/labelled never seen in training), "
        "seed (data/gold/seed.csv), or a CSV path",
    )
    _model_option(ev)
    ev.add_argument(
        "--cv", action="store_true",
        help="cross-validate: refit the heads on the training examples plus the other folds of SPLIT",
    )
    ev.add_argument("--folds", type=int, default=5, help="cross-validation folds with --cv (default: 5)")
    ev.add_argument(
        "--head", choices=["logistic", "finetuned"], default=None,
        help="logistic heads on frozen embeddings (default) or the fine-tuned encoder",
    )
    ev.add_argument("--out", default=None, help="write the metric table to this CSV")
    ev.set_defaults(func=_cmd_evaluate)


_SCORE_INPUT = (
    "Score every sentence of INPUT for stance and frames. A CSV or JSONL with the columns sent_id and text, "
    "or doc_id, n and text (as split_sentences writes), is a table of sentences and is scored row by row. "
    "Anything else is a corpus, read as load_corpus reads it (a file, a folder, a manifest CSV with a path "
    "column, a CSV or JSONL of documents) and split into sentences. A .txt file is therefore one document "
    "whose first line is its title, as everywhere in the package, not a list of sentences; a file of one "
    "sentence per line still gives each line its own sentences, because lines are paragraphs in a file "
    "without blank lines. Inputs or "
    "rows that cannot be read are skipped, each named in one line with its file and line, unless --strict. "
    "The tables keep the sentence ids (<doc_id>:<n> for a corpus) and carry doc_id. Ctrl-C stops the run; "
    "the sentences already scored stay in the score cache, so running again resumes."
)


def _add_score(sub: Any) -> None:
    sc = sub.add_parser("score", help="score sentences for stance and frames", description=_SCORE_INPUT)
    sc.add_argument("input", help="a file, folder, manifest, or CSV/JSONL of documents or of sentences")
    _model_option(sc)
    sc.add_argument("--text-column", default=None, metavar="NAME",
                    help="the text column of a CSV/JSONL input (default: text; for documents the first of "
                         "text, body, content, article)")
    sc.add_argument("--strict", action="store_true",
                    help="stop, scoring nothing, if any input or row cannot be read (default: skip it)")
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


def _add_fetch(sub: Any) -> None:
    fe = sub.add_parser("fetch", help="download the originals listed in a manifest into data/external/")
    fe.add_argument(
        "--manifest", default=None, help="CSV with doc_id and url (default: data/raw/originals.csv)",
    )
    fe.add_argument("--out", default=None, help="folder to save into (default: data/external/)")
    fe.add_argument("--timeout", type=float, default=20.0, help="seconds to wait per server (default: 20)")
    fe.set_defaults(func=_cmd_fetch)


_BENCH_PRECISION = (
    "Modes: without the global --backend and --precision, every mode is measured: PyTorch fp32 (the "
    "reference), CTranslate2 int8 (the default) and fp32, PyTorch bf16 and int8; with them, only that mode "
    "and the fp32 reference it is compared with (framing --backend torch --precision int8 bench). "
    "FRAMING_BACKEND and FRAMING_PRECISION do not narrow the benchmark. Every run first waits (--max-wait) "
    "until the 1-minute load average is below 1.0, or records that it could not, and prints the load at "
    "start and end."
)


def _add_bench(sub: Any) -> None:
    p = sub.add_parser(
        "bench", epilog=_BENCH_PRECISION,
        help="measure scoring speed, agreement with PyTorch fp32 and memory (--stages: each stage of the "
             "pipeline; --large: a streamed run and its memory curve)",
        description="Scoring benchmark: the project against the standard pipelines and the encoder's "
                    "own limit.",
    )  # fmt: skip
    p.add_argument("--n", type=int, default=2000, help="sentences in the workload (default 2000)")
    p.add_argument("--repeat", type=int, default=3, help="repetitions; rates are medians (default 3)")
    p.add_argument("--batch-size", type=int, default=32, help="encoder batch size for the limit (default 32)")
    p.add_argument(
        "--pipeline-n", type=int, default=100, help="subsample for feature-extraction (default 100)"
    )
    p.add_argument("--zero-shot-n", type=int, default=20, help="subsample for zero-shot (default 20)")
    p.add_argument("--chunk-size", type=int, default=2000, help="sentences per chunk in the memory run")
    p.add_argument("--seed", type=int, default=0, help="seed of the workload (default 0)")
    p.add_argument("--only", default=None,
                   help="comma-separated subset of project,dev,pipelines,limit,memory")
    p.add_argument("--json", default=None, help="write the results to this JSON file")
    p.add_argument("--max-wait", type=float, default=600.0, metavar="SECONDS",
                   help="wait at most this long for the 1-minute load average to fall below 1.0 "
                        "(default 600)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--stages", action="store_true",
                      help="sentences per second of load, split, attribute, encode and heads, and end to "
                           "end, on N sentences written as documents")
    what.add_argument("--large", action="store_true",
                      help="stream N sentences (e.g. 100000) end to end into Parquet: wall time, "
                           "sentences/s, peak memory sampled every second, the memory curve (OUT/memory.csv)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="with --large: the folder for the corpus, cache, tables and memory.csv "
                        "(default: a temporary folder)")
    p.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_bench)


def _add_annotate(sub: Any) -> None:
    ann = sub.add_parser("annotate", help="human coding: export a sample, import codes, agreement")
    steps = ann.add_subparsers(dest="annotate_command", required=True)

    exp = steps.add_parser("export", help="write a stratified sample of sentences as a coding sheet")
    exp.add_argument("sentences", help="sentences table (.csv or .parquet)")
    exp.add_argument("-o", "--out", required=True, help="coding sheet to write (.csv)")
    exp.add_argument("-n", type=int, default=200, help="sample size (default 200)")
    exp.add_argument("--stratify-by", default="source", help="column of strata (default source)")
    exp.add_argument("--no-stratify", action="store_true", help="draw a simple random sample")
    exp.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    exp.add_argument(
        "--coders", nargs="+", default=["coder_1", "coder_2"], help="coder names (default coder_1 coder_2)"
    )
    exp.add_argument("--targets", default=None, help="stance-target codebook (YAML; default shipped)")
    exp.add_argument("--frames", default=None, help="frame codebook (YAML; default shipped)")
    exp.add_argument("--force", action="store_true", help="overwrite an existing sheet")
    exp.set_defaults(func=_cmd_annotate_export)

    imp = steps.add_parser("import", help="read coded sheets and report Krippendorff's alpha")
    imp.add_argument("coded", nargs="+", help="filled-in coding sheet(s)")
    imp.add_argument(
        "--model",
        dest="model_codes",
        metavar="MODEL",
        action="append",
        default=[],
        help="model codes to compare with: sent_id,item,value or score_stance / score_frames output "
        "(.csv or .parquet; repeatable)",
    )
    imp.add_argument("--frames", default=None, help="frame codebook (YAML) with the allowed frame ids")
    imp.add_argument("--codes", default=None, help="also write the long table of codes here (.csv)")
    imp.add_argument("--out", default=None, help="write the agreement table here (.csv)")
    imp.set_defaults(func=_cmd_annotate_import)


def build_parser() -> argparse.ArgumentParser:
    """The ``framing`` argument parser, with every sub-command.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = build_parser().parse_args(["--precision", "int8", "bench", "--n", "40"])
    >>> args.command, args.precision, args.n
    ('bench', 'int8', 40)
    """
    parser = argparse.ArgumentParser(prog="framing", description="Media framing and stance analysis.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument(
        "--precision",
        choices=list(PRECISIONS),
        default=None,
        help="numeric precision of the model, for every command (default: FRAMING_PRECISION, then auto: "
             "int8 on ctranslate2, fp32 on torch)",
    )
    parser.add_argument(
        "--backend",
        choices=list(BACKENDS),
        default=None,
        help="run the model on ctranslate2 (converted once, cached with the scores) or on torch (the "
             "reference), "
             "for every command (default: FRAMING_BACKEND, then ctranslate2)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_reports, _add_train, _add_evaluate, _add_score, _add_fetch, _add_bench, _add_annotate):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``framing`` command.

    Parameters
    ----------
    argv
        The arguments after ``framing``; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 1 when the command failed (the error
        is logged in one line), 2 for a wrong command line.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "coded.csv").write_text(
    ...     "sent_id,doc_id,text,a__frame,b__frame\\n0,d,Talks resumed.,economic,economic\\n"
    ...     "1,d,Troops moved.,political,political\\n")
    >>> main(["annotate", "import", str(folder / "coded.csv")])  # doctest: +NORMALIZE_WHITESPACE
    comparison  item  alpha  n_units  n_coders
        coders frame  1.000        2         2
    0
    >>> main(["--precision", "int8", "score", "sentences.txt"])  # doctest: +SKIP
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.from_env(precision=args.precision, backend=args.backend,
                                     model=getattr(args, "model", None))
    except ValueError as err:  # an unknown FRAMING_PRECISION or FRAMING_BACKEND
        log.error("%s", err)
        return 1
    return args.func(args, settings)


if __name__ == "__main__":
    sys.exit(main())
