"""Reports show a document's HTML, scripts and Markdown as text, and a failing notebook stops the build.

A document carrying a script tag, an image with an ``onerror`` handler and
Markdown is rendered through the project's corpus notebook. The HTML must show
the text escaped, and headless Chromium must find no trace of the document's
code having run. Each payload would mark the page (``data-pwned`` on the
body) if it ran; the attribute name is assembled at run time, so the escaped
text itself never contains it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from test_models import build_tiny

import framing

ROOT = Path(__file__).resolve().parents[1]
MARK = "data-pwned"
SCRIPT = "<script>window.__pwned=1;document.body.setAttribute('data-'+'pwned','script')</script>"
IMG = "<img src=x onerror=\"document.body.setAttribute('data-'+'pwned','img')\">"
MARKDOWN = "**not bold** and [a link](javascript:alert(1))"
DOCUMENT = f"""Talks resume {SCRIPT}

Putin told Macron the talks were vital {IMG}.

The Kremlin said the troops would stay. {MARKDOWN}

“We will not wait forever,” the Kremlin added.
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


def _need_chromium() -> str:
    found = _chromium()
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("headless Chromium is required under CI (.ci/run installs it)")
        pytest.skip("headless Chromium not installed (apt-get install chromium); the page was not loaded")
    return found


def dump_dom(page: Path, profile: Path) -> str:
    """The DOM of ``page`` after its scripts ran, from headless Chromium (network off)."""
    run = subprocess.run(
        [
            _need_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=3000",
            "--dump-dom", page.resolve().as_uri(),
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert "<body" in run.stdout, run.stderr[-2000:]
    return run.stdout


class _Live(HTMLParser):
    """Elements a document's text must never become: its script, its image, an onerror handler."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k for k, _ in attrs}
        if tag == "img" and dict(attrs).get("src") == "x":
            self.found.append("img src=x")
        if "onerror" in names:
            self.found.append(f"{tag} onerror")
        if tag == "a" and (dict(attrs).get("href") or "").startswith("javascript:"):
            self.found.append("javascript: link")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "pwned" in data:
            self.found.append("the document's script")


def live_elements(page: str) -> list[str]:
    parser = _Live()
    parser.feed(page)
    return parser.found


@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("unsafe")
    (tmp / "corpus").mkdir()
    (tmp / "corpus" / "hostile.txt").write_text(DOCUMENT, encoding="utf-8")
    model = build_tiny(tmp / "tiny")
    old = os.environ.get("FRAMING_CACHE")
    os.environ["FRAMING_CACHE"] = str(tmp / "cache")
    try:
        (report,) = framing.render_reports(
            [ROOT / "notebooks" / "01_corpus.ipynb"],
            out_dir=tmp / "out",
            parameters={"CORPUS": str(tmp / "corpus"), "MODEL": str(model)},
        )
    finally:
        if old is None:
            os.environ.pop("FRAMING_CACHE", None)
        else:
            os.environ["FRAMING_CACHE"] = old
    return report.html


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", []),
        ("<p><script>window.__pwned=1</script></p>", ["the document's script"]),
        ('<p><img src=x onerror="go()"></p>', ["img src=x", "img onerror"]),
        ('<a href="javascript:alert(1)">x</a>', ["javascript: link"]),
    ],
)
def test_live_element_finder(page: str, expected: list[str]) -> None:
    assert live_elements(page) == expected


@pytest.mark.slow
def test_corpus_report_shows_html_and_markdown_as_text(corpus_report: Path) -> None:
    page = corpus_report.read_text(encoding="utf-8")
    assert live_elements(page) == []
    assert "&lt;script&gt;window.__pwned=1;" in page  # the title, shown as text
    assert "&lt;img src=x onerror=" in page  # the sentence, shown as text
    assert "**not bold**" in page and "<strong>not bold</strong>" not in page
    assert MARK not in page


@pytest.mark.slow
def test_chromium_runs_no_script_from_the_document(corpus_report: Path, tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text(f"<html><body><p>control</p>{SCRIPT}{IMG}</body></html>", encoding="utf-8")
    assert MARK in dump_dom(control, tmp_path / "profile-control"), "Chromium did not run the control page"
    dom = dump_dom(corpus_report, tmp_path / "profile")
    assert "Talks resume" in dom
    assert MARK not in dom


# ---------------------------------------------------------------- failing notebooks


def _failing_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A report that fails"),
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("y = x + 1\nprint('first result', y)"),
        nbformat.v4.new_code_cell("raise RuntimeError('the data are missing')"),
        nbformat.v4.new_code_cell("print('never reached')"),
    ]
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_framing_reports_exits_non_zero_naming_notebook_and_cell(tmp_path: Path) -> None:
    nb = _failing_notebook(tmp_path / "broken.ipynb")
    cli = Path(sys.executable).with_name("framing")
    run = subprocess.run([str(cli), "reports", str(nb), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    message = run.stderr.strip().splitlines()[-1]
    assert "broken.ipynb failed in cell" in message and "RuntimeError: the data are missing" in message
    kept_path = tmp_path / "out" / "notebooks" / "broken.ipynb"
    assert str(kept_path) in message
    kept = nbformat.read(kept_path, as_version=4)
    code = [c for c in kept.cells if c.cell_type == "code"]
    # the cells that ran before the failure keep their outputs
    assert any("first result 2" in o.get("text", "") for o in code[-3].outputs)
    assert any(o.get("ename") == "RuntimeError" for o in code[-2].outputs)
    assert not (tmp_path / "out" / "broken.html").exists()
