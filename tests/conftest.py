"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

import framing

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_paths() -> framing.config.Paths:  # type: ignore[name-defined]
    return framing.paths(ROOT)
