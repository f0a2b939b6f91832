"""Scoring: stance toward targets and framing, sentence by sentence, with a transformer model.

One model wrapper (:mod:`~framing.scoring.models`), one scoring loop shared by
stance and frames (:mod:`~framing.scoring._core`), the heads that turn
embeddings into probabilities (:mod:`~framing.scoring.stance`,
:mod:`~framing.scoring.frames`), fine-tuning (:mod:`~framing.scoring.training`),
chunked scoring of a stream of sentences (:mod:`~framing.scoring.streaming`)
and the optional all-mpnet-base-v2 tier, unpacked from its PyPI parts
(:mod:`~framing.scoring.mpnet`).
Every function that scores takes ``settings=`` (:class:`framing.Settings`).
"""

from framing.scoring._core import DEFAULT_HEAD, HEADS, embed, load_training
from framing.scoring.frames import FrameHead, load_frames, score_frames, top_frames
from framing.scoring.models import (
    BATCH_TOLERANCE,
    PRECISIONS,
    Encoder,
    ModelError,
    NLIModel,
    load_model,
    resolve_model,
)
from framing.scoring.mpnet import mpnet_folder
from framing.scoring.stance import StanceHead, load_targets, score_stance
from framing.scoring.streaming import iter_chunks, score_chunks
from framing.scoring.training import FineTunedHead, finetuned_head

__all__ = [
    "BATCH_TOLERANCE",
    "DEFAULT_HEAD",
    "HEADS",
    "PRECISIONS",
    "Encoder",
    "FineTunedHead",
    "FrameHead",
    "ModelError",
    "NLIModel",
    "StanceHead",
    "embed",
    "finetuned_head",
    "iter_chunks",
    "load_frames",
    "load_model",
    "load_targets",
    "load_training",
    "mpnet_folder",
    "resolve_model",
    "score_chunks",
    "score_frames",
    "score_stance",
    "top_frames",
]
