"""No entity or exposure id of the shipped dataset in the code: curation lives in the data.

Every string constant and comment of ``src/lahar/**/*.py`` is scanned for the ids of
``entities.csv`` and ``exposures.csv`` (as whole words: ``pjm`` matches, the parameter id
``pjm_peak_load`` does not). Docstrings are skipped: their examples build their own toy
networks, whose ids may coincide with the dataset's. HTML tag names (``<meta``, ``</meta``) are
markup, not ids, and are skipped too.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pandas as pd
import pytest

from lahar.data import DATA_DIR

SRC = Path(__file__).resolve().parents[1] / "src" / "lahar"


def _docstrings(tree: ast.AST) -> set[int]:
    """``id()`` of every docstring node (module, class, function)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def find_ids(source: str, ids: set[str]) -> list[tuple[int, str]]:
    """(line, id) of each dataset id in the string constants and comments of ``source``."""
    word = re.compile(r"(?<![A-Za-z0-9_</])[A-Za-z0-9_]+")  # a whole word, not an HTML tag name
    tree = ast.parse(source)
    skip = _docstrings(tree)
    hits: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            hits += [(node.lineno, w) for w in word.findall(node.value) if w in ids]
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            hits += [(tok.start[0], w) for w in word.findall(tok.string) if w in ids]
    return sorted(set(hits))


@pytest.fixture(scope="module")
def dataset_ids() -> set[str]:
    ents = pd.read_csv(DATA_DIR / "entities.csv", usecols=["id"])["id"]
    exps = pd.read_csv(DATA_DIR / "exposures.csv", usecols=["id"])["id"]
    return set(ents) | set(exps)


def test_the_checker_finds_a_planted_id(dataset_ids) -> None:
    snippet = '''
def f(net):
    """Docstring examples may name toy ids: nvidia, X0005."""
    focus = ("nvidia", "amd")  # curated in code: bad
    flows = net.fact("revenue")
    label = f"deal {x} X0119"
    page = "<meta charset='utf-8'></meta> by meta"  # tag names are markup; the last is an id
    return focus, flows, label  # pjm_peak_load is a parameter id, not an entity id
'''
    assert {"nvidia", "amd", "X0119", "meta"} <= dataset_ids
    assert find_ids(snippet, dataset_ids) == [(4, "amd"), (4, "nvidia"), (6, "X0119"), (7, "meta")]


def test_no_dataset_id_in_the_package(dataset_ids) -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent)
        found += [
            f"{rel}:{line}: {w}" for line, w in find_ids(path.read_text("utf-8"), dataset_ids)
        ]
    assert found == [], "dataset ids in code (move the curation to the data):\n" + "\n".join(found)
