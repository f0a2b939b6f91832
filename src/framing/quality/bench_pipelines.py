"""The standard ``transformers`` pipelines the benchmark measures the project against.

Examples
--------
>>> from framing.quality.bench_pipelines import zero_shot_labels
>>> len(zero_shot_labels()) > 0  # doctest: +SKIP
True
"""

from __future__ import annotations

from typing import Any


def zero_shot_labels() -> list[str]:
    """Candidate labels of the zero-shot pipeline: each target's two hypotheses, then each frame's.

    Returns
    -------
    list of str
        The hypotheses of the shipped ``targets.yaml`` and ``frames.yaml``.

    Examples
    --------
    >>> zero_shot_labels()[0]  # doctest: +SKIP
    'This text supports NATO expansion.'
    """
    from framing.scoring.frames import load_frames
    from framing.scoring.stance import load_targets

    labels: list[str] = []
    for t in load_targets():
        h = t.get("hypotheses") or {}
        name = t.get("name", t["id"])
        labels += [
            h.get("favor", f"This text supports {name}."),
            h.get("against", f"This text opposes {name}."),
        ]
    labels += [
        str(f.get("hypothesis") or f"This text is about {f.get('name', f['id'])}.") for f in load_frames()
    ]
    return labels


def zero_shot_pipeline() -> Any:
    """``pipeline("zero-shot-classification")`` on a random-weight NLI model of the default encoder's size.

    Returns
    -------
    transformers.Pipeline
        On the CPU; the weights are random (seed 0), which does not change its speed.

    Examples
    --------
    >>> zs = zero_shot_pipeline()  # doctest: +SKIP
    >>> zs("Talks resumed.", candidate_labels=["peace", "war"])["labels"]  # doctest: +SKIP
    ['war', 'peace']
    """
    import torch
    from transformers import AutoConfig, AutoTokenizer, BertForSequenceClassification, pipeline

    from framing.scoring.models import _quiet_transformers, default_model_path

    path = default_model_path()
    with _quiet_transformers():
        config = AutoConfig.from_pretrained(path, local_files_only=True)
        config.num_labels = 3
        config.id2label = {0: "entailment", 1: "neutral", 2: "contradiction"}
        config.label2id = {v: k for k, v in config.id2label.items()}
        torch.manual_seed(0)
        model = BertForSequenceClassification(config).eval()
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        return pipeline("zero-shot-classification", model=model, tokenizer=tokenizer, device="cpu")


def feature_pipeline() -> Any:
    """``pipeline("feature-extraction")`` on the default encoder.

    Returns
    -------
    transformers.Pipeline
        On the CPU; it returns one vector per token.

    Examples
    --------
    >>> fe = feature_pipeline()  # doctest: +SKIP
    >>> len(fe("Talks resumed.")[0][0])  # doctest: +SKIP
    384
    """
    from transformers import pipeline

    from framing.scoring.models import _quiet_transformers, default_model_path

    with _quiet_transformers():
        return pipeline("feature-extraction", model=str(default_model_path()), device="cpu")
