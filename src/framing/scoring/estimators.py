"""The logistic stance and frame heads as scikit-learn estimators.

:class:`StanceClassifier` and :class:`FrameClassifier` wrap the embedded
encoder and its heads (:class:`~framing.scoring.stance.StanceHead`,
:class:`~framing.scoring.frames.FrameHead`) behind scikit-learn's contract
(``BaseEstimator``, ``ClassifierMixin``), so that ``clone``,
``cross_validate``, ``cross_val_predict`` and grid search work on them:

* a stance row is a sentence–target pair: ``X`` is a table with ``text``
  and ``target`` columns, ``y`` the labels ``favor``, ``against``, ``none``;
* a frame row is a sentence: ``X`` has a ``text`` column (and optionally
  ``frames``, further frames separated by ``|``), ``y`` the main frame.

The encoder is named, not held (``model=None`` is the embedded default), so
a clone is cheap; embeddings come from the on-disk cache.

Examples
--------
>>> from sklearn.base import clone
>>> clone(StanceClassifier(C=2.0)).get_params()["C"]
2.0
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from framing.scoring._core import FRAMES, TARGETS, embed, load_training
from framing.scoring.frames import FrameHead, frame_examples, load_frames
from framing.scoring.stance import LABELS, StanceHead, load_targets, stance_pairs, target_text

__all__ = ["FrameClassifier", "Shared", "StanceClassifier", "stance_rows"]


class Shared:
    """A loaded model passed as an estimator parameter without being copied.

    scikit-learn's ``clone`` deep-copies parameters; a loaded encoder (and a
    backend's native model, which cannot be copied at all) is shared
    instead.

    Examples
    --------
    >>> import copy
    >>> s = Shared("any model")
    >>> copy.deepcopy(s) is s
    True
    """

    def __init__(self, model: Any) -> None:
        self.model = model

    def __deepcopy__(self, memo: dict[int, Any]) -> Shared:
        return self

    def __repr__(self) -> str:
        return f"Shared({getattr(self.model, 'name', self.model)!r})"


def _encoder(model: Any) -> Any:
    from framing.scoring.models import Encoder

    if isinstance(model, Shared):
        model = model.model
    return model if isinstance(model, Encoder) else _named_encoder(model)


@functools.lru_cache(maxsize=4)
def _named_encoder(model: str | None) -> Any:
    from framing.scoring.models import Encoder, resolve_model

    enc = resolve_model(model)
    if not isinstance(enc, Encoder):
        raise TypeError(f"{model!r} is not a sentence encoder: the logistic heads need one")
    return enc


def _table(X: Any, columns: Sequence[str]) -> pd.DataFrame:
    table = X if isinstance(X, pd.DataFrame) else pd.DataFrame(list(X), columns=list(columns))
    missing = set(columns) - set(table.columns)
    if missing:
        raise ValueError(f"X needs the column(s) {sorted(missing)}")
    return table


def stance_rows(sentences: pd.DataFrame, targets: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Sentence–target pairs from a wide labelled table: ``X`` (every column plus ``target``) and ``y``.

    Only pairs with a label in ``favor``, ``against``, ``none`` are kept;
    ``row`` is the pair's sentence's position in ``sentences``.

    Examples
    --------
    >>> wide = pd.DataFrame({"text": ["a", "b"], "russia": ["favor", ""], "ukraine": ["none", "against"]})
    >>> X, y = stance_rows(wide, ["russia", "ukraine"])
    >>> list(zip(X["row"], X["target"], y))
    [(0, 'russia', 'favor'), (0, 'ukraine', 'none'), (1, 'ukraine', 'against')]
    """
    sentences = sentences.reset_index(drop=True).assign(row=lambda d: np.arange(len(d)))
    parts = []
    for i, t in enumerate(targets):
        if t not in sentences.columns:
            continue
        rows = sentences[sentences[t].isin(LABELS)].assign(target=t, _label=lambda d, t=t: d[t], _order=i)
        parts.append(rows)
    if not parts:
        return sentences.head(0).assign(target=[]), np.array([], dtype=object)
    pairs = pd.concat(parts).sort_values(["row", "_order"], kind="stable")
    y = pairs.pop("_label").to_numpy(dtype=object)
    return pairs.drop(columns="_order").reset_index(drop=True), y


