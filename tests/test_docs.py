"""The README and the documentation pages name only public things that exist.

The site itself is built by ``make docs`` (``mkdocs build --strict``); these
tests catch, without building it, a README grown long again and a page that
names a function that was renamed, removed or made private.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

# fenced blocks that hold shell commands or file trees, not Python
_SHELL_FENCES = {"", "bash", "sh", "shell", "console", "zsh", "text"}
_FENCE = re.compile(r"^(```+|~~~+)[ \t]*([\w+-]*)[^\n]*\n(.*?)^\1[ \t]*$", re.S | re.M)
# framing.name[.name...], not part of a path (src/framing/...) or a longer word
_NAME = re.compile(r"(?<![\w./-])framing((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def _prose_and_python(text: str) -> str:
    """``text`` without its shell code blocks."""
    return _FENCE.sub(lambda m: "" if m.group(2).lower() in _SHELL_FENCES else m.group(0), text)


def _mentions(page: Path) -> list[str]:
    return sorted({"framing" + m.group(1) for m in _NAME.finditer(_prose_and_python(page.read_text()))})


def _is_private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _resolve(dotted: str) -> object:
    """Follow ``framing.a.b`` with getattr, importing submodules on the way; fail on private names."""
    parts = dotted.split(".")
    if any(_is_private(p) for p in parts):
        raise LookupError(f"{dotted} is private")
    obj: object = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=1):
        if isinstance(obj, ModuleType):
            try:
                obj = importlib.import_module(".".join(parts[: i + 1]))  # a submodule
                continue
            except ModuleNotFoundError as err:
                if err.name != ".".join(parts[: i + 1]):
                    raise
            exported = getattr(obj, "__all__", None)
            if exported is not None and part not in exported and not part.startswith("__"):
                raise LookupError(f"{part!r} is not in {obj.__name__}.__all__")
        obj = getattr(obj, part)  # AttributeError: the page names something that does not exist
    return obj


def test_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) < 200, f"README.md has {len(lines)} lines; move detail to docs/"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_framing_name_on_a_page_is_public_and_exists(page: Path) -> None:
    missing = []
    for dotted in _mentions(page):
        try:
            _resolve(dotted)
        except (LookupError, AttributeError, ModuleNotFoundError) as err:
            missing.append(f"{dotted}: {err}")
    assert not missing, f"{page.name} names what framing does not export:\n" + "\n".join(missing)


def test_the_reference_lists_every_top_level_name() -> None:
    import framing

    text = (ROOT / "docs" / "reference" / "index.md").read_text()
    absent = [n for n in framing.__all__ if f"`framing.{n}" not in text]
    assert not absent, f"docs/reference/index.md does not list {absent}"


def test_name_finder_skips_shell_and_paths_and_catches_private_names() -> None:
    text = (
        "Use `framing.load_corpus` and framing.plots.palette(x), see src/framing/codebooks.\n"
        "```bash\npython -m framing._hidden\n```\n"
        "```python\nframing._private_helper()\n```\n"
    )
    found = {"framing" + m.group(1) for m in _NAME.finditer(_prose_and_python(text))}
    assert found == {"framing.load_corpus", "framing.plots.palette", "framing._private_helper"}
    with pytest.raises(LookupError, match="private"):
        _resolve("framing._private_helper")
    with pytest.raises(LookupError, match="not in framing.__all__"):
        _resolve("framing.no_such_function")
    with pytest.raises(AttributeError):
        _resolve("framing.config.no_such_function")
    assert _resolve("framing.scoring.score_chunks") is _resolve("framing.score_chunks")
