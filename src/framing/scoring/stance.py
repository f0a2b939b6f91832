"""Stance of each sentence toward the targets of a codebook: favor, against or none.

Two ways to score, chosen by the model:

- a **sentence encoder** (the embedded default, all-MiniLM-L6-v2): each
  sentence is embedded once; logistic-regression heads on the frozen
  embeddings, fitted at first use on the labelled examples shipped in
  ``codebooks/training/`` (and the codebook's own statements), give
  calibrated probabilities;
- an **NLI model**: the probability that the sentence entails the target's
  favour hypothesis and its opposition hypothesis, combined into favor,
  against and none.

Scores are cached on disk (see ``framing.scoring._cache``), keyed by the model, its
weights hash, the precision, the codebook hash, the head version and the text.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from framing.config import Settings
from framing.scoring._core import (
    DEFAULT_HEAD,
    HEAD_VERSION,
    TARGETS,
    TRAINING,
    HeadKind,
    ModelArg,
    Sentences,
    Task,
    embed,
    load_entries,
    load_training,
    score_task,
)
from framing.scoring.models import Encoder, NLIModel
from framing.scoring.training import finetuned_head

log = logging.getLogger(__name__)

LABELS: tuple[str, str, str] = ("favor", "against", "none")
STANCE_COLUMNS = ["sent_id", "target", "favor", "against", "none", "label", "score"]

HeadMode = Literal["per_target", "pooled"]

__all__ = [
    "DEFAULT_HEAD",
    "HEAD_VERSION",
    "LABELS",
    "STANCE",
    "StanceHead",
    "fit_stance_head",
    "load_targets",
    "load_training",
    "nli_stance",
    "score_stance",
    "stance_pairs",
    "stance_table",
    "target_text",
    "unlabelled_targets",
]


def load_targets(
    codebook: str | Path = TARGETS, targets: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Targets of a codebook (shipped name or path), optionally only the ``targets`` ids, in that order.

    Examples
    --------
    >>> [t["id"] for t in load_targets(targets=["russia"])]
    ['russia']
    """
    return load_entries(codebook, "targets", targets)


# ---------------------------------------------------------------- the encoder head


