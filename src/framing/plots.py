"""Figures: stance heatmap, frame profiles, distinctive words, prominence, outlets, markers, topics.

Every function takes a table computed by :mod:`framing.analysis` (compare,
markers, alignment) and returns ``fig, ax`` (the marker table returns a
styled DataFrame); nothing here computes an analysis. Each source keeps one
colour in every figure: colours come from :func:`palette`, which assigns a
colour-blind-safe colour (seaborn's "colorblind") to a source the first time
it is seen in the Python session and keeps it after that; the outlet's own
voice (``narrator``) is grey. Pass ``palette=`` to any function to fix the
colours yourself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

GREY = "#949494"  # seaborn colorblind's grey, kept for the outlet's own voice
NEUTRAL = frozenset({"narrator", "outlet"})
_ASSIGNED: dict[str, str] = {}


def _colours() -> list[str]:
    return [c for c in sns.color_palette("colorblind", 10).as_hex() if c.lower() != GREY]


def palette(sources: Iterable[Any]) -> dict[str, str]:
    """One colour per source, the same in every figure of the session.

    New sources get the next colour of seaborn's colour-blind-safe
    "colorblind" palette, in sorted order; ``narrator`` and ``outlet`` are grey.

    Parameters
    ----------
    sources
        Source names (any values; they are turned into strings).

    Returns
    -------
    dict
        Source name → hex colour, in the order given.

    Examples
    --------
    >>> pal = palette(["Kremlin readout", "narrator"])
    >>> pal["narrator"]
    '#949494'
    >>> palette(["Downing Street readout", "Kremlin readout"])["Kremlin readout"] == pal["Kremlin readout"]
    True
    """
    names = list(dict.fromkeys(str(s) for s in sources))
    colours = _colours()
    for name in sorted(n for n in names if n not in _ASSIGNED):
        if name.lower() in NEUTRAL:
            _ASSIGNED[name] = GREY
            continue
        used = [c for c in _ASSIGNED.values() if c != GREY]
        free = [c for c in colours if c not in used]
        _ASSIGNED[name] = free[0] if free else colours[len(used) % len(colours)]
    return {n: _ASSIGNED[n] for n in names}


def reset_palette() -> None:
    """Forget the colours assigned so far (the next figures start again).

    Examples
    --------
    >>> reset_palette()
    >>> palette(["B", "A"])["A"] == palette(["C"])["C"]
    False
    """
    _ASSIGNED.clear()


_palette_of = palette  # for the functions whose ``palette=`` argument hides the function


def _colours_for(groups: Iterable[Any], given: Mapping[str, str] | None) -> dict[str, str]:
    groups = [str(g) for g in groups]
    if given is None:
        return palette(groups)
    missing = [g for g in groups if g not in given]
    return {**palette(missing), **{str(k): v for k, v in given.items()}}


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def _legend(ax: Axes, handles: list[Any] | None = None, *, title: str | None = None, ncol: int = 2) -> None:
    """A legend below the plot, outside the data (inside the axes when drawing on a user's axes)."""
    fig = ax.figure
    kwargs: dict[str, Any] = {"title": title, "frameon": False}
    if handles is not None:
        kwargs["handles"] = handles
    if fig.get_layout_engine() is not None and len(fig.axes) <= 2:  # our own figure (plot + colour bar)
        fig.legend(loc="outside lower center", ncol=ncol, **kwargs)
    else:
        ax.legend(loc="best", **kwargs)


def _signed(x: float) -> str:
    return f"{x:+.2f}".replace("-", "\u2212")


def _label(name: str) -> str:
    return str(name).replace("_", " ")


# --------------------------------------------------------------------------- stance


def stance_heatmap(table: pd.DataFrame, *, by: str = "source", ax: Axes | None = None,
                   title: str | None = None) -> tuple[Figure, Axes]:
    """Heatmap of mean stance per group (rows) and target (columns), annotated with the interval.

    Parameters
    ----------
    table
        The output of :func:`framing.stance_by_group`, or of
        :func:`framing.outlet_stance` for one source (``by="outlet"``): an
        outlet × target heatmap. Groups flagged ``too_small`` are marked † on
        their row; cells flagged ``few_documents`` are hatched, marked ‡ and
        have no interval.
    by
        The grouping column of ``table``.
    ax, title
        Axes to draw on (default a new figure) and a title (default says what is shown).

    Returns
    -------
    fig, ax
        The figure and the axes drawn on.

    Examples
    --------
    >>> import framing
    >>> t = pd.DataFrame({"source": ["K", "D"], "target": "nato", "n": [9, 2], "mean": [0.3, -0.1],
    ...                   "ci_low": [0.1, -0.6], "ci_high": [0.5, 0.4], "too_small": [False, True]})
    >>> fig, ax = stance_heatmap(t)
    >>> ax.texts[0].get_text()
    '+0.30\\n[+0.10, +0.50]'
    """
    means = table.pivot(index=by, columns="target", values="mean")
    means = means.reindex(index=pd.unique(table[by]), columns=pd.unique(table["target"]))
    lo = table.pivot(index=by, columns="target", values="ci_low").reindex_like(means)
    hi = table.pivot(index=by, columns="target", values="ci_high").reindex_like(means)
    annot = np.empty(means.shape, dtype=object)
    for i in range(means.shape[0]):
        for j in range(means.shape[1]):
            m, a, b = means.iat[i, j], lo.iat[i, j], hi.iat[i, j]
            if pd.isna(m):
                annot[i, j] = ""
            elif pd.isna(a) or pd.isna(b):
                annot[i, j] = f"{_signed(m)}\n(no interval)"
            else:
                annot[i, j] = f"{_signed(m)}\n[{_signed(a)}, {_signed(b)}]"
    few = (table.pivot(index=by, columns="target", values="few_documents").reindex_like(means)
           .fillna(False).astype(bool) if "few_documents" in table.columns else means.notna() & False)
    annot = np.where(few.to_numpy(), np.char.add(annot.astype(str), " ‡"), annot)
    n = table.groupby(by)["n"].max().reindex(means.index)
    small = (table.groupby(by)["too_small"].any().reindex(means.index)
             if "too_small" in table.columns else pd.Series(False, index=means.index))
    rows = [f"{g} (n = {k}){' †' if s else ''}" for g, k, s in zip(means.index, n, small, strict=True)]
    fig, ax = _axes(ax, (1.9 * means.shape[1] + 3.5, 0.9 * means.shape[0] + 1.8))
    sns.heatmap(means.astype(float), annot=annot, fmt="", cmap="vlag", center=0, vmin=-1, vmax=1,
                linewidths=0.5, linecolor="white", ax=ax,
                cbar_kws={"label": "mean stance score (favour \u2212 against)"})
    ax.set_yticklabels(rows, rotation=0)
    ax.set_xticklabels([_label(t) for t in means.columns], rotation=0)
    ax.set_xlabel("target")
    ax.set_ylabel(_label(by))
    ax.set_title(title or f"Mean stance toward each target, by {_label(by)} (with bootstrap interval)")
    for i, j in zip(*np.nonzero(few.to_numpy()), strict=True):
        ax.add_patch(Rectangle((j, i), 1, 1, fill=False, hatch="///", edgecolor="#777777", linewidth=0))
    notes = (["† too few sentences to conclude anything"] if small.any() else []) + (
        ["‡ too few documents for a document-level interval"] if few.to_numpy().any() else [])
    if notes:
        ax.annotate("\n".join(notes), xy=(0, -0.02), xycoords="axes fraction", xytext=(0, -28),
                    textcoords="offset points", ha="left", va="top", fontsize=9, color="#444444")
    return fig, ax


# --------------------------------------------------------------------------- frames


def frame_profile_chart(profile: pd.DataFrame, *, by: str = "source", top: int | None = 8,
                        frames: list[str] | None = None, palette: Mapping[str, str] | None = None,
                        ax: Axes | None = None, title: str | None = None) -> tuple[Figure, Axes]:
    """Grouped bars: the share of each frame per group, with interval error bars.

    Parameters
    ----------
    profile
        The output of :func:`framing.frame_profile`.
    top
        Show the frames with the largest share in any group (``None``: all).
    frames
        Show these frames instead, in this order.

    Returns
    -------
    fig, ax
        The figure and the axes drawn on.

    Examples
    --------
    >>> p = pd.DataFrame({"source": ["K", "K", "D", "D"], "frame": ["legality", "political"] * 2,
    ...                   "n": 4, "share": [0.5, 0.2, 0.1, 0.6], "ci_low": [0.4, 0.1, 0.0, 0.5],
    ...                   "ci_high": [0.6, 0.3, 0.2, 0.7]})
    >>> fig, ax = frame_profile_chart(p)
    >>> len(ax.patches)
    4
    """
    if frames is None:
        order = profile.groupby("frame")["share"].max().sort_values(ascending=False)
        frames = list(order.index[:top] if top is not None else order.index)
    groups = sorted(profile[by].dropna().unique(), key=str)
    colours = _colours_for(groups, palette)
    fig, ax = _axes(ax, (8.5, 0.35 * len(frames) * max(len(groups), 2) + 1.8))
    height = 0.8 / max(len(groups), 1)
    y = np.arange(len(frames))
    for k, g in enumerate(groups):
        d = profile[profile[by] == g].set_index("frame").reindex(frames)
        share = d["share"].to_numpy(float)
        err = np.vstack([np.nan_to_num(share - d["ci_low"].to_numpy(float)),
                         np.nan_to_num(d["ci_high"].to_numpy(float) - share)]).clip(min=0)
        n = int(d["n"].max()) if "n" in d and d["n"].notna().any() else 0
        small = bool(d["too_small"].any()) if "too_small" in d else False
        ax.barh(y + (k - (len(groups) - 1) / 2) * height, np.nan_to_num(share), height=height,
                color=colours[str(g)], xerr=err, ecolor="#333333", capsize=2,
                label=f"{g} (n = {n}){', too few to conclude' if small else ''}")
    ax.set_yticks(y, [_label(f) for f in frames])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of sentences carrying the frame (mean probability)")
    _legend(ax, title=_label(by), ncol=2)
    ax.set_title(title or f"Frames used by each {_label(by)} (with bootstrap interval)")
    return fig, ax


# --------------------------------------------------------------------------- distinctive words


def distinctive_words_chart(words: pd.DataFrame, *, n: int = 10, palette: Mapping[str, str] | None = None,
                            ax: Axes | None = None, title: str | None = None) -> tuple[Figure, Axes]:
    """Diverging bars of the words most typical of each group (log-odds z-scores).

    Parameters
    ----------
    words
        The output of :func:`framing.distinctive_words`.
    n
        Words shown on each side.

    Returns
    -------
    fig, ax
        The figure and the axes drawn on.

    Examples
    --------
    >>> w = pd.DataFrame({"word": ["war", "talks"], "z": [2.0, -1.5], "favours": ["K", "D"]})
    >>> fig, ax = distinctive_words_chart(w)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['war', 'talks']
    """
    a = words.attrs.get("a") or next(iter(words.loc[words["z"] > 0, "favours"]), "a")
    b = words.attrs.get("b") or next(iter(words.loc[words["z"] < 0, "favours"]), "b")
    pos = words[words["z"] > 0].nlargest(n, "z")
    neg = words[words["z"] < 0].nsmallest(n, "z").iloc[::-1]
    shown = pd.concat([pos, neg])
    colours = _colours_for([a, b], palette)
    fig, ax = _axes(ax, (7.5, 0.3 * len(shown) + 1.8))
    y = np.arange(len(shown))
    ax.barh(y, shown["z"], color=[colours[str(a)] if z > 0 else colours[str(b)] for z in shown["z"]])
    ax.set_yticks(y, shown["word"].tolist())
    ax.invert_yaxis()
    ax.axvline(0, color="#333333", linewidth=0.8)
    for x in (-1.96, 1.96):
        ax.axvline(x, color="#777777", linewidth=0.8, linestyle="--")
    ax.set_xlabel("z-score of the log-odds ratio (dashed: |z| = 1.96)")
    _legend(ax, [Patch(color=colours[str(g)], label=f"more typical of {g}") for g in (a, b)])
    ax.set_title(title or f"Words that distinguish {a} from {b}")
    return fig, ax


# --------------------------------------------------------------------------- prominence


def prominence_chart(ordered: pd.DataFrame, *, by: str = "source", palette: Mapping[str, str] | None = None,
                     ax: Axes | None = None, title: str | None = None) -> tuple[Figure, Axes]:
    """The article as a strip: its sentences in reading order, width = words, colour = group.

    One row per document; the headline (hatched) comes first. Which voice opens
    the article, which closes it and how much room each gets can be read off.

    Parameters
    ----------
    ordered
        The output of :func:`framing.reading_order`: sentences in reading
        order with ``doc_id``, ``n_words``, ``is_title`` (optional) and the
        ``by`` column.
    by
        The grouping column.
    palette, ax, title
        Colours per group (default :func:`palette`), axes to draw on (default
        a new figure) and a title.

    Returns
    -------
    fig, ax
        The figure and the axes drawn on.

    Examples
    --------
    >>> import framing
    >>> s = pd.DataFrame({"doc_id": "d", "sent_id": ["0", "1", "2"], "text": ["A title", "B c d.", "E f."],
    ...                   "is_title": [True, False, False], "source": ["narrator", "K", "D"]})
    >>> fig, ax = prominence_chart(framing.reading_order(s))
    >>> len(ax.patches)
    3
    """
    if "n_words" not in ordered.columns:
        raise KeyError("the table has no column 'n_words': pass framing.reading_order(sentences)")
    s = ordered
    head = s["is_title"].astype(bool) if "is_title" in s.columns else pd.Series(False, index=s.index)
    s = s.assign(words__=s["n_words"], head__=head)
    s = s.sort_values("head__", ascending=False, kind="stable")  # headline first within each document
    docs = list(dict.fromkeys(s["doc_id"]))
    groups = list(dict.fromkeys(s[by].fillna("unattributed").astype(str)))
    colours = _colours_for(sorted(groups), palette)
    fig, ax = _axes(ax, (11, 0.9 * len(docs) + 2.0))
    for row, doc in enumerate(docs):
        d = s[s["doc_id"] == doc]
        left, k = 0, 0
        for rec in d.itertuples():
            g = "unattributed" if pd.isna(getattr(rec, by)) else str(getattr(rec, by))
            ax.barh(row, rec.words__, left=left, height=0.6, color=colours[g], edgecolor="white",
                    hatch="//" if rec.head__ else None)
            label = "H" if rec.head__ else str(k := k + 1)
            if rec.words__ >= 6:
                ax.text(left + rec.words__ / 2, row, label, ha="center", va="center", fontsize=8)
            left += rec.words__
    ax.set_yticks(range(len(docs)), [str(d) for d in docs])
    ax.invert_yaxis()
    ax.set_xlabel("words, in reading order (H = headline, hatched; numbers = body sentences)")
    handles = [Patch(color=colours[g], label=g) for g in groups]
    _legend(ax, handles, title=_label(by), ncol=min(len(groups), 4))
    ax.set_title(title or f"Who speaks where: each article's sentences in order, coloured by {_label(by)}")
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


# --------------------------------------------------------------------------- outlets


def outlet_source_chart(table: pd.DataFrame, *, by: str = "source", palette: Mapping[str, str] | None = None,
                        ax: Axes | None = None, title: str | None = None) -> tuple[Figure, Axes]:
    """One bar per outlet, split by source: each source's share of the outlet's body words.

    The label after each bar gives the outlet's number of articles; a source's
    segment is labelled with its share when there is room.

    Parameters
    ----------
    table
        The output of :func:`framing.outlet_sources`.
    by
        The source column of ``table``.
    palette, ax, title
        Colours per source (default :func:`palette`), axes and title.

    Returns
    -------
    fig, ax
        The figure and the axes drawn on.

    Examples
    --------
    >>> t = pd.DataFrame({"outlet": ["X", "X", "Y"], "source": ["K", "D", "K"], "outlet_documents": [2, 2, 1],
    ...                   "word_share": [0.6, 0.4, 1.0]})
    >>> fig, ax = outlet_source_chart(t)
    >>> len(ax.patches), [t.get_text() for t in ax.get_yticklabels()]
    (4, ['X (2 articles)', 'Y (1 article)'])
    """
    shares = table.pivot_table(index="outlet", columns=by, values="word_share", aggfunc="sum", fill_value=0)
    order = table.groupby(by)["word_share"].sum().sort_values(ascending=False, kind="stable").index
    shares = shares[[c for c in order if c in shares.columns]]
    docs = table.groupby("outlet")["outlet_documents"].max().reindex(shares.index)
    colours = _colours_for(sorted(shares.columns, key=str), palette)
    fig, ax = _axes(ax, (10, 0.55 * len(shares) + 2.2))
    left = np.zeros(len(shares))
    for source in shares.columns:
        w = shares[source].to_numpy(float)
        bars = ax.barh(np.arange(len(shares)), w, left=left, color=colours[str(source)], edgecolor="white",
                       label=str(source))
        for bar, x in zip(bars, w, strict=True):
            if x >= 0.08:
                ax.text(bar.get_x() + x / 2, bar.get_y() + bar.get_height() / 2, f"{x:.0%}", ha="center",
                        va="center", fontsize=8)
        left += w
    names = [f"{o} ({k} article{'s' if k != 1 else ''})" for o, k in zip(shares.index, docs, strict=True)]
    ax.set_yticks(np.arange(len(shares)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the outlet's body words (headlines left out)")
    _legend(ax, title=_label(by), ncol=min(len(shares.columns), 4))
    ax.set_title(title or f"How much room each outlet gives each {_label(by)}")
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


# --------------------------------------------------------------------------- markers


def marker_table_view(table: pd.DataFrame, *, by: str = "source", nonzero: bool = True,
                      palette: Mapping[str, str] | None = None) -> Any:
    """The marker table as a styled DataFrame (text escaped, each group marked in its colour).

    Parameters
    ----------
    table
        The output of :func:`framing.marker_table`.
    nonzero
        Show only rows with at least one marker.

    Returns
    -------
    pandas.io.formats.style.Styler
        Render with ``.to_html()`` or display it in a notebook.

    Examples
    --------
    >>> t = pd.DataFrame({"source": ["K"], "category": ["naming"], "n": [1], "n_outlet": [1],
    ...                   "n_quoted": [0], "per_100_words": [2.0], "markers": ["Kiev (1)"],
    ...                   "sent_ids": [["1"]], "example": ["<b>Kiev</b> said"]})
    >>> "&lt;b&gt;Kiev" in marker_table_view(t).to_html()
    True
    """
    t = table[table["n"] > 0] if nonzero else table
    t = t.drop(columns=[c for c in ("sent_ids",) if c in t.columns]).reset_index(drop=True)
    t = t.rename(columns={"n": "count", "n_outlet": "outlet's words", "n_quoted": "in quotes",
                          "per_100_words": "per 100 words"})
    t["category"] = t["category"].map(_label)
    colours = _colours_for(sorted(t[by].astype(str).unique()), palette)

    def mark(col: pd.Series) -> list[str]:
        return [f"border-left: 8px solid {colours[str(v)]}; font-weight: bold" for v in col]

    return (t.style.hide(axis="index")
            .apply(mark, subset=[by])
            .format(precision=1, escape="html")
            .set_caption(f"Framing markers per {_label(by)}: how many, who chose the words, and an example")
            .set_properties(subset=["example"], **{"max-width": "32em", "white-space": "normal"}))


# --------------------------------------------------------------------------- topic coverage


def topic_coverage_chart(table: pd.DataFrame, *, palette: Mapping[str, str] | None = None,
                         ax: Axes | None = None, title: str | None = None) -> tuple[Figure, Axes]:
    """Dot matrix of topics (rows) by account (columns): a filled dot where the account mentions it.

    The dot's area grows with the number of sentences; an empty ring marks a
    topic the account leaves out. Each account keeps its colour from
    :func:`palette`.

    Parameters
    ----------
    table
        The output of :func:`framing.coverage_table`: one row per topic, one
        column per account, the number of sentences mentioning the topic.
    palette, ax, title
        Colours per account (default :func:`palette`), axes to draw on
        (default a new figure) and a title.

    Returns
    -------
    fig, ax
        The figure and the axes drawn on.

    Examples
    --------
    >>> wide = pd.DataFrame({"A": [2], "B": [0]}, index=pd.Index(["NATO"], name="topic"))
    >>> fig, ax = topic_coverage_chart(wide)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['A', 'B']
    """
    if {"account", "n_sentences"} <= set(table.columns):
        raise ValueError("topic_coverage_chart draws the side-by-side table: "
                         "pass framing.coverage_table(coverage)")
    wide = table
    accounts = list(wide.columns)
    colours = {**_palette_of(accounts), **(dict(palette) if palette else {})}
    if ax is None:
        size = (1.6 + 1.3 * len(accounts), 0.9 + 0.45 * len(wide))
        fig, ax = plt.subplots(figsize=size, layout="constrained")
    else:
        fig = ax.figure
    for x, acc in enumerate(accounts):
        for y, topic in enumerate(wide.index):
            n = int(wide.loc[topic, acc])
            if n:
                ax.scatter(x, y, s=90 + 70 * min(n, 6), color=colours[acc], zorder=3)
                ax.annotate(str(n), (x, y), ha="center", va="center", fontsize=8, color="white", zorder=4)
            else:
                ax.scatter(x, y, s=90, facecolors="none", edgecolors="#949494", zorder=3)
    ax.set_xticks(range(len(accounts)), accounts)
    ax.set_yticks(range(len(wide)), list(wide.index))
    ax.set_xlim(-0.6, len(accounts) - 0.4)
    ax.set_ylim(len(wide) - 0.5, -0.5)
    ax.grid(True, color="#eeeeee", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or "Topics each account mentions (number of sentences; ring = not mentioned)",
                 fontsize=10, loc="left")
    return fig, ax


def save_figure(fig: Figure, name: str, *, folder: str | Path, dpi: int = 110) -> Path:
    """Save ``fig`` as ``<folder>/<name>.png``; the folder is created if needed.

    The PNG carries no timestamp, so the same figure gives the same bytes on
    every run and a figure kept under version control changes only when its
    content does.

    Parameters
    ----------
    fig
        The figure.
    name
        A plain file name, without ``.png``.
    folder
        Where to save it; the project's figures folder is ``framing.paths().figures``.
    dpi
        Resolution.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, tempfile
    >>> fig, ax = plt.subplots()
    >>> save_figure(fig, "empty", folder=tempfile.mkdtemp()).name
    'empty.png'
    """
    if not name or Path(name).name != name:
        raise ValueError(f"figure name must be a plain file name, got {name!r}")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{name}.png"
    fig.savefig(target, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return target
