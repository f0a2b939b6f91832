"""Two accounts of one event: what both say, what only one says, and how quotations changed.

Three analyses on sentences (lists of strings or sentence tables), each in
its own module; every name is importable from here:

- :func:`align` matches the claims of two accounts (two readouts of a call, a
  readout and an article, two articles) by the sentence encoder's similarity,
  with a global assignment (:func:`scipy.optimize.linear_sum_assignment`), and
  marks each claim ``shared``, ``only_a`` or ``only_b`` (``_matching``). The
  similarity threshold is calibrated on hand-labelled accounts
  (``data/gold/alignment/calibration.csv``) and stored in the codebook
  ``alignment.yaml``; :func:`calibrate_threshold` recomputes it (``_calibration``).
- :func:`topic_coverage` says which topics of the codebook ``topics.yaml``
  each account mentions at all (selection and omission, Entman 1993; ``_topics``).
- :func:`carriage` says which claims of a readout an article carried (quoted
  or paraphrased) or dropped (``_carriage``), and :func:`quote_fidelity` how
  faithful each quotation is: ``exact``, ``near`` (small edits, shown) or
  ``reworded``. Case, punctuation and British/American spelling
  (emphasised/emphasized) do not count as edits (``_quotations``).

Accounts are compared within an event only: :func:`align_events` aligns the
two accounts of every event and :func:`event_carriage` measures what each
article of an event carried of that event's originals (``_per_event``; the
events and their accounts come from :mod:`framing.analysis.events`).

Every function that needs embeddings takes a loaded encoder, ``model=``
(``framing.load_model()`` or any object with ``encode(texts)``), and
:func:`align` a loaded NLI model as ``nli=`` (anything with ``entail``); a
model name or path raises ``TypeError``. Nothing here loads a model.
"""

from __future__ import annotations

from framing.analysis.alignment._calibration import (
    calibrate_threshold,
    evaluate_alignment,
    load_pairs,
)
from framing.analysis.alignment._carriage import Carriage, carriage
from framing.analysis.alignment._common import (
    ALIGNMENT_CODEBOOK,
    COLUMNS,
    TOPICS_CODEBOOK,
    Fidelity,
    Mode,
    Sentences,
    default_threshold,
)
from framing.analysis.alignment._matching import align, match, similarity
from framing.analysis.alignment._per_event import align_events, event_carriage
from framing.analysis.alignment._quotations import normalise_spelling, quote_fidelity
from framing.analysis.alignment._topics import (
    calibrate_topic_threshold,
    coverage_table,
    load_topic_examples,
    load_topics,
    topic_coverage,
    topic_scores,
    topic_similarity,
)

__all__ = [
    "ALIGNMENT_CODEBOOK",
    "COLUMNS",
    "TOPICS_CODEBOOK",
    "Carriage",
    "Fidelity",
    "Mode",
    "Sentences",
    "align",
    "align_events",
    "calibrate_threshold",
    "calibrate_topic_threshold",
    "carriage",
    "coverage_table",
    "default_threshold",
    "evaluate_alignment",
    "event_carriage",
    "load_pairs",
    "load_topic_examples",
    "load_topics",
    "match",
    "normalise_spelling",
    "quote_fidelity",
    "similarity",
    "topic_coverage",
    "topic_scores",
    "topic_similarity",
]
