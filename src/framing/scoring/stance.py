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
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from framing import _codebooks
from framing.scoring._cache import Cache, cached_rows, namespace
from framing.scoring.models import Encoder, Model, NLIModel, resolve_model

log = logging.getLogger(__name__)

LABELS: tuple[str, str, str] = ("favor", "against", "none")
TRAINING = "training/examples.csv"
TARGETS = "targets.yaml"
#: bump when the heads change, so cached scores from older heads are not reused
HEAD_VERSION = "lr-tfidf-2"
STANCE_COLUMNS = ["sent_id", "target", "favor", "against", "none", "label", "score"]

HeadMode = Literal["per_target", "pooled"]
#: how an encoder's embeddings become probabilities: logistic heads on frozen
#: embeddings, or the encoder fine-tuned with its heads (``framing.scoring.training``)
HeadKind = Literal["logistic", "finetuned"]
HEADS: tuple[str, ...] = ("logistic", "finetuned")
DEFAULT_HEAD: HeadKind = "logistic"
Sentences = pd.DataFrame | pd.Series | Sequence[str]
ModelArg = Model | str | os.PathLike[str] | None


# ---------------------------------------------------------------- inputs


def as_sentences(sentences: Sentences) -> pd.DataFrame:
    """``sent_id`` and ``text`` of a sentences table, or of strings numbered 0..n-1.

    Warns once, with a count, when a ``language`` column marks rows as not
    English: they are scored all the same, by a model built for English.
    """
    if isinstance(sentences, pd.DataFrame):
        missing = {"sent_id", "text"} - set(sentences.columns)
        if missing:
            raise ValueError(
                f"the sentences table lacks {sorted(missing)}: pass the output of "
                "framing.split_sentences, or a list of strings"
            )
        if "language" in sentences.columns:
            lang = sentences["language"].astype("string").str.lower()
            n_other = int((lang.notna() & ~lang.fillna("en").str.startswith("en")).sum())
            if n_other:
                warnings.warn(
                    f"{n_other} of {len(sentences)} sentences are not in English: they are scored "
                    "by a model built for English, so their scores are less reliable",
                    UserWarning,
                    stacklevel=3,
                )
        out = sentences[["sent_id", "text"]].copy()
    else:
        texts = list(sentences.tolist() if isinstance(sentences, pd.Series) else sentences)
        if isinstance(sentences, str):
            raise TypeError("pass a list of sentences, not a single string")
        out = pd.DataFrame({"sent_id": range(len(texts)), "text": texts})
    out["text"] = out["text"].fillna("").astype(str)
    return out.reset_index(drop=True)


