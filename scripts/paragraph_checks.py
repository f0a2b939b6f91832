"""The default model on the real-register paragraphs (``data/labelled/paragraphs``), three checks.

The 44 paragraphs (229 sentences) are wire and newspaper copy written by a
writer who did not write the sentence corpus, for several outlets' slants,
labelled sentence by sentence and adjudicated; they are never trained on.

1. **No NATO stance without NATO.** Of the sentences that do not mention
   NATO (no "NATO", "North Atlantic" or "alliance"), the share given a
   ``nato_expansion`` label other than ``none``.
2. **Warnings, threats and sanctions are against their addressee.** Of the
   sentence–target pairs labelled ``against`` whose sentence warns,
   threatens, sanctions, condemns, accuses or demands (a word list, below),
   the share the model labels ``against``. Targets of the corpus codebook
   (``data/labelled/targets.yaml``).
3. **Outlets hostile to Moscow read as against Russia.** The paragraphs on
   the Russia–Ukraine event from the Western outlets (slants
   ``western_liberal``, ``western_conservative``, ``us_populist_tabloid``),
   each paragraph a document, through the reports' outlet view
   (:func:`framing.outlet_stance`, by outlet and pooled over them, a
   document-level bootstrap): the mean stance toward ``russia`` and its 95%
   interval.

Writes ``docs/model_comparison/paragraphs.json``.

Usage::

    .venv/bin/python scripts/paragraph_checks.py [--model NAME]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

import framing
from framing.quality.evaluation import evaluate
from framing.quality.labelled import labelled_folder

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "model_comparison" / "paragraphs.json"
PARAGRAPHS = labelled_folder() / "paragraphs" / "paragraphs_adjudicated.csv"
CODEBOOK = labelled_folder() / "targets.yaml"
NATO = re.compile(r"\bNATO\b|North Atlantic|\balliance\b", re.IGNORECASE)
CUES = re.compile(
    r"\b(warn\w*|threat\w*|sanction\w*|consequence\w*|condemn\w*|punish\w*|retaliat\w*|penalt\w*|"
    r"accus\w*|demand\w*|must|back down|price|response|respond)\b",
    re.IGNORECASE,
)
HOSTILE = ("western_liberal", "western_conservative", "us_populist_tabloid")


def load() -> pd.DataFrame:
    table = pd.read_csv(PARAGRAPHS, dtype=str, keep_default_na=False)
    return table.assign(id=table["paragraph_id"] + "-" + table["sentence_no"])


def checks_1_2(table: pd.DataFrame, model: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "paragraphs.csv"
        table.drop(columns=["note"]).to_csv(path, index=False)
        ev = evaluate(path, model=model, targets=CODEBOOK)
    st = ev.stance
    assert st is not None
    nato = st[(st["target"] == "nato_expansion") & ~st["text"].str.contains(NATO)]
    aimed = st[(st["gold"] == "against") & st["text"].str.contains(CUES)]
    return {
        "nato_stance_without_nato": {"share": round(float((nato["label"] != "none").mean()), 3),
                                     "sentences": int(len(nato)), "bar": "at most 0.05"},
        "warnings_against_addressee": {"share": round(float((aimed["label"] == "against").mean()), 3),
                                       "pairs": int(len(aimed)), "bar": "at least 0.80",
                                       "missed": aimed.loc[aimed["label"] != "against",
                                                           ["text", "target", "label"]].to_dict("records")},
        "stance_macro_f1": {r.target: round(float(r.value), 3) for r in ev.table.query(
            "task == 'stance' and metric == 'macro_f1'").itertuples()},
    }


def check_3(table: pd.DataFrame, model: str | None) -> dict[str, Any]:
    keep = (table["event"] == "russia_ukraine_nato") & table["slant"].isin(HOSTILE)
    part = table[keep].reset_index(drop=True)
    sentences = pd.DataFrame({"sent_id": part["id"], "doc_id": part["paragraph_id"], "text": part["text"],
                              "is_title": False})
    stance = framing.score_stance(sentences, targets=["russia"], model=model)
    out: dict[str, Any] = {"paragraphs": int(part["paragraph_id"].nunique()), "sentences": int(len(part))}
    for name, outlets in (("by_outlet", part["outlet"]), ("pooled", pd.Series("hostile to Moscow",
                                                                               index=part.index))):
        docs = pd.DataFrame({"doc_id": part["paragraph_id"], "outlet": outlets, "kind": "article"})
        docs = docs.drop_duplicates("doc_id")
        view = framing.outlet_stance(sentences, stance, docs, by=None, min_docs=2, min_n=1)
        out[name] = view[["outlet", "n", "n_docs", "mean", "ci_low", "ci_high"]].round(3).to_dict("records")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    table = load()
    result = {"model": args.model or "default", **checks_1_2(table, args.model),
              "outlets_hostile_to_moscow": check_3(table, args.model)}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "warnings_against_addressee"}, indent=2,
                     default=str))
    w = result["warnings_against_addressee"]
    print(f"warnings against their addressee: {w['share']} of {w['pairs']} pairs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