class StanceHead:
    """Logistic-regression stance classifier on frozen sentence embeddings.

    Parameters
    ----------
    mode
        ``"per_target"``: one head per target, on the sentence embedding and
        (if ``tfidf_weight > 0``) the sentence's TF-IDF word uni- and bigrams;
        ``"pooled"``: one head for all targets, on ``[s, t, s*t, |s-t|]``
        where ``t`` is the embedding of the target's description, so that a
        target without examples is still scored (zero-shot). Targets without
        examples use the pooled head in either mode.
    C
        Inverse regularisation strength.
    class_weight
        Passed to scikit-learn (``"balanced"`` counters the many ``none`` labels).
    tfidf_weight
        Weight of the TF-IDF block next to the embedding (0 leaves it out).
    random_state
        Seed for the solver.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.eye(4, dtype="float32")
    >>> head = StanceHead(C=10, tfidf_weight=0).fit(
    ...     X, ["t"] * 4, ["favor", "against", "none", "favor"], target_vectors={"t": np.ones(4) / 2})
    >>> head.predict_proba(X[:1], ["t"]).shape
    (1, 3)
    """

    def __init__(
        self,
        *,
        mode: HeadMode = "per_target",
        C: float = 1.0,
        class_weight: str | None = "balanced",
        tfidf_weight: float = 1.0,
        random_state: int = 0,
    ) -> None:
        self.mode = mode
        self.C = C
        self.class_weight = class_weight
        self.tfidf_weight = tfidf_weight
        self.random_state = random_state

    def _lr(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=5000, random_state=self.random_state
        )

    def _pair_features(self, X: np.ndarray, targets: Sequence[str]) -> np.ndarray:
        T = np.vstack([self.target_vectors_[t] for t in targets]).astype(np.float32)
        return np.hstack([X, T, X * T, np.abs(X - T)])

    def _features(self, t: str, X: np.ndarray, texts: Sequence[str] | None) -> Any:
        vec = self.vectorizers_.get(t)
        if vec is None:
            return X
        if texts is None:
            raise ValueError("this head uses TF-IDF features: pass the sentences' texts")
        from scipy import sparse

        return sparse.hstack([sparse.csr_matrix(X), self.tfidf_weight * vec.transform(texts)]).tocsr()

    def fit(
        self,
        X: np.ndarray,
        targets: Sequence[str],
        y: Sequence[str],
        *,
        target_vectors: Mapping[str, np.ndarray],
        texts: Sequence[str] | None = None,
    ) -> StanceHead:
        """Fit on pairs: embedding ``X[i]`` of ``texts[i]``, target ``targets[i]``, label ``y[i]``."""
        X = np.asarray(X, dtype=np.float32)
        targets = np.asarray(targets, dtype=object)
        y = np.asarray(y, dtype=object)
        bad = sorted(set(y) - set(LABELS))
        if bad:
            raise ValueError(f"stance labels must be favor, against or none; got {bad}")
        if self.tfidf_weight and self.mode == "per_target" and texts is None:
            raise ValueError("this head uses TF-IDF features: pass the sentences' texts")
        self.target_vectors_ = {k: np.asarray(v, dtype=np.float32) for k, v in target_vectors.items()}
        self.heads_: dict[str, Any] = {}
        self.vectorizers_: dict[str, Any] = {}
        if self.mode == "per_target":
            from sklearn.feature_extraction.text import TfidfVectorizer

            for t in dict.fromkeys(targets):
                rows = targets == t
                if len(set(y[rows])) < len(LABELS):
                    continue
                if self.tfidf_weight:
                    tx = np.asarray(texts, dtype=object)[rows]
                    self.vectorizers_[t] = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(tx)
                    feats = self._features(t, X[rows], tx)
                else:
                    feats = X[rows]
                self.heads_[t] = self._lr().fit(feats, y[rows])
        self.pooled_ = self._lr().fit(self._pair_features(X, targets), y)
        return self

    def _ordered(self, model: Any, proba: np.ndarray) -> np.ndarray:
        order = [list(model.classes_).index(lab) for lab in LABELS]
        return proba[:, order]

    def predict_proba(
        self, X: np.ndarray, targets: Sequence[str], texts: Sequence[str] | None = None
    ) -> np.ndarray:
        """Probabilities of favor, against, none (columns in that order) for each pair."""
        X = np.asarray(X, dtype=np.float32)
        targets = np.asarray(targets, dtype=object)
        tx = None if texts is None else np.asarray(texts, dtype=object)
        out = np.zeros((len(X), len(LABELS)))
        for t in dict.fromkeys(targets):
            rows = targets == t
            if t in self.heads_:
                m = self.heads_[t]
                feats = self._features(t, X[rows], None if tx is None else tx[rows])
                out[rows] = self._ordered(m, m.predict_proba(feats))
            else:
                if t not in self.target_vectors_:
                    raise KeyError(f"no description embedding for target {t!r}")
                m = self.pooled_
                out[rows] = self._ordered(m, m.predict_proba(self._pair_features(X[rows], targets[rows])))
        return out


def target_text(target: Mapping[str, Any]) -> str:
    """The text a target is embedded as: its name and description."""
    return f"{target.get('name', target['id'])}: {target.get('description', '')}".strip()


def stance_pairs(
    training: pd.DataFrame, targets: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[str], list[str]]:
    """(texts, target ids, labels) from labelled examples plus the codebook's statements."""
    texts: list[str] = []
    tids: list[str] = []
    labels: list[str] = []
    for t in targets:
        tid = str(t["id"])
        if tid in training.columns:
            rows = training[training[tid].isin(LABELS)]
            texts += rows["text"].tolist()
            tids += [tid] * len(rows)
            labels += rows[tid].tolist()
        for lab in ("favor", "against"):
            for s in t.get(lab, []) or []:
                texts.append(str(s))
                tids.append(tid)
                labels.append(lab)
    return texts, tids, labels


