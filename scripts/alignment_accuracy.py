"""Precision and recall of the `shared` status on held-out labelled accounts.

The threshold is calibrated on data/gold/alignment/calibration.csv only and
then applied, unchanged, to data/gold/alignment/evaluation.csv. The topic
threshold is calibrated and checked the same way on the two splits of
data/gold/alignment/topics.csv. The values stored in the codebooks
(alignment.yaml, topics.yaml) are printed beside the recomputed ones.

    python scripts/alignment_accuracy.py              # evaluate with the recomputed thresholds
    python scripts/alignment_accuracy.py --calibrate  # also say what to store in the codebooks
"""

from __future__ import annotations

import argparse

from framing import config, load_model
from framing.analysis import alignment as align

GOLD = config.paths().root / "data" / "gold" / "alignment"


def _fmt(scores: dict[str, float]) -> str:
    return (f"precision {scores['precision']:.2f}  recall {scores['recall']:.2f}  F1 {scores['f1']:.2f}  "
            f"(tp {scores['tp']}, fp {scores['fp']}, fn {scores['fn']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="encoder (default: FRAMING_MODEL or the embedded one)")
    parser.add_argument("--calibrate", action="store_true", help="print the values to store in the codebooks")
    args = parser.parse_args()
    model = load_model(args.model)

    cal, ev = GOLD / "calibration.csv", GOLD / "evaluation.csv"
    n_cal, n_ev = (align.load_pairs(p) for p in (cal, ev))
    thr = align.calibrate_threshold(cal, model=model)
    stored = align.default_threshold()
    print(f"alignment: {n_cal['pair_id'].nunique()} calibration pairs ({len(n_cal)} claims), "
          f"{n_ev['pair_id'].nunique()} evaluation pairs ({len(n_ev)} claims)")
    print(f"  threshold calibrated on the calibration pairs: {thr:.2f} "
          f"(stored in alignment.yaml: {stored:.2f})")
    print(f"  calibration pairs: {_fmt(align.evaluate_alignment(cal, threshold=thr, model=model))}")
    scores = align.evaluate_alignment(ev, threshold=thr, model=model)
    print(f"  EVALUATION pairs:  {_fmt(scores)}")
    print(f"  shared claims matched to a labelled counterpart: {scores['counterpart_correct']:.2f}")

    examples = align.load_topic_examples(GOLD / "topics.csv")
    topics = align.load_topics()
    tthr = align.calibrate_topic_threshold(examples, model=model)
    print(f"topics: {sum(examples['split'] == 'calibration')} calibration and "
          f"{sum(examples['split'] == 'evaluation')} evaluation sentences x {len(topics)} topics")
    print(f"  threshold calibrated: {tthr:.2f} (stored in topics.yaml: {topics.attrs['threshold']:.2f})")
    for split in ("calibration", "evaluation"):
        part = examples[examples["split"] == split]
        print(f"  {split:12} {_fmt(align.topic_scores(part, tthr, topics=topics, model=model))}")
    if args.calibrate:
        print(f"\nstore in src/framing/codebooks/alignment.yaml: threshold: {thr:.2f}")
        print(f"store in src/framing/codebooks/topics.yaml:    threshold: {tthr:.2f}")


if __name__ == "__main__":
    main()
