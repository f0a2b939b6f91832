"""Group means and differences with bootstrap intervals, shared by compare and outlets.

Sentences are resampled within each group; when the table holds several
documents, whole documents are resampled (a cluster bootstrap). A
document-level interval needs documents: a group with fewer than ``min_docs``
of them is flagged ``few_documents`` and gets no interval, since a handful of
resampled documents says little about how much the mean could move.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from framing.analysis._bootstrap import CHUNK, boot_ratio, interval, unit_sums, weights

log = logging.getLogger(__name__)

Resample = Literal["auto", "sentences", "documents"]
MIN_DOCS = 5  # fewer documents than this in a group: no document-level interval


def require(df: pd.DataFrame, columns: Sequence[str], table: str, hint: str = "") -> None:
    """Raise a KeyError naming the missing columns of a table and the columns it has."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(
            f"the {table} table has no column(s) {', '.join(map(repr, missing))}"
            f" (it has {', '.join(map(str, df.columns))}){'; ' + hint if hint else ''}"
        )


def grouped(sentences: pd.DataFrame, by: str, *, include_title: bool) -> pd.DataFrame:
    """``sent_id, doc_id, by`` of the sentences that have a group (headlines left out on request)."""
    require(sentences, ["sent_id", "doc_id", by], "sentences", "pass by= one of its columns")
    s = sentences
    if not include_title and "is_title" in s.columns:
        s = s[~s["is_title"].astype(bool)]
    dropped = int(s[by].isna().sum())
    if dropped:
        log.warning("%d sentence(s) without a %r are left out of the comparison", dropped, by)
    s = s[s[by].notna()]
    return s.assign(sent_id=s["sent_id"].astype(str))[["sent_id", "doc_id", by]]


