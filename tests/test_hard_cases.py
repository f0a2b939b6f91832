"""The shipped model on hard cases: warnings and sanctions against their addressee, conditional threats
of force against diplomacy, calls for talks, mere mentions, NATO's enlargement and denials
(``tests/data/hard_cases.csv``, labelled twice; see ``hard_cases.md``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import framing

CASES = pd.read_csv(Path(__file__).parent / "data" / "hard_cases.csv", dtype=str)
#: what the shipped model gets wrong today: strict expected failures, so a fix shows as well as a regression
KNOWN_ERRORS = {
    "s03": "a condemnation of Russia's recognition of the breakaway regions reads as favour",
    "m06": "a question about sanctions reads as against Russia",
    "r01": "the Kremlin's denial reads as against Russia, not as its own defence",
}


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    mp = pytest.MonkeyPatch()
    mp.setenv("FRAMING_CACHE", str(tmp_path_factory.mktemp("cache")))
    mp.delenv("FRAMING_MODEL", raising=False)
    try:
        st = framing.score_stance(CASES["text"].tolist(), cache=False)
    finally:
        mp.undo()
    return st.set_index(["sent_id", "target"])


def test_the_cases_cover_each_family_with_both_directions() -> None:
    assert len(CASES) >= 30 and CASES["id"].is_unique
    counts = CASES["family"].value_counts()
    assert counts["warning"] >= 8 and counts["conditional_force"] >= 6
    assert set(CASES["label"]) == {"favor", "against", "none"}
    assert set(KNOWN_ERRORS) <= set(CASES["id"])


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(r, id=r.id, marks=pytest.mark.xfail(strict=True, reason=KNOWN_ERRORS[r.id]))
        if r.id in KNOWN_ERRORS
        else pytest.param(r, id=r.id)
        for r in CASES.itertuples()
    ],
)
def test_the_shipped_model_labels_the_hard_case(scored: pd.DataFrame, case: object) -> None:
    row = scored.loc[(CASES.index[CASES["id"] == case.id][0], case.target)]  # type: ignore[attr-defined]
    assert row["label"] == case.label, (case.text, row[["favor", "against", "none"]].round(2).to_dict())  # type: ignore[attr-defined]
