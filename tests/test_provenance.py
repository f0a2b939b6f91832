"""Provenance records and tables written with them."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

import framing
from framing import _codebooks

MODEL = {
    "model": "sentence-transformers/all-MiniLM-L6-v2", "weights_sha256": "53aa" * 16, "precision": "bf16"
}


def test_provenance_records_version_model_codebooks_and_inputs(tmp_path) -> None:
    data = tmp_path / "article.txt"
    data.write_bytes(b"Putin outlines Russian view\n")
    p = framing.provenance(model_info=MODEL, codebooks=["markers.yaml"], inputs=[data])
    assert p["framing_version"] == framing.__version__
    assert p["model"]["model"] == MODEL["model"]
    assert p["model"]["weights_sha256"] == MODEL["weights_sha256"]
    assert p["model"]["precision"] == "bf16"
    assert p["codebooks"] == {"markers.yaml": _codebooks.digest("markers.yaml")}
    assert p["codebooks_sha256"] == _codebooks.digest("markers.yaml")
    assert p["inputs"] == [{"path": str(data), "bytes": 28,
                            "sha256": hashlib.sha256(b"Putin outlines Russian view\n").hexdigest()}]
    json.dumps(p)  # serialisable as it is


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({"model_id": "org/m", "weights_hash": "ff", "precision": "fp32"}, ("org/m", "ff", "fp32")),
        ({"name": "local", "sha256": "00", "dtype": "bf16"}, ("local", "00", "bf16")),
        ({"model": "m"}, ("m", None, None)),
    ],
)
def test_model_info_keys_are_understood(info, expected) -> None:
    m = framing.provenance(model_info=info, codebooks=[])["model"]
    assert (m["model"], m["weights_sha256"], m["precision"]) == expected


def test_no_model_and_missing_codebooks_are_said_not_hidden() -> None:
    p = framing.provenance(codebooks=["markers.yaml", "no-such-codebook.yaml"])
    assert p["model"] is None
    assert p["codebooks_missing"] == ["no-such-codebook.yaml"]
    assert list(p["codebooks"]) == ["markers.yaml"]


def test_default_codebooks_are_every_shipped_one() -> None:
    assert set(framing.provenance()["codebooks"]) == set(_codebooks.available())


def test_a_changed_input_changes_its_hash(tmp_path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("one")
    before = framing.provenance(inputs=[f], codebooks=[])["inputs"][0]["sha256"]
    f.write_text("two")
    assert framing.provenance(inputs=[f], codebooks=[])["inputs"][0]["sha256"] != before


def test_a_missing_input_is_an_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="nothing.txt"):
        framing.provenance(inputs=[tmp_path / "nothing.txt"])


def test_write_table_stores_provenance_in_sidecar_and_schema(tmp_path) -> None:
    df = pd.DataFrame({"source": ["Kremlin readout", "narrator"], "mean": [0.25, -0.5]})
    p = framing.provenance(model_info=MODEL, codebooks=["markers.yaml"])
    path = framing.write_table(df, "stance_by_source", provenance=p, folder=tmp_path)
    assert path == tmp_path / "stance_by_source.parquet"
    pd.testing.assert_frame_equal(pd.read_parquet(path), df)
    sidecar = json.loads((tmp_path / "stance_by_source.provenance.json").read_text())
    in_schema = json.loads(pq.read_schema(path).metadata[b"framing.provenance"])
    assert sidecar == in_schema
    assert in_schema["model"]["weights_sha256"] == MODEL["weights_sha256"]
    assert framing.read_provenance(path) == in_schema


def test_write_table_defaults_to_data_processed(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FRAMING_ROOT", str(tmp_path))
    path = framing.write_table(pd.DataFrame({"x": [1]}), "t", provenance={"framing_version": "x"})
    assert path == tmp_path / "data" / "processed" / "t.parquet"


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden"])
def test_write_table_refuses_names_that_are_paths(tmp_path, name) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        framing.write_table(pd.DataFrame({"x": [1]}), name, provenance={}, folder=tmp_path)


def test_provenance_is_the_function_whatever_was_imported_before() -> None:
    code = (
        "import framing, framing.pipeline\n"
        "framing.write_table\n"
        "p = framing.provenance(codebooks=[])\n"
        "assert p['framing_version'] == framing.__version__\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_backend_and_compute_type_are_recorded_and_listed_in_the_report_table() -> None:
    from framing.report import provenance_table

    info = {**MODEL, "precision": "int8", "backend": "ctranslate2", "compute_type": "int8_float32"}
    m = framing.provenance(model_info=info, codebooks=[])["model"]
    assert (m["backend"], m["compute_type"]) == ("ctranslate2", "int8_float32")
    table = provenance_table({"framing_version": "0", "model": m}).set_index("item")["value"]
    assert table["model backend"] == "ctranslate2"
    assert table["model compute_type"] == "int8_float32"
    assert table["model precision"] == "int8"
    legacy = framing.provenance(model_info=MODEL, codebooks=[])["model"]  # a record from before backends
    assert legacy["backend"] is None and legacy["compute_type"] is None
    assert "model backend" not in set(provenance_table({"model": legacy})["item"])
