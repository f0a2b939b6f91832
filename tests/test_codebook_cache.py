"""Parsed codebooks are kept per file and read again when the file changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from framing import _codebooks


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    _codebooks.clear_cache()


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = _codebooks._parse_yaml

    def counting(data: bytes) -> object:
        calls.append(1)
        return real(data)

    monkeypatch.setattr(_codebooks, "_parse_yaml", counting)
    return calls


def test_a_yaml_file_is_parsed_once_and_again_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_parses(monkeypatch)
    book = tmp_path / "book.yaml"
    book.write_text("a: 1\n", encoding="utf-8")
    assert _codebooks.load_yaml(book) == {"a": 1}
    assert _codebooks.load_yaml(str(book)) == {"a": 1}
    assert len(calls) == 1
    book.write_text("a: 2\nb: 3\n", encoding="utf-8")  # new size
    assert _codebooks.load_yaml(book) == {"a": 2, "b": 3}
    book.write_text("a: 4\nb: 5\n", encoding="utf-8")  # same size: the modification time tells
    st = book.stat()
    os.utime(book, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert _codebooks.load_yaml(book) == {"a": 4, "b": 5}
    assert len(calls) == 3


def test_callers_cannot_change_the_cached_codebook(tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text("targets:\n  nato:\n    words: [alliance]\n", encoding="utf-8")
    first = _codebooks.load_yaml(book)
    first["targets"]["nato"]["words"].append("bloc")
    first["extra"] = 1
    assert _codebooks.load_yaml(book) == {"targets": {"nato": {"words": ["alliance"]}}}
    shipped = _codebooks.load_yaml("frames.yaml")
    shipped.clear()
    assert _codebooks.load_yaml("frames.yaml")


def test_shipped_codebooks_are_kept_by_name_and_a_local_file_of_that_name_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = _codebooks.load_yaml("markers.yaml")
    assert ("yaml", ("shipped", "markers.yaml"), None) in _codebooks._PARSED
    monkeypatch.chdir(tmp_path)
    (tmp_path / "markers.yaml").write_text("mine: true\n", encoding="utf-8")
    assert _codebooks.load_yaml("markers.yaml") == {"mine": True}
    (tmp_path / "markers.yaml").unlink()
    assert _codebooks.load_yaml("markers.yaml") == shipped


def test_csv_is_kept_per_file_and_options_and_read_again_when_it_changes(tmp_path: Path) -> None:
    table = tmp_path / "aliases.csv"
    table.write_text("# a comment\nalias,speaker\nPM,Johnson\n", encoding="utf-8")
    first = _codebooks.load_csv(table, dtype=str, keep_default_na=False)
    first.loc[0, "speaker"] = "changed"
    again = _codebooks.load_csv(table, dtype=str, keep_default_na=False)
    assert again.to_dict("records") == [{"alias": "PM", "speaker": "Johnson"}]
    assert _codebooks.load_csv(table, usecols=["alias"]).columns.tolist() == ["alias"]
    table.write_text("alias,speaker\nPM,Johnson\nKremlin,Putin\n", encoding="utf-8")
    assert len(_codebooks.load_csv(table, dtype=str, keep_default_na=False)) == 2
    assert _codebooks.load_csv(table, dtype={"alias": str}).shape == (2, 2)  # unhashable options: read


def test_a_missing_codebook_is_still_a_clear_error() -> None:
    with pytest.raises(FileNotFoundError, match="no codebook 'no-such.yaml'"):
        _codebooks.load_yaml("no-such.yaml")
