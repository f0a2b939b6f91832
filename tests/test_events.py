"""Events and their official accounts: toy corpora with events, sources and alignments worked out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import framing
from framing.analysis import events as ev

ROOT = Path(__file__).resolve().parents[1]
MULTI = ROOT / "tests" / "data" / "multi" / "sources.csv"

# --------------------------------------------------------------------------- a toy encoder

TOPICS = ("climate", "troops", "minsk", "nato")


class KeywordEncoder:
    """A text's vector counts its topic words; a text without one is orthogonal to every text with one."""

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = []
        for t in texts:
            low = t.lower()
            v = [float(w in low) for w in TOPICS]
            rows.append([*v, 0.0 if any(v) else 1.0])
        m = np.array(rows)
        return m / np.linalg.norm(m, axis=1, keepdims=True)


ENC = KeywordEncoder()


def _docs(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["doc_id", "outlet", "kind", "event", "issuer", "date"])


def _sents(rows: list[tuple]) -> pd.DataFrame:
    s = pd.DataFrame(rows, columns=["doc_id", "sent_id", "text", "source"])
    s["is_title"] = False
    return s


# Two calls. Each has a Kremlin readout in the corpus; only the first has a No 10 readout. The same
# words occur in both events, so matching across events would find partners it must not find.
DOCS = _docs([
    ("k1", "kremlin.ru", "readout", "call 1", "Kremlin", "2021-12-13"),
    ("n1", "GOV.UK", "readout", "call 1", "No 10", "2021-12-13"),
    ("a1", "RT", "article", "call 1", "", "2021-12-13"),
    ("b1", "BBC", "article", "call 1", "", "2021-12-14"),
    ("k2", "kremlin.ru", "readout", "call 2", "Kremlin", "2022-02-01"),
    ("a2", "RT", "article", "call 2", "", "2022-02-01"),
])
SENTS = _sents([
    ("k1", "k1:1", "Putin raised NATO expansion.", "Kremlin readout"),
    ("k1", "k1:2", "Both sides discussed climate policy.", "narrator"),
    ("n1", "n1:1", "The Prime Minister raised troops at the border.", "narrator"),
    ("n1", "n1:2", "They agreed climate action is urgent.", "narrator"),
    ("a1", "a1:1", "The Kremlin said Putin raised NATO expansion.", "Kremlin readout"),
    ("a1", "a1:2", "No 10 said Johnson warned about troops.", "Downing Street readout"),
    ("a1", "a1:3", "It rained in Moscow.", "narrator"),
    ("b1", "b1:1", "Downing Street said climate was discussed.", "Downing Street readout"),
    ("k2", "k2:1", "Putin spoke about the Minsk agreements.", "narrator"),
    ("k2", "k2:2", "The leaders discussed climate and troops.", "narrator"),
    ("a2", "a2:1", "The Kremlin said the Minsk agreements were discussed.", "Kremlin readout"),
    ("a2", "a2:2", "Downing Street said troops were raised.", "Downing Street readout"),
])


# --------------------------------------------------------------------------- events


def test_documents_without_an_event_form_one_event() -> None:
    no_column = pd.DataFrame({"doc_id": ["a", "b"]})
    assert ev.document_events(no_column).tolist() == [ev.UNNAMED_EVENT] * 2
    mixed = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "event": ["x", None, " ", "x"]})
    assert ev.document_events(mixed).to_dict() == {"a": "x", "b": ev.UNNAMED_EVENT, "c": ev.UNNAMED_EVENT,
                                                   "d": "x"}


def test_event_summary_counts_documents_articles_accounts_and_outlets() -> None:
    t = framing.event_summary(DOCS).set_index("event")
    assert t.loc["call 1", ["documents", "articles", "official", "outlets"]].tolist() == [4, 2, 2, 2]
    assert t.loc["call 2", ["documents", "articles", "official", "outlets"]].tolist() == [2, 1, 1, 1]
    assert t.loc["call 1", ["first_date", "last_date"]].tolist() == ["2021-12-13", "2021-12-14"]


