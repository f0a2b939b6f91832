"""The scoring loop that stance and frames share.

Sentences → cached embeddings → a head → one row of probabilities per
sentence → a long table. What differs between stance and frames (the
codebook, how a head is fitted and applied, the table's shape) is described
by a :class:`Task`; everything else lives here once: reading the inputs,
resolving the model and settings, the per-process head cache, the on-disk
score cache and its key.

Scores are cached on disk (see :mod:`framing.scoring._cache`), keyed by the
model, its weights hash, the precision, the codebook hash, the head version
and the text.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from framing import _codebooks
from framing._types import Sentences
from framing.config import Settings, resolve_settings
from framing.scoring._cache import Cache, cached_rows, namespace
from framing.scoring.models import Encoder, Model, NLIModel, resolve_model

log = logging.getLogger(__name__)

TRAINING = "training/labelled.csv"
TARGETS = "targets.yaml"
FRAMES = "frames.yaml"
#: bump when the heads change, so cached scores from older heads are not reused
HEAD_VERSION = "lr-tfidf-3"
#: bump when fine-tuning changes, so weights saved by older code are not reused
FINETUNE_VERSION = "ft-1"

#: how an encoder's embeddings become probabilities: logistic heads on frozen
#: embeddings, or the encoder fine-tuned with its heads (``framing.scoring.training``)
HeadKind = Literal["logistic", "finetuned"]
HEADS: tuple[str, ...] = ("logistic", "finetuned")
DEFAULT_HEAD: HeadKind = "logistic"
ModelArg = Model | str | os.PathLike[str] | None

__all__ = [
    "DEFAULT_HEAD",
    "FRAMES",
    "HEADS",
    "HEAD_VERSION",
    "TARGETS",
    "TRAINING",
    "HeadKind",
    "ModelArg",
    "Sentences",
    "Task",
    "as_sentences",
    "embed",
    "head_version",
    "load_entries",
    "load_training",
    "resolve_head",
    "score_task",
]


# ---------------------------------------------------------------- inputs


def as_sentences(sentences: Sentences) -> pd.DataFrame:
    """``sent_id`` and ``text`` of a sentences table, or of strings numbered 0..n-1.

    Warns once, with a count, when a ``language`` column marks rows as not
    English: they are scored all the same, by a model built for English.

    Examples
    --------
    >>> as_sentences(["One.", "Two."]).values.tolist()
    [[0, 'One.'], [1, 'Two.']]
    """
    if isinstance(sentences, pd.DataFrame):
        missing = {"sent_id", "text"} - set(sentences.columns)
        if missing:
            raise ValueError(
                f"the sentences table lacks {sorted(missing)}: pass the output of "
                "framing.split_sentences, or a list of strings"
            )
        if "language" in sentences.columns:
            lang = sentences["language"].astype("string").str.lower()
            n_other = int((lang.notna() & ~lang.fillna("en").str.startswith("en")).sum())
            if n_other:
                warnings.warn(
                    f"{n_other} of {len(sentences)} sentences are not in English: they are scored "
                    "by a model built for English, so their scores are less reliable",
                    UserWarning,
                    stacklevel=4,
                )
        out = sentences[["sent_id", "text"]].copy()
    else:
        texts = list(sentences.tolist() if isinstance(sentences, pd.Series) else sentences)
        if isinstance(sentences, str):
            raise TypeError("pass a list of sentences, not a single string")
        out = pd.DataFrame({"sent_id": range(len(texts)), "text": texts})
    out["text"] = out["text"].fillna("").astype(str)
    return out.reset_index(drop=True)


def load_entries(
    codebook: str | Path, section: Literal["targets", "frames"], ids: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The ``section`` entries of a codebook (shipped name or path), optionally only ``ids``, in that order.

    Examples
    --------
    >>> [t["id"] for t in load_entries("targets.yaml", "targets")][:1]
    ['nato_expansion']
    """
    book = _codebooks.load_yaml(codebook)
    entries = book.get(section, []) if isinstance(book, dict) else []
    by_id = {str(e["id"]): e for e in entries}
    if not by_id:
        raise ValueError(f"{codebook}: no '{section}' list with 'id' entries")
    if ids is None:
        return list(by_id.values())
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        what = "target" if section == "targets" else "frame"
        raise ValueError(f"unknown {what}(s) {unknown}: {codebook} defines {sorted(by_id)}")
    return [by_id[i] for i in ids]


