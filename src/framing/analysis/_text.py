"""Word counts and reading order shared by the analyses of :mod:`framing.analysis`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

# Words for shares: letters/digits with inner apostrophes or hyphens ("Kiev's", "large-scale").
WORD_PATTERN = r"(?u)\b\w[\w'’-]*"


def count_words(texts: pd.Series) -> np.ndarray:
    """Number of words of each text (:data:`WORD_PATTERN`, as scikit-learn tokenises it).

    Examples
    --------
    >>> count_words(pd.Series(["Kiev's large-scale plan.", ""])).tolist()
    [3, 0]
    """
    tokenize = CountVectorizer(token_pattern=WORD_PATTERN, lowercase=False).build_tokenizer()
    return np.array([len(tokenize(str(t))) for t in texts], dtype=int)


def body_order(sentences: pd.DataFrame) -> pd.DataFrame:
    """Sentences sorted in reading order within each document (by ``start``, then ``n``, when present).

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": "d", "n": [2, 1], "text": ["second", "first"]})
    >>> body_order(s)["text"].tolist()
    ['first', 'second']
    """
    keys = ["doc_id"] + [c for c in ("start", "n") if c in sentences.columns]
    return sentences.sort_values(keys, kind="stable")
