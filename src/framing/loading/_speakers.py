"""Who a noun phrase is: names, aliases, roles and pronouns resolved to a speaker and source.

The subject of a reporting verb is looked up in the lexicon (aliases, role
phrases), in the person names spaCy found, or carried over from what the
document said before: a pronoun refers back to the last person or body
quoted, "the statement" to the last official source, "the minister" to the
last person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Literal

from framing.loading._lexicon import Kind, _Alias, _Lexicon
from framing.loading._roles import _Roles, is_title, role_words

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

Mode = Literal["direct", "mixed", "indirect", "narration"]
_PRONOUNS = {"he": "person", "she": "person", "him": "person", "her": "person",
             "it": "body", "they": "any", "we": "any", "i": "any"}
# Plural nouns that, with nothing but an article or a number ("the two leaders",
# "both sides"), mean the two parties of the event the document reports.
_PARTIES = frozenset({"leader", "president", "side", "party", "man", "official", "minister",
                      "counterpart", "interlocutor", "head", "chief", "premier", "delegation"})
# Subjects of a reporting verb that are nobody's voice ("the call lasted", "data show").
_NOT_SPEAKERS = frozenset({
    "call", "conversation", "talk", "meeting", "datum", "data", "figure", "evidence", "image",
    "video", "footage", "poll", "survey", "study", "map", "move", "decision", "plan", "deal",
    "agreement", "visit", "situation", "trip", "summit", "event", "discussion", "exchange",
    "nothing", "something", "everything", "anything", "question", "issue", "story", "article",
    "headline", "tone", "language", "word", "sanction", "threat", "warning", "message", "signal",
})
# Document nouns that name a body rather than a text ("ministry", "office"): "the British ministry"
# is not the British government's account.
_BODIES = frozenset({"ministry", "department", "office", "government", "presidency", "administration",
                     "service"})
_COMMON_MODIFIERS = frozenset({"senior", "former", "top", "chief", "deputy", "local", "regional",
                               "foreign", "unnamed", "anonymous", "military", "government", "security",
                               "intelligence", "diplomatic", "opposition", "industry", "independent"})
_QUANTIFIERS = frozenset({"several", "many", "some", "all", "both", "few", "various", "other", "two",
                          "three", "four"})


@dataclass(frozen=True)
class _Attr:
    speaker: str
    source: str
    kind: Kind
    cue: str = ""
    mode: Mode = "indirect"


@dataclass
class _State:
    """What a document has said so far, for carry-over."""

    persons: list[str] = field(default_factory=list)  # full names in order of mention
    leaders: list[_Alias] = field(default_factory=list)  # leader mentions in order
    parties: set[str] = field(default_factory=set)  # readouts the document draws on
    roles: _Roles | None = None  # who held which office when
    on: date | None = None  # the document's date
    home: str | None = None  # in a readout, the issuer's country
    recent: list[str] = field(default_factory=list)  # person mentions, latest last, repeats kept
    countries: list[str] = field(default_factory=list)  # country mentions, latest last
    participants: list[str] = field(default_factory=list)  # leaders of the event, first mention first
    subjects: list[str] = field(default_factory=list)  # people quoted or main-clause subjects, latest last
    last: _Attr | None = None
    last_person: _Attr | None = None
    last_body: _Attr | None = None

    issuers: list[_Alias] = field(default_factory=list)  # issuing bodies named, latest last
    venue: dict[str, bool] = field(default_factory=dict)  # person -> last words placed outside the event

    def remember(self, attr: _Attr, *, is_person: bool) -> None:
        self.last = attr
        if is_person:
            kind: Kind = "leader" if attr.source.endswith(" readout") else "person"
            self.last_person = replace(attr, kind=kind)
        if attr.kind == "issuer" or attr.source.endswith(" readout"):
            self.last_body = attr
        elif attr.kind == "other" and self.last_body is None:
            self.last_body = attr


def _strip_possessive(text: str) -> str:
    return re.sub(r"['’]s?$", "", text.strip())


def _person_name(tok: Token, lex: _Lexicon, state: _State) -> str:
    """Normalised name of the person whose name ends in ``tok``."""
    if tok.ent_type_ == "PERSON":
        ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
        start = ent.start if ent is not None else tok.i
        while start > 0 and tok.doc[start - 1].pos_ == "PROPN" and tok.doc[start - 1].dep_ == "compound":
            start -= 1  # "Beatriz" left out of the entity "Lemos Cardoso"
        end = ent.end if ent is not None else tok.i + 1
        words = [t for t in tok.doc[start:end] if not t.is_punct or t.text in "-‐"]
        last_title = max((k for k, w in enumerate(words) if w.lower_.strip(".") in lex.titles), default=-1)
        words = words[last_title + 1:]  # "Economy Minister Marcelo Ebrard": the name after the title
    else:
        words = [c for c in tok.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"] + [tok]
    words = [w for w in words if w.text.lower().strip(".") not in lex.titles
             and w.lower_ not in lex.titles and (w.text[:1].isupper() or w.text in "-‐"
                                                  or w.lower_ in _PARTICLES)]
    while words and (words[0].lower_ in _PARTICLES or words[0].text in "-‐"):
        words = words[1:]
    name = _strip_possessive(_join(words)).strip("-‐ ") or tok.text
    return canonical_name(name, lex, state)


def _join(words: list[Token]) -> str:
    """Words of a name as written: "Amir-Abdollahian", not "Amir - Abdollahian"."""
    out = ""
    for w in words:
        out += w.text + (w.whitespace_ if w is not words[-1] else "")
    return re.sub(r"\s+", " ", out).strip()


# Lower-case parts of names: "Majed al-Ansari", "Ursula von der Leyen"
_PARTICLES = frozenset({"al", "el", "bin", "bint", "ibn", "von", "der", "den", "de", "van", "da", "di",
                        "la", "le", "du", "del", "dos", "das", "ben"})
_FAMILY_FIRST = frozenset({"CN", "KR", "KP", "TW", "VN", "HK", "MO"})  # family name written first
_SUFFIXES = re.compile(r"\s+(?:Jr\.?|Sr\.?|II|III|IV)$")
_INITIALS = re.compile(r"\s+[A-Z]\.(?=\s)")


def canonical_name(name: str, lex: _Lexicon, state: _State) -> str:
    """One name per person: the alias table's, else the full name used earlier in the document.

    "Lloyd J. Austin III" -> "Lloyd Austin"; "Bhutto Zardari" after "Bilawal
    Bhutto Zardari" -> the full name.
    """
    plain = _INITIALS.sub("", _SUFFIXES.sub("", name))
    for form in (name, plain):
        alias = lex.lookup(form)
        if alias is not None and alias.speaker and alias.kind in ("leader", "person", "spokesperson"):
            return alias.speaker
    for full in reversed(state.persons):
        if full != plain and (full.endswith(" " + plain) or full.split()[-1] == plain):
            return full
        alias = lex.lookup(full)
        if " " not in plain and full.split()[0] == plain and alias is not None \
                and alias.country in _FAMILY_FIRST:
            return full  # "Wang" after "Wang Yi"
    if " " not in plain:  # "Sir Keir" after "Keir Starmer": a first name only one person has
        firsts = [f for f in dict.fromkeys(state.persons) if f.split()[0] == plain]
        if len(firsts) == 1 and not any(f.split()[-1] == plain for f in state.persons):
            return firsts[0]
    return plain


def _speaker_of_role(alias: _Alias, state: _State, text: str) -> str:
    if alias.speaker:
        return alias.speaker
    holder = by_role(text, state)
    if holder:
        return holder
    for earlier in reversed(state.leaders):
        if earlier.source == alias.source and earlier.speaker:
            return earlier.speaker
    return text


def by_role(title: str, state: _State) -> str | None:
    """The person a title ("the Prime Minister", "the Russian minister") means in this document.

    The holder of that office on the document's date: of the country the title
    names; else, in a readout, of the issuer's country; else the holder
    mentioned last in the document; else of the country named last.
    """
    table = state.roles
    if table is None:
        return None
    named = table.countries_in(title)
    country = named[-1] if named else None
    found = table.holders(title, state.on, country)
    people = list(dict.fromkeys(t.person for t in found))
    if not people:
        return None
    if country is not None and len(people) == 1:
        return people[0]
    if country is None and state.home is not None:
        home = list(dict.fromkeys(t.person for t in found if t.country == state.home))
        if len(home) == 1:
            return home[0]
        if home:  # "The President" in the Commission's statement: one of its own presidents
            people = home
    for name in [*reversed(state.subjects), *reversed(state.recent)]:
        if name in people:
            return name
    if country is None:
        for code in reversed(state.countries):
            there = list(dict.fromkeys(t.person for t in found if t.country == code))
            if len(there) == 1:
                return there[0]
    return None


def both(state: _State, lex: _Lexicon) -> str | None:
    """The two parties of the event ("Boris Johnson and Vladimir Putin"), or None."""
    table = state.roles

    def country(name: str) -> str:
        alias = lex.lookup(name)
        if alias is not None and alias.country:
            return alias.country
        return (table.country_of(name, state.on) if table is not None else None) or name

    picked: list[str] = []
    for name in state.participants:
        if all(country(name) != country(p) for p in picked):
            picked.append(name)
        if len(picked) == 2:
            return " and ".join(sorted(picked))
    if picked and table is not None and state.home is not None:
        own = table.leader(state.home, state.on)
        if own and own not in picked:
            return " and ".join(sorted([*picked, own]))
    return None


def _person_attr(name: str, lex: _Lexicon) -> _Attr:
    alias = lex.lookup(name)
    if alias is not None and alias.speaker:
        return _Attr(alias.speaker, alias.source, alias.kind)
    return _Attr(name, name, "person")


def _resolve_name(name: str, lex: _Lexicon, state: _State) -> _Attr:
    alias = lex.lookup(name)
    if alias is None:
        # "Joseph R. Biden" is Joe Biden; "Mike Johnson" is not Boris Johnson
        found = [a for _, _, a in lex.find(name) if a.kind not in ("issuer", "metonym")
                 and (" " not in name or not a.speaker or a.speaker[:1].lower() == name[:1].lower())]
        alias = found[-1] if found else None
    if alias is not None:
        return _Attr(_speaker_of_role(alias, state, name), alias.source, alias.kind)
    return _Attr(name, name, "person")


def _carry_pronoun(low: str, kind: str, state: _State, lex: _Lexicon) -> _Attr | None:
    """A pronoun's referent; "he"/"she"/"they" with nothing to refer to stay themselves."""
    last = state.last_person
    if kind == "person" and state.subjects and (last is None or state.subjects[-1] != last.speaker):
        return _person_attr(state.subjects[-1], lex)  # "Marta Quinn spoke ... she said"
    found = _carry(kind, state, lex)
    if found is None and low in ("he", "she", "they"):
        return _Attr(low, low, "other")
    return found


