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
    "load_corpus": "corpus",
    "split_sentences": "sentences",
    "attribute": "attribution",
    "quotes": "attribution",
    "load_model": "models",
    "score_stance": "stance",
    "score_frames": "frames",
    "top_frames": "frames",
    "evidence": "stance",
    "evaluate": "evaluation",
    "render_reports": "report",
    "attribution_html": "report",
    "summarise_prominence": "report",
    "summarise_comparison": "report",
    "provenance_table": "report",
    "paths": "config",
    "run_pipeline": "pipeline",
    "run_pipeline_dask": "distributed",
    "prominence": "compare",
    "stance_by_group": "compare",
    "stance_difference": "compare",
    "frame_profile": "compare",
    "distinguishing_frames": "compare",
    "distinctive_words": "compare",
    "find_markers": "markers",
    "marker_table": "markers",
    "marker_lexicon": "markers",
    "provenance": "_provenance",
    "write_table": "_provenance",
    "read_provenance": "_provenance",
    "plots": "plots",
    "export_sample": "annotate",
    "import_coded": "annotate",
    "agreement": "annotate",
    "model_codes": "annotate",
    "align": "alignment",
    "topic_coverage": "alignment",
    "coverage_table": "alignment",
    "topic_coverage_chart": "alignment",
    "carriage": "alignment",
    "quote_fidelity": "alignment",
    "normalise_spelling": "alignment",
    "calibrate_threshold": "alignment",
    "evaluate_alignment": "alignment",
    "fetch_originals": "fetch",
    "originals": "fetch",
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
