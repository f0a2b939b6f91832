"""Reporting cues in one parsed sentence: who is the subject of which reporting verb.

:func:`candidates` lists the attributions a sentence offers ("Putin told
Johnson ...", "..., it said", "according to the Kremlin", "Sputnik quoted
Johnson as saying ..."), best first; :func:`finish` turns the chosen one into
a speaker and a source (a leader's words go to his or her side's readout
unless the attribution places them elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from framing.loading._lexicon import _Lexicon
from framing.loading._speakers import Mode, _Attr, _resolve_subject, _State, both, noun_phrase

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
# "India has long accused ...": a standing position, not words in the event
_STANDING = frozenset({"long", "repeatedly", "always", "consistently", "often"})
# Children of a reporting verb that carry the reported content, not the attribution.
_CONTENT_DEPS = frozenset({"ccomp", "xcomp", "advcl", "conj", "parataxis", "csubj", "dep", "cc", "acomp"})
# "WASHINGTON (AP) — " and the like: blanked before parsing, so the city is not read as a subject.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'’ /-]+(?:,\s*[A-Za-z0-9. ]+){0,2}\s*(?:\([^)]{1,30}\))?"  # "WASHINGTON (AP)"
    r"|[A-Z][\w.'’ /-]{1,40}?\s*\([A-Z]{2,8}\))\s*[—–-]+\s+"  # "Cairo (MPA) –"
)
# "Beijing: Anthony Albanese has ..." -- a place and a colon opening a story
_PLACE_COLON = re.compile(r"^([A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+)?):\s+(?=[A-Z])")
# "That was the verdict of X", "X offered that view": a cue after the quotation it closes
_VIEWS = frozenset({"verdict", "view", "assessment", "opinion", "take", "message", "warning", "judgment",
                    "judgement", "conclusion", "argument"})


@lru_cache(maxsize=1)
def _nlp() -> Language:
    """The full spaCy pipeline (parser, tagger, lemmas, entities), loaded once."""
    from framing.loading.sentences import load_pipeline  # noqa: PLC0415

    return load_pipeline(exclude=())


def _subject_of(verb: Token) -> tuple[Token | None, Token | None]:
    """The subject of a reporting verb, and the verb it was taken from when not ``verb`` itself."""
    holder = _view_holder(verb)
    if holder is not None:
        return holder, None
    for child in verb.children:
        if child.dep_ == "agent":
            obj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if obj is not None:
                return obj, None
    for child in verb.children:
        if child.dep_ in _SUBJECTS:
            return child, None
    # "..., with a Number 10 spokesperson saying that ..."
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.pos_ in ("NOUN", "PROPN"):
        return verb.head, None
    # "..., with the opposition leader, Lee Jae-myung, saying that ...": parsed as two siblings
    if verb.dep_ == "advcl" and verb.tag_ == "VBG":
        with_ = [c for c in verb.head.children if c.dep_ == "prep" and c.lower_ == "with" and c.i < verb.i]
        obj = next((c for c in with_[-1].children if c.dep_ == "pobj"), None) if with_ else None
        if obj is not None and not any(t.pos_ == "VERB" for t in verb.doc[obj.right_edge.i + 1: verb.i]):
            return obj, None
    # "Putin stressed X and warned Y"; "Scholz defended the call, saying ..."
    if verb.head.i != verb.i and (verb.dep_ == "conj" or (verb.dep_ == "advcl" and verb.tag_ == "VBG")):
        subj, _ = _subject_of(verb.head)
        return subj, verb.head
    # '"...," replied the two negotiators.': the parser takes the speaker for an object
    after = [c for c in verb.rights if c.dep_ in ("dobj", "attr", "npadvmod") and c.pos_ in ("NOUN", "PROPN")]
    if after and verb.i > 0 and any(t.is_punct for t in verb.doc[max(0, verb.i - 2): verb.i]):
        return after[0], None
    return None, None


def _view_holder(tok: Token) -> Token | None:
    """X in "That was the verdict of X" or "X offered that view", else None."""
    lemma = tok.lemma_.lower()
    if lemma == "be":
        attr = next((c for c in tok.children
                     if c.dep_ == "attr" and c.lemma_.lower() in _VIEWS), None)
        if attr is None:
            return None
        prep = next((c for c in attr.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        return next((c for c in prep.children if c.dep_ == "pobj"), None) if prep else None
    if lemma in ("offer", "give", "deliver", "share") and any(
            c.dep_ == "dobj" and c.lemma_.lower() in _VIEWS for c in tok.children):
        return next((c for c in tok.children if c.dep_ in _SUBJECTS), None)
    return None


def _quoted_as_saying(tok: Token) -> tuple[Token, Token] | None:
    """("Sputnik", "Johnson") for "Sputnik quoted Johnson as saying": the channel and the speaker."""
    prep = tok.head
    if tok.dep_ != "pcomp" or prep.lower_ != "as":
        return None
    verb = prep.head
    channel = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
    speaker = next((c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")), None)
    if channel is None or speaker is None or speaker.i == channel.i:
        return None
    return channel, speaker


def _in_spans(tok: Token, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= tok.idx < e for s, e in spans)


def _is_cue(tok: Token, lex: _Lexicon) -> str | None:
    """The cue text if ``tok`` is a reporting verb (or "according"), else None."""
    if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to":
        return "according to"
    if tok.pos_ not in ("VERB", "AUX"):
        return None
    # "did not respond to a request for comment", "declined to comment": nobody's words
    if any(c.dep_ == "neg" for c in tok.children) or tok.head.lemma_.lower() == "decline":
        return None
    lemma = tok.lemma_.lower()
    if _view_holder(tok) is not None:
        return "the verdict of" if lemma == "be" else f"{tok.lower_} that view"
    if lemma in lex.issuing and any(
        t.lemma_.lower() in lex.documents for c in tok.children if c.dep_ == "dobj" for t in c.subtree
    ):
        return f"{tok.lower_} a statement"
    particles = [c.lower_ for c in tok.children if c.dep_ == "prt"]
    for p in particles:
        if (lemma, p) in lex.phrasal:
            return f"{tok.lower_} {p}"
    if lemma in lex.cues:
        return tok.lower_
    return None


def _not_a_report(tok: Token) -> bool:
    """A cue that reports nothing: an open question ("whether Ankara would ask ...") or a setting
    ("Asked by reporters whether ...")."""
    if any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in tok.children):
        return True
    return tok.dep_ == "advcl" and tok.tag_ == "VBN"


def _in_relative_clause(tok: Token) -> bool:
    if tok.dep_ == "relcl":
        return True
    return any(c.tag_ in ("WDT", "WP") and c.dep_ in ("dobj", "nsubj", "nsubjpass") for c in tok.children)


def _depth(tok: Token) -> int:
    return sum(1 for _ in tok.ancestors)


@dataclass(frozen=True)
class _Candidate:
    cue_token: Token
    cue: str
    attr: _Attr
    frame: frozenset[int]  # token indices of the attribution (speaker, cue, venue)
    content: Token | None  # head of the reported clause
    subject: Token | None = None


def _is_setting(child: Token, lex: _Lexicon) -> bool:
    """A participle clause that sets the scene of the attribution ("Speaking to reporters, ...")."""
    return (child.dep_ == "advcl" and child.lemma_.lower() in lex.settings
            and not any(c.dep_ in _SUBJECTS for c in child.children))


def _frame(cue_tok: Token, cue: str, quotes: Sequence[tuple[int, int]], lex: _Lexicon,
           inherited: Token | None = None) -> tuple[frozenset[int], Token | None]:
    """Tokens of the attribution itself, and the head of the reported clause."""
    if cue == "according to":
        content = cue_tok.head if cue_tok.head.i != cue_tok.i else None
        return frozenset(t.i for t in cue_tok.subtree), content
    idx = {cue_tok.i}
    content: Token | None = None
    heads = [cue_tok] if inherited is None else [cue_tok, inherited]
    for verb in heads:
        idx.add(verb.i)
        for child in verb.children:
            if child.i == cue_tok.i or child.i in idx:
                continue
            if child.dep_ in _CONTENT_DEPS and not _is_setting(child, lex):
                if verb is cue_tok and child.dep_ in ("ccomp", "parataxis") and content is None:
                    content = child
                continue
            sub = [t for t in child.subtree]
            # A quotation parsed into a prepositional phrase is reported content, not attribution.
            if child.dep_ not in _SUBJECTS and any(_in_spans(t, quotes) for t in sub):
                continue
            idx.update(t.i for t in sub)
    if content is None and cue_tok.dep_ in ("ccomp", "parataxis", "advcl") and cue_tok.i > cue_tok.head.i:
        content = cue_tok.head  # "..., it said" attached below the reported clause
    return frozenset(idx), content


def _candidates(doc: Doc, quotes: Sequence[tuple[int, int]], lex: _Lexicon,
                state: _State) -> list[_Candidate]:
    found: list[_Candidate] = []
    for tok in doc:
        cue = _is_cue(tok, lex)
        if cue is None and tok.lemma_.lower() in ("agree", "decide") and any(
                c.dep_ == "nsubjpass" and c.lower_ == "it" for c in tok.children):
            cue = f"it was {tok.lower_}"
        if cue is None or _in_spans(tok, quotes) or _in_relative_clause(tok) or _not_a_report(tok):
            continue
        inherited = None
        if cue == "according to":
            subj = next((c for c in doc[tok.i + 1].children if c.dep_ == "pobj"), None)
            if subj is None:
                subj = next((c for c in tok.subtree if c.dep_ == "pobj"), None)
        else:
            subj, inherited = _subject_of(tok)
        quoting = _quoted_as_saying(tok) if subj is None else None
        if quoting is not None and quoting[0].head.lemma_.lower() in lex.quoting:
            subj, inherited = quoting[0], quoting[0].head
            cue = f"{inherited.lower_} … as saying"
        if subj is None or _in_spans(subj, quotes):
            continue
        attr = _resolve_subject(subj, lex, state)
        if attr is None:
            continue
        if attr.cue.startswith("role: "):
            cue = f"{cue}; {attr.cue}"
        if quoting is not None and cue.endswith("as saying"):
            quoted = _resolve_subject(quoting[1], lex, state)
            if quoted is None:
                continue
            attr = replace(attr, speaker=quoted.speaker, kind="other" if attr.kind != "issuer" else "issuer")
        frame, content = _frame(tok, cue, quotes, lex, inherited)
        found.append(_Candidate(tok, cue, replace(attr, cue=cue), frame, content, subj))
    found.sort(key=lambda c: (_depth(c.cue_token), c.cue_token.i))
    return found


def _tail_candidate(doc: Doc, quotes: Sequence[tuple[int, int]], lex: _Lexicon,
                    state: _State) -> _Candidate | None:
    """A sentence-final attribution the parser missed ("..., the Kremlin press service reported.").

    The words after the last comma outside quotations are parsed on their own.
    """
    commas = [t for t in doc if t.text == "," and not _in_spans(t, quotes) and t.i < len(doc) - 2]
    if not commas:
        return None
    cut = commas[-1].i + 1
    while cut < len(doc) and doc[cut].text in "”’\"'":
        cut += 1
    tail = doc[cut:]
    if not 2 <= len(tail) <= 14 or any(_in_spans(t, quotes) for t in tail):
        return None
    sub = _nlp()(tail.text)
    found = [c for c in _candidates(sub, [], lex, state) if c.cue_token.dep_ == "ROOT"]
    if found:
        cue_tok, cue, attr = found[0].cue_token, found[0].cue, found[0].attr
    else:  # the parser read "the press service reported" as a noun phrase: the words before the verb
        cue_tok = next((t for t in sub if t.i > 0 and _is_cue(t, lex)), None)
        if cue_tok is None or sub[cue_tok.i - 1].pos_ not in ("NOUN", "PROPN", "PRON"):
            return None
        who = _resolve_subject(sub[cue_tok.i - 1], lex, state)
        if who is None:
            return None
        cue, attr = cue_tok.lower_, replace(who, cue=cue_tok.lower_)
    root = doc[cut - 1].sent.root
    content = root if root.i < cut else None
    return _Candidate(cue_tok, cue, attr, frozenset(range(cut - 1, len(doc))), content)


def _elsewhere(cand: _Candidate, lex: _Lexicon, doc: Doc) -> bool:
    """Whether the attribution places the words outside the call (venue or other occasion)."""
    words = " " + " ".join(doc[i].lower_ for i in sorted(cand.frame) if i < len(doc)) + " "
    if any(f" {v} " in words for v in lex.venues):
        return True
    tok = cand.cue_token
    while tok.head.i != tok.i:
        if tok.dep_ in ("advcl", "prep", "pcomp") and any(
            c.dep_ in ("mark", "prep") and c.lower_ in lex.after for c in tok.children
        ):
            return True
        if tok.lower_ in lex.after and tok.dep_ in ("mark", "prep"):
            return True
        tok = tok.head
    return False


def _content_speaker(cand: _Candidate, lex: _Lexicon, state: _State,
                     quotes: Sequence[tuple[int, int]], *, same_side: bool = True) -> str | None:
    """A person of the same side named as subject of the reported clause ("said Johnson had ...")."""
    if cand.content is None or _describes(cand.content, lex):
        return None  # "X and Y held a call, the Kremlin said": the body describes the event
    # "The Commission's statement reads: 'The President conveyed ...'": the quotation is the
    # statement, as when a spokesperson reads it out
    statement = cand.attr.kind in ("issuer", "spokesperson") or (
        cand.subject is not None and cand.subject.lemma_.lower() in lex.documents)
    home = state.home
    if home is None and state.roles is not None:  # "Netanyahu's office said the prime minister ..."
        issuer = lex.lookup(cand.attr.source.removesuffix(" readout"))
        home = issuer.country if issuer is not None and issuer.country else None
    saved, state.home = state.home, home
    try:
        return _content_person(cand, lex, state, quotes, statement, same_side)
    finally:
        state.home = saved


def _content_person(cand: _Candidate, lex: _Lexicon, state: _State, quotes: Sequence[tuple[int, int]],
                    statement: bool, same_side: bool) -> str | None:
    assert cand.content is not None
    pair = both(state, lex)
    for subj in cand.content.children:
        # "we" inside a quotation is the speaker itself; "Putin and Scholz held talks" is nobody's words
        if subj.dep_ not in ("nsubj", "nsubjpass") or (_in_spans(subj, quotes) and not statement):
            continue
        who = _resolve_subject(subj, lex, state)
        if any(c.dep_ == "conj" for c in subj.children):
            if who is not None and " and " in who.speaker and all(
                    _is_person(p, lex, state) for p in who.speaker.split(" and ")):
                return who.speaker
            if pair is None:
                continue
        if who is not None and who.speaker == pair:
            return who.speaker
        if who is None or who.kind not in ("leader", "person"):
            continue
        if who.kind == "leader" and same_side and who.source != cand.attr.source:
            continue
        return who.speaker
    return None


def _is_person(name: str, lex: _Lexicon, state: _State) -> bool:
    alias = lex.lookup(name)
    return name in state.persons or (alias is not None and alias.kind in ("leader", "person"))


def _describes(verb: Token, lex: _Lexicon) -> bool:
    """Whether a verb describes the event ("held a call", "spoke with") rather than a position."""
    lemma = verb.lemma_.lower()
    if lemma in ("speak", "talk"):
        return any(c.dep_ == "prep" and c.lower_ in ("with", "to", "by", "on") for c in verb.children)
    return lemma in lex.descriptions


def _relayed(cand: _Candidate, attr: _Attr, lex: _Lexicon, state: _State,
             quotes: Sequence[tuple[int, int]], elsewhere: bool) -> _Attr:
    """A spokesperson relaying the leader's words in the call: that leader's side's readout.

    "Scholz 'reaffirmed ...', government spokesman Steffen Hebestreit said": the
    spokesperson (named or not) is the channel of the Chancellery's account.
    """
    if elsewhere or attr.kind not in ("person", "other") or cand.subject is None:
        return attr
    span = cand.subject.doc[cand.subject.left_edge.i: cand.subject.right_edge.i + 1]
    spokes = any(t.lower_.startswith("spokes") for t in span) or (
        state.roles is not None and any(t.person == attr.speaker and t.role == "spokesperson"
                                        for t in state.roles.tenures))
    if not spokes:
        return attr
    leader = _content_speaker(cand, lex, state, quotes, same_side=False)
    alias = lex.lookup(leader) if leader else None
    if alias is None or alias.kind != "leader" or not alias.source.endswith(" readout"):
        return attr
    return _Attr(leader, alias.source, "leader", attr.cue, attr.mode)


def _finish(cand: _Candidate, lex: _Lexicon, state: _State, quotes: Sequence[tuple[int, int]],
            elsewhere: bool) -> _Attr:
    attr = cand.attr
    standing = any(c.dep_ == "advmod" and c.lower_ in _STANDING for c in cand.cue_token.children)
    if cand.cue_token.lemma_.lower() in lex.positions or standing:
        # "The Kremlin denies ...": a standing position of its own, not an account of the event;
        # "China denies ...": the state, named as written
        subject = cand.subject
        alias = lex.lookup(subject.text) if subject is not None else None
        if alias is not None and alias.kind == "metonym":
            return replace(attr, speaker=subject.text, source=subject.text, kind="other")
        if attr.kind in ("leader", "person", "spokesperson"):
            return replace(attr, source=attr.speaker, kind="person")
        named = next((c for c in subject.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None) \
            if subject is not None else None
        if named is not None:  # "Turkey's disaster agency, AFAD, denied"
            return replace(attr, speaker=named.text, source=named.text, kind="other")
        if subject is not None and subject.pos_ == "NOUN" and alias is None:
            name = noun_phrase(subject)  # "The Japanese government believes": the body as written
            return replace(attr, speaker=name, source=name, kind="other")
        return replace(attr, source=attr.speaker, kind="other")
    if not attr.source.endswith(" readout"):
        return _relayed(cand, attr, lex, state, quotes, elsewhere)
    if attr.kind == "spokesperson" and not elsewhere:
        # a named spokesperson relays the call when the content is the leader's; else speaks for him/herself
        leader = _content_speaker(cand, lex, state, quotes)
        if leader:
            return replace(attr, speaker=leader)
        return replace(attr, source=attr.speaker, kind="person")
    if attr.kind == "leader" and state.venue.get(attr.speaker):
        elsewhere = True  # "Biden told a news conference ... 'I'm not ...,' the president said."
    if elsewhere:
        return replace(attr, source=attr.speaker, kind="person")
    if attr.kind in ("leader", "spokesperson") and state.parties and attr.source not in state.parties:
        return replace(attr, source=attr.speaker, kind="person")
    if attr.kind in ("issuer", "spokesperson"):
        speaker = _content_speaker(cand, lex, state, quotes)
        if speaker:
            attr = replace(attr, speaker=speaker)
    return attr


def _mode(doc: Doc, quotes: Sequence[tuple[int, int]], frame: Iterable[int]) -> Mode:
    frame = set(frame)
    content = [t for t in doc if not (t.is_punct or t.is_space) and t.i not in frame]
    quoted = [t for t in content if _in_spans(t, quotes)]
    if not quoted:
        return "indirect"
    outside = [t for t in content if not _in_spans(t, quotes) and t.dep_ not in ("mark", "cc")
               and t.is_alpha]
    return "direct" if not outside else "mixed"


def _fully_quoted(doc: Doc, quotes: Sequence[tuple[int, int]]) -> bool:
    words = [t for t in doc if t.is_alpha]
    return bool(words) and all(_in_spans(t, quotes) for t in words)


