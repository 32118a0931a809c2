r"""Sub-models of the agent-based boom-and-bust model, as pure functions over arrays.

Every function works on arrays over runs (shape ``(R,)``) or runs x agents (``(R, B)``); none
loops over agents. :mod:`lahar.simulation.abm` composes them quarter by quarter.

References
----------
.. [1] Bass, F. M. (1969). A new product growth for model consumer durables. *Management
   Science* 15(5), 215-227.
.. [2] Brock, W. A. and Hommes, C. H. (1998). Heterogeneous beliefs and routes to chaos in a
   simple asset pricing model. *Journal of Economic Dynamics and Control* 22(8-9), 1235-1274.
.. [3] Franke, R. and Westerhoff, F. (2012). Structural stochastic volatility in asset pricing
   dynamics: estimation and model contest. *Journal of Economic Dynamics and Control* 36(8),
   1193-1211.
.. [4] Scharfstein, D. S. and Stein, J. C. (1990). Herd behavior and investment. *American
   Economic Review* 80(3), 465-479.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MarketParams",
    "MarketState",
    "bass_advance",
    "bass_cdf",
    "capex_rule",
    "gpu_value_step",
    "market_start",
    "trade",
]

F64 = NDArray[np.float64]


def bass_cdf(t: ArrayLike, p: float, q: float) -> F64:
    r"""Cumulative adoption of the Bass (1969) diffusion model started from zero.

    .. math::

        F(t) = \frac{1 - e^{-(p+q)t}}{1 + \frac{q}{p}\, e^{-(p+q)t}},
        \qquad \frac{dF}{dt} = (p + qF)(1 - F),\quad F(0) = 0

    Parameters
    ----------
    t : array_like
        Time since launch (years, or the unit of ``p`` and ``q``), >= 0.
    p, q : float
        Coefficients of innovation (> 0) and imitation (>= 0), per unit of ``t``.

    Returns
    -------
    ndarray
        Share of the potential market that has adopted, in [0, 1).

    References
    ----------
    .. [1] Bass, F. M. (1969). A new product growth for model consumer durables. *Management
       Science* 15(5), 215-227 (equation 5).

    Examples
    --------
    >>> print(round(float(bass_cdf(1.0, 0.03, 0.38)), 6))
    0.035758
    """
    t = np.asarray(t, dtype=np.float64)
    e = np.exp(-(p + q) * t)
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_advance(f: ArrayLike, dt: float, p: float | F64, q: float | F64) -> F64:
    r"""Advance Bass adoption exactly by ``dt`` from the current level ``f``.

    The solution of :math:`dF/dt = (p + qF)(1 - F)` from :math:`F(0) = F_0` is

    .. math::

        F(t) = \frac{1 - A e^{-(p+q)t}}{1 + \frac{q}{p} A e^{-(p+q)t}}, \qquad
        A = \frac{1 - F_0}{1 + \frac{q}{p} F_0},

    so stepping quarter by quarter reproduces :func:`bass_cdf` to rounding (``A = 1`` when
    :math:`F_0 = 0`).

    Parameters
    ----------
    f : array_like
        Current adoption in [0, 1].
    dt : float
        Step (same time unit as ``p`` and ``q``).
    p, q : float or ndarray
        Bass coefficients (``p > 0``), broadcast against ``f``.

    Returns
    -------
    ndarray
        Adoption after ``dt``.

    Examples
    --------
    >>> f = 0.0
    >>> for _ in range(4):
    ...     f = bass_advance(f, 0.25, 0.03, 0.38)
    >>> print(round(float(f), 6))
    0.035758
    """
    f = np.asarray(f, dtype=np.float64)
    r = q / p
    a = (1.0 - f) / (1.0 + r * f)
    e = a * np.exp(-(p + q) * dt)
    return (1.0 - e) / (1.0 + r * e)


@dataclass(frozen=True)
class MarketParams:
    r"""Parameters of the fundamentalist-chartist market (Franke and Westerhoff 2012).

    Attributes
    ----------
    mu : float
        Price impact of excess demand.
    beta : float
        Intensity of choice.
    phi, chi : float
        Fundamentalists' and chartists' demand coefficients.
    sigma_f, sigma_c : float
        Noise of the two demands.
    alpha_0, alpha_n, alpha_p, alpha_w : float
        Predisposition, herding, misalignment and past-profit weights of the switching index.
    eta : float
        Memory of accumulated profits, in [0, 1).
    """

    mu: float
    beta: float
    phi: float
    chi: float
    sigma_f: float
    sigma_c: float
    alpha_0: float
    alpha_n: float
    alpha_p: float
    alpha_w: float
    eta: float


@dataclass
class MarketState:
    """Mutable state of the investor block over runs (all arrays of shape ``(R,)``).

    Attributes
    ----------
    p, p_prev : ndarray
        Log price now and one step earlier.
    nf : ndarray
        Share of fundamentalists.
    wf, wc : ndarray
        Accumulated realised profits (fitness) of the two strategies.
    df, dc : ndarray
        Last demands of the two strategies (their positions now earning profits).
    """

    p: F64
    p_prev: F64
    nf: F64
    wf: F64
    wc: F64
    df: F64
    dc: F64


def market_start(runs: int, p0: float = 0.0) -> MarketState:
    """Investor state at rest: price ``p0``, half fundamentalists, no profits yet."""
    z = np.zeros(runs)
    return MarketState(z + p0, z + p0, z + 0.5, z.copy(), z.copy(), z.copy(), z.copy())


def trade(
    state: MarketState,
    fundamental: F64,
    noise: F64,
    mp: MarketParams,
    returns: F64 | None = None,
) -> MarketState:
    r"""Run the investor block for ``D`` trading steps (Franke–Westerhoff with profit switching).

    For each step, with :math:`n^f` the share of fundamentalists and :math:`p^*` the log
    fundamental value:

    .. math::

        d^f_t &= \phi (p^* - p_t) + \sigma_f \varepsilon^f_t, \qquad
        d^c_t = \chi (p_t - p_{t-1}) + \sigma_c \varepsilon^c_t \\
        p_{t+1} &= p_t + \mu \big[n^f_t d^f_t + (1 - n^f_t) d^c_t\big] \\
        g^k_{t+1} &= (e^{p_{t+1}} - e^{p_t})\, d^k_{t-1}, \qquad
        W^k_{t+1} = \eta W^k_t + (1 - \eta) g^k_{t+1} \\
        a_{t+1} &= \alpha_0 + \alpha_n (n^f_t - n^c_t) + \alpha_p (p_{t+1} - p^*)^2
                  + \alpha_w (W^f_{t+1} - W^c_{t+1}) \\
        n^f_{t+1} &= 1 / (1 + e^{-\beta a_{t+1}})

    The discrete choice on past realised profits :math:`W` is Brock and Hommes' (1998)
    fitness; herding and misalignment are Franke and Westerhoff's (2012) DCA-HPM index. The
    larger noise of chartists makes volatility depend on the (persistent) market shares:
    structural stochastic volatility, hence fat tails and volatility clustering.

    Parameters
    ----------
    state : MarketState
        State over ``R`` runs; updated in place and returned.
    fundamental : ndarray, shape (R,)
        Log fundamental value :math:`p^*` during these steps.
    noise : ndarray, shape (R, D, 2)
        Standard normal draws for the two demands, ``D`` steps.
    mp : MarketParams
    returns : ndarray, shape (R, D), optional
        If given, receives the log return of each step.

    Returns
    -------
    MarketState
        ``state`` after ``D`` steps.

    References
    ----------
    .. [1] Brock, W. A. and Hommes, C. H. (1998). *JEDC* 22(8-9), 1235-1274.
    .. [2] Franke, R. and Westerhoff, F. (2012). *JEDC* 36(8), 1193-1211.

    Examples
    --------
    With no noise, fundamentalists only pull the price to its fundamental value.

    >>> mp = MarketParams(0.01, 1.0, 0.12, 1.5, 0.0, 0.0, -0.327, 1.79, 18.43, 0.0, 0.987)
    >>> s = trade(market_start(1, p0=0.1), np.zeros(1), np.zeros((1, 500, 2)), mp)
    >>> bool(abs(s.p[0]) < 0.1)
    True
    """
    p, pp, nf, wf, wc, dfl, dcl = (
        state.p,
        state.p_prev,
        state.nf,
        state.wf,
        state.wc,
        state.df,
        state.dc,
    )
    for t in range(noise.shape[1]):
        df = mp.phi * (fundamental - p) + mp.sigma_f * noise[:, t, 0]
        dc = mp.chi * (p - pp) + mp.sigma_c * noise[:, t, 1]
        pn = p + mp.mu * (nf * df + (1.0 - nf) * dc)
        gain = np.exp(pn) - np.exp(p)
        wf = mp.eta * wf + (1.0 - mp.eta) * gain * dfl
        wc = mp.eta * wc + (1.0 - mp.eta) * gain * dcl
        mis = pn - fundamental
        a = mp.alpha_0 + mp.alpha_n * (2.0 * nf - 1.0) + mp.alpha_p * mis * mis
        a = a + mp.alpha_w * (wf - wc)
        nf = 1.0 / (1.0 + np.exp(-mp.beta * a))
        if returns is not None:
            returns[:, t] = pn - p
        pp, p, dfl, dcl = p, pn, df, dc
    state.p, state.p_prev, state.nf, state.wf, state.wc, state.df, state.dc = (
        p,
        pp,
        nf,
        wf,
        wc,
        dfl,
        dcl,
    )
    return state


def capex_rule(fundamental: F64, capital: F64, peer_intensity: F64, fomo: float, shock: F64) -> F64:
    r"""Desired capex: a FOMO-weighted mix of fundamental need and keeping pace with peers.

    .. math::

        I^d_{i,t} = \Big[(1 - \varphi)\, I^f_{i,t} + \varphi\, \bar\iota_{-i,t-1} K_{i,t}\Big]
                    \, e^{\sigma \varepsilon_{i,t} - \sigma^2/2},
        \qquad \bar\iota_{-i,t-1} = \frac{\sum_{j \ne i} I_{j,t-1}}{\sum_{j \ne i} K_{j,t}}

    where :math:`I^f` is the capex that closes the gap to the capacity expected demand needs,
    :math:`\bar\iota_{-i}` the other builders' capex over their installed capital last quarter
    (the pace of the land grab) and :math:`\varphi \in [0, 1]` the herding (FOMO) weight: a
    builder builds as fast as its peers whatever its own demand forecast, after Scharfstein
    and Stein's (1990) imitation of peers' investment.

    Parameters
    ----------
    fundamental, capital, peer_intensity : ndarray, shape (R, B)
        :math:`I^f` (USD per quarter), :math:`K` (USD) and :math:`\bar\iota_{-i}` (per quarter).
    fomo : float
        :math:`\varphi`.
    shock : ndarray, shape (R, B)
        Multiplicative shock :math:`e^{\sigma\varepsilon - \sigma^2/2}` (mean one).

    Returns
    -------
    ndarray, shape (R, B)
        Desired capex, >= 0.

    Examples
    --------
    >>> one = np.ones((1, 2))
    >>> print(capex_rule(np.array([[0.0, 2.0]]), 10 * one, 0.1 * one, 0.5, one))
    [[0.5 1.5]]
    """
    return ((1.0 - fomo) * fundamental + fomo * peer_intensity * capital) * shock


def gpu_value_step(
    value: F64, capex: F64, *, quarter: int, life_quarters: float, generation: int, haircut: float
) -> F64:
    r"""Market (collateral) value of GPUs after one quarter of wear and generation changes.

    .. math::

        C_{t+1} = C_t \,\big(1 - 1/L\big)\,\big(1 - h\,\mathbb 1[(t+1) \bmod G = 0]\big)
                  + I_t

    Straight-line wear over the accounting life ``L`` quarters, plus a haircut ``h`` on the
    installed fleet each time a new chip generation ships (every ``G`` quarters).

    Parameters
    ----------
    value, capex : ndarray
        Collateral value and GPU capex of the quarter (USD).
    quarter : int
        Index ``t`` of the quarter just ended (0-based).
    life_quarters : float
        ``L``.
    generation : int
        ``G``.
    haircut : float
        ``h`` in [0, 1].

    Returns
    -------
    ndarray

    Examples
    --------
    >>> print(gpu_value_step(np.array([100.0]), np.array([10.0]), quarter=3, life_quarters=20,
    ...                      generation=4, haircut=0.2))
    [86.]
    """
    new_gen = (quarter + 1) % generation == 0
    keep = (1.0 - 1.0 / life_quarters) * (1.0 - haircut if new_gen else 1.0)
    return value * keep + capex
