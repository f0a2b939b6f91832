"""Fitted heads: saved as safetensors and loaded unchanged, never refitted by a new process, shipped
hash-checked; the heads as scikit-learn estimators (clone, cross-validation, grid search); folds
grouped by event."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate
from test_models import build_tiny

from framing.quality.evaluation import cv_folds
from framing.scoring import _core, heads_io
from framing.scoring.estimators import FrameClassifier, StanceClassifier, stance_rows
from framing.scoring.frames import FRAMES_TASK, FrameHead
from framing.scoring.models import load_model
from framing.scoring.stance import STANCE, StanceHead

WORDS = [
    "nato must stop expanding .",
    "the leaders agreed to continue talks .",
    "troops and the border",
    "war",
]
LABELS = ["favor", "against", "none", "none"]
FRAMES = ["security_and_defense", "external_regulation_and_reputation", "political", "other"]


@pytest.fixture(autouse=True)
def _cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMING_MODEL", raising=False)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny") / "m")


def _sentences(n: int = 24) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"s{i}" for i in range(n)],
            "event": [f"e{i % 6}" for i in range(n)],
            "text": [f"{WORDS[i % 4]} {'peace ' * (i // 4)}".strip() for i in range(n)],
            "nato_expansion": [LABELS[i % 4] for i in range(n)],
            "diplomacy": [LABELS[(i + 1) % 4] for i in range(n)],
            "frame": [FRAMES[i % 4] for i in range(n)],
        }
    )


def test_a_stance_head_with_tfidf_comes_back_from_safetensors_unchanged(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 8)).astype("float32")
    texts = [f"{WORDS[i % 4]} {i}" for i in range(12)]
    targets = ["a"] * 6 + ["b"] * 6
    y = [LABELS[i % 3] for i in range(12)]
    vectors = {"a": rng.normal(size=8), "b": rng.normal(size=8), "c": rng.normal(size=8)}
    head = StanceHead(C=3.0).fit(X, targets, y, target_vectors=vectors, texts=texts)
    path = heads_io.save_head(head, tmp_path / "h.safetensors", about={"note": "x"})
    back, about = heads_io.load_head(path, StanceHead)
    assert about == {"note": "x"} and back.C == 3.0
    for t in ("a", "b", "c"):  # c: no head of its own, the pooled head
        np.testing.assert_array_equal(
            back.predict_proba(X, [t] * 12, texts), head.predict_proba(X, [t] * 12, texts)
        )
    assert b"__metadata__" in path.read_bytes()[:64]  # a safetensors header, not a pickle


def test_only_heads_can_be_saved(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="StanceHead or FrameHead"):
        heads_io.save_head(object(), tmp_path / "x.safetensors")


def test_a_new_process_loads_the_fitted_head_instead_of_refitting(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    training = tmp_path / "train.csv"
    _sentences().to_csv(training, index=False)
    enc = load_model(str(tiny))
    folder = tmp_path / "cache"
    monkeypatch.setattr(_core, "_HEADS", {})
    first = _core._shipped_head(STANCE, enc, "targets.yaml", str(training), folder)
    frames = _core._shipped_head(FRAMES_TASK, enc, "frames.yaml", str(training), folder)
    saved = sorted(p.name.split("-")[0] for p in (folder / "heads").glob("*.safetensors"))
    assert saved == ["frames", "stance"]

    def refit(*args: object) -> None:
        raise AssertionError("a saved head was fitted again")

    monkeypatch.setattr(_core, "_HEADS", {})  # as in a new process
    text = ["nato must stop expanding ."]
    X = _core.embed(enc, text, folder=folder)
    again = _core._shipped_head(replace(STANCE, fit=refit), enc, "targets.yaml", str(training), folder)
    again_frames = _core._shipped_head(
        replace(FRAMES_TASK, fit=refit), enc, "frames.yaml", str(training), folder
    )
    for tid in ("nato_expansion", "ukraine"):
        np.testing.assert_allclose(
            again.predict_proba(X, [tid], text), first.predict_proba(X, [tid], text), atol=1e-6
        )
    np.testing.assert_allclose(again_frames.predict_proba(X), frames.predict_proba(X), atol=1e-6)


def test_a_shipped_head_is_hash_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    X = np.eye(3, dtype="float32")
    head = FrameHead(C=10).fit(X, np.eye(3, dtype=int))
    heads_io.save_head(head, tmp_path / "frames-abc.safetensors")
    monkeypatch.setattr(heads_io, "SHIPPED", tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"frames-abc.safetensors": "0" * 64}))
    with pytest.raises(ValueError, match="does not match its SHA-256"):
        heads_io.shipped_head_path("frames-abc")
    good = hashlib.sha256((tmp_path / "frames-abc.safetensors").read_bytes()).hexdigest()
    (tmp_path / "manifest.json").write_text(json.dumps({"frames-abc.safetensors": good}))
    assert heads_io.shipped_head_path("frames-abc") == tmp_path / "frames-abc.safetensors"
    assert heads_io.shipped_head_path("frames-other") is None


def test_the_estimators_clone_cross_validate_and_grid_search(tiny: Path) -> None:
    sentences = _sentences()
    X, y = stance_rows(sentences, ["nato_expansion", "diplomacy"])
    clf = StanceClassifier(model=str(tiny), C=2.0, statements=False)
    assert clone(clf).get_params() == clf.get_params()
    res = cross_validate(clf, X, y, groups=X["event"], cv=GroupKFold(3), return_estimator=True)
    assert len(res["test_score"]) == 3 and all(0 <= s <= 1 for s in res["test_score"])
    P = res["estimator"][0].predict_proba(X)
    assert P.shape == (len(X), 3) and np.allclose(P.sum(axis=1), 1)
    assert list(res["estimator"][0].classes_) == ["against", "favor", "none"]
    grid = GridSearchCV(clf, {"C": [0.5, 4.0]}, cv=GroupKFold(2)).fit(X, y, groups=X["event"])
    assert grid.best_params_["C"] in (0.5, 4.0)
    frames = FrameClassifier(model=str(tiny), examples=False).fit(sentences[["text"]], sentences["frame"])
    Pf = frames.predict_proba(sentences[["text"]])
    assert Pf.shape == (len(sentences), 15) and np.allclose(Pf.sum(axis=1), 1)
    assert set(frames.predict(sentences[["text"]])) <= set(frames.classes_)


def test_stance_pairs_keep_their_sentence_row() -> None:
    X, y = stance_rows(_sentences(4), ["nato_expansion", "diplomacy", "not_a_column"])
    assert list(X["row"]) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert list(y) == ["favor", "against", "against", "none", "none", "none", "none", "favor"]


def test_cross_validation_folds_never_split_an_event() -> None:
    sentences = _sentences(30)
    folds = cv_folds(sentences, k=3, random_state=0)
    seen: set[str] = set()
    for train, test in folds:
        held = set(sentences["event"].iloc[test])
        assert not held & set(sentences["event"].iloc[train])
        assert not held & seen
        seen |= held
    assert seen == set(sentences["event"])
    no_events = cv_folds(sentences.drop(columns="event"), k=3, random_state=0)
    assert sorted(np.concatenate([t for _, t in no_events]).tolist()) == list(range(30))


def test_framing_train_saves_heads_that_scoring_then_loads(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from framing import cli, score_frames, score_stance

    data = tmp_path / "mine.csv"
    _sentences(30).to_csv(data, index=False)
    monkeypatch.setattr(_core, "_HEADS", {})
    code = cli.main(["train", "--data", str(data), "--model", str(tiny), "--cv", "--folds", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "saved the stance head" in out and "frames  main" in out
    saved = sorted((tmp_path / "cache" / "heads").glob("*.safetensors"))
    assert [p.name.split("-")[0] for p in saved] == ["frames", "stance"]

    def refit(*args: object) -> None:
        raise AssertionError("framing train's heads were fitted again")

    monkeypatch.setattr(_core, "_HEADS", {})  # a new process
    monkeypatch.setattr("framing.scoring.stance._fit", refit)
    monkeypatch.setattr("framing.scoring.frames._fit", refit)
    st = score_stance(
        ["war and peace"], model=str(tiny), training=str(data), cache=False, targets=["nato_expansion"]
    )
    fr = score_frames(["war and peace"], model=str(tiny), training=str(data), cache=False)
    assert len(st) == 1 and len(fr) == 15


def test_framing_train_on_a_missing_file_is_one_clear_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from framing import cli

    assert cli.main(["train", "--data", str(tmp_path / "nothing.csv")]) == 1
    assert "nothing.csv" in caplog.text


def test_the_shipped_heads_are_those_of_the_shipped_corpus_and_codebooks() -> None:
    """`make model` was run after the training file or the codebooks last changed; at most 25 MB ship."""
    from framing import _codebooks
    from framing.scoring.models import DEFAULT_MODEL_ID, DEFAULT_SHA256

    manifest = json.loads((heads_io.SHIPPED / "manifest.json").read_text(encoding="utf-8"))
    for task, codebook in (("stance", _core.TARGETS), ("frames", _core.FRAMES)):
        digest = _codebooks.digest(codebook, _core.TRAINING)
        key = heads_io.head_key(task, DEFAULT_MODEL_ID, DEFAULT_SHA256, digest, _core.HEAD_VERSION)
        assert f"{key}.safetensors" in manifest, f"run `make model`: no shipped {task} head for this data"
        assert heads_io.shipped_head_path(key) is not None
    files = list(heads_io.SHIPPED.glob("*.safetensors"))
    assert len(files) == len(manifest) == 2
    assert sum(p.stat().st_size for p in files) <= 25 * 2**20
    log = json.loads((heads_io.SHIPPED / "train-log.json").read_text(encoding="utf-8"))
    assert log["heads"] == manifest and log["data_sha256"] == _codebooks.digest(_core.TRAINING)


def test_a_new_process_scores_with_the_shipped_heads_without_fitting(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    code = (
        "import logging, framing; logging.basicConfig(level=logging.INFO); "
        "framing.score_stance(['A sentence never scored before.'], cache=False); "
        "framing.score_frames(['A sentence never scored before.'], cache=False)"
    )
    env = {**os.environ, "FRAMING_CACHE": str(tmp_path / "empty-cache")}
    env.pop("FRAMING_MODEL", None)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "fitting the" not in run.stderr
    assert not (tmp_path / "empty-cache" / "heads").exists()