def _carry(kind: str, state: _State, lex: _Lexicon) -> _Attr | None:
    if kind == "person":
        return state.last_person
    if kind == "body":
        last = state.last_body or state.last
        if last is not None and last.kind == "other" and state.issuers and last is not state.last:
            alias = state.issuers[-1]
            return _Attr(alias.speaker, alias.source, "issuer")
        if last is not None and last.source in lex.bodies:
            return replace(last, speaker=lex.bodies[last.source], kind="issuer")
        return last
    return state.last


def _resolve_subject(head: Token, lex: _Lexicon, state: _State) -> _Attr | None:
    """Who the noun phrase headed by ``head`` is, or None when it is nobody in particular."""
    low = head.lower_
    if head.pos_ == "PRON":
        kind = _PRONOUNS.get(low)
        return _carry_pronoun(low, kind, state, lex) if kind else None
    before = head.doc[head.left_edge.i: head.i]
    if any(t.lower_ in ("neither", "none") or (t.lower_ == "no" and t.dep_ == "det" and t.head.pos_ == "NOUN"
                                               and not t.nbor(1).like_num and t.nbor(1).text != ".")
           for t in before):
        return None  # "Neither side's readout suggested ...": nobody speaks
    if any(c.dep_ == "conj" for c in head.children):
        people = [e for e in head.doc.ents if e.label_ == "PERSON"
                  and head.left_edge.i <= e.root.i <= head.right_edge.i]
        if len(people) == 1 and people[0].root.dep_ in ("appos", "compound", "conj"):
            return _resolve_subject(people[0].root, lex, state)  # "Tory MP and ex-minister Sir R. P."
        return _group(head, lex, state)
    span = _core(head)
    if head.pos_ == "NOUN":  # "A senior diplomat, Jean Dupont, said"; "Turkey's disaster agency, AFAD,"
        named = next((c for c in head.children if c.dep_ == "appos"
                      and c.ent_type_ in ("PERSON", "ORG") and c.pos_ == "PROPN"), None)
        if named is not None:
            head = named
            if named.ent_type_ == "ORG":  # the body's own name, not the description around it
                span = head.doc[head.left_edge.i: head.right_edge.i + 1]
    if head.pos_ == "PROPN" and head.ent_type_ in ("PERSON", ""):
        name = _person_name(head, lex, state)
        if lex.lookup(name) is not None or head.ent_type_ == "PERSON":
            who = _resolve_name(name, lex, state)
            side = _spokesperson_side(span, name, lex, state) if who.kind != "leader" else None
            return replace(who, source=side, kind="spokesperson") if side else who
    found = _heads_only(lex.find(span.text), span, head)
    issuers = [a for _, _, a in found if a.kind in ("issuer", "metonym")]
    if issuers:
        alias = max(((e - s, a) for s, e, a in found if a.kind in ("issuer", "metonym")),
                    key=lambda x: x[0])[1]
        if alias.kind == "metonym" and alias.country:
            # "Tokyo said": the body of that government the document has named, if any
            named = next((a for a in reversed(state.issuers) if a.country == alias.country), None)
            alias = named or alias
        return _Attr(alias.speaker or alias.source.removesuffix(" readout"), alias.source, "issuer")
    seen = _named_before(span, head, state)
    if seen is not None:
        return seen
    office = _office(span, head, lex, state)
    if office is not None:
        return office
    if found:
        s, e, alias = found[0]
        if head.lemma_.lower() in lex.documents and alias.source in lex.bodies:
            # "Zelensky's office said", "Putin's readout": the body of that side speaks
            return _Attr(lex.bodies[alias.source], alias.source, "issuer")
        if not alias.speaker and head.tag_ not in ("NNS", "NNPS"):
            holder = by_role(span.text, state)
            if holder:
                return replace(_person_attr(holder, lex), cue=f"role: {_title_text(head)}")
        return _Attr(_speaker_of_role(alias, state, span.text[s:e]), alias.source, alias.kind)
    return _common_noun(head, span, lex, state)


