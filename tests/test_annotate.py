"""Human coding: coding sheets, importing codes, Krippendorff's alpha."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import framing
from framing import agreement, cli, export_sample, import_coded, model_codes

TARGETS = {"russia": "Russia's government and its actions.", "ukraine": "Ukraine's government."}
FRAMES = {"economic": "Costs and benefits.", "political": "Politics and parties.", "morality": "Values."}
N = math.nan


def _sentences(sizes: dict[str | None, int]) -> pd.DataFrame:
    """A sentences table with ``sizes[source]`` sentences per source."""
    rows = []
    for source, k in sizes.items():
        for _ in range(k):
            i = len(rows)
            rows.append({"sent_id": i, "doc_id": f"d{i // 4}", "text": f"Sentence {i}.", "source": source})
    return pd.DataFrame(rows)


def _export(tmp_path: Path, sents: pd.DataFrame, name: str = "sheet.csv", **kw) -> pd.DataFrame:
    kw = {"targets": TARGETS, "frames": FRAMES, **kw}
    return export_sample(sents, tmp_path / name, **kw)


# ---------------------------------------------------------------------------
# export


def test_sheet_columns_and_codebook(tmp_path: Path) -> None:
    sheet = _export(tmp_path, _sentences({"a": 3}), coders=["ann", "bob"])
    assert list(sheet.columns) == [
        "sent_id",
        "doc_id",
        "text",
        "ann__stance__russia",
        "ann__stance__ukraine",
        "ann__frame",
        "bob__stance__russia",
        "bob__stance__ukraine",
        "bob__frame",
    ]
    on_disk = pd.read_csv(tmp_path / "sheet.csv", encoding="utf-8-sig")
    assert list(on_disk.columns) == list(sheet.columns)
    assert on_disk.filter(like="__").isna().all().all()  # coding cells start empty
    book = pd.read_csv(tmp_path / "sheet_codebook.csv", encoding="utf-8-sig")
    assert list(book.columns) == ["kind", "id", "definition"]
    assert book.groupby("kind")["id"].apply(list).to_dict() == {
        "frame": ["economic", "political", "morality"],
        "stance_label": ["favor", "against", "none"],
        "target": ["russia", "ukraine"],
    }
    assert book.set_index("id").loc["russia", "definition"] == TARGETS["russia"]


# Allocation worked by hand (largest remainder, at least one per stratum when n allows):
@pytest.mark.parametrize(
    ("sizes", "n", "expected"),
    [
        # quotas 3, 1.5, 0.5 -> floors 3, 1, 0 -> c raised to 1 -> 5
        ({"a": 6, "b": 3, "c": 1}, 5, {"a": 3, "b": 1, "c": 1}),
        # quotas 4, 1 -> exact
        ({"a": 8, "b": 2}, 5, {"a": 4, "b": 1}),
        # quotas 9, .5, .5 -> floors 9, 0, 0 -> raised to 9, 1, 1 = 11 -> a gives one back
        ({"a": 90, "b": 5, "c": 5}, 10, {"a": 8, "b": 1, "c": 1}),
        # n < number of strata: quotas .2, .2, .2, 1.4 -> floor gives d 1, largest remainder d again
        ({"a": 1, "b": 1, "c": 1, "d": 7}, 2, {"d": 2}),
        # tie of remainders (2.5, 2.5) goes to the stratum that sorts first
        ({"a": 5, "b": 5}, 5, {"a": 3, "b": 2}),
        # more requested than there are sentences: everything
        ({"a": 2, "b": 1}, 10, {"a": 2, "b": 1}),
        # missing source is a stratum of its own: quotas 3.2, .8 -> 3, 0 -> 3, 1
        ({"a": 8, None: 2}, 4, {"a": 3, "(unknown)": 1}),
    ],
)
def test_stratified_allocation(tmp_path: Path, sizes: dict, n: int, expected: dict) -> None:
    sents = _sentences(sizes)
    sheet = _export(tmp_path, sents, n=n)
    source = sents.set_index("sent_id")["source"].fillna("(unknown)")
    got = source.loc[sheet["sent_id"]].value_counts().to_dict()
    assert got == expected
    assert sheet["sent_id"].is_unique


def test_missing_strata_column_falls_back_to_simple_sample(tmp_path: Path, caplog) -> None:
    sents = _sentences({"a": 10}).drop(columns="source")
    with caplog.at_level(logging.WARNING, logger="framing.quality.annotate"):
        sheet = _export(tmp_path, sents, n=4, stratify_by="source")
    assert len(sheet) == 4 and sheet["sent_id"].is_unique
    assert "simple random sample" in caplog.text


def test_sample_is_deterministic(tmp_path: Path) -> None:
    sents = _sentences({"a": 20, "b": 10, "c": 5})
    first = _export(tmp_path, sents, "one.csv", n=12, random_state=3)
    again = _export(tmp_path, sents.sample(frac=1.0, random_state=1), "two.csv", n=12, random_state=3)
    other = _export(tmp_path, sents, "three.csv", n=12, random_state=4)
    assert first["sent_id"].tolist() == again["sent_id"].tolist()
    assert first["sent_id"].tolist() != other["sent_id"].tolist()


def test_export_refuses_to_overwrite_a_sheet(tmp_path: Path) -> None:
    sents = _sentences({"a": 3})
    _export(tmp_path, sents)
    with pytest.raises(FileExistsError, match="sheet.csv exists"):
        _export(tmp_path, sents)
    assert len(_export(tmp_path, sents, overwrite=True)) == 3


@pytest.mark.parametrize(
    "yaml_text",
    [
        # list under a top-level key, as the shipped codebooks are written
        "targets:\n  - id: russia\n    description: The Kremlin.\n  - id: ukraine\n    description: Kyiv.\n",
        # a bare list
        "- id: russia\n  description: The Kremlin.\n- id: ukraine\n  description: Kyiv.\n",
        # a mapping keyed by id, with records or plain strings
        "russia:\n  description: The Kremlin.\nukraine: Kyiv.\n",
    ],
)
def test_targets_from_a_users_codebook(tmp_path: Path, yaml_text: str) -> None:
    book = tmp_path / "my_targets.yaml"
    book.write_text(yaml_text)
    sheet = _export(tmp_path, _sentences({"a": 2}), coders=["ann"], targets=book)
    assert [c for c in sheet.columns if "stance" in c] == ["ann__stance__russia", "ann__stance__ukraine"]
    defs = pd.read_csv(tmp_path / "sheet_codebook.csv", encoding="utf-8-sig").set_index("id")["definition"]
    assert defs["russia"] == "The Kremlin." and defs["ukraine"] == "Kyiv."


# ---------------------------------------------------------------------------
# import


def test_round_trip_export_code_import(tmp_path: Path) -> None:
    sheet = _export(tmp_path, _sentences({"a": 2, "b": 1}), coders=["ann", "bob"], targets={"russia": "R"})
    ids = sheet["sent_id"].tolist()
    sheet["ann__stance__russia"] = ["favor", "Against ", "none"]  # case and spaces are forgiven
    sheet["ann__frame"] = ["economic", "political", ""]
    sheet["bob__stance__russia"] = ["favor", "against", "against"]
    sheet["bob__frame"] = ["economic", "economic", "morality"]
    sheet.to_csv(tmp_path / "sheet.csv", index=False)

    long = import_coded(tmp_path / "sheet.csv")
    assert list(long.columns) == ["sent_id", "coder", "item", "value"]
    got = long.sort_values(["coder", "item", "sent_id"]).reset_index(drop=True)
    expected = pd.DataFrame(
        {
            "sent_id": ids * 4,
            "coder": ["ann"] * 6 + ["bob"] * 6,
            "item": (["frame"] * 3 + ["stance:russia"] * 3) * 2,
            "value": ["economic", "political", N, "favor", "against", "none"]
            + ["economic", "economic", "morality", "favor", "against", "against"],
        }
    ).sort_values(["coder", "item", "sent_id"])
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_dtype=False)
    assert long["sent_id"].dtype == np.int64


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "sent_id,doc_id,text,ann__stance__russia,ann__frame\n"


@pytest.mark.parametrize(
    ("body", "line", "bad"),
    [
        ("1,d,One.,favor,economic\n2,d,Two.,pro,economic\n", 3, "'pro'"),
        ("1,d,One.,favor,economics\n", 2, "'economics'"),
        # a quoted cell spanning two lines: the next record starts on line 4
        ('1,d,"One,\nstill one.",favor,economic\n2,d,Two.,favour,political\n', 4, "'favour'"),
        # frame ids come from the codebook written next to the sheet, not from elsewhere
        ("1,d,One.,none,legality\n", 2, "'legality'"),
    ],
)
def test_bad_code_names_file_line_and_value(tmp_path: Path, body: str, line: int, bad: str) -> None:
    _export(tmp_path, _sentences({"a": 1}), "coded.csv", coders=["ann"], targets={"russia": "R"})
    path = _write(tmp_path / "coded.csv", HEADER + body)
    with pytest.raises(ValueError, match="allowed code") as err:
        import_coded(path)
    msg = str(err.value)
    assert str(path) in msg and f"line {line}," in msg and bad in msg


def test_semicolon_sheet_and_explicit_frames(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", "sent_id;doc_id;text;ann__frame\nd1-3;d1;One.;Morality\n")
    long = import_coded(path, frames={"morality": "Values."})
    assert long.values.tolist() == [["d1-3", "ann", "frame", "morality"]]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("doc_id,text,ann__frame\nd,One.,economic\n", "no 'sent_id' column"),
        ("sent_id,doc_id,text\n1,d,One.\n", "no coding columns"),
        ("sent_id,doc_id,text,ann__frame\n1,d,One.,economic\n1,d,Again.,economic\n", "line 3.*line 2"),
    ],
)
def test_malformed_sheets(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        import_coded(_write(tmp_path / "x.csv", text), frames=FRAMES)


# ---------------------------------------------------------------------------
# agreement


def _coded(item: str, **coders: list) -> pd.DataFrame:
    rows = [(i, coder, item, v) for coder, values in coders.items() for i, v in enumerate(values)]
    return pd.DataFrame(rows, columns=["sent_id", "coder", "item", "value"])


# Nominal alpha = 1 - (n - 1) * D / sum_{c != k} n_c n_k, where D counts disagreeing
# ordered pairs in the coincidence matrix (each unit's pairs weighted 1 / (m_u - 1))
# and n_c is how often label c was used in pairable units.
@pytest.mark.parametrize(
    ("coders", "alpha", "n_units", "n_coders"),
    [
        # perfect agreement with two labels in use
        ({"a": ["x", "y", "x", "y"], "b": ["x", "y", "x", "y"]}, 1.0, 4, 2),
        # units (x,x) (x,y) (y,y) (y,y): D = 2, n_x = 3, n_y = 5, n = 8
        # alpha = 1 - 7 * 2 / (2 * 3 * 5) = 1 - 14/30 = 16/30
        ({"a": ["x", "x", "y", "y"], "b": ["x", "y", "y", "y"]}, 16 / 30, 4, 2),
        # three coders, missing codes: u1 (x,x,x) weight 1/2 -> o_xx = 3; u2 (x,y) -> D = 2;
        # u3 (y,y) -> o_yy = 2; u4 has one code, not pairable. n_x = 4, n_y = 3, n = 7
        # alpha = 1 - 6 * 2 / (2 * 4 * 3) = 1 - 12/24 = 0.5
        ({"a": ["x", "x", "y", "x"], "b": ["x", "y", "y", N], "c": ["x", N, N, N]}, 0.5, 3, 3),
        # systematic disagreement: (x,y) (y,x): D = 4, n_x = n_y = 2, n = 4
        # alpha = 1 - 3 * 4 / (2 * 2 * 2) = -0.5
        ({"a": ["x", "y"], "b": ["y", "x"]}, -0.5, 2, 2),
        # one label throughout: expected disagreement is 0, alpha undefined
        ({"a": ["x", "x"], "b": ["x", "x"]}, N, 2, 2),
        # no unit coded by both
        ({"a": ["x", N], "b": [N, "y"]}, N, 0, 0),
    ],
)
def test_alpha_between_coders(coders: dict, alpha: float, n_units: int, n_coders: int) -> None:
    table = agreement(_coded("frame", **coders))
    assert table.columns.tolist() == ["comparison", "item", "alpha", "n_units", "n_coders"]
    (row,) = table.to_dict("records")
    assert (row["comparison"], row["item"]) == ("coders", "frame")
    assert row["alpha"] == pytest.approx(alpha, nan_ok=True)
    assert (row["n_units"], row["n_coders"]) == (n_units, n_coders)


def test_alpha_per_item_and_pooled() -> None:
    coded = pd.concat(
        [
            _coded("stance:russia", a=["favor", "against"], b=["favor", "against"]),
            _coded("stance:ukraine", a=["favor", "none"], b=["none", "none"]),
            _coded("frame", a=["economic", "economic"], b=["economic", "political"]),
        ]
    )
    got = agreement(coded).set_index("item")
    expected = {
        "stance:russia": 1.0,
        # (f,n) (n,n): D = 2, n_f = 1, n_n = 3, n = 4: 1 - 3 * 2 / (2 * 1 * 3) = 0
        "stance:ukraine": 0.0,
        # (e,e) (e,p): D = 2, n_e = 3, n_p = 1, n = 4: 1 - 3 * 2 / (2 * 3 * 1) = 0
        "frame": 0.0,
        # 4 units (f,f) (a,a) (f,n) (n,n): n_f = 3, n_a = 2, n_n = 3, n = 8, D = 2
        # sum n_c n_k = 8^2 - (9 + 4 + 9) = 42: 1 - 7 * 2 / 42 = 2/3
        "stance:pooled": 2 / 3,
        # 6 units: n_f = 3, n_a = 2, n_n = 3, n_e = 3, n_p = 1, n = 12, D = 4
        # sum n_c n_k = 144 - (9 + 4 + 9 + 9 + 1) = 112: 1 - 11 * 4 / 112 = 68/112
        "pooled": 68 / 112,
    }
    assert got.index.tolist() == list(expected)
    assert got["alpha"].tolist() == pytest.approx(list(expected.values()))
    assert got["n_units"].tolist() == [2, 2, 2, 4, 6]


def test_alpha_between_each_coder_and_the_model() -> None:
    coded = _coded(
        "frame",
        a=["economic", "economic", "political", "political"],
        b=["economic", "economic", "political", N],
    )
    model = pd.DataFrame(
        {
            "sent_id": [0, 1, 2, 3, 4],  # sentence 4 was not coded: not pairable
            "item": ["frame"] * 5,
            "value": ["economic", "economic", "political", "economic", "morality"],
        }
    )
    got = agreement(coded, model=model).set_index("comparison")
    # a vs model: (e,e) (e,e) (p,p) (p,e): n_e = 5, n_p = 3, n = 8, D = 2: 1 - 7 * 2 / 30 = 16/30
    assert got.loc["a vs model", "alpha"] == pytest.approx(16 / 30)
    assert got.loc["a vs model", "n_units"] == 4
    # b agrees with the model wherever b coded
    assert got.loc["b vs model", "alpha"] == pytest.approx(1.0)
    assert (got.loc["b vs model", "n_units"], got.loc["b vs model", "n_coders"]) == (3, 2)
    assert "coders" in got.index


def test_one_coder_without_model_gives_no_rows(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="framing.quality.annotate"):
        table = agreement(_coded("frame", a=["x", "y"]))
    assert table.empty and "two coders" in caplog.text


def test_model_codes_from_scores() -> None:
    stance = pd.DataFrame(
        {
            "sent_id": [0, 0, 1],
            "target": ["russia", "ukraine", "russia"],
            "label": ["favor", "none", "against"],
        }
    )
    frames = pd.DataFrame(
        {"sent_id": [0, 0, 1, 1], "frame": ["economic", "political"] * 2, "prob": [0.9, 0.4, 0.1, 0.3]}
    )
    assert model_codes(stance=stance, frames=frames).values.tolist() == [
        [0, "stance:russia", "favor"],
        [0, "stance:ukraine", "none"],
        [1, "stance:russia", "against"],
        [0, "frame", "economic"],
        [1, "frame", "political"],
    ]


# ---------------------------------------------------------------------------
# command line


def _cli(argv: list[str]) -> int:
    return cli.main(argv)


def test_cli_export_then_import(tmp_path: Path, capsys) -> None:
    sents = tmp_path / "sentences.parquet"
    _sentences({"a": 6, "b": 2}).to_parquet(sents)
    targets = _write(tmp_path / "t.yaml", "targets:\n  - id: russia\n    description: R.\n")
    frames = _write(tmp_path / "f.yaml", "frames:\n  - id: economic\n    definition: E.\n  - id: political\n")
    sheet_path = tmp_path / "sheet.csv"
    argv = ["annotate", "export", str(sents), "-o", str(sheet_path), "-n", "4", "--coders", "a", "b"]
    assert _cli([*argv, "--targets", str(targets), "--frames", str(frames)]) == 0
    assert _cli([*argv, "--targets", str(targets), "--frames", str(frames)]) == 1  # no overwrite

    sheet = pd.read_csv(sheet_path, encoding="utf-8-sig")
    sheet["a__stance__russia"] = ["favor", "against", "none", "favor"]
    sheet["b__stance__russia"] = ["favor", "against", "none", "favor"]
    sheet["a__frame"] = sheet["b__frame"] = ["economic", "political", "economic", "political"]
    sheet.to_csv(sheet_path, index=False)
    model = tmp_path / "stance.csv"
    pd.DataFrame({"sent_id": sheet["sent_id"], "target": "russia", "label": "favor"}).to_csv(
        model, index=False
    )

    out = tmp_path / "alpha.csv"
    assert _cli(["annotate", "import", str(sheet_path), "--model", str(model), "--out", str(out)]) == 0
    table = pd.read_csv(out)
    coders = table[table["comparison"] == "coders"].set_index("item")["alpha"]
    assert coders.tolist() == [1.0, 1.0, 1.0]  # stance:russia, frame, pooled
    assert set(table["comparison"]) == {"coders", "a vs model", "b vs model"}
    assert "wrote" in capsys.readouterr().out

    sheet.loc[2, "b__frame"] = "sports"
    sheet.to_csv(sheet_path, index=False)
    assert _cli(["annotate", "import", str(sheet_path)]) == 1


def test_public_names() -> None:
    assert {"export_sample", "import_coded", "agreement", "model_codes"} <= set(framing.__all__)


def test_invalid_codebook_names_the_file(tmp_path: Path) -> None:
    book = _write(tmp_path / "broken.yaml", "frames:\n  - id: economic\n    definition: a: b: c\n")
    with pytest.raises(ValueError, match="broken.yaml.*not valid YAML"):
        export_sample(_sentences({"a": 2}), tmp_path / "s.csv", targets=TARGETS, frames=book)
