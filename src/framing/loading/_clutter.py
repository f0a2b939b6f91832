"""Page clutter: the boilerplate rules of ``codebooks/boilerplate.txt`` and where they apply.

:func:`compile_rules` reads the rules (the shipped list, plus a user's file or
list), :func:`paragraphs` cuts a document body into paragraphs, and
:func:`drop_boilerplate` drops the paragraphs the rules match. The file's
header documents its four kinds of line (patterns, ``END``, ``NEXT``, ``DEF``).

A rule matches a WHOLE paragraph, so it never removes part of a sentence. A
paragraph of several lines (text with blank lines between paragraphs and single
line breaks inside them) goes whole when a rule matches it whole and none of its
lines is a sentence of prose (ending in a full stop) that no rule matches on its
own; otherwise each line is tried on its own, and a line a rule matches becomes
a paragraph of its own, to be dropped. That is how a byline or time stamp line sitting on top of the
first sentence, or a caption line over a byline line, goes without taking the
sentence with it. Lines of wrapped prose are never taken apart: a line is not
tried on its own when it or the line after it starts with a lower-case letter
(the sentence goes on across the break). One more break ends a paragraph: after
a line shorter than :data:`SHORT_LINE` of the paragraph's longest line, when the
next line does not start in lower case (a short line in hard-wrapped prose is
the end of a paragraph; a short line over a longer one is a separate element,
a caption, a time stamp, a heading). Lines of even length, as in hard-wrapped
prose, stay one paragraph, joined with spaces as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from framing import _codebooks

BOILERPLATE = "boilerplate.txt"
#: Paragraphs (and lines) longer than this are never compared with the rules.
MAX_CHARS = 300
#: A line shorter than this share of its paragraph's longest line ends the paragraph.
SHORT_LINE = 0.6
#: The most characters of a linked headline after a ``NEXT`` label ("Read more:").
LINK_MAX_CHARS = 150

_BLANK_LINE = re.compile(r"\n[ ]*\n")
_DEFINITION = re.compile(r"DEF ([A-Z][A-Z0-9_]*) (.+)")
_REFERENCE = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_SENTENCE_END = re.compile(r"[.!…][\"”’)\]]*$")


@dataclass(frozen=True)
class Rules:
    """Compiled boilerplate rules: ``drop`` a paragraph, ``end`` the text, ``link`` a label and its link."""

    drop: re.Pattern[str] | None
    end: re.Pattern[str] | None
    link: re.Pattern[str] | None
    patterns: tuple[str, ...]

    def matches(self, text: str) -> bool:
        """Whether any rule matches the whole of ``text`` (at most :data:`MAX_CHARS` long)."""
        return len(text) <= MAX_CHARS and any(
            rule is not None and rule.fullmatch(text) for rule in (self.drop, self.end, self.link))


def _expand(pattern: str, names: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in names:
            raise ValueError(f"boilerplate pattern {pattern!r} uses {{{m.group(1)}}}, which no DEF line "
                             "before it defines")
        return names[m.group(1)]

    return _REFERENCE.sub(sub, pattern)


def compile_rules(extra: str | Path | Sequence[str] | None = None) -> Rules:
    """The shipped rules, plus ``extra`` (a file of the same form or a list of patterns)."""
    lines = _codebooks.load_lines(BOILERPLATE)
    if isinstance(extra, str | Path):
        lines += _codebooks.load_lines(extra)
    elif extra is not None:
        lines += [s.strip() for s in extra if s.strip()]
    names: dict[str, str] = {}
    parts: dict[str, list[str]] = {"drop": [], "end": [], "link": []}
    for line in lines:
        if m := _DEFINITION.fullmatch(line):
            names[m.group(1)] = f"(?:{_expand(m.group(2).strip(), names)})"
            continue
        kind, pattern = next(((k, line[len(p):].strip()) for k, p in (("end", "END "), ("link", "NEXT "))
                              if line.startswith(p)), ("drop", line))
        pattern = _expand(pattern, names)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"boilerplate pattern {line!r} is not a valid regular expression: "
                             f"{exc}") from exc
        parts[kind].append(f"(?:{pattern})")

    def compile_(found: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(found), re.IGNORECASE) if found else None

    return Rules(compile_(parts["drop"]), compile_(parts["end"]), compile_(parts["link"]), tuple(lines))


def _continues(line: str) -> bool:
    """Whether a line carries on the sentence of the line before it."""
    return line[:1].islower()


def _split_block(lines: list[str], rules: Rules) -> list[str]:
    """Paragraphs of one block of lines: clutter lines alone, breaks after short lines kept."""
    width = max(map(len, lines))
    out: list[str] = []
    run: list[str] = []
    alone_next = False
    for i, line in enumerate(lines):
        after = lines[i + 1] if i + 1 < len(lines) else ""
        alone = alone_next or (not _continues(line) and not _continues(after) and rules.matches(line))
        alone_next = alone and rules.link is not None and bool(rules.link.fullmatch(line))
        if alone or (after and not _continues(after) and len(line) < SHORT_LINE * width):
            if not alone:
                run.append(line)
            if run:
                out.append(" ".join(run))
                run = []
            if alone:
                out.append(line)
        else:
            run.append(line)
    if run:
        out.append(" ".join(run))
    return out


def paragraphs(text: str, mode: Literal["auto", "lines"], rules: Rules) -> list[str]:
    """Paragraphs of a body, each with its whitespace runs collapsed to one space.

    Paragraphs are separated by blank lines; in ``"lines"`` mode, or in a text
    without any blank line, every line is a paragraph. A paragraph of several
    lines that no rule matches whole is split where a line is clutter on its
    own or follows a short line (see the module's docstring).

    Examples
    --------
    >>> rules = compile_rules()
    >>> paragraphs("Kyiv on Monday (AFP)\\nBy Jane Doe\\n\\nTalks went on\\nall day.", "auto", rules)
    ['Kyiv on Monday (AFP)', 'By Jane Doe', 'Talks went on all day.']
    """
    blocks = _BLANK_LINE.split(text) if mode == "auto" and _BLANK_LINE.search(text) else text.split("\n")
    out: list[str] = []
    for block in blocks:
        lines = [s for raw in block.split("\n") if (s := " ".join(raw.split()))]
        if not lines:
            continue
        whole = " ".join(lines)
        as_one = len(lines) == 1 or _all_clutter(lines, whole, rules)
        out.extend([whole] if as_one else _split_block(lines, rules))
    return out


def _all_clutter(lines: list[str], whole: str, rules: Rules) -> bool:
    """Whether a block of lines goes whole: a rule matches it, and no line of it is a sentence of prose."""
    return rules.matches(whole) and all(rules.matches(s) or not _SENTENCE_END.search(s) for s in lines)


def _is_link(paragraph: str) -> bool:
    """A linked headline: short, and not ending like a sentence of prose."""
    return len(paragraph) <= LINK_MAX_CHARS and not _SENTENCE_END.search(paragraph)


def drop_boilerplate(paras: list[str], rules: Rules) -> list[str]:
    """The paragraphs the rules keep, in order.

    A paragraph an ``END`` rule matches ends the text; one a ``NEXT`` rule
    matches goes, and so does the paragraph after it when that one is a
    linked headline (at most :data:`LINK_MAX_CHARS` characters, not ending in
    a full stop); one any other rule matches goes.

    Examples
    --------
    >>> drop_boilerplate(["Talks resumed.", "Read more:", "Why the talks matter", "Advertisement",
    ...                   "They ended.", "Leave a Reply", "Nice!"], compile_rules())
    ['Talks resumed.', 'They ended.']
    """
    kept: list[str] = []
    after_label = False
    for p in paras:
        if after_label:
            after_label = False
            if _is_link(p):
                continue
        if len(p) <= MAX_CHARS:
            if rules.end is not None and rules.end.fullmatch(p):
                break
            if rules.link is not None and rules.link.fullmatch(p):
                after_label = True
                continue
            if rules.drop is not None and rules.drop.fullmatch(p):
                continue
        kept.append(p)
    return kept
