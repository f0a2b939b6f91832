"""Command-line interface: ``framing <command>``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence


def _cmd_reports(args: argparse.Namespace) -> int:
    from framing.report import NotebookFailed, render_reports

    try:
        reports = render_reports(args.notebooks or None, out_dir=args.out)
    except NotebookFailed as err:
        logging.getLogger("framing").error("%s", err)
        return 1
    for r in reports:
        print(f"wrote {r.html}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="framing", description="Media framing and stance analysis."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("reports", help="execute the notebooks and write HTML reports")
    rep.add_argument("notebooks", nargs="*", help="notebooks to run (default: notebooks/*.ipynb)")
    rep.add_argument("--out", default=None, help="output folder (default: reports/)")
    rep.set_defaults(func=_cmd_reports)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
