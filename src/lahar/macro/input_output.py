r"""Input–output models of the US economy: where a cut in AI spending lands.

The Leontief quantity model turns a change in final demand (AI capex, consumption) into the
gross output, value added (GDP), compensation and jobs it supports in every industry, through
the whole supply chain:

.. math:: x = A x + f \;\Rightarrow\; \Delta x = (I - A)^{-1} \Delta f = L\,\Delta f

The Ghosh model is its supply-side counterpart (read it as a price / cost-push model).
:func:`capex_final_demand` turns spending by AI-capex category (chips, data-centre
construction, power equipment, software...) into final demand on industries.

The models are pure functions of arrays and read no file. BEA's 71-industry summary tables
(2023, BEA's 2024 release) with the coefficients BEA derives from them come from
:func:`lahar.data.load_bea` (an :class:`lahar.data.IOTable`); the AI-capex bridge from
:func:`lahar.data.capex_bridge`, and the industry of an entity kind from
:func:`lahar.data.industry_of_kind`.

Every model function takes ``(n,)`` or ``(n, S)`` right-hand sides (S scenarios) and solves all
columns with one LU factorisation (dense LAPACK or sparse SuperLU).

References
----------
Miller, R. E. and Blair, P. D. (2009). *Input–Output Analysis: Foundations and Extensions*,
2nd ed. Cambridge University Press.
Horowitz, K. J. and Planting, M. A. (2009). *Concepts and Methods of the U.S. Input-Output
Accounts*. Bureau of Economic Analysis (updated 2009), ch. 12.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_rect_matrix, check_vector
from lahar.macro._io_math import (
    IOEffects,
    LeontiefFactor,
    allocation_coefficients,
    closed_model,
    factorize,
    ghosh,
    io_effects,
    leontief,
    spectral_radius_bound,
    technical_coefficients,
    total_requirements,
    type_i_multipliers,
    type_ii_multipliers,
)

if TYPE_CHECKING:
    from lahar.data import IOTable

__all__ = [
    "IOEffects",
    "LeontiefFactor",
    "allocation_coefficients",
    "capex_final_demand",
    "closed_model",
    "factorize",
    "ghosh",
    "io_effects",
    "leontief",
    "spectral_radius_bound",
    "technical_coefficients",
    "total_requirements",
    "type_i_multipliers",
    "type_ii_multipliers",
]


def capex_final_demand(
    table: IOTable, category_spending: ArrayLike, bridge: ArrayLike
) -> NDArray[np.float64]:
    r"""Final demand on industries from spending by AI-capex category.

    .. math:: f = W\,\mathrm{diag}(1 - m)\, M\, s

    with ``M`` the capex bridge, ``s`` spending by category, ``m`` import shares (only for a
    ``domestic`` table: imported GPUs do not raise US output).

    Parameters
    ----------
    table : IOTable
        From :func:`lahar.data.load_bea`; its market shares ``W`` and import shares ``m``.
    category_spending : array_like, shape (K,) or (K, S)
        Spending (or its change) per capex category, in the bridge's column order, in the
        table's money units (millions of USD).
    bridge : array_like, shape (73, K)
        ``M``: commodity bought per dollar of each category, from
        :func:`lahar.data.capex_bridge` (column ``k`` a unit vector on one commodity; any
        non-negative split of a dollar over commodities works).

    Returns
    -------
    ndarray, shape (71,) or (71, S)

    Raises
    ------
    DataError
        ``bridge`` not of shape (73, K) or negative; ``category_spending`` not of length K.

    Examples
    --------
    >>> from lahar.data import capex_bridge, load_bea
    >>> t = load_bea(2023, domestic=True)
    >>> f = capex_final_demand(t, np.eye(8)[0] * -1000.0, capex_bridge(t))  # $1bn less IT
    >>> print(f"{f.sum():.0f} of -1000 lands on US industries")
    -381 of -1000 lands on US industries
    """
    func = "capex_final_demand"
    m = check_rect_matrix(bridge, "bridge", func, shape=(len(table.commodities), None))
    s = check_vector(
        category_spending, "category_spending", func, n=m.shape[1], nonneg=False, batch=True
    )
    return table.commodity_to_industry(m @ s)
