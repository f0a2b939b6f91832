"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_models import NLI_LABELS, build_tiny

import framing

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_paths() -> framing.config.Paths:  # type: ignore[name-defined]
    return framing.paths(ROOT)


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny random encoder and a tiny random NLI model, built offline for the scoring tests."""
    return {
        "encoder": build_tiny(tmp_path_factory.mktemp("enc")),
        "nli": build_tiny(tmp_path_factory.mktemp("nli"), id2label=NLI_LABELS),
    }
