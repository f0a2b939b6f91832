"""The labelled who-says-what sets are products: their labels follow the guide's shape, every
labelled sentence is in its document, both independent passes are kept, and the scripts that
score them and measure their agreement compute what they say.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

import framing

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SETS = sorted(p.parent.name for p in DATA.glob("*/labels_pass2.csv"))


def _script(name: str):  # noqa: ANN202 - a module
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_the_double_coded_sets_are_all_here() -> None:
    assert {"multi_heldout", "wire_heldout", "readouts_heldout", "wire_heldout2"} <= set(SETS)


@pytest.mark.parametrize("name", SETS)
def test_a_labelled_set_follows_the_guide(name: str) -> None:
    folder = DATA / name
    labels = pd.read_csv(folder / "labels.csv", keep_default_na=False, dtype=str)
    assert list(labels.columns) == ["doc_id", "sentence", "source", "speaker", "clutter"]
    assert (labels["source"].str.strip() != "").all()
    assert ((labels["source"] == "narrator") == (labels["speaker"] == "")).all()
    assert set(labels["clutter"]) <= {"yes", ""}
    assert "?" not in set(labels["source"])
    manifest = pd.read_csv(folder / "sources.csv", keep_default_na=False, dtype=str)
    assert set(labels["doc_id"]) == set(manifest["doc_id"])
    for p in ("labels_pass1.csv", "labels_pass2.csv"):  # both passes label the same rows
        other = pd.read_csv(folder / p, keep_default_na=False, dtype=str)
        assert other[["doc_id", "sentence"]].values.tolist() == labels[["doc_id", "sentence"]].values.tolist()
    assert (folder / "agreement.md").is_file() and (folder / "README.md").is_file()


@pytest.mark.parametrize("name", SETS)
def test_every_labelled_sentence_is_in_its_loaded_document_in_order(name: str) -> None:
    accuracy = _script("attribution_accuracy")
    folder = DATA / name
    labels = pd.read_csv(folder / "labels.csv", keep_default_na=False, dtype=str)
    docs = framing.load_corpus(folder / "sources.csv")
    raw = {r.doc_id: (folder / r.path).read_text(encoding="utf-8")
           for r in pd.read_csv(folder / "sources.csv", dtype=str).itertuples()}
    for doc_id, rows in labels.groupby("doc_id", sort=False):
        text = str(docs.loc[docs["doc_id"] == doc_id, "text"].iloc[0])
        pos = 0
        for r in rows.itertuples():
            at = accuracy._find(text, r.sentence, pos)
            if at is None:  # dropped by the loader: page clutter, or markup of an HTML page
                assert r.clutter == "yes" or "<" in raw[doc_id], r.sentence
                continue
            pos = at + 1


def _tiny_corpus(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text(
        "Putin and Macron speak\n\nBy Jane Doe\n\n"
        "Putin told Macron the talks were vital, the Kremlin said.\n\n"
        "The weather was cold.\n", encoding="utf-8")
    (tmp_path / "sources.csv").write_text(
        "doc_id,path,title,outlet,date,url,kind,event,issuer\n"
        "a,a.txt,Putin and Macron speak,Daily,2022-02-20,https://example.org/a,article,e,\n",
        encoding="utf-8")
    pd.DataFrame({
        "doc_id": ["a"] * 3,
        "sentence": ["By Jane Doe", "Putin told Macron the talks were vital, the Kremlin said.",
                     "The weather was cold."],
        "source": ["narrator", "Kremlin readout", "Élysée readout"],  # the last one is wrong on purpose
        "speaker": ["", "Vladimir Putin", "Élysée"],
        "clutter": ["yes", "", ""],
    }).to_csv(tmp_path / "labels.csv", index=False)
    return tmp_path


def test_the_accuracy_script_scores_dropped_clutter_as_narration(tmp_path: Path) -> None:
    accuracy = _script("attribution_accuracy")
    table = accuracy.compare_corpus(_tiny_corpus(tmp_path))
    assert table["located"].tolist() == [False, True, True]  # the byline was dropped by the loader
    assert table["got_source"].tolist() == ["narrator", "Kremlin readout", "narrator"]
    assert accuracy.accuracy(table, ("source", "speaker")) == {"source": 2 / 3, "speaker": 2 / 3}


def test_the_agreement_script_reports_krippendorffs_alpha(tmp_path: Path) -> None:
    agreement = _script("attribution_agreement")
    first = pd.DataFrame({"doc_id": ["d"] * 4, "sentence": list("abcd"),
                          "source": ["x", "y", "x", "narrator"], "speaker": ["x", "y", "x", ""]})
    same = agreement.agreement(first, first.copy())
    assert same.set_index("field").loc["source", "alpha"] == pytest.approx(1.0)
    second = first.assign(source=["x", "y", "y", "narrator"])
    row = agreement.agreement(first, second).set_index("field").loc["source"]
    assert row["agreement"] == pytest.approx(0.75)
    assert row["alpha"] < 1.0
    with pytest.raises(ValueError, match="same rows"):
        agreement.agreement(first, first.iloc[:2])
