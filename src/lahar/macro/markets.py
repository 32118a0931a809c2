r"""Equity markets in an AI bust: repricing, index losses, savings and the wealth effect.

The chain, each step a batched pure function (scenarios along the last axis):

1. :func:`reprice` — price change of listed firms from fundamentals (a cut in AI capex /
   AI revenue times the firm's AI exposure) plus contagion losses (equity lost in the credit
   cascade as a share of market value):

   .. math:: \frac{\Delta P_{is}}{P_i} = -\min\Bigl(1,\; e_i\,c_s + \frac{\ell_{is}}{M_i}\Bigr)

2. :func:`index_return` — the index-weighted loss, ``r = Σ w_i ΔP_i/P_i + (1 - Σ w_i) r_rest``
   (S&P 500 and Nasdaq-100 weights are sourced parameters).
3. :func:`savings_losses` — dollars lost by households, IRAs and DC plans (401(k)), and
   defined-benefit pensions through their equity holdings (Fed Z.1, ICI).
4. :func:`wealth_effect` and :func:`consumption_demand` — consumption falls by the marginal
   propensity to consume out of stock wealth (3.2 cents per dollar per year, Chodorow-Reich,
   Nenov & Simsek 2021) and the cut is spread over industries with BEA's personal-consumption
   column, ready for :func:`lahar.macro.input_output.leontief`.

The exposure ``e`` is the share of a firm's market value that the AI boom accounts for: a
fraction ``c`` cut in AI spending removes ``c`` of that premium (fundamentals only; no panic,
no multiple compression beyond it — historical busts went much further: the Nasdaq fell 78%
from March 2000 to October 2002).

References
----------
Chodorow-Reich, G., Nenov, P. T. and Simsek, A. (2021). Stock market wealth and the real
economy: a local labor market approach. *American Economic Review* 111(5), 1613–1657.
Poterba, J. M. (2000). Stock market wealth and consumption. *Journal of Economic Perspectives*
14(2), 99–118.
Case, K. E., Quigley, J. M. and Shiller, R. J. (2005). Comparing wealth effects: the stock
market versus the housing market. *Advances in Macroeconomics* 5(1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_array, check_scalar, check_vector, fail

__all__ = [
    "Repricing",
    "SavingsLoss",
    "consumption_demand",
    "index_return",
    "reprice",
    "savings_losses",
    "wealth_effect",
]


def _cuts(ai_cut: ArrayLike, func: str) -> tuple[NDArray[np.float64], bool]:
    c = check_array(ai_cut, "ai_cut", func, ndim=(0, 1), low=0.0, high=1.0)
    return np.atleast_1d(c), c.ndim == 0


@dataclass(frozen=True)
class Repricing:
    """Equity repricing of listed firms (from :func:`reprice`).

    Attributes
    ----------
    price_change : ndarray, shape (n,) or (n, S)
        Relative price change, in [-1, 0] (-0.3 = a 30% fall).
    value_change : ndarray, shape (n,) or (n, S)
        Market value change, USD (``price_change * market_cap``).
    fundamental : ndarray, shape (n,) or (n, S)
        The part of ``price_change`` due to the AI cut alone (before the -100% floor).
    """

    price_change: NDArray[np.float64]
    value_change: NDArray[np.float64]
    fundamental: NDArray[np.float64]


def reprice(
    market_cap: ArrayLike,
    *,
    ai_exposure: ArrayLike,
    ai_cut: ArrayLike,
    equity_loss: ArrayLike | None = None,
) -> Repricing:
    r"""Reprice listed firms for an AI-spending cut and contagion losses.

    .. math:: \frac{\Delta P_{is}}{P_i} = -\min\Bigl(1,\; e_i\,c_s + \frac{\ell_{is}}{M_i}\Bigr)

    Parameters
    ----------
    market_cap : array_like, shape (n,)
        Market capitalisation ``M`` (USD), > 0.
    ai_exposure : array_like, shape (n,)
        ``e``: share of market value due to the AI boom, in [0, 1] (e.g. the
        ``ai_premium_share`` parameter for AI-cohort firms, the data-centre sales share for a
        utility, 0 for unexposed firms).
    ai_cut : float or array_like, shape (S,)
        ``c``: fraction of AI capex / AI revenue that disappears, in [0, 1].
    equity_loss : array_like, shape (n,) or (n, S), optional
        ``ℓ``: book equity lost in the contagion cascade (USD, >= 0), passed through to the
        market value one for one.

    Returns
    -------
    Repricing
        Arrays of shape (n,) if ``ai_cut`` is a scalar and ``equity_loss`` 1-D, else (n, S).

    Raises
    ------
    lahar.errors.DataError
        Shapes, NaN, a non-positive market cap, exposures outside [0, 1], cuts outside [0, 1].

    Notes
    -----
    A deliberately simple valuation rule: market value = AI premium + the rest, and a cut of
    ``c`` in AI spending removes ``c`` of the premium. Multiple compression, panic selling and
    spill-overs to unexposed firms are scenario choices (scale ``ai_exposure`` or pass a
    ``rest_return`` to :func:`index_return`), not built in.

    Examples
    --------
    A chip designer with 58% of its value in the AI premium, a neocloud that is all AI, and a
    firm with no exposure but a $20bn contagion loss, under a 30% and a 100% cut:

    >>> r = reprice([4000e9, 60e9, 100e9], ai_exposure=[0.58, 1.0, 0.0], ai_cut=[0.3, 1.0],
    ...             equity_loss=[0.0, 0.0, 20e9])
    >>> r.price_change.round(3)
    array([[-0.174, -0.58 ],
           [-0.3  , -1.   ],
           [-0.2  , -0.2  ]])
    >>> print(f"{r.value_change[:, 0].sum() / 1e9:.0f} bn USD")
    -734 bn USD
    """
    func = "reprice"
    m = check_array(market_cap, "market_cap", func, ndim=1, low=0.0, low_open=True)
    n = m.size
    e = check_array(ai_exposure, "ai_exposure", func, shape=(n,), low=0.0, high=1.0)
    c, scalar = _cuts(ai_cut, func)
    fundamental = -(e[:, None] * c[None, :])
    shock = -fundamental
    two_d = not scalar
    if equity_loss is not None:
        ell = check_vector(equity_loss, "equity_loss", func, n=n, batch=True)
        if ell.ndim == 2:
            if scalar:
                c = np.full(ell.shape[1], c[0])
                fundamental = -(e[:, None] * c[None, :])
                shock = -fundamental
            elif ell.shape[1] != c.size:
                raise fail(
                    func,
                    "equity_loss",
                    f"of shape ({n},) or ({n}, {c.size}) (S = {c.size}: one column per ai_cut)",
                    f"shape {ell.shape}",
                )
            two_d = True
            shock = shock + ell / m[:, None]
        else:
            shock = shock + (ell / m)[:, None]
    price = -np.minimum(1.0, shock)
    value = price * m[:, None]
    if not two_d:
        return Repricing(price[:, 0], value[:, 0], fundamental[:, 0])
    return Repricing(price, value, fundamental)


def index_return(
    weights: ArrayLike, price_change: ArrayLike, *, rest_return: ArrayLike = 0.0
) -> NDArray[np.float64] | float:
    r"""Index return from the returns of some constituents.

    .. math:: r_s = \sum_i w_i\, \frac{\Delta P_{is}}{P_i} + \Bigl(1 - \sum_i w_i\Bigr) r^{rest}_s

    Parameters
    ----------
    weights : array_like, shape (n,)
        Index weights of the covered constituents (or cohorts), >= 0, summing to <= 1.
    price_change : array_like, shape (n,) or (n, S)
        Their relative price changes.
    rest_return : float or array_like, shape (S,), default 0
        Return of the rest of the index (0: no spill-over, the fundamentals-only reading).

    Returns
    -------
    float or ndarray, shape (S,)

    Examples
    --------
    AI stocks at 43% of the S&P 500 falling 17.4%, the rest flat, then the rest down 5%:

    >>> print(f"{index_return([0.43], [-0.174]):.4f}")
    -0.0748
    >>> index_return([0.43], [[-0.174, -0.174]], rest_return=[0.0, -0.05]).round(4)
    array([-0.0748, -0.1033])
    """
    func = "index_return"
    w = check_array(weights, "weights", func, ndim=1, low=0.0, high=1.0)
    if w.sum() > 1 + 1e-12:
        raise fail(func, "weights", "index weights that sum to <= 1", f"a sum of {w.sum():g}")
    p = check_vector(price_change, "price_change", func, n=w.size, nonneg=False, batch=True)
    rest = check_array(rest_return, "rest_return", func, ndim=(0, 1), low=-1.0)
    r = w @ p + (1 - w.sum()) * rest
    return float(r) if np.ndim(r) == 0 else np.asarray(r, dtype=np.float64)


@dataclass(frozen=True)
class SavingsLoss:
    """Equity losses of savers (from :func:`savings_losses`); USD, negative = loss.

    Attributes
    ----------
    households : ndarray or float
        Households' directly held equities and mutual fund shares (Fed Z.1).
    retirement_accounts : ndarray or float
        IRAs plus defined-contribution plans (ICI); overlaps ``households`` where IRAs hold
        mutual funds, so do not add the two.
    k401 : ndarray or float
        Of which 401(k) plans.
    db_pensions : ndarray or float
        Government and private defined-benefit pension plans (a hit to funding, borne by
        sponsors and taxpayers before retirees).
    """

    households: NDArray[np.float64] | float
    retirement_accounts: NDArray[np.float64] | float
    k401: NDArray[np.float64] | float
    db_pensions: NDArray[np.float64] | float


def savings_losses(
    market_return: ArrayLike,
    *,
    household_equity: float,
    retirement_assets: float,
    k401_assets: float,
    db_pension_assets: float,
    retirement_equity_share: float,
    pension_equity_share: float,
) -> SavingsLoss:
    r"""Dollar losses of households, retirement accounts and pensions via their equity holdings.

    .. math:: \Delta W_k = E_k\, r, \qquad E_k = \text{assets}_k \times \text{equity share}_k

    with ``r`` the return of the US equity market (the S&P 500 as proxy).

    Parameters
    ----------
    market_return : float or array_like, shape (S,)
        Equity market return (negative in a bust).
    household_equity : float
        Households' equities and mutual fund shares (USD; parameter ``household_equity``).
    retirement_assets, k401_assets, db_pension_assets : float
        Assets of IRAs + DC plans, of 401(k) plans, of DB pension plans (USD; ICI).
    retirement_equity_share, pension_equity_share : float
        Equity shares of retirement accounts and of DB plans, in [0, 1].

    Returns
    -------
    SavingsLoss

    Examples
    --------
    >>> s = savings_losses(-0.10, household_equity=51.2e12, retirement_assets=31e12,
    ...                    k401_assets=9.3e12, db_pension_assets=12.3e12,
    ...                    retirement_equity_share=0.75, pension_equity_share=0.471)
    >>> print(f"{s.households / 1e12:.2f} {s.retirement_accounts / 1e12:.3f} "
    ...       f"{s.k401 / 1e12:.4f} {s.db_pensions / 1e12:.4f}")
    -5.12 -2.325 -0.6975 -0.5793
    """
    func = "savings_losses"
    r = check_array(market_return, "market_return", func, ndim=(0, 1), low=-1.0)
    household_equity = check_scalar(household_equity, "household_equity", func, low=0.0)
    retirement_assets = check_scalar(retirement_assets, "retirement_assets", func, low=0.0)
    k401_assets = check_scalar(k401_assets, "k401_assets", func, low=0.0)
    db_pension_assets = check_scalar(db_pension_assets, "db_pension_assets", func, low=0.0)
    retirement_equity_share = check_scalar(
        retirement_equity_share, "retirement_equity_share", func, low=0.0, high=1.0
    )
    pension_equity_share = check_scalar(
        pension_equity_share, "pension_equity_share", func, low=0.0, high=1.0
    )

    def out(x: NDArray[np.float64]) -> NDArray[np.float64] | float:
        return float(x) if x.ndim == 0 else x

    return SavingsLoss(
        households=out(household_equity * r),
        retirement_accounts=out(retirement_assets * retirement_equity_share * r),
        k401=out(k401_assets * retirement_equity_share * r),
        db_pensions=out(db_pension_assets * pension_equity_share * r),
    )


def wealth_effect(wealth_change: ArrayLike, *, mpc: float) -> NDArray[np.float64] | float:
    r"""Change in annual consumption from a change in stock wealth.

    .. math:: \Delta C = \mathrm{mpc} \times \Delta W

    Parameters
    ----------
    wealth_change : float or array_like
        Change in households' stock wealth (USD).
    mpc : float
        Marginal propensity to consume out of stock wealth, per year, in [0, 1]
        (parameter ``mpc_stock_wealth``: 0.032, range 0.03–0.07).

    Returns
    -------
    float or ndarray
        Change in consumption per year (USD).

    Notes
    -----
    The effect builds over one to two years and is smaller for wealth held in retirement
    accounts; Case, Quigley & Shiller (2005) find stock-market wealth effects weaker than
    housing ones. Use the low/high range of the parameter for a band.

    Examples
    --------
    >>> print(f"{wealth_effect(-5.12e12, mpc=0.032) / 1e9:.1f} bn USD a year")
    -163.8 bn USD a year
    """
    mpc = check_scalar(mpc, "mpc", "wealth_effect", low=0.0, high=1.0)
    w = check_array(wealth_change, "wealth_change", "wealth_effect")
    out = mpc * w
    return float(out) if out.ndim == 0 else out


def consumption_demand(consumption_change: ArrayLike, pce_shares: ArrayLike) -> NDArray[np.float64]:
    r"""Spread a consumption change over industries: the PCE bridge.

    .. math:: \Delta f_{is} = s_i\, \Delta C_s

    with ``s`` the industry shares of personal consumption expenditures (BEA use table,
    column F010, through the market shares: :meth:`IOTable.pce_shares
    <lahar.data.IOTable.pce_shares>`; with a ``domestic`` table they sum to the
    domestic share, the rest leaks to imports).

    Parameters
    ----------
    consumption_change : float or array_like, shape (S,)
        Change in consumption (in the IO table's money units).
    pce_shares : array_like, shape (n,)
        Industry shares, >= 0, summing to <= 1.

    Returns
    -------
    ndarray, shape (n,) or (n, S)

    Examples
    --------
    >>> consumption_demand([-100.0, -50.0], [0.6, 0.3]).round(1)
    array([[-60., -30.],
           [-30., -15.]])
    """
    func = "consumption_demand"
    s = check_array(pce_shares, "pce_shares", func, ndim=1, low=0.0, high=1.0)
    if s.sum() > 1 + 1e-9:
        raise fail(func, "pce_shares", "shares that sum to <= 1", f"a sum of {s.sum():g}")
    c = check_array(consumption_change, "consumption_change", func, ndim=(0, 1))
    if c.ndim == 0:
        return s * c
    return s[:, None] * c[None, :]
