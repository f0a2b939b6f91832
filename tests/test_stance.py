"""score_stance: the table contract for both model paths, the heads, and evidence."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import framing
from framing.scoring import frames, models, stance

TARGET_IDS = ["nato_expansion", "ukraine", "russia", "diplomacy"]
TEXTS = ["nato must stop expanding .", "the leaders agreed to continue talks .", "troops and the border"]


@pytest.fixture(autouse=True)
def _cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMING_MODEL", raising=False)


@pytest.mark.parametrize("kind", ["encoder", "nli"])
@pytest.mark.parametrize(
    ("sentences", "ids"),
    [
        (TEXTS, [0, 1, 2]),
        (pd.Series(TEXTS, index=[10, 11, 12]), [0, 1, 2]),
        (pd.DataFrame({"sent_id": ["d1-s3", "d1-s1", "d2-s0"], "text": TEXTS}), ["d1-s3", "d1-s1", "d2-s0"]),
    ],
)
def test_table_contract(model_dirs: dict[str, Path], kind: str, sentences: object, ids: list[object]) -> None:
    st = framing.score_stance(sentences, model=model_dirs[kind])  # type: ignore[arg-type]
    assert list(st.columns) == ["sent_id", "target", "favor", "against", "none", "label", "score"]
    assert len(st) == 3 * 4
    assert st["sent_id"].tolist() == [i for i in ids for _ in TARGET_IDS]
    assert st["target"].tolist() == TARGET_IDS * 3
    probs = st[["favor", "against", "none"]].to_numpy()
    assert ((probs >= 0) & (probs <= 1)).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(st["score"], st["favor"] - st["against"])
    assert st["label"].tolist() == [("favor", "against", "none")[i] for i in probs.argmax(axis=1)]


def test_targets_subset_in_the_order_asked(model_dirs: dict[str, Path]) -> None:
    st = framing.score_stance(TEXTS[:1], targets=["diplomacy", "ukraine"], model=model_dirs["encoder"])
    assert st["target"].tolist() == ["diplomacy", "ukraine"]


def test_unknown_target_names_the_codebook() -> None:
    with pytest.raises(ValueError, match="unknown target.*'china'"):
        framing.score_stance(TEXTS, targets=["china"], model="nonexistent-never-loaded")


def test_table_without_text_column() -> None:
    with pytest.raises(ValueError, match="lacks \\['text'\\]"):
        framing.score_stance(pd.DataFrame({"sent_id": [0]}))


def test_empty_input(model_dirs: dict[str, Path]) -> None:
    st = framing.score_stance([], model=model_dirs["encoder"])
    assert st.empty
    assert list(st.columns) == stance.STANCE_COLUMNS


@pytest.mark.parametrize(
    ("languages", "warned"),
    [
        (["en", "de", "ru"], "2 of 3 sentences are not in English"),
        (["en", "en-GB", None], None),
    ],
)
def test_other_languages_are_scored_with_one_counting_warning(
    model_dirs: dict[str, Path], languages: list[str | None], warned: str | None
) -> None:
    df = pd.DataFrame({"sent_id": [0, 1, 2], "text": TEXTS, "language": languages})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        st = framing.score_stance(df, model=model_dirs["encoder"])
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert len(st) == 12
    if warned is None:
        assert not [m for m in messages if "English" in m]
    else:
        assert len([m for m in messages if "English" in m]) == 1
        assert warned in messages[0]


class _StubNLI:
    """Returns fixed entailment probabilities, in the order the hypotheses are asked."""

    def __init__(self, probs: list[float]) -> None:
        self.probs = probs

    def entail(self, premises: list[str], hypotheses: list[str]) -> np.ndarray:
        assert len(premises) == len(hypotheses) == len(self.probs)
        return np.asarray(self.probs)


@pytest.mark.parametrize(
    ("f", "a", "expected"),
    [
        (0.8, 0.1, (0.72, 0.02, 0.26)),  # favour entailed, opposition not
        (0.1, 0.8, (0.02, 0.72, 0.26)),
        (0.9, 0.9, (0.09, 0.09, 0.82)),  # both entailed: no clear stance
        (0.0, 0.0, (0.0, 0.0, 1.0)),
    ],
)
def test_nli_favor_against_none_from_two_entailments(f: float, a: float, expected: tuple[float, ...]) -> None:
    target = {"id": "t", "hypotheses": {"favor": "pro", "against": "anti"}}
    p = stance.nli_stance(_StubNLI([f, a]), ["a sentence"], [target])  # type: ignore[arg-type]
    np.testing.assert_allclose(p[0, 0], expected, atol=1e-9)


def test_nli_hypotheses_come_from_the_codebook() -> None:
    seen: list[str] = []

    class Recorder(_StubNLI):
        def entail(self, premises: list[str], hypotheses: list[str]) -> np.ndarray:
            seen.extend(hypotheses)
            return np.full(len(hypotheses), 0.5)

    stance.nli_stance(Recorder([]), ["s"], stance.load_targets(targets=["nato_expansion"]))  # type: ignore[arg-type]
    assert seen == ["This text supports NATO expansion.", "This text opposes NATO expansion."]


# ---------------------------------------------------------------- the head


def _toy() -> tuple[np.ndarray, list[str], list[str]]:
    # three well separated clusters, one per label, for one target
    rng = np.random.default_rng(0)
    centres = np.eye(3) * 3
    X = np.vstack([c + rng.normal(0, 0.1, (10, 3)) for c in centres])
    y = ["favor"] * 10 + ["against"] * 10 + ["none"] * 10
    return X, ["t"] * 30, y


@pytest.mark.parametrize("mode", ["per_target", "pooled"])
@pytest.mark.parametrize(
    ("point", "label"), [([3, 0, 0], "favor"), ([0, 3, 0], "against"), ([0, 0, 3], "none")]
)
def test_head_learns_separable_labels(mode: str, point: list[float], label: str) -> None:
    X, t, y = _toy()
    head = stance.StanceHead(mode=mode, C=10, tfidf_weight=0).fit(X, t, y, target_vectors={"t": np.ones(3)})  # type: ignore[arg-type]
    p = head.predict_proba(np.array([point]), ["t"])
    assert stance.LABELS[int(p.argmax())] == label
    assert p.sum() == pytest.approx(1.0)


def test_head_scores_a_target_without_examples_with_the_pooled_head() -> None:
    X, t, y = _toy()
    head = stance.StanceHead(C=10, tfidf_weight=0).fit(
        X, t, y, target_vectors={"t": np.ones(3), "new": -np.ones(3)}
    )
    assert "new" not in head.heads_
    assert head.predict_proba(X[:2], ["new", "new"]).shape == (2, 3)


def test_tfidf_head_needs_the_texts() -> None:
    X, t, y = _toy()
    with pytest.raises(ValueError, match="pass the sentences' texts"):
        stance.StanceHead().fit(X, t, y, target_vectors={"t": np.ones(3)})


def test_tfidf_head_uses_words() -> None:
    # identical embeddings: only the words can tell the labels apart
    X = np.ones((30, 3))
    texts = ["we back it"] * 10 + ["we reject it"] * 10 + ["the weather"] * 10
    y = ["favor"] * 10 + ["against"] * 10 + ["none"] * 10
    head = stance.StanceHead(C=10).fit(X, ["t"] * 30, y, target_vectors={"t": np.ones(3)}, texts=texts)
    p = head.predict_proba(np.ones((3, 3)), ["t"] * 3, ["they back it", "they reject it", "weather"])
    assert [stance.LABELS[i] for i in p.argmax(axis=1)] == ["favor", "against", "none"]


def test_head_rejects_unknown_labels() -> None:
    with pytest.raises(ValueError, match="favor, against or none"):
        stance.StanceHead().fit(np.eye(2), ["t", "t"], ["pro", "none"], target_vectors={"t": np.ones(2)})


def test_training_pairs_include_the_codebook_statements() -> None:
    train = pd.DataFrame({"text": ["x", "y"], "nato_expansion": ["favor", "none"]})
    texts, tids, labels = stance.stance_pairs(train, stance.load_targets(targets=["nato_expansion"]))
    book = stance.load_targets(targets=["nato_expansion"])[0]
    assert texts[:2] == ["x", "y"]
    assert labels[:2] == ["favor", "none"]
    assert texts[2:] == book["favor"] + book["against"]
    assert set(tids) == {"nato_expansion"}


def test_shipped_training_examples_are_labelled_for_every_target_and_frame() -> None:
    train = stance.load_training()
    assert len(train) >= 300
    for t in TARGET_IDS:
        assert set(train[t]) == {"favor", "against", "none"}
    frame_ids = {f["id"] for f in frames.load_frames()}
    assert set(train["frame"]) == frame_ids


def test_shipped_training_examples_exclude_the_seed(project_paths: framing.config.Paths) -> None:  # type: ignore[name-defined]
    seed = (project_paths.raw / "rt-2021-12-13-putin-johnson-call.txt").read_text(encoding="utf-8")
    train = stance.load_training()
    assert not [t for t in train["text"] if t in seed]


# ---------------------------------------------------------------- evidence


def test_evidence_ranks_sentences_by_their_contribution_to_the_group_mean() -> None:
    st = pd.DataFrame(
        {
            "sent_id": [0, 1, 2, 3, 0, 1, 2, 3],
            "target": ["a"] * 4 + ["b"] * 4,
            "score": [0.8, -0.2, 0.4, 0.6, 0.0, 0.0, 0.0, -1.0],
        }
    )
    sents = pd.DataFrame({"sent_id": [0, 1, 2, 3], "text": list("wxyz"), "source": ["K", "K", "K", "D"]})
    ev = framing.evidence(st, sents, n=2)
    k_a = ev[(ev["source"] == "K") & (ev["target"] == "a")]
    # group K, target a: mean (0.8 - 0.2 + 0.4) / 3; contributions 0.8/3, -0.2/3, 0.4/3
    assert k_a["sent_id"].tolist() == [0, 2]
    assert k_a["mean"].iloc[0] == pytest.approx(1.0 / 3)
    assert k_a["contribution"].tolist() == pytest.approx([0.8 / 3, 0.4 / 3])
    assert k_a["share"].tolist() == pytest.approx([0.8 / 1.4, 0.4 / 1.4])
    d_b = ev[(ev["source"] == "D") & (ev["target"] == "b")]
    assert d_b[["sent_id", "text", "contribution", "rank"]].values.tolist() == [[3, "z", -1.0, 1]]


def test_evidence_works_on_frame_tables() -> None:
    fr = pd.DataFrame({"sent_id": [0, 0, 1, 1], "frame": ["x", "y", "x", "y"], "prob": [0.9, 0.1, 0.3, 0.7]})
    sents = pd.DataFrame({"sent_id": [0, 1], "text": ["p", "q"], "outlet": ["O", "O"]})
    ev = framing.evidence(fr, sents, by="outlet", n=1)
    expected = [["x", 0, pytest.approx(0.6)], ["y", 1, pytest.approx(0.4)]]
    assert ev[["frame", "sent_id", "mean"]].values.tolist() == expected


def test_evidence_needs_the_group_column() -> None:
    st = pd.DataFrame({"sent_id": [0], "target": ["a"], "score": [0.1]})
    with pytest.raises(ValueError, match="no column 'source'"):
        framing.evidence(st, pd.DataFrame({"sent_id": [0], "text": ["t"]}))


# ---------------------------------------------------------------- the embedded default


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "target", "label"),
    [
        ("The alliance has to halt its march toward Russia's frontiers.", "nato_expansion", "against"),
        ("We will always stand by Ukraine's independence and borders.", "ukraine", "favor"),
        ("Both presidents agreed that their negotiators should meet again next month.", "diplomacy", "favor"),
        ("The weather in Vienna was cold and wet on Tuesday.", "russia", "none"),
    ],
)  # fmt: skip
def test_default_gets_clear_unseen_sentences_right(text: str, target: str, label: str) -> None:
    models._LOADED.clear()
    st = framing.score_stance([text], targets=[target])
    assert st.loc[0, "label"] == label


NEW_TARGETS = """\
version: 1
targets:
  - id: taiwan_independence
    name: Taiwan independence
    description: Taiwan's formal independence from China.
    favor:
      - The people of Taiwan have the right to decide their own future.
    against:
      - Taiwan is an inalienable part of China.