def _common_noun(head: Token, span: Span, lex: _Lexicon, state: _State) -> _Attr | None:
    """A subject that no alias names: an office, a document, the two parties, or a new voice."""
    low, lemma = head.lower_, head.lemma_.lower()
    plural = head.tag_ in ("NNS", "NNPS")
    if (lemma in lex.documents or low in lex.documents) and head.pos_ == "NOUN" and not (
            plural and any(c.dep_ == "amod" for c in head.lefts)):  # "Western governments" are voices
        source = _document_source(head, lex, state)
        return source if source is not None else _carry("body", state, lex)
    lefts = list(head.lefts)
    if plural and lemma in _PARTIES and lefts and all(  # "the two leaders", "both sides"; not "Officials"
        c.dep_ in ("det", "predet", "nummod", "quantmod", "punct") for c in lefts
    ) and not any(c.dep_ == "prep" for c in head.rights):
        pair = both(state, lex)
        if pair:
            return _Attr(pair, pair, "other")
    if not plural and (is_title(lemma) or is_title(low)) and not _unknown_place(head, state):
        holder = by_role(span.text, state)
        if holder:
            return replace(_person_attr(holder, lex), cue=f"role: {_title_text(head)}")
    definite = any(c.lower_ in ("the", "this", "that") for c in head.lefts)
    phrase = " ".join(t.lower_ for t in head.lefts if t.dep_ == "compound") + " " + low
    if not plural and definite and (lemma in lex.roles or low in lex.roles or phrase.strip() in lex.roles):
        carried = _carry("person", state, lex)
        if carried is not None and _holds_office(carried.speaker, low, state):
            return carried
    if head.ent_type_ in ("ORG", "GPE", "NORP", "PERSON") or head.pos_ == "PROPN":
        ent = next((e for e in head.doc.ents if e.start <= head.i < e.end), None)
        name = _strip_possessive(ent.text if ent is not None else head.text)
        name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE).strip("\"“”'‘’ ")
        if not name or not name[0].isalnum() or any(q in name for q in "\"“”"):
            return None
        known = canonical_name(name, lex, state)
        if known != name and known in state.persons:  # "Wang" after "Wang Yi"
            return _person_attr(known, lex)
        return _Attr(name, name, "other")
    if head.pos_ != "NOUN" or lemma in _NOT_SPEAKERS:
        return None
    name = noun_phrase(head)
    return _Attr(name, name, "other") if name else None