def load_training(path: str | Path = TRAINING) -> pd.DataFrame:
    """The labelled examples the encoder heads are fitted on (shipped name or path).

    Examples
    --------
    >>> "text" in load_training().columns
    True
    """
    df = _codebooks.load_csv(path, dtype=str, keep_default_na=False)
    if "text" not in df.columns:
        raise ValueError(f"{path}: a training file needs a 'text' column")
    return df


# ---------------------------------------------------------------- embeddings

_COMMIT_EVERY = 1024  # sentences encoded between two cache commits


def embed(
    encoder: Encoder,
    texts: Sequence[str],
    *,
    cache: bool = True,
    progress: bool | None = None,
    folder: str | Path | None = None,
) -> np.ndarray:
    """Embeddings of ``texts``, each distinct text through the encoder once, cached on disk.

    ``folder`` is the score cache's folder (default: ``framing.paths().cache``).

    Examples
    --------
    >>> from framing import load_model
    >>> embed(load_model(), ["Talks resumed."]).shape  # doctest: +SKIP
    (1, 384)
    """
    texts = [str(t) for t in texts]
    unique = list(dict.fromkeys(texts))
    if cache:
        # committed chunk by chunk: a run that is stopped keeps what it finished
        found = Cache(folder).map_arrays(
            namespace(**encoder.key, what="embedding"),
            unique,
            lambda batch: encoder.encode(batch, progress=progress),
            batch_size=_COMMIT_EVERY,
        )
    else:
        found = dict(zip(unique, encoder.encode(unique, progress=progress), strict=True)) if unique else {}
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.vstack([found[t] for t in texts]).astype(np.float32)


# ---------------------------------------------------------------- heads


def resolve_head(head: HeadKind | str | None) -> HeadKind:
    """``head`` if given, else :data:`DEFAULT_HEAD`; an unknown name is a clear error.

    Examples
    --------
    >>> resolve_head(None)
    'logistic'
    """
    kind = DEFAULT_HEAD if head is None else str(head)
    if kind not in HEADS:
        raise ValueError(f"unknown head {head!r}: use one of {', '.join(HEADS)}")
    return kind  # type: ignore[return-value]


def head_version(head: HeadKind) -> str:
    """The head's part of the score cache key.

    Examples
    --------
    >>> head_version("logistic")
    'lr-tfidf-3'
    """
    return f"{HEAD_VERSION}/{FINETUNE_VERSION}" if head == "finetuned" else HEAD_VERSION


@dataclass(frozen=True)
class Task:
    """What stance and frames do differently inside the one scoring loop.

    Attributes
    ----------
    what
        ``"stance"`` or ``"frames"``: part of the cache key.
    section
        The codebook section that lists the task's items (``targets``, ``frames``).
    fit
        ``fit(encoder, codebook, training, folder)`` → a fitted logistic head.
    logistic
        ``logistic(head, X, texts, ids, codebook)`` → probabilities of ``texts``.
    nli
        ``nli(model, texts, entries)`` → probabilities from an NLI model.
    finetuned
        ``finetuned(encoder, texts, ids, codebook, training, cache, folder)`` → probabilities.
    table
        ``table(sent_ids, ids, P)`` → the long table.
    shape
        Trailing shape of one item's probabilities: ``(3,)`` for stance, ``()`` for frames.
    check
        ``check(codebook, training)``, run on every scoring with a logistic
        head, also when every score comes from the cache (stance warns about
        targets scored zero-shot).
    head_class
        The logistic head's class, to rebuild a saved head (:mod:`framing.scoring.heads_io`).
    """

    what: str
    section: Literal["targets", "frames"]
    fit: Callable[..., Any]
    logistic: Callable[..., np.ndarray]
    nli: Callable[..., np.ndarray]
    finetuned: Callable[..., np.ndarray]
    table: Callable[..., pd.DataFrame]
    shape: tuple[int, ...] = ()
    check: Callable[[str, str], None] | None = None
    head_class: type | None = None


_HEADS: dict[str, Any] = {}


def reference_encoder(encoder: Encoder) -> Encoder:
    """The same weights on PyTorch in fp32: what heads are fitted on, whatever the scoring backend.

    Heads are keyed by the weights, not by how they run, so they are always
    fitted on the reference embeddings; int8 and other backends then use them.

    Examples
    --------
    >>> from framing import load_model
    >>> reference_encoder(load_model(backend="torch", precision="fp32")).backend  # doctest: +SKIP
    'torch'
    """
    from framing.scoring.models import DEFAULT_MODEL_ID, load_model

    if encoder.backend == "torch" and encoder.precision == "fp32":
        return encoder
    name = encoder.name if encoder.name == DEFAULT_MODEL_ID else encoder.path
    ref = load_model(name, backend="torch", precision="fp32", device=encoder.device)
    assert isinstance(ref, Encoder)
    return ref


