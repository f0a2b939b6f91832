"""The public API: every exported name resolves, whatever was imported before."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types

import framing

MODULES_BY_DESIGN = {"plots"}  # exported as modules on purpose


def test_every_public_name_is_what_it_says_after_all_submodules_are_imported() -> None:
    # importing a submodule binds it on the package; a module named like a public
    # function would then shadow the function (framing.evaluate, framing.align ...)
    code = (
        "import importlib, pkgutil, types, framing\n"
        "for m in pkgutil.iter_modules(framing.__path__):\n"
        "    importlib.import_module('framing.' + m.name)\n"
        f"bad = [n for n in framing.__all__ if isinstance(getattr(framing, n), types.ModuleType)"
        f" and n not in {sorted(MODULES_BY_DESIGN)!r}]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_exported_name_resolves() -> None:
    for name in framing.__all__:
        value = getattr(framing, name)
        assert value is not None, name
        if name in MODULES_BY_DESIGN:
            assert isinstance(value, types.ModuleType)
        elif name != "__version__":
            assert callable(value), name


def test_no_submodule_shares_a_name_with_a_public_function() -> None:
    modules = {m.name for m in pkgutil.iter_modules(framing.__path__)}
    clashes = (modules & set(framing.__all__)) - MODULES_BY_DESIGN
    assert not clashes, f"rename these modules (e.g. with a leading underscore): {sorted(clashes)}"
    assert importlib.import_module("framing.config")  # the package's modules import cleanly
