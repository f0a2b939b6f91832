"""Comparisons between groups of sentences, on small tables with answers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer

import framing

K, D, N, R = "Kremlin readout", "Downing Street readout", "narrator", "Sergey Ryabkov"


def _sentences(rows: list[tuple[str, str, int, str, str]], *, title: bool = False) -> pd.DataFrame:
    """rows: (doc_id, sent_id, para, source, text); with ``title`` the first row of each doc is a headline."""
    df = pd.DataFrame(rows, columns=["doc_id", "sent_id", "para", "source", "text"])
    df["n"] = df.groupby("doc_id").cumcount()
    df["is_title"] = title & (df["n"] == 0)
    return df


def _stance(scores: dict[str, float], target: str = "nato_expansion") -> pd.DataFrame:
    return pd.DataFrame({"sent_id": list(scores), "target": target, "score": list(scores.values())})


# --------------------------------------------------------------------------- prominence

ARTICLE = _sentences(
    [
        ("d", "h", 0, N, "Putin warns Johnson"),           # headline: narrator, left out of shares
        ("d", "1", 1, K, "One two three four five six."),  # lead paragraph
        ("d", "2", 2, N, "One two."),
        ("d", "3", 3, K, "One two three four."),
        ("d", "4", 4, R, "One two three."),
        ("d", "5", 5, D, "One two three four five."),      # last paragraph, two sentences
        ("d", "6", 5, D, "One two three four five."),
    ],
    title=True,
)


@pytest.mark.parametrize(
    ("source", "n_sentences", "n_words", "first", "last", "first_position", "opens", "closes", "in_headline"),
    [
        # body: 6 sentences, 6+2+4+3+5+5 = 25 words
        (K, 2, 10, 1, 3, "lead", True, False, False),
        (N, 1, 2, 2, 2, "body", False, False, True),
        (R, 1, 3, 4, 4, "body", False, False, False),
        (D, 2, 10, 5, 6, "end", False, True, False),
    ],
)
def test_prominence_shares_positions_and_order(
    source, n_sentences, n_words, first, last, first_position, opens, closes, in_headline
) -> None:
    row = framing.prominence(ARTICLE).set_index("source").loc[source]
    assert row["n_sentences"] == n_sentences
    assert row["sentence_share"] == pytest.approx(n_sentences / 6)
    assert row["n_words"] == n_words
    assert row["word_share"] == pytest.approx(n_words / 25)
    assert (row["first"], row["last"]) == (first, last)
    assert row["first_position"] == first_position
    assert (row["opens"], row["closes"], row["in_headline"]) == (opens, closes, in_headline)


def test_prominence_reports_a_group_seen_only_in_the_headline() -> None:
    s = ARTICLE.assign(source=ARTICLE["source"].where(~ARTICLE["is_title"], "Outlet headline"))
    row = framing.prominence(s).set_index("source").loc["Outlet headline"]
    assert row["n_sentences"] == 0 and row["first_position"] == "headline only" and row["in_headline"]


def test_prominence_without_paragraphs_uses_first_and_last_sentence() -> None:
    s = ARTICLE.drop(columns="para")
    pos = framing.prominence(s).set_index("source")["first_position"]
    # D's first sentence (5 of 6) is no longer in the last unit: without paragraphs only sentence 6 is "end"
    assert pos[K] == "lead" and pos[D] == "body"


def test_prominence_groups_by_any_column_and_per_document() -> None:
    two = pd.concat([ARTICLE, ARTICLE.assign(doc_id="e", sent_id=ARTICLE["sent_id"] + "e")])
    two["speaker"] = np.where(two["source"] == K, "Vladimir Putin", "other")
    out = framing.prominence(two, by="speaker")
    assert set(out["doc_id"]) == {"d", "e"}
    assert out.loc[out["speaker"] == "Vladimir Putin", "n_sentences"].tolist() == [2, 2]


# --------------------------------------------------------------------------- stance

SMALL = _sentences([("d", "a", 1, K, ""), ("d", "b", 1, K, ""), ("d", "c", 2, D, ""), ("d", "e", 3, D, "")])


def test_stance_by_group_mean_and_hand_worked_interval() -> None:
    # K has scores 0.2 and 0.4: resampled means are 0.2 (p=1/4), 0.3 (1/2), 0.4 (1/4),
    # so the 2.5th and 97.5th percentiles are 0.2 and 0.4. D is constant: interval [-0.5, -0.5].
    st = _stance({"a": 0.2, "b": 0.4, "c": -0.5, "e": -0.5})
    out = framing.stance_by_group(SMALL, st).set_index("source")
    assert out.loc[K, "mean"] == pytest.approx(0.3)
    assert (out.loc[K, "ci_low"], out.loc[K, "ci_high"]) == pytest.approx((0.2, 0.4))
    assert (out.loc[D, "ci_low"], out.loc[D, "ci_high"]) == pytest.approx((-0.5, -0.5))
    assert out["resampled"].eq("sentences").all()


@pytest.mark.parametrize(("min_n", "too_small"), [(2, False), (3, True), (5, True)])
def test_stance_by_group_flags_small_groups_and_keeps_them(min_n, too_small) -> None:
    out = framing.stance_by_group(SMALL, _stance({"a": 0.2, "b": 0.4, "c": -0.5, "e": 0.1}), min_n=min_n)
    assert set(out["source"]) == {K, D}
    assert out["too_small"].eq(too_small).all()
    assert out["note"].str.contains("too few").eq(too_small).all()


def test_a_single_sentence_gets_no_interval_rather_than_a_zero_width_one() -> None:
    s = _sentences([("d", "a", 1, K, ""), ("d", "b", 1, K, ""), ("d", "c", 2, D, "")])
    out = framing.stance_by_group(s, _stance({"a": 0.2, "b": 0.4, "c": -0.5})).set_index("source")
    assert out.loc[D, "n"] == 1 and math.isnan(out.loc[D, "ci_low"]) and out.loc[D, "too_small"]


def test_several_documents_are_resampled_whole() -> None:
    # K: three sentences scoring +1 in doc x, one scoring -1 in doc y.
    # Documents: means are +1, -1 or (3-1)/4 = 0.5, each pair of documents with p >= 1/4 -> [-1, 1].
    # Sentences: all four draws the -1 sentence has p = 1/256 < 2.5 %, three of four has p ~ 5 %,
    # so the lower bound is (-3 + 1)/4 = -0.5.
    s = _sentences([("x", "1", 1, K, ""), ("x", "2", 1, K, ""), ("x", "3", 1, K, ""), ("y", "4", 1, K, "")])
    st = _stance({"1": 1.0, "2": 1.0, "3": 1.0, "4": -1.0})
    docs = framing.stance_by_group(s, st, min_docs=2).iloc[0]
    sents = framing.stance_by_group(s, st, resample="sentences").iloc[0]
    assert docs["resampled"] == "documents" and docs["n_docs"] == 2
    assert (docs["ci_low"], docs["ci_high"]) == pytest.approx((-1.0, 1.0))
    assert (sents["ci_low"], sents["ci_high"]) == pytest.approx((-0.5, 1.0))


def test_stance_by_group_handles_several_targets_and_three_groups() -> None:
    s = _sentences([("d", "a", 1, K, ""), ("d", "b", 2, D, ""), ("d", "c", 3, R, "")])
    st = pd.concat(
        [_stance({"a": 0.5, "b": -0.5, "c": 0.0}), _stance({"a": 0.1, "b": 0.2, "c": 0.3}, "ukraine")]
    )
    out = framing.stance_by_group(s, st, n_boot=50)
    assert len(out) == 6
    assert out.set_index(["source", "target"]).loc[(R, "ukraine"), "mean"] == pytest.approx(0.3)


def test_stance_difference_with_hand_worked_interval() -> None:
    # K boot means are 0.2/0.3/0.4 and D is constant -0.5, so the difference is 0.8 with interval [0.7, 0.9].
    out = framing.stance_difference(SMALL, _stance({"a": 0.2, "b": 0.4, "c": -0.5, "e": -0.5}), K, D).iloc[0]
    assert out["difference"] == pytest.approx(0.8)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((0.7, 0.9))
    assert out["excludes_zero"] and out["too_small"] and (out["n_a"], out["n_b"]) == (2, 2)


def test_stance_difference_names_the_missing_group() -> None:
    with pytest.raises(ValueError, match="White House readout"):
        framing.stance_difference(SMALL, _stance({"a": 0.2}), K, "White House readout")


def test_missing_grouping_column_is_explained() -> None:
    with pytest.raises(KeyError, match="speaker"):
        framing.stance_by_group(SMALL, _stance({"a": 0.2}), by="speaker")


def test_same_seed_same_interval() -> None:
    st = _stance({"a": 0.2, "b": 0.9, "c": -0.5, "e": 0.1})
    one = framing.stance_by_group(SMALL, st, random_state=3)
    two = framing.stance_by_group(SMALL, st, random_state=3)
    pd.testing.assert_frame_equal(one, two)


# --------------------------------------------------------------------------- frames


def _frames() -> pd.DataFrame:
    probs = {"security_and_defense": [0.9, 0.7, 0.1, 0.1], "legality": [0.5, 0.5, 0.4, 0.4]}
    return pd.DataFrame(
        [(sid, f, p[i]) for f, p in probs.items() for i, sid in enumerate("abce")],
        columns=["sent_id", "frame", "prob"],
    )


def test_frame_profile_shares_per_group() -> None:
    out = framing.frame_profile(SMALL, _frames()).set_index(["source", "frame"])
    assert out.loc[(K, "security_and_defense"), "share"] == pytest.approx(0.8)
    assert out.loc[(D, "security_and_defense"), "share"] == pytest.approx(0.1)
    legality = out.loc[(K, "legality")]
    assert (legality["ci_low"], legality["ci_high"]) == pytest.approx((0.5, 0.5))
    assert out.loc[(K, "security_and_defense"), "ci_low"] == pytest.approx(0.7)


def test_distinguishing_frames_are_sorted_by_difference() -> None:
    out = framing.distinguishing_frames(SMALL, _frames(), K, D)
    assert out["frame"].tolist() == ["security_and_defense", "legality"]
    assert out["difference"].tolist() == pytest.approx([0.7, 0.1])
    # K's security shares resample to 0.7/0.8/0.9 and D's are constant 0.1
    assert (out.loc[0, "ci_low"], out.loc[0, "ci_high"]) == pytest.approx((0.6, 0.8))
    assert framing.distinguishing_frames(SMALL, _frames(), K, D, top=1)["frame"].tolist() == [
        "security_and_defense"
    ]


# --------------------------------------------------------------------------- distinctive words


def test_log_odds_with_informative_prior_worked_by_hand() -> None:
    # a = "war war peace", b = "peace peace"; corpus counts war 2, peace 3 (n = 5); alpha_0 = 5
    # so alpha_war = 5 * 2/5 = 2 and alpha_peace = 5 * 3/5 = 3; n_a = 3, n_b = 2.
    # war:   omega_a = (2+2)/(3+5-2-2) = 4/4 = 1;  omega_b = (0+2)/(2+5-0-2) = 2/5
    #        delta = log 1 - log 0.4 = 0.916291;   var = 1/(2+2) + 1/(0+2) = 0.75
    #        z = 0.916291 / sqrt(0.75) = 0.916291 / 0.866025 = 1.058041
    # peace: omega_a = (1+3)/(3+5-1-3) = 1;         omega_b = (2+3)/(2+5-2-3) = 5/2
    #        delta = 0 - log 2.5 = -0.916291;      var = 1/(1+3) + 1/(2+3) = 0.45
    #        z = -0.916291 / sqrt(0.45) = -0.916291 / 0.670820 = -1.365925
    s = _sentences([("d", "1", 1, K, "war war peace"), ("d", "2", 2, D, "peace peace")])
    out = framing.distinctive_words(s, K, D, prior=5).set_index("word")
    assert out.loc["war", "prior"] == pytest.approx(2.0)
    assert out.loc["war", "delta"] == pytest.approx(0.916291, abs=1e-6)
    assert out.loc["war", "z"] == pytest.approx(1.058041, abs=1e-6)
    assert out.loc["peace", "delta"] == pytest.approx(-0.916291, abs=1e-6)
    assert out.loc["peace", "z"] == pytest.approx(-1.365925, abs=1e-6)
    assert (out.loc["war", "favours"], out.loc["peace", "favours"]) == (K, D)


def test_prior_comes_from_the_whole_corpus_not_only_the_two_groups() -> None:
    s = _sentences(
        [("d", "1", 1, K, "war war peace"), ("d", "2", 2, D, "peace peace"), ("d", "3", 3, N, "war talks")]
    )
    out = framing.distinctive_words(s, K, D, prior=7).set_index("word")
    # corpus counts: war 3, peace 3, talks 1 (n = 7) -> alpha_war = 7 * 3/7 = 3
    assert out.loc["war", "prior"] == pytest.approx(3.0)
    assert "talks" not in out.index  # seen in neither group


def test_distinctive_words_uses_the_given_vectorizer() -> None:
    s = _sentences([("d", "1", 1, K, "The war in the east"), ("d", "2", 2, D, "The talks in the west")])
    default = framing.distinctive_words(s, K, D)
    english = framing.distinctive_words(s, K, D, vectorizer=CountVectorizer(stop_words="english"))
    assert "the" in set(default["word"]) and "the" not in set(english["word"])
    assert english["word"].iloc[0] in {"war", "east"} and english["favours"].iloc[-1] == D


# --------------------------------------------------------------------------- reading order and evidence


def test_reading_order_sorts_each_document_and_counts_words_as_prominence_does() -> None:
    shuffled = ARTICLE.sample(frac=1, random_state=0)
    order = framing.reading_order(shuffled)
    assert order["sent_id"].tolist() == ARTICLE["sent_id"].tolist()
    assert order["n_words"].tolist() == [3, 6, 2, 4, 3, 5, 5]
    body = order[~order["is_title"]]
    prom = framing.prominence(ARTICLE)
    assert body.groupby("source")["n_words"].sum().to_dict() == prom.set_index("source")["n_words"].to_dict()


def test_evidence_is_an_analysis_function() -> None:
    from framing import analysis

    assert framing.evidence is analysis.evidence
    assert framing.evidence.__module__ == "framing.analysis.compare"
    st = pd.DataFrame({"sent_id": [0, 1], "target": "t", "score": [0.8, -0.2]})
    s = pd.DataFrame({"sent_id": [0, 1], "text": ["a", "b"], "source": "X"})
    top = framing.evidence(st, s, n=1)
    assert top[["source", "sent_id", "contribution"]].values.tolist() == [["X", 0, 0.4]]
