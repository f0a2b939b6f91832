"""How long a new process takes to score its first new sentence after ``import framing``.

Runs a fresh Python process (warm install: the packages and the converted
model already on disk) that imports framing and scores one sentence never
scored before, stance and frames, with the score cache off; prints the time
to ``import framing`` and from there to the first scores, for each run, with
the load average at start and end. Nothing is fitted: the shipped heads are
loaded.

Usage::

    .venv/bin/python scripts/first_score.py [--runs 3] [--backend ctranslate2|torch]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = """
import json, time
t0 = time.perf_counter()
import framing
t1 = time.perf_counter()
text = ["A sentence this process has never scored, number %d."]
framing.score_stance(text, cache=False)
framing.score_frames(text, cache=False)
t2 = time.perf_counter()
print(json.dumps({"import_s": round(t1 - t0, 2), "first_score_s": round(t2 - t1, 2)}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", default=None)
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.backend:
        env["FRAMING_BACKEND"] = args.backend
    load_start = os.getloadavg()[0]
    runs = []
    for i in range(args.runs):
        out = subprocess.run([sys.executable, "-c", CHILD % i], capture_output=True, text=True, env=env,
                             check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    load = {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)}
    result = {"runs": runs, "load_average": load, "backend": args.backend or "default"}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
