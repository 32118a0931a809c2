"""Vocabularies of the data model, from ``schema.csv``, ``layers.csv`` and ``kinds.csv``.

Do not edit: run ``python scripts/gen_vocab.py`` after changing those tables.
"""

__all__ = [
    "AI_BUILDER_KINDS",
    "AI_KINDS",
    "AI_SELLER_KINDS",
    "ALL_AI_REVENUE_KINDS",
    "BASES",
    "CAPACITIES",
    "CHIP_SELLER_KINDS",
    "COMMITMENT_LAYERS",
    "CONFIDENCES",
    "FINANCIAL_KINDS",
    "FORWARD_LAYERS",
    "GRID_KINDS",
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

AI_KINDS: tuple[str, ...] = (
    "hyperscaler",
    "chipmaker",
    "neocloud",
    "ai_lab",
)
"""Kinds whose market value carries the AI premium (parameter ai_premium_share)."""

GRID_KINDS: tuple[str, ...] = (
    "utility",
    "power_plant",
)
"""Kinds that sell power to data centres (parameter utility_dc_sales_share)."""

AI_SELLER_KINDS: tuple[str, ...] = (
    "hyperscaler",
    "chipmaker",
    "neocloud",
)
"""Kinds that sell AI infrastructure (chips, cloud)."""

CHIP_SELLER_KINDS: tuple[str, ...] = ("chipmaker",)
"""Kinds that sell AI chips (the ABM's vendors)."""

AI_BUILDER_KINDS: tuple[str, ...] = (
    "hyperscaler",
    "neocloud",
    "ai_lab",
)
"""Kinds that build AI capacity (capex): the gap's firms, the ABM's builders."""

ALL_AI_REVENUE_KINDS: tuple[str, ...] = (
    "neocloud",
    "ai_lab",
)
"""Kinds whose whole revenue is AI revenue."""

FINANCIAL_KINDS: tuple[str, ...] = (
    "bank",
    "private_credit",
    "asset_manager",
    "spv",
    "sovereign_fund",
    "index_fund",
    "pension",
    "government",
)
"""Financial kinds (banks, lenders, funds, governments)."""
