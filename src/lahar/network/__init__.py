"""The data model every lahar module speaks: entities, typed exposures, layer matrices.

A layer (debt claims, equity holdings, purchase commitments, ...) is a
``scipy.sparse.csr_array`` over one stable entity order; see :class:`Network`.
"""

from lahar.network._core import (
    CONFIDENCES,
    KINDS,
    LAYERS,
    STATUSES,
    Entity,
    Exposure,
    Network,
)
from lahar.network._synthetic import synthetic
from lahar.network._vocab import (
    AI_BUILDER_KINDS,
    AI_KINDS,
    AI_SELLER_KINDS,
    ALL_AI_REVENUE_KINDS,
    BASES,
    CAPACITIES,
    CHIP_SELLER_KINDS,
    COMMITMENT_LAYERS,
    FINANCIAL_KINDS,
    FORWARD_LAYERS,
    GRID_KINDS,
    HOLDING_LAYERS,
    MONEY_FLOWS,
    REVERSED_LAYERS,
    TERM_FORBIDDEN,
    TERM_REQUIRED,
)

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
    "Entity",
    "Exposure",
    "Network",
    "synthetic",
]
