"""Measure stance and frame scores against labelled sentences.

The named splits are those of the labelled corpus in ``data/labelled/``
(split by event, so ``dev`` and ``test`` hold events the shipped heads never
saw in training); ``seed`` is the seed article's sentences in
``data/gold/seed.csv``; any CSV with the same columns can be measured too.

Stance follows the SemEval-2016 Task 6 convention: the macro-F1 of the
``favor`` and ``against`` classes (the mean of their two F1 scores), per
target and pooled over all targets. Frames: top-1 and top-3 accuracy of the
main frame. Both get confusion matrices and the expected calibration error
(ECE, 10 equal-width bins of the top probability).

The shipped heads are scored as they are. With ``cross_validate=True``, an
encoder's heads are measured by stratified k-fold cross-validation instead:
each fold is scored by heads refitted on the training examples plus the
other folds (for an analyst's own labelled file). An NLI model has no head
and is scored as is.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from framing.config import Settings, paths, resolve_settings
from framing.quality.labelled import labelled_sentences
from framing.scoring._core import (
    FRAMES,
    TARGETS,
    TRAINING,
    HeadKind,
    ModelArg,
    load_training,
    resolve_head,
)
from framing.scoring.frames import frame_table, load_frames, score_frames
from framing.scoring.models import Encoder, resolve_model
from framing.scoring.stance import LABELS, load_targets, score_stance, stance_table
from framing.scoring.training import FineTunedHead, training_arrays

log = logging.getLogger(__name__)

Split = Literal["dev", "test", "seed"]
TABLE_COLUMNS = ["split", "method", "task", "target", "metric", "value", "n", "ci_low", "ci_high"]


@dataclass
class Evaluation:
    """What :func:`evaluate` measured.

    Attributes
    ----------
    table
        One row per measurement: ``split, method, task, target, metric, value, n,
        ci_low, ci_high`` (a 95% bootstrap interval over sentences for the
        stance macro-F1 and the frame top-1 accuracy).
    confusion
        Confusion matrices (gold in rows, predicted in columns), keyed
        ``"stance/pooled"``, ``"stance/<target>"`` and ``"frames"``.
    stance, frames
        The scored gold sentences (``id``, gold and predicted labels, probabilities).
    """

    table: pd.DataFrame
    confusion: dict[str, pd.DataFrame] = field(default_factory=dict)
    stance: pd.DataFrame | None = None
    frames: pd.DataFrame | None = None

    def summary(self) -> str:
        """A short plain-text report of the headline numbers."""
        t = self.table
        rows = t[(t["metric"].isin(["macro_f1", "top1_accuracy", "top3_accuracy", "ece"]))]
        lines = []
        for r in rows.itertuples():
            ci = f"  [{r.ci_low:.3f}, {r.ci_high:.3f}]" if pd.notna(r.ci_low) else ""
            lines.append(f"{r.task:7s} {r.target:16s} {r.metric:14s} {r.value:.3f}{ci}  (n={r.n})")
        return "\n".join(lines)


# ---------------------------------------------------------------- metrics


def favor_against_f1(gold: Any, pred: Any) -> tuple[float, float, float]:
    """F1 of favor, F1 of against, and their mean (the SemEval-2016 stance score).

    Examples
    --------
    >>> favor_against_f1(["favor", "against", "none"], ["favor", "none", "none"])
    (1.0, 0.0, 0.5)
    """
    from sklearn.metrics import f1_score

    f = f1_score(gold, pred, labels=["favor", "against"], average=None, zero_division=0)
    return float(f[0]), float(f[1]), float(np.mean(f))


def expected_calibration_error(confidence: Any, correct: Any, *, bins: int = 10) -> float:
    """ECE: mean |accuracy - confidence| over equal-width confidence bins, weighted by size.

    Examples
    --------
    >>> expected_calibration_error([0.9, 0.9], [1, 0])
    0.4
    """
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    if not len(conf):
        return float("nan")
    idx = np.minimum((conf * bins).astype(int), bins - 1)
    ece = 0.0
    for b in np.unique(idx):
        m = idx == b
        ece += m.mean() * abs(ok[m].mean() - conf[m].mean())
    return round(float(ece), 12)


def topk_accuracy(gold: Any, probs: np.ndarray, labels: list[str], *, k: int) -> float:
    """Share of rows whose gold label is among the ``k`` most probable ``labels``."""
    top = np.argsort(-np.asarray(probs), axis=1, kind="stable")[:, :k]
    lab = np.asarray(labels, dtype=object)[top]
    return float(np.mean([g in row for g, row in zip(gold, lab, strict=True)]))


def bootstrap_interval(
    gold: Any,
    pred: Any,
    groups: Any,
    metric: str,
    *,
    n_boot: int = 1000,
    ci: float = 0.95,
    random_state: int = 0,
) -> tuple[float, float]:
    """Percentile interval of ``metric`` over sentences resampled with replacement, pairs with their sentence.

    ``metric`` is ``"macro_f1"`` (favor/against, SemEval-2016) or ``"accuracy"``.

    Examples
    --------
    >>> labels = ["favor", "against"] * 20
    >>> bootstrap_interval(labels, labels, range(40), "macro_f1")
    (1.0, 1.0)
    """
    gold, pred = np.asarray(gold, dtype=object), np.asarray(pred, dtype=object)
    codes, inverse = np.unique(np.asarray(list(groups)).astype(str), return_inverse=True)
    rng = np.random.default_rng(random_state)
    if metric == "macro_f1":
        # per sentence: true positives, predicted and gold counts of favor and against
        parts = [np.bincount(inverse, weights=w, minlength=len(codes)) for lab in ("favor", "against")
                 for w in ((gold == lab) & (pred == lab), pred == lab, gold == lab)]
    else:
        parts = [np.bincount(inverse, weights=gold == pred, minlength=len(codes)),
                 np.bincount(inverse, minlength=len(codes)).astype(float)]
    stats = np.zeros(n_boot)
    for b in range(n_boot):
        w = np.bincount(rng.integers(0, len(codes), len(codes)), minlength=len(codes))
        sums = [float(w @ part) for part in parts]
        if metric == "macro_f1":
            f1 = [2 * tp / (p + g) if p + g else 0.0 for tp, p, g in (sums[0:3], sums[3:6])]
            stats[b] = np.mean(f1)
        else:
            stats[b] = sums[0] / sums[1] if sums[1] else np.nan
    alpha = (1 - ci) / 2
    return float(np.nanquantile(stats, alpha)), float(np.nanquantile(stats, 1 - alpha))


def _confusion(gold: Any, pred: Any, labels: list[str]) -> pd.DataFrame:
    from sklearn.metrics import confusion_matrix

    m = confusion_matrix(gold, pred, labels=labels)
    return pd.DataFrame(m, index=pd.Index(labels, name="gold"), columns=pd.Index(labels, name="predicted"))


# ---------------------------------------------------------------- data


def load_gold(split: Split | str | Path = "dev") -> pd.DataFrame:
    """Labelled sentences: a split of ``data/labelled``, the seed's ``data/gold/seed.csv``, or a CSV path.

    ``train``, ``dev`` and ``test`` (or several joined by ``+``, as in
    ``train+dev``) are the adjudicated sentences of the labelled corpus's
    events of that split, with a column per target, empty outside the
    target's event (only coded pairs are measured). A CSV needs ``id, text``, one
    column per target (``favor``, ``against``, ``none``) and ``frame``.

    Examples
    --------
    >>> load_gold("seed")[["id", "russia"]].head(1).shape
    (1, 2)
    """
    parts = str(split).split("+")
    if set(parts) <= {"train", "dev", "test"}:
        return labelled_sentences(parts, fill=False)
    p = Path(split)
    if not p.suffix:
        p = paths().root / "data" / "gold" / f"{split}.csv"
    if not p.is_file():
        raise FileNotFoundError(f"no labelled data at {p}: expected columns id,text,<targets...>,frame")
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = {"id", "text"} - set(df.columns)
    if missing:
        raise ValueError(f"{p}: missing column(s) {sorted(missing)}")
    return df


# ---------------------------------------------------------------- scoring


def cv_folds(
    gold: pd.DataFrame, *, k: int, random_state: int, group: str = "event"
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds over ``gold``'s rows: grouped by the ``group`` column if there is one, else stratified by frame.

    With ``group="event"`` no event is in two folds (scikit-learn's
    ``GroupKFold``), so every fold is scored on events its heads never saw;
    ``group="batch"`` keeps each writer's round of an event together instead.

    Examples
    --------
    >>> gold = pd.DataFrame({"event": list("aabbccdd"), "frame": ["x"] * 8})
    >>> folds = cv_folds(gold, k=4, random_state=0)
    >>> sorted(sorted(set(gold["event"].iloc[test])) for _, test in folds)
    [['a'], ['b'], ['c'], ['d']]
    """
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    if group in gold.columns and gold[group].nunique() >= k:
        return list(GroupKFold(n_splits=k).split(gold, groups=gold[group]))
    strata = gold["frame"] if "frame" in gold.columns else pd.Series(["x"] * len(gold))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state).split(gold, strata))