# --------------------------------------------------------------------------- issuers and sources


@pytest.mark.parametrize(
    ("issuer", "source"),
    [
        ("Kremlin", "Kremlin readout"),                      # the alias table, exactly
        ("the Kremlin", "Kremlin readout"),                  # a leading "the" aside
        ("no  10", "Downing Street readout"),                # case and spacing aside
        ("Prime Minister's Office, 10 Downing Street", "Downing Street readout"),  # an issuer inside the name
        ("NATO", "NATO readout"),                            # unknown: the rule
        ("Quai d’Orsay", "French Foreign Ministry readout"),  # curly apostrophe
        ("Acme readout", "Acme readout"),                    # already named as a source
    ],
)
def test_issuer_maps_to_the_source_it_is_compared_as(issuer: str, source: str) -> None:
    assert framing.issuer_source(issuer) == source


def test_extra_aliases_win_over_the_rule_and_the_shipped_table(tmp_path: Path) -> None:
    extra = tmp_path / "aliases.csv"
    extra.write_text("alias,speaker,source,kind\n"
                     "NATO,NATO,NATO statement,issuer\nKremlin,K,Moscow readout,issuer\n")
    assert framing.issuer_source("NATO", aliases=extra) == "NATO statement"
    assert framing.issuer_source("Kremlin", aliases=extra) == "Moscow readout"
    assert framing.issuer_source("Kremlin") == "Kremlin readout"


def test_issuer_defaults_to_the_outlet_then_the_doc_id_and_source_overrides() -> None:
    docs = pd.DataFrame({
        "doc_id": ["k", "n", "x", "art", "s"],
        "outlet": ["Kremlin", "GOV.UK", "", "RT", "Élysée"],
        "kind": ["readout", "Statement", "transcript", "article", "readout"],
        "issuer": [None, "Downing Street", "", "", ""],
        "source": ["", "", "", "", "Macron readout"],
    })
    got = framing.accounts(docs)
    assert got[["doc_id", "issuer", "source", "kind"]].values.tolist() == [
        ["k", "Kremlin", "Kremlin readout", "readout"],
        ["n", "Downing Street", "Downing Street readout", "statement"],
        ["x", "x", "x readout", "transcript"],
        ["s", "Élysée", "Macron readout", "readout"],
    ]
    assert set(got["event"]) == {ev.UNNAMED_EVENT} and set(got["origin"]) == {"corpus"}


def test_accounts_are_listed_per_event() -> None:
    got = framing.accounts(DOCS)
    assert got[["doc_id", "event", "source"]].values.tolist() == [
        ["k1", "call 1", "Kremlin readout"], ["n1", "call 1", "Downing Street readout"],
        ["k2", "call 2", "Kremlin readout"]]


def test_fetched_originals_go_to_their_event_or_the_events_of_their_date() -> None:
    fetched = pd.DataFrame({
        "doc_id": ["f_named", "f_day_before", "f_call2", "f_far", "f_undated"],
        "issuer": ["No 10"] * 5, "source": ["", "", "", "", "Élysée readout"],
        "event": ["call 2", "", "", "", ""],
        "date": ["", "2021-12-12", "2022-02-01", "2021-06-01", ""],
    })
    got = framing.accounts(DOCS, originals=fetched)
    got = got[got["origin"] == "fetched"]
    assert got[["doc_id", "event"]].values.tolist() == [
        ["f_named", "call 2"], ["f_day_before", "call 1"], ["f_call2", "call 2"],
        ["f_undated", "call 1"], ["f_undated", "call 2"]]
    assert got["source"].tolist() == ["Downing Street readout"] * 3 + ["Élysée readout"] * 2


# --------------------------------------------------------------------------- the accounts of an event


