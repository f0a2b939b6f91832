"""What every part of alignment shares: the codebook settings, the claims of an account, the encoder check."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from framing import _codebooks

Mode = Literal["one_to_one", "one_to_many"]
Fidelity = Literal["exact", "near", "reworded"]
Sentences = Sequence[str] | pd.DataFrame

ALIGNMENT_CODEBOOK = "alignment.yaml"
TOPICS_CODEBOOK = "topics.yaml"
COLUMNS = ["side", "claim_id", "text", "counterpart_id", "counterpart_text", "similarity", "status"]


@functools.lru_cache(maxsize=8)
def _settings(name: str = ALIGNMENT_CODEBOOK) -> dict[str, Any]:
    data = _codebooks.load_yaml(name) or {}
    for key in ("threshold", "near_ratio"):
        if not isinstance(data.get(key), int | float):
            raise ValueError(f"{name}: '{key}' must be a number (see the comment at the top of the file)")
    return data


def default_threshold() -> float:
    """The calibrated similarity threshold stored in ``alignment.yaml``.

    Returns
    -------
    float
        The cosine similarity from which a matched pair of claims is ``shared``.

    Examples
    --------
    >>> 0 < default_threshold() < 1
    True
    """
    return float(_settings()["threshold"])


def _loaded(obj: Any, method: str, argument: str, what: str) -> Any:
    """``obj`` when it has ``method``; otherwise a TypeError that says to load the model first."""
    if obj is None or isinstance(obj, str | bytes | os.PathLike | Path):  # str has .encode() too
        given = "nothing" if obj is None else f"the name {str(obj)!r}"
        raise TypeError(f"{argument}= must be a loaded {what} (an object with .{method}()), got {given}: "
                        f"pass {argument}=framing.load_model(...)")
    if callable(getattr(obj, method, None)):
        return obj
    raise TypeError(f"{argument}= must be a loaded {what} (an object with .{method}()), "
                    f"got a {type(obj).__name__} without it: pass {argument}=framing.load_model(...)")


def _encoder(model: Any) -> Any:
    """A loaded sentence encoder (anything with ``encode``); never loads one by name.

    Examples
    --------
    >>> _encoder("all-MiniLM-L6-v2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: model= must be a loaded sentence encoder ...: pass model=framing.load_model(...)
    """
    if not hasattr(model, "encode") and callable(getattr(model, "entail", None)):
        raise TypeError("model= is an NLI model: give a sentence encoder as model= and the NLI model as nli=")
    return _loaded(model, "encode", "model", "sentence encoder")


def _nli(nli: Any) -> Any:
    """A loaded NLI model (anything with ``entail``); never loads one by name."""
    return _loaded(nli, "entail", "nli", "NLI model")


def _claims(x: Sentences, side: str) -> pd.DataFrame:
    """``claim_id, text`` from a list of strings (ids a1, a2, ...) or a sentence table (its ``sent_id``)."""
    if isinstance(x, pd.DataFrame):
        if "text" not in x.columns:
            raise ValueError(f"the sentences given for side {side!r} have no 'text' column")
        key = next((c for c in ("claim_id", "sent_id") if c in x.columns), None)
        ids = x[key] if key else [f"{side}{i + 1}" for i in range(len(x))]
        out = pd.DataFrame({"claim_id": list(ids), "text": x["text"].astype(str).tolist()})
    elif isinstance(x, str):
        raise TypeError(f"side {side!r}: give a list of sentences, not one string")
    else:
        texts = [str(t) for t in x]
        out = pd.DataFrame({"claim_id": [f"{side}{i + 1}" for i in range(len(texts))], "text": texts})
    out["claim_id"] = out["claim_id"].astype(str)
    if not out["claim_id"].is_unique:
        dup = out["claim_id"][out["claim_id"].duplicated()].tolist()
        raise ValueError(f"side {side!r} has duplicate claim ids: {dup}")
    return out.reset_index(drop=True)


def _texts(x: Sentences) -> list[str]:
    return _claims(x, "x")["text"].tolist()
