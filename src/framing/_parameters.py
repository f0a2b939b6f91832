"""The notebooks' parameters: which ones they declare, and values typed and checked before a render."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from framing.config import paths

__all__ = [
    "UnknownParameter",
    "absolute",
    "check_known",
    "declared_parameters",
    "inspect_notebook",
    "notebook_paths",
    "typed_parameters",
]


class UnknownParameter(ValueError):
    """A parameter that none of the notebooks declares in its ``parameters`` cell.

    Examples
    --------
    >>> str(UnknownParameter("unknown notebook parameter 'X'"))
    "unknown notebook parameter 'X'"
    """


def inspect_notebook(nb: Path) -> dict[str, Any]:
    """The parameters ``nb`` declares (``papermill.inspect_notebook``), without papermill's INFO lines.

    Examples
    --------
    >>> from framing import paths
    >>> "CORPUS" in inspect_notebook(paths().notebooks / "01_corpus.ipynb")
    True

    A notebook without kernel metadata (written by a script, say) is read as
    a Python notebook, as :func:`render_reports` runs it.
    """
    import tempfile

    import nbformat
    import papermill as pm

    pm_log = logging.getLogger("papermill")
    level = pm_log.level
    pm_log.setLevel(max(level, logging.WARNING))
    try:
        node = nbformat.read(nb, as_version=4)
        if node.metadata.get("kernelspec", {}).get("name"):
            return pm.inspect_notebook(str(nb))
        node.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
        with tempfile.TemporaryDirectory(prefix="framing-inspect-") as tmp:
            copy = Path(tmp) / Path(nb).name
            nbformat.write(node, copy)
            return pm.inspect_notebook(str(copy))
    finally:
        pm_log.setLevel(level)


#: the parameters that name a file or folder: made absolute, since a notebook runs in notebooks/
_PATH_PARAMETERS = ("CORPUS", "TABLES", "FIGURES", "TARGETS", "ALIASES", "TRAINING", "ORIGINALS")


def notebook_paths(notebooks: Sequence[str | Path] | None) -> list[Path]:
    """The notebooks given, or every ``notebooks/*.ipynb`` of the project in name order.

    Examples
    --------
    >>> notebook_paths(["a.ipynb"])
    [PosixPath('a.ipynb')]
    """
    nbs = [Path(n) for n in notebooks] if notebooks else sorted(paths().notebooks.glob("*.ipynb"))
    if not nbs:
        raise FileNotFoundError(f"no notebooks found in {paths().notebooks}")
    return nbs


def declared_parameters(notebooks: Sequence[str | Path] | None = None) -> dict[str, str]:
    """Every parameter the notebooks' ``parameters`` cells declare, with its default as written.

    Read with ``papermill.inspect_notebook``; a name declared by several
    notebooks keeps the first default found.

    Examples
    --------
    >>> declared = declared_parameters()
    >>> declared["CORPUS"], declared["GROUP_BY"]
    ('None', '"source"')
    """
    out: dict[str, str] = {}
    for nb in notebook_paths(notebooks):
        for name, info in inspect_notebook(nb).items():
            out.setdefault(name, str(info["default"]))
    return out


def typed_parameters(values: Mapping[str, str], declared: Mapping[str, str]) -> dict[str, Any]:
    """Command-line parameter values, typed as papermill's ``-p`` types them.

    A value stays a string when the notebook's declared default is a string
    literal; otherwise ``True``, ``False``, ``None``, integers and floats
    become Python values, as with ``papermill -p``.

    Examples
    --------
    >>> typed_parameters({"RANDOM_SEED": "7", "SOURCE_A": "None", "CORPUS": "None"},
    ...                  {"RANDOM_SEED": "13", "SOURCE_A": '"Kremlin readout"', "CORPUS": "None"})
    {'RANDOM_SEED': 7, 'SOURCE_A': 'None', 'CORPUS': None}
    """
    out: dict[str, Any] = {}
    for name, value in values.items():
        if declared.get(name, "").startswith(("'", '"')) or not isinstance(value, str):
            out[name] = value
            continue
        literal = {"True": True, "False": False, "None": None}
        if value in literal:
            out[name] = literal[value]
            continue
        for kind in (int, float):
            try:
                out[name] = kind(value)
                break
            except ValueError:
                continue
        else:
            out[name] = value
    return out


def check_known(parameters: Mapping[str, Any], declared: Mapping[str, str]) -> None:
    """Raise :class:`UnknownParameter` for a name no notebook declares.

    Examples
    --------
    >>> check_known({"CORPUS": "x"}, {"CORPUS": "None"})
    """
    for name in parameters:
        if name not in declared:
            raise UnknownParameter(
                f"unknown notebook parameter {name!r}; the notebooks take {', '.join(declared)}"
            )


def absolute(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Path parameters made absolute when they name something that exists here (or a folder to write).

    Examples
    --------
    >>> absolute({"FIGURES": "figs", "SOURCE_A": "x"})["SOURCE_A"]
    'x'
    """
    out = dict(parameters)
    for name in _PATH_PARAMETERS:
        value = out.get(name)
        if isinstance(value, str | Path) and str(value):
            p = Path(value).expanduser()
            if p.exists() or name in ("FIGURES", "TABLES"):
                out[name] = str(p.resolve())
    return out