def test_readouts_in_the_corpus_are_the_originals_and_not_articles() -> None:
    acc = framing.event_accounts(SENTS, DOCS, "call 1")
    # the readout most credited in the event's articles first: No 10 twice, the Kremlin once
    assert acc.sources == ["Downing Street readout", "Kremlin readout"]
    assert acc.used[["source", "text_used", "doc_id", "sentences"]].values.tolist() == [
        ["Downing Street readout", ev.IN_CORPUS, "n1", 2], ["Kremlin readout", ev.IN_CORPUS, "k1", 2]]
    # the whole readout, not only the sentences attribution credited to its source
    assert acc.texts["Kremlin readout"]["sent_id"].tolist() == ["k1:1", "k1:2"]
    assert acc.articles["sent_id"].tolist() == ["a1:1", "a1:2", "a1:3", "b1:1"]
    assert list(acc.originals) == ["Downing Street readout", "Kremlin readout"] and acc.complete


def test_a_source_without_a_readout_is_taken_as_quoted_in_that_events_articles() -> None:
    acc = framing.event_accounts(SENTS, DOCS, "call 2")
    assert acc.sources == ["Kremlin readout", "Downing Street readout"]
    assert acc.used["text_used"].tolist() == [ev.IN_CORPUS, ev.AS_QUOTED]
    # call 1's articles credit Downing Street too, but only call 2's sentence is used
    assert acc.texts["Downing Street readout"]["sent_id"].tolist() == ["a2:2"]
    assert list(acc.originals) == ["Kremlin readout"]


def test_without_any_readout_both_accounts_are_as_quoted_most_credited_first() -> None:
    docs = DOCS[DOCS["kind"] == "article"].drop(columns="event")
    s = pd.concat([SENTS, _sents([("b1", "b1:2", "No 10 added a word on Minsk.", "Downing Street readout")])])
    acc = framing.event_accounts(s, docs)
    assert acc.event == ev.UNNAMED_EVENT
    assert acc.sources == ["Downing Street readout", "Kremlin readout"]  # 4 sentences against 2
    assert acc.used["text_used"].tolist() == [ev.AS_QUOTED] * 2
    assert acc.texts["Kremlin readout"]["sent_id"].tolist() == ["a1:1", "a2:1"]
    assert acc.originals == {}


def test_a_fetched_original_stands_in_for_a_missing_readout() -> None:
    fetched = pd.DataFrame({"doc_id": ["no10"], "issuer": ["10 Downing Street"], "source": [""],
                            "date": ["2022-02-01"], "title": ["PM call"],
                            "text": ["PM call\n\nThe Prime Minister raised troops. "
                                     "He mentioned the Minsk agreements."]})
    acc = framing.event_accounts(SENTS, DOCS, "call 2", originals=fetched)
    row = acc.used.set_index("source").loc["Downing Street readout"]
    assert (row["text_used"], row["doc_id"], row["sentences"]) == (ev.FETCHED, "no10", 2)
    # the readout in the corpus still wins where there is one
    acc1 = framing.event_accounts(SENTS, DOCS, "call 1", originals=fetched.assign(date=""))
    assert acc1.used.set_index("source").loc["Downing Street readout", "doc_id"] == "n1"


def test_given_sources_are_kept_and_absent_ones_replaced_with_a_note() -> None:
    acc = framing.event_accounts(SENTS, DOCS, "call 1", sources=["Kremlin readout", None])
    assert acc.sources == ["Kremlin readout", "Downing Street readout"] and acc.notes == []
    acc = framing.event_accounts(SENTS, DOCS, "call 2", sources=["White House readout", "Kremlin readout"])
    assert acc.sources == ["Downing Street readout", "Kremlin readout"]  # the Kremlin kept in its place
    assert len(acc.notes) == 1 and "White House readout" in acc.notes[0]


def test_two_documents_of_one_source_use_the_first_and_say_so() -> None:
    docs = pd.concat([DOCS, _docs([("k1b", "kremlin.ru", "transcript", "call 1", "Kremlin", "2021-12-13")])])
    acc = framing.event_accounts(SENTS, docs, "call 1")
    assert acc.used.set_index("source").loc["Kremlin readout", "doc_id"] == "k1"
    assert acc.notes == ["2 documents are compared as 'Kremlin readout'; the first, 'k1', is used"]


