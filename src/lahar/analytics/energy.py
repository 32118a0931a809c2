r"""Power: data-centre load in energy terms, its share of US electricity, and PPA economics.

* :func:`energy_twh` — capacity (GW) to annual energy (TWh) through a utilisation factor:
  :math:`E = P \cdot 8.76 \cdot u` (8,760 hours a year).
* :func:`electricity_share` — that energy as a share of total US electricity use.
* :func:`ppa_economics` — per power-purchase agreement: energy per year at a capacity factor,
  dollars per year and the implied price per MWh.

The sourced inputs are arguments; the report takes them from ``parameters.csv``, derived from
LBNL's 2024 United States Data Center Energy Usage Report: 176 TWh used by US data centres in
2023 was 4.4 % of US electricity, so total use was ~4,000 TWh; the 2028 projection of
325–580 TWh on 74–132 GW of capacity implies a utilisation of ~50 %.

References
----------
.. [1] Shehabi, A. et al. (2024). *2024 United States Data Center Energy Usage Report*.
   Lawrence Berkeley National Laboratory, LBNL-2001637.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_array, check_scalar

__all__ = [
    "HOURS_PER_YEAR",
    "PPA",
    "electricity_share",
    "energy_twh",
    "ppa_economics",
]

HOURS_PER_YEAR: float = 8760.0


def energy_twh(gw: ArrayLike, *, utilisation: float) -> NDArray[np.float64] | float:
    r"""Annual energy of a load: :math:`E\,[\text{TWh}] = P\,[\text{GW}] \times 8.76 \times u`.

    Parameters
    ----------
    gw : array_like
        Capacity (GW, >= 0).
    utilisation : float
        Average load over capacity, in (0, 1]; LBNL's 2028 midpoints give ~0.50
        (``dc_electricity_2028`` / (``dc_capacity_2028`` x 8.76)).

    Returns
    -------
    float or ndarray
        TWh per year.

    Raises
    ------
    lahar.errors.DataError
        Negative capacity or ``utilisation`` outside (0, 1].

    Examples
    --------
    >>> energy_twh(1.0, utilisation=1.0)
    8.76
    >>> u = 452.5 / (103.0 * 8.76)  # LBNL's 2028 midpoints: 452.5 TWh on 103 GW
    >>> round(energy_twh(103.0, utilisation=u), 1)
    452.5
    """
    func = "energy_twh"
    utilisation = check_scalar(utilisation, "utilisation", func, low=0.0, low_open=True, high=1.0)
    p = check_array(gw, "gw", func, low=0.0)
    out = p * HOURS_PER_YEAR / 1e3 * utilisation
    return float(out) if out.ndim == 0 else out


def electricity_share(twh: ArrayLike, *, total_twh: float) -> NDArray[np.float64] | float:
    r"""Share of total electricity use: :math:`E / E_{total}`.

    Parameters
    ----------
    twh : array_like
        Energy (TWh per year).
    total_twh : float
        Total electricity use (TWh per year, > 0); ~4,000 for the US (LBNL: 176 TWh was 4.4 %).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(electricity_share(176.0, total_twh=176.0 / 0.044), 3)
    0.044
    """
    func = "electricity_share"
    total_twh = check_scalar(total_twh, "total_twh", func, low=0.0, low_open=True)
    out = check_array(twh, "twh", func, low=0.0) / total_twh
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class PPA:
    """Economics of power-purchase agreements.

    Attributes
    ----------
    twh_per_year : ndarray
        Energy delivered per year (TWh).
    usd_per_year : ndarray
        Contract value per year (USD).
    usd_per_mwh : ndarray
        Implied price (USD per MWh); NaN where the value is unknown (0).
    """

    twh_per_year: NDArray[np.float64]
    usd_per_year: NDArray[np.float64]
    usd_per_mwh: NDArray[np.float64]


def ppa_economics(
    mw: ArrayLike,
    value_usd: ArrayLike,
    years: ArrayLike,
    *,
    capacity_factor: float,
) -> PPA:
    r"""Energy, dollars per year and implied price of PPAs.

    .. math:: E = \frac{P_{MW} \cdot 8760 \cdot c}{10^6}\ \text{TWh}, \quad
              \$/\text{yr} = \frac{V}{T}, \quad \$/\text{MWh} = \frac{V/T}{10^6 E}

    Parameters
    ----------
    mw : array_like
        Contracted capacity (MW).
    value_usd : array_like
        Total contract value (USD); 0 = unknown.
    years : array_like
        Contract term (years, > 0).
    capacity_factor : float
        Share of the year the plant delivers at capacity, in (0, 1] (the dataset's
        ``ppa_capacity_factor``: 0.90).

    Returns
    -------
    PPA

    Examples
    --------
    Talen–Amazon: 1,920 MW, ~$18B over 17 years (P30, P31):

    >>> p = ppa_economics([1920.0], [18e9], [17.0], capacity_factor=0.9)
    >>> p.twh_per_year.round(2), (p.usd_per_year / 1e9).round(3), p.usd_per_mwh.round(1)
    (array([15.14]), array([1.059]), array([69.9]))
    """
    func = "ppa_economics"
    capacity_factor = check_scalar(
        capacity_factor, "capacity_factor", func, low=0.0, low_open=True, high=1.0
    )
    p = check_array(mw, "mw", func, low=0.0)
    v = check_array(value_usd, "value_usd", func, low=0.0)
    t = check_array(years, "years", func, low=0.0, low_open=True)
    twh = p * HOURS_PER_YEAR * capacity_factor / 1e6
    per_year = v / t
    ok = (v > 0) & (twh > 0)
    price = np.where(ok, per_year / np.where(ok, twh * 1e6, 1.0), np.nan)
    return PPA(twh_per_year=twh, usd_per_year=per_year, usd_per_mwh=price)
