"""Fitted logistic heads saved and loaded as safetensors, never pickled.

A fitted :class:`~framing.scoring.stance.StanceHead` or
:class:`~framing.scoring.frames.FrameHead` is a handful of arrays
(coefficients, intercepts, target embeddings, TF-IDF weights) and a little
text (class order, vocabularies, options). The arrays go into one
``.safetensors`` file; the text goes into its metadata as JSON. Loading
rebuilds the scikit-learn objects from those numbers, so no code is ever
unpickled.

Heads are stored under a key made of the task, the encoder's name and
weights hash, the codebook and training data hash and the head version
(:func:`head_key`); the numeric precision and backend are not part of it, so
every way of running one set of weights uses the same fitted heads.

The package ships the default model's heads (``codebooks/heads/``, listed
with their SHA-256 in ``codebooks/heads/manifest.json``), so a new process
scores its first sentence without fitting anything.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FORMAT = "framing-heads-1"
SHIPPED = Path(__file__).resolve().parents[1] / "codebooks" / "heads"

__all__ = ["FORMAT", "SHIPPED", "head_key", "load_head", "save_head", "shipped_head_path"]


def head_key(task: str, model: str, weights_sha256: str, data_digest: str, version: str) -> str:
    """The name a fitted head is stored under: ``<task>-<32 hex digits>``.

    Examples
    --------
    >>> head_key("stance", "m", "abc", "def", "lr-1")[:7]
    'stance-'
    >>> head_key("stance", "m", "abc", "def", "lr-1") == head_key("stance", "m", "abc", "def", "lr-2")
    False
    """
    blob = json.dumps([task, model, weights_sha256, data_digest, version])
    return f"{task}-{hashlib.sha256(blob.encode('utf-8')).hexdigest()[:32]}"


# ---------------------------------------------------------------- scikit-learn pieces


def _lr_state(prefix: str, lr: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    arrays[f"{prefix}/coef"] = np.ascontiguousarray(lr.coef_)
    arrays[f"{prefix}/intercept"] = np.ascontiguousarray(lr.intercept_)
    return {"classes": [c.item() if hasattr(c, "item") else c for c in lr.classes_]}


def _lr_load(prefix: str, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Any:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression()
    lr.coef_ = np.asarray(arrays[f"{prefix}/coef"])
    lr.intercept_ = np.asarray(arrays[f"{prefix}/intercept"])
    lr.classes_ = np.asarray(meta["classes"], dtype=object if isinstance(meta["classes"][0], str) else None)
    lr.n_features_in_ = lr.coef_.shape[1]
    return lr


def _tfidf_state(prefix: str, vec: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    arrays[f"{prefix}/idf"] = np.ascontiguousarray(vec.idf_)
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
    return {"vocabulary": vocab, "ngram_range": list(vec.ngram_range), "sublinear_tf": vec.sublinear_tf}


def _tfidf_load(prefix: str, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vocab = {term: i for i, term in enumerate(meta["vocabulary"])}
    vec = TfidfVectorizer(
        ngram_range=tuple(meta["ngram_range"]), sublinear_tf=meta["sublinear_tf"], vocabulary=vocab
    )
    vec.idf_ = np.asarray(arrays[f"{prefix}/idf"])
    return vec


# ---------------------------------------------------------------- the two heads


def _stance_state(head: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    state: dict[str, Any] = {"targets": {}, "vectorizers": {}}
    for t, v in head.target_vectors_.items():
        arrays[f"target_vector/{t}"] = np.ascontiguousarray(v, dtype=np.float32)
    state["target_vectors"] = list(head.target_vectors_)
    for t, lr in head.heads_.items():
        state["targets"][t] = _lr_state(f"head/{t}", lr, arrays)
    for t, vec in head.vectorizers_.items():
        state["vectorizers"][t] = _tfidf_state(f"tfidf/{t}", vec, arrays)
    state["pooled"] = _lr_state("pooled", head.pooled_, arrays)
    return state


def _stance_load(head: Any, state: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Any:
    head.target_vectors_ = {t: np.asarray(arrays[f"target_vector/{t}"]) for t in state["target_vectors"]}
    head.heads_ = {t: _lr_load(f"head/{t}", m, arrays) for t, m in state["targets"].items()}
    head.vectorizers_ = {t: _tfidf_load(f"tfidf/{t}", m, arrays) for t, m in state["vectorizers"].items()}
    head.pooled_ = _lr_load("pooled", state["pooled"], arrays)
    return head


def _frame_state(head: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    arrays["prior"] = np.ascontiguousarray(head.prior_)
    models = []
    for j, lr in enumerate(head.models_):
        models.append(None if lr is None else _lr_state(f"frame/{j}", lr, arrays))
    return {"models": models}


def _frame_load(head: Any, state: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Any:
    head.prior_ = np.asarray(arrays["prior"])
    models = state["models"]
    head.models_ = [None if m is None else _lr_load(f"frame/{j}", m, arrays) for j, m in enumerate(models)]
    return head


def save_head(head: Any, path: str | Path, *, about: Mapping[str, Any] | None = None) -> Path:
    """Write a fitted stance or frame head to ``path`` (``.safetensors``); returns the path.

    ``about`` is stored with it (for example the training data, the encoder
    and the fit's scores) and comes back from :func:`load_head`'s ``about``.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from framing.scoring.frames import FrameHead
    >>> X = np.eye(3, dtype="float32"); head = FrameHead(C=10).fit(X, np.eye(3, dtype=int))
    >>> path = save_head(head, pathlib.Path(tempfile.mkdtemp()) / "frames.safetensors")
    >>> np.allclose(load_head(path, FrameHead)[0].predict_proba(X), head.predict_proba(X))
    True
    """
    from safetensors.numpy import save_file

    arrays: dict[str, np.ndarray] = {}
    if hasattr(head, "pooled_"):
        kind, state = "stance", _stance_state(head, arrays)
    elif hasattr(head, "models_"):
        kind, state = "frames", _frame_state(head, arrays)
    else:
        raise TypeError(f"cannot save a {type(head).__name__}: a fitted StanceHead or FrameHead is expected")
    params = {k: v for k, v in vars(head).items() if not k.endswith("_")}
    meta = {"format": FORMAT, "kind": kind, "params": params, "state": state, "about": dict(about or {})}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    save_file(arrays, str(tmp), metadata={"framing": json.dumps(meta)})
    tmp.chmod(0o644)
    tmp.replace(path)
    return path


def load_head(path: str | Path, head_class: type) -> tuple[Any, dict[str, Any]]:
    """A head written by :func:`save_head`, as a ``head_class``, and the ``about`` stored with it.

    Examples
    --------
    >>> from framing.scoring.frames import FrameHead
    >>> load_head("no/such/file.safetensors", FrameHead)
    Traceback (most recent call last):
    ...
    FileNotFoundError: no fitted head at no/such/file.safetensors
    """
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no fitted head at {path}")
    with safe_open(str(path), framework="numpy") as f:
        meta = json.loads((f.metadata() or {}).get("framing", "{}"))
        arrays = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not a fitted head this version can read (format {meta.get('format')!r})")
    loader = _stance_load if meta["kind"] == "stance" else _frame_load
    return loader(head_class(**meta["params"]), meta["state"], arrays), meta.get("about", {})


def _manifest() -> dict[str, str]:
    p = SHIPPED / "manifest.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}


def shipped_head_path(key: str) -> Path | None:
    """The packaged head stored under ``key``, hash-checked against the manifest; ``None`` if not shipped.

    Examples
    --------
    >>> shipped_head_path("stance-0000") is None
    True
    """
    expected = _manifest().get(f"{key}.safetensors")
    if expected is None:
        return None
    path = SHIPPED / f"{key}.safetensors"
    got = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
    if got != expected:
        raise ValueError(
            f"the shipped head {path.name} does not match its SHA-256 in manifest.json "
            f"({got[:12]}… instead of {expected[:12]}…): reinstall framing, or run `make model`"
        )
    return path