def _out_of_fold(estimator: Any, X: pd.DataFrame, y: np.ndarray, folds: list[Any]) -> np.ndarray:
    """Out-of-fold ``predict_proba`` through scikit-learn's ``cross_validate`` (labels kept as they are)."""
    from sklearn.model_selection import cross_validate

    res = cross_validate(estimator, X, y, cv=folds, return_estimator=True, return_indices=True)
    P: np.ndarray | None = None
    for est, test in zip(res["estimator"], res["indices"]["test"], strict=True):
        part = est.predict_proba(X.iloc[test])
        P = np.zeros((len(X), part.shape[1])) if P is None else P
        P[test] = part
    assert P is not None
    return P


def _heads_cv(
    encoder: Encoder,
    gold: pd.DataFrame,
    targets: list[dict[str, Any]],
    frames: list[dict[str, Any]],
    *,
    k: int,
    random_state: int,
    training: str | Path | None,
    codebooks: tuple[str | Path, str | Path] = (TARGETS, FRAMES),
    stance_params: dict[str, Any] | None = None,
    frame_params: dict[str, Any] | None = None,
    head: HeadKind = "logistic",
    finetune_params: dict[str, Any] | None = None,
    folder: Path | None = None,
    group: str = "event",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Out-of-fold stance and frame tables for ``gold`` (``sent_id`` = row position).

    The logistic heads go through scikit-learn's ``cross_validate`` as
    :class:`~framing.scoring.estimators.StanceClassifier` (on sentence–target
    pairs) and :class:`~framing.scoring.estimators.FrameClassifier`, on the
    folds of :func:`cv_folds` (pairs follow their sentence's fold).
    """
    from framing.scoring.estimators import FrameClassifier, Shared, StanceClassifier, stance_rows

    tids = [str(t["id"]) for t in targets]
    fids = [str(f["id"]) for f in frames]
    folds = cv_folds(gold, k=k, random_state=random_state, group=group)
    P_st = np.full((len(gold), len(tids), 3), np.nan)
    P_fr = np.zeros((len(gold), len(fids)))
    if head == "finetuned":
        extra = load_training(training) if training is not None else gold.head(0)
        for i, (train_idx, test_idx) in enumerate(folds):
            texts, S, F = training_arrays(pd.concat([extra, gold.iloc[train_idx]]), targets, frames)
            ft = FineTunedHead(**(finetune_params or {})).fit(encoder, texts, S, tids, F, fids)
            fold_texts = gold["text"].iloc[test_idx].tolist()
            P_st[test_idx] = ft.predict_stance(fold_texts)
            P_fr[test_idx] = ft.predict_frames(fold_texts)
            log.info("fold %d/%d done", i + 1, k)
        ids = list(range(len(gold)))
        return stance_table(ids, tids, P_st), frame_table(ids, fids, P_fr)
    common = dict(model=Shared(encoder), training=training, cache_dir=folder)
    X, y = stance_rows(gold, tids)
    fold_of = np.empty(len(gold), dtype=int)
    for i, (_, test_idx) in enumerate(folds):
        fold_of[test_idx] = i
    pair_fold = fold_of[X["row"].to_numpy()]
    pair_folds = [(np.flatnonzero(pair_fold != i), np.flatnonzero(pair_fold == i)) for i in range(len(folds))]
    clf = StanceClassifier(codebook=codebooks[0], **common, **(stance_params or {}))
    P = _out_of_fold(clf, X, y, pair_folds)
    order = [sorted(LABELS).index(lab) for lab in LABELS]
    P_st[X["row"].to_numpy(), [tids.index(t) for t in X["target"]]] = P[:, order]
    if "frame" in gold.columns and gold["frame"].isin(fids).all():
        fr = FrameClassifier(codebook=codebooks[1], **common, **(frame_params or {}))
        cols = [c for c in ("text", "frames") if c in gold.columns]
        Pf = _out_of_fold(fr, gold[cols], gold["frame"].to_numpy(), folds)
        P_fr = Pf[:, [sorted(fids).index(f) for f in fids]]
    P_st = np.where(np.isnan(P_st), 1.0 / 3, P_st)
    ids = list(range(len(gold)))
    return stance_table(ids, tids, P_st), frame_table(ids, fids, P_fr)


def _measure(
    gold: pd.DataFrame,
    stance: pd.DataFrame,
    frames: pd.DataFrame,
    target_ids: list[str],
    frame_ids: list[str],
    *,
    split: str,
    method: str,
) -> Evaluation:
    rows: list[dict[str, Any]] = []
    confusion: dict[str, pd.DataFrame] = {}

    def add(task: str, target: str, metric: str, value: float, n: int,
            ci: tuple[float, float] = (np.nan, np.nan)) -> None:
        rows.append(dict(split=split, method=method, task=task, target=target, metric=metric, value=value,
                         n=n, ci_low=ci[0], ci_high=ci[1]))

    # stance: join gold labels on row position
    st = stance.copy()
    st["gold"] = [gold.iloc[int(i)].get(t, "") for i, t in zip(st["sent_id"], st["target"], strict=True)]
    st = st[st["gold"].isin(LABELS)]
    st["id"] = [gold.iloc[int(i)]["id"] for i in st["sent_id"]]
    st["text"] = [gold.iloc[int(i)]["text"] for i in st["sent_id"]]
    groups = [("pooled", st)] + [(t, st[st["target"] == t]) for t in target_ids]
    for name, g in groups:
        if g.empty:
            continue
        f_fav, f_ag, macro = favor_against_f1(g["gold"], g["label"])
        conf = g[list(LABELS)].max(axis=1)
        add("stance", name, "macro_f1", macro, len(g),
            bootstrap_interval(g["gold"], g["label"], g["sent_id"], "macro_f1"))
        add("stance", name, "f1_favor", f_fav, len(g))
        add("stance", name, "f1_against", f_ag, len(g))
        add("stance", name, "accuracy", float((g["gold"] == g["label"]).mean()), len(g))
        add("stance", name, "ece", expected_calibration_error(conf, g["gold"] == g["label"]), len(g))
        confusion[f"stance/{name}"] = _confusion(g["gold"], g["label"], list(LABELS))

    # frames: main frame against the ranked probabilities
    fr = frames.pivot(index="sent_id", columns="frame", values="prob")[frame_ids]
    gold_frame = gold["frame"].iloc[fr.index.astype(int)] if "frame" in gold.columns else None
    if gold_frame is not None:
        keep = gold_frame.isin(frame_ids).to_numpy()
        P = fr.to_numpy()[keep]
        g = gold_frame.to_numpy()[keep]
        if len(g):
            top1 = np.asarray(frame_ids, dtype=object)[P.argmax(axis=1)]
            norm = P / P.sum(axis=1, keepdims=True).clip(min=1e-12)
            add("frames", "main", "top1_accuracy", topk_accuracy(g, P, frame_ids, k=1), len(g),
                bootstrap_interval(g, top1, np.arange(len(g)), "accuracy"))
            add("frames", "main", "top3_accuracy", topk_accuracy(g, P, frame_ids, k=3), len(g))
            add("frames", "main", "ece", expected_calibration_error(norm.max(axis=1), top1 == g), len(g))
            confusion["frames"] = _confusion(g, top1, frame_ids)
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return Evaluation(table=table, confusion=confusion, stance=st.reset_index(drop=True), frames=frames)


def evaluate(
    split: Split | str | Path = "dev",
    *,
    model: ModelArg = None,
    k: int = 5,
    random_state: int = 0,
    targets: str | Path = TARGETS,
    frames: str | Path = FRAMES,
    training: str | Path | None = TRAINING,
    stance_params: dict[str, Any] | None = None,
    frame_params: dict[str, Any] | None = None,
    head: HeadKind | None = None,
    finetune_params: dict[str, Any] | None = None,
    cross_validate: bool = False,
    cv_group: str = "event",
    settings: Settings | None = None,
) -> Evaluation:
    """Measure the model's stance and frame scores on a labelled split.

    Parameters
    ----------
    split
        ``"dev"`` or ``"test"`` (the labelled corpus's events of that split,
        never seen in training), ``"train+dev"`` (with ``cross_validate``),
        ``"seed"``, or a path to a CSV with the same columns (``id, text``,
        one column per target, ``frame``).
    model
        A loaded model, a name or path, or ``None`` for the default.
    k, random_state
        Folds and seed of the stratified cross-validation.
    targets, frames, training
        Codebooks and training examples (shipped names or paths); with
        ``cross_validate``, ``training=None`` fits on the folds alone.
    stance_params, frame_params
        Options of :class:`framing.scoring.stance.StanceHead` and
        :class:`framing.scoring.frames.FrameHead` for the cross-validated heads.
    head
        ``"finetuned"`` or ``"logistic"`` (default
        :data:`framing.scoring.DEFAULT_HEAD`): which head an encoder gets.
    finetune_params
        Options of :class:`framing.scoring.training.FineTunedHead` for the
        cross-validated fine-tuning (refitted on each fold).
    cross_validate
        Refit an encoder's heads on k-1 folds of ``split`` (plus ``training``,
        unless ``split`` includes the train split) and score the remaining
        fold, instead of scoring the shipped heads. Folds are grouped by
        event when the sentences have one (:func:`cv_folds`).
    cv_group
        The column whose values never share a fold: ``"event"`` (default) or
        ``"batch"`` (one writer's round of an event).
    settings
        Model, precision, cache folder and device (:class:`framing.Settings`);
        default :meth:`framing.Settings.from_env`.

    Returns
    -------
    Evaluation
        The metric table, confusion matrices and the scored sentences.

    Examples
    --------
    >>> from framing.quality.evaluation import evaluate
    >>> ev = evaluate("dev")  # doctest: +SKIP
    >>> ev.table.query("metric == 'macro_f1' and target == 'pooled'")["value"].item()  # doctest: +SKIP
    0.7...
    """
    gold = load_gold(split).reset_index(drop=True)
    tlist = [t for t in load_targets(targets) if str(t["id"]) in gold.columns]
    flist = load_frames(frames)
    tids = [str(t["id"]) for t in tlist]
    fids = [str(f["id"]) for f in flist]
    opts = resolve_settings(settings)
    m = resolve_model(model, settings=opts)
    kind = resolve_head(head)
    name = Path(split).stem if Path(split).suffix else str(split)
    if isinstance(m, Encoder) and cross_validate:
        method = f"cv{k}" if kind == "logistic" else f"cv{k}-{kind}"
        stance, frame_tab = _heads_cv(
            m,
            gold,
            tlist,
            flist,
            k=k,
            random_state=random_state,
            # folds of the train split already hold the training sentences: add none
            training=None if "train" in name.split("+") else training,
            codebooks=(targets, frames),
            stance_params=stance_params,
            frame_params=frame_params,
            head=kind,
            finetune_params=finetune_params,
            folder=opts.cache_dir,
            group=cv_group,
        )
    else:
        method = ("shipped" if kind == "logistic" else f"shipped-{kind}") if isinstance(m, Encoder) else "nli"
        texts = gold["text"].tolist()
        common = dict(model=m, training=training, head=kind, settings=opts)
        stance = score_stance(texts, targets=tids, codebook=targets, **common)
        frame_tab = score_frames(texts, codebook=frames, **common)
    ev = _measure(gold, stance, frame_tab, tids, fids, split=name, method=method)
    ev.table.insert(2, "model", m.name)
    return ev