def test_an_event_must_be_named_when_there_are_several() -> None:
    with pytest.raises(ValueError, match="2 events"):
        framing.event_accounts(SENTS, DOCS)
    with pytest.raises(ValueError, match="no event 'call 3'"):
        framing.event_accounts(SENTS, DOCS, "call 3")


def test_an_event_with_one_account_is_not_complete() -> None:
    docs = DOCS[DOCS["doc_id"] == "k2"]
    acc = framing.event_accounts(SENTS[SENTS["doc_id"] == "k2"], docs)
    assert acc.sources == ["Kremlin readout"] and not acc.complete


# --------------------------------------------------------------------------- alignment and carriage per event


def test_alignment_never_pairs_sentences_across_events() -> None:
    t = framing.align_events(SENTS, DOCS, model=ENC, threshold=0.5)
    assert t["event"].unique().tolist() == ["call 1", "call 2"]
    doc_event = DOCS.set_index("doc_id")["event"]
    event_of = dict(zip(SENTS["sent_id"], SENTS["doc_id"].map(doc_event), strict=True))
    for row in t.itertuples():
        for partner in (row.counterpart_id or "").split("; "):
            assert event_of[partner] == row.event == event_of[row.claim_id]
    got = {(r.event, r.claim_id): (r.status, r.counterpart_id) for r in t.itertuples()}
    # call 1 (No 10 first, the more credited): the readouts share climate; troops and NATO are one-sided
    assert got[("call 1", "n1:2")] == ("shared", "k1:2")
    assert got[("call 1", "n1:1")][0] == "only_a" and got[("call 1", "k1:1")][0] == "only_b"
    # call 2: the Kremlin readout against No 10 as quoted in call 2's article (troops only)
    assert got[("call 2", "k2:2")] == ("shared", "a2:2")  # troops (and climate): cos 0.71
    assert got[("call 2", "k2:1")][0] == "only_a"
    assert t.loc[t["event"] == "call 2", "account"].tolist() == ["Kremlin readout"] * 2 + [
        "Downing Street readout"]


def test_events_without_two_accounts_are_skipped_and_listed() -> None:
    docs = DOCS[DOCS["doc_id"].isin(["k2"])]
    t = framing.align_events(SENTS, docs, model=ENC)
    assert t.empty and list(t.attrs["skipped"]) == ["call 2"]


def test_carriage_runs_per_article_of_the_event_against_its_originals_only() -> None:
    acc = framing.event_accounts(SENTS, DOCS, "call 1")
    quotes = pd.DataFrame({"quote_id": ["q1", "q2"], "doc_id": ["a1", "a2"], "sent_id": ["a1:1", "a2:1"],
                           "text": ["Putin raised NATO expansion", "the Minsk agreements"],
                           "source": ["Kremlin readout", "Kremlin readout"]})
    c = framing.event_carriage(acc, quotes, model=ENC, threshold=0.5)
    assert set(c.claims["doc_id"]) == {"a1", "b1"} and set(c.claims["event"]) == {"call 1"}
    status = c.claims.set_index(["source", "doc_id", "claim_id"])["status"]
    assert status[("Kremlin readout", "a1", "k1:1")] == "quoted"       # q1, word for word
    assert status[("Kremlin readout", "b1", "k1:2")] == "paraphrased"  # climate
    assert status[("Kremlin readout", "b1", "k1:1")] == "dropped"
    assert status[("Downing Street readout", "a1", "n1:1")] == "paraphrased"  # troops
    # call 2's quotation is never checked against call 1's readouts
    assert c.quotes[["quote_id", "doc_id", "fidelity"]].values.tolist() == [["q1", "a1", "exact"]]
    assert c.claims.loc[0, "outlet"] == "RT"


# the alignment report on the multi-outlet corpus: tests/test_multi_reports.py
