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

__all__ = [
    "CONFIDENCES",
    "KINDS",
    "LAYERS",
    "STATUSES",
    "Entity",
    "Exposure",
    "Network",
    "synthetic",
]
