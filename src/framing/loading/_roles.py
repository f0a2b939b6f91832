"""Who held which office when, and which countries a text names.

``codebooks/roles.csv`` (``country, role, person, start, end``) and
``codebooks/countries.csv`` (``country, names, adjectives, leader_role,
issuer``) let attribution read "the Prime Minister", "the Russian leader" or
"the Secretary" as the person who held that office on the document's date in
that document's context, instead of whoever spoke last.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pandas as pd

from framing import _codebooks

_ROLES = "roles.csv"
_COUNTRIES = "countries.csv"
# Words of an office title, and the synonyms folded onto the words roles.csv uses.
_SYNONYMS = {"pm": "prime minister", "premier": "prime minister", "defense": "defence",
             "secretary-general": "secretary general", "head": "leader"}
_ROLE_WORDS = frozenset({
    "president", "prime", "minister", "chancellor", "foreign", "defence", "secretary", "state",
    "external", "affairs", "general", "vice", "leader", "spokesperson", "high", "representative",
    "commission", "council", "king", "crown", "prince", "supreme", "of",
})
_HEADS = frozenset({"president", "minister", "chancellor", "secretary", "leader", "king", "prince",
                    "spokesperson", "representative", "premier", "pm"})


@dataclass(frozen=True)
class _Tenure:
    country: str
    role: str
    person: str
    start: date
    end: date | None

    def holds(self, on: date | None) -> bool:
        if on is None:  # undated: any holder, the document's mentions decide
            return True
        return self.start <= on and (self.end is None or on < self.end)  # ``end`` is the successor's start


@dataclass(frozen=True)
class _Country:
    code: str
    leader_role: str
    issuer: str


@dataclass(frozen=True)
class _Roles:
    tenures: tuple[_Tenure, ...]
    countries: dict[str, _Country]
    words: dict[str, str]  # lower-case country name or adjective -> code
    pattern: NameFinder | None
    by_issuer: dict[str, str]  # issuing body -> code

    def countries_in(self, text: str) -> list[str]:
        """Codes of the countries a text names (names and adjectives), in order."""
        if self.pattern is None:
            return []
        return [self.words[fold_name(m.group(0))] for m in self.pattern.finditer(text)]

    def holders(self, title: str, on: date | None, country: str | None = None) -> list[_Tenure]:
        """Tenures on ``on`` whose office matches the words of ``title`` ("the Prime Minister")."""
        words = role_words(title)
        if not words:
            return []
        out = []
        latest: dict[str, date] = {}
        if on is None:  # undated: each person by his or her latest office
            for t in self.tenures:
                latest[t.person] = max(latest.get(t.person, date.min), t.start)
        for t in self.tenures:
            if on is None and t.start != latest[t.person]:
                continue
            if country is not None and t.country != country:
                continue
            if not t.holds(on):
                continue
            office = [w for part in t.role.split() for w in _SYNONYMS.get(part, part).split()]
            if words == ["leader"]:
                leader = self.countries.get(t.country)
                if leader is None or leader.leader_role != t.role:
                    continue
            elif not all(w in office for w in words if w != "of"):
                continue
            out.append(t)
        return out

    def leader(self, country: str, on: date | None) -> str | None:
        """The person who led ``country`` on ``on``, or None."""
        found = sorted(self.holders("leader", on, country), key=lambda t: t.start)
        return found[-1].person if found else None

    def country_of(self, person: str, on: date | None) -> str | None:
        """The country of an office the person held on ``on`` (or ever), or None."""
        held = [t for t in self.tenures if t.person == person]
        now = [t for t in held if t.holds(on)] if on is not None else []
        return (now or held)[0].country if held else None


def fold_name(text: str) -> str:
    """The key a name is looked up by: lower case, curly apostrophe straight, spaces collapsed.

    Examples
    --------
    >>> fold_name("  Russia’s   Foreign Ministry")
    "russia's foreign ministry"
    """
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def role_words(title: str) -> list[str]:
    """The office words of a title, folded: "the Defense Secretary" -> ['defence', 'secretary'].

    Examples
    --------
    >>> role_words("the British PM")
    ['prime', 'minister']
    """
    out: list[str] = []
    for raw in re.findall(r"[A-Za-z][A-Za-z-]*", title.lower()):
        for w in _SYNONYMS.get(raw, raw).split():
            if w in _ROLE_WORDS:
                out.append(w)
    while out and out[-1] == "of":
        out.pop()
    if not any(w in _HEADS for w in out):
        return []
    return out


def is_title(word: str) -> bool:
    """Whether a noun names an office (president, minister, secretary, leader...)."""
    return _SYNONYMS.get(word.lower(), word.lower()).split()[-1] in _HEADS


def parse_date(value: object) -> date | None:
    """A document's date as a ``datetime.date``, or None when missing or unreadable."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        stamp = pd.Timestamp(str(value)[:10])
    except (ValueError, TypeError):
        return None
    return None if pd.isna(stamp) else stamp.date()


def _date(value: str) -> date | None:
    value = str(value).strip()
    return date.fromisoformat(value) if value else None


def roles(roles_file: str | None = None, countries_file: str | None = None) -> _Roles:
    """The role and country tables (the shipped ones by default), read once."""
    return _roles_cached(roles_file or _ROLES, countries_file or _COUNTRIES)


