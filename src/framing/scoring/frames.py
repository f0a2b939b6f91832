"""Frames of each sentence: the probability that each frame of the codebook is present.

The default codebook holds the 15 frames of the Policy Frames Codebook
(Boydstun et al. 2014). Frames are not exclusive, so each frame gets its own
probability (one-vs-rest): with a sentence encoder, a logistic-regression
head per frame on the frozen embeddings, fitted at first use on the shipped
labelled examples and the codebook's example sentences; with an NLI model,
the probability that the sentence entails the frame's hypothesis.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing.config import Settings
from framing.scoring._core import (
    FRAMES,
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

FRAME_COLUMNS = ["sent_id", "frame", "prob"]

__all__ = [
    "FRAMES",
    "FrameHead",
    "fit_frame_head",
    "frame_examples",
    "frame_labels",
    "frame_table",
    "load_frames",
    "nli_frames",
    "score_frames",
    "top_frames",
]


def load_frames(codebook: str | Path = FRAMES, frames: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Frames of a codebook (shipped name or path), optionally only the ``frames`` ids, in that order.

    Examples
    --------
    >>> len(load_frames())
    15
    """
    return load_entries(codebook, "frames", frames)


def frame_labels(training: pd.DataFrame, frame_ids: Sequence[str]) -> np.ndarray:
    """0/1 matrix ``(rows, frames)``: the main ``frame`` and any further ``frames`` (``|`` or ``;`` between).

    Examples
    --------
    >>> frame_labels(pd.DataFrame({"frame": ["legality"], "frames": ["economic|political"]}),
    ...              ["economic", "legality", "political", "other"]).tolist()
    [[1, 1, 1, 0]]
    """
    Y = np.zeros((len(training), len(frame_ids)), dtype=int)
    col = {f: j for j, f in enumerate(frame_ids)}
    mains = training["frame"] if "frame" in training.columns else pd.Series([""] * len(training))
    extra = training["frames"] if "frames" in training.columns else pd.Series([""] * len(training))
    for i, (main, more) in enumerate(zip(mains, extra, strict=True)):
        for f in [str(main), *str(more or "").replace("|", ";").split(";")]:
            if f.strip() in col:
                Y[i, col[f.strip()]] = 1
    return Y


class FrameHead:
    """One-vs-rest logistic regression per frame on frozen sentence embeddings.

    Parameters
    ----------
    C
        Inverse regularisation strength.
    class_weight
        Passed to scikit-learn for each frame's binary classifier.
    random_state
        Seed for the solver.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.eye(3, dtype="float32"); Y = np.eye(3, dtype=int)
    >>> FrameHead(C=10).fit(X, Y).predict_proba(X).shape
    (3, 3)
    """

    def __init__(self, *, C: float = 10.0, class_weight: str | None = None, random_state: int = 0) -> None:
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, X: np.ndarray, Y: np.ndarray) -> FrameHead:
        """Fit on embeddings ``X`` and a 0/1 label matrix ``Y`` (rows, frames)."""
        from sklearn.linear_model import LogisticRegression

        X = np.asarray(X, dtype=np.float32)
        Y = np.asarray(Y, dtype=int)
        self.models_: list[Any] = []
        self.prior_ = Y.mean(axis=0)
        for j in range(Y.shape[1]):
            if Y[:, j].min() == Y[:, j].max():  # a frame without positives (or negatives)
                self.models_.append(None)
                continue
            lr = LogisticRegression(
                C=self.C, class_weight=self.class_weight, max_iter=5000, random_state=self.random_state
            )
            self.models_.append(lr.fit(X, Y[:, j]))
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of each frame, shape ``(rows, frames)``."""
        X = np.asarray(X, dtype=np.float32)
        out = np.zeros((len(X), len(self.models_)))
        for j, m in enumerate(self.models_):
            out[:, j] = self.prior_[j] if m is None else m.predict_proba(X)[:, 1]
        return out


def frame_examples(
    training: pd.DataFrame, frames: Sequence[Mapping[str, Any]]
) -> tuple[list[str], np.ndarray]:
    """(texts, 0/1 labels) from labelled examples plus the codebook's example sentences."""
    ids = [str(f["id"]) for f in frames]
    texts = training["text"].tolist()
    Y = [frame_labels(training, ids)]
    for j, f in enumerate(frames):
        ex = [str(e) for e in f.get("examples", []) or []]
        texts += ex
        y = np.zeros((len(ex), len(ids)), dtype=int)
        y[:, j] = 1
        Y.append(y)
    return texts, np.vstack(Y)


def fit_frame_head(
    encoder: Encoder,
    frames: Sequence[Mapping[str, Any]],
    training: pd.DataFrame,
    *,
    cache: bool = True,
    folder: str | Path | None = None,
    **params: Any,
) -> FrameHead:
    """Fit a :class:`FrameHead` on ``training`` (and the codebook's examples) with ``encoder``.

    ``folder`` is the score cache's folder for the embeddings (default:
    ``framing.paths().cache``).

    Examples
    --------
    >>> from framing import load_model
    >>> head = fit_frame_head(load_model(), load_frames(), load_training())  # doctest: +SKIP
    """
    texts, Y = frame_examples(training, frames)
    return FrameHead(**params).fit(embed(encoder, texts, cache=cache, folder=folder), Y)