def _unknown_place(head: Token, state: _State) -> bool:
    """"the Nigerian leader" when the country table has no Nigeria: not some other country's leader."""
    table = state.roles
    return table is not None and any(
        c.dep_ in ("amod", "compound", "poss", "nmod") and c.text[:1].isupper() and role_words(c.text) == []
        and c.lower_ not in ("prime", "foreign", "defence", "defense", "vice", "deputy", "chief")
        and not table.countries_in(c.text) for c in head.lefts)


def _holds_office(person: str, noun: str, state: _State) -> bool:
    """Whether ``person`` held an office called ``noun`` ("the minister", "the spokesman")."""
    table = state.roles
    if table is None:
        return False
    word = "spokesperson" if noun.startswith("spokes") else noun
    return any(t.person == person and word in t.role.split() for t in table.tenures)


def _title_text(head: Token) -> str:
    words = [t.text for t in head.lefts if t.dep_ == "compound"] + [head.text]
    return " ".join(w[:1].upper() + w[1:] for w in words)


def noun_phrase(head: Token) -> str:
    """The phrase a common-noun voice goes by: without articles, numbers or quantifiers.

    "the two negotiators" -> "negotiators"; "A senior official at the ministry,
    who ..." -> "senior official at the ministry".
    """
    keep: list[Token] = []
    for child in head.lefts:
        if child.dep_ in ("det", "predet", "nummod", "quantmod", "punct") or child.lower_ in _QUANTIFIERS:
            continue
        keep.extend(child.subtree)
    keep.append(head)
    modified = any(c.dep_ in ("amod", "compound", "nmod", "poss") for c in head.lefts)
    for child in head.rights:
        # "authorities in Donetsk" needs its place to be named; "G7 ministers in Liverpool" does not
        if child.dep_ == "prep" and (child.lower_ != "in" or not modified):
            keep.extend(child.subtree)
    keep.sort(key=lambda t: t.i)
    text = "".join(t.text_with_ws for t in keep).strip().strip(",")
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)
    first = keep[0]
    # "Negotiators said" -> "negotiators", "Senior officials" -> "senior officials"; "Western
    # governments" keeps its capital
    if (first.is_sent_start and (first.i == head.i or first.lower_ in _COMMON_MODIFIERS)
            and text[:1].isupper() and text[1:2].islower()):
        text = text[:1].lower() + text[1:]
    return text


