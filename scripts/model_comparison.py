"""Compare the stance and frame models on the labelled corpus, grouped by event.

Three ways of turning the embedded all-MiniLM-L6-v2 into stance scores:

* ``logistic`` (a): logistic heads on frozen embeddings (the default), 5-fold
  cross-validation on train+dev grouped by event (scikit-learn's
  ``GroupKFold``): every fold is scored on events its heads never saw, so an
  event's own targets are unseen in their fold (scored zero-shot from their
  description and codebook statements, the pooled head);
* ``finetuned`` (b): the encoder fine-tuned end to end with a head per target
  and a frame head, the same folds; it only scores targets it was trained
  on, so it is measured on the four default targets and frames;
* ``logistic-dev``: the shipped logistic heads scored on the dev split, the
  same measurement as ``conditioned`` below (the dev events' own targets are
  unseen, scored from their description and codebook statements);
* ``conditioned`` (c): the target-conditioned cross-encoder (target
  description and sentence as one input), fine-tuned on the train split's
  pairs and scored once on the dev split, whose events' targets it never saw.

``--group batch`` keeps one writer's round of an event together instead of
the whole event: the four default targets, whose labels are nearly all in the
Russia–Ukraine event, are then measured on another writer's sentences of an
event the heads did see (by event they are close to unseen).

Each writes ``docs/model_comparison/<method>[-batch].json`` (the
measurements, the options, the time taken and the load average at start and
end).

Usage::

    .venv/bin/python scripts/model_comparison.py logistic|finetuned|conditioned [--folds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing.quality.evaluation import evaluate, expected_calibration_error, favor_against_f1
from framing.quality.labelled import DEFAULT_TARGETS, labelled_folder, labelled_sentences, load_labelled

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "model_comparison"
CODEBOOK = labelled_folder() / "targets.yaml"


def summarise(table: pd.DataFrame) -> dict[str, Any]:
    """Pooled, per default target and event-target stance macro-F1 and ECE; frame top-1/top-3 and ECE."""
    st = table[table["task"] == "stance"]
    out: dict[str, Any] = {}
    for target in ["pooled", *DEFAULT_TARGETS]:
        rows = st[st["target"] == target].set_index("metric")["value"]
        if len(rows):
            out[target] = {"macro_f1": round(float(rows["macro_f1"]), 3), "ece": round(float(rows["ece"]), 3)}
    fr = table[table["task"] == "frames"].set_index("metric")["value"]
    if len(fr):
        out["frames"] = {k: round(float(fr[k]), 3) for k in ("top1_accuracy", "top3_accuracy", "ece")}
    return out


def pair_metrics(scored: pd.DataFrame) -> dict[str, Any]:
    """Macro-F1 and ECE of scored pairs (``gold``, ``label`` and the three probabilities)."""
    conf = scored[["favor", "against", "none"]].max(axis=1)
    return {"macro_f1": round(favor_against_f1(scored["gold"], scored["label"])[2], 3),
            "ece": round(expected_calibration_error(conf, scored["gold"] == scored["label"]), 3),
            "pairs": int(len(scored))}


def event_targets(ev_stance: pd.DataFrame) -> dict[str, Any]:
    """The event targets' pairs (each unseen in its own fold), from an evaluation's scored pairs."""
    own = ev_stance[~ev_stance["target"].isin(DEFAULT_TARGETS)]
    return pair_metrics(own)


def run_logistic(folds: int, group: str) -> dict[str, Any]:
    ev = evaluate("train+dev", targets=CODEBOOK, cross_validate=True, k=folds, cv_group=group)
    result = summarise(ev.table)
    assert ev.stance is not None
    result["event_targets_unseen_in_fold"] = event_targets(ev.stance)
    return result


def run_logistic_dev() -> dict[str, Any]:
    """The shipped heads scored on the dev split, as the conditioned classifier is (train -> dev)."""
    ev = evaluate("dev", targets=CODEBOOK)
    assert ev.stance is not None
    result = summarise(ev.table)
    result["dev_event_targets_unseen"] = event_targets(ev.stance)
    return result


def run_finetuned(folds: int, group: str, epochs: int) -> dict[str, Any]:
    params = {"epochs": epochs, "threads": 2}
    ev = evaluate("train+dev", cross_validate=True, k=folds, head="finetuned", cv_group=group,
                  finetune_params=params)
    return {**summarise(ev.table), "folds": folds, "options": params}


def run_conditioned(epochs: int) -> dict[str, Any]:
    from framing.scoring.conditioned import TargetConditionedClassifier
    from framing.scoring.estimators import stance_rows

    corpus = load_labelled()
    coded = {s: corpus[corpus["split"] == s][["id", "target"]] for s in ("train", "dev")}

    def pairs(split: str) -> tuple[pd.DataFrame, np.ndarray]:
        wide = labelled_sentences(split)
        X, y = stance_rows(wide, [c for c in wide.columns if c in set(corpus["target"])])
        keep = X.merge(coded[split], on=["id", "target"], how="left", indicator=True)["_merge"] == "both"
        return X[keep.to_numpy()].reset_index(drop=True), y[keep.to_numpy()]

    X_train, y_train = pairs("train")
    X_dev, y_dev = pairs("dev")
    clf = TargetConditionedClassifier(codebook=CODEBOOK, epochs=epochs).fit(X_train, y_train)
    P = clf.predict_proba(X_dev)
    scored = pd.DataFrame(P, columns=list(clf.classes_))
    scored["label"], scored["gold"], scored["target"] = clf.classes_[P.argmax(axis=1)], y_dev, X_dev["target"]
    result: dict[str, Any] = {"pooled": pair_metrics(scored), "train_pairs": int(len(X_train))}
    for t in DEFAULT_TARGETS:
        result[t] = pair_metrics(scored[scored["target"] == t])
    result["dev_event_targets_unseen"] = pair_metrics(scored[~scored["target"].isin(DEFAULT_TARGETS)])
    result["options"] = {k: v for k, v in clf.get_params().items() if k not in ("model", "codebook")}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method", choices=["logistic", "logistic-dev", "finetuned", "conditioned"])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--group", default="event", choices=["event", "batch"],
                        help="what never shares a fold: an event, or one writer's round of an event")
    parser.add_argument("--epochs", type=int, default=2, help="epochs of the fine-tuned models")
    args = parser.parse_args(argv)
    load_start, start = os.getloadavg()[0], time.perf_counter()
    if args.method == "logistic":
        result = run_logistic(args.folds, args.group)
    elif args.method == "logistic-dev":
        result = run_logistic_dev()
    elif args.method == "finetuned":
        result = run_finetuned(args.folds, args.group, args.epochs)
    else:
        result = run_conditioned(args.epochs)
    result["seconds"] = round(time.perf_counter() - start, 1)
    result["load_average"] = {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)}
    corpus = load_labelled()
    result["sentences"] = {s: int(corpus.loc[corpus["split"] == s, "id"].nunique()) for s in ("train", "dev")}
    OUT.mkdir(parents=True, exist_ok=True)
    grouped = args.group == "event" or args.method in ("conditioned", "logistic-dev")
    name = args.method if grouped else f"{args.method}-{args.group}"
    by_split = args.method in ("conditioned", "logistic-dev")
    result["grouped_by"] = "split (train -> dev)" if by_split else args.group
    (OUT / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
