"""The labelled stance and frame corpus (``data/labelled``): splits by event, unseen targets kept
out of training, no evaluation sentence in training, the codebook's statements carrying the labels
of their lists, and the loader's contract.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml

import framing
from framing.quality.labelled import (
    DEFAULT_TARGETS,
    LABELS,
    coding_agreement,
    events_table,
    labelled_folder,
    labelled_sentences,
    load_labelled,
)

ROOT = Path(__file__).resolve().parents[1]
FOLDER = labelled_folder()
FRAMES = {f["id"] for f in yaml.safe_load((ROOT / "src/framing/codebooks/frames.yaml").read_text())["frames"]}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("“", '"').replace("”", '"').lower()
    return re.sub(r"\W+", " ", text).strip()


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return load_labelled()


@pytest.fixture(scope="module")
def alpha() -> pd.DataFrame:
    return coding_agreement()


def test_the_loader_is_public_and_tidy(corpus: pd.DataFrame) -> None:
    assert framing.load_labelled is load_labelled
    assert list(corpus.columns) == ["id", "event", "register", "side", "hard_case", "text", "frame", "frames",
                                    "batch", "target", "label", "split", "unseen_target"]
    assert corpus.groupby("id")["batch"].nunique().max() == 1
    assert (corpus["batch"].str.split("-").str[0] == corpus["event"]).all()
    assert set(corpus["label"]) <= set(LABELS)
    assert set(corpus["frame"]) <= FRAMES
    assert not corpus.duplicated(["id", "target"]).any()
    with pytest.raises(ValueError, match="stage"):
        load_labelled(stage="third")


def test_every_sentence_is_coded_for_the_defaults_and_its_event_targets(corpus: pd.DataFrame) -> None:
    own = dict(zip(events_table()["event"], events_table()["targets"], strict=True))
    for (sid, event), rows in corpus.groupby(["id", "event"]):
        assert set(rows["target"]) == set(DEFAULT_TARGETS) | set(own[event]), sid


def test_the_split_is_by_event(corpus: pd.DataFrame) -> None:
    events = events_table()
    assert events["event"].is_unique
    assert corpus.groupby("event")["split"].nunique().max() == 1
    assert set(events["split"]) == {"train", "dev", "test"}


def test_unseen_targets_never_occur_in_training(corpus: pd.DataFrame) -> None:
    events = events_table()
    unseen = {t for ts, s in zip(events["targets"], events["split"], strict=True) if s == "test" for t in ts}
    assert len(unseen) >= 8
    train = corpus[corpus["split"] == "train"]
    assert not train["target"].isin(unseen).any()
    assert corpus.loc[corpus["target"].isin(unseen), "unseen_target"].all()


def test_no_evaluation_sentence_is_in_training(corpus: pd.DataFrame) -> None:
    held = {_fold(t) for t in pd.read_csv(ROOT / "data/gold/seed.csv", dtype=str)["text"]}
    paragraphs = pd.read_csv(FOLDER / "paragraphs" / "paragraphs_adjudicated.csv", dtype=str)
    held |= {_fold(t) for t in paragraphs["text"]}
    train = {_fold(t) for t in corpus.loc[corpus["split"] == "train", "text"]}
    assert not held & train
    other = {_fold(t) for t in corpus.loc[corpus["split"] != "train", "text"]}
    assert not train & other  # no sentence in two splits either


def test_the_shipped_training_file_is_the_adjudicated_train_split() -> None:
    """The default heads' training file is rebuilt from the corpus, never edited by hand."""
    shipped = framing.scoring.load_training()
    train = labelled_sentences("train")
    assert shipped["id"].tolist() == train["id"].tolist()
    for column in ["text", *DEFAULT_TARGETS, "frame"]:
        assert shipped[column].tolist() == train[column].tolist(), column
    assert set(shipped["event"]) == set(events_table().query("split == 'train'")["event"])
    seed = (ROOT / "data/raw/rt-2021-12-13-putin-johnson-call.txt").read_text(encoding="utf-8")
    assert not [t for t in shipped["text"] if t in seed]