def wide(sentences: pd.DataFrame, long: pd.DataFrame, *, by: str, item: str, value: str,
         include_title: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join a long score table to the sentences; return (meta, values) indexed by sent_id."""
    meta = grouped(sentences, by, include_title=include_title).drop_duplicates("sent_id")
    long = long.assign(sent_id=long["sent_id"].astype(str))
    values = long.pivot_table(index="sent_id", columns=item, values=value, aggfunc="mean", sort=True)
    n_grouped = len(meta)
    meta = meta[meta["sent_id"].isin(values.index)].set_index("sent_id")
    if n_grouped - len(meta):
        log.warning("%d sentence(s) have no %s scores and are left out", n_grouped - len(meta), value)
    return meta, values.reindex(meta.index)


def unit_of(meta: pd.DataFrame, resample: Resample) -> Literal["sentences", "documents"]:
    """The resampling unit: documents when asked, or on ``"auto"`` when there are several."""
    if resample == "auto":
        return "documents" if meta["doc_id"].nunique() > 1 else "sentences"
    if resample not in ("sentences", "documents"):
        raise ValueError(f"resample must be 'auto', 'sentences' or 'documents', got {resample!r}")
    return resample


def note(n: int, min_n: int, n_docs: int | None = None, min_docs: int = MIN_DOCS) -> str:
    """Why a group's result cannot be read as a finding ('' when it can)."""
    notes = []
    if n < min_n:
        notes.append(f"too few sentences to conclude ({n} < {min_n})")
    if n_docs is not None and n_docs < min_docs:
        notes.append(f"too few documents for a document-level interval ({n_docs} < {min_docs})")
    if n < 2:
        notes.append("no interval from a single sentence")
    return "; ".join(notes)


def group_means(meta: pd.DataFrame, values: pd.DataFrame, *, by: str, item: str, n_boot: int, ci: float,
                random_state: int | None, min_n: int, resample: Resample,
                min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """Mean of each item per group, with its interval and flags."""
    unit = unit_of(meta, resample)
    rows = []
    for group, m in meta.groupby(by, sort=True):
        x = values.loc[m.index].to_numpy(dtype=float)
        n_docs = int(m["doc_id"].nunique())
        few_docs = unit == "documents" and n_docs < min_docs
        used = "documents" if unit == "documents" and n_docs > 1 else "sentences"
        codes = (pd.factorize(m["doc_id"])[0] if used == "documents" else np.arange(len(m)))
        sums, counts = unit_sums(x, codes)
        with np.errstate(invalid="ignore", divide="ignore"):
            point = sums.sum(0) / counts.sum(0)
        rng = np.random.default_rng(random_state)
        lo, hi = interval(boot_ratio(sums, counts, n_boot, rng), ci)
        for j, it in enumerate(values.columns):
            n = int(counts[:, j].sum())
            blank = n < 2 or few_docs
            rows.append({
                by: group, item: it, "n": n, "n_docs": n_docs, "mean": point[j],
                "ci_low": np.nan if blank else lo[j], "ci_high": np.nan if blank else hi[j],
                "too_small": n < min_n, "few_documents": few_docs, "resampled": used,
                "note": note(n, min_n, n_docs if unit == "documents" else None, min_docs),
            })
    return pd.DataFrame(rows)


def _boot_difference(meta: pd.DataFrame, values: pd.DataFrame, is_a: np.ndarray, n_boot: int,
                     rng: np.random.Generator, shared: bool) -> tuple[np.ndarray, ...]:
    """Replicates of mean(a) − mean(b), resampling documents (jointly when the groups share them)."""
    docs = pd.factorize(meta["doc_id"])[0]
    x = values.loc[meta.index].to_numpy(float)
    sa, ca = unit_sums(np.where(is_a[:, None], x, np.nan), docs)
    sb, cb = unit_sums(np.where(~is_a[:, None], x, np.nan), docs)
    if shared:
        # both groups' sentences from one article move together
        boots = np.empty((n_boot, values.shape[1]))
        for lo in range(0, n_boot, CHUNK):
            w = weights(len(sa), min(CHUNK, n_boot - lo), rng)
            with np.errstate(invalid="ignore", divide="ignore"):
                boots[lo : lo + len(w)] = (w @ sa) / (w @ ca) - (w @ sb) / (w @ cb)
    else:
        # disjoint documents (two outlets): each group's documents are resampled on their own
        in_a = np.zeros(len(sa), bool)
        in_a[np.unique(docs[is_a])] = True
        boots = (boot_ratio(sa[in_a], ca[in_a], n_boot, rng)
                 - boot_ratio(sb[~in_a], cb[~in_a], n_boot, rng))
    return boots, sa, ca, sb, cb


def difference(meta: pd.DataFrame, values: pd.DataFrame, a: str, b: str, *, by: str, item: str, n_boot: int,
               ci: float, random_state: int | None, min_n: int, resample: Resample,
               min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """Difference of the means of groups ``a`` and ``b`` (``a − b``) per item, with interval and flags."""
    present = set(meta[by])
    for g in (a, b):
        if g not in present:
            raise ValueError(f"no sentences with {by} == {g!r}; the groups are: {sorted(map(str, present))}")
    meta = meta[meta[by].isin([a, b])]
    unit = unit_of(meta, resample)
    used = "documents" if unit == "documents" and meta["doc_id"].nunique() > 1 else "sentences"
    rng = np.random.default_rng(random_state)
    is_a = (meta[by] == a).to_numpy()
    docs_a, docs_b = set(meta.loc[is_a, "doc_id"]), set(meta.loc[~is_a, "doc_id"])
    if used == "documents":
        boots, sa, ca, sb, cb = _boot_difference(meta, values, is_a, n_boot, rng, bool(docs_a & docs_b))
    else:
        xa, xb = values.loc[meta.index[is_a]].to_numpy(float), values.loc[meta.index[~is_a]].to_numpy(float)
        sa, ca = unit_sums(xa, np.arange(len(xa)))
        sb, cb = unit_sums(xb, np.arange(len(xb)))
        boots = boot_ratio(sa, ca, n_boot, rng) - boot_ratio(sb, cb, n_boot, rng)
    lo, hi = interval(boots, ci)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_a, mean_b = sa.sum(0) / ca.sum(0), sb.sum(0) / cb.sum(0)
    few = [f"{g} has {k} document(s) < {min_docs}" for g, k in ((a, len(docs_a)), (b, len(docs_b)))
           if unit == "documents" and k < min_docs]
    rows = []
    for j, it in enumerate(values.columns):
        n_a, n_b = int(ca[:, j].sum()), int(cb[:, j].sum())
        small = [f"{g} has {k} < {min_n}" for g, k in ((a, n_a), (b, n_b)) if k < min_n]
        blank = min(n_a, n_b) < 2 or bool(few)
        notes = (["too few sentences to conclude: " + ", ".join(small)] if small else []) + (
            ["no document-level interval: " + ", ".join(few)] if few else [])
        rows.append({
            item: it, "a": a, "b": b, "n_a": n_a, "n_b": n_b,
            "n_docs_a": len(docs_a), "n_docs_b": len(docs_b),
            "mean_a": mean_a[j], "mean_b": mean_b[j], "difference": mean_a[j] - mean_b[j],
            "ci_low": np.nan if blank else lo[j], "ci_high": np.nan if blank else hi[j],
            "too_small": bool(small), "few_documents": bool(few), "resampled": used, "note": "; ".join(notes),
        })
    out = pd.DataFrame(rows)
    out["excludes_zero"] = (out["ci_low"] > 0) | (out["ci_high"] < 0)
    return out
