"""Fine-tuning the encoder with stance and frame heads: labels, determinism, storage, cache key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_models import build_tiny

import framing
from framing.scoring import models
from framing.scoring import training as finetune
from framing.scoring.training import FineTunedHead, training_arrays

TARGETS = [
    {"id": "nato_expansion", "favor": ["nato expansion"], "against": ["nato must stop expanding ."]},
    {"id": "diplomacy", "favor": ["the leaders agreed to continue talks ."], "against": ["war"]},
]
FRAMES = [
    {"id": "security_and_defense", "examples": ["troops and the border"]},
    {"id": "external_regulation_and_reputation", "examples": []},
    {"id": "other", "examples": ["this text is about war and peace"]},
]
TIDS = [t["id"] for t in TARGETS]
FIDS = [f["id"] for f in FRAMES]
TEXTS = ["nato must stop expanding .", "the leaders agreed to continue talks .", "troops and the border"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> models.Encoder:
    folder = tmp_path_factory.mktemp("tiny")
    enc = models._load(str(build_tiny(folder)), "fp32", "cpu", "torch", folder / "cache")
    assert isinstance(enc, models.Encoder)
    return enc


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMING_MODEL", raising=False)
    monkeypatch.setattr(finetune, "_FITTED", {})


def _training() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": TEXTS * 4,
            "nato_expansion": ["against", "none", "none"] * 4,
            "diplomacy": ["none", "favor", "none"] * 4,
            "frame": ["security_and_defense", "external_regulation_and_reputation", "security_and_defense"]
            * 4,
        }
    )


def _fit(enc: models.Encoder, **params: object) -> FineTunedHead:
    texts, S, F = training_arrays(_training(), TARGETS, FRAMES)
    opts = {"epochs": 1, "batch_size": 8, "freeze_layers": 0, **params}
    return FineTunedHead(**opts).fit(enc, texts, S, TIDS, F, FIDS)  # type: ignore[arg-type]


# ---------------------------------------------------------------- labels and weights


@pytest.mark.parametrize(
    ("row", "stance", "frame"),
    [
        (0, [1, -1], 0),  # "against" for the first target, no diplomacy column -> masked
        (1, [2, -1], 1),  # "none" is a label, not a missing one
        (2, [-1, -1], -1),  # unknown label and unknown frame -> masked
        (3, [0, -1], -1),  # codebook statement: its target only, no frame
        (4, [-1, 1], -1),
        (5, [-1, -1], 0),  # frame example: no stance
        (6, [-1, -1], 2),
    ],
)
def test_training_arrays_mask_what_is_not_labelled(row: int, stance: list[int], frame: int) -> None:
    tr = pd.DataFrame(
        {
            "text": ["a", "b", "c"],
            "nato_expansion": ["against", "none", "maybe"],
            "frame": ["security_and_defense", "external_regulation_and_reputation", "no_such_frame"],
        }
    )
    targets = [{"id": "nato_expansion", "favor": ["d"]}, {"id": "diplomacy", "against": ["e"]}]
    frames = [
        {"id": "security_and_defense", "examples": ["f"]},
        FRAMES[1],
        {"id": "other", "examples": ["g"]},
    ]
    texts, S, F = training_arrays(tr, targets, frames)
    assert texts == ["a", "b", "c", "d", "e", "f", "g"]
    assert S[row].tolist() == stance
    assert F[row] == frame


@pytest.mark.parametrize(
    ("y", "how", "expected"),
    [
        ([0, 0, 0, 1, 2, 2], "balanced", [6 / 9, 2.0, 1.0]),
        ([0, 0, 0, 1, 2, 2, -1], "balanced", [6 / 9, 2.0, 1.0]),  # unlabelled rows do not count
        ([0, 0, 0, 1, 2, 2], "sqrt", [(6 / 9) ** 0.5, 2**0.5, 1.0]),
        ([0, 0, 0, 1, 2, 2], "none", [1.0, 1.0, 1.0]),
    ],
)
def test_class_weights(y: list[int], how: str, expected: list[float]) -> None:
    w = finetune._class_weights(np.array(y), 3, how)  # type: ignore[arg-type]
    assert w.tolist() == pytest.approx(expected)


@pytest.mark.parametrize(
    ("logits", "y", "direction"),
    [
        ([[5.0, 0.0], [5.0, 0.0], [0.0, 5.0], [5.0, 0.0], [0.0, 5.0], [0.0, 5.0]], [0, 1, 1, 0, 0, 1], "up"),
        ([[0.2, 0.0], [0.2, 0.0], [0.0, 0.2], [0.0, 0.2]], [0, 0, 1, 1], "down"),
    ],
)
def test_temperature_softens_overconfidence_and_sharpens_underconfidence(
    logits: list[list[float]], y: list[int], direction: str
) -> None:
    t = finetune._fit_temperature(np.array(logits), np.array(y))
    assert t > 1 if direction == "up" else t < 1


# ---------------------------------------------------------------- the head


def test_fit_is_deterministic_and_leaves_the_encoder_unchanged(tiny: models.Encoder) -> None:
    before = tiny.encode(TEXTS)
    a, b = _fit(tiny), _fit(tiny)
    assert np.array_equal(a.predict_stance(TEXTS), b.predict_stance(TEXTS))
    assert np.array_equal(a.predict_frames(TEXTS), b.predict_frames(TEXTS))
    assert np.array_equal(tiny.encode(TEXTS), before)


def test_another_seed_gives_another_model(tiny: models.Encoder) -> None:
    a, b = _fit(tiny), _fit(tiny, random_state=1)
    assert not np.array_equal(a.predict_stance(TEXTS), b.predict_stance(TEXTS))


@pytest.mark.parametrize("calibrate", [False, True])
def test_probabilities_sum_to_one(tiny: models.Encoder, calibrate: bool) -> None:
    head = _fit(tiny, calibrate=calibrate, calibration_share=0.3)
    st, fr = head.predict_stance(TEXTS), head.predict_frames(TEXTS)
    assert st.shape == (3, 2, 3) and fr.shape == (3, 3)
    assert np.allclose(st.sum(axis=-1), 1) and np.allclose(fr.sum(axis=-1), 1)
    assert (st >= 0).all() and (fr >= 0).all()


def test_training_learns_separable_sentences(tiny: models.Encoder) -> None:
    head = _fit(tiny, epochs=30, lr=3e-3, head_lr=3e-2, class_weight="sqrt")
    # rows: the three texts; columns: nato_expansion, diplomacy; 0 favor, 1 against, 2 none
    assert head.predict_stance(TEXTS).argmax(axis=-1).tolist() == [[1, 2], [2, 0], [2, 2]]
    assert head.predict_frames(TEXTS).argmax(axis=-1).tolist() == [0, 1, 0]


def test_saved_weights_reload_to_identical_outputs(tiny: models.Encoder, tmp_path: Path) -> None:
    head = _fit(tiny, calibrate=True, calibration_share=0.3)
    path = head.save(tmp_path / "w" / "head.safetensors")
    raw = path.read_bytes()
    assert raw[8:9] == b"{"  # safetensors: 8-byte header length, then a JSON header (not a pickle)
    assert [p.name for p in path.parent.iterdir()] == ["head.safetensors"]  # no temporary file left
    again = FineTunedHead.load(path, tiny)
    assert again.target_ids_ == TIDS and again.frame_ids_ == FIDS
    assert again.temperature_ == head.temperature_
    assert again.get_params() == head.get_params()
    assert np.array_equal(again.predict_stance(TEXTS), head.predict_stance(TEXTS))
    assert np.array_equal(again.predict_frames(TEXTS), head.predict_frames(TEXTS))


# ---------------------------------------------------------------- shipped head and cache


def _files(tmp_path: Path, labels: list[str]) -> tuple[Path, Path, Path]:
    import yaml

    targets = tmp_path / "targets.yaml"
    targets.write_text(yaml.safe_dump({"targets": TARGETS}), encoding="utf-8")
    frames = tmp_path / "frames.yaml"
    frames.write_text(yaml.safe_dump({"frames": FRAMES}), encoding="utf-8")
    tr = _training()
    tr["nato_expansion"] = labels * 4
    training = tmp_path / f"training-{'-'.join(labels)}.csv"
    tr.to_csv(training, index=False)
    return targets, frames, training


def test_weights_are_fitted_once_then_loaded_from_the_cache(
    tiny: models.Encoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets, frames, training = _files(tmp_path, ["against", "none", "none"])
    opts = dict(targets=targets, frames=frames, training=training, params={"epochs": 1})
    first = finetune.finetuned_head(tiny, **opts)  # type: ignore[arg-type]
    saved = list((tmp_path / "cache" / "finetuned").glob("*.safetensors"))
    assert len(saved) == 1
    monkeypatch.setattr(finetune, "_FITTED", {})
    monkeypatch.setattr(FineTunedHead, "fit", lambda *a, **k: pytest.fail("fitted again"))
    second = finetune.finetuned_head(tiny, **opts)  # type: ignore[arg-type]
    assert second is not first
    assert np.array_equal(second.predict_stance(TEXTS), first.predict_stance(TEXTS))


def test_the_weights_key_changes_with_the_training_data(tiny: models.Encoder, tmp_path: Path) -> None:
    for labels in (["against", "none", "none"], ["favor", "none", "none"]):
        targets, frames, training = _files(tmp_path, labels)
        finetune.finetuned_head(tiny, targets=targets, frames=frames, training=training, params={"epochs": 1})
    assert len(list((tmp_path / "cache" / "finetuned").glob("*.safetensors"))) == 2


@pytest.mark.parametrize(
    ("change", "value"),
    [("data", "other data"), ("weights", "f" * 64), ("params", {"epochs": 2}), ("version", "ft-0")],
)
def test_weights_key_depends_on_each_part(change: str, value: object) -> None:
    class Enc:
        name = "m"
        weights_sha256 = "0" * 64

    parts: dict[str, object] = {"data": "d", "params": {"epochs": 1}, "version": "ft-1"}
    base = finetune.weights_key(Enc(), parts["data"], parts["params"], parts["version"])  # type: ignore[arg-type]
    if change == "weights":
        Enc.weights_sha256 = str(value)
    else:
        parts[change] = value
    assert finetune.weights_key(Enc(), parts["data"], parts["params"], parts["version"]) != base  # type: ignore[arg-type]


def test_score_functions_use_the_finetuned_head(tiny: models.Encoder, tmp_path: Path) -> None:
    targets, frames, training = _files(tmp_path, ["against", "none", "none"])
    st = framing.score_stance(TEXTS, model=tiny, codebook=targets, training=training, head="finetuned")
    fr = framing.score_frames(TEXTS, model=tiny, codebook=frames, training=training, head="finetuned")
    assert len(st) == 3 * 2 and len(fr) == 3 * 3
    assert np.allclose(st[["favor", "against", "none"]].sum(axis=1), 1, atol=1e-5)
    assert np.allclose(fr.groupby("sent_id")["prob"].sum(), 1, atol=1e-5)
    head = finetune.finetuned_head(tiny, targets=targets, training=training)  # what score_stance used
    assert np.allclose(st["favor"].to_numpy().reshape(3, 2), head.predict_stance(TEXTS)[..., 0], atol=1e-5)


def test_unknown_head_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown head 'bert'"):
        framing.score_stance(["a"], head="bert")  # type: ignore[arg-type]
