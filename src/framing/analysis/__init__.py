"""Analysis: compare groups, find framing markers, align accounts.

Every function takes the tables of the earlier stages (sentences, stance and
frame scores, quotations) and returns tidy tables; figures are drawn from
those tables by :mod:`framing.plots`. Where embeddings are needed (alignment,
topic coverage, carriage) the caller passes a loaded encoder
(``model=framing.load_model()``); nothing here loads a model.

- :mod:`framing.analysis.compare`: prominence, stance and frames by group,
  distinctive words, the evidence behind a group's result;
- :mod:`framing.analysis.markers`: lexical framing markers;
- :mod:`framing.analysis.outlets`: how each outlet carried each source, and
  syndicated copies of one story;
- :mod:`framing.analysis.events`: the events of a corpus and their official accounts;
- :mod:`framing.analysis.alignment`: two accounts of one event.
"""

from __future__ import annotations

from framing.analysis.alignment import (
    Carriage,
    align,
    align_events,
    calibrate_threshold,
    calibrate_topic_threshold,
    carriage,
    coverage_table,
    evaluate_alignment,
    event_carriage,
    load_pairs,
    load_topics,
    normalise_spelling,
    quote_fidelity,
    topic_coverage,
)
from framing.analysis.compare import (
    distinctive_words,
    distinguishing_frames,
    evidence,
    frame_profile,
    prominence,
    reading_order,
    stance_by_group,
    stance_difference,
)
from framing.analysis.events import EventAccounts, accounts, event_accounts, event_summary, issuer_source
from framing.analysis.markers import find_markers, marker_lexicon, marker_table
from framing.analysis.outlets import (
    official_accounts,
    outlet_difference,
    outlet_sources,
    outlet_stance,
    syndicated,
    with_documents,
)

__all__ = [
    "Carriage",
    "EventAccounts",
    "accounts",
    "align",
    "align_events",
    "calibrate_threshold",
    "calibrate_topic_threshold",
    "carriage",
    "coverage_table",
    "distinctive_words",
    "distinguishing_frames",
    "evaluate_alignment",
    "event_accounts",
    "event_carriage",
    "event_summary",
    "evidence",
    "find_markers",
    "frame_profile",
    "issuer_source",
    "load_pairs",
    "load_topics",
    "marker_lexicon",
    "marker_table",
    "normalise_spelling",
    "official_accounts",
    "outlet_difference",
    "outlet_sources",
    "outlet_stance",
    "prominence",
    "quote_fidelity",
    "reading_order",
    "stance_by_group",
    "stance_difference",
    "syndicated",
    "topic_coverage",
    "with_documents",
]