def _group(head: Token, lex: _Lexicon, state: _State) -> _Attr | None:
    """A coordinated subject ("The EU, US and UK", "Putin and Macron"): one source for the group."""
    members = [head, *[t for t in head.subtree if t.dep_ == "conj" and t.head.i in
                       {head.i, *[c.i for c in head.subtree if c.dep_ == "conj"]}]]
    people = []
    for m in members:
        if m.pos_ == "NOUN" and is_title(m.lemma_):  # "The Secretary and the Foreign Secretary"
            holder = by_role(" ".join(t.text for t in m.lefts if t.dep_ != "det") + " " + m.text, state)
            if holder is None:
                break
            people.append(holder)
            continue
        if m.ent_type_ != "PERSON" and m.pos_ != "PROPN":
            break
        name = _person_name(m, lex, state)
        alias = lex.lookup(name)
        if alias is None or alias.kind not in ("leader", "person"):
            break
        people.append(alias.speaker or name)
    else:
        if len(people) > 1:
            pair = " and ".join(sorted(dict.fromkeys(people)))
            return _Attr(pair, pair, "other")
    keep: set[int] = set()
    for m in members:
        keep.add(m.i)
        for child in m.children:
            if child.dep_ in ("compound", "amod", "nmod", "poss", "case", "cc", "punct", "nummod") or (
                    child.dep_ == "det" and m is not head):
                keep.update(t.i for t in child.subtree if t.dep_ not in ("prep", "appos", "relcl"))
    words = [t for t in head.doc[head.left_edge.i: max(keep) + 1] if t.i in keep]
    text = "".join(t.text_with_ws for t in words).strip().strip(",").strip()
    return _Attr(text, text, "other") if text else None


