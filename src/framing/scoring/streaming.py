"""Score a stream of sentences in chunks, so memory stays flat however many there are.

:func:`score_stance` and :func:`score_frames` hold their whole input and output
in memory. For a million sentences, feed them here instead: the sentences are
read from any iterable, scored ``chunk_size`` at a time, and each chunk's
tables are handed back (or written out) before the next is read.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd

from framing.config import Settings, resolve_settings
from framing.scoring.frames import score_frames
from framing.scoring.models import resolve_model
from framing.scoring.stance import score_stance

log = logging.getLogger(__name__)


def iter_chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of up to ``size`` consecutive items.

    Examples
    --------
    >>> [c for c in iter_chunks(range(5), 2)]
    [[0, 1], [2, 3], [4]]
    """
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def score_chunks(
    texts: Iterable[str],
    *,
    model: Any = None,
    chunk_size: int = 2000,
    cache: bool = True,
    settings: Settings | None = None,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Stance and frame tables of ``texts``, one pair per chunk; ``sent_id`` counts across chunks.

    Parameters
    ----------
    texts
        Any iterable of sentences (a generator is read lazily).
    model
        A loaded model, a name, or ``None`` for the default (see :func:`framing.load_model`).
    chunk_size
        Sentences scored at once; memory grows with this, not with the total.
    cache
        Read and write the on-disk score cache.
    settings
        Model, precision, cache folder and device (:class:`framing.Settings`);
        default :meth:`framing.Settings.from_env`.

    Examples
    --------
    >>> from framing import score_chunks
    >>> for stance, frames in score_chunks(iter(["NATO must stop."]), chunk_size=1):  # doctest: +SKIP
    ...     stance.to_parquet(...)
    """
    opts = resolve_settings(settings)
    m = resolve_model(model, settings=opts)
    start = 0
    for chunk in iter_chunks(texts, chunk_size):
        sents = pd.DataFrame({"sent_id": range(start, start + len(chunk)), "text": chunk})
        yield (
            score_stance(sents, model=m, cache=cache, settings=opts),
            score_frames(sents, model=m, cache=cache, settings=opts),
        )
        start += len(chunk)
        log.debug("scored %d sentences", start)
