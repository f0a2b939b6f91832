"""Page clutter: load_corpus drops it as whole paragraphs or whole lines, and keeps the sentences near it.

Every clutter fragment is written into a small page twice, as a paragraph of its own and as a
line sitting on top of a sentence (no blank line between), in a text file and in an HTML page;
the page must split into exactly the article's own sentences. Every near miss (a real sentence
that starts or ends like clutter) must come out as one whole sentence.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import framing
from framing.loading.corpus import normalise_characters

TITLE = "Talks resume in Geneva"
FIRST = "The talks resumed in Geneva on Monday, officials said."
SECOND = "The minister said the two sides would meet again this month."
THIRD = "Both delegations declined to comment."
ARTICLE = [FIRST, SECOND, THIRD]


def _load(path: Path, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing skipped, nothing repaired
        return framing.load_corpus(path, **kwargs)


def _body(docs: pd.DataFrame) -> list[str]:
    sentences = framing.split_sentences(docs)
    return sentences.loc[~sentences["is_title"], "text"].tolist()


def _txt(tmp_path: Path, body: str, name: str = "page.txt") -> Path:
    path = tmp_path / name
    path.write_text(f"{TITLE}\n\n{body}\n", encoding="utf-8")
    return path


def _html(tmp_path: Path, paragraphs: list[str], name: str = "page.html") -> Path:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    path = tmp_path / name
    path.write_text(f"<html><head><title>{TITLE}</title></head><body><article><h1>{TITLE}</h1>\n"
                    f"{body}\n</article></body></html>", encoding="utf-8")
    return path


def _txt_page(fragment: str) -> str:
    """The fragment as a paragraph of its own, then as a line on top of a sentence."""
    return f"{fragment}\n\n{FIRST}\n\n{fragment}\n{SECOND}\n\n{THIRD}"


# --------------------------------------------------------------------------- clutter is dropped

CLUTTER = {
    "read more": "Read more",
    "read more ellipsis": "Read more…",
    "read more with headline": "Read more: Why the Geneva talks matter to Europe",
    "read more upper case": "READ MORE: Inside the build-up on the border",
    "recommended": "Recommended",
    "related": "Related",
    "related with headline": "Related: Ministers fail to agree on sanctions",
    "advertisement": "Advertisement",
    "advertisement upper case": "ADVERTISEMENT",
    "story continues below": "Story continues below",
    "advertisement story continues below": "Advertisement · Story continues below",
    "story continues below advertisement": "Story continues below advertisement",
    "article age": "This article is more than 2 years old",
    "article age in months": "This article is more than 11 months old",
    "registration": "Register for free to continue reading",
    "sign up": "Sign up for our Morning Briefing newsletter",
    "subscribe": "Subscribe to our daily newsletter",
    "get our newsletter": "Get our free Morning Briefing newsletter delivered to your inbox",
    "share": "Share",
    "share this article": "Share this article",
    "share bar": "Share on Facebook | Twitter | Email",
    "caption getty": "Protesters gather outside the embassy on Sunday (Getty Images)",
    "caption afp": "The delegations arrive at the Palais des Nations (AFP)",
    "caption reuters": "A convoy on the road to Kharkiv, February 2022 (Reuters)",
    "caption image label": "STANDOFF: The ministers spoke for 45 minutes (Image: Getty)",
    "caption photograph": "Protesters in Kyiv on Sunday. Photograph: Efrem Lukatsky/AP",
    "caption photo": "The minister at the lectern. Photo: Jane Doe",
    "caption image": "The embassy in Geneva. Image: Shutterstock",
    "caption copyright": "The minister on the telephone at the Kremlin. © Novosti Vector / Pool",
    "caption credit": "The ministers meet in Geneva. Credit: Jane Doe",
    "byline": "By Jane Doe",
    "byline two names": "By Jane Doe and John Roe",
    "byline agency": "By Jane Doe, Reuters",
    "byline role": "By Mark Thornton, Political Editor",
    "byline staff": "By Novosti Vector staff",
    "byline name and role": "Jane Doe | Reporter",
    "time stamp updated": "Updated 11:42 AM ET, Sun February 20, 2022",
    "time stamp published": "Published: 13 December 2021",
    "time stamp read time": "13 December 2021 · 4 min read",
    "time stamp weekday": "Mon 13 Dec 2021 17.02 GMT",
    "time stamp time first": "Published: 19:20, 13 December 2021",
    "time stamp short": "13 Dec, 2021 17:42",
    "footer copyright": "© 2021 Some Outlet. All rights reserved.",
    "footer links": "Terms of use | Privacy policy",
    "wire reporting credit": "(Reporting by Jane Doe in London; Editing by John Roe)",
}


@pytest.mark.parametrize("fragment", list(CLUTTER.values()), ids=list(CLUTTER))
def test_clutter_is_dropped(tmp_path: Path, fragment: str) -> None:
    docs = _load(_txt(tmp_path, _txt_page(fragment)))
    assert _body(docs) == ARTICLE
    assert normalise_characters(fragment) not in docs["text"][0]
    html = _load(_html(tmp_path, [fragment, FIRST, SECOND, fragment, THIRD]))
    assert _body(html) == ARTICLE


def test_a_read_more_label_takes_its_linked_headline_on_the_next_line_not_prose(tmp_path: Path) -> None:
    label = "Read more:\nWhy the Geneva talks matter to Europe"
    docs = _load(_txt(tmp_path, f"{FIRST}\n\n{label}\n\n{SECOND}\n\n{label}\n{THIRD}"))
    assert _body(docs) == ARTICLE
    html = _load(_html(tmp_path, [FIRST, "Read more:", "Why the Geneva talks matter to Europe", SECOND,
                                  "Related:", "Ministers fail to agree on sanctions", THIRD]))
    assert _body(html) == ARTICLE
    # a sentence of prose after a label is not its link
    docs = _load(_txt(tmp_path, f"Read more:\n{FIRST}\n\nRead more:\n\n{SECOND}\n\n{THIRD}"))
    assert _body(docs) == ARTICLE


# --------------------------------------------------------------------------- near misses are kept

# rule: (a real sentence that looks like it, the clutter the rule drops)
NEAR_MISSES = {
    "byline": ("By Tuesday, the talks had stalled.", "By Jane Doe"),
    "byline with a name": ("By Jane Doe’s account, the talks had failed.", "By Jane Doe, Reuters"),
    "read more": ("Read more about the talks in our explainer, the minister said.",
                  "Read more: Why the Geneva talks matter to Europe"),
    "related": ("Related talks in Vienna are due to resume next week.", "Related: Ministers fail to agree"),
    "recommended": ("Recommended changes to the treaty were rejected on Monday.", "Recommended"),
    "advertisement": ("Advertisements for the rally appeared across the city on Monday.",
                      "Story continues below advertisement"),
    "article age": ("This article of the treaty is more than 70 years old, he said.",
                    "This article is more than 2 years old"),
    "subscribe": ("Subscribers to the state broadcaster rose by a third, the ministry said.",
                  "Subscribe to our daily newsletter"),
    "share": ("Share prices fell sharply after the talks stalled.", "Share on Facebook | Twitter | Email"),
    "wire dateline": ("LONDON (Reuters) - Britain’s prime minister said on Monday the talks would go on.",
                      "Protesters gather outside the embassy on Sunday (Reuters)"),
    "credit inside a sentence": ("Figures seen by Agence France-Presse (AFP) on Monday showed prices rising.",
                                 "The delegations arrive at the Palais des Nations (AFP)"),
    "credit before a full stop": ("The talks had stalled, a diplomat told Reuters (Reuters).",
                                  "A convoy on the road to Kharkiv (Reuters)"),
    "caption word": ("The minister painted a grim picture: prices rising and wages falling.",
                     "Protesters in Kyiv on Sunday. Photograph: Efrem Lukatsky/AP"),
    "date in a sentence": ("The report, published on 13 December 2021, said the talks had stalled.",
                           "Published: 13 December 2021"),
    "copyright": ("Copyright law in the European Union changed in 2019.",
                  "© 2021 Some Outlet. All rights reserved."),
    "reporting": ("Reporting by the Geneva daily revealed the plan in 2019.",
                  "(Reporting by Jane Doe in London; Editing by John Roe)"),
}


@pytest.mark.parametrize(("sentence", "clutter"), list(NEAR_MISSES.values()), ids=list(NEAR_MISSES))
def test_a_near_miss_is_kept_whole_and_its_rules_clutter_goes(tmp_path: Path, sentence: str,
                                                                clutter: str) -> None:
    page = f"{clutter}\n{sentence}\n\n{FIRST}\n\n{sentence}\n{SECOND}\n\n{clutter}\n\n{THIRD}"
    assert _body(_load(_txt(tmp_path, page))) == [sentence, FIRST, sentence, SECOND, THIRD]
    html = _load(_html(tmp_path, [sentence, clutter, FIRST, SECOND, THIRD]))
    assert _body(html) == [sentence, *ARTICLE]


# --------------------------------------------------------------------------- lines are never joined


def test_a_caption_line_and_a_byline_line_are_never_one_sentence(tmp_path: Path) -> None:
    caption = "Boris Johnson leaves Downing Street on Monday"
    docs = _load(_txt(tmp_path, f"{caption}\nBy Jane Doe\n\n{FIRST}\n\n{SECOND}\n\n{THIRD}"))
    assert _body(docs) == [caption, *ARTICLE]


def test_a_time_stamp_line_never_joins_the_first_sentence(tmp_path: Path) -> None:
    docs = _load(_txt(tmp_path, f"By Jane Doe, Reuters\nUpdated 11:42 AM ET, Sun February 20, 2022\n{FIRST}"
                                f"\n\n{SECOND}\n\n{THIRD}"))
    assert _body(docs) == ARTICLE


def test_a_short_line_over_a_longer_one_is_its_own_paragraph(tmp_path: Path) -> None:
    caption = "Boris Johnson leaves Downing Street on Monday"
    first = "The prime minister is due in Brussels on Tuesday for talks with European leaders."
    docs = _load(_txt(tmp_path, f"{caption}\n{first}\n\n{SECOND}"))
    assert _body(docs) == [caption, first, SECOND]


def test_hard_wrapped_prose_stays_joined_under_a_byline_line(tmp_path: Path) -> None:
    wrapped = ("By Jane Doe\n"
               "The delegations met in Geneva on Monday and talked for hours.\n"
               "By Tuesday, the talks had stalled, and the ministers went\n"
               "home without an agreement, quoting Agence France-Presse (AFP)\n"
               "and the state broadcaster, officials said on Wednesday.")
    docs = _load(_txt(tmp_path, f"{wrapped}\n\n{THIRD}"))
    assert docs["text"][0] == f"{TITLE}\n\n{' '.join(wrapped.split()[3:])}\n\n{THIRD}"
    assert _body(docs) == [
        "The delegations met in Geneva on Monday and talked for hours.",
        "By Tuesday, the talks had stalled, and the ministers went home without an agreement, quoting "
        "Agence France-Presse (AFP) and the state broadcaster, officials said on Wednesday.",
        THIRD,
    ]


def test_sentences_of_a_cluttered_page_stay_inside_its_lines_and_offsets_hold(tmp_path: Path) -> None:
    lines = ["By Jane Doe and John Roe", "Published: 13 December 2021", FIRST,
             "Protesters gather outside the embassy on Sunday (Getty Images)", "Advertisement",
             SECOND, "Read more: Why the Geneva talks matter to Europe", THIRD, "Share this article",
             "© 2021 Some Outlet. All rights reserved."]
    docs = _load(_txt(tmp_path, "\n".join(lines)))
    sentences = framing.split_sentences(docs)
    text = docs["text"][0]
    assert sentences["text"].tolist() == [TITLE, *ARTICLE]
    assert all(text[s:e] == t for s, e, t in zip(sentences["start"], sentences["end"], sentences["text"],
                                                  strict=True))
    assert sentences["start"].is_monotonic_increasing
    assert all(any(t in line for line in lines) for t in sentences["text"][1:])
    assert "\n" not in "".join(text.split("\n\n"))  # no line break left inside a paragraph


# --------------------------------------------------------------------------- users' own rules


def test_a_users_rules_can_use_next_and_the_shipped_names(tmp_path: Path) -> None:
    page = (f"{FIRST}\n\nMore from us:\nMinisters fail to agree on sanctions\n\n{SECOND}\n\n"
            f"Filed 13 Dec\n\n{THIRD}")
    path = _txt(tmp_path, page)
    assert len(_body(_load(path))) > 3
    docs = _load(path, boilerplate=["NEXT more from us:", "filed {DATE}"])
    assert _body(docs) == ARTICLE
    with pytest.raises(ValueError, match="no DEF line"):
        framing.load_corpus(path, boilerplate=["filed {NOWHERE}"])
