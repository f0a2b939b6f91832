"""Carriage: which claims of a readout an article carried (quoted, paraphrased) or dropped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from framing.analysis.alignment._common import Sentences, _claims
from framing.analysis.alignment._matching import align
from framing.analysis.alignment._quotations import quote_fidelity


@dataclass
class Carriage:
    """What an article carried of a readout.

    Attributes
    ----------
    claims
        One row per readout claim: ``claim_id, text, status`` (``quoted``,
        ``paraphrased``, ``dropped``), ``article_ids`` (sentences carrying it),
        ``similarity`` (best sentence) and ``quote_ids``.
    quotes
        One row per quotation attributed to the readout's source: ``quote_id,
        sent_id, text, fidelity, ratio, claim_id, source_wording, edit, spelling``.

    Examples
    --------
    >>> c = Carriage(claims=pd.DataFrame({"claim_id": ["r1"], "status": ["dropped"]}),
    ...              quotes=pd.DataFrame(columns=["quote_id", "fidelity"]))
    >>> c.summary().to_dict()
    {'quoted': 0, 'paraphrased': 0, 'dropped': 1}
    """

    claims: pd.DataFrame
    quotes: pd.DataFrame

    def summary(self) -> pd.Series:
        """Number of readout claims per status (quoted, paraphrased, dropped).

        Returns
        -------
        pandas.Series
            Indexed ``quoted, paraphrased, dropped``, zeros included.

        Examples
        --------
        >>> c = Carriage(claims=pd.DataFrame({"status": ["quoted", "dropped", "dropped"]}),
        ...              quotes=pd.DataFrame())
        >>> c.summary().tolist()
        [1, 0, 2]
        """
        order = ["quoted", "paraphrased", "dropped"]
        return self.claims["status"].value_counts().reindex(order, fill_value=0)


def carriage(
    readout: Sentences,
    article_sentences: pd.DataFrame | Sequence[str],
    quotes: pd.DataFrame | None = None,
    *,
    source: str | None = None,
    model: Any = None,
    threshold: float | None = None,
    near_ratio: float | None = None,
) -> Carriage:
    """Which claims of a readout an article carried, and how faithfully it quoted them.

    Parameters
    ----------
    readout
        The readout's sentences (list or sentence table): its claims.
    article_sentences
        The article's sentences (list or table with ``text`` and ``sent_id``).
    quotes
        The article's quotations (:func:`framing.quotes`: ``quote_id, sent_id,
        text, source``). ``None``: no quotation is checked.
    source
        The readout's source as attribution names it (``"Downing Street
        readout"``); only quotations credited to it are checked. ``None``:
        every quotation.
    model
        A loaded sentence encoder (``framing.load_model()``), as in :func:`align`.
    threshold
        Similarity threshold for paraphrases, as in :func:`align`.
    near_ratio
        Passed to :func:`quote_fidelity`.

    Returns
    -------
    Carriage
        ``claims``: a claim is ``quoted`` when an exact or near quotation comes
        from it, else ``paraphrased`` when an article sentence aligns with it
        (one-to-many), else ``dropped``. ``quotes``: the fidelity of each quotation.

    Examples
    --------
    >>> import framing
    >>> c = carriage(["The Prime Minister emphasised the UK's commitment to Ukraine's sovereignty."],
    ...              ["He “emphasized the UK's commitment to Ukraine's sovereignty,” it said."],
    ...              pd.DataFrame({"quote_id": ["q0"], "sent_id": ["a1"],
    ...                            "text": ["emphasized the UK's commitment to Ukraine's sovereignty,"]}),
    ...              model=framing.load_model())  # doctest: +SKIP
    >>> c.claims["status"].tolist(), c.quotes["fidelity"].tolist()  # doctest: +SKIP
    (['quoted'], ['exact'])
    """
    ro = _claims(readout, "r")
    art = _claims(article_sentences, "s")
    table = align(ro, art, model=model, threshold=threshold, mode="one_to_many")
    a_rows = table[table["side"] == "a"].set_index("claim_id")
    qrows = []
    q = quotes if quotes is not None else pd.DataFrame(columns=["quote_id", "sent_id", "text"])
    if source is not None and "source" in q.columns:
        q = q[q["source"] == source]
    for _, row in q.iterrows():
        fid = quote_fidelity(row["text"], ro["text"].tolist(), near_ratio=near_ratio)
        si = fid.pop("source_index")
        qrows.append({"quote_id": row.get("quote_id"), "sent_id": row.get("sent_id"), "text": row["text"],
                      **fid, "claim_id": ro["claim_id"].iloc[si] if si is not None else None})
    qt = pd.DataFrame(qrows, columns=["quote_id", "sent_id", "text", "fidelity", "ratio", "claim_id",
                                      "source_wording", "edit", "spelling"])
    crow = []
    for _, claim in ro.iterrows():
        a = a_rows.loc[claim["claim_id"]]
        faithful = qt[(qt["claim_id"] == claim["claim_id"]) & qt["fidelity"].isin(["exact", "near"])]
        shared = a["status"] == "shared"
        ids = [s for s in (a["counterpart_id"] or "").split("; ") if s] if shared else []
        ids += [s for s in faithful["sent_id"].astype(str) if s not in ids]
        crow.append({
            "claim_id": claim["claim_id"],
            "text": claim["text"],
            "status": "quoted" if len(faithful) else "paraphrased" if shared else "dropped",
            "article_ids": "; ".join(ids),
            "similarity": a["similarity"],
            "quote_ids": "; ".join(faithful["quote_id"].astype(str)),
        })
    claims = pd.DataFrame(crow, columns=["claim_id", "text", "status", "article_ids", "similarity",
                                         "quote_ids"])
    claims.attrs.update(table.attrs)
    return Carriage(claims=claims, quotes=qt)
