"""Precision modes on both backends: batch independence, the environment variable, the cache key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import framing
from framing.scoring import models

SENTENCES = [
    "NATO must stop expanding towards Russia's borders, the Kremlin said on Monday.",
    "The two leaders agreed that their advisers would keep talking.",
    "Troops massed near the border as talks in Geneva stalled.",
    "Sanctions would hit the economy hard, the minister warned.",
    "Ukraine has every right to choose its own alliances.",
    "Talks.",
    "The prime minister said that any incursion would be a strategic mistake with tragic consequences.",
]


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FRAMING_MODEL", raising=False)
    monkeypatch.delenv("FRAMING_PRECISION", raising=False)
    monkeypatch.delenv("FRAMING_BACKEND", raising=False)
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))


def _scores(model: models.Encoder, batch: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities of the first ``k`` sentences of ``batch``, scored together, no cache."""
    st = framing.score_stance(batch, model=model, cache=False)
    fr = framing.score_frames(batch, model=model, cache=False)
    st, fr = st[st["sent_id"] < k], fr[fr["sent_id"] < k]
    labels = np.concatenate([st["label"].to_numpy(dtype=str), (fr["prob"] >= 0.5).to_numpy().astype(str)])
    probs = np.concatenate([st[["favor", "against", "none"]].to_numpy().ravel(), fr["prob"].to_numpy()])
    return labels, probs


@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "precision", "tolerance"),
    [("torch", "bf16", models.BATCH_TOLERANCE), ("torch", "int8", models.BATCH_TOLERANCE),
     ("ctranslate2", "int8", 1e-3)],  # the default's rule: within 1e-3
)  # fmt: skip
def test_a_sentence_gets_the_same_scores_alone_and_in_two_different_batches(
    backend: str, precision: str, tolerance: float
) -> None:
    model = framing.load_model(precision=precision, backend=backend)  # type: ignore[arg-type]
    assert model.key["backend"] == backend
    k = 2
    alone = [_scores(model, [s], 1) for s in SENTENCES[:k]]
    alone_labels = np.concatenate([a[0] for a in alone])
    alone_probs = np.concatenate([a[1] for a in alone])
    for batch in (SENTENCES, SENTENCES[:k] + SENTENCES[::-1] * 2):
        labels, probs = _scores(model, batch, k)
        # rows come sentence by sentence in both tables: reorder the batched ones the same way
        n_t, n_f = len(framing.scoring.stance.load_targets()), len(framing.scoring.frames.load_frames())
        st_l, fr_l = labels[: k * n_t].reshape(k, n_t), labels[k * n_t :].reshape(k, n_f)
        st_p, fr_p = probs[: k * n_t * 3].reshape(k, -1), probs[k * n_t * 3 :].reshape(k, n_f)
        by_sentence_l = np.concatenate([np.concatenate([st_l[i], fr_l[i]]) for i in range(k)])
        by_sentence_p = np.concatenate([np.concatenate([st_p[i], fr_p[i]]) for i in range(k)])
        assert (by_sentence_l == alone_labels).all()
        assert np.abs(by_sentence_p - alone_probs).max() <= tolerance


@pytest.mark.parametrize(
    ("env", "arg", "backend", "expected"),
    [
        (None, None, "torch", "fp32"),
        (None, None, "ctranslate2", "int8"),
        ("int8", None, "torch", "int8"),
        ("BF16", None, "torch", "bf16"),
        ("int8", "fp32", "torch", "fp32"),
        ("fp32", None, "ctranslate2", "fp32"),
    ],
)
def test_precision_comes_from_the_argument_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: str | None, arg: str | None, backend: str, expected: str
) -> None:
    if env is not None:
        monkeypatch.setenv("FRAMING_PRECISION", env)
    key = framing.load_model(precision=arg, backend=backend).key  # type: ignore[arg-type]
    assert (key["precision"], key["backend"]) == (expected, backend)


def test_unknown_precision_in_the_environment_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_PRECISION", "int4")
    with pytest.raises(models.ModelError, match="int4"):
        framing.load_model()


def test_torch_int8_replaces_the_encoder_layers_and_keeps_embeddings_close() -> None:
    fp32 = framing.load_model(precision="fp32", backend="torch").encode(SENTENCES)
    enc = framing.load_model(precision="int8", backend="torch")
    kinds = {type(m).__name__ for m in enc.model.modules()}
    assert "RowInt8Linear" in kinds
    assert enc.key["precision"] == "int8"
    cos = (fp32 * enc.encode(SENTENCES)).sum(axis=1)
    assert cos.min() > 0.98


def test_int8_linear_rows_do_not_depend_on_each_other() -> None:
    import torch

    torch.manual_seed(0)
    lin = torch.nn.Linear(16, 8)
    q = models.quantize_int8(torch.nn.Sequential(lin))[0]
    x = torch.randn(5, 16)
    x[4] *= 1000  # an outlier row would set a per-tensor scale for every row
    together = q(x)
    for i in range(5):
        assert torch.equal(q(x[i : i + 1])[0], together[i])
    assert (together[:4] - lin(x[:4])).abs().max() < 0.05


@pytest.mark.parametrize(
    ("mode", "other"),
    [(("torch", "fp32"), ("torch", "bf16")), (("torch", "fp32"), ("torch", "int8")),
     (("torch", "bf16"), ("torch", "int8")), (("torch", "fp32"), ("ctranslate2", "fp32")),
     (("torch", "int8"), ("ctranslate2", "int8")), (("ctranslate2", "fp32"), ("ctranslate2", "int8"))],
)  # fmt: skip
def test_backend_and_precision_are_part_of_the_cache_key(
    mode: tuple[str, str], other: tuple[str, str]
) -> None:
    from framing.scoring._cache import namespace

    a = framing.load_model(backend=mode[0], precision=mode[1]).key  # type: ignore[arg-type]
    b = framing.load_model(backend=other[0], precision=other[1]).key  # type: ignore[arg-type]
    assert (a["backend"], a["precision"]) == mode and (b["backend"], b["precision"]) == other
    assert namespace(**a) != namespace(**b)
