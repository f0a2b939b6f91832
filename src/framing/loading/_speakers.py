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
from typing import TYPE_CHECKING, Literal

from framing.loading._lexicon import Kind, _Alias, _Lexicon

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

Mode = Literal["direct", "mixed", "indirect", "narration"]
_PRONOUNS = {"he": "person", "she": "person", "him": "person", "her": "person",
             "it": "body", "they": "any", "we": "any", "i": "any"}


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
    last: _Attr | None = None
    last_person: _Attr | None = None
    last_body: _Attr | None = None

    def remember(self, attr: _Attr, *, is_person: bool) -> None:
        self.last = attr
        if is_person:
            kind: Kind = "leader" if attr.source.endswith(" readout") else "person"
            self.last_person = replace(attr, kind=kind)
        if attr.kind in ("issuer", "other") or attr.source.endswith(" readout"):
            self.last_body = attr


def _strip_possessive(text: str) -> str:
    return re.sub(r"['’]s?$", "", text.strip())


def _person_name(tok: Token, lex: _Lexicon, state: _State) -> str:
    """Normalised name of the person whose name ends in ``tok``."""
    if tok.ent_type_ == "PERSON":
        ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
        words = [t for t in ent if not t.is_punct] if ent is not None else [tok]
    else:
        words = [c for c in tok.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"] + [tok]
    words = [w for w in words if w.text.lower().strip(".") not in lex.titles
             and w.lower_ not in lex.titles and w.text[:1].isupper()]
    name = _strip_possessive(" ".join(w.text for w in words)) or tok.text
    if " " not in name:
        for full in reversed(state.persons):
            if full.split()[-1] == name:
                return full
    return name


def _speaker_of_role(alias: _Alias, state: _State, text: str) -> str:
    if alias.speaker:
        return alias.speaker
    for earlier in reversed(state.leaders):
        if earlier.source == alias.source and earlier.speaker:
            return earlier.speaker
    return text


def _resolve_name(name: str, lex: _Lexicon, state: _State) -> _Attr:
    alias = lex.lookup(name)
    if alias is None:
        found = [a for _, _, a in lex.find(name) if a.kind != "issuer"]
        alias = found[-1] if found else None
    if alias is not None:
        return _Attr(_speaker_of_role(alias, state, name), alias.source, alias.kind)
    return _Attr(name, name, "person")


def _carry(kind: str, state: _State, lex: _Lexicon) -> _Attr | None:
    if kind == "person":
        return state.last_person
    if kind == "body":
        last = state.last_body or state.last
        if last is not None and last.source in lex.bodies:
            return replace(last, speaker=lex.bodies[last.source], kind="issuer")
        return last
    return state.last


def _resolve_subject(head: Token, lex: _Lexicon, state: _State) -> _Attr | None:
    """Who the noun phrase headed by ``head`` is, or None when it is nobody in particular."""
    low = head.lower_
    if head.pos_ == "PRON":
        kind = _PRONOUNS.get(low)
        return _carry(kind, state, lex) if kind else None
    span = head.doc[head.left_edge.i: head.right_edge.i + 1]
    if head.pos_ == "NOUN":  # "A senior diplomat, Jean Dupont, said"
        named = next((c for c in head.children if c.dep_ == "appos" and c.ent_type_ == "PERSON"), None)
        if named is not None:
            head = named
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
        return _Attr(alias.speaker or alias.source.removesuffix(" readout"), alias.source, "issuer")
    if found:
        s, e, alias = found[0]
        if head.lemma_.lower() in lex.documents and alias.source in lex.bodies:
            # "Zelensky's office said", "Putin's readout": the body of that side speaks
            return _Attr(lex.bodies[alias.source], alias.source, "issuer")
        return _Attr(_speaker_of_role(alias, state, span.text[s:e]), alias.source, alias.kind)
    lemma = head.lemma_.lower()
    phrase = " ".join(t.lower_ for t in head.lefts if t.dep_ == "compound") + " " + low
    if lemma in lex.documents or low in lex.documents:
        return _carry("body", state, lex)
    if lemma in lex.roles or low in lex.roles or phrase.strip() in lex.roles:
        if head.tag_ in ("NNS", "NNPS"):
            return _Attr(_np_text(head), _np_text(head), "other")
        return _carry("person", state, lex)
    if head.ent_type_ in ("ORG", "GPE", "NORP", "PERSON") or head.pos_ == "PROPN":
        ent = next((e for e in head.doc.ents if e.start <= head.i < e.end), None)
        name = _strip_possessive(ent.text if ent is not None else head.text)
        name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
        return _Attr(name, name, "other")
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


def _np_text(head: Token) -> str:
    words = [t.text for t in head.doc[head.left_edge.i: head.i + 1] if t.dep_ not in ("det", "punct")]
    return " ".join(words)
