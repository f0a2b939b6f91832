"""The hand-written multi-outlet corpora: they load whole, their labels match the split, their tables add up.

``tests/data/multi`` (development) and ``tests/data/multi_heldout`` (held out for measuring
attribution) are fiction written for the tests; their READMEs say how. These tests check the
data, never attribution results: they load each manifest, split it, and recompute the expected
outlet × source table with the README's definition in plain Python.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

import framing
from framing.loading.corpus import normalise_characters

DATA = Path(__file__).resolve().parent / "data"
MANIFEST_COLUMNS = ["doc_id", "path", "title", "outlet", "date", "url", "kind", "event", "issuer"]


@dataclass(frozen=True)
class Shape:
    folder: str
    docs: int
    outlets: int
    events: int
    biggest_outlet: int
    label_columns: tuple[str, ...]


SHAPES = [
    Shape("multi", docs=16, outlets=5, events=2, biggest_outlet=5,
          label_columns=("doc_id", "sentence", "source")),
    Shape("multi_heldout", docs=12, outlets=4, events=2, biggest_outlet=1,
          label_columns=("doc_id", "sentence", "source", "speaker")),
]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def _loaded(folder: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    docs = framing.load_corpus(DATA / folder / "sources.csv")
    return docs, framing.split_sentences(docs)


@pytest.fixture(params=SHAPES, ids=[s.folder for s in SHAPES])
def shape(request: pytest.FixtureRequest) -> Shape:
    return request.param


def test_manifest_loads_every_document(shape: Shape) -> None:
    manifest = _rows(DATA / shape.folder / "sources.csv")
    assert list(manifest[0]) == MANIFEST_COLUMNS
    docs, _ = _loaded(shape.folder)
    assert docs.attrs["skipped"] == [] and docs.attrs["notes"] == []
    assert docs["doc_id"].tolist() == [r["doc_id"] for r in manifest]
    assert docs["title"].tolist() == [normalise_characters(r["title"]) for r in manifest]
    assert {Path(r["path"]).suffix for r in manifest} == {".txt", ".html"}
    assert sum(r["path"].endswith(".html") for r in manifest) >= 2


def test_counts(shape: Shape) -> None:
    manifest = _rows(DATA / shape.folder / "sources.csv")
    articles = [r for r in manifest if r["kind"] == "article"]
    readouts = [r for r in manifest if r["kind"] == "readout"]
    assert len(articles) + len(readouts) == len(manifest) >= shape.docs
    outlets = Counter(r["outlet"] for r in articles)
    assert len(outlets) >= shape.outlets
    assert max(outlets.values()) >= shape.biggest_outlet
    events = {r["event"] for r in manifest}
    assert len(events) >= shape.events
    for event in events:
        issued = [r for r in readouts if r["event"] == event]
        assert len(issued) >= 2 and len({r["issuer"] for r in issued}) >= 2, event
    assert all(r["issuer"] for r in readouts) and not any(r["issuer"] for r in articles)


def test_every_body_sentence_has_exactly_one_label(shape: Shape) -> None:
    labels = _rows(DATA / shape.folder / "labels.csv")
    assert tuple(labels[0]) == shape.label_columns
    assert all(r["source"].strip() for r in labels)
    _, sentences = _loaded(shape.folder)
    body = sentences[~sentences["is_title"]]
    split = {doc: g["text"].tolist() for doc, g in body.groupby("doc_id", sort=False)}
    labelled: dict[str, list[str]] = defaultdict(list)
    for r in labels:
        labelled[r["doc_id"]].append(r["sentence"])
    assert set(labelled) == set(split)
    for doc_id, texts in split.items():
        assert labelled[doc_id] == texts, doc_id


def test_readout_sentences_are_their_issuers(shape: Shape) -> None:
    issuer = {r["doc_id"]: r["issuer"] for r in _rows(DATA / shape.folder / "sources.csv") if r["issuer"]}
    for r in _rows(DATA / shape.folder / "labels.csv"):
        if r["doc_id"] in issuer:
            assert r["source"] == f"{issuer[r['doc_id']]} readout", r


def test_a_syndicated_story_runs_in_two_outlets(shape: Shape) -> None:
    docs = {r["doc_id"]: r for r in _rows(DATA / shape.folder / "sources.csv")}
    by_doc: dict[str, set[str]] = defaultdict(set)
    for r in _rows(DATA / shape.folder / "labels.csv"):
        by_doc[r["doc_id"]].add(r["sentence"])
    articles = [d for d in by_doc if docs[d]["kind"] == "article"]
    shared = [(a, b) for a in articles for b in articles
              if a < b and docs[a]["outlet"] != docs[b]["outlet"] and len(by_doc[a] & by_doc[b]) >= 5]
    assert shared


def _expected_table(folder: Path) -> list[list[str]]:
    """The README's definition, in plain Python over labels.csv and sources.csv."""
    docs = {r["doc_id"]: r for r in _rows(folder / "sources.csv")}
    sentences: dict[tuple[str, str], int] = defaultdict(int)
    words: dict[tuple[str, str], int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for row in _rows(folder / "labels.csv"):
        doc = docs[row["doc_id"]]
        if doc["kind"] != "article":
            continue
        n = len(re.findall(r"(?u)\b\w[\w'’-]*", row["sentence"]))
        sentences[doc["outlet"], row["source"]] += 1
        words[doc["outlet"], row["source"]] += n
        total[doc["outlet"]] += n
    return [[o, s, str(sentences[o, s]), str(words[o, s]), f"{round(words[o, s] / total[o], 4):.4f}"]
            for o, s in sorted(words)]


def test_speaker_is_empty_exactly_for_narration() -> None:
    for r in _rows(DATA / "multi_heldout" / "labels.csv"):
        assert (r["source"] == "narrator") == (r["speaker"] == ""), r


def test_expected_outlet_source_table(shape: Shape) -> None:
    folder = DATA / shape.folder
    with (folder / "expected_outlet_source.csv").open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header == ["outlet", "source", "sentences", "words", "word_share"]
    assert sorted(rows) == sorted(_expected_table(folder))
    shares: dict[str, float] = defaultdict(float)
    for outlet, _, _, _, share in rows:
        shares[outlet] += float(share)
    assert all(abs(v - 1) < 1e-3 for v in shares.values()), shares