def nli_frames(model: NLIModel, texts: Sequence[str], frames: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Probability that each text entails each frame's hypothesis, shape ``(texts, frames)``."""
    hyps = [str(f.get("hypothesis") or f"This text is about {f.get('name', f['id'])}.") for f in frames]
    premises = [t for t in texts for _ in hyps]
    return model.entail(premises, hyps * len(texts)).reshape(len(texts), len(hyps)).astype(np.float64)


def _fit(encoder: Encoder, codebook: str, training: str, folder: Path) -> FrameHead:
    return fit_frame_head(encoder, load_frames(codebook), load_training(training), folder=folder)


def _apply(head: FrameHead, X: np.ndarray, texts: list[str], ids: list[str], codebook: Any) -> np.ndarray:
    all_ids = [str(f["id"]) for f in load_frames(codebook)]
    return head.predict_proba(X)[:, [all_ids.index(i) for i in ids]]


def _finetuned(
    encoder: Encoder,
    texts: list[str],
    ids: list[str],
    codebook: Any,
    training: Any,
    cache: bool,
    folder: Path,
) -> np.ndarray:
    ft = finetuned_head(encoder, frames=codebook, training=training, cache=cache, folder=folder)
    return ft.predict_frames(texts)[:, [ft.frame_ids_.index(i) for i in ids]]


def frame_table(sent_ids: Sequence[Any], frame_ids: Sequence[str], P: np.ndarray) -> pd.DataFrame:
    """The long frame table from probabilities ``P`` of shape ``(n, frames)``."""
    n, k = len(sent_ids), len(frame_ids)
    out = pd.DataFrame(
        {
            "sent_id": np.repeat(np.asarray(sent_ids, dtype=object), k),
            "frame": np.tile(np.asarray(frame_ids, dtype=object), n),
            "prob": np.clip(np.asarray(P, dtype=np.float64).reshape(n * k), 0.0, 1.0),
        }
    )
    if n:
        out["sent_id"] = out["sent_id"].astype(pd.Series(sent_ids).dtype)
    return out[FRAME_COLUMNS]


def score_frames(
    sentences: Sentences,
    *,
    frames: Sequence[str] | None = None,
    model: ModelArg = None,
    codebook: str | Path = FRAMES,
    training: str | Path = TRAINING,
    cache: bool = True,
    head: HeadKind | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Probability that each frame is present in each sentence.

    Parameters
    ----------
    sentences
        The sentences table (``sent_id``, ``text``; an optional ``language``
        column) or a list or Series of strings (``sent_id`` is then 0..n-1).
    frames
        Frame ids to score (default: all frames of ``codebook``).
    model
        A loaded model, a model name or path, or ``None`` for ``FRAMING_MODEL``
        or the embedded default.
    codebook
        Frames codebook: shipped name or path to a YAML file of your own.
    training
        Labelled examples for an encoder's head (shipped name or your CSV).
    cache
        Read and write scores in the on-disk cache.
    head
        ``"finetuned"`` or ``"logistic"`` (see :func:`framing.score_stance`);
        default :data:`framing.scoring.stance.DEFAULT_HEAD`. The fine-tuned head gives
        a softmax over the frames (trained on each sentence's main frame), so
        its probabilities sum to 1 across the codebook.
    settings
        Model, precision, cache folder and device (:class:`framing.Settings`);
        default :meth:`framing.Settings.from_env`.

    Returns
    -------
    pandas.DataFrame
        ``sent_id, frame, prob``: one row per sentence and frame. Frames are
        not exclusive, so the probabilities of a sentence need not sum to 1.

    Examples
    --------
    >>> from framing import score_frames
    >>> fr = score_frames(["Troops massed at the border."])  # doctest: +SKIP
    >>> fr.sort_values("prob").iloc[-1]["frame"]  # doctest: +SKIP
    'security_and_defense'
    """
    return score_task(
        FRAMES_TASK,
        sentences,
        ids=frames,
        model=model,
        codebook=codebook,
        training=training,
        cache=cache,
        head=head,
        settings=settings,
    )


#: the frame task of the shared scoring loop (:func:`framing.scoring._core.score_task`)
FRAMES_TASK = Task(
    what="frames",
    section="frames",
    fit=_fit,
    logistic=_apply,
    nli=nli_frames,
    finetuned=_finetuned,
    table=frame_table,
    head_class=FrameHead,
)


def top_frames(frames: pd.DataFrame, *, k: int = 1, min_prob: float = 0.0) -> pd.DataFrame:
    """The ``k`` most probable frames of each sentence, ranked.

    Parameters
    ----------
    frames
        Output of :func:`score_frames`.
    k
        How many frames to keep per sentence.
    min_prob
        Drop frames below this probability (a sentence may then keep fewer).

    Returns
    -------
    pandas.DataFrame
        ``sent_id, rank, frame, prob`` with ``rank`` 1 for the top frame.

    Examples
    --------
    >>> import pandas as pd
    >>> fr = pd.DataFrame({"sent_id": [0, 0, 1, 1], "frame": ["a", "b", "a", "b"],
    ...                    "prob": [0.2, 0.7, 0.9, 0.1]})
    >>> top_frames(fr)[["sent_id", "frame"]].values.tolist()
    [[0, 'b'], [1, 'a']]
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    df = frames[frames["prob"] >= min_prob]
    df = df.sort_values(["sent_id", "prob", "frame"], ascending=[True, False, True], kind="stable")
    df = df.assign(rank=df.groupby("sent_id", sort=False).cumcount() + 1)
    return df[df["rank"] <= k][["sent_id", "rank", "frame", "prob"]].reset_index(drop=True)