@lru_cache(maxsize=4)
def _roles_cached(roles_file: str, countries_file: str) -> _Roles:
    table = _codebooks.load_csv(roles_file, keep_default_na=False, dtype=str)
    tenures = tuple(
        _Tenure(r.country.strip(), fold_name(r.role), r.person.strip(), _date(r.start) or date.min,
                _date(r.end))
        for r in table.itertuples(index=False)
    )
    ctable = _codebooks.load_csv(countries_file, keep_default_na=False, dtype=str)
    countries: dict[str, _Country] = {}
    words: dict[str, str] = {}
    written: dict[str, str] = {}
    by_issuer: dict[str, str] = {}
    for r in ctable.itertuples(index=False):
        code = r.country.strip()
        countries[code] = _Country(code, fold_name(r.leader_role), r.issuer.strip())
        if r.issuer.strip():
            by_issuer.setdefault(r.issuer.strip(), code)
        for w in [*str(r.names).split("|"), *str(r.adjectives).split("|")]:
            if w.strip():
                words.setdefault(fold_name(w), code)
                written.setdefault(fold_name(w), w.strip())
    # "(?<![\w.])": not the "S." of "U.S."
    return _Roles(tenures, countries, words, names_finder(written, not_after=r"\w."), by_issuer)


def names_pattern(written: dict[str, str], *, not_after: str = r"\w") -> re.Pattern[str] | None:
    """One regular expression for names, longest first, whole words, case-insensitive.

    ``written`` maps each name's :func:`fold_name` key to its written form;
    all-capital names of up to four letters ("US", "UN") match in capitals
    only, so "us" and "un-" are not countries. ``not_after`` is the character
    class a match may not follow.

    Examples
    --------
    >>> p = names_pattern({"us": "US", "new delhi": "New Delhi"})
    >>> [m.group(0) for m in p.finditer("us and the US, New  Delhi")]
    ['US', 'New  Delhi']
    """
    if not written:
        return None
    names = sorted(written, key=len, reverse=True)
    return re.compile(rf"(?<![{not_after}])(?:" + "|".join(_alternative(n, written[n]) for n in names)
                      + r")(?!\w)", re.IGNORECASE)


def _alternative(key: str, written: str) -> str:
    body = r"\s+".join(re.escape(w).replace("'", "['’]") for w in key.split())
    return f"(?-i:{re.escape(written)})" if written.isupper() and len(written) <= 4 else body


_WORD_START = re.compile(r"(?<!\w)\w")


class NameFinder:
    """The matches of :func:`names_pattern`, the same ones, found without trying every name everywhere.

    The one pattern tries all names (thousands of aliases) at every position of
    a text. Here the names are grouped by their first character: at each word
    start only the group of that character is tried, as one pattern of the same
    alternatives in the same order, so the first (longest) name that matches
    there is the one the full pattern finds. A non-ASCII character (whose
    case-insensitive matches Python's ``re`` extends beyond ``str.lower``) is
    tried with the full pattern, and names beginning with a non-ASCII character
    belong to every group, so nothing is lost; when a name does not begin with
    a word character, or ``not_after`` does not exclude word characters, every
    search is the full pattern's.

    Examples
    --------
    >>> f = NameFinder({"us": "US", "new delhi": "New Delhi"})
    >>> [m.group(0) for m in f.finditer("us and the US, New  Delhi")]
    ['US', 'New  Delhi']
    """

    def __init__(self, written: dict[str, str], *, not_after: str = r"\w") -> None:
        self.pattern = names_pattern(written, not_after=not_after)
        names = sorted(written, key=len, reverse=True)
        firsts = [(written[n] if _alternative(n, written[n]).startswith("(?-i:") else n)[:1] for n in names]
        self._fast = self.pattern is not None and r"\w" in not_after and all(
            re.match(r"\w", c) for c in firsts)
        self._groups: dict[str, re.Pattern[str]] = {}
        self._spread: re.Pattern[str] | None = None
        if not self._fast:
            return

        def compiled(keep: list[bool]) -> re.Pattern[str] | None:
            alts = [_alternative(n, written[n]) for n, k in zip(names, keep, strict=True) if k]
            return re.compile(rf"(?<![{not_after}])(?:" + "|".join(alts) + r")(?!\w)",
                              re.IGNORECASE) if alts else None

        spread = [not c.isascii() for c in firsts]
        self._spread = compiled(spread)
        for key in {c.lower() for c in firsts if c.isascii()}:
            group = compiled([sp or c.lower() == key for c, sp in zip(firsts, spread, strict=True)])
            if group is not None:
                self._groups[key] = group

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The non-overlapping matches of the full pattern, left to right, as ``re.finditer``."""
        if not self._fast:
            yield from self.pattern.finditer(text)  # type: ignore[union-attr]
            return
        end = 0
        for word in _WORD_START.finditer(text):
            at = word.start()
            if at < end:
                continue
            ch = text[at]
            pattern = self._groups.get(ch.lower(), self._spread) if ch.isascii() else self.pattern
            m = pattern.match(text, at) if pattern is not None else None
            if m is not None:
                end = m.end()
                yield m


def names_finder(written: dict[str, str], *, not_after: str = r"\w") -> NameFinder | None:
    """A :class:`NameFinder` of ``written``, or ``None`` when there are no names."""
    return NameFinder(written, not_after=not_after) if written else None
