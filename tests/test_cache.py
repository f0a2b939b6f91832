"""The on-disk score cache: round trips, keys, WAL mode, and that a second call does not run the model."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from test_models import NLI_LABELS, build_tiny

import framing
from framing.scoring import _cache, models


@pytest.fixture(autouse=True)
def _cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMING_MODEL", raising=False)


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        "encoder": build_tiny(tmp_path_factory.mktemp("enc")),
        "nli": build_tiny(tmp_path_factory.mktemp("nli"), id2label=NLI_LABELS),
    }


def test_cache_folder_follows_framing_cache(tmp_path: Path) -> None:
    assert _cache.Cache().path == tmp_path / "cache" / "scores.sqlite"


@pytest.mark.parametrize(
    "value",
    [{"favor": 0.25, "none": 0.75}, [[0.1, 0.2, 0.7]], "text", 3],
)
def test_json_round_trip(tmp_path: Path, value: object) -> None:
    c = _cache.Cache(tmp_path)
    ns = _cache.namespace(model="m")
    c.put_json(ns, {"a sentence": value})
    assert c.get_json(ns, ["a sentence", "another"]) == {"a sentence": value}


def test_array_round_trip_is_float32(tmp_path: Path) -> None:
    c = _cache.Cache(tmp_path)
    ns = _cache.namespace(model="m", what="embedding")
    c.put_arrays(ns, {"x": np.array([0.5, -1.25, 3.0])})
    got = c.get_arrays(ns, ["x"])["x"]
    assert got.dtype == np.float32
    assert got.tolist() == [0.5, -1.25, 3.0]


@pytest.mark.parametrize(
    ("stored", "asked"),
    [
        ({"model": "m", "precision": "fp32"}, {"model": "m", "precision": "bf16"}),
        ({"model": "m", "head": "1"}, {"model": "m", "head": "2"}),
        ({"model": "m", "codebook": "aa"}, {"model": "m", "codebook": "bb"}),
        ({"model": "m", "weights_sha256": "aa"}, {"model": "m", "weights_sha256": "ab"}),
    ],
)
def test_a_different_key_part_misses(tmp_path: Path, stored: dict[str, str], asked: dict[str, str]) -> None:
    c = _cache.Cache(tmp_path)
    c.put_json(_cache.namespace(**stored), {"t": 1})
    assert c.get_json(_cache.namespace(**stored), ["t"]) == {"t": 1}
    assert c.get_json(_cache.namespace(**asked), ["t"]) == {}


def test_wal_mode_and_clear(tmp_path: Path) -> None:
    c = _cache.Cache(tmp_path)
    c.put_json("ns", {"t": 1})
    with sqlite3.connect(c.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    c.clear()
    assert c.get_json("ns", ["t"]) == {}


def test_many_keys_in_one_lookup(tmp_path: Path) -> None:
    c = _cache.Cache(tmp_path)
    values = {f"s{i}": i for i in range(1200)}  # more than one SELECT chunk
    c.put_json("ns", values)
    assert c.get_json("ns", list(values)) == values


def _count(monkeypatch: pytest.MonkeyPatch, cls: type, method: str) -> list[int]:
    calls: list[int] = []
    original = getattr(cls, method)

    def counting(self: object, texts: list[str], *args: object, **kwargs: object) -> object:
        calls.append(len(texts))
        return original(self, texts, *args, **kwargs)

    monkeypatch.setattr(cls, method, counting)
    return calls


TEXTS = ["nato must stop expanding .", "the leaders agreed to continue talks ."]


@pytest.mark.parametrize("score", ["score_stance", "score_frames"])
def test_second_call_does_not_run_the_encoder(
    monkeypatch: pytest.MonkeyPatch, model_dirs: dict[str, Path], score: str
) -> None:
    model = framing.load_model(model_dirs["encoder"])
    calls = _count(monkeypatch, models.Encoder, "encode")
    first = getattr(framing, score)(TEXTS, model=model)
    assert calls  # the model ran
    n = len(calls)
    second = getattr(framing, score)(TEXTS, model=model)
    assert len(calls) == n
    assert second.equals(first)
    getattr(framing, score)([*TEXTS, "war and peace"], model=model)
    assert calls[-1] == 1  # only the new sentence is encoded


def test_stance_and_frames_share_one_encoding_per_sentence(
    monkeypatch: pytest.MonkeyPatch, model_dirs: dict[str, Path]
) -> None:
    model = framing.load_model(model_dirs["encoder"])
    framing.score_stance(["troops and the border"], model=model)  # fits the stance head
    framing.score_frames(["war"], model=model)  # fits the frame head
    calls = _count(monkeypatch, models.Encoder, "encode")
    framing.score_stance(TEXTS, model=model)
    framing.score_frames(TEXTS, model=model)
    assert calls == [2]


def test_second_call_does_not_run_the_nli_model(
    monkeypatch: pytest.MonkeyPatch, model_dirs: dict[str, Path]
) -> None:
    model = framing.load_model(model_dirs["nli"])
    calls = _count(monkeypatch, models.NLIModel, "entail")
    framing.score_stance(TEXTS, model=model)
    assert calls == [2 * 2 * 4]  # two hypotheses per target, four targets, two sentences
    framing.score_stance(TEXTS, model=model)
    assert calls == [16]


def test_cache_off_runs_the_model_again(monkeypatch: pytest.MonkeyPatch, model_dirs: dict[str, Path]) -> None:
    model = framing.load_model(model_dirs["nli"])
    calls = _count(monkeypatch, models.NLIModel, "entail")
    framing.score_frames(TEXTS, model=model, cache=False)
    framing.score_frames(TEXTS, model=model, cache=False)
    assert len(calls) == 2


def test_rows_are_committed_batch_by_batch_and_an_interrupted_run_resumes(tmp_path: Path) -> None:
    from framing.scoring._cache import ScoringInterrupted, cached_rows

    ns = _cache.namespace(model="len")
    texts = [f"text {i}" for i in range(10)]
    seen: list[list[str]] = []

    def stopped_in_third_batch(batch: list[str]) -> np.ndarray:
        if len(seen) == 2:
            raise KeyboardInterrupt
        seen.append(batch)
        return np.array([[len(t)] for t in batch])

    with pytest.raises(ScoringInterrupted) as info:
        cached_rows(ns, texts, stopped_in_third_batch, folder=tmp_path, batch_size=4)
    assert info.value.saved == 8
    assert "8 sentences saved" in str(info.value)

    computed: list[str] = []

    def rest(batch: list[str]) -> np.ndarray:
        computed.extend(batch)
        return np.array([[len(t)] for t in batch])

    rows = cached_rows(ns, texts, rest, folder=tmp_path, batch_size=4)
    assert computed == texts[8:]
    assert rows["text 9"] == [6.0]
