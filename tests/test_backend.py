"""The CTranslate2 backend: agreement with PyTorch fp32, batch independence, conversion cache, fallback."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from test_models import TINY_VOCAB

import framing
from framing.scoring import _backends, models

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
    for name in ("FRAMING_MODEL", "FRAMING_PRECISION", "FRAMING_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(models, "_LOADED", {})  # each test loads (and converts) into its own cache


def _settings(tmp_path: Path, **kw: str) -> framing.Settings:
    return framing.Settings(cache=tmp_path / "cache", **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("env", "arg", "expected"),
    [(None, None, "ctranslate2"), ("torch", None, "torch"), ("TORCH", "ctranslate2", "ctranslate2")],
)
def test_backend_comes_from_the_argument_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: str | None, arg: str | None, expected: str
) -> None:
    if env is not None:
        monkeypatch.setenv("FRAMING_BACKEND", env)
    assert framing.Settings.from_env(backend=arg).backend == expected


def test_unknown_backend_is_an_error() -> None:
    with pytest.raises(ValueError, match="onnx"):
        framing.Settings(backend="onnx")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("backend", "precision", "expected"),
    [("ctranslate2", "auto", ("ctranslate2", "int8", "int8_float32")),
     ("ctranslate2", "fp32", ("ctranslate2", "fp32", "float32")),
     ("torch", "auto", ("torch", "fp32", "fp32"))],
)  # fmt: skip
def test_auto_precision_is_the_backends_own(
    model_dirs: dict[str, Path], tmp_path: Path, backend: str, precision: str, expected: tuple[str, ...]
) -> None:
    enc = framing.load_model(model_dirs["encoder"], settings=_settings(tmp_path, backend=backend,
                                                                        precision=precision))
    assert (enc.key["backend"], enc.key["precision"], enc.key["compute_type"]) == expected


def test_cli_backend_flag_reaches_the_settings() -> None:
    from framing.cli import build_parser

    args = build_parser().parse_args(["--backend", "torch", "bench", "--n", "4"])
    assert args.backend == "torch"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--backend", "onnx", "bench"])


# ---------------------------------------------------------------- agreement and batch independence


def test_tiny_encoder_agrees_with_torch_fp32(model_dirs: dict[str, Path], tmp_path: Path) -> None:
    ref = framing.load_model(model_dirs["encoder"], settings=_settings(tmp_path, backend="torch"))
    for prec in ("fp32", "int8"):
        enc = framing.load_model(model_dirs["encoder"], settings=_settings(tmp_path, precision=prec))
        assert enc.runner is not None
        cos = (ref.encode(SENTENCES) * enc.encode(SENTENCES)).sum(axis=1)
        assert cos.min() > (0.9999 if prec == "fp32" else 0.99), prec
        norms = np.linalg.norm(enc.encode(SENTENCES), axis=1)
        assert np.allclose(norms, 1.0, atol=1e-5)


def test_tiny_nli_model_agrees_with_torch_fp32(model_dirs: dict[str, Path], tmp_path: Path) -> None:
    ref = framing.load_model(model_dirs["nli"], settings=_settings(tmp_path, backend="torch"))
    nli = framing.load_model(model_dirs["nli"], settings=_settings(tmp_path, precision="fp32"))
    assert isinstance(nli, models.NLIModel) and nli.key["backend"] == "ctranslate2"
    hyps = ["this text supports nato expansion"] * len(SENTENCES)
    assert np.abs(nli.entail(SENTENCES, hyps) - ref.entail(SENTENCES, hyps)).max() < 1e-4


def test_a_sentence_is_encoded_the_same_alone_and_in_two_different_batches(
    model_dirs: dict[str, Path], tmp_path: Path
) -> None:
    enc = framing.load_model(model_dirs["encoder"], settings=_settings(tmp_path))
    alone = np.vstack([enc.encode([s]) for s in SENTENCES[:2]])
    for batch in (SENTENCES, SENTENCES[:2] + SENTENCES[::-1] * 3):
        assert np.abs(enc.encode(batch, batch_size=64)[:2] - alone).max() <= 1e-6


@pytest.mark.slow
def test_default_model_agrees_with_torch_fp32_on_a_fixed_set(tmp_path: Path) -> None:
    ref = framing.load_model(settings=_settings(tmp_path, backend="torch"))
    enc = framing.load_model(settings=_settings(tmp_path))
    assert enc.key["compute_type"] == "int8_float32"
    cos = (ref.encode(SENTENCES) * enc.encode(SENTENCES)).sum(axis=1)
    assert cos.min() > 0.99
    scored = [(framing.score_stance(SENTENCES, model=m, cache=False),
               framing.score_frames(SENTENCES, model=m, cache=False)) for m in (ref, enc)]  # fmt: skip
    from framing.quality.bench import agreement

    assert agreement(*scored)["label_agreement"] >= 0.99


# ---------------------------------------------------------------- the conversion cache


@pytest.mark.parametrize(
    ("change", "value"),
    [("weights_sha256", "cd" * 32), ("compute_type", "float32"), ("version", "4.9.0")],
)
def test_conversion_folder_changes_with_weights_compute_type_and_version(change: str, value: str) -> None:
    args = {"weights_sha256": "ab" * 32, "compute_type": "int8_float32", "version": "4.8.5"}
    same = _backends.conversion_folder("/c", **args)
    assert _backends.conversion_folder("/c", **args) == same
    assert _backends.conversion_folder("/c", **{**args, change: value}) != same
    assert same.parent == Path("/c") / "ctranslate2"


def test_a_conversion_is_built_once_and_reused(
    model_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = framing.load_model(model_dirs["encoder"], settings=_settings(tmp_path, backend="torch"))
    calls: list[str] = []
    real = _backends._spec
    monkeypatch.setattr(_backends, "_spec", lambda *a: calls.append("spec") or real(*a))

    def load(cache: Path, compute_type: str = "int8_float32") -> object:
        return _backends.load_ct2(ref.model, ref.tokenizer, kind="encoder", weights_sha256=ref.weights_sha256,
                                  precision="int8", device="cpu", cache_dir=cache, compute_type=compute_type)

    load(tmp_path / "a")
    folder = _backends.conversion_folder(tmp_path / "a", ref.weights_sha256, "int8_float32")
    stamp = (folder / "model.bin").stat().st_mtime_ns
    load(tmp_path / "a")
    assert calls == ["spec"] and (folder / "model.bin").stat().st_mtime_ns == stamp
    load(tmp_path / "a", "int8")  # another compute type: another conversion
    load(tmp_path / "b")  # another cache folder: converted there
    assert len(calls) == 3
    assert sorted(p.name.split("-")[1] for p in (tmp_path / "a" / "ctranslate2").iterdir()) == [
        "int8", "int8_float32"]  # fmt: skip
    assert not [p for p in (tmp_path / "a" / "ctranslate2").iterdir() if p.name.startswith(".")]


def test_the_conversion_lives_in_the_score_cache_folder(model_dirs: dict[str, Path], tmp_path: Path) -> None:
    enc = framing.load_model(model_dirs["encoder"], settings=_settings(tmp_path, precision="int8"))
    folder = _backends.conversion_folder(tmp_path / "cache", enc.weights_sha256, "int8_float32")
    assert (folder / "model.bin").is_file()


# ---------------------------------------------------------------- falling back to PyTorch


def _tiny_mpnet(folder: Path) -> Path:
    import torch
    from transformers import BertTokenizer, MPNetConfig, MPNetModel

    folder.mkdir(parents=True)
    (folder / "vocab.txt").write_text("\n".join(TINY_VOCAB) + "\n", encoding="utf-8")
    BertTokenizer(vocab_file=str(folder / "vocab.txt"), do_lower_case=True).save_pretrained(folder)
    torch.manual_seed(0)
    config = MPNetConfig(vocab_size=len(TINY_VOCAB), hidden_size=16, num_hidden_layers=1,
                         num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)  # fmt: skip
    MPNetModel(config).save_pretrained(folder)
    return folder


def test_a_model_ctranslate2_cannot_convert_runs_on_torch_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _tiny_mpnet(tmp_path / "mpnet")
    with caplog.at_level(logging.WARNING, logger="framing"):
        enc = framing.load_model(folder, settings=_settings(tmp_path))
    assert (enc.key["backend"], enc.key["precision"], enc.runner) == ("torch", "fp32", None)
    notes = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(notes) == 1 and "\n" not in notes[0]
    assert "MPNet" in notes[0] and "runs on PyTorch instead" in notes[0]
    assert enc.encode(["nato must stop"]).shape == (1, 16)


def test_bf16_runs_on_torch_with_a_warning(
    model_dirs: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="framing"):
        enc = framing.load_model(model_dirs["encoder"], settings=_settings(tmp_path, precision="bf16"))
    assert (enc.key["backend"], enc.key["precision"]) == ("torch", "bf16")
    assert any("bf16" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("why", "kwargs"),
    [("hub models", {"weights_sha256": "revision:abc"}), ("'mps'", {"device": "mps"})],
)
def test_what_ctranslate2_does_not_run_is_said_in_one_line(
    model_dirs: dict[str, Path], tmp_path: Path, why: str, kwargs: dict[str, str]
) -> None:
    ref = framing.load_model(model_dirs["encoder"], settings=_settings(tmp_path, backend="torch"))
    args = {"weights_sha256": ref.weights_sha256, "precision": "int8", "device": "cpu", **kwargs}
    with pytest.raises(_backends.BackendUnavailable, match=why):
        _backends.load_ct2(ref.model, ref.tokenizer, kind="encoder", cache_dir=tmp_path, **args)


def test_a_conversion_ctranslate2_refuses_falls_back_to_torch(
    model_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse(*args: object) -> None:
        raise ValueError("Vocabulary has size 5 but the model expected a vocabulary of size 35\nmore")

    monkeypatch.setattr(_backends, "convert", refuse)
    with caplog.at_level(logging.WARNING, logger="framing"):
        enc = framing.load_model(model_dirs["encoder"], settings=_settings(tmp_path))
    assert enc.key["backend"] == "torch"
    (note,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "Vocabulary has size 5" in note and "\n" not in note
