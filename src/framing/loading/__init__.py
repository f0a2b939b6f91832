"""Loading: documents into a table, split into sentences, with who says what.

:func:`load_corpus` reads the documents, :func:`split_sentences` splits them,
:func:`attribute` and :func:`quotes` find the speaker and source of every
sentence and the quoted words; :func:`fetch_originals` and :func:`originals`
fetch and read back the official documents an article reports.
:func:`manifest_table` and :func:`quote_spans` are the manifest reader and the
quotation finder the rest of the package shares.

The names are imported on first use, so ``import framing.loading`` loads
neither pandas nor spaCy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from framing.loading._manifest import manifest_table
    from framing.loading._quotes import quote_spans
    from framing.loading.attribution import attribute, quotes
    from framing.loading.corpus import load_corpus
    from framing.loading.fetch import fetch_originals, originals
    from framing.loading.sentences import split_sentences

# public name -> module of this package that defines it
_EXPORTS: dict[str, str] = {
    "load_corpus": "corpus",
    "split_sentences": "sentences",
    "attribute": "attribution",
    "quotes": "attribution",
    "fetch_originals": "fetch",
    "originals": "fetch",
    "manifest_table": "_manifest",
    "quote_spans": "_quotes",
}

__all__ = [
    "attribute",
    "fetch_originals",
    "load_corpus",
    "manifest_table",
    "originals",
    "quote_spans",
    "quotes",
    "split_sentences",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'framing.loading' has no attribute {name!r}")
    value = getattr(import_module(f"framing.loading.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
