"""Human coding: sample sentences for coders, read their codes back, measure agreement.

The workflow has three steps:

1. :func:`export_sample` draws a stratified sample of sentences (by default
   one stratum per ``source``) and writes a coding sheet, one row per
   sentence with one empty column per coder and item, plus a codebook file
   with the definitions coders need.
2. Coders fill in their columns (in a spreadsheet or a text editor) and
   :func:`import_coded` reads the sheet back into a long table, checking
   every code against the allowed labels.
3. :func:`agreement` reports Krippendorff's alpha (nominal) between coders and,
   given the model's codes (:func:`model_codes`), between each coder and the
   model.

Items are ``"stance:<target>"`` (labels ``favor``, ``against``, ``none``) and
``"frame"`` (the id of the sentence's main frame).

The sheets are written and read in :mod:`framing.quality.sheets`, the
agreement is measured in :mod:`framing.quality.reliability`; this module
gathers the workflow's functions in one place. ``framing annotate export``
and ``framing annotate import`` run the first and last steps from the
command line.

Examples
--------
>>> import pandas as pd
>>> from framing.quality.annotate import agreement
>>> coded = pd.DataFrame({"sent_id": [0, 1, 0, 1], "coder": ["a", "a", "b", "b"],
...                       "item": ["frame"] * 4, "value": ["economic", "political"] * 2})
>>> float(agreement(coded)["alpha"].iloc[0])
1.0
"""

from __future__ import annotations

from framing.quality.reliability import agreement, model_codes, read_model_codes, read_table
from framing.quality.sheets import STANCE_LABELS, Definitions, export_sample, import_coded

__all__ = [
    "STANCE_LABELS",
    "Definitions",
    "agreement",
    "export_sample",
    "import_coded",
    "model_codes",
    "read_model_codes",
    "read_table",
]
