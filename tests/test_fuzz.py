"""Property tests: messy text never crashes the loader, the segmenter or the attribution.

Inputs mix arbitrary Unicode, control characters, very long lines, unbalanced
quotation marks, empty paragraphs and mixed line endings. The properties:

* ``load_corpus`` returns a table (it may skip or note inputs, never raise);
  its cleaned text has no carriage returns and no blank or padded paragraphs;
* ``split_sentences``: ``text[start:end] == sentence`` for every sentence;
  within each paragraph the sentences, joined by the whitespace between them,
  rebuild the paragraph exactly (nothing dropped, nothing duplicated);
* ``attribute`` and ``quotes`` keep one row per sentence and offsets that
  point at the quoted words.

``FRAMING_FUZZ_PROFILE=thorough`` runs many more examples than the default.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import framing
from framing.loading.sentences import paragraph_spans

settings.register_profile(
    "framing-fuzz",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "framing-fuzz-thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile(
    "framing-fuzz-thorough" if os.environ.get("FRAMING_FUZZ_PROFILE") == "thorough" else "framing-fuzz"
)

# Pieces that stress the cleaning, the quotation rules and the abbreviations.
_PIECES = [
    "“", "”", '"', "'", "‘", "’", "«", "»", "„", "(", ")",
    "Mr.", "Dr.", "U.S.", "No. 5", "...", "!", "?", ". ", " said. ", " the Kremlin said",
    "\n", "\r\n", "\r", "\n\n", "\n \n", "\r\n\r\n", "\u2028", "\u2029", "\x85", "\f", "\v", "\t",
    "\x00", "\x01", "\x1b", "\x1c", "\x7f", "\u200b", "\ufeff", "\u00ad", "\u00a0", "\u3000",
    "#", "*", "<b>", "</p>", "&amp;", "e\u0301", "\U0001f600", "\u202e", "ﬁ",
    "Putin told Macron", "We will act", "NATO",
]  # fmt: skip
_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
_LONG_LINE = st.integers(min_value=1, max_value=400).map(lambda n: "word " * n)
_TOKEN = st.one_of(st.sampled_from(_PIECES), st.text(_ALPHABET, min_size=1, max_size=20), _LONG_LINE)
MESSY = st.lists(_TOKEN, min_size=0, max_size=40).map("".join)


def _paragraph_pieces(text: str, rows: pd.DataFrame) -> None:
    """Sentences tile each paragraph: whitespace-only gaps, nothing outside, nothing twice."""
    rows = rows.sort_values("start")
    for p, (a, b) in enumerate(paragraph_spans(text)):
        inside = rows[(rows["start"] >= a) & (rows["end"] <= b)]
        assert (inside["para"] == p).all()
        if not text[a:b].strip():
            assert inside.empty
            continue
        rebuilt, pos = [], a
        for s, e in zip(inside["start"], inside["end"], strict=True):
            gap = text[pos:s]
            assert s >= pos and gap.strip() == "", f"gap {gap!r} in paragraph {p}"
            rebuilt += [gap, text[s:e]]
            pos = e
        assert text[pos:b].strip() == ""
        rebuilt.append(text[pos:b])
        assert "".join(rebuilt) == text[a:b]
    covered = sum(
        ((rows["start"] >= a) & (rows["end"] <= b)).sum() for a, b in paragraph_spans(text)
    )
    assert covered == len(rows), "a sentence lies outside every paragraph"


def _check_sentences(texts: dict[str, str], sents: pd.DataFrame) -> None:
    assert list(sents.columns) == ["doc_id", "sent_id", "para", "n", "start", "end", "text", "is_title"]
    assert sents["sent_id"].is_unique
    for row in sents.itertuples(index=False):
        assert texts[row.doc_id][row.start : row.end] == row.text
        assert row.text and row.text == row.text.strip()
    for doc_id, text in texts.items():
        rows = sents[sents["doc_id"] == doc_id]
        assert (rows["n"].to_numpy() == range(len(rows))).all()
        assert rows["start"].is_monotonic_increasing
        assert (rows["start"].to_numpy()[1:] >= rows["end"].to_numpy()[:-1]).all(), "overlapping sentences"
        _paragraph_pieces(text, rows)


@FUZZ
@given(st.lists(MESSY, min_size=1, max_size=3))
def test_split_sentences_offsets_and_coverage_on_messy_text(texts: list[str]) -> None:
    sents = framing.split_sentences(texts)
    _check_sentences({str(i): t for i, t in enumerate(texts)}, sents)


@FUZZ
@given(MESSY, st.sampled_from([".txt", ".md", ".csv", ".jsonl", ".html"]))
def test_load_corpus_then_split_never_crashes(body: str, ext: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"doc{ext}"
        if ext == ".csv":
            pd.DataFrame({"doc_id": ["d"], "text": [body]}).to_csv(path, index=False)
        elif ext == ".jsonl":
            pd.DataFrame({"doc_id": ["d"], "text": [body]}).to_json(path, orient="records", lines=True)
        else:
            path.write_bytes(body.encode("utf-8", errors="surrogatepass"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            docs = framing.load_corpus(path)
    assert list(docs.columns[:9]) == ["doc_id", "title", "outlet", "date", "url", "kind", "language",
                                      "text", "path"]
    assert len(docs) + len(docs.attrs["skipped"]) >= 1
    for text in docs["text"]:
        assert "\r" not in text and text == text.strip()
        for para in text.split("\n\n"):
            assert para and para == " ".join(para.split(" ")).strip()
            assert "\n\n" not in para
    if len(docs):
        sents = framing.split_sentences(docs)
        _check_sentences(dict(zip(docs["doc_id"], docs["text"], strict=True)), sents)


@FUZZ
@given(st.lists(MESSY, min_size=1, max_size=2))
def test_attribute_and_quotes_keep_rows_and_offsets(texts: list[str]) -> None:
    sents = framing.split_sentences(texts)
    out = framing.attribute(sents)
    assert len(out) == len(sents)
    assert out["sent_id"].tolist() == sents["sent_id"].tolist()
    assert set(out["mode"]) <= {"direct", "mixed", "indirect", "narration"}
    for col in ("speaker", "source", "cue"):
        assert out[col].map(lambda v: isinstance(v, str)).all()
    spans = framing.quotes(out)
    for q in spans.itertuples(index=False):
        doc = texts[int(q.doc_id)]
        assert 0 <= q.start < q.end <= len(doc)
        assert doc[q.start : q.end] == q.text
