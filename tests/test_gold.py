"""The seed's labelled sentences in data/gold and the check that guards them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "data" / "gold"


def _load_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gold_check", GOLD / "check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


check = _load_check()


def _row(rid: str, text: str, **labels: str) -> dict[str, str]:
    row = {"id": rid, "text": text, "nato_expansion": "none", "ukraine": "none", "russia": "none",
           "diplomacy": "none", "frame": "other", "genre": "news"}
    row.update(labels)
    return row


LOOSE = check.Rules("dev-", min_rows=1)


def test_the_gold_files_pass_the_check() -> None:
    found, files = check.check_all()
    assert found == []
    assert set(files) == {"seed"}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([_row("dev-1", "A.")], []),
        ([_row("dev-1", "A."), _row("dev-1", "B.")], ["id 'dev-1' repeats line 2"]),
        ([_row("dev-1", "Talks resumed."), _row("dev-2", "talks  resumed.")], ["text repeats line 2"]),
        ([_row("dev-1", "A.", russia="pro")], ["russia='pro'"]),
        ([_row("dev-1", "A.", frame="conflict")], ["frame 'conflict'"]),
        ([_row("dev-1", "A.", genre="blog")], ["genre 'blog'"]),
        ([_row("x-1", "A.")], ["should start with 'dev-'"]),
        ([_row("dev-1", " A.")], ["leading/trailing whitespace"]),
    ],
)
def test_row_problems_are_reported_with_their_line(rows: list[dict[str, str]], expected: list[str]) -> None:
    found = check.problems("dev", check.COLUMNS, rows, LOOSE)
    assert len(found) == len(expected)
    for message, part in zip(found, expected, strict=True):
        assert message.startswith("dev.csv:")
        assert part in message


def test_wrong_columns_are_reported() -> None:
    found = check.problems("dev", ["id", "text"], [], LOOSE)
    assert len(found) == 1 and "columns" in found[0]


@pytest.mark.parametrize(
    ("rules", "labels", "expected"),
    [
        (check.Rules("dev-", min_rows=4), {}, ["3 rows, expected 4"]),
        (check.Rules("dev-", min_rows=1, min_per_stance=1), {"ukraine": "favor"},
         ["nato_expansion has 0 favor", "nato_expansion has 0 against", "ukraine has 0 against",
          "russia has 0 favor", "russia has 0 against", "diplomacy has 0 favor", "diplomacy has 0 against"]),
        (check.Rules("dev-", min_rows=1, max_share=0.5), {"frame": "political"}, ["political is 100%"]),
    ],
)
def test_balance_rules_are_enforced(rules: object, labels: dict[str, str], expected: list[str]) -> None:
    rows = [_row(f"dev-{i}", f"Sentence {i}.", **labels) for i in range(3)]
    found = check.balance_problems("dev.csv", rows, rules)
    assert len(found) == len(expected)
    for message, part in zip(found, expected, strict=True):
        assert part in message


def test_every_frame_but_other_must_reach_the_minimum() -> None:
    rows = [_row(f"dev-{i}", f"S{i}.", frame=frame) for i, frame in enumerate(check.FRAMES)]
    assert check.balance_problems("dev.csv", rows, check.Rules("dev-", min_rows=1, min_per_frame=1)) == []
    found = check.balance_problems("dev.csv", rows[1:], check.Rules("dev-", min_rows=1, min_per_frame=1))
    assert found == ["dev.csv: frame economic has 0 rows, needs 1"]


def test_overlap_between_files_is_reported() -> None:
    files = {"dev": [_row("dev-1", "Talks resumed.")], "test": [_row("test-1", "Talks  RESUMED.")]}
    found = check.overlap_problems(files)
    assert len(found) == 1 and "dev.csv and test.csv share text" in found[0]


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Putin outlines Russian view on NATO expansion to British PM", True),
        ("Putin outlines Russian view on NATO expansion to British PM.", False),
        ("There's an urgent need for talks", False),  # straight apostrophe: the file has a curly one
    ],
)
def test_seed_texts_must_be_verbatim(text: str, ok: bool) -> None:
    raw = check.RAW_SEED.read_text(encoding="utf-8")
    assert (check.seed_problems([_row("seed-00", text)], raw) == []) is ok


def test_seed_covers_the_headline_and_nine_body_sentences() -> None:
    _, rows = check.read(GOLD / "seed.csv")
    assert [r["id"] for r in rows] == [f"seed-{i:02d}" for i in range(10)]
    assert rows[0]["text"] == "Putin outlines Russian view on NATO expansion to British PM"
    assert not any("Leave a Reply" in r["text"] for r in rows)