class StanceClassifier(ClassifierMixin, BaseEstimator):
    """Stance toward a target, from the sentence encoder and logistic heads, as a scikit-learn classifier.

    Parameters
    ----------
    model
        Encoder name or folder (``None``: the embedded default), or a loaded
        encoder wrapped in :class:`Shared` (so that clones share it).
    codebook
        Targets codebook (shipped name or path): descriptions for the pooled
        head and, with ``statements=True``, favour and opposition statements
        added to every fit.
    training
        Extra labelled sentences added to every fit (a training CSV, shipped
        name or path), or ``None``.
    statements
        Add the favour and opposition statements of every target of the
        codebook (as scoring does: a target without labelled sentences is
        scored from its description and statements).
    mode, C, class_weight, tfidf_weight, random_state
        Options of :class:`framing.scoring.stance.StanceHead`.
    cache_dir
        Score cache folder for the embeddings (``None``: the default).

    Examples
    --------
    >>> from sklearn.model_selection import GroupKFold, cross_val_predict
    >>> clf = StanceClassifier()
    >>> proba = cross_val_predict(clf, X, y, groups=events, cv=GroupKFold(5),  # doctest: +SKIP
    ...                           method="predict_proba")
    """

    def __init__(
        self,
        *,
        model: Any = None,
        codebook: str | Path = TARGETS,
        training: str | Path | None = None,
        statements: bool = True,
        mode: str = "per_target",
        C: float = 1.0,
        class_weight: str | None = "balanced",
        tfidf_weight: float = 1.0,
        random_state: int = 0,
        cache_dir: str | Path | None = None,
    ) -> None:
        self.model = model
        self.codebook = codebook
        self.training = training
        self.statements = statements
        self.mode = mode
        self.C = C
        self.class_weight = class_weight
        self.tfidf_weight = tfidf_weight
        self.random_state = random_state
        self.cache_dir = cache_dir

    def fit(self, X: Any, y: Sequence[str]) -> StanceClassifier:
        """Fit on sentence–target pairs ``X`` (``text``, ``target``) and their labels ``y``."""
        pairs = _table(X, ["text", "target"])
        texts, tids, labels = pairs["text"].astype(str).tolist(), pairs["target"].tolist(), list(y)
        book = load_targets(self.codebook)
        if self.training is not None:
            extra = stance_pairs(load_training(self.training), [{"id": t["id"]} for t in book])
            texts, tids, labels = texts + extra[0], tids + extra[1], labels + extra[2]
        if self.statements:
            said = stance_pairs(pd.DataFrame({"text": []}), book)
            texts, tids, labels = texts + said[0], tids + said[1], labels + said[2]
        enc = _encoder(self.model)
        vectors = embed(enc, [target_text(t) for t in book], folder=self.cache_dir)
        self.head_ = StanceHead(
            mode=self.mode,  # type: ignore[arg-type]
            C=self.C,
            class_weight=self.class_weight,
            tfidf_weight=self.tfidf_weight,
            random_state=self.random_state,
        ).fit(
            embed(enc, texts, folder=self.cache_dir),
            tids,
            labels,
            target_vectors=dict(zip([str(t["id"]) for t in book], vectors, strict=True)),
            texts=texts,
        )
        self.classes_ = np.array(sorted(LABELS), dtype=object)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of each pair, columns in the order of ``classes_`` (against, favor, none)."""
        pairs = _table(X, ["text", "target"])
        texts = pairs["text"].astype(str).tolist()
        P = self.head_.predict_proba(embed(_encoder(self.model), texts, folder=self.cache_dir),
                                     pairs["target"].tolist(), texts)
        return P[:, [LABELS.index(c) for c in self.classes_]]

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label of each pair."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class FrameClassifier(ClassifierMixin, BaseEstimator):
    """Main frame of a sentence, from the sentence encoder and one-vs-rest logistic heads.

    Parameters
    ----------
    model
        Encoder name or folder (``None``: the embedded default), or a loaded
        encoder wrapped in :class:`Shared` (so that clones share it).
    codebook
        Frames codebook (shipped name or path); its example sentences are
        added to every fit with ``examples=True``.
    training
        Extra labelled sentences added to every fit (a training CSV), or ``None``.
    examples
        Add the codebook's example sentences.
    C, class_weight, random_state
        Options of :class:`framing.scoring.frames.FrameHead`.
    cache_dir
        Score cache folder for the embeddings (``None``: the default).

    Examples
    --------
    >>> FrameClassifier(C=5.0).get_params()["C"]
    5.0
    """

    def __init__(
        self,
        *,
        model: Any = None,
        codebook: str | Path = FRAMES,
        training: str | Path | None = None,
        examples: bool = True,
        C: float = 10.0,
        class_weight: str | None = None,
        random_state: int = 0,
        cache_dir: str | Path | None = None,
    ) -> None:
        self.model = model
        self.codebook = codebook
        self.training = training
        self.examples = examples
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state
        self.cache_dir = cache_dir

    def fit(self, X: Any, y: Sequence[str]) -> FrameClassifier:
        """Fit on sentences ``X`` (``text``; optional ``frames``) and their main frames ``y``."""
        table = _table(X, ["text"]).assign(frame=list(y))
        if self.training is not None:
            table = pd.concat([table, load_training(self.training)], ignore_index=True).fillna("")
        frames = load_frames(self.codebook)
        if not self.examples:
            frames = [{**f, "examples": []} for f in frames]
        texts, Y = frame_examples(table, frames)
        self.frame_ids_ = [str(f["id"]) for f in frames]
        self.head_ = FrameHead(C=self.C, class_weight=self.class_weight, random_state=self.random_state)
        self.head_.fit(embed(_encoder(self.model), texts, folder=self.cache_dir), Y)
        self.classes_ = np.array(sorted(self.frame_ids_), dtype=object)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each frame, normalised over frames, columns in the order of ``classes_``."""
        texts = _table(X, ["text"])["text"].astype(str).tolist()
        P = self.head_.predict_proba(embed(_encoder(self.model), texts, folder=self.cache_dir))
        P = P[:, [self.frame_ids_.index(c) for c in self.classes_]]
        return P / P.sum(axis=1, keepdims=True).clip(min=1e-12)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable main frame of each sentence."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
