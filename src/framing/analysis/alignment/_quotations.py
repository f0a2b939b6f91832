"""Quotation fidelity: how a quotation's words differ from its source's, spelling variants aside."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from typing import Any

from framing.analysis.alignment._common import _settings

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_RULES = [
    (re.compile(r"^(\w{3,})is(e|es|ed|ing|ation|ations|er|ers)$"), r"\1iz\2"),
    (re.compile(r"^(\w{3,})ys(e|es|ed|ing)$"), r"\1yz\2"),
    (re.compile(r"^(\w{3,})our(s|ed|ing|able|ite|ites)?$"), r"\1or\2"),
    (re.compile(r"^(\w{2,}[aeiou])ll(ed|ing|er|ers)$"), r"\1l\2"),
]


@functools.lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    table = _settings().get("spelling_variants") or {}
    return {str(k).lower(): str(v).lower() for k, v in table.items()}


@functools.lru_cache(maxsize=4096)
def normalise_spelling(word: str) -> str:
    """One spelling for British and American variants of a word (lower case).

    The listed words of ``alignment.yaml`` first, then the rules documented
    there (-ise/-ize, -yse/-yze, -our/-or in long words, doubled l). Both the
    British and the American form map to the same key.

    Parameters
    ----------
    word
        One word.

    Returns
    -------
    str
        Its lower-cased key, the same for both spellings.

    Examples
    --------
    >>> normalise_spelling("emphasised") == normalise_spelling("emphasized")
    True
    >>> normalise_spelling("four") == normalise_spelling("for")
    False
    """
    w = word.lower().replace("’", "'")
    variants = _variants()
    if w in variants:
        return variants[w]
    if w in set(variants.values()):
        return w
    # the -our rule only for words of six letters or more (favour, not four or your)
    for pattern, repl in _RULES:
        if pattern is _RULES[2][0] and len(w) < 6:
            continue
        new = pattern.sub(repl, w)
        if new != w:
            return new
    return w


def _words(text: str) -> list[tuple[str, str]]:
    """(original word, normalised key) pairs; punctuation and case are not words."""
    return [(m.group(0), normalise_spelling(m.group(0))) for m in _WORD.finditer(str(text))]


def _plain(word: str) -> str:
    return word.lower().replace("’", "'")


def _edit(src: Sequence[str], dst: Sequence[str], ops: Sequence[tuple[str, int, int, int, int]]) -> str:
    parts = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        old, new = " ".join(src[i1:i2]), " ".join(dst[j1:j2])
        parts.append({"replace": f"[-{old}-]{{+{new}+}}", "delete": f"[-{old}-]",
                      "insert": f"{{+{new}+}}"}[tag])
    return "; ".join(parts)


def quote_fidelity(quote: str, source_texts: Sequence[str], *,
                   near_ratio: float | None = None) -> dict[str, Any]:
    """Compare a quotation with the wording of its source.

    The quotation is matched against every window of about its length in each
    source text (word level, ignoring case and punctuation, British and
    American spellings counted equal). The window with the most words in
    common, relative to the longer of the two, is its source wording, and
    difflib's ratio between the two decides:

    - ``exact``: the same words;
    - ``near``: difflib ratio at least ``near_ratio`` (``alignment.yaml``),
      with the edit shown as ``[-source words-]{+quoted words+}``;
    - ``reworded``: below that.

    Parameters
    ----------
    quote
        The quoted words.
    source_texts
        The source's sentences.
    near_ratio
        Lowest difflib ratio of a ``near`` quotation; default ``alignment.yaml``.

    Returns
    -------
    dict
        ``fidelity, ratio, source_index`` (of ``source_texts``, ``None`` when no
        word is in common), ``source_wording, edit, spelling`` (variants that
        were counted equal, ``source/quote``).

    Examples
    --------
    >>> r = quote_fidelity("emphasized the commitment", ["He emphasised the commitment to peace."])
    >>> r["fidelity"], r["spelling"]
    ('exact', 'emphasised/emphasized')
    >>> quote_fidelity("stressed the commitment to peace", ["He emphasised the commitment to peace."])["edit"]
    '[-emphasised-]{+stressed+}'
    """
    near = float(_settings()["near_ratio"]) if near_ratio is None else float(near_ratio)
    q = _words(quote)
    qk = [k for _, k in q]
    best: dict[str, Any] = {"fidelity": "reworded", "ratio": 0.0, "source_index": None,
                            "source_wording": "", "edit": "", "spelling": ""}
    if not qk:
        return best
    slack = max(2, len(qk) // 4)
    best_key: tuple[float, int] = (0.0, -len(qk) - slack - 1)
    for si, text in enumerate(source_texts):
        s = _words(text)
        sk = [k for _, k in s]
        sizes = range(max(1, len(qk) - slack), min(len(sk), len(qk) + slack) + 1) if sk else range(0)
        for size in sizes:
            for start in range(0, len(sk) - size + 1):
                sm = difflib.SequenceMatcher(None, sk[start:start + size], qk, autojunk=False)
                same = sum(m.size for m in sm.get_matching_blocks())
                # words in common relative to the longer side, so a shorter window cannot win by
                # leaving out the word the quotation changed; then the window closest in length
                key = (same / max(size, len(qk)), -abs(size - len(qk)))
                if key > best_key:
                    best_key = key
                    window = s[start:start + size]
                    ops = sm.get_opcodes()
                    best = {"fidelity": None, "ratio": sm.ratio(), "source_index": si,
                            "source_wording": " ".join(w for w, _ in window),
                            "edit": _edit([w for w, _ in window], [w for w, _ in q], ops),
                            "spelling": "; ".join(
                                f"{window[i1 + d][0]}/{q[j1 + d][0]}"
                                for tag, i1, i2, j1, _ in ops if tag == "equal"
                                for d in range(i2 - i1)
                                if _plain(window[i1 + d][0]) != _plain(q[j1 + d][0])
                            )}
    if best["source_index"] is None or best["ratio"] == 0:
        return {**best, "fidelity": "reworded", "source_index": None, "source_wording": "", "edit": "",
                "spelling": ""}
    best["fidelity"] = "exact" if best["ratio"] >= 1.0 else "near" if best["ratio"] >= near else "reworded"
    if best["fidelity"] == "reworded":
        best["edit"] = ""  # a full rewrite is shown side by side, not as an edit
    return best