def _office(span: Span, head: Token, lex: _Lexicon, state: _State) -> _Attr | None:
    """An office named by its country rather than by an alias.

    "China's foreign ministry" is looked up as "Chinese foreign ministry";
    "the Russian presidential administration" or "Ukraine's presidential office"
    is that country's issuing body from the country table.
    """
    table = state.roles
    if table is None or head.lemma_.lower() not in lex.documents | {"administration", "service", "side",
                                                                    "delegation"}:
        return None
    codes = table.countries_in(span.text)
    if not codes:
        return None
    words = [t.lower_ for t in span if t.dep_ not in ("det", "poss", "case", "punct")
             and table.countries_in(t.text) == []]
    for adjective in [w for w, c in table.words.items() if c == codes[-1]]:
        alias = lex.lookup(f"{adjective} {' '.join(words)}")
        if alias is not None and alias.kind == "issuer":
            return _Attr(alias.speaker or alias.source.removesuffix(" readout"), alias.source, "issuer")
    country = table.countries.get(codes[-1])
    low = span.text.lower()
    account = (head.lemma_.lower() in lex.documents and head.lemma_.lower() not in _BODIES) or \
        head.lemma_.lower() in ("side", "delegation")
    if country and country.issuer and (account or any(
            w in low for w in ("presiden", "prime minister", "government"))):
        alias = lex.lookup(country.issuer)
        source = alias.source if alias is not None else f"{country.issuer} readout"
        return _Attr(country.issuer, source, "issuer")
    return None


def _document_source(head: Token, lex: _Lexicon, state: _State) -> _Attr | None:
    """Who issued a statement named with its author ("a statement from the EU's executive")."""
    for child in head.children:
        author = None
        if child.dep_ == "poss":
            author = child
        elif child.dep_ == "prep" and child.lower_ in ("from", "by", "of"):
            author = next((c for c in child.children if c.dep_ == "pobj"), None)
        elif child.dep_ == "acl":  # "a statement issued by G7 foreign ministers"
            agent = next((c for c in child.children if c.dep_ == "agent"), None)
            author = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent else None
        if author is not None:
            who = _resolve_subject(author, lex, state)
            if who is not None:
                return who
    return None


def _core(head: Token) -> Span:
    """The words that name a subject: its left modifiers, the head, and "of ..." phrases after it.

    An apposition or a clause after the head ("the two leaders, who ... John Kerry") does not
    name it.
    """
    end = head.i
    for child in head.rights:
        if child.dep_ in ("nummod", "npadvmod", "appos") and child.i == end + 1 and child.like_num:
            end = child.i  # "Number 10", "No. 10"
            continue
        if child.dep_ == "prep" and child.lower_ in ("of", "for", "from") and child.i == end + 1:
            end = child.right_edge.i
        elif child.dep_ == "compound":
            end = max(end, child.right_edge.i)
    return head.doc[head.left_edge.i: end + 1]


def _named_before(span: Span, head: Token, state: _State) -> _Attr | None:
    """"the Commission" after "the European Commission": a short form of a body named earlier."""
    if head.pos_ != "PROPN":
        return None
    words = " ".join(t.text for t in span if t.pos_ == "PROPN").lower()
    if not words:
        return None
    for alias in reversed(state.issuers):
        if alias.speaker.lower().endswith(" " + words):
            return _Attr(alias.speaker, alias.source, "issuer")
    return None


def _heads_only(found: list[tuple[int, int, _Alias]], span: Span,
                head: Token) -> list[tuple[int, int, _Alias]]:
    """Drop metonyms that only modify the subject ("Ukraine's military", "Moscow correspondent")."""
    at = head.idx - span.start_char
    return [(s, e, a) for s, e, a in found if a.kind != "metonym" or s <= at < e]


def _spokesperson_side(span: Span, name: str, lex: _Lexicon, state: _State) -> str | None:
    """The readout a named spokesperson speaks for ("Kremlin spokesman Dmitry Peskov", "his spokesman")."""
    words = [t for t in span if t.lower_ in lex.spokespeople or t.lemma_.lower() in lex.spokespeople]
    if not words:
        return None
    rest = span.text.replace(name, " ")
    issuers = [a for _, _, a in lex.find(rest) if a.kind == "issuer"]
    if issuers:
        return issuers[0].source
    for word in words:
        for child in word.children:
            if child.dep_ != "poss":
                continue
            if child.lower_ in ("his", "her") and state.last_person is not None:
                source = state.last_person.source
                return source if source.endswith(" readout") else None
            if child.lemma_.lower() in lex.documents and state.last_body is not None:
                return state.last_body.source
    return None
