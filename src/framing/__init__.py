"""framing: media framing and stance analysis.

Load articles and official readouts into pandas, split them into sentences,
find who says what, and score every sentence for stance and framing.

The public API is the names in ``__all__``; everything else is private.
Names are imported lazily, so ``import framing`` stays fast and does not
load torch until a model is needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "load_corpus": "loading.corpus",
    "split_sentences": "loading.sentences",
    "attribute": "loading.attribution",
    "quotes": "loading.attribution",
    "load_model": "scoring.models",
    "score_stance": "scoring.stance",
    "score_frames": "scoring.frames",
    "top_frames": "scoring.frames",
    "score_chunks": "scoring.streaming",
    "evidence": "analysis.compare",
    "evaluate": "quality.evaluation",
    "load_labelled": "quality.labelled",
    "render_reports": "report",
    "attribution_html": "report",
    "summarise_prominence": "report",
    "summarise_comparison": "report",
    "provenance_table": "report",
    "paths": "config",
    "Settings": "config",
    "run_pipeline": "pipeline",
    "read_tables": "pipeline",
    "pipeline_tables": "pipeline",
    "run_pipeline_dask": "distributed",
    "prominence": "analysis.compare",
    "stance_by_group": "analysis.compare",
    "stance_difference": "analysis.compare",
    "frame_profile": "analysis.compare",
    "distinguishing_frames": "analysis.compare",
    "distinctive_words": "analysis.compare",
    "reading_order": "analysis.compare",
    "find_markers": "analysis.markers",
    "marker_table": "analysis.markers",
    "marker_lexicon": "analysis.markers",
    "with_documents": "analysis.outlets",
    "official_accounts": "analysis.outlets",
    "syndicated": "analysis.outlets",
    "outlet_sources": "analysis.outlets",
    "outlet_stance": "analysis.outlets",
    "outlet_difference": "analysis.outlets",
    "provenance": "_provenance",
    "write_table": "_provenance",
    "read_provenance": "_provenance",
    "plots": "plots",
    "export_sample": "quality.annotate",
    "import_coded": "quality.annotate",
    "agreement": "quality.annotate",
    "model_codes": "quality.annotate",
    "align": "analysis.alignment",
    "topic_coverage": "analysis.alignment",
    "coverage_table": "analysis.alignment",
    "topic_coverage_chart": "plots",
    "carriage": "analysis.alignment",
    "quote_fidelity": "analysis.alignment",
    "normalise_spelling": "analysis.alignment",
    "calibrate_threshold": "analysis.alignment",
    "evaluate_alignment": "analysis.alignment",
    "align_events": "analysis.alignment",
    "event_carriage": "analysis.alignment",
    "event_summary": "analysis.events",
    "accounts": "analysis.events",
    "event_accounts": "analysis.events",
    "issuer_source": "analysis.events",
    "fetch_originals": "loading.fetch",
    "originals": "loading.fetch",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'framing' has no attribute {name!r}")
    imported = import_module(f"framing.{module}")
    # a submodule exported under its own name (framing.plots) is the module itself
    value = imported if module == name else getattr(imported, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
