"""load_corpus: formats, cleaning, manifests and the report of skipped inputs."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import framing
from framing.loading.corpus import CorpusError, CorpusWarning, clean_text, normalise_characters

ROOT = Path(__file__).resolve().parents[1]
SEED_TITLE = "Putin outlines Russian view on NATO expansion to British PM"


def _load(source, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        return framing.load_corpus(source, **kwargs)


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the seed


def test_seed_manifest_gives_one_clean_document() -> None:
    df = _load(ROOT / "data" / "raw" / "sources.csv")
    assert list(df.columns[:9]) == ["doc_id", "title", "outlet", "date", "url", "kind", "language", "text",
                                    "path"]
    assert df.attrs["skipped"] == []
    row = df.iloc[0]
    assert (row.doc_id, row.title, row.outlet, row.date, row.kind, row.language) == (
        "rt-2021-12-13-putin-johnson-call", SEED_TITLE, "RT", "2021-12-13", "article", "en")
    paragraphs = row.text.split("\n\n")
    assert paragraphs[0] == SEED_TITLE
    assert row.text.count(SEED_TITLE) == 1
    assert len(paragraphs) == 8  # headline and seven body paragraphs
    assert "Leave a Reply" not in row.text and "email address" not in row.text
    assert paragraphs[-1].endswith("would have significant consequences,” it said.")


def test_raw_folder_reads_the_manifest_not_the_file_twice() -> None:
    df = _load(ROOT / "data" / "raw")
    assert list(df.doc_id) == ["rt-2021-12-13-putin-johnson-call"]


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("name", "content", "doc_id", "title", "text"),
    [
        ("a.txt", "Headline\n\nFirst  para\nwrapped.\n\nSecond.", "a", "Headline",
         "Headline\n\nFirst para wrapped.\n\nSecond."),
        ("b.txt", "Headline\nOne line.\nAnother line.\n", "b", "Headline",
         "Headline\n\nOne line.\n\nAnother line."),
        ("c.txt", "Headline\n\nHeadline\n\nBody.", "c", "Headline", "Headline\n\nBody."),
        ("d.md", "# A *title*\n\nBody text here.", "d", "A *title*", "A *title*\n\nBody text here."),
        ("e.txt", "T\n\nHe said \"it's 'fine'\"\u00a0today.", "e", "T",
         "T\n\nHe said “it’s ‘fine’” today."),
        ("f.txt", "T\r\n\r\nBody.\r\n\r\nShare this article\r\n\r\nMore body.", "f", "T",
         "T\n\nBody.\n\nMore body."),
        ("g.txt", "T\n\nBody.\n\nLeave a Reply\n\nGreat post!\n\nYour email address will not be published.",
         "g", "T", "T\n\nBody."),
    ],
)
def test_plain_text_and_markdown(tmp_path: Path, name: str, content: str, doc_id: str, title: str,
                                 text: str) -> None:
    df = _load(_write(tmp_path, name, content))
    assert df[["doc_id", "title", "text"]].values.tolist() == [[doc_id, title, text]]


def test_html_main_text_without_navigation_or_comments(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Talks stall | Daily</title>"
        '<meta property="og:site_name" content="Daily"><meta name="date" content="2021-12-13"></head>'
        "<body><nav>Home | World | Sport</nav><article><h1>Talks stall</h1>"
        "<p>The two delegations met in Geneva on Monday and talked for seven hours without a deal.</p>"
        "<p>Both sides said they would meet again, though no date was set for another round.</p>"
        "</article><div class='comments'><h3>Leave a Reply</h3>"
        "<p>Your email address will not be published.</p></div></body></html>"
    )
    df = _load(_write(tmp_path, "talks.html", html))
    row = df.iloc[0]
    assert (row.doc_id, row.outlet, row.date) == ("talks", "Daily", "2021-12-13")
    paragraphs = row.text.split("\n\n")
    assert paragraphs[0] == row.title
    assert paragraphs[1].startswith("The two delegations met in Geneva")
    assert paragraphs[-1].startswith("Both sides said")
    assert "Home" not in row.text and "Leave a Reply" not in row.text


def test_csv_rows_become_documents_with_metadata(tmp_path: Path) -> None:
    content = ('id,title,outlet,body,stance\n1,First,BBC,"Line one.\nLine two.",pro\n'
               "2,,CNN,Second text.,anti\n")
    df = _load(_write(tmp_path, "news.csv", content))
    assert df[["doc_id", "title", "outlet", "text", "stance"]].fillna("").values.tolist() == [
        ["1", "First", "BBC", "First\n\nLine one.\n\nLine two.", "pro"],
        ["2", "", "CNN", "Second text.", "anti"],
    ]


def test_jsonl_rows_get_ids_from_the_file_name(tmp_path: Path) -> None:
    lines = [{"text": "Alpha text.", "outlet": "A"}, {"text": "Beta text.", "outlet": "B", "extra": 3}]
    df = _load(_write(tmp_path, "wire.jsonl", "\n".join(json.dumps(x) for x in lines)))
    assert df[["doc_id", "outlet", "text"]].values.tolist() == [
        ["wire-1", "A", "Alpha text."], ["wire-2", "B", "Beta text."]]
    assert df["extra"].tolist()[1] == 3


def test_text_column_can_be_named(tmp_path: Path) -> None:
    df = _load(_write(tmp_path, "x.csv", "key,story\nk1,Some story.\n"), text_column="story")
    assert df[["doc_id", "text"]].values.tolist() == [["x-1", "Some story."]]


def test_manifest_paths_are_relative_to_the_manifest(tmp_path: Path) -> None:
    _write(tmp_path, "texts/one.txt", "File headline\n\nBody one.")
    _write(tmp_path, "texts/two.txt", "Second\n\nBody two.")
    manifest = _write(tmp_path, "meta/sources.csv",
                      "doc_id,path,outlet,title,date,licence\n"
                      "d1,../texts/one.txt,X,Manifest headline,2020-01-01,CC-BY\n"
                      "d2,../texts/two.txt,Y,,2020-01-02,CC0\n")
    df = _load(manifest)
    assert df[["doc_id", "outlet", "title", "date", "licence", "text"]].values.tolist() == [
        ["d1", "X", "Manifest headline", "2020-01-01", "CC-BY",
         "Manifest headline\n\nFile headline\n\nBody one."],
        ["d2", "Y", "Second", "2020-01-02", "CC0", "Second\n\nBody two."],
    ]


def test_folder_and_list_sources(tmp_path: Path) -> None:
    _write(tmp_path, "b.txt", "B\n\nBee.")
    _write(tmp_path, "sub/a.txt", "A\n\nAy.")
    _write(tmp_path, ".hidden.txt", "H\n\nHidden.")
    assert _load(tmp_path).doc_id.tolist() == ["b", "sub/a"]
    assert _load([tmp_path / "sub" / "a.txt", tmp_path / "b.txt"]).doc_id.tolist() == ["a", "b"]


def test_language_is_detected_when_not_declared(tmp_path: Path) -> None:
    _write(tmp_path, "en.txt", "News\n\nThe government announced new measures on Monday to curb prices.")
    _write(tmp_path, "fr.txt",
           "Nouvelles\n\nLe gouvernement a annoncé lundi de nouvelles mesures contre la hausse des prix.")
    df = _load(tmp_path)
    assert df.set_index("doc_id").language.to_dict() == {"en": "en", "fr": "fr"}


def test_user_boilerplate_extends_the_shipped_list(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "T\n\nBody.\n\nPromoted content\n\nShare this article")
    assert _load(path).text[0] == "T\n\nBody.\n\nPromoted content"
    assert _load(path, boilerplate=["promoted content"]).text[0] == "T\n\nBody."
    patterns = _write(tmp_path, "mine.txt", "# mine\nEND promoted content\n")
    assert _load(path, boilerplate=patterns).text[0] == "T\n\nBody."


def test_cleaning_is_recorded() -> None:
    df = _load(ROOT / "data" / "raw" / "sources.csv")
    record = df.attrs["cleaning"]
    assert record["characters"]["„"] == "“" and record["characters"]["\u00a0"] == " "
    assert any("leave a" in p for p in record["boilerplate"])


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ('"Yes," she said.', "“Yes,” she said."),
        ("«Non», dit-il.", "“Non”, dit-il."),
        ("it's the '90s", "it’s the ‘90s"),
        ("a\u2009b\u200bc", "a bc"),
        ("„Ja“", "“Ja“"),
    ],
)
def test_character_normalisation_keeps_length_except_invisibles(raw: str, clean: str) -> None:
    assert normalise_characters(raw) == clean


def test_clean_text_keeps_headline_once() -> None:
    assert clean_text("Big news\n\nBIG NEWS.\n\nIt rained.", title="Big news") == (
        "Big news", "Big news\n\nIt rained.")


# --------------------------------------------------------------------------- bad input


BAD_INPUTS = [
    ("empty.txt", b"", None, "empty"),
    ("blank.txt", b"  \n\t\n  ", None, "empty"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", None, "binary"),
    ("notes.docx", b"PK\x03\x04 whatever", None, "unknown extension '.docx'"),
    ("table.csv", b"title,author\nA,B\n", 1, "no text column"),
    ("lines.jsonl", b'{"title": "x"}\n', 1, "no text column"),
]


@pytest.mark.parametrize(("name", "content", "line", "reason"), BAD_INPUTS)
def test_bad_file_is_skipped_and_the_rest_loads(tmp_path: Path, name: str, content: bytes,
                                                line: int | None, reason: str) -> None:
    good = _write(tmp_path, "good.txt", "Good\n\nFine text.")
    bad = _write(tmp_path, name, content)
    with pytest.warns(CorpusWarning, match=name):
        df = framing.load_corpus([good, bad])
    assert df.doc_id.tolist() == ["good"]
    [skip] = df.attrs["skipped"]
    assert (Path(skip["path"]).name, skip["line"]) == (name, line)
    assert reason in skip["reason"]
    with pytest.raises(CorpusError, match=name):
        framing.load_corpus([good, bad], strict=True)


def test_bad_jsonl_line_is_skipped_with_its_line_number(tmp_path: Path) -> None:
    path = _write(tmp_path, "w.jsonl", '{"text": "One."}\n{not json}\n[1, 2]\n{"text": "Four."}\n')
    with pytest.warns(CorpusWarning, match=r"w\.jsonl:2"):
        df = framing.load_corpus(path)
    assert df.text.tolist() == ["One.", "Four."]
    assert [(s["line"], s["reason"].split(" ")[0]) for s in df.attrs["skipped"]] == [(2, "not"), (3, "a")]


def test_duplicate_ids_keep_the_first(tmp_path: Path) -> None:
    _write(tmp_path, "x.txt", "First\n\nOne.")
    _write(tmp_path, "x.md", "Second\n\nTwo.")
    with pytest.warns(CorpusWarning, match="duplicate doc_id 'x'"):
        df = framing.load_corpus(tmp_path)
    assert df.title.tolist() == ["Second"]  # x.md sorts before x.txt
    assert "x.txt" in df.attrs["skipped"][0]["path"]


def test_duplicate_ids_inside_a_csv_name_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.csv", "id,text\na,One.\na,Two.\n")
    with pytest.warns(CorpusWarning, match=r"t\.csv:3"):
        df = framing.load_corpus(path)
    assert df.text.tolist() == ["One."]


@pytest.mark.parametrize(
    ("encoded", "note"),
    [
        ("Café\n\nLe café était très bon, dit-il à Zürich.".encode("latin-1"), "Windows-1252"),
        ("Café\n\nThe café was good, he said in Zürich.".encode("utf-16"), "UTF-16"),
        ("Café\n\nThe café was good, he said in Zürich.".encode("utf-16-le"), "UTF-16-LE"),
    ],
)
def test_latin1_and_utf16_are_decoded_with_a_note(tmp_path: Path, encoded: bytes, note: str) -> None:
    path = _write(tmp_path, "enc.txt", encoded)
    with pytest.warns(CorpusWarning, match="enc.txt"):
        df = framing.load_corpus(path)
    assert df.title.tolist() == ["Café"]
    assert "Zürich" in df.text[0]
    assert note in df.attrs["notes"][0]["reason"]


def test_missing_source_raises_with_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere"):
        framing.load_corpus(tmp_path / "nowhere")


def test_manifest_row_with_missing_file_names_the_line(tmp_path: Path) -> None:
    _write(tmp_path, "ok.txt", "Ok\n\nFine.")
    manifest = _write(tmp_path, "sources.csv", "doc_id,path\nok,ok.txt\ngone,gone.txt\n")
    with pytest.warns(CorpusWarning, match=r"sources\.csv:3"):
        df = framing.load_corpus(manifest)
    assert df.doc_id.tolist() == ["ok"]


def test_a_document_of_twenty_megabytes_loads(tmp_path: Path) -> None:
    paragraph = "The delegations met again on Monday and said that talks would continue. " * 10
    body = "\n\n".join([paragraph.strip()] * 28_000)
    path = _write(tmp_path, "big.txt", "Big\n\n" + body)
    assert path.stat().st_size > 20_000_000
    df = _load(path)
    assert len(df.text[0]) == len("Big\n\n") + len(body)


def test_a_folder_with_a_manifest_reads_only_what_the_manifest_lists(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Headline A\n\nBody of a.\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Working notes\n\nNot a document.\n", encoding="utf-8")
    (tmp_path / "originals.csv").write_text("doc_id,url\nx,http://example.org\n", encoding="utf-8")
    (tmp_path / "sources.csv").write_text("doc_id,path,outlet\nA,a.txt,Outlet\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is skipped: the unlisted files are not documents
        docs = framing.load_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["A"]
    assert docs.attrs["skipped"] == []
