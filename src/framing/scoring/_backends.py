"""What the model wrappers run on: PyTorch's per-token int8 layers and the CTranslate2 backend.

:mod:`framing.scoring.models` holds the wrappers (:class:`~framing.scoring.models.Encoder`,
:class:`~framing.scoring.models.NLIModel`); this module holds the two ways of running
them faster than PyTorch fp32 eager:

- :func:`quantize_int8`: PyTorch linear layers with int8 weights and int8
  activations scaled per token (CPU only; slower than fp32 on AVX2 CPUs);
- CTranslate2: a converted copy of a BERT-family model (int8 weights,
  activations quantised per row, so a sentence's scores do not depend on its
  batch). The copy is built once from the PyTorch model that was loaded from
  the hash-checked safetensors folder, never fetched, and cached in the score
  cache's folder under ``ctranslate2/``, keyed by the weights' SHA-256, the
  backend, the compute type and the CTranslate2 version
  (:func:`conversion_folder`).

A model CTranslate2 cannot run raises :class:`BackendUnavailable` here; the
wrapper then runs it on PyTorch with a one-line warning.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import re
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: CTranslate2 compute type of each precision it runs (int8 weights, float32 elsewhere)
CT2_COMPUTE_TYPES: dict[str, str] = {"fp32": "float32", "int8": "int8_float32"}
CT2_FOLDER = "ctranslate2"
#: smallest cosine between the converted model's and PyTorch's pooled states on the probe texts
_MIN_COSINE = 0.95
_PROBE = ["The talks were frank and businesslike, the Kremlin said.", "Troops massed near the border."]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BackendUnavailable(RuntimeError):
    """CTranslate2 cannot run this model here; the message says why (one line)."""


# ---------------------------------------------------------------- PyTorch per-token int8


def _int8_linear_class() -> type:
    """A ``torch.nn.Linear`` replacement with int8 weights and per-token int8 activations.

    Weights are quantised once, symmetrically per output channel (fbgemm or
    onednn kernels through ``torch.ops.quantized``). PyTorch's dynamic
    quantisation picks one activation scale for the whole batch, so a
    sentence's scores would depend on its neighbours. Here each token's row is
    first divided by its own largest absolute value, and two constant rows
    (+1 and -1) fix the batch's range, so the kernel's scale is always the
    same and every row is quantised with its own scale: a token's output never
    depends on the other rows of the batch. The row scale is multiplied back
    afterwards and the bias added in fp32.
    """
    import torch

    class RowInt8Linear(torch.nn.Module):
        def __init__(self, linear: torch.nn.Linear) -> None:
            super().__init__()
            w = linear.weight.detach().float()
            w_scale = (w.abs().amax(dim=1).clamp(min=1e-8) / 127.0).double()
            zero = torch.zeros(w.shape[0], dtype=torch.long)
            with warnings.catch_warnings():  # quantised tensors are deprecated, their fbgemm kernels not yet
                warnings.simplefilter("ignore", UserWarning)
                wq = torch.quantize_per_channel(w, w_scale, zero, 0, torch.qint8)
            self._packed = torch.ops.quantized.linear_prepack(wq, None)
            bias = linear.bias.detach().float().clone() if linear.bias is not None else None
            self.register_buffer("bias", bias)
            self.register_buffer("bounds", torch.tensor([[1.0], [-1.0]]).expand(2, w.shape[1]).clone())
            self.out_features = linear.out_features

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            rows = x.reshape(-1, x.shape[-1]).float()
            scale = rows.abs().amax(dim=1, keepdim=True).clamp(min=1e-8)
            unit = torch.cat([rows / scale, self.bounds])
            y = torch.ops.quantized.linear_dynamic(unit, self._packed, True)[: len(rows)]
            y.mul_(scale)
            if self.bias is not None:
                y.add_(self.bias)
            return y.reshape(*x.shape[:-1], self.out_features)

    return RowInt8Linear


def quantize_int8(model: Any) -> Any:
    """Replace the linear layers of a transformer's encoder stack by per-token int8 ones, in place.

    Embeddings, the pooler and a classification head stay in fp32. Returns ``model``.

    Examples
    --------
    >>> import torch
    >>> m = torch.nn.Sequential(torch.nn.Linear(8, 4))
    >>> type(quantize_int8(m)[0]).__name__
    'RowInt8Linear'
    """
    import torch

    cls = _int8_linear_class()
    root = getattr(getattr(model, "base_model", model), "encoder", model)
    targets = [(n, m) for n, m in root.named_modules() if n and isinstance(m, torch.nn.Linear)]
    for name, mod in targets:
        parent_name, _, child = name.rpartition(".")
        parent = root.get_submodule(parent_name) if parent_name else root
        setattr(parent, child, cls(mod))
    log.debug("quantised %d linear layers to int8 (per-token activations)", len(targets))
    return model


# ---------------------------------------------------------------- CTranslate2


def ct2_version() -> str | None:
    """The installed CTranslate2 version, or ``None`` when it is not installed."""
    try:
        import ctranslate2
    except ImportError:
        return None
    return str(ctranslate2.__version__)


def conversion_folder(cache_dir: str | Path, weights_sha256: str, compute_type: str,
                      version: str | None = None) -> Path:
    """Where the converted model of these weights, compute type and CTranslate2 version is cached.

    Examples
    --------
    >>> conversion_folder("/c", "ab" * 32, "int8_float32", "4.8.5").name[:36]
    'abababababab-int8_float32-ct2-4.8.5-'
    """
    version = version if version is not None else (ct2_version() or "none")
    key = {"weights_sha256": weights_sha256, "backend": "ctranslate2", "compute_type": compute_type,
           "ctranslate2": version}  # fmt: skip
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()[:12]
    return Path(cache_dir) / CT2_FOLDER / f"{weights_sha256[:12]}-{compute_type}-ct2-{version}-{digest}"


def _base(model: Any, kind: str) -> Any:
    """The encoder stack CTranslate2 converts: the model itself, or a BERT classifier's ``bert``."""
    if kind == "encoder":
        return model
    if getattr(model.config, "model_type", "") == "bert" and hasattr(model, "bert") and hasattr(
        model, "classifier"
    ):
        return model.bert
    raise BackendUnavailable(
        f"CTranslate2 runs sequence classifiers of the BERT family only, not {type(model).__name__}"
    )


