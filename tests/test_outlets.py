"""The outlet view, on small tables with answers worked out by hand, and on the multi-outlet corpus."""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import framing
from framing.analysis.outlets import THRESHOLD, syndicated

ROOT = Path(__file__).resolve().parents[1]
MULTI = ROOT / "tests" / "data" / "multi"
K, D, N, P = "Kremlin readout", "Downing Street readout", "narrator", "Dmitry Peskov"


def _sentences(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """rows: (doc_id, source, text); the first row of each document is its headline."""
    df = pd.DataFrame(rows, columns=["doc_id", "source", "text"])
    df["n"] = df.groupby("doc_id").cumcount()
    df["sent_id"] = df["doc_id"] + ":" + df["n"].astype(str)
    df["is_title"] = df["n"] == 0
    return df


# Outlet X: articles x1, x2; outlet Y: article y1; plus the Kremlin's readout (not an article).
SENTS = _sentences([
    ("x1", N, "Headline words here"),
    ("x1", N, "One two three."),            # body: narrator opens
    ("x1", K, "One two three four."),       # K is the first voice
    ("x1", D, "One two three four five."),
    ("x2", N, "Another headline"),
    ("x2", D, "One two."),                  # D opens and is the first voice
    ("x2", K, "One two three four five six."),
    ("y1", N, "Y headline"),
    ("y1", K, "One two three four five six seven eight."),
    ("y1", N, "One two."),
    ("kr", N, "Readout title"),
    ("kr", K, "One two three four five six seven eight nine ten."),
])
DOCS = pd.DataFrame({
    "doc_id": ["x1", "x2", "y1", "kr"], "outlet": ["X", "X", "Y", "Kremlin"],
    "kind": ["article", "article", "article", "readout"], "event": "call",
    "date": ["2021-12-13"] * 4, "text": ["a", "b", "c", "d"],
})


def test_with_documents_adds_outlet_event_and_kind_in_the_same_order() -> None:
    out = framing.with_documents(SENTS, DOCS)
    assert out["sent_id"].tolist() == SENTS["sent_id"].tolist()
    assert out.loc[out["doc_id"] == "y1", "outlet"].unique().tolist() == ["Y"]
    assert set(out["event"]) == {"call"} and "kind" in out.columns


# --------------------------------------------------------------------------- share and order


def test_outlet_sources_shares_and_order_worked_by_hand() -> None:
    t = framing.outlet_sources(SENTS, DOCS).set_index(["outlet", "source"])
    # the readout is not an outlet; headlines are left out
    assert set(t.index.get_level_values("outlet")) == {"X", "Y"}
    # X: body words 3 + 4 + 5 (x1) + 2 + 6 (x2) = 20
    assert t.loc[("X", K), "words"] == 10 and t.loc[("X", K), "word_share"] == pytest.approx(10 / 20)
    assert t.loc[("X", D), "words"] == 7 and t.loc[("X", D), "word_share"] == pytest.approx(7 / 20)
    assert t.loc[("X", N), "word_share"] == pytest.approx(3 / 20)
    assert t.loc[("X", K), "documents"] == 2 and t.loc[("X", N), "documents"] == 1
    assert t.loc[("X", K), "outlet_documents"] == 2 and t.loc[("Y", K), "outlet_documents"] == 1
    # first voice other than the narration: K in x1, D in x2; the narration opens x1 only
    assert t.loc[("X", K), "first_share"] == 0.5 and t.loc[("X", D), "first_share"] == 0.5
    assert t.loc[("X", N), "first_share"] == 0.5
    # K's first body sentence: 2nd of 3 in x1 (1/3), 2nd of 2 in x2 (1/2)
    assert t.loc[("X", K), "first_position"] == pytest.approx((1 / 3 + 1 / 2) / 2)
    assert t.loc[("X", D), "first_position"] == pytest.approx((2 / 3 + 0) / 2)
    # Y: 8 + 2 words; K opens y1
    assert t.loc[("Y", K), "word_share"] == pytest.approx(0.8) and t.loc[("Y", K), "first_share"] == 1.0
    assert t.groupby(level="outlet")["word_share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_outlet_sources_by_another_column() -> None:
    s = SENTS.assign(speaker=SENTS["source"].map({K: "Putin", D: "Johnson", N: None}))
    t = framing.outlet_sources(s, DOCS, by="speaker")
    assert set(t["speaker"]) == {"Putin", "Johnson"}


# --------------------------------------------------------------------------- syndicated copies

WIRE = [
    "Russian President Vladimir Putin told British Prime Minister Boris Johnson on Monday that talks on "
    "stopping NATO's eastward expansion must start immediately, the Kremlin said.",
    "Johnson, for his part, told Putin that any destabilising action against Ukraine would be a strategic "
    "mistake with significant consequences, according to a statement from Downing Street.",
    "The two accounts of the call, released within an hour of each other, barely overlapped.",
    "The Kremlin said Johnson had raised an alleged large-scale movement of Russian troops near Ukraine, and "
    "that Putin had answered with examples of Kyiv's efforts to undermine the Minsk agreements.",
    "Western officials say Russia has gathered around 100,000 troops near the Ukrainian border.",
    "The Kremlin said the leaders had also discussed Afghanistan and cooperation against the pandemic.",
]
OWN = [  # the same event written up separately, with the same quotation
    "Boris Johnson has warned Vladimir Putin that any Russian incursion into Ukraine would be a strategic "
    "mistake, Downing Street has said.",
    "In a phone call, the prime minister told the Russian president that Britain and its allies were deeply "
    "concerned about the build-up of forces on the border.",
    "The Kremlin's account of the call struck a very different tone, accusing Kyiv of undermining the "
    "Minsk agreements and pressing for talks on guarantees that NATO would not expand.",
    "A specialist at a London university said both sides were talking past each other.",
]


HERALD = [
    "Chinese officials called for restraint on all sides and said dialogue was the only way forward.",
    "Beijing has not commented on the build-up, a ministry spokesman said on Tuesday.",
]


def _doc(doc_id: str, outlet: str, date: str, title: str, paras: list[str], kind: str = "article") -> dict:
    return {"doc_id": doc_id, "outlet": outlet, "date": date, "title": title, "kind": kind,
            "text": "\n\n".join([title, *paras])}


def _copies() -> pd.DataFrame:
    edited = [p.replace("on Monday", "on Monday evening").replace("immediately", "at once") for p in WIRE]
    return pd.DataFrame([
        _doc("wire", "Wire", "2021-12-13", "Putin, Johnson trade warnings", WIRE),
        # a new headline, a byline, the last paragraph dropped, a few words changed
        _doc("copy1", "Sentinel", "2021-12-14", "PUTIN'S NATO DEMAND", ["By our wire staff", *edited[:-1]]),
        # a paragraph of the outlet's own added at the end
        _doc("copy2", "Ledger", "2021-12-14", "Putin and Johnson clash", [*WIRE, "Share this article."]),
        _doc("own", "Northbridge", "2021-12-13", "Johnson warns Putin", OWN),
        # reprints one of the wire's paragraphs, but is its own story
        _doc("other", "Herald", "2021-12-14", "Call on Ukraine", [WIRE[1], *HERALD]),
        _doc("readout", "Kremlin", "2021-12-13", "Telephone conversation", WIRE, kind="readout"),
    ])


def test_near_duplicates_are_one_story_and_separate_write_ups_are_not() -> None:
    t = syndicated(_copies()).set_index("doc_id")
    assert "readout" not in t.index  # an official account is carried, not copied
    assert t.loc["copy1", "story"] == t.loc["copy2", "story"] == "wire"
    assert t.loc["copy1", "duplicate_of"] == "wire" and t.loc["wire", "duplicate_of"] is None
    assert t.loc["wire", "copies"] == 3
    assert t.loc["copy1", "similarity"] >= THRESHOLD and t.loc["copy2", "similarity"] >= THRESHOLD
    for doc in ("own", "other"):
        assert t.loc[doc, "story"] == doc and t.loc[doc, "copies"] == 1
        assert math.isnan(t.loc[doc, "similarity"])


@pytest.mark.parametrize("doc", ["own", "other"])
def test_similarity_of_separate_write_ups_is_far_below_the_threshold(doc: str) -> None:
    # with threshold 0 the two are joined, and both rows give their similarity
    pair = syndicated(_copies().query("doc_id in ['wire', @doc]"), threshold=0.0)
    assert pair["copies"].tolist() == [2, 2]
    assert 0 < pair["similarity"].max() < THRESHOLD / 2


def test_the_earliest_copy_is_kept_and_dedupe_counts_a_story_once() -> None:
    docs = _copies()
    t = syndicated(docs)
    assert t.loc[t["story"] == "wire", "duplicate_of"].dropna().unique().tolist() == ["wire"]
    rows = []
    for _, d in docs.iterrows():
        for para in d["text"].split("\n\n"):
            rows.append((d["doc_id"], K if "Kremlin said" in para else N, para))
    s = _sentences(rows)
    kept = framing.with_documents(s, docs, dedupe=True)
    assert set(kept["doc_id"]) == {"wire", "own", "other", "readout"}
    once = framing.outlet_sources(s, docs, dedupe=True)
    assert set(once["outlet"]) == {"Wire", "Northbridge", "Herald"}
    every = framing.outlet_sources(s, docs)
    assert set(every["outlet"]) == {"Wire", "Sentinel", "Ledger", "Northbridge", "Herald"}


# --------------------------------------------------------------------------- stance across outlets


def _many(outlets: dict[str, list[float]]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One document per score, one Kremlin sentence each, per outlet."""
    rows, docs, st = [], [], []
    for outlet, scores in outlets.items():
        for i, score in enumerate(scores):
            doc = f"{outlet}{i}"
            docs.append({"doc_id": doc, "outlet": outlet, "kind": "article"})
            rows.append({"doc_id": doc, "sent_id": f"{doc}:1", "source": K, "text": "x", "is_title": False})
            st.append({"sent_id": f"{doc}:1", "target": "nato", "score": score})
    return pd.DataFrame(rows), pd.DataFrame(st), pd.DataFrame(docs)


def test_outlet_stance_flags_outlets_with_few_documents_and_draws_no_interval() -> None:
    s, st, d = _many({"X": [0.5] * 5, "Y": [0.1, 0.3]})
    t = framing.outlet_stance(s, st, d).set_index("outlet")
    assert t.loc["X", "mean"] == pytest.approx(0.5) and t.loc["Y", "mean"] == pytest.approx(0.2)
    assert not t.loc["X", "few_documents"] and t.loc["Y", "few_documents"]
    # five documents all scoring 0.5: every resample has mean 0.5
    assert (t.loc["X", "ci_low"], t.loc["X", "ci_high"]) == pytest.approx((0.5, 0.5))
    assert math.isnan(t.loc["Y", "ci_low"]) and "too few documents" in t.loc["Y", "note"]
    assert (t["resampled"] == ["documents", "documents"]).all()


def test_outlet_stance_interval_resamples_documents_not_sentences() -> None:
    # X: five documents scoring 0, 0, 0, 0, 1; a document-level interval spans what resampling five
    # documents can give (multiples of 0.2), never beyond 0 and 1
    s, st, d = _many({"X": [0, 0, 0, 0, 1.0]})
    r = framing.outlet_stance(s, st, d, n_boot=4000).iloc[0]
    assert r["mean"] == pytest.approx(0.2)
    assert r["ci_low"] == pytest.approx(0.0) and r["ci_high"] in (pytest.approx(0.6), pytest.approx(0.8))
    assert r["source"] == K and r["n_docs"] == 5


def test_outlet_stance_pooled_over_sources() -> None:
    t = framing.outlet_stance(SENTS, _scores(SENTS), DOCS, by=None, min_docs=1)
    assert "source" not in t.columns and set(t["outlet"]) == {"X", "Y"}
    x = SENTS[SENTS["doc_id"].isin(["x1", "x2"])]
    assert t.set_index("outlet").loc["X", "n"] == len(x)


def _scores(s: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"sent_id": s["sent_id"], "target": "nato", "score": np.linspace(-1, 1, len(s))})


def test_two_outlets_compared_resample_each_outlets_documents() -> None:
    s, st, d = _many({"X": [0.5] * 5, "Y": [-0.5] * 6})
    r = framing.outlet_difference(s, st, d, "X", "Y").iloc[0]
    assert r["difference"] == pytest.approx(1.0)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((1.0, 1.0))
    assert r["excludes_zero"] and not r["few_documents"] and (r["n_docs_a"], r["n_docs_b"]) == (5, 6)


def test_two_outlets_with_few_documents_are_flagged_not_concluded() -> None:
    s, st, d = _many({"X": [0.5] * 5, "Y": [-0.5] * 3})
    r = framing.outlet_difference(s, st, d, "X", "Y").iloc[0]
    assert r["few_documents"] and not r["excludes_zero"] and math.isnan(r["ci_low"])
    with pytest.raises(ValueError, match="Z"):
        framing.outlet_difference(s, st, d, "X", "Z")


# --------------------------------------------------------------------------- words, markers, accounts


def test_distinctive_words_of_one_outlet_against_all_the_others() -> None:
    s = framing.with_documents(SENTS, DOCS)
    s = s.assign(text=["regime regime talks", "a", "b", "c", "talks", "d", "e", "f", "talks talks", "g",
                       "h", "i"])
    rest = framing.distinctive_words(s, "X", None, by="outlet")
    merged = s.assign(outlet=s["outlet"].where(s["outlet"] == "X", "rest"))
    pair = framing.distinctive_words(merged, "X", "rest", by="outlet")
    assert rest["word"].tolist() == pair["word"].tolist()
    assert rest["z"].to_numpy() == pytest.approx(pair["z"].to_numpy())
    assert rest.attrs["b"] == "all others" and rest.iloc[0]["word"] == "regime"


def test_markers_by_outlet() -> None:
    s = framing.with_documents(SENTS, DOCS).assign(text=lambda x: x["text"].where(
        x["sent_id"] != "y1:2", "Kiev reportedly disagreed."))
    t = framing.marker_table(framing.find_markers(s), s, by="outlet").set_index(["outlet", "category"])
    assert t.loc[("Y", "naming"), "n"] == 1 and t.loc[("X", "naming"), "n"] == 0


def test_official_accounts_are_ranked_by_documents_then_sentences() -> None:
    assert framing.official_accounts(SENTS, DOCS) == [K, D]
    # two events: the accounts of one event only, by default the one whose articles carry accounts most
    wh = "White House readout"
    w = _sentences([("w1", N, "H"), ("w1", wh, "One."), ("w2", N, "H"), ("w2", wh, "Two.")])
    two = pd.concat([SENTS, w], ignore_index=True)
    docs = pd.concat([DOCS, pd.DataFrame({"doc_id": ["w1", "w2"], "outlet": "Z", "kind": "article",
                                          "event": "summit"})], ignore_index=True)
    assert framing.official_accounts(two, docs) == [K, D]  # 3 + 2 articles against 2
    assert framing.official_accounts(two, docs, event="summit") == [wh]
    only_d = SENTS[SENTS["source"] != K]
    assert framing.official_accounts(only_d, DOCS) == [D]
    assert framing.official_accounts(SENTS[SENTS["source"] == N]) == []


# --------------------------------------------------------------------------- the multi-outlet corpus


@pytest.fixture(scope="module")
def multi_docs() -> pd.DataFrame:
    if not (MULTI / "sources.csv").is_file():
        pytest.skip("the multi-outlet test corpus is not there")
    return framing.load_corpus(MULTI / "sources.csv")


def test_the_wire_story_of_the_multi_outlet_corpus_is_found_and_nothing_else(multi_docs) -> None:
    t = syndicated(multi_docs)
    stories = t[t["copies"] > 1]
    # the Meridian Wire story run by The Morning Ledger and The Daily Sentinel on 13 December 2021
    wire = {"morning-ledger-2021-12-13-wire-putin-johnson", "daily-sentinel-2021-12-13-wire-putin-johnson"}
    assert set(stories["doc_id"]) == wire and stories["story"].nunique() == 1
    assert stories["similarity"].min() >= THRESHOLD
    assert not set(t["doc_id"]) & set(multi_docs.loc[multi_docs["kind"] == "readout", "doc_id"])


def test_outlet_source_table_from_the_hand_labelled_sources_equals_the_one_worked_out_by_hand() -> None:
    if not (MULTI / "expected_outlet_source.csv").is_file():
        pytest.skip("the multi-outlet test corpus is not there")
    labels = pd.read_csv(MULTI / "labels.csv")
    sents = labels.rename(columns={"sentence": "text"}).assign(
        n=lambda x: x.groupby("doc_id").cumcount(), is_title=False)
    sents["sent_id"] = sents["doc_id"] + ":" + sents["n"].astype(str)
    docs = pd.read_csv(MULTI / "sources.csv")
    expected = pd.read_csv(MULTI / "expected_outlet_source.csv")
    got = framing.outlet_sources(sents, docs)[["outlet", "source", "sentences", "words", "word_share"]]
    got = got.assign(word_share=got["word_share"].round(4))
    key = ["outlet", "source"]
    pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True),
                                  expected.sort_values(key).reset_index(drop=True), check_dtype=False)


# --------------------------------------------------------------------------- the reports on three corpora

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))  # every report, 04_alignment included
ARTICLE = """Sanctions talks stall as ministers meet in Brussels

Ministers met in Brussels on Tuesday to discuss a new package of sanctions.

The Lithuanian foreign minister said the package "must include energy" and warned that delays cost lives.

Officials from two member states said privately that they would block any ban on gas imports this year.

The European Commission said a draft would be ready within weeks.
"""
NEW_TARGETS = """version: 1
targets:
  - id: sanctions
    name: Sanctions
    description: Economic sanctions on a state, their scope and their enforcement.
    favor: [Sanctions must be tightened., The sanctions package should include energy.]
    against: [Sanctions hurt ordinary people more than governments., The gas ban should be blocked.]
    hypotheses: {favor: This text supports sanctions., against: This text opposes sanctions.}
  - id: energy_transition
    name: Energy transition
    description: Moving energy supply away from fossil fuels.
    favor: [Gas imports must end.]
    against: [Gas remains essential this year.]
    hypotheses: {favor: This text supports ending fossil fuels., against: This text opposes ending them.}
"""


def _corpus(kind: str, folder: Path) -> dict[str, object]:
    if kind == "multi":
        return {"CORPUS": str(MULTI / "sources.csv"), "SOURCE_A": None, "SOURCE_B": None}
    if kind == "one document":
        (folder / "one.txt").write_text(ARTICLE, encoding="utf-8")
        return {"CORPUS": str(folder / "one.txt")}
    (folder / "targets.yaml").write_text(NEW_TARGETS, encoding="utf-8")
    return {"CORPUS": str(ROOT / "data" / "raw" / "sources.csv"), "TARGETS": str(folder / "targets.yaml")}


# the multi-outlet corpus is rendered once, with every notebook, in tests/test_multi_reports.py
@pytest.fixture(scope="module", params=["one document", "seed with new targets only"])
def rendered(request, tmp_path_factory) -> tuple[dict[str, object], list[Path]]:
    if request.param == "multi" and not (MULTI / "sources.csv").is_file():
        pytest.skip("the multi-outlet test corpus is not there")
    folder = tmp_path_factory.mktemp("reports")
    params = {**_corpus(request.param, folder), "FIGURES": str(folder / "figures")}
    reports = framing.render_reports(NOTEBOOKS, out_dir=folder / "out", parameters=params)
    return params, [r.html for r in reports]


@pytest.mark.slow
def test_every_report_runs_on_the_corpus_and_names_every_outlet(rendered) -> None:
    params, pages = rendered
    outlets = set(framing.load_corpus(params["CORPUS"])["outlet"].dropna().astype(str))
    assert len(pages) == len(NOTEBOOKS)
    for i, page in enumerate(pages):
        # the page's text and outputs, without its style sheets (whose comments name "Error" tokens)
        text = re.sub(r"<style.*?</style>", "", page.read_text(encoding="utf-8"), flags=re.S)
        assert "Traceback" not in text and "Error" not in text, page.name
        if i < 3:  # the corpus, scores and outlet reports name every outlet
            assert {o for o in outlets if html.escape(o) not in text} == set(), page.name
    comparison = pages[2].read_text(encoding="utf-8")
    assert "One article" not in comparison
    if "TARGETS" in params:
        quality = pages[1].read_text(encoding="utf-8")
        assert "Not measured" in quality and "sanctions" in quality
        assert "nato_expansion" not in quality  # never the default targets' figures


@pytest.mark.slow
def test_the_scores_report_shows_model_coder_agreement_on_an_imported_coded_sample(tmp_path) -> None:
    corpus = tmp_path / "one.txt"
    corpus.write_text(ARTICLE, encoding="utf-8")
    tables = framing.run_pipeline(corpus, write=True, folder=tmp_path / "tables")
    model = framing.model_codes(stance=tables.stance, frames=tables.frames)
    first = model[model["item"].str.startswith("stance:")].iloc[0]["item"]
    rows = model[model["item"] == first]
    ids = rows["sent_id"].tolist()
    # two coders, the layout `framing annotate import --codes` writes
    values = dict(zip(rows["sent_id"], rows["value"], strict=True))
    coded = pd.DataFrame([{"sent_id": s, "coder": c, "item": first, "value": values[s]}
                          for s in ids for c in ("coder_a", "coder_b")])
    coded.to_csv(tmp_path / "tables" / "coded.csv", index=False)
    (page,) = framing.render_reports([ROOT / "notebooks" / "02_scores.ipynb"], out_dir=tmp_path / "out",
                                     parameters={"CORPUS": str(corpus), "TABLES": str(tmp_path / "tables")})
    text = page.html.read_text(encoding="utf-8")
    assert "No coded sample of this corpus has been imported" not in text
    assert "coder_a vs model" in text and "coder_b vs model" in text