def fit_stance_head(
    encoder: Encoder,
    targets: Sequence[Mapping[str, Any]],
    training: pd.DataFrame,
    *,
    cache: bool = True,
    folder: str | Path | None = None,
    **params: Any,
) -> StanceHead:
    """Fit a :class:`StanceHead` on ``training`` (and the targets' statements) with ``encoder``.

    ``folder`` is the score cache's folder for the embeddings (default:
    ``framing.paths().cache``).

    Examples
    --------
    >>> from framing import load_model
    >>> head = fit_stance_head(load_model(), load_targets(), load_training())  # doctest: +SKIP
    """
    texts, tids, labels = stance_pairs(training, targets)
    X = embed(encoder, texts, cache=cache, folder=folder)
    tvec = dict(
        zip(
            [str(t["id"]) for t in targets],
            embed(encoder, [target_text(t) for t in targets], folder=folder),
            strict=True,
        )
    )
    return StanceHead(**params).fit(X, tids, labels, target_vectors=tvec, texts=texts)


# ---------------------------------------------------------------- NLI


def nli_stance(model: NLIModel, texts: Sequence[str], targets: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """favor/against/none probabilities from entailment, shape ``(len(texts), len(targets), 3)``.

    With ``f`` and ``a`` the probabilities that the sentence entails the
    favour and the opposition hypothesis, favor is ``f(1-a)``, against is
    ``a(1-f)``, and none takes the rest (neither, or both at once).
    """
    premises: list[str] = []
    hyps: list[str] = []
    for text in texts:
        for t in targets:
            h = t.get("hypotheses") or {}
            name = t.get("name", t["id"])
            premises += [text, text]
            hyps += [
                h.get("favor", f"This text supports {name}."),
                h.get("against", f"This text opposes {name}."),
            ]
    p = model.entail(premises, hyps).reshape(len(texts), len(targets), 2).astype(np.float64)
    f, a = p[..., 0], p[..., 1]
    favor, against = f * (1 - a), a * (1 - f)
    return np.stack([favor, against, 1 - favor - against], axis=-1)


# ---------------------------------------------------------------- public API


def unlabelled_targets(training: pd.DataFrame, targets: Sequence[Mapping[str, Any]]) -> list[str]:
    """Ids of the ``targets`` whose column in ``training`` lacks one of favor, against and none.

    Such a target gets no head of its own: it is scored zero-shot, from its
    description and statements, by the head pooled over all targets.

    Examples
    --------
    >>> import pandas as pd
    >>> train = pd.DataFrame({"text": ["a", "b", "c"], "t1": ["favor", "against", "none"]})
    >>> unlabelled_targets(train, [{"id": "t1"}, {"id": "t2"}])
    ['t2']
    """
    out = []
    for t in targets:
        tid = str(t["id"])
        have = set(training[tid]) if tid in training.columns else set()
        if not set(LABELS) <= have:
            out.append(tid)
    return out


def _fit(encoder: Encoder, codebook: str, training: str, folder: Path) -> StanceHead:
    targets, train = load_targets(codebook), load_training(training)
    missing = unlabelled_targets(train, targets)
    if missing:
        # the head pooled over targets learns what "none" looks like from the shipped labelled targets
        ids = {str(t["id"]) for t in targets}
        borrowed = [t for t in load_targets(TARGETS) if str(t["id"]) not in ids]
        if borrowed and str(training) != TRAINING:  # the shipped file already holds their labels
            shipped = load_training(TRAINING)
            cols = ["text", *[str(t["id"]) for t in borrowed if str(t["id"]) in shipped.columns]]
            train = pd.concat([train, shipped[cols]], ignore_index=True).fillna("")
        targets = [*targets, *borrowed]
    return fit_stance_head(encoder, targets, train, folder=folder)


def _warn_zero_shot(codebook: str, training: str) -> None:
    """Warn, each time a head is fitted or loaded, about targets without labelled examples."""
    missing = unlabelled_targets(load_training(training), load_targets(codebook))
    if missing:
        warnings.warn(
            f"target(s) {', '.join(missing)} have no labelled examples of all three labels in {training}: "
            "they are scored zero-shot from their description and statements, with unmeasured accuracy; "
            "add a column per target (favor/against/none) to a training CSV and pass it as training= "
            "(framing reports --training)",
            UserWarning,
            stacklevel=5,
        )


def _apply(head: StanceHead, X: np.ndarray, texts: list[str], ids: list[str], codebook: Any) -> np.ndarray:
    P = np.zeros((len(texts), len(ids), 3))
    for j, tid in enumerate(ids):
        P[:, j] = head.predict_proba(X, [tid] * len(texts), texts)
    return P


def _finetuned(
    encoder: Encoder,
    texts: list[str],
    ids: list[str],
    codebook: Any,
    training: Any,
    cache: bool,
    folder: Path,
) -> np.ndarray:
    ft = finetuned_head(encoder, targets=codebook, training=training, cache=cache, folder=folder)
    return ft.predict_stance(texts)[:, [ft.target_ids_.index(t) for t in ids]]


def stance_table(sent_ids: Sequence[Any], target_ids: Sequence[str], P: np.ndarray) -> pd.DataFrame:
    """The long stance table from probabilities ``P`` of shape ``(n, targets, 3)``."""
    n, k = len(sent_ids), len(target_ids)
    P = np.clip(np.asarray(P, dtype=np.float64).reshape(n * k, 3), 0.0, None)
    P = P / P.sum(axis=1, keepdims=True).clip(min=1e-12)
    out = pd.DataFrame(
        {
            "sent_id": np.repeat(np.asarray(sent_ids, dtype=object), k),
            "target": np.tile(np.asarray(target_ids, dtype=object), n),
            "favor": P[:, 0],
            "against": P[:, 1],
            "none": P[:, 2],
        }
    )
    out["label"] = np.asarray(LABELS, dtype=object)[P.argmax(axis=1)]
    out["score"] = out["favor"] - out["against"]
    if n:
        out["sent_id"] = out["sent_id"].astype(pd.Series(sent_ids).dtype)
    return out[STANCE_COLUMNS]


def score_stance(
    sentences: Sentences,
    *,
    targets: Sequence[str] | None = None,
    model: ModelArg = None,
    codebook: str | Path = TARGETS,
    training: str | Path = TRAINING,
    cache: bool = True,
    head: HeadKind | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Stance of every sentence toward every target, as probabilities.

    Parameters
    ----------
    sentences
        The sentences table (``sent_id``, ``text``; an optional ``language``
        column) or a list or Series of strings (``sent_id`` is then 0..n-1).
    targets
        Target ids to score (default: all targets of ``codebook``).
    model
        A loaded model, a model name or path, or ``None`` for ``FRAMING_MODEL``
        or the embedded default (see :func:`framing.load_model`).
    codebook
        Targets codebook: shipped name or path to a YAML file of your own.
    training
        Labelled examples for an encoder's head (shipped name or your CSV).
    cache
        Read and write scores in the on-disk cache.
    head
        How an encoder's output becomes probabilities: ``"finetuned"`` (the
        encoder fine-tuned with its stance and frame heads, see
        :func:`framing.scoring.training.finetuned_head`) or ``"logistic"`` (logistic
        heads on frozen embeddings); default :data:`DEFAULT_HEAD`. Ignored
        for an NLI model.
    settings
        Model, precision, cache folder and device (:class:`framing.Settings`);
        default :meth:`framing.Settings.from_env`. A ``model`` given here
        takes precedence over ``settings.model``.

    Returns
    -------
    pandas.DataFrame
        One row per sentence and target: ``sent_id, target, favor, against,
        none, label, score``; the three probabilities sum to 1, ``label`` is
        the most probable one and ``score = favor - against``.

    Examples
    --------
    >>> from framing import score_stance
    >>> st = score_stance(["NATO must stop expanding east."], targets=["nato_expansion"])  # doctest: +SKIP
    >>> st.loc[0, "label"]  # doctest: +SKIP
    'against'
    """
    return score_task(
        STANCE,
        sentences,
        ids=targets,
        model=model,
        codebook=codebook,
        training=training,
        cache=cache,
        head=head,
        settings=settings,
    )


#: the stance task of the shared scoring loop (:func:`framing.scoring._core.score_task`)
STANCE = Task(
    what="stance",
    section="targets",
    fit=_fit,
    logistic=_apply,
    nli=nli_stance,
    check=_warn_zero_shot,
    finetuned=_finetuned,
    table=stance_table,
    shape=(3,),
    head_class=StanceHead,
)