"""


def test_a_codebook_of_new_targets_only_is_scored_zero_shot_with_one_warning(
    model_dirs: dict[str, Path], tmp_path: Path
) -> None:
    book = tmp_path / "targets.yaml"
    book.write_text(NEW_TARGETS, encoding="utf-8")
    with pytest.warns(UserWarning, match="taiwan_independence have no labelled examples.*--training") as rec:
        st = framing.score_stance(TEXTS, model=model_dirs["encoder"], codebook=book, cache=False)
    assert len([w for w in rec if "no labelled examples" in str(w.message)]) == 1
    assert st["target"].unique().tolist() == ["taiwan_independence"]
    probs = st[["favor", "against", "none"]].to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-9)
    # "none" is a label the pooled head can give, learned from the shipped labelled targets
    assert (probs[:, 2] > 0).all()
    framing.score_stance(TEXTS, model=model_dirs["encoder"], codebook=book)  # fills the score cache
    with pytest.warns(UserWarning, match="taiwan_independence have no labelled examples"):
        warm = framing.score_stance(TEXTS, model=model_dirs["encoder"], codebook=book)  # all from the cache
    np.testing.assert_allclose(warm[["favor", "against", "none"]].to_numpy(), probs)


def test_unlabelled_targets_lists_targets_without_all_three_labels() -> None:
    train = pd.DataFrame({"text": list("abcd"), "t1": ["favor", "against", "none", ""],
                          "t2": ["favor", "against", "", ""]})
    assert stance.unlabelled_targets(train, [{"id": "t1"}, {"id": "t2"}, {"id": "t3"}]) == ["t2", "t3"]