def _spec(base: Any, tokenizer: Any) -> Any:
    """CTranslate2's model spec of ``base`` (a copy, since the converter changes weights in place)."""
    from ctranslate2.converters import transformers as ct2t

    name = type(base.config).__name__
    loader = ct2t._MODEL_LOADERS.get(name)
    if loader is None or not hasattr(loader, "architecture_name"):
        raise BackendUnavailable(f"CTranslate2 has no converter for {name.removesuffix('Config')} models")
    twin = copy.deepcopy(base).float()
    if not hasattr(twin.config, "position_embedding_type"):  # transformers 5 dropped it: absolute only
        twin.config.position_embedding_type = "absolute"
    try:
        return loader(twin, tokenizer)
    except (AssertionError, AttributeError, KeyError, ValueError, NotImplementedError, TypeError) as err:
        why = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else 'unsupported layer'}"
        raise BackendUnavailable(f"CTranslate2 could not convert this model ({why})") from None


def convert(base: Any, tokenizer: Any, folder: Path, compute_type: str) -> Path:
    """Convert ``base`` into ``folder`` unless it is there; atomic, so two processes may race.

    Examples
    --------
    >>> convert(model, tokenizer, Path("cache/ctranslate2/x"), "int8_float32")  # doctest: +SKIP
    """
    if (folder / "model.bin").is_file():
        return folder
    spec = _spec(base, tokenizer)
    log.info("converting the model to CTranslate2 (%s), once, into %s", compute_type, folder)
    spec.validate()
    spec.optimize(quantization=compute_type)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    spec.save(str(tmp))
    try:
        os.replace(tmp, folder)
    except OSError:  # another process finished the same conversion first
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _check_supported(model: Any, kind: str, *, weights_sha256: str, precision: str, device: str,
                     compute_type: str | None = None) -> str:
    """The compute type to run in, or :class:`BackendUnavailable` saying why not."""
    if ct2_version() is None:
        raise BackendUnavailable("ctranslate2 is not installed (pip install ctranslate2)")
    import ctranslate2

    if precision not in CT2_COMPUTE_TYPES:
        raise BackendUnavailable(f"CTranslate2 runs {' and '.join(CT2_COMPUTE_TYPES)} here, not {precision}")
    if not _SHA256.match(weights_sha256):
        raise BackendUnavailable("CTranslate2 converts local safetensors folders only, not hub models")
    dev = device.split(":")[0]
    if dev not in ("cpu", "cuda"):
        raise BackendUnavailable(f"CTranslate2 does not run on {device!r}")
    compute_type = compute_type or CT2_COMPUTE_TYPES[precision]
    if compute_type not in ctranslate2.get_supported_compute_types(dev):
        raise BackendUnavailable(f"CTranslate2 cannot compute {compute_type} on this {dev}")
    _base(model, kind)
    return compute_type


