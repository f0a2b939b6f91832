"""The package's shape, read from its source: import walls, no import circle, sizes, docstrings.

The import graph is computed from every ``import`` statement in
``src/framing`` (those inside functions included), so a wall crossed or a
circle closed anywhere fails here, whichever code path would reach it.
"""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import framing

SRC = Path(framing.__file__).resolve().parent
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _module_name(path: Path) -> str:
    parts = ["framing", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _exports(module: str) -> dict[str, str]:
    """``name -> module`` of a package's lazy export table, if it has one (``framing.__init__``)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.Assign):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name) and target.id == "_EXPORTS" and isinstance(node.value, ast.Dict):
                return {
                    k.value: f"{module}.{v.value}"
                    for k, v in zip(node.value.keys, node.value.values, strict=True)
                    if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)
                }
    return {}


def _resolve(module: str, name: str | None) -> str | None:
    """The framing module that ``from module import name`` (or ``import module``) loads."""
    if name is not None:
        if f"{module}.{name}" in MODULES:
            return f"{module}.{name}"
        lazy = _exports(module) if module in MODULES else {}
        if name in lazy:
            return lazy[name]
    return module if module in MODULES else None


def imports_of(module: str) -> Iterator[tuple[str, int]]:
    """``(imported name, line)`` for every import in a module; framing modules resolved, others as written."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield (_resolve(alias.name, None) or alias.name), node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                yield (_resolve(base, alias.name) or base), node.lineno


def graph() -> dict[str, set[str]]:
    """Edges between framing modules."""
    return {m: {t for t, _ in imports_of(m) if t in MODULES and t != m} for m in MODULES}


def _reach(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def _in(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


# ---------------------------------------------------------------- the graph itself


def test_the_graph_sees_imports_inside_functions_and_lazy_exports() -> None:
    edges = graph()
    # pipeline imports its steps inside run_pipeline, and the scoring core is imported at the top
    assert "framing.loading.corpus" in edges["framing.pipeline"]
    assert "framing.scoring._core" in edges["framing.scoring.stance"]
    # `from framing import load_corpus` is an edge to the module that defines it
    assert _resolve("framing", "load_corpus") == "framing.loading.corpus"


def test_cycle_finder_finds_a_circle_and_accepts_a_chain() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_circle() -> None:
    assert _cycles(graph()) == []


# ---------------------------------------------------------------- the walls

WALLS = [
    # (who, may not reach, why)
    ("framing.loading", ("framing.scoring", "framing.analysis", "framing.quality", "framing.plots",
                         "framing.report", "framing.cli", "framing.pipeline", "framing.distributed"),
     "loading never imports scoring or anything downstream"),
    ("framing.analysis", ("framing.scoring", "framing.quality", "framing.plots", "framing.report",
                          "framing.cli", "framing.pipeline", "framing.distributed"),
     "analysis takes score tables and encoder objects, never looks a model up, never draws"),
    ("framing.scoring", ("framing.plots", "framing.report", "framing.cli", "framing.analysis",
                         "framing.quality"),
     "scoring imports no plots, report or cli"),
]


@pytest.mark.parametrize(("who", "forbidden", "why"), WALLS, ids=[w[0] for w in WALLS])
def test_walls_hold_transitively(who: str, forbidden: tuple[str, ...], why: str) -> None:
    edges = graph()
    crossed = {
        m: sorted(t for t in _reach(m, edges) if _in(t, *forbidden))
        for m in MODULES
        if _in(m, who)
    }
    assert not {m: t for m, t in crossed.items() if t}, why


def test_plots_imports_only_pandas_matplotlib_seaborn_numpy_and_the_standard_library() -> None:
    allowed = {"pandas", "matplotlib", "seaborn", "numpy", "__future__"}
    third_party = {
        name.split(".")[0]
        for name, _ in imports_of("framing.plots")
        if name.split(".")[0] not in sys.stdlib_module_names
    }
    assert third_party <= allowed, sorted(third_party - allowed)


def test_cli_and_report_are_the_only_faces() -> None:
    edges = graph()
    importers_of_cli = sorted(m for m, t in edges.items() if "framing.cli" in t)
    importers_of_report = sorted(m for m, t in edges.items() if "framing.report" in t and m != "framing.cli")
    assert importers_of_cli == []
    assert importers_of_report == []


def test_walls_test_catches_a_crossing(tmp_path: Path) -> None:
    # the same check on a made-up graph in which loading reaches scoring through a helper
    edges = {"framing.loading.x": {"framing._h"}, "framing._h": {"framing.scoring.models"},
             "framing.scoring.models": set()}
    assert "framing.scoring.models" in _reach("framing.loading.x", edges)


# ---------------------------------------------------------------- settings travel as arguments


def _environ_writes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for t in targets:
            if isinstance(t, ast.Subscript) and ast.unparse(t.value) == "os.environ":
                lines.append(node.lineno)
        if isinstance(node, ast.Call):
            fn = ast.unparse(node.func)
            mutators = {"update", "setdefault", "pop", "clear"}
            if fn in {"os.putenv", "os.unsetenv"} or (
                fn.startswith("os.environ.") and fn.rsplit(".", 1)[1] in mutators
            ):
                lines.append(node.lineno)
    return lines


def test_environ_writes_are_found() -> None:
    code = "import os\nos.environ['A'] = '1'\nos.environ.setdefault('B', '2')\nx = os.environ.get('C')\n"
    assert _environ_writes(ast.parse(code)) == [2, 3]


def test_the_package_never_writes_os_environ() -> None:
    writes = {
        m: lines
        for m, p in MODULES.items()
        if (lines := _environ_writes(ast.parse(p.read_text(encoding="utf-8"))))
    }
    assert writes == {}


# ---------------------------------------------------------------- sizes


def _code_lines(lines: list[str], node: ast.AST) -> int:
    """Lines of a function that hold code: not blank, not a comment, not its docstring."""
    skip: set[int] = set()
    body = getattr(node, "body", [])
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        skip = set(range(body[0].lineno, body[0].end_lineno + 1))
    return sum(
        1
        for i in range(node.lineno, node.end_lineno + 1)
        if i not in skip and (s := lines[i - 1].strip()) and not s.startswith("#")
    )


def test_code_line_count_leaves_out_docstring_comments_and_blanks() -> None:
    src = 'def f():\n    """Doc.\n\n    More.\n    """\n    # why\n\n    return 1\n'
    assert _code_lines(src.splitlines(), ast.parse(src).body[0]) == 2


def test_no_module_over_600_lines() -> None:
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def test_no_function_over_80_lines_of_code() -> None:
    long = {}
    for m, p in MODULES.items():
        text = p.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = _code_lines(lines, node)
                if n > MAX_FUNCTION_LINES:
                    long[f"{m}.{node.name}:{node.lineno}"] = n
    assert long == {}


# ---------------------------------------------------------------- public names


def _public_names() -> Iterator[tuple[str, object]]:
    import importlib

    for name in framing.__all__:
        if name != "__version__":
            yield f"framing.{name}", getattr(framing, name)
    for pkg in ("framing.loading", "framing.scoring", "framing.analysis", "framing.quality"):
        mod = importlib.import_module(pkg)
        for name in getattr(mod, "__all__", []):
            yield f"{pkg}.{name}", getattr(mod, name)


def test_every_public_function_and_class_has_a_docstring_with_an_example() -> None:
    missing = []
    for dotted, obj in _public_names():
        if inspect.ismodule(obj):
            members = [(f"{dotted}.{n}", o) for n, o in vars(obj).items()
                       if not n.startswith("_") and (inspect.isfunction(o) or inspect.isclass(o))
                       and getattr(o, "__module__", "") == obj.__name__]
        elif inspect.isfunction(obj) or inspect.isclass(obj):
            members = [(dotted, obj)]
        else:
            continue  # constants
        for name, member in members:
            doc = inspect.getdoc(member) or ""
            if "Examples" not in doc or ">>>" not in doc:
                missing.append(name)
    assert missing == []


def test_subpackages_export_a_short_curated_list() -> None:
    import importlib

    for pkg in ("framing.loading", "framing.scoring", "framing.analysis", "framing.quality"):
        mod = importlib.import_module(pkg)
        names = getattr(mod, "__all__", None)
        assert names, f"{pkg} has no __all__"
        assert len(names) <= 40, f"{pkg} exports {len(names)} names"
        assert all(not n.startswith("_") for n in names)
        assert (mod.__doc__ or "").strip(), f"{pkg} has no docstring"