def load_targets(
    codebook: str | Path = TARGETS, targets: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Targets of a codebook (shipped name or path), optionally only the ``targets`` ids, in that order."""
    book = _codebooks.load_yaml(codebook)
    entries = book.get("targets", []) if isinstance(book, dict) else []
    by_id = {str(t["id"]): t for t in entries}
    if not by_id:
        raise ValueError(f"{codebook}: no 'targets' list with 'id' entries")
    if targets is None:
        return list(by_id.values())
    unknown = [t for t in targets if t not in by_id]
    if unknown:
        raise ValueError(f"unknown target(s) {unknown}: {codebook} defines {sorted(by_id)}")
    return [by_id[t] for t in targets]


def load_training(path: str | Path = TRAINING) -> pd.DataFrame:
    """The labelled examples the encoder heads are fitted on (shipped name or path)."""
    df = _codebooks.load_csv(path, dtype=str, keep_default_na=False)
    if "text" not in df.columns:
        raise ValueError(f"{path}: a training file needs a 'text' column")
    return df


# ---------------------------------------------------------------- embeddings


_COMMIT_EVERY = 1024  # sentences encoded between two cache commits


def embed(
    encoder: Encoder, texts: Sequence[str], *, cache: bool = True, progress: bool | None = None
) -> np.ndarray:
    """Embeddings of ``texts``, each distinct text through the encoder once, cached on disk."""
    texts = [str(t) for t in texts]
    unique = list(dict.fromkeys(texts))
    if cache:
        # committed chunk by chunk: a run that is stopped keeps what it finished
        found = Cache().map_arrays(
            namespace(**encoder.key, what="embedding"),
            unique,
            lambda batch: encoder.encode(batch, progress=progress),
            batch_size=_COMMIT_EVERY,
        )
    else:
        found = dict(zip(unique, encoder.encode(unique, progress=progress), strict=True)) if unique else {}
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.vstack([found[t] for t in texts]).astype(np.float32)


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
    **params: Any,
) -> StanceHead:
    """Fit a :class:`StanceHead` on ``training`` (and the targets' statements) with ``encoder``."""
    texts, tids, labels = stance_pairs(training, targets)
    X = embed(encoder, texts, cache=cache)
    tvec = dict(
        zip([str(t["id"]) for t in targets], embed(encoder, [target_text(t) for t in targets]), strict=True)
    )
    return StanceHead(**params).fit(X, tids, labels, target_vectors=tvec, texts=texts)


_HEADS: dict[tuple[str, ...], StanceHead] = {}


def _shipped_head(encoder: Encoder, codebook: str, training: str) -> StanceHead:
    """The head fitted on ``training``, once per process for each model and codebook."""
    key = (*encoder.key.values(), _codebooks.digest(codebook, training), HEAD_VERSION)
    if key not in _HEADS:
        log.info("fitting the stance head on %s", training)
        _HEADS[key] = fit_stance_head(encoder, load_targets(codebook), load_training(training))
    return _HEADS[key]


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


def resolve_head(head: HeadKind | str | None) -> HeadKind:
    """``head`` if given, else :data:`DEFAULT_HEAD`; an unknown name is a clear error."""
    kind = DEFAULT_HEAD if head is None else str(head)
    if kind not in HEADS:
        raise ValueError(f"unknown head {head!r}: use one of {', '.join(HEADS)}")
    return kind  # type: ignore[return-value]


def head_version(head: HeadKind) -> str:
    """The head's part of the score cache key."""
    if head == "finetuned":
        from framing.scoring.training import FINETUNE_VERSION

        return f"{HEAD_VERSION}/{FINETUNE_VERSION}"
    return HEAD_VERSION


def _stance_matrix(
    model: Model,
    texts: list[str],
    targets: list[dict[str, Any]],
    codebook: str | Path,
    training: str | Path,
    cache: bool,
    head: HeadKind = "logistic",
) -> np.ndarray:
    """Probabilities ``(len(texts), len(targets), 3)``, from the disk cache where possible."""
    tids = [str(t["id"]) for t in targets]
    ns = namespace(
        **model.key,
        what="stance",
        codebook=_codebooks.digest(codebook, training),
        head=head_version(head),
        targets=",".join(tids),
    )

    def compute(todo: list[str]) -> np.ndarray:
        if isinstance(model, NLIModel):
            return nli_stance(model, todo, targets)
        if head == "finetuned":
            from framing.scoring.training import finetuned_head

            ft = finetuned_head(model, targets=codebook, training=training, cache=cache)
            return ft.predict_stance(todo)[:, [ft.target_ids_.index(t) for t in tids]]
        lr_head = _shipped_head(model, str(codebook), str(training))
        X = embed(model, todo, cache=cache)
        P = np.zeros((len(todo), len(targets), 3))
        for j, tid in enumerate(tids):
            P[:, j] = lr_head.predict_proba(X, [tid] * len(todo), todo)
        return P

    found = cached_rows(ns, texts, compute, cache=cache)
    if not texts:
        return np.zeros((0, len(targets), 3))
    return np.asarray([found[t] for t in texts], dtype=np.float64)


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
    sents = as_sentences(sentences)
    tlist = load_targets(codebook, targets)
    m = resolve_model(model)
    P = _stance_matrix(m, sents["text"].tolist(), tlist, codebook, training, cache, resolve_head(head))
    return stance_table(sents["sent_id"].tolist(), [str(t["id"]) for t in tlist], P)


def evidence(
    scores: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    by: str = "source",
    n: int = 3,
) -> pd.DataFrame:
    """The sentences that drive each group's mean stance score or frame share.

    Each sentence contributes ``value / group size`` to its group's mean,
    where ``value`` is the stance ``score`` (for a stance table) or the frame
    ``prob`` (for a frame table). The ``n`` sentences with the largest
    absolute contribution per group and target (or frame) are listed, with
    their text and the share of the group's total absolute contribution they
    carry.

    Parameters
    ----------
    scores
        Output of :func:`score_stance` or :func:`framing.score_frames`.
    sentences
        The sentences table, with ``sent_id``, ``text`` and the ``by`` column.
    by
        Column of ``sentences`` that defines the groups (a source, an outlet...).
    n
        Sentences per group and target or frame.

    Returns
    -------
    pandas.DataFrame
        ``by, target|frame, mean, rank, sent_id, text, value, contribution, share``.

    Examples
    --------
    >>> import pandas as pd
    >>> st = pd.DataFrame({"sent_id": [0, 1], "target": "t", "score": [0.8, -0.2]})
    >>> s = pd.DataFrame({"sent_id": [0, 1], "text": ["a", "b"], "source": "X"})
    >>> evidence(st, s, n=1)[["source", "sent_id", "contribution"]].values.tolist()
    [['X', 0, 0.4]]
    """
    if "target" in scores.columns and "score" in scores.columns:
        key, value = "target", "score"
    elif "frame" in scores.columns and "prob" in scores.columns:
        key, value = "frame", "prob"
    else:
        raise ValueError("scores must be a stance table (target, score) or a frame table (frame, prob)")
    if by not in sentences.columns:
        raise ValueError(f"the sentences table has no column {by!r} to group by")
    df = scores[["sent_id", key, value]].merge(sentences[["sent_id", "text", by]], on="sent_id", how="inner")
    df = df.rename(columns={value: "value"})
    grp = df.groupby([by, key], sort=True, dropna=False)
    df["mean"] = grp["value"].transform("mean")
    df["contribution"] = df["value"] / grp["value"].transform("size")
    total = df["contribution"].abs().groupby([df[by], df[key]], dropna=False).transform("sum")
    df["share"] = (df["contribution"].abs() / total.where(total > 0)).fillna(0.0)
    df["_abs"] = df["contribution"].abs()
    df = df.sort_values([by, key, "_abs", "sent_id"], ascending=[True, True, False, True], kind="stable")
    df["rank"] = df.groupby([by, key], dropna=False).cumcount() + 1
    cols = [by, key, "mean", "rank", "sent_id", "text", "value", "contribution", "share"]
    return df[df["rank"] <= n][cols].reset_index(drop=True)
