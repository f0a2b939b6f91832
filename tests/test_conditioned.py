"""The target-conditioned classifier: a scikit-learn classifier, deterministic, scoring targets it never
saw from their description."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from test_models import build_tiny

from framing.scoring.conditioned import TargetConditionedClassifier

BOOK = """\
version: 1
targets:
  - id: talks
    name: Talks
    description: Negotiations between the parties.
  - id: troops
    name: Troops
    description: Sending soldiers to the border.
  - id: peace
    name: Peace
    description: An end to the war.
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny") / "m")


def _pairs() -> tuple[pd.DataFrame, list[str]]:
    texts = ["the leaders agreed to continue talks .", "nato must stop expanding .", "war",
             "troops and the border"]
    rows = [(t, target) for t in texts for target in ("talks", "troops")]
    labels = ["favor", "none", "against", "favor", "none", "none", "none", "against"]
    return pd.DataFrame(rows, columns=["text", "target"]), labels


def test_it_fits_deterministically_and_scores_an_unseen_target(tiny: Path, tmp_path: Path) -> None:
    book = tmp_path / "targets.yaml"
    book.write_text(BOOK, encoding="utf-8")
    X, y = _pairs()
    clf = TargetConditionedClassifier(model=str(tiny), codebook=book, epochs=2, batch_size=4, threads=1)
    first = clf.fit(X, y).predict_proba(X)
    again = clone(clf).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    assert first.shape == (8, 3) and np.allclose(first.sum(axis=1), 1)
    assert list(clf.classes_) == ["against", "favor", "none"]
    unseen = pd.DataFrame({"text": ["war"], "target": ["peace"]})  # never in training
    assert clf.predict_proba(unseen).shape == (1, 3)
    assert clf.predict(unseen)[0] in {"against", "favor", "none"}
    with pytest.raises(KeyError, match="not in the codebook"):
        clf.predict_proba(pd.DataFrame({"text": ["war"], "target": ["nowhere"]}))


def test_none_pairs_are_subsampled_per_epoch(tiny: Path) -> None:
    clf = TargetConditionedClassifier(model=str(tiny), none_ratio=0.5)
    y = np.array([0, 1, 2, 2, 2, 2, 2, 2])  # favor, against, six none
    rows = clf._epoch_rows(y, np.random.default_rng(0))
    assert sorted(rows[y[rows] != 2]) == [0, 1] and (y[rows] == 2).sum() == 1
