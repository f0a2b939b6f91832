"""Who says what: speaker, source, mode and cue of each sentence, and quotation spans."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import framing

DEV = Path(__file__).resolve().parent / "data" / "attribution" / "dev"
COLUMNS = ["source", "speaker", "mode"]


def _sentences(*paragraphs: str | list[str], doc_id: str = "d", title: str | None = None) -> pd.DataFrame:
    """A sentences table built by hand: paragraphs joined by a blank line, sentences by a space."""
    rows, pos, n = [], 0, 0
    paras = ([title] if title else []) + list(paragraphs)
    for p, para in enumerate(paras):
        for k, text in enumerate([para] if isinstance(para, str) else para):
            if k:
                pos += 1
            rows.append({"doc_id": doc_id, "sent_id": f"{doc_id}:{n}", "para": p, "n": n, "start": pos,
                         "end": pos + len(text), "text": text, "is_title": bool(title) and p == 0})
            pos += len(text)
            n += 1
        pos += 2
    return pd.DataFrame(rows)


def _who(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in frame[COLUMNS].itertuples(index=False)]


# --------------------------------------------------------------------------- the seed article

SEED = [
    # n, source, speaker, mode
    (0, "narrator", "", "narration"),
    (1, "Kremlin readout", "Vladimir Putin", "indirect"),
    (2, "narrator", "", "narration"),
    (3, "Kremlin readout", "Vladimir Putin", "mixed"),
    (4, "Kremlin readout", "Vladimir Putin", "mixed"),
    (5, "Kremlin readout", "Vladimir Putin", "mixed"),
    (6, "Sergey Ryabkov", "Sergey Ryabkov", "mixed"),
    (7, "Sergey Ryabkov", "Sergey Ryabkov", "direct"),
    (8, "Downing Street readout", "Boris Johnson", "mixed"),
    (9, "Downing Street readout", "Boris Johnson", "mixed"),
]


@pytest.fixture(scope="module")
def seed() -> pd.DataFrame:
    docs = framing.load_corpus(framing.paths().manifest)
    return framing.attribute(framing.split_sentences(docs))


def test_seed_article_table(seed: pd.DataFrame) -> None:
    got = [(int(r.n), r.source, r.speaker, r.mode) for r in seed.itertuples()]
    assert got == SEED


def test_seed_article_cues(seed: pd.DataFrame) -> None:
    assert seed["cue"].tolist() == ["", "told", "", "informed", "noted", "added", "said", "told", "said",
                                    "said"]


def test_seed_quotes_are_offsets_into_the_document(seed: pd.DataFrame) -> None:
    docs = framing.load_corpus(framing.paths().manifest)
    text = docs["text"].iloc[0]
    q = framing.quotes(seed)
    assert q["text"].tolist()[:2] == ["immediately.",
                                      "alleged large-scale movement of Russian troops along the Ukrainian "
                                      "borders,"]
    assert len(q) == 9
    for row in q.itertuples():
        assert text[row.start:row.end] == row.text
        sent = seed.set_index("sent_id").loc[row.sent_id]
        assert sent.start <= row.start < row.end <= sent.end
    assert q.set_index("text").loc["dire consequences", "source"] == "Sergey Ryabkov"


# --------------------------------------------------------------------------- articles written for development


def _dev_articles() -> list[Path]:
    return sorted(DEV.glob("*.txt"))


def test_there_are_dev_articles() -> None:
    assert len(_dev_articles()) >= 5


@pytest.mark.parametrize("article", _dev_articles(), ids=lambda p: p.stem)
def test_dev_article_table(article: Path) -> None:
    expected = pd.read_csv(article.with_suffix(".csv"), keep_default_na=False, dtype={"n": int})
    got = framing.attribute(framing.split_sentences(framing.load_corpus(article)))
    assert got["text"].tolist() == expected["text"].tolist()  # the labels line up with the sentences
    for e, g in zip(expected.to_dict("records"), got.to_dict("records"), strict=True):
        assert (g["n"], g["source"], g["speaker"], g["mode"]) == (e["n"], e["source"], e["speaker"],
                                                                  e["mode"]), e["text"]


# --------------------------------------------------------------------------- rules, one at a time

CASES = [
    pytest.param(
        ["Macron told Putin that talks must continue.", "The Kremlin gave a different account."],
        [("Élysée readout", "Emmanuel Macron", "indirect"), ("narrator", "", "narration")],
        id="leader-in-call-is-his-readout;narration-without-cue"),
    pytest.param(
        ["The statement from the White House said Biden had warned of “severe costs”.",
         "He also urged restraint, the statement added."],
        [("White House readout", "Joe Biden", "mixed"), ("White House readout", "Joe Biden", "indirect")],
        id="readout-subject;statement-carries-over"),
    pytest.param(
        ["Talks should continue, according to the Élysée.", "It described the call as “frank”."],
        [("Élysée readout", "Élysée", "indirect"), ("Élysée readout", "Élysée", "mixed")],
        id="according-to;it-carries-the-body"),
    pytest.param(
        ["“We will not accept this,” Lavrov told the newspaper Kommersant in an interview."],
        [("Sergey Lavrov", "Sergey Lavrov", "direct")],
        id="interview-is-not-a-readout"),
    pytest.param(
        ["His remarks came after Foreign Minister Sergey Lavrov said NATO was “a threat”."],
        [("Sergey Lavrov", "Sergey Lavrov", "mixed")],
        id="came-after-is-another-occasion"),
    pytest.param(
        ["Putin told Scholz the sanctions were illegal, the Kremlin said.",
         "“This is a dead end,” he added.", "Scholz said at a press conference that he disagreed."],
        [("Kremlin readout", "Vladimir Putin", "indirect"), ("Kremlin readout", "Vladimir Putin", "direct"),
         ("Olaf Scholz", "Olaf Scholz", "indirect")],
        id="pronoun-carry;press-conference"),
    pytest.param(
        ['"We want peace," said a No 10 spokesperson.'],
        [("Downing Street readout", "Downing Street spokesperson", "direct")],
        id="straight-quotes;spokesperson-alias"),
    pytest.param(
        ["Officials in Paris were cautious.", "A senior diplomat, Jean Dupont, said the call was useful."],
        [("narrator", "", "narration"), ("Jean Dupont", "Jean Dupont", "indirect")],
        id="unknown-person-is-own-source"),
]


@pytest.mark.parametrize(("sentences", "expected"), CASES)
def test_rules(sentences: list[str], expected: list[tuple[str, str, str]]) -> None:
    table = _sentences(*sentences)
    assert _who(framing.attribute(table)) == expected


def test_headline_is_narration_even_when_it_paraphrases_a_side() -> None:
    table = _sentences("Putin said the talks were useful.", title="Putin tells Macron talks must go on")
    got = framing.attribute(table)
    assert _who(got) == [("narrator", "", "narration"), ("Kremlin readout", "Vladimir Putin", "indirect")]


def test_quote_over_two_paragraphs_takes_the_attribution_of_its_start() -> None:
    table = _sentences("Johnson said: “We will stand by Ukraine.",
                       "“We will not waver.”", "The call lasted an hour.")
    got = framing.attribute(table)
    assert _who(got) == [("Downing Street readout", "Boris Johnson", "direct"),
                         ("Downing Street readout", "Boris Johnson", "direct"),
                         ("narrator", "", "narration")]


def test_sentence_before_its_attribution_in_one_quotation() -> None:
    table = _sentences(["“We are ready.", "But not at any price,” Blinken said."])
    assert _who(framing.attribute(table)) == [("State Department readout", "Antony Blinken", "direct")] * 2


def test_carry_over_does_not_cross_documents() -> None:
    table = pd.concat([_sentences("Putin told Biden he was ready.", doc_id="a"),
                       _sentences("He added that he was tired.", doc_id="b")], ignore_index=True)
    got = framing.attribute(table)
    # nothing in document b to refer to: the pronoun stays itself, never Putin from document a
    assert got["source"].tolist() == ["Kremlin readout", "he"]


def test_user_aliases_extend_the_defaults(tmp_path: Path) -> None:
    # an invented state, so that no shipped alias knows it
    table = _sentences("The Vostrana Palace said Kelmir had called for a ceasefire.")
    before = framing.attribute(table)
    assert before["source"].iloc[0] != "Vostrana Palace readout"
    extra = pd.DataFrame({"alias": ["Vostrana Palace", "Kelmir"],
                          "speaker": ["Vostrana Palace", "Ada Kelmir"],
                          "source": ["Vostrana Palace readout", "Vostrana Palace readout"],
                          "kind": ["issuer", "leader"]})
    got = framing.attribute(table, aliases=extra)
    assert _who(got) == [("Vostrana Palace readout", "Ada Kelmir", "indirect")]
    path = tmp_path / "aliases.csv"
    extra.to_csv(path, index=False)
    assert _who(framing.attribute(table, aliases=path)) == _who(got)
    # the defaults are still there
    defaults = framing.attribute(_sentences("Putin said no."), aliases=path)
    assert defaults["source"].iloc[0] == "Kremlin readout"


def test_bad_alias_table_names_the_row() -> None:
    extra = pd.DataFrame({"alias": ["X"], "speaker": ["X"], "source": ["X readout"], "kind": ["boss"]})
    with pytest.raises(ValueError, match=r"row 1 \('X'\).*kind"):
        framing.attribute(_sentences("X said no."), aliases=extra)
    with pytest.raises(ValueError, match="alias,speaker,source"):
        framing.attribute(_sentences("X said no."), aliases=pd.DataFrame({"alias": ["X"]}))


def test_missing_columns_are_reported() -> None:
    with pytest.raises(ValueError, match="split_sentences"):
        framing.attribute(pd.DataFrame({"text": ["Putin said no."]}))


def test_empty_table_gets_the_columns() -> None:
    got = framing.attribute(_sentences("x").iloc[:0])
    assert {"speaker", "source", "mode", "cue"} <= set(got.columns) and got.empty
    assert framing.quotes(got).empty


def test_input_is_not_modified_and_index_is_kept() -> None:
    table = _sentences("Putin said no.", "It rained.").set_index(pd.Index([10, 20]))
    before = table.copy()
    got = framing.attribute(table)
    pd.testing.assert_frame_equal(table, before)
    assert got.index.tolist() == [10, 20]


# --------------------------------------------------------------------------- quotation spans

QUOTES = [
    pytest.param(["He called it “a mistake”."], ["a mistake"], id="curly"),
    pytest.param(['He called it "a mistake".'], ["a mistake"], id="straight"),
    pytest.param(["He said it was «inacceptable»."], ["inacceptable"], id="guillemets"),
    pytest.param(["He called it ‘a mistake’, and NATO’s reply ‘weak’."], ["a mistake", "weak"],
                 id="single-quotes-not-apostrophes"),
    pytest.param(["There’s no quotation in NATO’s statement."], [], id="apostrophes-only"),
    pytest.param(["He said: “We will wait.", "“Then we act.”"], ["We will wait.", "Then we act."],
                 id="quote-reopened-in-next-paragraph"),
]


@pytest.mark.parametrize(("paragraphs", "expected"), QUOTES)
def test_quote_spans(paragraphs: list[str], expected: list[str]) -> None:
    table = _sentences(*paragraphs)
    q = framing.quotes(table)
    assert q["text"].tolist() == expected
    text = {r.sent_id: (r.start, r.text) for r in table.itertuples()}
    for row in q.itertuples():
        start, sentence = text[row.sent_id]
        assert sentence[row.start - start:row.end - start] == row.text


def test_a_quotation_over_two_sentences_gives_one_row_per_sentence() -> None:
    table = _sentences(["“We are ready.", "But not at any price,” Blinken said."])
    q = framing.quotes(table)
    assert q["text"].tolist() == ["We are ready.", "But not at any price,"]
    assert q["quote_id"].nunique() == 1
    assert q["sent_id"].tolist() == ["d:0", "d:1"]
    assert set(q["source"]) == {"State Department readout"}