def load_ct2(model: Any, tokenizer: Any, *, kind: str, weights_sha256: str, precision: str, device: str,
             cache_dir: str | Path, threads: int | None = None,
             compute_type: str | None = None) -> tuple[Any, str]:
    """The CTranslate2 encoder of a loaded PyTorch model, converted on first use; and its compute type.

    ``threads`` defaults to PyTorch's intra-op threads (so ``OMP_NUM_THREADS``
    holds, as on Dask workers); ``compute_type`` to the precision's entry of
    :data:`CT2_COMPUTE_TYPES` (the benchmark's probe tries others).

    Raises :class:`BackendUnavailable` when the model cannot run on CTranslate2
    here, or when the converted model's pooled states on two probe sentences
    are not close to PyTorch's (a converter that does not fit the model).

    Examples
    --------
    >>> runner, ct = load_ct2(model, tok, kind="encoder", weights_sha256=sha,  # doctest: +SKIP
    ...                       precision="int8", device="cpu", cache_dir="cache")
    """
    import ctranslate2
    import torch

    compute_type = _check_supported(model, kind, weights_sha256=weights_sha256, precision=precision,
                                    device=device, compute_type=compute_type)  # fmt: skip
    base = _base(model, kind)
    folder = conversion_folder(cache_dir, weights_sha256, compute_type)
    dev, _, index = device.partition(":")
    try:
        convert(base, tokenizer, folder, compute_type)
        runner = ctranslate2.Encoder(
            str(folder), device=dev, device_index=int(index or 0), compute_type=compute_type,
            intra_threads=threads or torch.get_num_threads(),
        )  # fmt: skip
    except (ValueError, RuntimeError, OSError, TypeError, KeyError) as err:  # a spec or file it refuses
        if isinstance(err, BackendUnavailable):
            raise
        why = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else 'no message'}"
        raise BackendUnavailable(f"CTranslate2 could not convert or load this model ({why})") from None
    _probe(runner, base, tokenizer)
    return runner, compute_type


def _probe(runner: Any, base: Any, tokenizer: Any) -> None:
    """Compare the converted model with PyTorch on two sentences; raise if they are far apart."""
    import torch

    enc = tokenizer(_PROBE, padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = base(**enc).last_hidden_state.float().numpy()
    lengths = enc["attention_mask"].sum(1).numpy()
    ref = mean_pool(hidden, lengths)
    got = mean_pool(forward(runner, [enc["input_ids"][i, :n].tolist() for i, n in enumerate(lengths)])[0],
                    lengths)  # fmt: skip
    cos = float((ref * got).sum(1).min())
    if not np.isfinite(cos) or cos < _MIN_COSINE:
        raise BackendUnavailable(f"the converted model differs from PyTorch's (cosine {cos:.3f} on a probe)")


def forward(runner: Any, ids: Sequence[Sequence[int]],
            token_types: Sequence[Sequence[int]] | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Last hidden states ``(batch, tokens, dim)`` and pooler output (if any) of token-id lists."""
    out = runner.forward_batch([list(map(int, x)) for x in ids],
                               token_type_ids=None if token_types is None else [list(t) for t in token_types])
    return _numpy(out.last_hidden_state), (None if out.pooler_output is None else _numpy(out.pooler_output))


def _numpy(view: Any) -> np.ndarray:
    if getattr(view, "device", "cpu") != "cpu":
        import ctranslate2

        view = view.to_device(ctranslate2.Device.cpu)
    return np.asarray(view, dtype=np.float32)


def mean_pool(
    hidden: np.ndarray, lengths: Sequence[int] | np.ndarray, *, normalize: bool = True
) -> np.ndarray:
    """Mean of each row's first ``lengths`` token states, L2-normalised as ``torch.nn.functional.normalize``.

    ``normalize=False`` leaves the mean as it is (for a head on pooled states,
    as a fine-tuned classifier has).

    Examples
    --------
    >>> h = np.array([[[3.0, 0.0], [5.0, 0.0]], [[0.0, 2.0], [9.0, 9.0]]])
    >>> mean_pool(h, [2, 1]).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    >>> mean_pool(h, [2, 1], normalize=False).tolist()
    [[4.0, 0.0], [0.0, 2.0]]
    """
    lengths = np.asarray(lengths)
    mask = (np.arange(hidden.shape[1])[None, :] < lengths[:, None]).astype(np.float32)[..., None]
    pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
    if not normalize:
        return pooled.astype(np.float32)
    norm = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norm, 1e-12)).astype(np.float32)


def classifier_weights(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """A BERT sequence classifier's last layer as arrays, for logits from CTranslate2's pooler output."""
    layer = model.classifier
    return layer.weight.detach().float().numpy().copy(), layer.bias.detach().float().numpy().copy()
