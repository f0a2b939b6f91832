"""``framing score`` reads what load_corpus reads, or a sentences table; bad inputs are reported alike."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from test_corpus import BAD_INPUTS, _write

import framing
from framing import cli
from framing.loading.corpus import CorpusWarning
from framing.scoring import models

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMING_MODEL", raising=False)


def _score(model_dirs: dict[str, Path], source: Path | str, out: Path, *extra: str) -> tuple[int, ...]:
    """Exit code, stance table and frame table (None when not written) of ``framing score``."""
    st, fr = out / "stance.csv", out / "frames.csv"
    code = cli.main(["score", str(source), "--model", str(model_dirs["nli"]), "--stance-out", str(st),
                     "--frames-out", str(fr), *extra])  # fmt: skip

    def read(p: Path) -> pd.DataFrame | None:
        return pd.read_csv(p, dtype={"doc_id": str, "sent_id": str}) if p.exists() else None

    return code, read(st), read(fr)


def _corpus(source: Path, **kwargs: object) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        return framing.load_corpus(source, **kwargs)


def _sentence_ids(table: pd.DataFrame) -> list[str]:
    return table.drop_duplicates("sent_id")["sent_id"].tolist()


def _assert_scored_like_the_corpus(stance: pd.DataFrame, frames: pd.DataFrame, docs: pd.DataFrame) -> None:
    sentences = framing.split_sentences(docs)
    want = sentences["sent_id"].tolist()
    assert _sentence_ids(stance) == want and _sentence_ids(frames) == want
    assert list(stance.columns[:3]) == ["doc_id", "sent_id", "target"]
    assert list(frames.columns[:3]) == ["doc_id", "sent_id", "frame"]
    by_sentence = dict(zip(sentences["sent_id"], sentences["doc_id"], strict=True))
    assert stance["doc_id"].tolist() == stance["sent_id"].map(by_sentence).tolist()
    assert len(stance) == len(want) * stance["target"].nunique()


def _no_traceback(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    messages = [r.getMessage() for r in caplog.records]
    assert all("\n" not in m for m in messages), messages
    return messages


def _assert_skips_reported(docs: pd.DataFrame, caplog: pytest.LogCaptureFixture) -> None:
    """Each input load_corpus skipped is one log line naming its file (and line)."""
    messages = _messages(caplog)
    for s in docs.attrs["skipped"]:
        where = s["path"] if s["line"] is None else f"{s['path']}:{s['line']}"
        assert messages.count(f"skipped {where}: {s['reason']}") == 1, (where, messages)


# --------------------------------------------------------------------------- what it reads


def test_a_folder_keeps_the_corpus_ids(model_dirs: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    _write(folder, "b.txt", "Talks resume\n\nThe two sides met on Monday. They agreed to meet again.")
    _write(folder, "sub/a.md", "# Sanctions\n\nNew sanctions were announced.")
    _write(folder, "lines.txt", "Headline\nOne sentence a line.\nAnother sentence.\n")
    code, stance, frames = _score(model_dirs, folder, tmp_path)
    assert code == 0
    _assert_scored_like_the_corpus(stance, frames, _corpus(folder))
    assert set(stance["doc_id"]) == {"b", "sub/a", "lines"}
    # a text file of one sentence per line still gives each line as a sentence
    lines = stance.drop_duplicates("sent_id").query("doc_id == 'lines'")["sent_id"].tolist()
    assert lines == ["lines:0000", "lines:0001", "lines:0002"]


def test_a_manifest(model_dirs: dict[str, Path], tmp_path: Path) -> None:
    _write(tmp_path, "texts/one.txt", "File headline\n\nBody one is here.")
    _write(tmp_path, "texts/two.txt", "Second\n\nBody two is here. And more.")
    manifest = _write(tmp_path, "meta/sources.csv",
                      "doc_id,path,outlet\nd1,../texts/one.txt,X\nd2,../texts/two.txt,Y\n")
    code, stance, frames = _score(model_dirs, manifest, tmp_path)
    assert code == 0
    _assert_scored_like_the_corpus(stance, frames, _corpus(manifest))
    assert stance["doc_id"].unique().tolist() == ["d1", "d2"]


def test_a_csv_of_documents_is_split_and_keeps_its_ids(model_dirs: dict[str, Path], tmp_path: Path) -> None:
    path = _write(tmp_path, "news.csv", 'id,title,outlet,body\n17,First,BBC,"Line one.\nLine two."\n'
                                        "42,,CNN,Second text. With two sentences.\n")
    code, stance, frames = _score(model_dirs, path, tmp_path)
    assert code == 0
    _assert_scored_like_the_corpus(stance, frames, _corpus(path))
    assert _sentence_ids(stance) == ["17:0000", "17:0001", "17:0002", "42:0000", "42:0001"]


def test_the_text_column_can_be_named(model_dirs: dict[str, Path], tmp_path: Path) -> None:
    path = _write(tmp_path, "x.csv", "key,story\nk1,Some story about talks.\n")
    code, stance, _ = _score(model_dirs, path, tmp_path, "--text-column", "story")
    assert code == 0
    assert _sentence_ids(stance) == ["x-1:0000"]
    code, stance, _ = _score(model_dirs, path, tmp_path / "none")
    assert code == 1 and stance is None


def _split_csv(folder: Path) -> Path:
    docs = pd.DataFrame({"doc_id": ["rt", "bbc"], "title": ["Talks", None],
                         "text": ["Talks\n\nMr. Smith met Dr. Jones. They spoke.", "Troops moved east."]})
    path = folder / "sentences.csv"
    framing.split_sentences(docs).to_csv(path, index=False)
    return path


def _n_csv(folder: Path) -> Path:
    return _write(folder, "n.csv", "doc_id,n,text\nrt,0,Talks.\nrt,1,They spoke.\nbbc,3,Troops moved east.\n")


def _sent_jsonl(folder: Path) -> Path:
    rows = ['{"sent_id": "x:0007", "text": "Talks."}', '{"sent_id": 12, "text": "They spoke.",',
            '{"sent_id": 12, "text": "They spoke."}']
    return _write(folder, "s.jsonl", "\n".join(rows) + "\n")


@pytest.mark.parametrize(
    ("make", "ids", "doc_ids"),
    [
        (_split_csv, ["rt:0000", "rt:0001", "rt:0002", "bbc:0000"], ["rt", "rt", "rt", "bbc"]),
        (_n_csv, ["rt:0000", "rt:0001", "bbc:0003"], ["rt", "rt", "bbc"]),
        (_sent_jsonl, ["x:0007", "12"], ["x", None]),
    ],
    ids=["split_sentences-csv", "doc_id-n-text", "sent_id-text-jsonl"],
)
def test_a_sentences_table_is_scored_row_by_row(
    model_dirs: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture,
    make: Callable[[Path], Path], ids: list[str], doc_ids: list[str | None],
) -> None:
    path = make(tmp_path)
    code, stance, frames = _score(model_dirs, path, tmp_path)
    assert code == 0
    assert _sentence_ids(stance) == ids and _sentence_ids(frames) == ids
    firsts = stance.drop_duplicates("sent_id")["doc_id"]
    assert [None if pd.isna(d) else d for d in firsts] == doc_ids
    if path.suffix == ".jsonl":  # the broken second line is skipped and named
        assert any(m.startswith(f"skipped {path}:2: not valid JSON") for m in _messages(caplog))


def test_a_sentences_table_skips_bad_rows_by_line(model_dirs: dict[str, Path], tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    path = _write(tmp_path, "s.csv", "sent_id,text\na:0,Talks.\na:1,\na:0,Again.\nb:0,Fine.\n")
    code, stance, _ = _score(model_dirs, path, tmp_path)
    assert code == 0
    assert _sentence_ids(stance) == ["a:0", "b:0"]
    messages = _messages(caplog)
    assert f"skipped {path}:3: empty 'text'" in messages
    assert f"skipped {path}:4: duplicate sent_id 'a:0' (first on line 2)" in messages
    assert _score(model_dirs, path, tmp_path / "strict", "--strict")[0] == 1


# --------------------------------------------------------------------------- bad inputs, as load_corpus


@pytest.mark.parametrize(("name", "content", "line", "reason"), BAD_INPUTS)
def test_bad_file_is_skipped_and_the_rest_scored(
    model_dirs: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str], name: str, content: bytes, line: int | None, reason: str,
) -> None:
    folder = tmp_path / "corpus"
    _write(folder, "good.txt", "Good\n\nFine text.")
    bad = _write(folder, name, content)
    docs = _corpus(folder)
    assert docs["doc_id"].tolist() == ["good"] and len(docs.attrs["skipped"]) == 1
    caplog.clear()
    code, stance, frames = _score(model_dirs, folder, tmp_path)
    assert code == 0
    _assert_scored_like_the_corpus(stance, frames, docs)
    _assert_skips_reported(docs, caplog)
    assert any(m.startswith(f"skipped {bad}{'' if line is None else f':{line}'}: ") and reason in m
               for m in _messages(caplog))
    _no_traceback(capsys)

    caplog.clear()
    code, stance, _ = _score(model_dirs, folder, tmp_path / "strict", "--strict")
    assert (code, stance) == (1, None)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [
        "load_corpus (strict=True) could not read 1 input(s), each named above; nothing was scored"]
    assert any(name in m for m in _messages(caplog))
    _no_traceback(capsys)


@pytest.mark.parametrize(("name", "content", "line", "reason"), BAD_INPUTS)
def test_a_bad_file_alone_is_one_error_before_any_model(
    model_dirs: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    name: str, content: bytes, line: int | None, reason: str,
) -> None:
    bad = _write(tmp_path, name, content)
    docs = _corpus(bad)
    caplog.clear()

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("a model was loaded for an input with nothing to score")

    monkeypatch.setattr(models, "load_model", no_model)
    code, stance, _ = _score(model_dirs, bad, tmp_path)
    assert (code, stance) == (1, None)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [f"no documents to score in {bad} (1 input(s) skipped, each named above)"]
    _assert_skips_reported(docs, caplog)
    _no_traceback(capsys)


def _bad_jsonl_line(folder: Path) -> Path:
    return _write(folder, "w.jsonl", '{"text": "One."}\n{not json}\n[1, 2]\n{"text": "Four."}\n')


def _duplicate_ids(folder: Path) -> Path:
    _write(folder, "x.txt", "First\n\nOne.")
    _write(folder, "x.md", "Second\n\nTwo.")
    return folder


def _duplicate_ids_in_a_csv(folder: Path) -> Path:
    return _write(folder, "t.csv", "id,text\na,One.\na,Two.\n")


def _manifest_row_with_missing_file(folder: Path) -> Path:
    _write(folder, "ok.txt", "Ok\n\nFine.")
    return _write(folder, "sources.csv", "doc_id,path\nok,ok.txt\ngone,gone.txt\n")


def _latin1(folder: Path) -> Path:
    return _write(folder, "enc.txt", "Café\n\nLe café était très bon, dit-il à Zürich.".encode("latin-1"))


def _utf16(folder: Path) -> Path:
    return _write(folder, "enc.txt", "Café\n\nThe café was good, he said in Zürich.".encode("utf-16"))


@pytest.mark.parametrize(
    "make", [_bad_jsonl_line, _duplicate_ids, _duplicate_ids_in_a_csv, _manifest_row_with_missing_file,
             _latin1, _utf16],
)
def test_skips_and_repairs_are_those_of_load_corpus(
    model_dirs: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path],
) -> None:
    source = make(tmp_path / "in")
    docs = _corpus(source)
    assert docs.attrs["skipped"] or docs.attrs["notes"]
    caplog.clear()
    code, stance, frames = _score(model_dirs, source, tmp_path)
    assert code == 0
    _assert_scored_like_the_corpus(stance, frames, docs)
    _assert_skips_reported(docs, caplog)
    messages = _messages(caplog)
    for n in docs.attrs["notes"]:
        assert sum(n["reason"] in m for m in messages) == 1
    _no_traceback(capsys)


def test_a_missing_input_is_one_error(model_dirs: dict[str, Path], tmp_path: Path,
                                      caplog: pytest.LogCaptureFixture,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert _score(model_dirs, tmp_path / "nowhere", tmp_path)[0] == 1
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        f"load_corpus: no file or folder {tmp_path / 'nowhere'}"]
    _no_traceback(capsys)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (None, None, "no documents to score in {path}"),
        ("s.csv", "sent_id,text\n", "no sentences to score in {path}"),
        ("s.csv", "doc_id,n,text\na,0,\n", "no sentences to score in {path}"),
        ("d.jsonl", '{"id": "a", "text": " "}\n', "no documents to score in {path} (1 input(s) skipped, "
                                                  "each named above)"),
    ],
    ids=["empty-folder", "header-only", "empty-sentence", "empty-document"],
)
def test_nothing_to_score_is_one_line_and_no_model(
    model_dirs: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch, name: str | None, content: str | None, message: str,
) -> None:
    path = tmp_path / "empty"
    path.mkdir()
    if name:
        path = _write(path, name, content or "")
    monkeypatch.setattr(models, "load_model", lambda *a, **k: pytest.fail("a model was loaded"))
    assert _score(model_dirs, path, tmp_path)[0] == 1
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [message.format(path=path)]


def test_a_bad_model_is_one_error(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "a.txt", "Talks\n\nThe two sides met.")
    assert cli.main(["score", str(path), "--model", str(tmp_path / "no-such-model")]) == 1
    [error] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert "no-such-model" in error
    _no_traceback(capsys)


# --------------------------------------------------------------------------- Ctrl-C and the command itself


class _Interrupted(KeyboardInterrupt):
    def __init__(self, saved: int) -> None:
        super().__init__()
        self.saved = saved


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (_Interrupted(1024), "interrupted: 1024 sentences saved; run again to resume\n"),
        (KeyboardInterrupt(), "interrupted; run again to resume\n"),
    ],
)
def test_ctrl_c_is_one_line_and_exit_130(
    model_dirs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, error: KeyboardInterrupt, line: str,
) -> None:
    from framing.scoring import stance

    def interrupt(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(stance, "score_stance", interrupt)
    path = _write(tmp_path, "a.txt", "Talks\n\nThe two sides met.")
    code, out, _ = _score(model_dirs, path, tmp_path)
    assert (code, out) == (130, None)
    assert capsys.readouterr().err == line


def test_the_cache_raises_what_the_command_reports() -> None:
    from framing._cli_score import interrupted
    from framing.scoring._cache import ScoringInterrupted

    assert interrupted(ScoringInterrupted(saved=3)) == "interrupted: 3 sentences saved; run again to resume"


def test_dask_refuses_the_options_it_does_not_take(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Talks\n\nThe two sides met.")
    assert cli.main(["score", str(path), "--dask-workers", "2", "--text-column", "body"]) == 2
    assert cli.main(["score", str(path), "--dask-workers", "2", "--strict"]) == 2


def test_the_command_writes_one_line_per_skipped_input_to_stderr(model_dirs: dict[str, Path],
                                                                 tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    _write(folder, "good.txt", "Good\n\nFine text.")
    _write(folder, "empty.txt", "")
    _bad_jsonl_line(folder)
    env = {**os.environ, "FRAMING_CACHE": str(tmp_path / "cache")}
    run = subprocess.run(
        [sys.executable, "-m", "framing.cli", "score", str(folder), "--model", str(model_dirs["nli"]),
         "--stance-out", str(tmp_path / "st.csv")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "CorpusWarning" not in run.stderr
    lines = run.stderr.splitlines()
    assert [ln for ln in lines if "skipped" in ln] == [
        f"WARNING framing.loading.corpus: skipped {folder / 'empty.txt'}: empty or whitespace-only file",
        f"WARNING framing.loading.corpus: skipped {folder / 'w.jsonl'}:2: not valid JSON (Expecting property "
        "name enclosed in double quotes at column 2)",
        f"WARNING framing.loading.corpus: skipped {folder / 'w.jsonl'}:3: a JSON list, expected an object",
    ]
    assert set(pd.read_csv(tmp_path / "st.csv")["doc_id"]) == {"good", "w-1", "w-2"}
