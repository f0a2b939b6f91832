"""A target-conditioned stance classifier: the target and the sentence read together.

The encoder reads each (target, sentence) pair as one input, the target's
name and description first, the sentence second (a cross-encoder), and a
3-way head on the mean-pooled output gives favor, against and none. It is
fine-tuned across many targets at once, so it learns what taking a side
toward a described target looks like, and can score a target it was never
trained on from its description alone.

It costs one encoder pass per sentence *and target* (the default heads need
one per sentence), so it is meant for targets an analyst adds without
labelled data. Only the upper layers and the head are trained
(``freeze_layers``); training is deterministic (fixed seed, threads and
``torch.use_deterministic_algorithms``).

Examples
--------
>>> clf = TargetConditionedClassifier(epochs=1)
>>> clf.get_params()["epochs"]
1
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from framing.scoring._core import TARGETS
from framing.scoring.estimators import _encoder
from framing.scoring.stance import LABELS, load_targets, target_text
from framing.scoring.training import _class_weights, _deterministic, frozen_parameter

__all__ = ["TargetConditionedClassifier"]


class TargetConditionedClassifier(ClassifierMixin, BaseEstimator):
    """Stance of a sentence toward a described target, from one fine-tuned cross-encoder.

    Parameters
    ----------
    model
        Base encoder: name or folder (``None``: the embedded default), or a
        loaded encoder in :class:`framing.scoring.estimators.Shared`.
    codebook
        Targets codebook (shipped name or path): each target's name and
        description are the first half of its pairs.
    epochs, lr, head_lr, batch_size, max_length
        Training schedule: passes, AdamW learning rates of the encoder and
        the head, pairs per step, tokens per pair.
    freeze_layers
        Keep the embeddings and this many lower transformer layers fixed.
    none_ratio
        At most this many ``none`` pairs per ``favor`` or ``against`` pair in
        each epoch (drawn afresh every epoch, seeded).
    class_weight
        ``"balanced"``, ``"sqrt"`` or ``"none"`` (see the fine-tuned heads).
    random_state, threads
        Seed and number of torch threads while training.

    Examples
    --------
    >>> X = pd.DataFrame({"text": ["Talks must start."], "target": ["diplomacy"]})
    >>> TargetConditionedClassifier().fit(X, ["favor"]).predict(X)  # doctest: +SKIP
    array(['favor'], dtype=object)
    """

    def __init__(
        self,
        *,
        model: Any = None,
        codebook: str | Path = TARGETS,
        epochs: int = 2,
        lr: float = 4e-5,
        head_lr: float = 1e-3,
        batch_size: int = 16,
        max_length: int = 128,
        freeze_layers: int = 2,
        none_ratio: float = 1.0,
        class_weight: str = "sqrt",
        random_state: int = 0,
        threads: int = 2,
    ) -> None:
        self.model = model
        self.codebook = codebook
        self.epochs = epochs
        self.lr = lr
        self.head_lr = head_lr
        self.batch_size = batch_size
        self.max_length = max_length
        self.freeze_layers = freeze_layers
        self.none_ratio = none_ratio
        self.class_weight = class_weight
        self.random_state = random_state
        self.threads = threads

    # ------------------------------------------------------------ pieces

    def _descriptions(self) -> dict[str, str]:
        return {str(t["id"]): target_text(t) for t in load_targets(self.codebook)}

    def _pairs(self, X: Any) -> tuple[list[str], list[str]]:
        table = X if isinstance(X, pd.DataFrame) else pd.DataFrame(list(X), columns=["text", "target"])
        desc = self._descriptions()
        unknown = sorted(set(table["target"]) - set(desc))
        if unknown:
            raise KeyError(f"target(s) {unknown} are not in the codebook {self.codebook}")
        return [desc[t] for t in table["target"]], table["text"].astype(str).tolist()

    def _logits(self, net: Any, first: Sequence[str], second: Sequence[str]) -> Any:
        batch = self.tokenizer_(
            list(first), list(second), padding=True, truncation="only_second",
            max_length=self.max_length, return_tensors="pt",
        )
        hidden = net["body"](**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return net["head"](pooled)

    def _epoch_rows(self, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        sided = np.flatnonzero(y != LABELS.index("none"))
        none = np.flatnonzero(y == LABELS.index("none"))
        keep = min(len(none), int(round(self.none_ratio * max(len(sided), 1))))
        rows = np.concatenate([sided, rng.choice(none, size=keep, replace=False)])
        return rows[rng.permutation(len(rows))]

    # ------------------------------------------------------------ scikit-learn

    def fit(self, X: Any, y: Sequence[str]) -> TargetConditionedClassifier:
        """Fine-tune on sentence–target pairs ``X`` (``text``, ``target``) and their labels ``y``."""
        import torch
        from tqdm.auto import tqdm

        first, second = self._pairs(X)
        labels = np.asarray([LABELS.index(v) for v in y], dtype=np.int64)
        enc = _encoder(self.model)
        self.tokenizer_ = enc.tokenizer
        self.classes_ = np.array(sorted(LABELS), dtype=object)
        with _deterministic(self.random_state, self.threads):
            body = copy.deepcopy(enc.model).float().train()
            net = torch.nn.ModuleDict({"body": body, "head": torch.nn.Linear(body.config.hidden_size, 3)})
            for name, p in body.named_parameters():
                # the embeddings stay fixed here even with freeze_layers=0
                fixed = ".embeddings." in f".{name}" or frozen_parameter(name, self.freeze_layers)
                p.requires_grad_(not fixed)
            opt = torch.optim.AdamW(
                [{"params": [p for p in body.parameters() if p.requires_grad], "lr": self.lr},
                 {"params": list(net["head"].parameters()), "lr": self.head_lr}],
                weight_decay=0.01,
            )
            weights = torch.tensor(_class_weights(labels, 3, self.class_weight), dtype=torch.float32)
            rng = np.random.default_rng(self.random_state)
            plan = [self._epoch_rows(labels, rng) for _ in range(self.epochs)]
            steps = sum(-(-len(rows) // self.batch_size) for rows in plan)
            with tqdm(total=steps, desc="training the target-conditioned classifier", unit="step") as bar:
                for rows in plan:
                    for start in range(0, len(rows), self.batch_size):
                        idx = rows[start : start + self.batch_size]
                        logits = self._logits(net, [first[i] for i in idx], [second[i] for i in idx])
                        target = torch.as_tensor(labels[idx])
                        loss = torch.nn.functional.cross_entropy(logits, target, weight=weights)
                        opt.zero_grad()
                        loss.backward()
                        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                        opt.step()
                        bar.update(1)
        self.net_ = net.eval()
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of each pair, columns in the order of ``classes_`` (against, favor, none)."""
        import torch

        first, second = self._pairs(X)
        out = np.zeros((len(first), 3))
        order = np.argsort([-len(s) for s in second], kind="stable")
        with torch.inference_mode():
            for start in range(0, len(order), 64):
                idx = order[start : start + 64]
                logits = self._logits(self.net_, [first[i] for i in idx], [second[i] for i in idx])
                out[idx] = torch.softmax(logits.float(), dim=-1).numpy()
        return out[:, [LABELS.index(c) for c in self.classes_]]

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label of each pair."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def describe(self) -> Mapping[str, Any]:
        """The options, for logs and reports."""
        return self.get_params()
