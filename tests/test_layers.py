"""Layers that each do one job: the import rules of DESIGN.md, and no file read at import.

Each package of ``lahar`` may import only the packages below it:

=========================  ===========================================================
package                    may import (besides the standard library and third parties)
=========================  ===========================================================
errors, _validation        errors
_numba                     (nothing: numba detection and its cache directory)
network                    errors, _validation, _numba
data                       network, errors, _validation, _numba
store                      data, network, errors, _validation, _numba
analytics, contagion,      each other, network, errors, _validation, _numba (never data
macro (the models)         or store: models are pure functions and read no file)
scenarios, simulation      the models, data, store, network, errors, _validation, _numba
report                     scenarios, simulation and everything below
web                        report and everything below
cli                        everything
=========================  ===========================================================

Imports under ``if TYPE_CHECKING:`` are annotations only and are not counted; the top-level
``lahar`` package (errors and ``__version__``) may be imported by every layer. The import-time
probe counts the package's own data files (CSV and the like); compiled-kernel caches are the
business of the kernels' lazy loading.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "lahar"

_BASE = {"errors", "_validation", "_numba"}
_MODELS = {"analytics", "contagion", "macro"}
ALLOWED: dict[str, set[str]] = {
    "errors": {"errors"},
    "_validation": {"errors", "_validation"},
    "_numba": {"_numba"},
    "network": _BASE | {"network"},
    "data": _BASE | {"network", "data"},
    "store": _BASE | {"network", "data", "store"},
    **{m: _BASE | {"network"} | _MODELS for m in _MODELS},
    "scenarios": _BASE | {"network", "data", "store", "scenarios"} | _MODELS,
    "simulation": _BASE | {"network", "data", "store", "scenarios", "simulation"} | _MODELS,
    "report": _BASE | {"network", "data", "store", "scenarios", "simulation", "report"} | _MODELS,
    "web": _BASE
    | {"network", "data", "store", "scenarios", "simulation", "report", "web"}
    | _MODELS,
    "cli": None,  # type: ignore[dict-item]  # the faces' entry point may import anything
}


def _package(module: str) -> str:
    """``lahar.contagion._cascade`` -> ``contagion``; ``lahar`` itself -> ``lahar``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "lahar"


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def imports_of(source: str, module: str) -> list[tuple[int, str]]:
    """``(line, imported lahar module)`` of every runtime import in a module's source."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            skip |= {id(n) for b in node.body for n in ast.walk(b)}
    out = []
    pkg = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("lahar")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.rsplit(".", node.level - 1)[0] if node.level > 1 else pkg
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            if name.startswith("lahar"):
                out.append((node.lineno, name))
    return out


def violations(source: str, module: str) -> list[str]:
    """The imports of ``module`` that break the rules, as ``module:line imports target``."""
    own = _package(module)
    allowed = ALLOWED.get(own, set())
    if allowed is None:
        return []
    bad = []
    for line, target in imports_of(source, module):
        tpkg = _package(target)
        if tpkg == "lahar":
            continue  # the top-level package holds only the errors and __version__
        if tpkg not in allowed:
            bad.append(f"{module}:{line} imports {target} ({own} may not import {tpkg})")
    return bad


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), path))
    return out


def test_every_package_has_a_rule() -> None:
    packages = {_package(m) for m, _ in _modules()} - {"lahar"}
    assert packages <= set(ALLOWED), f"packages without an import rule: {packages - set(ALLOWED)}"


def test_no_module_imports_against_the_layers() -> None:
    bad = []
    for module, path in _modules():
        if module == "lahar":
            continue
        bad += violations(path.read_text(encoding="utf-8"), module)
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("from lahar.data import load_network\n", "lahar.contagion._x", 1),
        ("import lahar.store\n", "lahar.macro.y", 1),
        ("from lahar.report import x\n", "lahar.scenarios.z", 1),
        ("from ..data import load_network\n", "lahar.analytics.q", 1),
        ("from lahar.cli import app\n", "lahar.data.w", 1),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from lahar.data import X\n",
            "lahar.macro.y",
            0,
        ),
        ("from lahar.network import Network\n", "lahar.contagion._x", 0),
        ("from lahar.contagion import cascade\n", "lahar.scenarios._y", 0),
    ],
)
def test_the_checker_catches_a_planted_violation(source: str, module: str, expected: int) -> None:
    assert len(violations(source, module)) == expected


_PROBE = r"""
import builtins, io, pathlib, pkgutil, importlib, sys
reads = []
_open = builtins.open
def spy(file, *a, **k):
    reads.append(str(file))
    return _open(file, *a, **k)
builtins.open = spy
io.open = spy
for name in ("read_text", "read_bytes", "open"):
    orig = getattr(pathlib.Path, name)
    def wrap(self, *a, _orig=orig, **k):
        reads.append(str(self))
        return _orig(self, *a, **k)
    setattr(pathlib.Path, name, wrap)
import lahar
for m in pkgutil.walk_packages(lahar.__path__, "lahar."):
    importlib.import_module(m.name)
root = pathlib.Path(lahar.__file__).parent
data = [r for r in reads if root in pathlib.Path(r).parents and pathlib.Path(r).suffix not in (".py", ".pyc") and not r.endswith("__pycache__")]
print("\n".join(data))
"""


def test_no_module_reads_a_file_at_import() -> None:
    res = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "", f"files read at import:\n{res.stdout}"
