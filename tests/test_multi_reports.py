"""`framing reports` on the multi-outlet test corpus, as a user runs it: every report, nothing outside --out.

One render of all the notebooks (`framing reports --corpus tests/data/multi/sources.csv --out DIR`)
is shared by the tests of this module, since it is the slowest thing the suite does.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from test_safety import dump_dom

import framing
from framing import cli

ROOT = Path(__file__).resolve().parents[1]
MULTI = ROOT / "tests" / "data" / "multi" / "sources.csv"
STEMS = [p.stem for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]


def _snapshot(*folders: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for f in folders if f.exists() for p in [f, *f.rglob("*")]}


def _text(page: str) -> str:
    """What a reader sees: the page without its style sheets, scripts and tags."""
    page = re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("multi")
    mp = pytest.MonkeyPatch()
    mp.setenv("FRAMING_CACHE", str(tmp / "cache"))
    derived = [ROOT / "data" / "processed", ROOT / "reports", ROOT / "notebooks"]
    before = _snapshot(*derived)
    out = tmp / "out"
    try:
        code = cli.main(["reports", "--corpus", str(MULTI), "--out", str(out)])
    finally:
        mp.undo()
    return {"code": code, "out": out, "before": before, "after": _snapshot(*derived), "tmp": tmp}


@pytest.mark.slow
def test_reports_exit_0_and_write_every_report_under_out(rendered: dict[str, object]) -> None:
    assert rendered["code"] == 0
    out = Path(str(rendered["out"]))
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"index.html", *(f"{s}.html" for s in STEMS), *(f"notebooks/{s}.ipynb" for s in STEMS),
            "processed/sentences.parquet", "processed/stance.parquet"} <= written  # fmt: skip
    assert {w.split("/")[0] for w in written} <= {"index.html", *(f"{s}.html" for s in STEMS), "notebooks",
                                                  "figures", "processed"}  # fmt: skip


@pytest.mark.slow
def test_nothing_is_written_outside_out_but_the_cache(rendered: dict[str, object]) -> None:
    assert rendered["after"] == rendered["before"]
    tmp = Path(str(rendered["tmp"]))
    assert {p.name for p in tmp.iterdir()} <= {"cache", "out", "profile"}  # profile: the browser's


@pytest.mark.slow
def test_every_page_names_every_outlet_and_shows_no_error(rendered: dict[str, object]) -> None:
    docs = framing.load_corpus(MULTI)
    outlets = set(docs.loc[docs["kind"] == "article", "outlet"].astype(str))
    out = Path(str(rendered["out"]))
    for stem in STEMS:
        text = _text((out / f"{stem}.html").read_text(encoding="utf-8"))
        assert "Traceback" not in text and "Error" not in text, stem
        assert "dtype:" not in text, f"{stem} prints a pandas object instead of a styled table"
        if stem != "04_alignment":  # the alignment report names the outlets of the articles it compares
            assert {o for o in outlets if o not in text} == set(), stem


@pytest.mark.slow
def test_the_outlet_view_loaded_in_chromium_shows_every_outlet(rendered: dict[str, object]) -> None:
    docs = framing.load_corpus(MULTI)
    outlets = set(docs.loc[docs["kind"] == "article", "outlet"].astype(str))
    out = Path(str(rendered["out"]))
    dom = dump_dom(out / "03_comparison.html", Path(str(rendered["tmp"])) / "profile")
    text = _text(dom)
    assert {o for o in outlets if o not in text} == set()
    assert "Traceback" not in text and "Error" not in text
    assert "One article" not in text


@pytest.mark.slow
def test_the_alignment_report_reports_each_event_with_its_readouts(rendered: dict[str, object]) -> None:
    docs = framing.load_corpus(MULTI)
    names = framing.event_summary(docs)["event"].tolist()
    assert len(names) >= 2
    text = _text((Path(str(rendered["out"])) / "04_alignment.html").read_text(encoding="utf-8"))
    assert "Traceback" not in text and "Error" not in text
    for name in names:
        assert text.count(f"Event {name}") >= 5, name  # a heading per event in each section
    for source in framing.accounts(docs)["source"]:
        assert source in text
    assert "readout in the corpus" in text and "as quoted in the articles" not in text
