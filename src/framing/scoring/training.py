"""Fine-tune a sentence encoder end to end for stance and frames at once.

The encoder (the embedded all-MiniLM-L6-v2 by default) is trained with two
small heads on its mean-pooled output: per target, a 3-way softmax over
favor, against and none; and a softmax over the frames, trained on each
sentence's main frame. A sentence without a label for a target (a codebook
statement covers one target only) or without a frame is masked out of that
part of the loss. Training is deterministic: fixed seeds, a fixed number of
threads and ``torch.use_deterministic_algorithms``. With ``calibrate=True``
one temperature per task is fitted on a held-out slice of the training data
(then the model is trained on all of it), so that the probabilities are
calibrated as well as ranked.

The trained weights are stored as safetensors (never pickled), under a key
made of the base weights hash, the training data and codebook hash, the
hyperparameters and :data:`FINETUNE_VERSION`.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import logging
import os
import random
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from framing import _codebooks
from framing.scoring._core import FINETUNE_VERSION, FRAMES, TARGETS, TRAINING, load_entries, load_training
from framing.scoring.models import Encoder

log = logging.getLogger(__name__)
STANCE_LABELS: tuple[str, str, str] = ("favor", "against", "none")
ClassWeight = Literal["balanced", "sqrt", "none"]


@contextlib.contextmanager
def _deterministic(seed: int, threads: int) -> Iterator[None]:
    """Seeded, single-configuration torch for the duration of a fit; restored afterwards."""
    import torch

    was_det = torch.are_deterministic_algorithms_enabled()
    was_threads = torch.get_num_threads()
    py_state, np_state, torch_state = random.getstate(), np.random.get_state(), torch.get_rng_state()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(was_det)
        torch.set_num_threads(was_threads)
        random.setstate(py_state)
        np.random.set_state(np_state)
        torch.set_rng_state(torch_state)


def _class_weights(y: np.ndarray, n_classes: int, how: ClassWeight) -> np.ndarray:
    """Per-class loss weights from label counts (``-1`` = no label), mean weight 1 over labelled rows.

    Examples
    --------
    >>> _class_weights(np.array([0, 0, 0, 1, -1]), 2, "balanced").round(3).tolist()
    [0.667, 2.0]
    """
    counts = np.array([(y == c).sum() for c in range(n_classes)], dtype=float)
    if how == "none" or counts.sum() == 0:
        return np.ones(n_classes)
    w = counts.sum() / (n_classes * counts.clip(min=1))
    if how == "sqrt":
        w = np.sqrt(w)
    return w


def frozen_parameter(name: str, freeze_layers: int) -> bool:
    """Whether a BERT-family parameter stays fixed: the embeddings and the lower ``freeze_layers`` layers.

    Examples
    --------
    >>> frozen_parameter("encoder.layer.1.attention.self.query.weight", 2)
    True
    >>> frozen_parameter("encoder.layer.5.output.dense.bias", 2), frozen_parameter("embeddings.word", 0)
    (False, False)
    """
    if not freeze_layers:
        return False
    if ".embeddings." in f".{name}":
        return True
    return any(f"layer.{i}." in name for i in range(freeze_layers))


class FineTunedHead:
    """An encoder fine-tuned with a stance head per target and one frame head.

    Follows scikit-learn's contract: ``__init__`` stores options, ``fit``
    learns (state in attributes ending in ``_``) and returns ``self``.

    Parameters
    ----------
    epochs
        Passes over the training sentences.
    lr, head_lr
        AdamW learning rates of the encoder and of the heads.
    batch_size, max_length
        Sentences per step and tokens per sentence.
    freeze_layers
        Keep the embeddings and this many lower transformer layers fixed.
    class_weight
        Weight of each stance class in the loss: ``"balanced"`` (inverse
        frequency, per target), ``"sqrt"`` (its square root) or ``"none"``.
    calibrate
        Fit one temperature per task on ``calibration_share`` of the
        training sentences held out from a first fit, then refit on all.
    random_state, threads
        Seed and number of torch threads used while training.

    Examples
    --------
    >>> head = FineTunedHead(epochs=1)  # doctest: +SKIP
    >>> head.fit(encoder, texts, stance, targets, frames_y, frame_ids)  # doctest: +SKIP
    >>> head.predict_stance(["NATO must stop expanding."]).shape  # doctest: +SKIP
    (1, 4, 3)
    """

    def __init__(
        self,
        *,
        epochs: int = 8,
        lr: float = 1e-4,
        head_lr: float = 3e-3,
        batch_size: int = 16,
        max_length: int = 64,
        freeze_layers: int = 3,
        class_weight: ClassWeight = "balanced",
        frame_weight: float = 1.0,
        calibrate: bool = False,
        calibration_share: float = 0.15,
        random_state: int = 0,
        threads: int = 1,
    ) -> None:
        self.epochs = epochs
        self.lr = lr
        self.head_lr = head_lr
        self.batch_size = batch_size
        self.max_length = max_length
        self.freeze_layers = freeze_layers
        self.class_weight = class_weight
        self.frame_weight = frame_weight
        self.calibrate = calibrate
        self.calibration_share = calibration_share
        self.random_state = random_state
        self.threads = threads

    # ------------------------------------------------------------ identity

    def get_params(self) -> dict[str, Any]:
        """The options, as a JSON-serialisable dict (part of the saved weights' key)."""
        keys = [
            "epochs", "lr", "head_lr", "batch_size", "max_length", "freeze_layers",
            "class_weight", "frame_weight", "calibrate", "calibration_share", "random_state",
        ]  # fmt: skip
        return {k: getattr(self, k) for k in keys}

    # ------------------------------------------------------------ modules

    def _build(self, encoder: Encoder, n_targets: int, n_frames: int) -> Any:
        import torch

        torch.manual_seed(self.random_state)
        body = copy.deepcopy(encoder.model).float().train()
        hidden = int(body.config.hidden_size)
        heads = torch.nn.ModuleDict(
            {
                "stance": torch.nn.Linear(hidden, 3 * max(n_targets, 1)),
                "frames": torch.nn.Linear(hidden, max(n_frames, 1)),
            }
        )
        return torch.nn.ModuleDict({"body": body, "heads": heads})

    def _frozen(self, name: str) -> bool:
        return frozen_parameter(name, self.freeze_layers)

    def _pooled(self, net: Any, tokenizer: Any, texts: Sequence[str]) -> Any:
        batch = tokenizer(
            list(texts), padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(next(net.parameters()).device)
        hidden = net["body"](**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def _logits(self, net: Any, tokenizer: Any, texts: Sequence[str]) -> tuple[Any, Any]:
        pooled = self._pooled(net, tokenizer, texts)
        st = net["heads"]["stance"](pooled).view(len(texts), -1, 3)
        return st, net["heads"]["frames"](pooled)

    # ------------------------------------------------------------ training

    def _train(
        self, encoder: Encoder, texts: list[str], S: np.ndarray, F: np.ndarray, n_frames: int, desc: str
    ) -> Any:
        """One training run; returns the trained module (body + heads) in eval mode."""
        import torch
        from tqdm.auto import tqdm

        net = self._build(encoder, S.shape[1], n_frames)
        for name, p in net["body"].named_parameters():
            p.requires_grad_(not self._frozen(name))
        groups = [
            {"params": [p for p in net["body"].parameters() if p.requires_grad], "lr": self.lr},
            {"params": list(net["heads"].parameters()), "lr": self.head_lr},
        ]
        opt = torch.optim.AdamW(groups, weight_decay=0.01)
        n = len(texts)
        steps = self.epochs * -(-n // self.batch_size)
        warm = max(1, steps // 10)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
        )
        st_w = torch.tensor(
            np.stack([_class_weights(S[:, j], 3, self.class_weight) for j in range(S.shape[1])]),
            dtype=torch.float32,
        )
        S_t = torch.as_tensor(S, dtype=torch.long)
        F_t = torch.as_tensor(F, dtype=torch.long)
        gen = torch.Generator().manual_seed(self.random_state)
        with tqdm(total=steps, desc=desc, unit="step", leave=False) as bar:
            for _ in range(self.epochs):
                for idx in torch.randperm(n, generator=gen).split(self.batch_size):
                    st, fr = self._logits(net, encoder.tokenizer, [texts[i] for i in idx.tolist()])
                    loss = self._loss(st, fr, S_t[idx], F_t[idx], st_w)
                    opt.zero_grad()
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                    opt.step()
                    sched.step()
                    bar.update(1)
        return net.eval()

    def _loss(self, st: Any, fr: Any, s: Any, f: Any, st_w: Any) -> Any:
        import torch

        total = st.new_zeros(())
        lab = s >= 0
        if lab.any():
            t_idx = torch.arange(s.shape[1]).expand_as(s)[lab]
            w = st_w[t_idx, s[lab]]
            ce = torch.nn.functional.cross_entropy(st[lab], s[lab], reduction="none")
            total = total + (w * ce).sum() / w.sum()
        fl = f >= 0
        if fl.any():
            total = total + self.frame_weight * torch.nn.functional.cross_entropy(fr[fl], f[fl])
        return total

    def _predict_logits(self, net: Any, tokenizer: Any, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        import torch

        n_t = net["heads"]["stance"].out_features // 3
        st = np.zeros((len(texts), n_t, 3), dtype=np.float32)
        fr = np.zeros((len(texts), net["heads"]["frames"].out_features), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        with torch.inference_mode():
            for start in range(0, len(order), 32):
                idx = order[start : start + 32]
                a, b = self._logits(net, tokenizer, [texts[i] for i in idx])
                st[idx] = a.float().cpu().numpy()
                fr[idx] = b.float().cpu().numpy()
        return st, fr

    def fit(
        self,
        encoder: Encoder,
        texts: Sequence[str],
        stance: np.ndarray,
        target_ids: Sequence[str],
        frames: np.ndarray,
        frame_ids: Sequence[str],
    ) -> FineTunedHead:
        """Fine-tune a copy of ``encoder`` (the encoder itself is left unchanged).

        Parameters
        ----------
        encoder
            The base encoder (its tokenizer and weights are copied).
        texts
            Training sentences.
        stance
            Integer matrix ``(len(texts), len(target_ids))``: 0 favor,
            1 against, 2 none, -1 no label.
        frames
            Index of each sentence's main frame in ``frame_ids``, -1 for none.
        """
        texts = [str(t) for t in texts]
        S = np.asarray(stance, dtype=np.int64).reshape(len(texts), len(target_ids))
        F = np.asarray(frames, dtype=np.int64).reshape(len(texts))
        self.target_ids_ = [str(t) for t in target_ids]
        self.frame_ids_ = [str(f) for f in frame_ids]
        self.tokenizer_ = encoder.tokenizer
        self.temperature_ = {"stance": 1.0, "frames": 1.0}
        with _deterministic(self.random_state, self.threads):
            if self.calibrate and len(texts) >= 20:
                rng = np.random.default_rng(self.random_state)
                held = rng.random(len(texts)) < self.calibration_share
                keep = np.flatnonzero(~held)
                net = self._train(
                    encoder, [texts[i] for i in keep], S[keep], F[keep], len(frame_ids), "calibrating"
                )
                hidx = np.flatnonzero(held)
                st, fr = self._predict_logits(net, encoder.tokenizer, [texts[i] for i in hidx])
                self.temperature_ = {
                    "stance": _fit_temperature(st[S[hidx] >= 0], S[hidx][S[hidx] >= 0]),
                    "frames": _fit_temperature(fr[F[hidx] >= 0], F[hidx][F[hidx] >= 0]),
                }
                del net
            self.net_ = self._train(encoder, texts, S, F, len(frame_ids), "fine-tuning")
        return self

    # ------------------------------------------------------------ prediction

    def _proba(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        st, fr = self._predict_logits(self.net_, self.tokenizer_, [str(t) for t in texts])
        return (
            _softmax(st / self.temperature_["stance"]),
            _softmax(fr / self.temperature_["frames"]),
        )

    def predict_stance(self, texts: Sequence[str]) -> np.ndarray:
        """favor/against/none probabilities, shape ``(len(texts), len(target_ids_), 3)``."""
        return self._proba(texts)[0].astype(np.float64)

    def predict_frames(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each frame (a softmax over the main frame), shape ``(len(texts), frames)``."""
        return self._proba(texts)[1].astype(np.float64)

    # ------------------------------------------------------------ storage

    def save(self, path: str | Path) -> Path:
        """Write the fine-tuned weights and what is needed to use them, atomically, as safetensors."""
        from safetensors.torch import save_file

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().contiguous().clone() for k, v in self.net_.state_dict().items()}
        meta = {
            "framing": json.dumps(
                {
                    "version": FINETUNE_VERSION,
                    "params": self.get_params(),
                    "target_ids": self.target_ids_,
                    "frame_ids": self.frame_ids_,
                    "temperature": self.temperature_,
                }
            )
        }
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        os.close(fd)
        try:
            save_file(state, tmp, metadata=meta)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return path

    @classmethod
    def load(cls, path: str | Path, encoder: Encoder) -> FineTunedHead:
        """Weights written by :meth:`save`, on top of ``encoder``'s architecture and tokenizer."""
        from safetensors import safe_open
        from safetensors.torch import load_file

        with safe_open(str(path), framework="pt") as fh:
            meta = json.loads((fh.metadata() or {})["framing"])
        head = cls(**meta["params"])
        head.target_ids_ = list(meta["target_ids"])
        head.frame_ids_ = list(meta["frame_ids"])
        head.temperature_ = {k: float(v) for k, v in meta["temperature"].items()}
        head.tokenizer_ = encoder.tokenizer
        net = head._build(encoder, len(head.target_ids_), len(head.frame_ids_))
        net.load_state_dict(load_file(str(path), device=encoder.device), strict=True)
        head.net_ = net.eval()
        return head


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature (0.05..20) that minimises the negative log-likelihood of ``y``.

    Examples
    --------
    >>> z = np.array([[4.0, 0.0], [4.0, 0.0], [0.0, 4.0], [4.0, 0.0]]); y = np.array([0, 1, 1, 0])
    >>> _fit_temperature(z, y) > 1  # over-confident logits are softened
    True
    """
    if not len(y):
        return 1.0
    from scipy.optimize import minimize_scalar

    def nll(log_t: float) -> float:
        p = _softmax(logits / np.exp(log_t))
        return float(-np.log(p[np.arange(len(y)), y].clip(min=1e-12)).mean())

    res = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(res.x))


# ---------------------------------------------------------------- training data


def training_arrays(
    training: Any,
    targets: Sequence[Mapping[str, Any]],
    frames: Sequence[Mapping[str, Any]],
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(texts, stance matrix, frame index) from labelled examples and the codebooks' sentences.

    Labelled examples give every target's label and the main frame; a
    target's favour and opposition statements give that target only; a
    frame's example sentences give that frame only. Missing labels are -1.

    Examples
    --------
    >>> import pandas as pd
    >>> tr = pd.DataFrame({"text": ["a"], "t": ["favor"], "frame": ["f"]})
    >>> texts, S, F = training_arrays(tr, [{"id": "t", "against": ["b"]}], [{"id": "f", "examples": ["c"]}])
    >>> texts, S.tolist(), F.tolist()
    (['a', 'b', 'c'], [[0], [1], [-1]], [0, -1, 0])
    """
    tids = [str(t["id"]) for t in targets]
    fids = [str(f["id"]) for f in frames]
    lab = {x: i for i, x in enumerate(STANCE_LABELS)}
    texts: list[str] = training["text"].astype(str).tolist()
    S = np.full((len(texts), len(tids)), -1, dtype=np.int64)
    for j, tid in enumerate(tids):
        if tid in training.columns:
            S[:, j] = [lab.get(str(v), -1) for v in training[tid]]
    fcol = training["frame"] if "frame" in training.columns else [""] * len(texts)
    F = [fids.index(str(f)) if str(f) in fids else -1 for f in fcol]
    extra_S: list[list[int]] = []
    for j, t in enumerate(targets):
        for name in ("favor", "against"):
            for s in t.get(name, []) or []:
                texts.append(str(s))
                row = [-1] * len(tids)
                row[j] = lab[name]
                extra_S.append(row)
                F.append(-1)
    for j, f in enumerate(frames):
        for s in f.get("examples", []) or []:
            texts.append(str(s))
            extra_S.append([-1] * len(tids))
            F.append(j)
    if extra_S:
        S = np.vstack([S, np.asarray(extra_S, dtype=np.int64).reshape(-1, len(tids))])
    return texts, S, np.asarray(F, dtype=np.int64)


def weights_key(
    encoder: Encoder, data_digest: str, params: Mapping[str, Any], version: str = FINETUNE_VERSION
) -> str:
    """Name of the saved weights: base weights hash, training/codebook digest, options, version.

    Examples
    --------
    >>> class E: weights_sha256 = "abc"; name = "m"
    >>> weights_key(E(), "d1", {"epochs": 1}) == weights_key(E(), "d2", {"epochs": 1})
    False
    """
    blob = json.dumps(
        {
            "model": encoder.name,
            "weights": encoder.weights_sha256,
            "data": data_digest,
            "params": dict(params),
            "version": version,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


# ---------------------------------------------------------------- the shipped head

_FITTED: dict[str, FineTunedHead] = {}


def weights_path(key: str, folder: str | Path | None = None) -> Path:
    """Where fine-tuned weights of ``key`` are saved: ``<score cache>/finetuned/<key>.safetensors``.

    ``folder`` is the score cache's folder (default: ``framing.paths().cache``).

    Examples
    --------
    >>> weights_path("abc", "/tmp/cache").as_posix()
    '/tmp/cache/finetuned/abc.safetensors'
    """
    from framing.config import paths

    base = Path(folder) if folder is not None else paths().cache
    return base / "finetuned" / f"{key}.safetensors"


def finetuned_head(
    encoder: Encoder,
    *,
    targets: str | Path = TARGETS,
    frames: str | Path = FRAMES,
    training: str | Path = TRAINING,
    params: Mapping[str, Any] | None = None,
    cache: bool = True,
    folder: str | Path | None = None,
) -> FineTunedHead:
    """The encoder fine-tuned on the shipped examples, fitted once and then loaded from disk.

    The first call fine-tunes (a one-time step, with a progress bar) and
    saves the weights in the score cache folder (``framing.paths().cache``,
    or ``FRAMING_CACHE``); later calls, in this or any process, load them.
    The file name is a digest of the base weights hash, the codebooks and
    training data, the options and :data:`FINETUNE_VERSION`, so changing any
    of them fine-tunes again.

    Parameters
    ----------
    encoder
        The base encoder.
    targets, frames, training
        Codebooks and labelled examples (shipped names or paths).
    params
        Options of :class:`FineTunedHead`.
    cache
        Load and save the weights on disk (otherwise fit in memory only).
    folder
        The score cache's folder (default: ``framing.paths().cache``).

    Examples
    --------
    >>> from framing import load_model
    >>> head = finetuned_head(load_model())  # doctest: +SKIP
    >>> head.predict_stance(["NATO must not expand."])[0].sum(axis=1)  # doctest: +SKIP
    array([1., 1., 1., 1.])
    """
    head = FineTunedHead(**dict(params or {}))
    key = weights_key(encoder, _codebooks.digest(targets, frames, training), head.get_params())
    if key in _FITTED:
        return _FITTED[key]
    path = weights_path(key, folder)
    if cache and path.is_file():
        log.debug("loading fine-tuned weights from %s", path)
        head = FineTunedHead.load(path, encoder)
    else:
        tlist, flist = load_entries(targets, "targets"), load_entries(frames, "frames")
        texts, S, F = training_arrays(load_training(training), tlist, flist)
        log.info(
            "fine-tuning %s on %d labelled sentences: a one-time step%s",
            encoder.name,
            len(texts),
            f", the weights are saved to {path}" if cache else "",
        )
        head.fit(encoder, texts, S, [str(t["id"]) for t in tlist], F, [str(f["id"]) for f in flist])
        if cache:
            head.save(path)
    _FITTED[key] = head
    return head
