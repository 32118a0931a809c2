r"""Leverage and collateral: credit ratios, GPU collateral values, loan-to-value, refinancing.

The second tier of the AI build-out (Oracle, the neoclouds, AI labs and their SPVs) borrows
against fast-ageing GPUs. Four calculations make that checkable:

* :func:`credit_ratios` — debt/EBITDA, debt/EBIT, interest coverage and debt/assets, before and
  after adding back debt kept off the balance sheet (SPV debt behind leases, lease commitments).
* :func:`gpu_value` — the value of a GPU fleet over its life as a share of its cost, under the
  straight-line schedules the hyperscalers book (5–6 years) and under the economic decay implied
  by falling GPU rental prices.
* :func:`loan_to_value` — the loan-to-value ratio of a GPU-backed loan as the balance amortises
  and the collateral ages.
* :func:`refinancing_wall` — principal falling due per year.

All are pure functions over arrays; sourced inputs (H100 rental prices, book lives) are
arguments, which the report takes from the dataset (``gpu_rent_*`` parameters,
``server_useful_life`` facts).

References
----------
.. [1] Moody's Investors Service. *Financial Statement Adjustments in the Analysis of
   Non-Financial Corporations* (cross-sector rating methodology). (Adding leases and
   off-balance-sheet debt back to debt.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_array, check_choice, check_int, check_scalar, fail

__all__ = [
    "CollateralPaths",
    "CreditRatios",
    "credit_ratios",
    "decline_rate",
    "gpu_value",
    "loan_to_value",
    "refinancing_wall",
]


def decline_rate(p0: float, p1: float, years: float) -> float:
    r"""Constant annual rate of decline between two prices: :math:`1 - (p_1/p_0)^{1/\Delta t}`.

    Parameters
    ----------
    p0, p1 : float
        Prices at the start and the end (> 0).
    years : float
        Time between them (> 0).

    Returns
    -------
    float
        The annual decline (negative if the price rose).

    Raises
    ------
    lahar.errors.DataError
        Non-positive prices or time.

    Examples
    --------
    H100 rent from ~$4.70/hr (mid-2023) to $2.35/hr (March 2026), and to the October 2025
    trough of $1.70/hr:

    >>> round(decline_rate(4.70, 2.35, 2026.2 - 2023.5), 3)
    0.226
    >>> round(decline_rate(4.70, 1.70, 2025.8 - 2023.5), 3)
    0.357
    """
    func = "decline_rate"
    p0 = check_scalar(p0, "p0", func, low=0.0, low_open=True)
    p1 = check_scalar(p1, "p1", func, low=0.0, low_open=True)
    years = check_scalar(years, "years", func, low=0.0, low_open=True)
    return float(1.0 - (p1 / p0) ** (1.0 / years))


@dataclass(frozen=True)
class CreditRatios:
    """Credit ratios, plain and with off-balance-sheet debt added back.

    Attributes
    ----------
    debt_to_ebitda, debt_to_ebit : ndarray
        Debt over EBITDA and over EBIT (operating income); NaN where the earnings figure is
        missing or not positive (the ratio is meaningless for a loss).
    interest_coverage : ndarray
        EBIT over interest expense; NaN where interest is missing or zero.
    debt_to_assets : ndarray
        Debt over total assets.
    adjusted_debt : ndarray
        Debt plus the off-balance-sheet amounts.
    adj_debt_to_ebitda, adj_debt_to_ebit, adj_debt_to_assets : ndarray
        The same ratios on adjusted debt (assets grow by the same amount: consolidating an SPV
        brings its data centre with its debt).
    """

    debt_to_ebitda: NDArray[np.float64]
    debt_to_ebit: NDArray[np.float64]
    interest_coverage: NDArray[np.float64]
    debt_to_assets: NDArray[np.float64]
    adjusted_debt: NDArray[np.float64]
    adj_debt_to_ebitda: NDArray[np.float64]
    adj_debt_to_ebit: NDArray[np.float64]
    adj_debt_to_assets: NDArray[np.float64]


def _arr(
    x: ArrayLike | None, shape: tuple[int, ...], name: str, func: str, *, sign: bool = True
) -> NDArray[np.float64]:
    """``x`` broadcast to ``shape``, NaN = unknown; ``sign``: entries must be >= 0."""
    if x is None:
        return np.full(shape, np.nan)
    a = check_array(x, name, func, low=0.0 if sign else None, allow_nan=True)
    try:
        return np.broadcast_to(a, shape).astype(np.float64)
    except ValueError:
        raise fail(func, name, f"broadcastable to shape {shape}", f"shape {a.shape}") from None


def _ratio(num: NDArray[np.float64], den: NDArray[np.float64]) -> NDArray[np.float64]:
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    return np.where(ok, num / np.where(ok, den, 1.0), np.nan)


def credit_ratios(
    debt: ArrayLike,
    *,
    ebitda: ArrayLike | None = None,
    ebit: ArrayLike | None = None,
    interest: ArrayLike | None = None,
    assets: ArrayLike | None = None,
    off_balance: ArrayLike = 0.0,
) -> CreditRatios:
    r"""Debt/EBITDA, debt/EBIT, interest coverage and debt/assets, plain and adjusted.

    .. math:: \frac{D}{\text{EBITDA}},\quad \frac{D}{\text{EBIT}},\quad
              \frac{\text{EBIT}}{\text{interest}},\quad \frac{D}{A}, \qquad
              D^{adj} = D + D^{off},\; A^{adj} = A + D^{off}

    Parameters
    ----------
    debt : array_like
        Borrowings on the balance sheet (USD), excluding lease liabilities.
    ebitda, ebit, interest, assets : array_like, optional
        Same shape as ``debt`` (or broadcastable); NaN = unknown.
    off_balance : array_like, default 0
        Debt kept off the balance sheet (USD): SPV debt behind the firm's leases, lease
        commitments not yet on the balance sheet. Rating agencies add such amounts back to
        debt (Moody's, module References).

    Returns
    -------
    CreditRatios

    Examples
    --------
    Oracle FY2025: debt $92.6B, operating income $17.7B, interest $3.58B, assets $168.4B; add
    back $248B of lease commitments (facts F0133, F0045, F0152, F0153, F0052):

    >>> r = credit_ratios(92.568e9, ebit=17.7e9, interest=3.578e9, assets=168.361e9,
    ...                   off_balance=248e9)
    >>> print(f"{r.debt_to_ebit:.1f} {r.interest_coverage:.1f} {r.debt_to_assets:.2f}")
    5.2 4.9 0.55
    >>> print(f"{r.adj_debt_to_ebit:.1f} {r.adj_debt_to_assets:.2f}")
    19.2 0.82
    """
    func = "credit_ratios"
    d = check_array(debt, "debt", func, low=0.0, allow_nan=True)
    shape = d.shape
    e = _arr(ebitda, shape, "ebitda", func, sign=False)
    b = _arr(ebit, shape, "ebit", func, sign=False)
    i = _arr(interest, shape, "interest", func)
    a = _arr(assets, shape, "assets", func)
    off = np.nan_to_num(_arr(off_balance, shape, "off_balance", func), nan=0.0)
    adj = d + off
    out = CreditRatios(
        debt_to_ebitda=_ratio(d, e),
        debt_to_ebit=_ratio(d, b),
        interest_coverage=np.where(
            np.isfinite(b) & np.isfinite(i) & (i > 0), b / np.where(i > 0, i, 1.0), np.nan
        ),
        debt_to_assets=_ratio(d, a),
        adjusted_debt=adj,
        adj_debt_to_ebitda=_ratio(adj, e),
        adj_debt_to_ebit=_ratio(adj, b),
        adj_debt_to_assets=_ratio(adj, a + off),
    )
    if shape == ():
        scalars: dict[str, Any] = {k: np.float64(v) for k, v in out.__dict__.items()}
        return CreditRatios(**scalars)
    return out


@dataclass(frozen=True)
class CollateralPaths:
    """GPU values over time as a share of cost.

    Attributes
    ----------
    years : ndarray, shape (T,)
        Age in years.
    book : ndarray, shape (L, T)
        Straight-line book value, one row per useful life in ``lives``.
    lives : ndarray, shape (L,)
        The useful lives (years).
    economic : ndarray, shape (T,)
        Economic value :math:`(1 - g)^t`: the value of a GPU tracks the rent it can earn.
    decline : float
        The annual rental-price decline ``g`` used.
    """

    years: NDArray[np.float64]
    book: NDArray[np.float64]
    lives: NDArray[np.float64]
    economic: NDArray[np.float64]
    decline: float


def gpu_value(
    years: ArrayLike,
    *,
    lives: ArrayLike,
    decline: float,
    salvage: float = 0.0,
) -> CollateralPaths:
    r"""Value of a GPU fleet over time, as a share of its cost: book vs economic.

    .. math:: B_L(t) = \max\left(s,\ 1 - (1 - s)\,\frac{t}{L}\right), \qquad
              V(t) = (1 - g)^t

    Book value falls straight-line over the useful life :math:`L` the owner books (5–6 years
    for the hyperscalers: the ``server_useful_life`` facts) to the salvage share :math:`s`. Economic value
    falls with the rent the GPU can earn: if rental prices fall by :math:`g` a year and the
    price-to-rent ratio stays put, so does the GPU's market value.

    Parameters
    ----------
    years : array_like, shape (T,)
        Ages (years, >= 0).
    lives : array_like
        Book useful lives (years, > 0).
    decline : float
        Annual rental-price decline in [0, 1): H100 rents from launch to March 2026 give
        ~0.226, to the October 2025 trough ~0.357 (:func:`decline_rate` of the ``gpu_rent_*``
        parameters).
    salvage : float, default 0
        Residual share of cost at the end of the book life, in [0, 1).

    Returns
    -------
    CollateralPaths

    Raises
    ------
    lahar.errors.DataError
        Negative ages, non-positive lives, ``decline`` or ``salvage`` outside [0, 1).

    Examples
    --------
    >>> p = gpu_value([0, 1, 2, 3], lives=[6], decline=0.25)
    >>> p.book.round(3), p.economic.round(3)
    (array([[1.   , 0.833, 0.667, 0.5  ]]), array([1.   , 0.75 , 0.562, 0.422]))
    """
    func = "gpu_value"
    t = np.atleast_1d(check_array(years, "years", func, ndim=(0, 1), low=0.0))
    L = np.atleast_1d(check_array(lives, "lives", func, ndim=(0, 1), low=0.0, low_open=True))
    decline = check_scalar(decline, "decline", func, low=0.0, high=1.0, high_open=True)
    salvage = check_scalar(salvage, "salvage", func, low=0.0, high=1.0, high_open=True)
    book = np.maximum(salvage, 1.0 - (1.0 - salvage) * t[None, :] / L[:, None])
    return CollateralPaths(
        years=t, book=book, lives=L, economic=(1.0 - decline) ** t, decline=float(decline)
    )


def loan_to_value(
    years: ArrayLike,
    value: ArrayLike,
    *,
    ltv0: float,
    term: float,
    amortization: Literal["linear", "bullet"] = "linear",
) -> NDArray[np.float64]:
    r"""Loan-to-value of a collateralised loan as it amortises and its collateral ages.

    .. math:: LTV(t) = \frac{LTV_0 \cdot b(t)}{v(t)}, \qquad
              b(t) = \begin{cases} \max(0, 1 - t/T) & \text{linear} \\
              \mathbf{1}[t < T] & \text{bullet} \end{cases}

    with :math:`v(t)` the collateral value as a share of its value at origination (e.g.
    :attr:`CollateralPaths.economic`) and :math:`b(t)` the outstanding share of principal.

    Parameters
    ----------
    years : array_like, shape (T,)
        Ages (years).
    value : array_like, shape (T,) or (K, T)
        Collateral value as a share of the original value (> 0).
    ltv0 : float
        Loan-to-value at origination (> 0), e.g. 12.5 / 20 = 0.625 for an SPV borrowing
        $12.5B and raising $7.5B of equity to buy $20B of GPUs (the ``gpu_spv_ltv`` parameter).
    term : float
        Loan term in years (> 0).
    amortization : {"linear", "bullet"}, default "linear"
        Principal repaid evenly, or all at maturity.

    Returns
    -------
    ndarray
        Same shape as ``value``; > 1 means the loan is under water.

    Examples
    --------
    >>> loan_to_value([0, 1, 2], [1.0, 0.75, 0.5], ltv0=0.6, term=4).round(3)
    array([0.6, 0.6, 0.6])
    >>> loan_to_value([0, 1, 2], [1.0, 0.75, 0.5], ltv0=0.6, term=4, amortization="bullet")
    array([0.6, 0.8, 1.2])
    """
    func = "loan_to_value"
    t = np.atleast_1d(check_array(years, "years", func, ndim=(0, 1), low=0.0))
    v = check_array(value, "value", func, ndim=(1, 2), low=0.0, low_open=True)
    if v.shape[-1] != t.size:
        raise fail(
            func,
            "value",
            f"of shape ({t.size},) or (K, {t.size}) (one per year)",
            f"shape {v.shape}",
        )
    ltv0 = check_scalar(ltv0, "ltv0", func, low=0.0, low_open=True)
    term = check_scalar(term, "term", func, low=0.0, low_open=True)
    check_choice(amortization, "amortization", func, ("linear", "bullet"))
    if amortization == "linear":
        balance = np.maximum(0.0, 1.0 - t / term)
    else:
        balance = (t < term).astype(np.float64)
    return ltv0 * balance / v


def refinancing_wall(
    amount: ArrayLike,
    maturity_year: ArrayLike,
    *,
    start: int,
    end: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64], float]:
    r"""Principal falling due per year: :math:`W_y = \sum_k a_k \mathbf{1}[m_k = y]`.

    Parameters
    ----------
    amount : array_like, shape (K,)
        Principal of each loan or bond (USD).
    maturity_year : array_like, shape (K,)
        Year each falls due; NaN = unknown.
    start, end : int
        First and last year of the wall (inclusive).

    Returns
    -------
    years : ndarray of int, shape (end - start + 1,)
    due : ndarray, shape (end - start + 1,)
        USD due each year (maturities outside [start, end] are not counted here).
    unknown : float
        USD with no known maturity.

    Examples
    --------
    >>> y, due, unknown = refinancing_wall([5, 3, 2, 4], [2027, 2029, float("nan"), 2027],
    ...                                    start=2026, end=2029)
    >>> y.tolist(), due.tolist(), unknown
    ([2026, 2027, 2028, 2029], [0.0, 9.0, 0.0, 3.0], 2.0)
    """
    func = "refinancing_wall"
    a = check_array(amount, "amount", func, ndim=1, low=0.0)
    m = check_array(maturity_year, "maturity_year", func, shape=(a.size,), allow_nan=True)
    start = check_int(start, "start", func)
    end = check_int(end, "end", func, low=start)
    years = np.arange(start, end + 1, dtype=np.int64)
    known = np.isfinite(m)
    inside = known & (m >= start) & (m <= end)
    due = np.bincount((m[inside] - start).astype(np.int64), a[inside], minlength=years.size)
    return years, due.astype(np.float64), float(a[~known].sum())
