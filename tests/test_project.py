"""The project's layout, its environment files and its committed notebooks."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "rt-2021-12-13-putin-johnson-call.txt"


def _name(req: str) -> str:
    """Normalised distribution name of a requirement string."""
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


# conda-forge names that differ from PyPI's (mkdocstrings-python is PyPI's mkdocstrings[python])
_CONDA_TO_PYPI = {"pytorch-cpu": "torch", "mkdocstrings-python": "mkdocstrings"}


def _environment_names() -> tuple[set[str], set[str]]:
    import yaml  # installed with jupyter

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = set(), set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip |= {_name(d) for d in dep["pip"] if not d.startswith("-e")}
        else:
            conda.add(_CONDA_TO_PYPI.get(_name(dep), _name(dep)))
    return conda - {"python", "pip"}, pip


def test_environment_yml_lists_exactly_the_pyproject_dependencies() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(d) for d in meta["dependencies"]}
    wanted |= {_name(d) for d in meta["optional-dependencies"]["dev"]}
    conda, pip = _environment_names()
    assert conda | pip == wanted
    assert not conda & pip, "a package is listed both for conda and for pip"


def test_environment_yml_never_installs_torch_with_pip() -> None:
    _, pip = _environment_names()
    assert "torch" not in pip


def test_makefile_installs_the_cpu_torch_first() -> None:
    text = (ROOT / "Makefile").read_text()
    torch_at = text.index("$(TORCH)\n")
    assert "torch==2.13.0" in text
    assert torch_at < text.index('-e ".[dev]"')


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make reports" in readme
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_required_layout_exists() -> None:
    for rel in ["src/framing/__init__.py", "notebooks", "data/raw/sources.csv", "environment.yml",
                "README.md", "LICENSE", "Makefile", ".ci/run"]:
        assert (ROOT / rel).exists(), rel


def test_derived_folders_are_ignored_by_git() -> None:
    probe = ["data/interim/x.parquet", "data/processed/x.parquet", "reports/x.html", ".venv/x"]
    out = subprocess.run(["git", "check-ignore", *probe], cwd=ROOT, capture_output=True, text=True)
    assert sorted(out.stdout.split()) == sorted(probe)


def test_manifest_describes_every_raw_file() -> None:
    import pandas as pd

    manifest = pd.read_csv(ROOT / "data" / "raw" / "sources.csv")
    assert manifest["doc_id"].is_unique
    assert {"doc_id", "outlet", "title", "date", "url", "kind", "licence"} <= set(manifest.columns)
    manifests = {"sources.csv", "originals.csv"}  # originals.csv lists URLs to fetch, not files here
    files = {p.name for p in (ROOT / "data" / "raw").iterdir() if p.name not in manifests}
    assert set(manifest["path"]) == files
    assert set(manifest["kind"]) <= {"article", "readout", "interview"}


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed is not beside this checkout")
def test_raw_seed_is_the_shared_seed_unchanged() -> None:
    raw = ROOT / "data" / "raw" / SEED.name
    assert hashlib.sha256(raw.read_bytes()).digest() == hashlib.sha256(SEED.read_bytes()).digest()


@pytest.mark.parametrize("nb", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(nb: Path) -> None:
    cells = json.loads(nb.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert not any(c.get("outputs") for c in code)
    assert not any(c.get("execution_count") for c in code)


@pytest.mark.parametrize("nb", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_have_a_title_and_a_parameters_cell(nb: Path) -> None:
    cells = json.loads(nb.read_text())["cells"]
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# ")
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
