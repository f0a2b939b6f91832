"""score_frames and top_frames: the table contract for both model paths, labels, ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import framing
from framing.scoring import frames

FRAME_IDS = [
    "economic", "capacity_and_resources", "morality", "fairness_and_equality", "legality",
    "policy_prescription", "crime_and_punishment", "security_and_defense", "health_and_safety",
    "quality_of_life", "cultural_identity", "public_opinion", "political",
    "external_regulation_and_reputation", "other",
]  # fmt: skip
TEXTS = ["nato must stop expanding .", "the leaders agreed to continue talks ."]


@pytest.fixture(autouse=True)
def _cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMING_MODEL", raising=False)


def test_codebook_has_the_15_policy_frames_with_definitions() -> None:
    book = frames.load_frames()
    assert [f["id"] for f in book] == FRAME_IDS
    assert all(f["definition"] and f["hypothesis"] and len(f["examples"]) >= 2 for f in book)


@pytest.mark.parametrize("kind", ["encoder", "nli"])
@pytest.mark.parametrize(
    ("sentences", "ids"),
    [
        (TEXTS, [0, 1]),
        (pd.Series(TEXTS), [0, 1]),
        (pd.DataFrame({"sent_id": [7, 3], "text": TEXTS}), [7, 3]),
    ],
)
def test_table_contract(model_dirs: dict[str, Path], kind: str, sentences: object, ids: list[int]) -> None:
    fr = framing.score_frames(sentences, model=model_dirs[kind])  # type: ignore[arg-type]
    assert list(fr.columns) == ["sent_id", "frame", "prob"]
    assert fr["sent_id"].tolist() == [i for i in ids for _ in FRAME_IDS]
    assert fr["frame"].tolist() == FRAME_IDS * 2
    assert fr["prob"].between(0, 1).all()


def test_frames_subset(model_dirs: dict[str, Path]) -> None:
    fr = framing.score_frames(TEXTS, frames=["morality", "economic"], model=model_dirs["encoder"])
    assert fr["frame"].tolist() == ["morality", "economic"] * 2


def test_unknown_frame() -> None:
    with pytest.raises(ValueError, match="unknown frame.*'sports'"):
        framing.score_frames(TEXTS, frames=["sports"], model="never-loaded")


def test_nli_frame_probability_is_the_entailment_of_its_hypothesis() -> None:
    asked: list[str] = []

    class Stub:
        def entail(self, premises: list[str], hypotheses: list[str]) -> np.ndarray:
            asked.extend(hypotheses)
            return np.array([0.9, 0.2, 0.4, 0.6])

    book = frames.load_frames(frames=["economic", "morality"])
    p = frames.nli_frames(Stub(), ["s1", "s2"], book)  # type: ignore[arg-type]
    assert p.tolist() == [[0.9, 0.2], [0.4, 0.6]]
    assert asked == [book[0]["hypothesis"], book[1]["hypothesis"]] * 2


@pytest.mark.parametrize(
    ("main", "extra", "expected"),
    [
        ("legality", "", [0, 1, 0]),
        ("legality", "economic; other", [1, 1, 0]),
        ("unknown", "", [0, 0, 0]),
    ],
)
def test_frame_labels(main: str, extra: str, expected: list[int]) -> None:
    df = pd.DataFrame({"frame": [main], "frames": [extra]})
    assert frames.frame_labels(df, ["economic", "legality", "morality"]).tolist() == [expected]


def test_head_gives_a_probability_per_frame() -> None:
    X = np.vstack([np.eye(3)] * 5)
    Y = np.vstack([np.eye(3, dtype=int)] * 5)
    Y[:, 2] = 0  # a frame without positives gets its prior, 0
    head = frames.FrameHead(C=10).fit(X, Y)
    p = head.predict_proba(np.eye(3))
    assert p.shape == (3, 3)
    assert p[0, 0] > 0.5 and p[1, 1] > 0.5 and p[1, 0] < 0.5
    assert p[:, 2].tolist() == [0.0, 0.0, 0.0]


FR = pd.DataFrame(
    {
        "sent_id": [0, 0, 0, 1, 1, 1],
        "frame": ["a", "b", "c", "a", "b", "c"],
        "prob": [0.2, 0.7, 0.5, 0.9, 0.05, 0.1],
    }
)


@pytest.mark.parametrize(
    ("k", "min_prob", "expected"),
    [
        (1, 0.0, [(0, 1, "b"), (1, 1, "a")]),
        (2, 0.0, [(0, 1, "b"), (0, 2, "c"), (1, 1, "a"), (1, 2, "c")]),
        (3, 0.3, [(0, 1, "b"), (0, 2, "c"), (1, 1, "a")]),
    ],
)
def test_top_frames(k: int, min_prob: float, expected: list[tuple[int, int, str]]) -> None:
    top = framing.top_frames(FR, k=k, min_prob=min_prob)
    assert list(top.columns) == ["sent_id", "rank", "frame", "prob"]
    assert [tuple(r) for r in top[["sent_id", "rank", "frame"]].values.tolist()] == expected


def test_top_frames_needs_k() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        framing.top_frames(FR, k=0)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("Tanks and artillery were moved closer to the frontier overnight.", "security_and_defense"),
        ("Higher energy bills will squeeze household budgets across the continent this winter.", "economic"),
    ],
)
def test_default_ranks_an_obvious_frame_in_its_top_three(text: str, frame: str) -> None:
    top = framing.top_frames(framing.score_frames([text]), k=3)
    assert frame in top["frame"].tolist()
