"""framing.loading's shared helpers: quotation spans, the manifest table, file hashes, the package's walls."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

import framing
from framing import loading
from framing._io import sha256_bytes, sha256_file
from framing.loading import manifest_table, quote_spans

# --------------------------------------------------------------------------- quotation spans

PARAGRAPH = [
    ("He called it “a mistake”.", ["a mistake"]),
    ('He called it "a mistake".', ["a mistake"]),
    ("He said it was «inacceptable».", ["inacceptable"]),
    ("He called it ‘a mistake’, and NATO’s reply ‘weak’.", ["a mistake", "weak"]),
    ("There’s no quotation in NATO’s statement.", []),
    ("He said: “We will wait.", ["We will wait."]),  # open at the end: quoted to the end
    ("“a “b” c", ["a “b"]),  # the first opening mark wins
    ("“ ” and “x”", ["x"]),  # blank quotations are dropped
    ('a 5" gap', []),  # a straight quote after a digit opens nothing
]

SENTENCE = [
    ("He called it “a mistake”.", ["“a mistake”"]),
    ("But not at any price,” Blinken said.", ["But not at any price,”"]),  # opened in an earlier sentence
    ("He said: “We will wait.", ["“We will wait."]),
    ("“a “b” c", ["“b”"]),  # curly pairs cannot contain an opening mark
    ("He said it was «inacceptable».", []),  # guillemets are normalised away by load_corpus
    ("NATO’s reply was ‘weak’.", ["‘weak’"]),
    ("“”", ["“”"]),  # blank quotations are kept
]


@pytest.mark.parametrize(("text", "expected"), PARAGRAPH)
def test_paragraph_rules(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in quote_spans(text)] == expected


@pytest.mark.parametrize(("text", "expected"), SENTENCE)
def test_sentence_rules(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in quote_spans(text, within="sentence")] == expected


def test_unknown_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="paragraph"):
        quote_spans("x", within="document")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- manifest table


def test_manifest_table_resolves_paths_and_keeps_strings(tmp_path: Path) -> None:
    (tmp_path / "meta").mkdir()
    manifest = tmp_path / "meta" / "sources.csv"
    manifest.write_text("\ufeff doc_id ,path,date\na, ../a.txt ,2021-12-13\n,b.txt,\nc,  ,\n",
                        encoding="utf-8")
    table = manifest_table(manifest)
    assert table is not None
    assert list(table.columns) == ["doc_id", "path", "date"]
    assert table.index.tolist() == [0, 1]  # the blank path is dropped, the index kept
    assert table["path"].tolist() == [str((tmp_path / "a.txt").resolve()),
                                      str((tmp_path / "meta" / "b.txt").resolve())]
    assert table["doc_id"].tolist() == ["a", ""] and table["date"].tolist() == ["2021-12-13", ""]


def test_manifest_table_keeps_the_first_row_of_a_repeated_id(tmp_path: Path) -> None:
    manifest = tmp_path / "sources.csv"
    manifest.write_text("id,path\nx,a.txt\nx,b.txt\n,x.txt\n")
    with pytest.warns(UserWarning, match="'x' and 1 more"):
        table = manifest_table(manifest)
    assert table is not None and table.index.tolist() == [0]


@pytest.mark.parametrize("text", ["doc_id,text,path\na,hi,a.txt\n", "doc_id,url\na,https://e.org\n", ""])
def test_manifest_table_is_none_for_other_tables(tmp_path: Path, text: str) -> None:
    (tmp_path / "t.csv").write_text(text)
    assert manifest_table(tmp_path / "t.csv") is None


# --------------------------------------------------------------------------- hashes and the package


def test_sha256_helpers(tmp_path: Path) -> None:
    data = b"x" * 3000
    (tmp_path / "f").write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert sha256_file(tmp_path / "f", chunk=1024) == sha256_file(str(tmp_path / "f")) == expected
    assert sha256_bytes(data) == expected


def test_the_package_exports_what_framing_exports_from_it() -> None:
    for name in loading.__all__:
        assert callable(getattr(loading, name))
    for name in ("load_corpus", "split_sentences", "attribute", "quotes", "fetch_originals", "originals"):
        assert getattr(framing, name) is getattr(loading, name)


def test_loading_stays_below_the_later_stages() -> None:
    code = (
        "import sys, framing.loading as L\n"
        "assert 'pandas' not in sys.modules and 'spacy' not in sys.modules\n"
        "for n in L.__all__: getattr(L, n)\n"
        "later = ('framing.scoring', 'framing.analysis', 'framing.quality', 'framing.plots', "
        "'framing.report', 'framing.cli')\n"
        "print(sorted(m for m in sys.modules if m.startswith(later)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
