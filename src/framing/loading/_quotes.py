"""Quotation spans: where quoted words begin and end.

One finder for the package, with two sets of rules, because its two users
see different stretches of text:

* ``within="paragraph"`` (:func:`framing.quotes`, :func:`framing.attribute`):
  a whole paragraph is scanned once from left to right. The first opening
  mark wins and everything up to its closing mark is quoted (marks of other
  kinds inside are ignored). Double quotes, straight or curly (and « », „ “),
  open and close in pairs, and ``"`` closes a curly quotation too; a straight
  ``"`` right after a letter or digit opens nothing. Single quotes count only
  where they cannot be an apostrophe (opening: not after a letter or digit and
  before one; closing: not after a space and not before a letter or digit); a
  double mark inside an open single quotation abandons it and opens a double
  one. A double quotation still open at the end of the paragraph ends there
  (news style reopens it in the next paragraph); a single one is dropped.
  Blank quotations are dropped. Spans exclude the marks.
* ``within="sentence"`` (:func:`framing.find_markers` without a quotes
  table): one sentence, seen on its own. Each kind of mark is paired on its
  own, in this order: curly “ ”, straight ``" "``, curly ‘ ’ (not after a word
  character, closed by the first ’ not followed by one), straight ``' '``
  (likewise, no ``'`` or line break inside); a pair is kept unless its opening
  mark lies inside a pair already kept. A quotation that runs over the
  sentence boundary is quoted up to the sentence's edge: a ” with no “ before
  it quotes from the start, an “ never closed quotes to the end. Spans
  include the marks; blank quotations are kept.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

#: Opening double mark -> its closing mark, for the paragraph rules.
PAIRS = {"“": "”", "„": "”", "‟": "”", "«": "»", '"': '"'}

# Pairs of one kind of mark, for the sentence rules, in order of precedence. Single
# quotes need a non-word character outside them, so apostrophes ("Kiev's", "players'
# union") neither open nor close one.
_SENTENCE_PATTERNS = (
    re.compile(r"“[^“”]*”"),
    re.compile(r'"[^"]*"'),
    re.compile(r"(?<!\w)‘.+?’(?!\w)"),
    re.compile(r"(?<![\w'])'[^'\n]+?'(?!\w)"),
)


Within = Literal["paragraph", "sentence"]


def quote_spans(text: str, *, within: Within = "paragraph") -> list[tuple[int, int]]:
    """Spans of the quotations in ``text``, as ``(start, end)`` offsets into it.

    Parameters
    ----------
    text
        One paragraph (``within="paragraph"``) or one sentence (``within="sentence"``).
    within
        The rules to use (see the module documentation): ``"paragraph"``
        gives the quoted words without their marks, a quotation left open
        running to the end; ``"sentence"`` gives the quotations with their
        marks, and a quotation running over either edge of the sentence
        quoted up to that edge.

    Returns
    -------
    list of tuple of int
        ``(start, end)`` pairs, in order of ``start``.

    Examples
    --------
    >>> text = "He called it “a mistake”, and NATO’s reply ‘weak’."
    >>> [text[s:e] for s, e in quote_spans(text)]
    ['a mistake', 'weak']
    >>> [text[s:e] for s, e in quote_spans(text, within="sentence")]
    ['“a mistake”', '‘weak’']
    >>> quote_spans("But not at any price,” Blinken said.", within="sentence")
    [(0, 22)]
    """
    if within == "paragraph":
        return _paragraph_spans(text)
    if within == "sentence":
        return _sentence_spans(text)
    raise ValueError(f"within must be 'paragraph' or 'sentence', not {within!r}")


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    closer: str | None = None
    begin = 0
    single_open: int | None = None
    for i, ch in enumerate(text):
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        if closer is None and single_open is None:
            if ch in PAIRS and (ch != '"' or not prev.isalnum()):
                closer, begin = PAIRS[ch], i + 1
            elif ch in "‘'" and not prev.isalnum() and nxt.isalnum():
                single_open = i + 1
        elif closer is not None:
            if ch == closer or (closer == "”" and ch == '"'):
                spans.append((begin, i))
                closer = None
        elif single_open is not None:
            if ch in "’'" and not prev.isspace() and not nxt.isalnum():
                spans.append((single_open, i))
                single_open = None
            elif ch in PAIRS:
                single_open = None
                closer, begin = PAIRS[ch], i + 1
    if closer is not None and len(text) > begin:
        spans.append((begin, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for rx in _SENTENCE_PATTERNS:
        for m in rx.finditer(text):
            if not any(s <= m.start() < e for s, e in spans):
                spans.append((m.start(), m.end()))
    # a quotation that runs over a sentence boundary: a closing mark with no opening, or the reverse
    opened, closed = text.find("“"), text.find("”")
    if closed != -1 and (opened == -1 or closed < opened) and not any(s <= closed < e for s, e in spans):
        spans.append((0, closed + 1))
    last_open = text.rfind("“")
    if last_open != -1 and text.find("”", last_open) == -1 and not any(s <= last_open < e for s, e in spans):
        spans.append((last_open, len(text)))
    return sorted(spans)


def document_text(rows: pd.DataFrame) -> tuple[str, list[tuple[int, int]]]:
    """The document text rebuilt from its sentences, and its paragraph spans."""
    end = int(rows["end"].max()) if len(rows) else 0
    chars = [" "] * end
    paras: dict[int, list[int]] = {}
    for r in rows.itertuples(index=False):
        chars[int(r.start):int(r.end)] = list(str(r.text))
        span = paras.setdefault(int(r.para), [int(r.start), int(r.end)])
        span[0], span[1] = min(span[0], int(r.start)), max(span[1], int(r.end))
    return "".join(chars), [tuple(v) for _, v in sorted(paras.items())]  # type: ignore[misc]


def document_quotes(rows: pd.DataFrame) -> list[tuple[int, int]]:
    """Quotation spans as offsets into the document, paragraph by paragraph."""
    text, paras = document_text(rows)
    out: list[tuple[int, int]] = []
    for start, end in paras:
        out += [(start + s, start + e) for s, e in _paragraph_spans(text[start:end])]
    return out
