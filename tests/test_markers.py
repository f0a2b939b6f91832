"""Lexical framing markers and who is credited with them, on hand-made sentences."""

from __future__ import annotations

import pandas as pd
import pytest

import framing

PUTIN = (
    "The Ukrainian authorities are \u201cpurposefully exacerbating\u201d the situation in the two "
    "breakaway regions, while discriminating against the Russian-speaking population, he added."
)


def _one(text: str, source: str = "Kremlin readout", start: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": ["d"], "sent_id": ["s1"], "start": [start], "end": [start + len(text)],
                         "text": [text], "source": [source], "is_title": [False]})


def _rows(markers: pd.DataFrame, category: str) -> list[tuple[str, str]]:
    sel = markers[markers["category"] == category]
    return list(zip(sel["marker"], sel["credited_to"], strict=True))


@pytest.mark.parametrize(
    ("text", "category", "expected"),
    [
        # the outlet's words in a sentence that reports Putin
        (PUTIN, "naming", [("breakaway region*", "outlet"), ("Russian-speaking population", "outlet")]),
        # the same word inside and outside quotation marks
        ('Johnson raised the "alleged" troop movement.', "distancing", [("alleged", "Kremlin readout")]),
        ("Johnson raised the alleged troop movement.", "distancing", [("alleged", "outlet")]),
        ("He cited \u201cKiev\u2019s destructive line\u201d, it said.", "naming",
         [("Kiev", "Kremlin readout")]),
        ("Officials in Kyiv and the so-called people's republics", "naming",
         [("Kyiv", "outlet"), ("people's republic*", "outlet")]),
        ("Officials in Kyiv and the so-called people's republics", "distancing", [("so-called", "outlet")]),
        ("The minister insisted and the envoy said so.", "reporting_evaluative", [("insisted", "outlet")]),
        ("The minister insisted and the envoy said so.", "reporting_neutral", [("said", "outlet")]),
        ("Troops reportedly moved and talks may resume in May.", "hedge",
         [("reportedly", "outlet"), ("may", "outlet")]),
        ("The Kiev regime refused.", "naming", [("Kiev regime", "outlet")]),  # longest term wins, once
        ("The Kievan Rus and Kyivstar are not markers.", "naming", []),  # whole words only
        ("Separatists said \u2018they\u2019 would stay.", "naming", [("separatist*", "outlet")]),
    ],
)
def test_markers_and_credit(text, category, expected) -> None:
    assert _rows(framing.find_markers(_one(text)), category) == expected


@pytest.mark.parametrize(
    ("text", "scare"),
    [
        ('Moscow called it a "peacekeeping" mission.', ["peacekeeping"]),
        ("Moscow called it a \u201cpeacekeeping mission to protect\u201d civilians.", []),  # four words
        ("He warned of \u201cdire consequences\u201d and \u2018grave\u2019 risks.",
         ["dire consequences", "grave"]),
        ("The players' union and Kiev's line.", []),  # apostrophes are not quotation marks
        ("\u201cLack of progress.\u201d", []),  # a whole quoted sentence is a quotation, not a scare quote
    ],
)
def test_scare_quotes_are_short_quoted_phrases_credited_to_the_outlet(text, scare) -> None:
    m = framing.find_markers(_one(text))
    sq = m[m["category"] == "scare_quote"]
    assert sq["marker"].tolist() == scare
    assert sq["credited_to"].eq("outlet").all()


def test_offsets_point_into_the_document_text() -> None:
    doc = "Headline here. " + PUTIN
    s = _one(PUTIN, start=15)
    m = framing.find_markers(s)
    for _, row in m.iterrows():
        assert doc[row["start"] : row["end"]] == row["match"]
    assert len(m) >= 4


def test_a_quotes_table_decides_what_is_quoted() -> None:
    text = "Putin cited the alleged build-up in breakaway regions."
    s = _one(text, start=100)
    at = 100 + text.index("alleged build-up")
    quotes = pd.DataFrame({"doc_id": ["d"], "sent_id": ["s1"], "start": [at], "end": [at + 16],
                           "text": ["alleged build-up"], "speaker": ["Vladimir Putin"],
                           "source": ["Kremlin"]})
    m = framing.find_markers(s, quotes=quotes)
    assert _rows(m, "distancing") == [("alleged", "Kremlin")]
    assert _rows(m, "naming") == [("breakaway region*", "outlet")]


def test_a_quote_running_over_the_sentence_end_still_counts_as_quoted() -> None:
    m = framing.find_markers(_one("so-called guarantees,\u201d the statement said."))
    assert _rows(m, "distancing") == [("so-called", "Kremlin readout")]


def test_users_extend_the_lexicon() -> None:
    lex = framing.marker_lexicon()
    lex["categories"]["naming"]["terms"].append("Novorossiya")
    lex["categories"]["euphemism"] = {"terms": ["military-technical response"]}
    m = framing.find_markers(_one("A military-technical response in Novorossiya."), lexicon=lex)
    assert set(zip(m["category"], m["marker"], strict=True)) >= {
        ("naming", "Novorossiya"), ("euphemism", "military-technical response")}
    assert "Novorossiya" not in framing.marker_lexicon()["categories"]["naming"]["terms"]


def test_a_users_lexicon_file(tmp_path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("categories:\n  naming:\n    terms: [Donbass]\n")
    m = framing.find_markers(_one("Shelling in Donbass and Kiev."), lexicon=path)
    assert m.loc[m["category"] == "naming", "marker"].tolist() == ["Donbass"]


def test_a_malformed_lexicon_says_what_is_wrong(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("naming: [Kiev]\n")
    with pytest.raises(ValueError, match="categories"):
        framing.find_markers(_one("Kiev."), lexicon=path)


def test_marker_table_counts_per_group_and_category() -> None:
    s = pd.DataFrame({
        "doc_id": "d", "sent_id": ["1", "2", "3"], "start": [0, 100, 200],
        "source": ["Kremlin readout", "Kremlin readout", "Downing Street readout"],
        "text": [PUTIN, 'Johnson raised the "alleged" movement in Kiev.', "Johnson said talks must go on."],
    })
    t = framing.marker_table(framing.find_markers(s), s).set_index(["source", "category"])
    k_naming = t.loc[("Kremlin readout", "naming")]
    assert k_naming["n"] == 3 and k_naming["n_outlet"] == 3 and k_naming["n_quoted"] == 0
    assert k_naming["sent_ids"] == ["1", "2"] and k_naming["example"] == PUTIN
    k_dist = t.loc[("Kremlin readout", "distancing")]
    assert (k_dist["n"], k_dist["n_outlet"], k_dist["n_quoted"]) == (1, 0, 1)
    assert t.loc[("Downing Street readout", "naming"), "n"] == 0  # zeros are reported, not dropped
    d_neutral = t.loc[("Downing Street readout", "reporting_neutral")]
    assert d_neutral["n"] == 1 and d_neutral["per_100_words"] == pytest.approx(100 / 6)
    assert d_neutral["markers"] == "said (1)"