def test_wide_sentences_fill_uncoded_pairs_with_none_by_construction() -> None:
    dev = labelled_sentences("dev")
    own = dict(zip(events_table()["event"], events_table()["targets"], strict=True))
    long = load_labelled()
    for event, rows in dev.groupby("event"):
        foreign = [t for ts in own.values() for t in ts
                   if t in dev.columns and t not in own[event] and t not in DEFAULT_TARGETS]
        assert (rows[foreign] == "none").all().all(), event
        coded = long[(long["event"] == event) & (long["target"] == own[event][0])]
        assert rows.set_index("id")[own[event][0]].to_dict() == coded.set_index("id")["label"].to_dict()
    with pytest.raises(ValueError, match="split must be"):
        labelled_sentences("holdout")


def test_the_codebook_statements_carry_the_labels_of_their_lists() -> None:
    """An independent coder labelled every statement of targets.yaml by the guide alone."""
    codebook = yaml.safe_load((FOLDER / "targets.yaml").read_text(encoding="utf-8"))["targets"]
    listed = {(t["id"], _fold(s)): side for t in codebook for side in ("favor", "against") for s in t[side]}
    coded = pd.read_csv(FOLDER / "checks" / "codebook_statements.csv", keep_default_na=False, dtype=str)
    got = {(r.target, _fold(r.text)): r.label for r in coded.itertuples()}
    assert set(got) == set(listed)
    wrong = {k: (listed[k], got[k]) for k in listed if got[k] != listed[k]}
    assert not wrong


def test_the_seed_gold_labels_follow_the_guide() -> None:
    """The seed's gold labels agree with an independent coding of the seed by the guide."""
    seed = pd.read_csv(ROOT / "data/gold/seed.csv", dtype=str).set_index("id")
    coded = pd.read_csv(FOLDER / "checks" / "seed.csv", keep_default_na=False, dtype=str).set_index("id")
    for target in DEFAULT_TARGETS:
        assert seed[target].to_dict() == coded[target].to_dict(), target


def test_agreement_is_computed_per_target_and_for_frames(alpha: pd.DataFrame) -> None:
    coders = alpha[alpha["comparison"] == "coders"].set_index("item")
    coded_twice = set(load_labelled(stage="second")["target"])
    items = {"frame", *(f"stance:{t}" for t in coded_twice)}
    assert items <= set(coders.index)
    assert (coders.loc[sorted(items), "n_units"] > 0).all()


def test_every_target_kept_has_stance_alpha_of_at_least_0_67(alpha: pd.DataFrame,
                                                           corpus: pd.DataFrame) -> None:
    coders = alpha[(alpha["comparison"] == "coders") & alpha["item"].str.startswith("stance:")
                   & (alpha["n_units"] > 0)].set_index("item")["alpha"]
    kept = {f"stance:{t}" for t in corpus["target"]}
    low = coders[coders.index.isin(kept) & (coders.fillna(1.0) < 0.67)]
    assert low.empty, low.to_dict()


def test_the_real_register_paragraphs_are_evaluation_only(corpus: pd.DataFrame) -> None:
    paragraphs = pd.read_csv(FOLDER / "paragraphs" / "paragraphs_adjudicated.csv", keep_default_na=False,
                             dtype=str)
    sizes = paragraphs.groupby("paragraph_id").size()
    assert len(sizes) >= 40 and sizes.between(3, 6).all()
    own = dict(zip(events_table()["event"], events_table()["targets"], strict=True))
    for r in paragraphs.to_dict("records"):
        coded = set(DEFAULT_TARGETS) | set(own[r["event"]])
        assert all(r[t] in LABELS for t in coded), r["text"]
        assert r["frame"] in FRAMES
    train = {_fold(t) for t in corpus.loc[corpus["split"] == "train", "text"]}
    assert not train & {_fold(t) for t in paragraphs["text"]}
