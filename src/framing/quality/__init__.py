"""Quality of the scores: measured against labelled data, against human coders, and for speed.

- :func:`evaluate` scores labelled sentences (the splits of ``data/labelled``)
  (:mod:`framing.quality.evaluation`);
- :func:`export_sample`, :func:`import_coded`, :func:`agreement` and
  :func:`model_codes` are the human-coding workflow
  (:mod:`framing.quality.annotate`);
- :func:`run_bench`, :func:`bench_precisions` and :func:`bench_table` run and
  format the scoring benchmark (:mod:`framing.quality.bench`);
- :func:`load_labelled` reads the labelled stance and frame corpus in
  ``data/labelled/`` and :func:`coding_agreement` measures its two coding
  passes (:mod:`framing.quality.labelled`).

Every function takes plain arguments and returns tables or dicts; the
``framing`` command prints them.
"""

from __future__ import annotations

from framing.quality.annotate import agreement, export_sample, import_coded, model_codes
from framing.quality.bench import bench_precisions
from framing.quality.bench import run as run_bench
from framing.quality.bench import table as bench_table
from framing.quality.evaluation import evaluate
from framing.quality.labelled import coding_agreement, load_labelled

__all__ = [
    "agreement",
    "bench_precisions",
    "bench_table",
    "coding_agreement",
    "evaluate",
    "export_sample",
    "import_coded",
    "load_labelled",
    "model_codes",
    "run_bench",
]
