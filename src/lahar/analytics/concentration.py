r"""Index concentration and the savings that ride on the largest stocks.

* :func:`concentration` — top-k share, Herfindahl–Hirschman index :math:`H = \sum_i w_i^2` and
  the effective number of constituents :math:`1/H` of an index from its weights. When only the
  largest weights are known (as in our data), :func:`concentration` returns exact bounds on
  :math:`H` over every way the unknown remainder could be spread.
* :func:`savings_at_stake` — the dollars of household, retirement and pension savings that ride
  on a group of stocks: assets × equity share × the group's index weight, assuming the savers'
  equities track the market-cap-weighted index.

References
----------
.. [1] Hirschman, A. O. (1964). The paternity of an index. *American Economic Review* 54(5),
   761. Herfindahl, O. C. (1950). *Concentration in the Steel Industry*. PhD thesis, Columbia.
.. [2] Adelman, M. A. (1969). Comment on the "H" concentration measure as a numbers-equivalent.
   *Review of Economics and Statistics* 51(1), 99–101. (1/H as an equivalent number of equal
   firms.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_array, check_int, check_scalar, fail

__all__ = [
    "Concentration",
    "concentration",
    "savings_at_stake",
]


@dataclass(frozen=True)
class Concentration:
    r"""Concentration of an index.

    Attributes
    ----------
    top_share : float
        Sum of the ``k`` largest known weights (as a fraction of the index).
    hhi_low, hhi_high : float
        Bounds on :math:`H = \sum w_i^2` over every spread of the unknown remainder across the
        other constituents (equal when all weights are known).
    effective_low, effective_high : float
        :math:`1/H` bounds: ``1 / hhi_high`` and ``1 / hhi_low``.
    known : int
        Number of known weights.
    n : int
        Number of constituents.
    """

    top_share: float
    hhi_low: float
    hhi_high: float
    effective_low: float
    effective_high: float
    known: int
    n: int


def concentration(weights: ArrayLike, *, n: int | None = None, k: int = 7) -> Concentration:
    r"""Top-k share, HHI and effective number of constituents, with bounds for partial data.

    With the :math:`m` known weights :math:`w_i` (fractions) and a remainder
    :math:`R = 1 - \sum w_i` spread over the other :math:`n - m` constituents, each no larger
    than the smallest known weight :math:`w_{min}`:

    .. math:: H_{low} = \sum w_i^2 + \frac{R^2}{n - m}, \qquad
              H_{high} = \sum w_i^2 + q\, w_{min}^2 + r^2,

    where :math:`q = \lfloor R / w_{min} \rfloor` and :math:`r = R - q w_{min}` (the remainder
    spread evenly, or packed into as few constituents as possible). The effective number of
    constituents is :math:`1/H` (Adelman 1969).

    Parameters
    ----------
    weights : array_like, shape (m,)
        Known index weights as fractions (sum <= 1), e.g. the largest constituents.
    n : int, optional
        Number of constituents; default ``m`` (all weights known; they must sum to 1).
    k : int, default 7
        How many of the largest weights to add up for ``top_share``.

    Returns
    -------
    Concentration

    Raises
    ------
    lahar.errors.DataError
        Negative weights, a sum above 1, ``n < m``, ``n == m`` with a sum other than 1, or a
        remainder too large for the other constituents to stay below the smallest given weight
        (the given weights are not the largest).

    Examples
    --------
    Two equal halves: H = 0.5, an effective number of 2.

    >>> c = concentration([0.5, 0.5], k=1)
    >>> c.top_share, c.hhi_low, c.effective_high
    (0.5, 0.5, 2.0)

    Only the top two of four constituents known (0.4 and 0.3): the other 0.3 is spread over
    two, at most 0.3 each.

    >>> c = concentration([0.4, 0.3], n=4, k=2)
    >>> round(c.hhi_low, 3), round(c.hhi_high, 3)
    (0.295, 0.34)
    """
    func = "concentration"
    w = np.sort(check_array(weights, "weights", func, ndim=1, low=0.0, high=1.0))[::-1]
    m = w.size
    n = m if n is None else check_int(n, "n", func, low=m)
    k = check_int(k, "k", func, low=1)
    total = float(w.sum())
    if total > 1 + 1e-9:
        raise fail(func, "weights", "fractions that sum to at most 1", f"a sum of {total:.6g}")
    rest = max(0.0, 1.0 - total)
    known_h = float((w**2).sum())
    if n == m:
        if rest > 1e-9:
            raise fail(
                func,
                "weights",
                f"fractions that sum to 1 when every constituent is given (n = {n}; pass n to "
                "bound the unknown rest)",
                f"a sum of {total:.6g}",
            )
        low = high = known_h
    else:
        low = known_h + rest**2 / (n - m)
        wmin = float(w[-1]) if m else rest
        if m and rest > (n - m) * wmin * (1 + 1e-12):
            raise fail(
                func,
                "weights",
                f"the largest weights (the other {n - m} constituents must share the "
                f"remaining {rest:.6g} without one exceeding the smallest given weight)",
                f"a smallest weight of {wmin:.6g}",
            )
        if wmin <= 0:
            high = low
        else:
            q = min(int(np.floor(rest / wmin + 1e-12)), n - m)
            r = rest - q * wmin
            high = known_h + q * wmin**2 + r**2
    return Concentration(
        top_share=float(w[:k].sum()),
        hhi_low=low,
        hhi_high=high,
        effective_low=1.0 / high if high > 0 else np.inf,
        effective_high=1.0 / low if low > 0 else np.inf,
        known=m,
        n=n,
    )


def savings_at_stake(
    assets: ArrayLike, equity_share: ArrayLike, weight: float
) -> NDArray[np.float64] | float:
    r"""Savings riding on a group of stocks: :math:`S = A \cdot e \cdot w`.

    Parameters
    ----------
    assets : array_like
        Savings pools (USD), e.g. 401(k) assets.
    equity_share : array_like
        Share of each pool held in equities, in [0, 1].
    weight : float
        The group's weight in the index the equities track, in [0, 1].

    Returns
    -------
    float or ndarray
        USD.

    Raises
    ------
    lahar.errors.DataError
        Shares or weight outside [0, 1].

    Examples
    --------
    $9.3T of 401(k) assets, 75 % in equities, a 34 % top-7 weight:

    >>> round(savings_at_stake(9.3e12, 0.75, 0.34) / 1e12, 3)
    2.371
    """
    func = "savings_at_stake"
    a = check_array(assets, "assets", func, low=0.0)
    e = check_array(equity_share, "equity_share", func, low=0.0, high=1.0)
    weight = check_scalar(weight, "weight", func, low=0.0, high=1.0)
    try:
        out = np.asarray(a * e * weight)
    except ValueError:
        raise fail(
            func,
            "equity_share",
            f"broadcastable to the shape of assets {a.shape}",
            f"shape {e.shape}",
        ) from None
    return float(out) if out.ndim == 0 else out
