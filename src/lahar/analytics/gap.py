r"""The monetization gap: the revenue AI capex needs, the revenue it has, and when they meet.

* :func:`required_revenue` — Sequoia's "$600B question" method (David Cahn, June 2024): take
  the spend on AI chips, double it for the full data-centre cost (energy, buildings, backup
  generators: the GPU is half of the total), and double again so that the end users earn a 50 %
  software gross margin on it.
* :func:`adoption_path` and :func:`years_to_close` — AI revenue growing exponentially or along
  a logistic adoption curve, and the years until it reaches a target (Sequoia's figure, or
  Bain's $2 trillion of annual revenue needed by 2030).

The sourced figures (Sequoia's multipliers and its ~$840B of Oct 2025, Bain's $2T of annual
revenue needed by 2030) are rows of ``parameters.csv`` (``sequoia_*``, ``bain_*``); the functions
take them as arguments.

References
----------
.. [1] Cahn, D. (2024). AI's $600B Question. Sequoia Capital, 20 June 2024.
.. [2] Bain & Company (2025). *Technology Report 2025*, 23 September 2025.
.. [3] Griliches, Z. (1957). Hybrid corn: an exploration in the economics of technological
   change. *Econometrica* 25(4), 501–522. (The logistic adoption curve.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_array, check_choice, check_scalar, fail

__all__ = [
    "Gap",
    "adoption_path",
    "monetization_gap",
    "required_revenue",
    "years_to_close",
]


def required_revenue(
    spend: ArrayLike,
    *,
    tco_multiplier: float,
    gross_margin: float,
) -> NDArray[np.float64] | float:
    r"""Annual end-user revenue needed to pay for AI spend: Sequoia's method.

    .. math:: R = \frac{m \cdot S}{g}

    with :math:`S` the annual spend on AI chips (Cahn takes Nvidia's data-centre revenue
    run-rate), :math:`m` the total-cost multiplier and :math:`g` the end users' gross margin.

    Parameters
    ----------
    spend : array_like
        Annual spend on AI chips (USD); for spend that is already all-in (a hyperscaler's total
        capex) pass ``tco_multiplier=1``.
    tco_multiplier : float
        Data-centre cost per dollar of chips, >= 1 (Cahn 2024: 2; the ``sequoia_tco_multiplier``
        parameter).
    gross_margin : float
        End users' software gross margin, in (0, 1] (Cahn 2024: 0.5; the
        ``sequoia_gross_margin`` parameter).

    Returns
    -------
    float or ndarray
        USD per year.

    Raises
    ------
    lahar.errors.DataError
        ``tco_multiplier`` < 1 or ``gross_margin`` outside (0, 1].

    Examples
    --------
    Cahn's June 2024 arithmetic: Nvidia's data-centre run-rate of ~$150B → $600B:

    >>> float(required_revenue(150e9, tco_multiplier=2.0, gross_margin=0.5)) / 1e9
    600.0
    """
    return _required(spend, tco_multiplier, gross_margin, "required_revenue")


def _required(
    spend: ArrayLike, tco_multiplier: float, gross_margin: float, func: str
) -> NDArray[np.float64] | float:
    tco_multiplier = check_scalar(tco_multiplier, "tco_multiplier", func, low=1.0)
    gross_margin = check_scalar(
        gross_margin, "gross_margin", func, low=0.0, low_open=True, high=1.0
    )
    s = check_array(spend, "spend", func, low=0.0)
    out = s * tco_multiplier / gross_margin
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class Gap:
    """Required vs actual AI revenue.

    Attributes
    ----------
    required : ndarray or float
        Revenue needed (USD per year).
    actual : ndarray or float
        AI revenue (USD per year).
    gap : ndarray or float
        ``required - actual``.
    coverage : ndarray or float
        ``actual / required`` (NaN where nothing is required).
    """

    required: NDArray[np.float64] | float
    actual: NDArray[np.float64] | float
    gap: NDArray[np.float64] | float
    coverage: NDArray[np.float64] | float


def monetization_gap(
    spend: ArrayLike,
    actual: ArrayLike,
    *,
    tco_multiplier: float,
    gross_margin: float,
) -> Gap:
    r"""The gap between the revenue AI spend needs and the AI revenue there is.

    .. math:: \text{gap} = \frac{m S}{g} - R_{AI}

    Parameters
    ----------
    spend : array_like
        Annual AI chip spend (or all-in capex with ``tco_multiplier=1``), USD.
    actual : array_like
        Annual AI revenue, USD.
    tco_multiplier, gross_margin : float
        As for :func:`required_revenue`.

    Returns
    -------
    Gap

    Examples
    --------
    Cahn (June 2024) credited ~$100B of AI revenue against his $600B: a $500B hole.

    >>> g = monetization_gap(150e9, 100e9, tco_multiplier=2.0, gross_margin=0.5)
    >>> g.gap / 1e9, round(g.coverage, 3)
    (500.0, 0.167)
    """
    func = "monetization_gap"
    req = _required(spend, tco_multiplier, gross_margin, func)
    act = check_array(actual, "actual", func, low=0.0)
    req_a = np.asarray(req, dtype=np.float64)
    cov = np.where(req_a > 0, act / np.where(req_a > 0, req_a, 1.0), np.nan)

    def out(x: NDArray[np.float64]) -> NDArray[np.float64] | float:
        return float(x) if np.ndim(x) == 0 else x

    return Gap(required=req, actual=out(act), gap=out(req_a - act), coverage=out(cov))


def _check_curve(
    r0: float, growth: float, curve: str, ceiling: float | None, func: str
) -> tuple[float, float, float | None]:
    r0 = check_scalar(r0, "r0", func, low=0.0, low_open=True)
    growth = check_scalar(growth, "growth", func, low=0.0, low_open=True)
    check_choice(curve, "curve", func, ("exponential", "logistic"))
    if curve == "logistic":
        if ceiling is None:
            raise fail(func, "ceiling", f"a float > r0 = {r0:g} for a logistic curve", "None")
        ceiling = check_scalar(ceiling, "ceiling", func, low=r0, low_open=True)
    return r0, growth, ceiling


def adoption_path(
    years: ArrayLike,
    *,
    r0: float,
    growth: float,
    curve: Literal["exponential", "logistic"] = "exponential",
    ceiling: float | None = None,
) -> NDArray[np.float64]:
    r"""AI revenue over time under an adoption curve.

    .. math:: R(t) = R_0 e^{\gamma t} \quad\text{or}\quad
              R(t) = \frac{K}{1 + \left(\frac{K}{R_0} - 1\right) e^{-\gamma t}}

    The logistic (Griliches 1957) starts growing at rate :math:`\gamma` and saturates at the
    ceiling :math:`K`.

    Parameters
    ----------
    years : array_like
        Years from now.
    r0 : float
        Revenue now (USD per year, > 0).
    growth : float
        Continuous growth rate :math:`\gamma` per year (> 0); a yearly growth of x % is
        :math:`\ln(1 + x/100)`.
    curve : {"exponential", "logistic"}, default "exponential"
    ceiling : float, optional
        :math:`K`, required for the logistic (> r0).

    Returns
    -------
    ndarray
        USD per year.

    Examples
    --------
    >>> adoption_path([0, 1, 2], r0=10.0, growth=np.log(2)).round(6)
    array([10., 20., 40.])
    >>> adoption_path([0, 1, 2], r0=10.0, growth=np.log(2), curve="logistic",
    ...               ceiling=40.0).round(3)
    array([10.   , 16.   , 22.857])
    """
    r0, growth, ceiling = _check_curve(r0, growth, curve, ceiling, "adoption_path")
    t = check_array(years, "years", "adoption_path")
    if curve == "exponential":
        return r0 * np.exp(growth * t)
    assert ceiling is not None
    return ceiling / (1.0 + (ceiling / r0 - 1.0) * np.exp(-growth * t))


def years_to_close(
    target: ArrayLike,
    *,
    r0: float,
    growth: float,
    curve: Literal["exponential", "logistic"] = "exponential",
    ceiling: float | None = None,
) -> NDArray[np.float64] | float:
    r"""Years until AI revenue reaches ``target`` under an adoption curve.

    .. math:: t^* = \frac{1}{\gamma}\ln\frac{T}{R_0} \quad\text{or}\quad
              t^* = \frac{1}{\gamma}\ln\frac{T\,(K - R_0)}{R_0\,(K - T)}

    0 if the target is already met; ``inf`` if a logistic ceiling :math:`K \le T` never
    reaches it.

    Parameters
    ----------
    target : array_like
        Revenue to reach (USD per year).
    r0, growth, curve, ceiling
        As for :func:`adoption_path`.

    Returns
    -------
    float or ndarray
        Years.

    Examples
    --------
    >>> years_to_close(40.0, r0=10.0, growth=np.log(2))
    2.0
    >>> round(years_to_close(22.857142857, r0=10.0, growth=np.log(2), curve="logistic",
    ...                      ceiling=40.0), 6)
    2.0
    >>> years_to_close(50.0, r0=10.0, growth=1.0, curve="logistic", ceiling=40.0)
    inf
    """
    r0, growth, ceiling = _check_curve(r0, growth, curve, ceiling, "years_to_close")
    T = check_array(target, "target", "years_to_close", low=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if curve == "exponential":
            t = np.log(T / r0) / growth
        else:
            assert ceiling is not None
            t = np.where(
                ceiling > T,
                np.log(T * (ceiling - r0) / (r0 * (ceiling - np.minimum(T, ceiling) + 0.0)))
                / growth,
                np.inf,
            )
    t = np.where(r0 >= T, 0.0, t)
    return float(t) if t.ndim == 0 else t
