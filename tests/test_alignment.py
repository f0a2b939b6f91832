"""Aligning accounts, topic coverage and carriage: short accounts with alignments worked out by hand."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

import framing
from framing.analysis import alignment as align_module
from framing.analysis.alignment import _calibration, _matching

# --------------------------------------------------------------------------- global matching


@pytest.mark.parametrize(
    ("sim", "threshold", "mode", "expected"),
    [
        # greedy takes (0, 0) = 0.9 first and leaves row 1 unmatched; the assignment matches both
        ([[0.9, 0.8], [0.85, 0.1]], 0.5, "one_to_one", [(0, 1), (1, 0)]),
        # below the threshold nothing is matched
        ([[0.3, 0.2], [0.1, 0.35]], 0.5, "one_to_one", []),
        # rectangular: the second column has no partner left
        ([[0.7, 0.6]], 0.5, "one_to_one", [(0, 0)]),
        # one claim split over two sentences
        ([[0.9, 0.7], [0.2, 0.1]], 0.5, "one_to_many", [(0, 0), (0, 1)]),
        # one-to-many still gives each column to one row only, the better one
        ([[0.9, 0.6], [0.3, 0.8]], 0.5, "one_to_many", [(0, 0), (1, 1)]),
        ([], 0.5, "one_to_one", []),
    ],
)
def test_match_is_a_global_assignment_above_the_threshold(sim, threshold, mode, expected) -> None:
    arr = np.array(sim, dtype=float).reshape(len(sim), -1 if sim else 0)
    assert align_module.match(arr, threshold, mode=mode) == expected


def test_one_to_many_respects_the_number_of_matches() -> None:
    sim = np.array([[0.9, 0.8, 0.7]])
    assert align_module.match(sim, 0.5, mode="one_to_many", max_matches=2) == [(0, 0), (0, 1)]


# --------------------------------------------------------------------------- align with a toy encoder


@dataclass
class ToyEncoder:
    """Each text is a fixed unit vector, so similarities are known exactly."""

    vectors: dict[str, list[float]]

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = np.array([self.vectors[t] for t in texts], dtype=float)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


TOY = ToyEncoder({
    "climate": [1, 0, 0, 0], "COP26": [0.9, 0.436, 0, 0],           # cos = 0.90
    "troops": [0, 1, 0, 0], "forces": [0, 0.8, 0.6, 0],             # cos = 0.80
    "minsk": [0, 0, 1, 0], "salisbury": [0, 0, 0, 1],
})


def test_align_marks_shared_and_one_sided_claims() -> None:
    t = framing.align(["climate", "troops", "minsk"], ["forces", "COP26", "salisbury"],
                      model=TOY, threshold=0.5)
    assert list(t.columns) == align_module.COLUMNS
    got = {(r.side, r.claim_id): (r.status, r.counterpart_id) for r in t.itertuples()}
    assert got[("a", "a1")] == ("shared", "b2")
    assert got[("a", "a2")] == ("shared", "b1")
    assert got[("a", "a3")][0] == "only_a"
    assert got[("b", "b3")][0] == "only_b"
    assert t.set_index(["side", "claim_id"]).loc[("a", "a1"), "similarity"] == pytest.approx(0.9, abs=1e-3)
    # an unmatched claim still shows its nearest counterpart: minsk is nearest to forces (0.6)
    assert t.set_index(["side", "claim_id"]).loc[("a", "a3"), "counterpart_id"] == "b1"


def test_align_takes_sentence_tables_and_keeps_their_ids() -> None:
    a = pd.DataFrame({"sent_id": ["d:0001", "d:0002"], "text": ["climate", "troops"]})
    t = framing.align(a, ["troops"], model=TOY, threshold=0.5)
    assert t["claim_id"].tolist() == ["d:0001", "d:0002", "b1"]
    assert t["status"].tolist() == ["only_a", "shared", "shared"]


def test_align_one_to_many_lists_every_counterpart() -> None:
    t = framing.align(["troops"], ["forces", "troops", "salisbury"], model=TOY, threshold=0.5,
                      mode="one_to_many")
    row = t.iloc[0]
    assert row["status"] == "shared" and row["counterpart_id"] == "b2; b1"
    assert t["status"].tolist() == ["shared", "shared", "shared", "only_b"]


def test_align_with_an_empty_side() -> None:
    t = framing.align(["climate"], [], model=TOY, threshold=0.5)
    assert t["status"].tolist() == ["only_a"] and t["counterpart_id"].isna().all()


def test_framing_align_is_the_function_after_importing_the_module() -> None:
    import framing.analysis.alignment  # noqa: F401

    t = framing.align(["climate"], ["COP26"], model=TOY, threshold=0.5)
    assert t["status"].tolist() == ["shared"] * 2


# --------------------------------------------------------------------------- NLI relations


@dataclass
class ToyNLI:
    """Fixed logits per (premise, hypothesis), label ids as in most MNLI models."""

    logits: dict[tuple[str, str], list[float]]
    entailment_id: int = 0
    contradiction_id: int = 2
    model: Any = field(default_factory=lambda: SimpleNamespace(
        config=SimpleNamespace(id2label={0: "entailment", 1: "neutral", 2: "contradiction"})))

    def entail(self, premises: list[str], hypotheses: list[str]) -> np.ndarray:
        out = []
        for p, h in zip(premises, hypotheses, strict=True):
            z = np.array(self.logits[(p, h)])[[self.entailment_id, self.contradiction_id]]
            out.append(np.exp(z[0]) / np.exp(z).sum())
        return np.array(out)


def test_relations_come_from_the_full_three_way_softmax() -> None:
    nli = ToyNLI({
        ("climate", "COP26"): [3, 0, -1], ("COP26", "climate"): [2, 0, -1],        # entails
        ("troops", "forces"): [-2, 0, 3], ("forces", "troops"): [-1, 0, 2],        # contradicts
        # entailment beats contradiction, yet neutral is the most likely: only three-way softmax sees it
        ("minsk", "salisbury"): [1, 4, 0], ("salisbury", "minsk"): [1, 4, 0],
    })
    toy = ToyEncoder({**TOY.vectors, "salisbury": [0, 0, 1, 0]})
    t = framing.align(["climate", "troops", "minsk"], ["COP26", "forces", "salisbury"],
                      model=toy, threshold=0.5, nli=nli)
    assert t.set_index(["side", "claim_id"])["relation"].to_dict() == {
        ("a", "a1"): "entails", ("a", "a2"): "contradicts", ("a", "a3"): "neutral",
        ("b", "b1"): "entails", ("b", "b2"): "contradicts", ("b", "b3"): "neutral",
    }


def test_no_relation_column_without_nli() -> None:
    assert "relation" not in framing.align(["climate"], ["COP26"], model=TOY, threshold=0.5).columns


# --------------------------------------------------------------------------- loaded models only


@pytest.mark.parametrize("model", [None, "default", "sentence-transformers/all-MiniLM-L6-v2", Path("m/x")])
def test_a_model_name_path_or_none_is_refused_with_what_to_pass(model) -> None:
    with pytest.raises(TypeError, match=r"model=framing\.load_model\(\.\.\.\)"):
        framing.align(["climate"], ["COP26"], model=model, threshold=0.5)
    with pytest.raises(TypeError, match=r"load_model"):
        framing.topic_coverage({"A": ["climate"]}, model=model)
    with pytest.raises(TypeError, match=r"load_model"):
        framing.carriage(["climate"], ["COP26"], model=model)


def test_an_nli_name_is_refused_and_an_nli_model_is_not_an_encoder() -> None:
    with pytest.raises(TypeError, match=r"nli=framing\.load_model\(\.\.\.\)"):
        framing.align(["climate"], ["COP26"], model=TOY, threshold=0.5, nli="some/nli-model")
    with pytest.raises(TypeError, match="NLI model"):
        framing.align(["climate"], ["COP26"], model=ToyNLI({}), threshold=0.5)


def test_analysis_and_plots_import_no_model_code() -> None:
    code = (
        "import sys, framing.analysis, framing.plots\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('framing.scoring', 'framing.report',"
        " 'framing.cli', 'torch', 'transformers')))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    only_plots = (
        "import sys, framing.plots\n"
        "bad = sorted(m for m in sys.modules if m.startswith('framing.') and m != 'framing.plots')\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", only_plots], check=True)


# --------------------------------------------------------------------------- calibration


def test_best_threshold_takes_the_median_of_ties() -> None:
    assert _calibration._best_threshold({0.3: 0.5, 0.4: 1.0, 0.5: 1.0, 0.6: 1.0, 0.7: 0.2}) == 0.5


def test_calibration_finds_the_gap_between_matching_and_other_pairs() -> None:
    pairs = pd.DataFrame({
        "pair_id": "p", "side": ["a", "a", "b", "b"], "claim_id": ["a1", "a2", "b1", "b2"],
        "text": ["climate", "minsk", "COP26", "salisbury"], "counterparts": ["b1", "", "a1", ""],
    })
    # labelled pair at 0.90, the best unlabelled one at 0.436 (minsk-COP26 is 0): F1 = 1 from 0.44 to 0.90
    thr = framing.calibrate_threshold(pairs, model=TOY, grid=np.round(np.arange(0.2, 0.951, 0.01), 2))
    assert 0.44 <= thr <= 0.90
    scores = framing.evaluate_alignment(pairs, model=TOY, threshold=thr)
    assert (scores["precision"], scores["recall"]) == (1.0, 1.0)


def test_labelled_pairs_name_a_bad_counterpart_by_row(tmp_path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text("pair_id,side,claim_id,text,counterparts\np,a,a1,x,b9\np,b,b1,y,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"data row 1: counterpart 'b9'"):
        align_module.load_pairs(path)


def test_calibration_and_evaluation_sets_are_kept_apart(project_paths) -> None:
    gold = project_paths.root / "data" / "gold" / "alignment"
    cal = align_module.load_pairs(gold / "calibration.csv")
    ev = align_module.load_pairs(gold / "evaluation.csv")
    assert not set(cal["pair_id"]) & set(ev["pair_id"])
    assert not set(cal["text"]) & set(ev["text"])
    seed = (project_paths.raw / "rt-2021-12-13-putin-johnson-call.txt").read_text("utf-8")
    assert not any(t in seed for t in pd.concat([cal["text"], ev["text"]]))


def test_the_stored_threshold_is_a_number_in_range() -> None:
    assert 0.2 <= align_module.default_threshold() <= 0.95


# --------------------------------------------------------------------------- spelling and quotation fidelity


@pytest.mark.parametrize(
    ("british", "american"),
    [("emphasised", "emphasized"), ("destabilising", "destabilizing"), ("organisation", "organization"),
     ("analysed", "analyzed"), ("behaviour", "behavior"), ("favourable", "favorable"),
     ("travelled", "traveled"), ("cancelling", "canceling"), ("defence", "defense"), ("centre", "center"),
     ("programme", "program"), ("Emphasised", "emphasized")],
)
def test_spelling_variants_share_one_form(british: str, american: str) -> None:
    assert framing.normalise_spelling(british) == framing.normalise_spelling(american)


@pytest.mark.parametrize(("a", "b"), [("four", "for"), ("your", "yor"), ("called", "caled"), ("rise", "rose"),
                                      ("prise", "prize")])
def test_different_words_stay_different(a: str, b: str) -> None:
    assert framing.normalise_spelling(a) != framing.normalise_spelling(b)


READOUT = [
    "The Prime Minister emphasised the UK's commitment to Ukraine's territorial integrity and sovereignty.",
    "He warned that any destabilising action would be a strategic mistake that would have significant "
    "consequences.",
    "The leaders agreed to stay in close contact.",
]


@pytest.mark.parametrize(
    ("quote", "fidelity", "claim", "edit", "spelling"),
    [
        # spelling, case and the punctuation inside the quotation marks are not edits
        ("emphasized the UK’s commitment to Ukraine’s territorial integrity and sovereignty,", "exact", 0, "",
         "emphasised/emphasized"),
        ("Any destabilizing action would be a strategic mistake", "exact", 1, "",
         "destabilising/destabilizing"),
        # one word replaced in a ten-word quotation: ratio 0.9
        ("any destabilising action would be a strategic error that would have", "near", 1,
         "[-mistake-]{+error+}", ""),
        # the first word replaced: the source wording keeps the replaced word rather than leaving it out
        ("stressed the UK's commitment to Ukraine's territorial integrity and sovereignty", "near", 0,
         "[-emphasised-]{+stressed+}", ""),
        # one word dropped
        ("would be a strategic mistake that would have significant consequences", "exact", 1, "", ""),
        ("would be a mistake that would have significant consequences", "near", 1, "[-strategic-]", ""),
        ("the leaders agreed to remain in touch", "reworded", 2, "", ""),
    ],
)
def test_quote_fidelity(quote: str, fidelity: str, claim: int, edit: str, spelling: str) -> None:
    got = framing.quote_fidelity(quote, READOUT)
    assert got["fidelity"] == fidelity
    assert got["source_index"] == claim
    assert got["edit"] == edit
    assert got["spelling"] == spelling


def test_a_quote_with_no_word_in_common_has_no_source() -> None:
    got = framing.quote_fidelity("immediately", READOUT)
    assert got["fidelity"] == "reworded" and got["source_index"] is None and got["source_wording"] == ""


# --------------------------------------------------------------------------- with the embedded encoder

A_ACCOUNT = [
    "Both leaders welcomed the outcome of the climate summit in Glasgow.",        # shared with b2
    "The President set out Russia's demand for guarantees that NATO will not expand eastward.",  # shared b1
    "The two leaders discussed the situation in Afghanistan.",                    # only in a
]
B_ACCOUNT = [
    "Putin insisted on legal guarantees ruling out further eastward expansion of NATO.",
    "The leaders praised the results of the COP26 conference in Glasgow.",
    "The Prime Minister raised the poisoning of Alexei Navalny.",                 # only in b
]


@pytest.fixture(scope="module")
def encoder() -> Any:
    """The embedded encoder, loaded once for this module."""
    return framing.load_model()


def test_embedded_encoder_aligns_hand_written_accounts(encoder) -> None:
    t = framing.align(A_ACCOUNT, B_ACCOUNT, model=encoder)
    got = {(r.side, r.claim_id): (r.status, r.counterpart_id if r.status == "shared" else None)
           for r in t.itertuples()}
    assert got == {
        ("a", "a1"): ("shared", "b2"), ("a", "a2"): ("shared", "b1"), ("a", "a3"): ("only_a", None),
        ("b", "b1"): ("shared", "a2"), ("b", "b2"): ("shared", "a1"), ("b", "b3"): ("only_b", None),
    }


ARTICLE = pd.DataFrame({
    "sent_id": ["s1", "s2", "s3", "s4"],
    "text": [
        "Johnson spoke to Putin by telephone on Monday.",
        "The British PM “emphasized the UK’s commitment to Ukraine’s territorial integrity and "
        "sovereignty,” Downing Street said.",
        "He warned Moscow that destabilising moves would be a “strategic error.”",
        "Gas prices rose again on Monday.",
    ],
})
ARTICLE_QUOTES = pd.DataFrame({
    "quote_id": ["q1", "q2"],
    "sent_id": ["s2", "s3"],
    "text": ["emphasized the UK’s commitment to Ukraine’s territorial integrity and sovereignty,",
             "strategic error."],
    "source": ["Downing Street readout", "Downing Street readout"],
})


def test_carriage_quoted_paraphrased_dropped(encoder) -> None:
    c = framing.carriage(READOUT, ARTICLE, ARTICLE_QUOTES, source="Downing Street readout", model=encoder)
    claims = c.claims.set_index("claim_id")
    assert claims["status"].to_dict() == {"r1": "quoted", "r2": "paraphrased", "r3": "dropped"}
    assert "s2" in claims.loc["r1", "article_ids"] and claims.loc["r1", "quote_ids"] == "q1"
    quotes = c.quotes.set_index("quote_id")
    assert quotes.loc["q1", "fidelity"] == "exact" and quotes.loc["q1", "spelling"] == "emphasised/emphasized"
    assert quotes.loc["q2", "fidelity"] == "reworded" and quotes.loc["q2", "claim_id"] == "r2"
    assert c.summary().to_dict() == {"quoted": 1, "paraphrased": 1, "dropped": 1}


def test_carriage_checks_only_the_named_source(encoder) -> None:
    quotes = ARTICLE_QUOTES.assign(source=["Downing Street readout", "Kremlin readout"])
    c = framing.carriage(READOUT, ARTICLE, quotes, source="Downing Street readout", model=encoder)
    assert c.quotes["quote_id"].tolist() == ["q1"]


def test_topic_coverage_side_by_side_and_figure(encoder) -> None:
    cov = framing.topic_coverage({
        "Kremlin": ["Kiev is sabotaging the Minsk agreements.",
                    "NATO must give guarantees that it will not expand further east."],
        "London": ["The Prime Minister welcomed the progress made at COP26 on forests.",
                   "Any destabilising action would be met with severe economic sanctions."],
    }, model=encoder)
    mentioned = cov.pivot(index="topic", columns="account", values="mentioned")
    assert mentioned.loc[["minsk", "nato"], "Kremlin"].all()
    assert not mentioned.loc[["minsk", "nato"], "London"].any()
    assert mentioned.loc[["climate", "sanctions"], "London"].all()
    assert not mentioned.loc[["climate", "sanctions"], "Kremlin"].any()
    wide = framing.coverage_table(cov)
    assert list(wide.columns) == ["Kremlin", "London"] and "Minsk agreements" in wide.index
    fig, ax = framing.topic_coverage_chart(wide)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Kremlin", "London"]
    assert len(ax.get_yticklabels()) == len(align_module.load_topics())


def test_topic_coverage_chart_draws_the_side_by_side_table_only() -> None:
    cov = pd.DataFrame({"account": ["A", "B"], "topic": "nato", "name": "NATO", "n_sentences": [2, 0],
                        "mentioned": [True, False]})
    _, ax = framing.topic_coverage_chart(framing.coverage_table(cov))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["NATO"]
    with pytest.raises(ValueError, match=r"framing\.coverage_table"):
        framing.topic_coverage_chart(cov)


def test_topic_codebook_has_the_seven_topics() -> None:
    topics = align_module.load_topics()
    expected = {"climate", "minsk", "troops", "nato", "sovereignty", "sanctions", "dialogue"}
    assert set(topics["topic"]) == expected
    assert all(len(ex) >= 2 for ex in topics["examples"])
    assert 0.2 <= topics.attrs["threshold"] <= 0.95


def test_relations_match_the_nli_models_own_softmax(tmp_path) -> None:
    """With a real (tiny, random) NLI model: the recovered three-way probabilities are the model's."""
    import torch
    from test_models import NLI_LABELS, build_tiny

    nli = framing.load_model(build_tiny(tmp_path / "nli", id2label=NLI_LABELS, seed=3))
    pairs = [("nato must stop", "nato should stop"), ("the sky", "the sky is blue"),
             ("russia", "ukraine must not join nato"), ("stop", "the cat")]
    probs = _matching._nli_probs(nli, [p for p, _ in pairs], [h for _, h in pairs])

    def own(prem: list[str], hyp: list[str]) -> np.ndarray:
        batch = nli.tokenizer(prem, hyp, padding=True, return_tensors="pt")
        with torch.inference_mode():
            return torch.softmax(nli.model(**batch).logits.float(), dim=1).numpy()

    forward = own([p for p, _ in pairs], [h for _, h in pairs])
    backward = own([h for _, h in pairs], [p for p, _ in pairs])
    np.testing.assert_allclose(probs, (forward + backward) / 2, atol=1e-4)
