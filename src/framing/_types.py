"""Types shared by every stage, in a module that imports nothing of the package."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

#: a sentences table (``sent_id``, ``text``), a Series of texts, or a list of strings
Sentences = pd.DataFrame | pd.Series | Sequence[str]
