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
          label_columns=("doc_id", "sentence", "source", "speaker", "clutter")),
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


# Labelled rows of tests/data/multi that load_corpus now drops as page clutter: bylines, time
# stamps, captions and photo credits, "Read more" links and wire reporting credits, all narration.
DROPPED_CLUTTER = {
    "multi": [
        ("novosti-vector-2021-12-13-putin-johnson", "By Novosti Vector staff"),
        ("novosti-vector-2021-12-13-putin-johnson", "13 Dec, 2021 17:42"),
        ("novosti-vector-2021-12-13-putin-johnson",
         "Russian President Vladimir Putin during a telephone conversation at the Kremlin."),
        ("novosti-vector-2021-12-13-putin-johnson", "© Novosti Vector / Pool"),
        ("novosti-vector-2021-12-13-putin-johnson",
         "Read more: Moscow hands Washington draft treaty on NATO guarantees"),
        ("novosti-vector-2021-12-14-peskov-strategic-mistake", "14 Dec, 2021 11:05"),
        ("novosti-vector-2021-12-14-peskov-strategic-mistake",
         "Read more: Putin tells Johnson NATO expansion talks cannot wait"),
        ("morning-ledger-2021-12-13-wire-putin-johnson", "By Daniel Reyes, Meridian Wire"),
        ("morning-ledger-2021-12-13-wire-putin-johnson",
         "(Reporting by Daniel Reyes in London and Olga Marchenko in Moscow; Editing by Tom Hale)"),
        ("daily-sentinel-2021-12-13-wire-putin-johnson", "Published: 19:20, 13 December 2021"),
        ("daily-sentinel-2021-12-14-boris-stands-firm", "By Mark Thornton, Political Editor"),
        ("daily-sentinel-2021-12-14-boris-stands-firm",
         "STANDOFF: Boris Johnson and Vladimir Putin spoke for around 45 minutes on Monday (Image: Getty)"),
        ("daily-sentinel-2021-12-14-boris-stands-firm", "Read more:"),
        ("daily-sentinel-2021-12-14-boris-stands-firm",
         "Tanks, drones and 100,000 men: inside Putin’s build-up"),
        ("novosti-vector-2022-03-18-biden-xi", "18 Mar, 2022 21:30"),
        ("novosti-vector-2022-03-18-biden-xi",
         "Chinese President Xi Jinping speaks with US President Joe Biden via video link in Beijing, "
         "March 18, 2022."),
        ("novosti-vector-2022-03-18-biden-xi", "© NCH / Pool"),
        ("novosti-vector-2022-03-18-biden-xi", "Read more: US says China ‘must not’ help Russia"),
        ("novosti-vector-2022-03-19-analysts-pressure", "By Irina Volkova"),
        ("novosti-vector-2022-03-19-analysts-pressure", "19 Mar, 2022 10:12"),
        ("novosti-vector-2022-03-19-xi-taiwan", "19 Mar, 2022 08:40"),
        ("novosti-vector-2022-03-19-xi-taiwan",
         "Read more: Biden threatens China with ‘costs’ over Russia ties, Beijing calls for dialogue"),
        ("northbridge-2022-03-18-biden-xi", "By Tom Ashworth, North America correspondent"),
        ("northbridge-2022-03-18-biden-xi",
         "The two leaders spoke by video link for almost two hours (file picture)"),
        ("northbridge-2022-03-18-biden-xi", "Read more: What does China want from the war in Ukraine?"),
        ("morning-ledger-2022-03-18-biden-xi",
         "Read more: How China’s trade with Russia has grown since 2014"),
        ("meridian-wire-2022-03-18-biden-xi", "By Olga Marchenko and Chen Hao, Meridian Wire"),
        ("meridian-wire-2022-03-18-biden-xi",
         "(Reporting by Olga Marchenko in Washington and Chen Hao in Beijing; Editing by Tom Hale)"),
    ],
}


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _is_pull_quote(row: dict[str, str], doc_rows: list[dict[str, str]]) -> bool:
    """A pull-quote repeats, word for word, a quotation another row of its document carries."""
    words = _words(row["sentence"])
    return bool(words) and any(r is not row and words in _words(r["sentence"]) for r in doc_rows)


def _dropped_rows(labelled: list[dict[str, str]], split: list[str]) -> list[dict[str, str]]:
    """Labelled rows the split no longer gives; fails unless the split is the labels in order, less those."""
    dropped: list[dict[str, str]] = []
    i = 0
    for row in labelled:
        if i < len(split) and split[i] == row["sentence"]:
            i += 1
        else:
            dropped.append(row)
    assert split[i:] == [], f"sentences the labels do not have (or not in this order): {split[i:]}"
    return dropped


def test_every_body_sentence_has_a_label_and_only_clutter_labels_are_left_over(shape: Shape) -> None:
    labels = _rows(DATA / shape.folder / "labels.csv")
    assert tuple(labels[0]) == shape.label_columns
    assert all(r["source"].strip() for r in labels)
    _, sentences = _loaded(shape.folder)
    body = sentences[~sentences["is_title"]]
    split = {doc: g["text"].tolist() for doc, g in body.groupby("doc_id", sort=False)}
    labelled: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in labels:
        labelled[r["doc_id"]].append(r)
    assert set(split) <= set(labelled)
    dropped = [r for doc_id, rows in labelled.items() for r in _dropped_rows(rows, split.get(doc_id, []))]
    print(f"{shape.folder}: {len(dropped)} labelled rows dropped by load_corpus as page clutter:")
    for r in dropped:
        print(f"  {r['doc_id']} [{r['source']}] {r['sentence']}")
    not_clutter = [r for r in dropped
                   if r["source"] != "narrator" and not _is_pull_quote(r, labelled[r["doc_id"]])]
    assert not_clutter == [], "labelled rows dropped that are neither narration nor a pull-quote"
    if shape.folder in DROPPED_CLUTTER:
        assert [(r["doc_id"], r["sentence"]) for r in dropped] == DROPPED_CLUTTER[shape.folder]


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