def _shipped_head(task: Task, encoder: Encoder, codebook: str, training: str, folder: Path) -> Any:
    """The task's head fitted on ``training``: from memory, the cache folder or the package, else fitted.

    A head is fitted once per encoder weights, codebook and training data,
    saved as safetensors under ``heads/`` in the score cache folder, and
    loaded from there (or from the heads shipped with the package) by every
    later process.
    """
    from framing.scoring.heads_io import head_key, load_head, save_head, shipped_head_path

    digest = _codebooks.digest(codebook, training)
    key = head_key(task.what, encoder.name, encoder.weights_sha256, digest, HEAD_VERSION)
    if key in _HEADS:
        return _HEADS[key]
    saved = Path(folder) / "heads" / f"{key}.safetensors"
    path = saved if saved.is_file() else shipped_head_path(key)
    if path is not None:
        _HEADS[key] = load_head(path, task.head_class)[0]
        return _HEADS[key]
    what = "stance" if task.what == "stance" else "frame"
    log.info("fitting the %s head on %s (once; saved under %s)", what, training, saved.parent)
    fitted = task.fit(reference_encoder(encoder), codebook, training, folder)
    about = {"model": encoder.name, "weights_sha256": encoder.weights_sha256, "codebook": str(codebook),
             "training": str(training), "data_digest": digest, "head_version": HEAD_VERSION}
    save_head(fitted, saved, about=about)
    _HEADS[key] = fitted
    return fitted


def _matrix(
    task: Task,
    model: Model,
    texts: list[str],
    entries: list[dict[str, Any]],
    *,
    codebook: str | Path,
    training: str | Path,
    cache: bool,
    head: HeadKind,
    folder: Path,
) -> np.ndarray:
    """Probabilities ``(len(texts), len(entries), *task.shape)``, from the disk cache where possible."""
    ids = [str(e["id"]) for e in entries]
    ns = namespace(
        **model.key,
        what=task.what,
        codebook=_codebooks.digest(codebook, training),
        head=head_version(head),
        **{task.section: ",".join(ids)},
    )

    def compute(todo: list[str]) -> np.ndarray:
        if isinstance(model, NLIModel):
            return task.nli(model, todo, entries)
        if head == "finetuned":
            return task.finetuned(model, todo, ids, codebook, training, cache, folder)
        fitted = _shipped_head(task, model, str(codebook), str(training), folder)
        X = embed(model, todo, cache=cache, folder=folder)
        return task.logistic(fitted, X, todo, ids, codebook)

    if task.check is not None and head == "logistic" and isinstance(model, Encoder):
        task.check(str(codebook), str(training))
    found = cached_rows(ns, texts, compute, cache=cache, folder=folder)
    if not texts:
        return np.zeros((0, len(entries), *task.shape))
    return np.asarray([found[t] for t in texts], dtype=np.float64)


def score_task(
    task: Task,
    sentences: Sentences,
    *,
    ids: Sequence[str] | None,
    model: ModelArg,
    codebook: str | Path,
    training: str | Path,
    cache: bool,
    head: HeadKind | str | None,
    settings: Settings | None,
) -> pd.DataFrame:
    """The one scoring loop: sentences → cached probabilities → ``task.table``.

    Examples
    --------
    >>> from framing.scoring.stance import STANCE
    >>> score_task(STANCE, ["Talks resumed."], ids=["diplomacy"], model=None,  # doctest: +SKIP
    ...            codebook="targets.yaml", training="training/examples.csv",
    ...            cache=False, head=None, settings=None)
    """
    sents = as_sentences(sentences)
    entries = load_entries(codebook, task.section, ids)
    opts = resolve_settings(settings)
    m = resolve_model(model, settings=opts)
    P = _matrix(
        task,
        m,
        sents["text"].tolist(),
        entries,
        codebook=codebook,
        training=training,
        cache=cache,
        head=resolve_head(head),
        folder=opts.cache_dir,
    )
    return task.table(sents["sent_id"].tolist(), [str(e["id"]) for e in entries], P)
