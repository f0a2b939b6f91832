"""The benchmark's workload: new sentences built from the corpus, so the score cache cannot answer them.

Examples
--------
>>> from framing.quality.bench_workload import workload
>>> sources = ["The Kremlin said the talks were frank on Monday.",
...            "Downing Street said the prime minister warned against it."]
>>> len(list(workload(3, seed=1, sources=sources)))
3
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence

import numpy as np


def source_sentences() -> list[str]:
    """Sentences of the corpus (``data/raw``, split by the project) and of the labelled ``data/labelled``.

    Returns
    -------
    list of str
        Distinct sentences of six words or more.

    Raises
    ------
    FileNotFoundError
        When fewer than two such sentences are found.

    Examples
    --------
    >>> len(source_sentences()) > 1  # doctest: +SKIP
    True
    """
    import pandas as pd

    from framing.config import paths
    from framing.loading.corpus import load_corpus
    from framing.loading.sentences import split_sentences

    p = paths()
    out: list[str] = []
    with contextlib.suppress(FileNotFoundError, ValueError):
        out += split_sentences(load_corpus(p.raw))["text"].tolist()
    for csv in sorted((p.root / "data" / "labelled" / "batches").glob("*.csv")):
        df = pd.read_csv(csv)
        if "text" in df.columns:
            out += df["text"].dropna().astype(str).tolist()
    out = [s for s in dict.fromkeys(out) if len(s.split()) >= 6]
    if len(out) < 2:
        raise FileNotFoundError(f"no sentences to build a workload from under {p.raw} and data/labelled")
    return out


def workload(n: int, *, seed: int = 0, sources: Sequence[str] | None = None) -> Iterator[str]:
    """``n`` new, distinct sentences: the start of one corpus sentence joined to the end of another.

    Lengths (in words) are drawn from the corpus's own sentence lengths, so
    the batches look like real ones; the result is seeded and lazy.

    Parameters
    ----------
    n
        How many sentences to make.
    seed
        Seed; the same seed and sources give the same sentences.
    sources
        Sentences to build from; default :func:`source_sentences`.

    Yields
    ------
    str
        A sentence that is none of the sources and none of those before it.

    Examples
    --------
    >>> sources = ["The Kremlin said the talks were frank on Monday.",
    ...            "Downing Street said the prime minister warned against it."]
    >>> made = list(workload(4, seed=1, sources=sources))
    >>> len(set(made)), bool(set(made) & set(sources))
    (4, False)
    """
    pool = [s.split() for s in (sources if sources is not None else source_sentences())]
    lengths = np.array([len(w) for w in pool])
    known = {hashlib.blake2b(" ".join(w).encode(), digest_size=8).digest() for w in pool}
    rng = np.random.default_rng(seed)
    made = 0
    while made < n:
        a, b = rng.integers(len(pool), size=2)
        if a == b:
            continue
        want = int(lengths[rng.integers(len(pool))])
        head = int(rng.integers(2, max(3, min(len(pool[a]), want - 1))))
        tail = max(2, min(len(pool[b]) - 1, want - head))
        words = pool[a][:head] + pool[b][-tail:]
        text = " ".join(words)
        key = hashlib.blake2b(text.encode(), digest_size=8).digest()
        if key in known:
            continue
        known.add(key)
        made += 1
        yield text
