"""Contagion models: debt clearing, DebtRank, fire sales, purchase commitments, cascades.

Every model is a pure function over arrays that takes a *batch* of S scenarios as an
``(n, S)`` array (an ``(n,)`` input gives ``(n,)`` outputs) and evaluates them in one
vectorised pass; sparse (``scipy.sparse``) and dense inputs are both accepted.

=============================  ==========================================================
:func:`eisenberg_noe`          greatest clearing vector (Eisenberg–Noe 2001,
                               Rogers–Veraart 2013)
:func:`prepare_clearing`       the same network prepared once, cleared for many
                               external assets with a warm start
:func:`debtrank`               DebtRank, linear (Bardoscia et al. 2015) or single-hit
                               (Battiston et al. 2012)
:func:`fire_sale`              overlapping-portfolio fire sales (Greenwood, Landier &
                               Thesmar 2015)
:func:`commitment_losses`      suppliers' lost margin on defaulted purchase commitments
:func:`cascade`                all channels to a joint fixed point on a
                               :class:`CascadeSystem` (built from a Network by
                               :func:`lahar.scenarios.cascade_inputs`)
=============================  ==========================================================
"""

from lahar.contagion._cascade import CHANNELS, CascadeResult, CascadeSystem, cascade
from lahar.contagion._commitments import (
    CommitmentResult,
    annuity_factor,
    commitment_losses,
)
from lahar.contagion._debtrank import DebtRankResult, debtrank
from lahar.contagion._eisenberg_noe import (
    ClearingResult,
    ClearingSystem,
    eisenberg_noe,
    prepare_clearing,
)
from lahar.contagion._fire_sale import FireSaleResult, fire_sale

__all__ = [
    "CHANNELS",
    "CascadeResult",
    "CascadeSystem",
    "ClearingResult",
    "ClearingSystem",
    "CommitmentResult",
    "DebtRankResult",
    "FireSaleResult",
    "annuity_factor",
    "cascade",
    "commitment_losses",
    "debtrank",
    "eisenberg_noe",
    "fire_sale",
    "prepare_clearing",
]
