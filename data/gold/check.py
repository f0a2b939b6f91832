"""Validate the seed article's labelled sentences in ``data/gold/seed.csv``.

Run from the repository root::

    python data/gold/check.py

It prints one line per problem (file, line, what is wrong) and exits with
status 1 if there is any, otherwise it prints the label and frame counts of
each file and exits with status 0. Only the standard library is used, so the
check runs before the package is installed.
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

GOLD = Path(__file__).resolve().parent
RAW_SEED = GOLD.parent / "raw" / "rt-2021-12-13-putin-johnson-call.txt"

COLUMNS = ["id", "text", "nato_expansion", "ukraine", "russia", "diplomacy", "frame", "genre"]
TARGETS = ("nato_expansion", "ukraine", "russia", "diplomacy")
LABELS = frozenset({"favor", "against", "none"})
GENRES = frozenset({"readout", "news", "statement", "interview"})
FRAMES = (
    "economic",
    "capacity_and_resources",
    "morality",
    "fairness_and_equality",
    "legality",
    "policy_prescription",
    "crime_and_punishment",
    "security_and_defense",
    "health_and_safety",
    "quality_of_life",
    "cultural_identity",
    "public_opinion",
    "political",
    "external_regulation_and_reputation",
    "other",
)
# frames that may not exceed ``Rules.max_share`` of a file's main frames
CAPPED_FRAMES = ("security_and_defense", "political")


@dataclass(frozen=True)
class Rules:
    """Size and balance rules for one file."""

    id_prefix: str
    min_rows: int
    max_rows: int | None = None
    min_per_stance: int = 0  # favor and against, each, per target
    min_per_frame: int = 0  # every frame except ``other``
    max_share: float = 1.0  # for CAPPED_FRAMES


RULES = {
    "seed": Rules("seed-", min_rows=10, max_rows=10),
}


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file (UTF-8, RFC 4180 quoting)."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def norm(text: str) -> str:
    """Text key for duplicate detection: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def problems(name: str, header: list[str], rows: list[dict[str, str]], rules: Rules) -> list[str]:
    """Everything wrong with one file, as messages naming the file and line.

    Line numbers count the header as line 1, as a spreadsheet shows them.
    """
    out: list[str] = []
    where = f"{name}.csv"
    if header != COLUMNS:
        return [f"{where}: columns are {header}, expected {COLUMNS}"]
    seen_ids: dict[str, int] = {}
    seen_texts: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            out.append(f"{where}:{line}: wrong number of fields (quote fields that contain commas)")
            continue
        rid, text = row["id"], row["text"]
        if not rid.startswith(rules.id_prefix):
            out.append(f"{where}:{line}: id {rid!r} should start with {rules.id_prefix!r}")
        if rid in seen_ids:
            out.append(f"{where}:{line}: id {rid!r} repeats line {seen_ids[rid]}")
        seen_ids.setdefault(rid, line)
        if not text.strip() or text != text.strip():
            out.append(f"{where}:{line}: text is empty or has leading/trailing whitespace")
        key = norm(text)
        if key in seen_texts:
            out.append(f"{where}:{line}: text repeats line {seen_texts[key]}")
        seen_texts.setdefault(key, line)
        for target in TARGETS:
            if row[target] not in LABELS:
                out.append(f"{where}:{line}: {target}={row[target]!r}, expected one of {sorted(LABELS)}")
        if row["frame"] not in FRAMES:
            out.append(f"{where}:{line}: frame {row['frame']!r} is not a Policy Frames id")
        if row["genre"] not in GENRES:
            out.append(f"{where}:{line}: genre {row['genre']!r}, expected one of {sorted(GENRES)}")
    out += balance_problems(where, rows, rules)
    return out


def balance_problems(where: str, rows: list[dict[str, str]], rules: Rules) -> list[str]:
    """Size, stance balance and frame coverage against ``rules``."""
    out: list[str] = []
    n = len(rows)
    if n < rules.min_rows or (rules.max_rows is not None and n > rules.max_rows):
        out.append(f"{where}: {n} rows, expected {rules.min_rows}..{rules.max_rows or 'any'}")
    for target in TARGETS:
        counts = Counter(row[target] for row in rows)
        for label in ("favor", "against"):
            if counts[label] < rules.min_per_stance:
                out.append(f"{where}: {target} has {counts[label]} {label}, needs {rules.min_per_stance}")
    frames = Counter(row["frame"] for row in rows)
    for frame in FRAMES[:-1]:
        if frames[frame] < rules.min_per_frame:
            out.append(f"{where}: frame {frame} has {frames[frame]} rows, needs {rules.min_per_frame}")
    for frame in CAPPED_FRAMES:
        if n and frames[frame] / n > rules.max_share:
            share = frames[frame] / n
            out.append(f"{where}: frame {frame} is {share:.0%} of rows, max {rules.max_share:.0%}")
    return out


def overlap_problems(files: dict[str, list[dict[str, str]]]) -> list[str]:
    """Ids or texts shared between files (each file must be disjoint from the others)."""
    out: list[str] = []
    names = sorted(files)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared_ids = {r["id"] for r in files[a]} & {r["id"] for r in files[b]}
            shared_texts = {norm(r["text"]) for r in files[a]} & {norm(r["text"]) for r in files[b]}
            out += [f"{a}.csv and {b}.csv share id {x!r}" for x in sorted(shared_ids)]
            out += [f"{a}.csv and {b}.csv share text {x[:60]!r}..." for x in sorted(shared_texts)]
    return out


def seed_problems(rows: list[dict[str, str]], raw: str) -> list[str]:
    """Every seed text must occur verbatim in the raw article."""
    return [
        f"seed.csv:{line}: text is not a verbatim span of {RAW_SEED.name}"
        for line, row in enumerate(rows, start=2)
        if row.get("text") and row["text"] not in raw
    ]


def summary(name: str, rows: list[dict[str, str]]) -> str:
    """Counts per target and label, and per frame, as plain text."""
    lines = [f"{name}.csv: {len(rows)} rows"]
    for target in TARGETS:
        c = Counter(row[target] for row in rows)
        lines.append(f"  {target:<15} favor {c['favor']:>3}  against {c['against']:>3}  none {c['none']:>3}")
    frames = Counter(row["frame"] for row in rows)
    lines += [f"  {frame:<35} {frames[frame]:>3}" for frame in FRAMES]
    return "\n".join(lines)


Rows = list[dict[str, str]]


def check_all(gold: Path = GOLD, raw_seed: Path = RAW_SEED) -> tuple[list[str], dict[str, Rows]]:
    """Problems across all gold files, and the rows read."""
    out: list[str] = []
    files: dict[str, list[dict[str, str]]] = {}
    for name, rules in RULES.items():
        path = gold / f"{name}.csv"
        if not path.is_file():
            out.append(f"{path}: missing")
            continue
        header, rows = read(path)
        files[name] = rows
        out += problems(name, header, rows, rules)
    out += overlap_problems(files)
    if "seed" in files:
        out += seed_problems(files["seed"], raw_seed.read_text(encoding="utf-8"))
    return out, files


def main() -> int:
    found, files = check_all()
    if found:
        sys.stderr.write("\n".join(found) + "\n")
        return 1
    sys.stdout.write("\n\n".join(summary(name, rows) for name, rows in files.items()) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
