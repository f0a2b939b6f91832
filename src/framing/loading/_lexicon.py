"""The alias and cue tables of the attribution, read once into a lexicon.

``codebooks/aliases.csv`` (plus a user's extra aliases) names the officials,
bodies and role phrases a report credits words to; ``codebooks/reporting_verbs.csv``
lists the reporting verbs ("cue") and the other word lists the attribution
reads: venues, "after", documents, roles, titles, spokespeople and settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd

from framing import _codebooks
from framing.loading._roles import NameFinder, names_finder
from framing.loading._roles import fold_name as _key

_ALIASES = "aliases.csv"
_CUES = "reporting_verbs.csv"
Kind = Literal["issuer", "leader", "person", "spokesperson", "metonym", "other"]
_KINDS = ("issuer", "leader", "person", "spokesperson", "metonym")


@dataclass(frozen=True)
class _Alias:
    speaker: str
    source: str
    kind: Kind
    country: str = ""


@dataclass(frozen=True)
class _Lexicon:
    aliases: dict[str, _Alias]
    pattern: NameFinder | None  # every alias, longest first (names_pattern), tried by first letter
    cues: frozenset[str]
    phrasal: frozenset[tuple[str, str]]
    venues: tuple[str, ...]
    after: frozenset[str]
    documents: frozenset[str]
    roles: frozenset[str]
    titles: frozenset[str]
    spokespeople: frozenset[str]
    settings: frozenset[str]
    bodies: dict[str, str]  # readout -> name of the body that issues it
    positions: frozenset[str] = frozenset()  # "deny", "assess": the subject's own standing position
    issuing: frozenset[str] = frozenset()  # "issue" (a statement)
    quoting: frozenset[str] = frozenset()  # "quote" (Y as saying)
    descriptions: frozenset[str] = frozenset()  # "speak" (with), "hold" (a call)

    def find(self, text: str) -> list[tuple[int, int, _Alias]]:
        """Alias mentions in ``text`` as (start, end, alias), longest match first."""
        if self.pattern is None:
            return []
        return [(m.start(), m.end(), self.aliases[_key(m.group(0))]) for m in self.pattern.finditer(text)]

    def lookup(self, text: str) -> _Alias | None:
        return self.aliases.get(_key(text))


def _read_aliases(name_or_path: str | Path | pd.DataFrame) -> pd.DataFrame:
    if isinstance(name_or_path, pd.DataFrame):
        table = name_or_path.copy()
    else:
        table = _codebooks.load_csv(name_or_path, keep_default_na=False, dtype=str)
    missing = {"alias", "speaker", "source"} - set(table.columns)
    if missing:
        where = "the aliases DataFrame" if isinstance(name_or_path, pd.DataFrame) else str(name_or_path)
        raise ValueError(
            f"{where} lacks the column(s) {sorted(missing)}; an alias table needs "
            "alias,speaker,source[,kind] (see framing/codebooks/aliases.csv)"
        )
    for optional in ("kind", "country"):
        if optional not in table.columns:
            table[optional] = ""
    table = table.fillna("").astype(str)
    bad = ~table["kind"].isin([*_KINDS, ""])
    if bad.any():
        row = int(bad.idxmax())
        raise ValueError(
            f"alias table row {row + 1} ({table.loc[row, 'alias']!r}): kind must be one of "
            f"{', '.join(_KINDS)} or empty, not {table.loc[row, 'kind']!r}"
        )
    return table


def _infer_kind(source: str, speaker: str) -> Kind:
    if source.endswith(" readout"):
        return "leader" if speaker and speaker != source[: -len(" readout")] else "issuer"
    return "person"


@lru_cache(maxsize=16)
def _lexicon_cached(extra: str | None, cues: str) -> _Lexicon:
    tables = [_read_aliases(_ALIASES)]
    if extra is not None:
        tables.append(_read_aliases(Path(extra)))
    return _build_lexicon(pd.concat(tables, ignore_index=True), cues)


def _lexicon(aliases: str | Path | pd.DataFrame | None, cues: str | Path) -> _Lexicon:
    if isinstance(aliases, pd.DataFrame):
        table = pd.concat([_read_aliases(_ALIASES), _read_aliases(aliases)], ignore_index=True)
        return _build_lexicon(table, str(cues))
    return _lexicon_cached(None if aliases is None else str(aliases), str(cues))


def _build_lexicon(table: pd.DataFrame, cues_file: str) -> _Lexicon:
    aliases: dict[str, _Alias] = {}
    written: dict[str, str] = {}
    for row in table.itertuples(index=False):
        alias, speaker, source = str(row.alias).strip(), str(row.speaker).strip(), str(row.source).strip()
        if not alias:
            continue
        written[_key(alias)] = alias
        kind = str(row.kind).strip() or _infer_kind(source, speaker)
        aliases[_key(alias)] = _Alias(speaker, source, kind, str(row.country).strip())  # type: ignore[arg-type]
    bodies: dict[str, str] = {}
    for a in aliases.values():
        if a.kind == "issuer" and a.speaker:
            bodies.setdefault(a.source, a.speaker)
    pattern = names_finder(written)
    words = _codebooks.load_csv(cues_file, keep_default_na=False, dtype=str)
    by_kind: dict[str, list[str]] = {}
    for term, kind in zip(words["term"], words["kind"], strict=True):
        by_kind.setdefault(kind.strip(), []).append(term.strip())
    cue_terms = by_kind.get("cue", [])
    return _Lexicon(
        aliases=aliases,
        pattern=pattern,
        cues=frozenset(t.lower() for t in [*cue_terms, *by_kind.get("position", [])] if " " not in t),
        phrasal=frozenset(tuple(t.lower().split(" ", 1)) for t in cue_terms if " " in t),  # type: ignore[misc]
        venues=tuple(t.lower() for t in by_kind.get("venue", [])),
        after=frozenset(t.lower() for t in by_kind.get("after", [])),
        documents=frozenset(t.lower() for t in by_kind.get("document", [])),
        roles=frozenset(t.lower() for t in by_kind.get("role", [])),
        titles=frozenset(t.lower() for t in by_kind.get("title", [])),
        spokespeople=frozenset(t.lower() for t in by_kind.get("spokesperson", [])),
        settings=frozenset(t.lower() for t in by_kind.get("setting", [])),
        bodies=bodies,
        positions=frozenset(t.lower() for t in by_kind.get("position", [])),
        issuing=frozenset(t.lower().split()[0] for t in by_kind.get("issue", [])),
        quoting=frozenset(t.lower() for t in by_kind.get("quoting", [])),
        descriptions=frozenset(t.lower() for t in by_kind.get("description", [])),
    )
