"""Vocabularies of the data model, generated from ``data/schema.csv`` and ``layers.csv``.

Do not edit: run ``python scripts/gen_vocab.py`` after changing the schema.
"""

__all__ = [
    "BASES",
    "CAPACITIES",
    "COMMITMENT_LAYERS",
    "CONFIDENCES",
    "FORWARD_LAYERS",
    "HOLDING_LAYERS",
    "KINDS",
    "LAYERS",
    "MONEY_FLOWS",
    "REVERSED_LAYERS",
    "STATUSES",
    "TERM_FORBIDDEN",
    "TERM_REQUIRED",
]

LAYERS: tuple[str, ...] = (
    "equity",
    "debt",
    "purchase_commitment",
    "cloud_contract",
    "chip_purchase",
    "lease",
    "power_purchase",
    "investment_pledge",
    "chip_export",
    "governance",
    "guarantee",
)
"""Exposure layers; direction conventions in docs/data.md."""

STATUSES: tuple[str, ...] = (
    "announced",
    "committed",
    "drawn",
    "reported",
    "estimate",
)
"""How firm an exposure is: announced < committed < drawn; reported; estimate."""

KINDS: tuple[str, ...] = (
    "hyperscaler",
    "chipmaker",
    "neocloud",
    "ai_lab",
    "bank",
    "private_credit",
    "asset_manager",
    "spv",
    "utility",
    "power_plant",
    "sovereign_fund",
    "index_fund",
    "pension",
    "real_estate",
    "government",
    "person",
    "other",
)
"""Entity kinds."""

CONFIDENCES: tuple[str, ...] = (
    "high",
    "medium",
    "low",
)
"""Confidence grades of a figure."""

CAPACITIES: tuple[str, ...] = (
    "own",
    "client",
)
"""Whose money a holding is (empty = own)."""

MONEY_FLOWS: tuple[str, ...] = (
    "include",
    "exclude",
    "reverse",
)
"""How a row enters money flows (empty = include)."""

BASES: tuple[str, ...] = (
    "year",
    "ttm",
    "run_rate",
    "half",
    "quarter",
    "multi_year",
    "point",
)
"""What a fact covers (a year, part of one, a point in time)."""

FORWARD_LAYERS: tuple[str, ...] = (
    "equity",
    "debt",
    "purchase_commitment",
    "cloud_contract",
    "chip_purchase",
    "lease",
    "power_purchase",
    "investment_pledge",
)
"""Layers whose money goes source -> target."""

REVERSED_LAYERS: tuple[str, ...] = ("chip_export",)
"""Layers whose money goes target -> source."""

COMMITMENT_LAYERS: tuple[str, ...] = (
    "purchase_commitment",
    "cloud_contract",
    "chip_purchase",
    "lease",
)
"""Layers of purchase commitments (buyer -> supplier) that a buyer in default walks from."""

HOLDING_LAYERS: tuple[str, ...] = (
    "equity",
    "debt",
)
"""Layers that are claims on the target (stakes, loans)."""

TERM_REQUIRED: tuple[str, ...] = (
    "purchase_commitment",
    "cloud_contract",
    "lease",
    "power_purchase",
)
"""Layers of multi-year contracts: term_years required."""

TERM_FORBIDDEN: tuple[str, ...] = (
    "equity",
    "governance",
)
"""Layers of stocks or ties: no term_years."""
