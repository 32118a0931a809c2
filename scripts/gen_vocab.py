"""Generate ``src/lahar/network/_vocab.py`` from the schema, ``layers.csv`` and ``kinds.csv``.

The vocabularies of the data model (layers, statuses, entity kinds, confidences) are declared
once, in the schema, and the properties of layers and kinds in their own tables; this script
writes them as Python constants so that importing :mod:`lahar.network` reads no file. ``tests/network/test_vocab.py`` fails when the generated
module is out of date. Run ``python scripts/gen_vocab.py`` after editing the schema.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "src" / "lahar" / "data" / "schema.csv"
LAYERS = ROOT / "src" / "lahar" / "data" / "layers.csv"
KINDS = ROOT / "src" / "lahar" / "data" / "kinds.csv"
TARGET = ROOT / "src" / "lahar" / "network" / "_vocab.py"

_WANTED = {
    "LAYERS": ("exposures.csv", "layer", "Exposure layers; direction conventions in docs/data.md."),
    "STATUSES": (
        "exposures.csv",
        "status",
        "How firm an exposure is: announced < committed < drawn; reported; estimate.",
    ),
    "KINDS": ("entities.csv", "kind", "Entity kinds."),
    "CONFIDENCES": ("exposures.csv", "confidence", "Confidence grades of a figure."),
    "CAPACITIES": ("exposures.csv", "capacity", "Whose money a holding is (empty = own)."),
    "MONEY_FLOWS": (
        "exposures.csv",
        "money_flow",
        "How a row enters money flows (empty = include).",
    ),
    "BASES": ("facts.csv", "basis", "What a fact covers (a year, part of one, a point in time)."),
}

_LAYER_SETS = {
    "FORWARD_LAYERS": ("money", "forward", "Layers whose money goes source -> target."),
    "REVERSED_LAYERS": ("money", "reverse", "Layers whose money goes target -> source."),
    "COMMITMENT_LAYERS": (
        "commitment",
        "yes",
        "Layers of purchase commitments (buyer -> supplier) that a buyer in default walks from.",
    ),
    "HOLDING_LAYERS": ("holding", "yes", "Layers that are claims on the target (stakes, loans)."),
    "TERM_REQUIRED": ("term", "required", "Layers of multi-year contracts: term_years required."),
    "TERM_FORBIDDEN": ("term", "forbidden", "Layers of stocks or ties: no term_years."),
}

_KIND_SETS = {
    "AI_KINDS": (
        "ai_cohort",
        "Kinds whose market value carries the AI premium (parameter ai_premium_share).",
    ),
    "GRID_KINDS": (
        "grid",
        "Kinds that sell power to data centres (parameter utility_dc_sales_share).",
    ),
    "AI_SELLER_KINDS": ("sells_ai", "Kinds that sell AI infrastructure (chips, cloud)."),
    "CHIP_SELLER_KINDS": ("sells_chips", "Kinds that sell AI chips (the ABM's vendors)."),
    "AI_BUILDER_KINDS": (
        "builds_ai",
        "Kinds that build AI capacity (capex): the gap's firms, the ABM's builders.",
    ),
    "ALL_AI_REVENUE_KINDS": ("revenue_all_ai", "Kinds whose whole revenue is AI revenue."),
    "FINANCIAL_KINDS": ("financial", "Financial kinds (banks, lenders, funds, governments)."),
}


def _tuple(name: str, values: list[str]) -> list[str]:
    """A tuple constant as ruff formats it."""
    if len(values) == 1:
        return [f'{name}: tuple[str, ...] = ("{values[0]}",)']
    return [f"{name}: tuple[str, ...] = (", *[f'    "{v}",' for v in values], ")"]


def render() -> str:
    """The text of the generated module."""
    with SCHEMA.open(encoding="utf-8", newline="") as fh:
        allowed = {(r["file"], r["field"]): r["allowed"].split("|") for r in csv.DictReader(fh)}
    with LAYERS.open(encoding="utf-8", newline="") as fh:
        layers = list(csv.DictReader(fh))
    with KINDS.open(encoding="utf-8", newline="") as fh:
        kinds = list(csv.DictReader(fh))
    if [r["kind"] for r in kinds] != allowed[("entities.csv", "kind")]:
        raise SystemExit("kinds.csv must list the entity kinds of schema.csv, in its order")
    if [r["layer"] for r in layers] != allowed[("exposures.csv", "layer")]:
        raise SystemExit("layers.csv must list the layers of schema.csv, in its order")
    names = sorted([*_WANTED, *_LAYER_SETS, *_KIND_SETS])
    lines = [
        '"""Vocabularies of the data model, from ``schema.csv``, ``layers.csv`` and ``kinds.csv``.',
        "",
        "Do not edit: run ``python scripts/gen_vocab.py`` after changing those tables.",
        '"""',
        "",
        "__all__ = [",
        *[f'    "{k}",' for k in names],
        "]",
        "",
    ]
    for name, (file, field, doc) in _WANTED.items():
        lines += [*_tuple(name, allowed[(file, field)]), f'"""{doc}"""', ""]
    for name, (col, want, doc) in _LAYER_SETS.items():
        lines += [*_tuple(name, [r["layer"] for r in layers if r[col] == want]), f'"""{doc}"""', ""]
    for name, (col, doc) in _KIND_SETS.items():
        lines += [*_tuple(name, [r["kind"] for r in kinds if r[col] == "yes"]), f'"""{doc}"""', ""]
    return "\n".join(lines[:-1]) + "\n"


def main() -> int:
    """Write the module; with ``--check``, exit 1 if it is out of date instead."""
    text = render()
    if "--check" in sys.argv:
        return 0 if TARGET.read_text(encoding="utf-8") == text else 1
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
