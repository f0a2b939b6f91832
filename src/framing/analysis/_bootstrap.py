"""Percentile bootstrap of group means: sums per resampling unit, multinomial weights, intervals."""

from __future__ import annotations

import warnings

import numpy as np

CHUNK = 256  # bootstrap replicates computed at once (bounds memory on large corpora)


def unit_sums(values: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit sums and counts of non-missing values; units are integer codes 0..m-1."""
    m = int(units.max()) + 1 if len(units) else 0
    ok = ~np.isnan(values)
    sums = np.zeros((m, values.shape[1]))
    counts = np.zeros((m, values.shape[1]))
    np.add.at(sums, units, np.where(ok, values, 0.0))
    np.add.at(counts, units, ok.astype(float))
    return sums, counts


def weights(m: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """How often each of ``m`` units is drawn in ``size`` bootstrap replicates."""
    return rng.multinomial(m, np.full(m, 1.0 / m), size=size).astype(float)


def boot_ratio(sums: np.ndarray, counts: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap replicates of sum/count, resampling the rows (units) with replacement."""
    out = np.empty((n_boot, sums.shape[1]))
    for lo in range(0, n_boot, CHUNK):
        w = weights(sums.shape[0], min(CHUNK, n_boot - lo), rng)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[lo : lo + len(w)] = (w @ sums) / (w @ counts)
    return out


def interval(boots: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval at level ``ci`` of each column of the replicates (NaN where all are NaN)."""
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1 (e.g. 0.95), got {ci}")
    q = [(1 - ci) / 2 * 100, (1 + ci) / 2 * 100]
    with warnings.catch_warnings():  # all-NaN columns (a group with no scores) give NaN, not a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanpercentile(boots, q, axis=0)
    return lo, hi
