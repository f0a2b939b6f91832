"""The attribution's data tables: aliases.csv, roles.csv and countries.csv agree with each other."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

CODEBOOKS = Path(__file__).resolve().parents[1] / "src" / "framing" / "codebooks"
KINDS = {"issuer", "leader", "person", "metonym"}
G20 = ["AR", "AU", "BR", "CA", "CN", "FR", "DE", "IN", "ID", "IT", "JP", "MX", "RU", "SA", "ZA", "KR",
       "TR", "GB", "US", "EU", "AFU"]
STATES = [c for c in G20 if c not in ("EU", "AFU")] + ["UA", "PK", "IL", "IR"]
CHECK_DATES = ["2015-01-01", "2022-09-07", "2022-10-21", "2022-10-26", "2026-06-01"]
COVER_FROM, COVER_TO = pd.Timestamp("2014-01-01"), pd.Timestamp("2026-12-01")
# Several spokespeople of one side may serve at the same time.
MAY_OVERLAP = {"spokesperson"}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(CODEBOOKS / name, comment="#", keep_default_na=False, dtype=str)


@pytest.fixture(scope="module")
def aliases() -> pd.DataFrame:
    return _read("aliases.csv")


@pytest.fixture(scope="module")
def roles() -> pd.DataFrame:
    table = _read("roles.csv")
    table["start_date"] = pd.to_datetime(table["start"], format="%Y-%m-%d")
    table["end_date"] = pd.to_datetime(table["end"].replace("", None), format="%Y-%m-%d")
    return table


@pytest.fixture(scope="module")
def countries() -> pd.DataFrame:
    return _read("countries.csv")


def _holders(roles: pd.DataFrame, country: str, role: str, on: str) -> list[str]:
    """Who held ``role`` in ``country`` on ``on``: from start up to the day before end."""
    day = pd.Timestamp(on)
    rows = roles[(roles["country"] == country) & (roles["role"] == role)]
    held = rows[(rows["start_date"] <= day) & (rows["end_date"].isna() | (day < rows["end_date"]))]
    return held["person"].tolist()


def test_columns(aliases, roles, countries):
    assert list(aliases.columns) == ["alias", "speaker", "source", "kind", "country"]
    assert list(roles.columns[:5]) == ["country", "role", "person", "start", "end"]
    assert list(countries.columns) == ["country", "names", "adjectives", "leader_role", "issuer"]


def test_kinds_are_valid(aliases):
    assert set(aliases["kind"]) <= KINDS, set(aliases["kind"]) - KINDS


def test_every_alias_once(aliases):
    keys = aliases["alias"].str.replace(r"\s+", " ", regex=True).str.strip().str.lower()
    assert (keys != "").all()
    dupes = aliases.loc[keys.duplicated(keep=False), "alias"].tolist()
    assert not dupes, dupes


def test_every_row_has_a_known_country(aliases, roles, countries):
    codes = set(countries["country"])
    assert countries["country"].is_unique
    for name, table in (("aliases.csv", aliases), ("roles.csv", roles)):
        unknown = table.loc[~table["country"].isin(codes), ["country"]].drop_duplicates()
        assert unknown.empty, f"{name}: {unknown['country'].tolist()}"


def test_sources_follow_kinds(aliases):
    readouts = aliases["source"].str.endswith(" readout")
    persons = aliases["kind"] == "person"
    assert readouts[~persons].all(), aliases.loc[~persons & ~readouts, "alias"].tolist()
    wrong = aliases[persons & (aliases["source"] != aliases["speaker"])]
    assert wrong.empty, wrong["alias"].tolist()
    issuers = aliases[aliases["kind"] == "issuer"]
    # an issuer row's source is its own readout, except a spokesperson of the body
    own = issuers["source"] == issuers["speaker"] + " readout"
    assert (own | issuers["speaker"].str.endswith(" spokesperson")).all(), issuers.loc[~own, "alias"].tolist()


def test_role_holders_have_aliases(aliases, roles):
    named = set(aliases["speaker"])
    missing = sorted(set(roles["person"]) - named)
    assert not missing, missing


def test_role_rows_are_valid(roles):
    assert (roles["role"] == roles["role"].str.strip().str.lower()).all()
    assert roles["start"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert roles["end"].str.fullmatch(r"(\d{4}-\d{2}-\d{2})?").all()
    backwards = roles[roles["end_date"].notna() & (roles["end_date"] < roles["start_date"])]
    assert backwards.empty, backwards[["country", "role", "person"]].values.tolist()


def test_tenures_do_not_overlap(roles):
    clashes = []
    for (country, role), group in roles.groupby(["country", "role"]):
        if role in MAY_OVERLAP:
            continue
        group = group.sort_values("start_date")
        starts = group["start_date"].tolist()
        ends = [pd.Timestamp.max if pd.isna(e) else e for e in group["end_date"]]
        people = group["person"].tolist()
        for i in range(1, len(group)):
            if starts[i] < ends[i - 1]:
                clashes.append((country, role, people[i - 1], people[i]))
    assert not clashes, clashes


def _required_offices(countries: pd.DataFrame) -> list[tuple[str, str]]:
    leader = dict(zip(countries["country"], countries["leader_role"], strict=True))
    offices = [(c, leader[c]) for c in [*STATES, "NATO", "UN", "AFU"]]
    offices += [(c, r) for c in STATES for r in ("foreign minister", "defence minister")]
    eu = ("president of the european commission", "president of the european council", "high representative")
    offices += [("EU", r) for r in eu]
    return offices


def test_offices_are_filled_from_2014_without_gaps(roles, countries):
    gaps = []
    for country, role in _required_offices(countries):
        group = roles[(roles["country"] == country) & (roles["role"] == role)].sort_values("start_date")
        group = group[group["end_date"].isna() | (group["end_date"] > COVER_FROM)]
        if group.empty or group["start_date"].iloc[0] > COVER_FROM:
            gaps.append((country, role, "starts late"))
            continue
        ends, starts = group["end_date"].tolist(), group["start_date"].tolist()
        gaps += [(country, role, str(ends[i - 1].date()))
                 for i in range(1, len(group)) if starts[i] != ends[i - 1]]
        if not pd.isna(ends[-1]) and ends[-1] < COVER_TO:
            gaps.append((country, role, "ends early"))
    assert not gaps, gaps


@pytest.mark.parametrize("code", [*G20, "NATO", "UN"])
def test_every_member_has_a_leader_on_the_check_dates(code, roles, countries):
    row = countries[countries["country"] == code]
    assert len(row) == 1, code
    role = row["leader_role"].iloc[0]
    for on in CHECK_DATES:
        assert len(_holders(roles, code, role, on)) == 1, (code, role, on, _holders(roles, code, role, on))


@pytest.mark.parametrize(("on", "person"), [("2022-09-05", "Boris Johnson"), ("2022-09-07", "Liz Truss"),
                                            ("2022-10-21", "Liz Truss"), ("2022-10-26", "Rishi Sunak")])
def test_uk_prime_ministers_of_2022(roles, on, person):
    assert _holders(roles, "GB", "prime minister", on) == [person]


def test_countries_point_at_issuers_and_roles(aliases, roles, countries):
    issuers = set(aliases.loc[aliases["kind"] == "issuer", "speaker"])
    assert set(countries["issuer"]) <= issuers, set(countries["issuer"]) - issuers
    held = set(zip(roles["country"], roles["role"], strict=True))
    leaders = zip(countries["country"], countries["leader_role"], strict=True)
    missing = [(c, r) for c, r in leaders if (c, r) not in held]
    assert not missing, missing
    assert set(countries["country"]) <= set(roles["country"])


def test_metonyms_stand_for_an_issuer(aliases, countries):
    readouts = set(aliases.loc[aliases["kind"] == "issuer", "source"])
    metonyms = aliases[aliases["kind"] == "metonym"]
    assert not metonyms.empty
    stray = metonyms.loc[~metonyms["source"].isin(readouts), "alias"].tolist()
    assert not stray, stray
    issuer_of = dict(zip(countries["country"], countries["issuer"], strict=True))
    off = metonyms[metonyms["speaker"] != metonyms["country"].map(issuer_of)]
    assert off.empty, off["alias"].tolist()


def test_one_side_one_source_for_capitals(aliases):
    kyiv = "Office of the President of Ukraine readout"
    capitals = {"Moscow": "Kremlin readout", "Beijing": "Chinese Foreign Ministry readout",
                "Washington": "White House readout", "London": "Downing Street readout",
                "Kyiv": kyiv, "Kiev": kyiv}
    got = dict(zip(aliases["alias"], aliases["source"], strict=True))
    assert {a: got.get(a) for a in capitals} == capitals


def test_bare_surnames_name_one_person(aliases):
    people = aliases[aliases["kind"].isin(["leader", "person"]) & (aliases["speaker"] != "")]
    names = {s: set(s.lower().split()) for s in people["speaker"].unique()}
    shared = []
    for alias, speaker in zip(people["alias"], people["speaker"], strict=True):
        if re.search(r"\s", alias.strip()):
            continue
        word = alias.strip().lower()
        others = sorted(s for s, words in names.items() if word in words and s != speaker)
        if others:
            shared.append((alias, speaker, others))
    assert not shared, shared
