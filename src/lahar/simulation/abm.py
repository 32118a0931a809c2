r"""Agent-based model of the AI-capex boom and its endogenous bust.

Many independent runs are simulated at once; every agent's state is a column of an array over
runs x agents, and the only Python loops are over quarters (and the investors' trading days
inside a quarter). With numba (a core dependency) a compiled kernel
(:mod:`lahar.simulation._kernels`) runs the same rules as scalar code per run, all runs of a
batch in lockstep; the array code below is the reference it is tested against and the path
without numba (``LAHAR_NO_NUMBA=1``). One quarter :math:`t` (:math:`\Delta t = 1/4` year):

1. **Demand** (Bass 1969, consumers and enterprises separately):
   :math:`F^k_{t+1} = \text{Bass}(F^k_t; p_k, q_k)`; the AI revenue the market would pay
   (annual rate) is

   .. math::

       R^d_t = R_0\Big[s_c \frac{F^c_t}{F^c_0} + (1 - s_c)\frac{F^e_t}{F^e_0}
               \big(1 + \pi \max(0, F^e_{t-L} - F^e_0)\big)\Big] e^{z_t},
       \qquad z_t = \rho z_{t-1} + \sigma_d \varepsilon_t

   with the productivity gain :math:`\pi` arriving after :math:`L` quarters.
2. **Power**: grid capacity :math:`P_t` receives the orders placed :math:`L_p` quarters ago
   (``capex / capex_per_gw``) and is capped at :math:`\bar P_t` (which also caps
   deployment: aggregate capex is scaled down to what the capped grid can power); capital beyond
   :math:`P_t \kappa_{GW}` stays dark. Served revenue
   :math:`R_t = \min(R^d_t, \rho_{\max} K^{\text{lit}}_t)`, shared by installed capital
   :math:`K_i`.
3. **Builders** update expected growth adaptively,
   :math:`g^e_t = \lambda g^e_{t-1} + (1 - \lambda)\log(R^d_t / R^d_{t-4})`, want capital
   :math:`K^*_i = s_i R^d_t e^{g^e_t H/4} / \rho_{plan}` (:math:`\rho_{plan}` set so that
   fundamental capex equals observed capex at the start), and set capex with
   :func:`~lahar.simulation._submodels.capex_rule` (fundamental need mixed with building at
   the peers' pace, capex over installed capital; the FOMO weight :math:`\varphi`).
4. **Financing**: cash flow :math:`CF_i = (m_{AI} R_i + N_i)/4`; vendors fund a share
   :math:`v_i` of capex (circular deals, from the network's equity and pledge layers) and book
   it as revenue; the rest of the gap is borrowed -- first tier unsecured up to a multiple of
   cash flow, second tier against GPUs up to a loan-to-value limit -- while credit markets are
   open (price drawdown below a threshold) and new equity funds up to a share of capex. A
   prudent builder also keeps :math:`(1 - \varphi)\,b` quarters of debt service in cash; FOMO
   trades that buffer for growth. The interest rate rises with the drawdown. A builder that
   cannot pay interest and amortisation even after cutting capex to zero, or that breaches its
   LTV covenant (GPU value from :func:`~lahar.simulation._submodels.gpu_value_step`) and cannot
   repay the excess, defaults.
5. **Investors** trade the listed builders' index for a quarter of trading days
   (:func:`~lahar.simulation._submodels.trade`) around the log fundamental
   :math:`p^*_t = \log(V_t/V_0) + w\,(g^e_t - g^e_0)`, :math:`V` the listed builders' cash
   flow.
6. **Contagion**: each quarter with new defaults, the failed builders' distress runs through
   the shipped network with :func:`lahar.contagion.debtrank` (Battiston et al. 2012 dynamics)
   on its debt, equity and supplier-margin claims; builders that it wipes out fail the next
   quarter.

A run **busts** in the first quarter in which the builders in default held at least
``bust_default_share`` of the starting AI capital (one small neocloud failing is not a bust);
the bust's depth is measured by the fall of aggregate capex from its running peak and the
index drawdown.

Reproducibility: run ``r`` draws all its shocks, quarter by quarter, from its own stream --
SplitMix64 (Steele, Lea and Flood 2014) started from a state that hashes the run index with a
64-bit key of ``np.random.SeedSequence(seed)``, turned into standard normals by Marsaglia and
Tsang's (2000) ziggurat -- and no step mixes runs, so results do not depend on how runs are
batched or threaded. The stream is counter-like: runs ``[a, b)`` of a batch draw exactly
what runs ``a .. b - 1`` draw alone.

Every parameter is a row of ``parameters.csv`` (``model = abm``) with its source; the papers
behind the sub-models are sources S4000 (Bass), S4002 (Brock and Hommes), S4003 (Franke and
Westerhoff), S4004 (Lux and Marchesi, the stylised facts the investor block is tested against)
and S4006 (Scharfstein and Stein). ``docs/abm.md`` lists them all.

References
----------
.. [1] Bass, F. M. (1969). *Management Science* 15(5), 215-227.
.. [2] Brock, W. A. and Hommes, C. H. (1998). *JEDC* 22(8-9), 1235-1274.
.. [3] Franke, R. and Westerhoff, F. (2012). *JEDC* 36(8), 1193-1211.
.. [4] Battiston, S. et al. (2012). DebtRank: too central to fail? *Scientific Reports* 2, 541.
.. [5] Scharfstein, D. S. and Stein, J. C. (1990). *American Economic Review* 80(3), 465-479.
.. [6] Steele, G. L., Lea, D. and Flood, C. H. (2014). Fast splittable pseudorandom number
   generators. *OOPSLA 2014*, ACM SIGPLAN Notices 49(10), 453-472.
.. [7] Marsaglia, G. and Tsang, W. W. (2000). The ziggurat method for generating random
   variables. *Journal of Statistical Software* 5(8), 1-7.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_scalar
from lahar.contagion import debtrank
from lahar.data import ParameterSet, load_parameters
from lahar.errors import DataError
from lahar.network import (
    AI_BUILDER_KINDS,
    ALL_AI_REVENUE_KINDS,
    CHIP_SELLER_KINDS,
    COMMITMENT_LAYERS,
    Network,
)
from lahar.simulation import _kernels
from lahar.simulation._submodels import (
    MarketParams,
    bass_advance,
    capex_rule,
    gpu_value_step,
    market_start,
    trade,
)

__all__ = [
    "BUILDER_KINDS",
    "CALIBRATED",
    "OBSERVABLES",
    "VENDOR_KINDS",
    "AbmInit",
    "AbmParams",
    "AbmResult",
    "AbmSummary",
    "initial_conditions",
    "market_returns",
    "model",
    "simulate",
    "summarize",
]

F64 = NDArray[np.float64]

BUILDER_KINDS = AI_BUILDER_KINDS
"""Entity kinds that build AI capacity (the builder agents; ``kinds.csv``)."""
VENDOR_KINDS = CHIP_SELLER_KINDS
"""Entity kinds that sell chips to builders (the vendor agents; ``kinds.csv``)."""

CALIBRATED: tuple[str, ...] = ("abm_fomo", "abm_bass_q_enterprise")
"""Parameter ids, in order, of the ``theta`` vector of :func:`model`."""
OBSERVABLES: tuple[str, ...] = ("capex_growth", "revenue_growth", "index_return")
"""Columns of :func:`model`'s output: quarterly log changes."""

_FUNC = "simulate()"
_PREFIX = "abm_"
_EXTERNAL = {"capex_share_it_equipment": "it_share", "dc_capacity_2028": "dc_capacity_gw"}


@dataclass(frozen=True)
class AbmParams:
    """Behavioural parameters of the model; one field per ``abm_*`` row of ``parameters.csv``.

    Field ``x`` is parameter ``abm_x`` (see ``docs/abm.md`` for each one's source); ``it_share``
    is ``capex_share_it_equipment`` and ``dc_capacity_gw`` is ``dc_capacity_2028``. Build it with
    :meth:`from_parameters`; change fields with :func:`dataclasses.replace`.
    """

    bass_p_consumer: float
    bass_q_consumer: float
    bass_p_enterprise: float
    bass_q_enterprise: float
    adoption0_consumer: float
    adoption0_enterprise: float
    consumer_revenue_share: float
    productivity_gain: float
    productivity_lag_quarters: float
    demand_sigma: float
    demand_rho: float
    growth_expectation0: float
    expectation_memory: float
    horizon_quarters: float
    capex_adjust_quarters: float
    fomo: float
    capex_sigma: float
    capital_to_capex: float
    useful_life_years: float
    chip_generation_quarters: float
    generation_haircut: float
    initial_utilisation: float
    ai_margin: float
    nonai_margin: float
    ai_share_fallback: float
    fallback_revenue: float
    fallback_capex_to_revenue: float
    fallback_cash_to_capex: float
    fallback_debt_to_capex: float
    tier2_debt_to_cash: float
    risk_free: float
    spread_tier1: float
    spread_tier2: float
    spread_drawdown: float
    ltv_max: float
    ltv_covenant: float
    leverage_max_tier1: float
    debt_maturity_quarters: float
    gpu_loan_maturity_quarters: float
    credit_close_drawdown: float
    recovery_rate: float
    vendor_financing_years: float
    vendor_financing_max_share: float
    supplier_margin: float
    capex_per_gw: float
    power_lag_quarters: float
    grid_ai_share: float
    initial_power_headroom: float
    grid_growth: float
    fw_mu: float
    fw_beta: float
    fw_phi: float
    fw_chi: float
    fw_sigma_f: float
    fw_sigma_c: float
    fw_alpha_0: float
    fw_alpha_n: float
    fw_alpha_p: float
    fw_alpha_w: float
    fw_eta: float
    trading_days_per_quarter: float
    valuation_growth_weight: float
    equity_funding_share: float
    cash_buffer_quarters: float
    bust_default_share: float
    contagion_default_distress: float
    book_to_market_fallback: float
    fallback_equity: float
    it_share: float
    dc_capacity_gw: float

    @classmethod
    def from_parameters(
        cls, params: ParameterSet | None = None, *, which: str = "value"
    ) -> AbmParams:
        """Read every field from a :class:`~lahar.data.ParameterSet`.

        Parameters
        ----------
        params : ParameterSet, optional
            Default: the shipped ``parameters.csv``.
        which : {"value", "low", "high"}
            Which figure of each parameter to use.

        Returns
        -------
        AbmParams

        Examples
        --------
        >>> AbmParams.from_parameters().fw_phi
        0.12
        """
        ps = params if params is not None else load_parameters()
        back = {v: k for k, v in _EXTERNAL.items()}
        vals = {}
        for f in fields(cls):
            pid = back.get(f.name, _PREFIX + f.name)
            vals[f.name] = ps.value(pid, which)
        return cls(**vals)

    def with_theta(self, theta: ArrayLike) -> AbmParams:
        """A copy with the :data:`CALIBRATED` parameters set from ``theta`` (same order)."""
        th = np.atleast_1d(np.asarray(theta, dtype=np.float64))
        if th.shape != (len(CALIBRATED),):
            raise DataError(
                f"The 'theta' parameter of model() must be a vector of {len(CALIBRATED)} "
                f"values ({', '.join(CALIBRATED)}). Got shape {th.shape} instead."
            )
        names = [c.removeprefix(_PREFIX) for c in CALIBRATED]
        return dataclasses.replace(self, **{n: float(v) for n, v in zip(names, th, strict=True)})

    def market(self) -> MarketParams:
        """The investor block's parameters."""
        return MarketParams(
            mu=self.fw_mu,
            beta=self.fw_beta,
            phi=self.fw_phi,
            chi=self.fw_chi,
            sigma_f=self.fw_sigma_f,
            sigma_c=self.fw_sigma_c,
            alpha_0=self.fw_alpha_0,
            alpha_n=self.fw_alpha_n,
            alpha_p=self.fw_alpha_p,
            alpha_w=self.fw_alpha_w,
            eta=self.fw_eta,
        )


@dataclass(frozen=True)
class AbmInit:
    """Initial conditions calibrated from a :class:`~lahar.network.Network`.

    Attributes
    ----------
    entity_ids : ndarray of str, shape (n,)
        The network's entity order.
    builder_ids : ndarray of str, shape (B,)
    builder_pos : ndarray of int, shape (B,)
        Positions of the builders in ``entity_ids``.
    tier2, listed : ndarray of bool, shape (B,)
        Second-tier (borrows against GPUs) and listed builders.
    ai_revenue, other_revenue, capex, cash, debt : ndarray, shape (B,)
        Annual AI and non-AI revenue, annual capex, cash and debt (USD), NaN facts replaced by
        the documented fallbacks.
    vendor_ids : ndarray of str, shape (V,)
    vendor_weights : ndarray, shape (B, V)
        Share of each builder's chip spending that goes to each vendor (rows sum to 1).
    vendor_financing : ndarray, shape (B,)
        Share of each builder's capex funded by its vendors (circular deals).
    exposures : scipy.sparse.csr_array, shape (n, n)
        Claims ``i`` holds on ``j`` for DebtRank: debt, equity stakes and suppliers' margin on
        one year of commitments (USD).
    equity : ndarray, shape (n,)
        Book equity for DebtRank (USD, > 0, fallbacks where missing).
    """

    entity_ids: NDArray[np.object_]
    builder_ids: NDArray[np.object_]
    builder_pos: NDArray[np.intp]
    tier2: NDArray[np.bool_]
    listed: NDArray[np.bool_]
    ai_revenue: F64
    other_revenue: F64
    capex: F64
    cash: F64
    debt: F64
    vendor_ids: NDArray[np.object_]
    vendor_weights: F64
    vendor_financing: F64
    exposures: sp.csr_array
    equity: F64

    @property
    def n_agents(self) -> int:
        """Builders plus vendors (the agents counted in agent-steps)."""
        return len(self.builder_ids) + len(self.vendor_ids)


def _fill(x: F64, fallback: F64) -> F64:
    return np.where(np.isfinite(x), x, fallback)


def initial_conditions(network: Network, params: AbmParams) -> AbmInit:
    """Calibrate the agents' starting balance sheets and ties from a network's facts and layers.

    Builders are the entities of kinds :data:`BUILDER_KINDS`, vendors those of
    :data:`VENDOR_KINDS`. Per builder (latest year of each fact): ``revenue`` (else
    ``fallback_revenue``), ``ai_revenue`` (else all revenue for neoclouds and labs,
    ``ai_share_fallback`` of it for hyperscalers), ``capex`` (else
    ``fallback_capex_to_revenue`` x revenue), ``cash`` and ``debt`` (else
    ``fallback_cash_to_capex`` / ``fallback_debt_to_capex`` x capex). A builder is second tier
    if it is a neocloud or a lab, or its debt exceeds ``tier2_debt_to_cash`` x its cash.

    Parameters
    ----------
    network : Network
    params : AbmParams

    Returns
    -------
    AbmInit

    Raises
    ------
    DataError
        The network has no builder or no vendor entity.

    Examples
    --------
    >>> from lahar.data import load_network
    >>> init = initial_conditions(load_network(), AbmParams.from_parameters())
    >>> bool(init.capex.min() > 0 and (init.vendor_weights.sum(axis=1).round(12) == 1).all())
    True
    """
    kinds = np.asarray(network.kinds, dtype=object)
    bmask = np.isin(kinds, BUILDER_KINDS)
    vmask = np.isin(kinds, VENDOR_KINDS)
    if not bmask.any() or not vmask.any():
        raise DataError(
            "The 'network' parameter of initial_conditions() must hold at least one entity of "
            f"kinds {BUILDER_KINDS} and one of {VENDOR_KINDS}. Got {int(bmask.sum())} builders "
            f"and {int(vmask.sum())} vendors instead."
        )
    bpos = np.flatnonzero(bmask)
    vpos = np.flatnonzero(vmask)
    fact = {m: network.fact(m) for m in ("revenue", "ai_revenue", "capex", "cash", "debt")}
    ai_only = np.isin(kinds[bpos], ALL_AI_REVENUE_KINDS)
    revenue = _fill(fact["revenue"][bpos], np.full(len(bpos), params.fallback_revenue))
    ai_rev = _fill(
        fact["ai_revenue"][bpos], np.where(ai_only, revenue, revenue * params.ai_share_fallback)
    )
    ai_rev = np.minimum(ai_rev, revenue)
    other = np.where(ai_only, 0.0, revenue - ai_rev)
    capex = _fill(fact["capex"][bpos], revenue * params.fallback_capex_to_revenue)
    cash = _fill(fact["cash"][bpos], capex * params.fallback_cash_to_capex)
    debt = _fill(fact["debt"][bpos], capex * params.fallback_debt_to_capex)
    tier2 = ai_only | (debt > params.tier2_debt_to_cash * cash)
    ents = network.entities
    listed = ents["ticker"].notna().to_numpy()[bpos] if "ticker" in ents else np.zeros(len(bpos))

    # Vendor weights: the builder's chip purchases by vendor, else vendors' revenue shares.
    chips = network.layer("chip_purchase")[bpos][:, vpos].toarray()
    vrev = _fill(network.fact("revenue")[vpos], np.zeros(len(vpos)))
    base = vrev / vrev.sum() if vrev.sum() > 0 else np.full(len(vpos), 1.0 / len(vpos))
    rows = chips.sum(axis=1, keepdims=True)
    weights = np.where(rows > 0, chips / np.where(rows > 0, rows, 1.0), base[None, :])

    # Circular deals: vendors' equity and pledges into the builder fund part of its capex.
    invest = network.layer(["equity", "investment_pledge"])[vpos][:, bpos].toarray().sum(axis=0)
    annual = invest / params.vendor_financing_years
    vf = np.minimum(params.vendor_financing_max_share, annual / capex)

    # Contagion layer: claims i holds on j.
    claims = network.layer(["debt", "equity"])
    commit = network.layer(list(COMMITMENT_LAYERS), annualize=True)
    a = (claims + params.supplier_margin * commit.T).tocsr()
    a.setdiag(0.0)
    a.eliminate_zeros()
    book = network.fact("book_equity")
    mcap = network.fact("market_cap")
    eq = np.where(np.isfinite(book) & (book > 0), book, mcap * params.book_to_market_fallback)
    eq = np.where(np.isfinite(eq) & (eq > 0), eq, params.fallback_equity)
    ids = np.asarray(network.ids, dtype=object)
    return AbmInit(
        entity_ids=ids,
        builder_ids=ids[bpos],
        builder_pos=bpos,
        tier2=np.asarray(tier2, dtype=bool),
        listed=np.asarray(listed, dtype=bool),
        ai_revenue=ai_rev,
        other_revenue=other,
        capex=capex,
        cash=cash,
        debt=debt,
        vendor_ids=ids[vpos],
        vendor_weights=weights,
        vendor_financing=vf,
        exposures=sp.csr_array(a),
        equity=eq,
    )


@dataclass(frozen=True)
class AbmResult:
    """Paths of a batch of runs; arrays of shape ``(runs, quarters)`` unless stated.

    Attributes
    ----------
    capex : ndarray
        Aggregate builders' capex, USD per quarter.
    ai_demand, ai_revenue : ndarray
        AI revenue the market would pay and the revenue served (power and capacity permitting),
        USD per year (annualised rate).
    adoption_consumer, adoption_enterprise : ndarray
        Bass adoption shares.
    price, fundamental : ndarray
        Log price and log fundamental value of the listed builders' index (0 at the start).
    chartist_share : ndarray
        Share of trend-followers among investors at quarter end (the sentiment of the market).
    drawdown : ndarray
        Log drawdown of the index from its running peak (>= 0); credit closes above a threshold.
    debt : ndarray
        Builders' total debt, USD.
    power_gw : ndarray
        Grid capacity available to AI builders, GW.
    vendor_revenue, circular_revenue : ndarray
        Vendors' chip revenue and the part of it paid with the vendors' own investments,
        USD per quarter.
    defaults : ndarray of int
        Builders in default so far.
    credit_loss : ndarray
        Lenders' cumulative loss on defaulted builders' debt (debt minus recovered collateral),
        USD.
    network_loss : ndarray
        DebtRank equity loss of the other entities of the network caused by the defaults so
        far, USD.
    bust_quarter : ndarray of int, shape (runs,)
        First bust quarter (0-based), -1 if none.
    default_quarter : ndarray of int, shape (runs, B)
        Quarter each builder defaulted, -1 if never.
    vendor_sales, vendor_financing : ndarray, shape (runs, V)
        Each vendor's chip sales over the run and the financing it extended to its customers
        (circular deals), USD, split by the builders' vendor weights.
    builder_ids : ndarray of str, shape (B,)
    vendor_ids : ndarray of str, shape (V,)
    builder_capex : ndarray, shape (runs, quarters, B), or None
        Capex by builder when ``keep_builders=True``.
    n_agents : int
        Builders plus vendors simulated per run.
    """

    capex: F64
    ai_demand: F64
    ai_revenue: F64
    adoption_consumer: F64
    adoption_enterprise: F64
    price: F64
    fundamental: F64
    chartist_share: F64
    drawdown: F64
    debt: F64
    power_gw: F64
    vendor_revenue: F64
    circular_revenue: F64
    defaults: NDArray[np.int64]
    credit_loss: F64
    network_loss: F64
    bust_quarter: NDArray[np.int64]
    default_quarter: NDArray[np.int64]
    vendor_sales: F64
    vendor_financing: F64
    builder_ids: NDArray[np.object_]
    vendor_ids: NDArray[np.object_]
    builder_capex: F64 | None
    n_agents: int

    @property
    def runs(self) -> int:
        """Number of runs."""
        return int(self.capex.shape[0])

    @property
    def quarters(self) -> int:
        """Number of quarters."""
        return int(self.capex.shape[1])

    def paths(self) -> dict[str, NDArray[Any]]:
        """The ``(runs, quarters)`` paths by name (for tables and Parquet)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), np.ndarray)
            and getattr(self, f.name).shape == self.capex.shape
        }


_PATHS = (
    "capex",
    "ai_demand",
    "ai_revenue",
    "adoption_consumer",
    "adoption_enterprise",
    "price",
    "fundamental",
    "chartist_share",
    "drawdown",
    "debt",
    "power_gw",
    "vendor_revenue",
    "circular_revenue",
    "defaults",
    "credit_loss",
    "network_loss",
)


def _root_key(seed: int) -> np.uint64:
    """The 64-bit root key of a seed (from :class:`numpy.random.SeedSequence`)."""
    return np.random.SeedSequence(seed).generate_state(1, np.uint64)[0]


def _run_starts(seed: int, first: int, count: int) -> NDArray[np.uint64]:
    """Random states of runs ``first .. first + count - 1``."""
    root = _root_key(seed)
    if _kernels.available():
        return _kernels.run_starts(root, first, count)
    ks = np.arange(first + 1, first + count + 1, dtype=np.uint64)
    return _kernels._mix_numpy(root + ks * _kernels._GAMMA_RUN)


def _run_noise(seed: int, first: int, count: int, quarters: int, width: int) -> F64:
    """Standard normals of runs ``first .. first + count - 1``, shape (count, quarters, width).

    Run ``r``'s normals depend on ``(seed, r)`` only: the stream of :mod:`._kernels`.
    """
    out = np.empty((count, quarters, width))
    starts = _run_starts(seed, first, count)
    if _kernels.available():
        _kernels.fill_normals(starts, out, _kernels.ZIG_X, _kernels.ZIG_F)
    else:
        _kernels.fill_normals_numpy(starts, out)
    return out


def _contagion(
    init: AbmInit, failed: NDArray[np.bool_], prm: AbmParams
) -> tuple[F64, NDArray[np.bool_]]:
    """Network loss (USD) and builders wiped out, for runs whose failed builders are given."""
    n = len(init.entity_ids)
    h1 = np.zeros((n, failed.shape[0]))
    h1[init.builder_pos, :] = failed.T
    res = debtrank(init.exposures, init.equity, h1, method="battiston")
    loss = res.distress * init.equity[:, None]
    loss[init.builder_pos, :] *= ~failed.T
    hit = prm.contagion_default_distress <= res.distress[init.builder_pos, :].T
    # sum each run's losses along a contiguous row, so the rounding does not depend on how
    # many runs share the call
    return np.ascontiguousarray(loss.T).sum(axis=1), hit


def _kernel_inputs(prm: AbmParams, init: AbmInit) -> tuple[Any, ...]:
    """Scalars and arrays of :func:`lahar.simulation._kernels.run_batch`, as the array code."""
    life_q = 4.0 * prm.useful_life_years
    lag_p = int(round(prm.power_lag_quarters))
    cap_q0 = init.capex / 4.0
    k_init = prm.capital_to_capex * init.capex
    k0 = k_init.sum()
    g0 = np.log1p(prm.growth_expectation0)
    r0 = init.ai_revenue.sum()
    k_star0 = k0 + prm.capex_adjust_quarters * (cap_q0.sum() - k0 / life_q)
    grid_cap = prm.dc_capacity_gw * prm.grid_ai_share
    nonai_cf = init.other_revenue * prm.nonai_margin
    back = np.arange(lag_p) - lag_p
    c = (
        prm.trading_days_per_quarter,
        lag_p,
        round(prm.productivity_lag_quarters),
        round(prm.chip_generation_quarters),
        life_q,
        g0,
        r0,
        r0 / (prm.initial_utilisation * k0),
        r0 * np.exp(g0 * prm.horizon_quarters / 4.0) / k_star0,
        grid_cap,
        min(grid_cap, prm.initial_power_headroom * k0 / prm.capex_per_gw),
        (prm.ai_margin * init.ai_revenue + nonai_cf)[init.listed].sum(),
        prm.bust_default_share,
        prm.bass_p_consumer,
        prm.bass_q_consumer,
        prm.bass_p_enterprise,
        prm.bass_q_enterprise,
        prm.adoption0_consumer,
        prm.adoption0_enterprise,
        prm.consumer_revenue_share,
        prm.productivity_gain,
        prm.demand_rho,
        prm.demand_sigma,
        prm.grid_growth,
        prm.capex_per_gw,
        prm.expectation_memory,
        prm.horizon_quarters,
        prm.capex_adjust_quarters,
        prm.fomo,
        prm.capex_sigma,
        prm.credit_close_drawdown,
        prm.ai_margin,
        prm.risk_free,
        prm.spread_drawdown,
        prm.spread_tier1,
        prm.debt_maturity_quarters,
        prm.gpu_loan_maturity_quarters,
        prm.ltv_max,
        prm.leverage_max_tier1,
        prm.cash_buffer_quarters,
        prm.equity_funding_share,
        prm.it_share,
        prm.generation_haircut,
        prm.ltv_covenant,
        prm.recovery_rate,
        prm.valuation_growth_weight,
        prm.contagion_default_distress,
        prm.capital_to_capex,
    )
    mp = prm.market()
    mpt = tuple(float(getattr(mp, f.name)) for f in fields(mp))
    lam = _battiston_weights(init)
    f64 = np.ascontiguousarray
    return (
        tuple(float(x) for x in c),
        mpt,
        f64(init.capex, dtype=np.float64),
        f64(init.debt, dtype=np.float64),
        f64(init.cash, dtype=np.float64),
        f64(init.tier2, dtype=np.bool_),
        f64(init.listed, dtype=np.bool_),
        f64(nonai_cf, dtype=np.float64),
        f64(init.vendor_financing, dtype=np.float64),
        f64(np.where(init.tier2, prm.spread_tier2, prm.spread_tier1), dtype=np.float64),
        f64(k_init / k0, dtype=np.float64),
        f64(init.vendor_weights, dtype=np.float64),
        r0 * np.exp(g0 * (np.arange(4) - 4) / 4.0),
        f64(cap_q0.sum() * np.exp(g0 * back / 4.0) / prm.capex_per_gw, dtype=np.float64),
        f64(init.builder_pos, dtype=np.int64),
        f64(lam.indptr, dtype=np.int64),
        f64(lam.indices, dtype=np.int64),
        f64(lam.data, dtype=np.float64),
        f64(init.equity, dtype=np.float64),
    )


def _battiston_weights(init: AbmInit) -> sp.csr_array:
    """``min(1, A_ij / E_i)`` in CSR with sorted indices, as :func:`debtrank` builds it."""
    a = sp.csr_array(init.exposures, dtype=np.float64)
    a.sort_indices()
    counts = np.diff(a.indptr)
    data = np.minimum(a.data * np.repeat(1.0 / init.equity, counts), 1.0)
    return sp.csr_array((data, a.indices, a.indptr), shape=a.shape)


def _simulate_chunk_compiled(
    prm: AbmParams,
    init: AbmInit,
    starts: NDArray[np.uint64],
    quarters: int,
    width: int,
    keep_builders: bool,
) -> dict[str, NDArray[Any]]:
    """:func:`_simulate_chunk` by the compiled kernel (same rules, scalar code per run).

    The kernel draws run ``k``'s normals from ``starts[k]`` as :func:`_run_noise` does.
    """
    rc = starts.shape[0]
    b = len(init.builder_ids)
    v = len(init.vendor_ids)
    paths = np.empty((len(_PATHS), rc, quarters))
    bust_q = np.empty(rc, dtype=np.int64)
    default_q = np.empty((rc, b), dtype=np.int64)
    sales = np.empty((rc, v))
    circular = np.empty((rc, v))
    bcap = np.empty((rc, quarters, b)) if keep_builders else np.empty((0, 0, 0))
    _kernels.run_batch(
        starts,
        quarters,
        width,
        _kernels.ZIG_X,
        _kernels.ZIG_F,
        *_kernel_inputs(prm, init),
        paths,
        bust_q,
        default_q,
        sales,
        circular,
        bcap,
    )
    out: dict[str, NDArray[Any]] = {name: paths[i] for i, name in enumerate(_PATHS)}
    out["defaults"] = out["defaults"].astype(np.int64)
    out["bust_quarter"] = bust_q
    out["default_quarter"] = default_q
    out["vendor_sales"] = sales
    out["vendor_financing"] = circular
    if keep_builders:
        out["builder_capex"] = bcap
    return out


def _simulate_chunk(
    prm: AbmParams, init: AbmInit, noise: F64, keep_builders: bool
) -> dict[str, NDArray[Any]]:
    rc, quarters, _ = noise.shape
    b = len(init.builder_ids)
    days = int(prm.trading_days_per_quarter)
    mp = prm.market()
    life_q = 4.0 * prm.useful_life_years
    lag_p = int(round(prm.power_lag_quarters))
    lag_e = int(round(prm.productivity_lag_quarters))
    gen = int(round(prm.chip_generation_quarters))
    dt = 0.25

    # Initial state (identical in every run).
    cap_q0 = init.capex / 4.0
    k = np.tile(prm.capital_to_capex * init.capex, (rc, 1))
    coll = k * prm.it_share
    debt = np.tile(init.debt, (rc, 1))
    # GPU-backed (secured) part of second-tier debt, up to the LTV limit
    secured = np.where(init.tier2[None, :], np.minimum(debt, prm.ltv_max * coll), 0.0)
    cash = np.tile(init.cash, (rc, 1))
    alive = np.ones((rc, b), dtype=bool)
    doomed = np.zeros((rc, b), dtype=bool)
    default_q = np.full((rc, b), -1, dtype=np.int64)
    g0 = np.log1p(prm.growth_expectation0)
    i_prev = np.tile(cap_q0, (rc, 1))
    r0 = init.ai_revenue.sum()
    k0 = k[0].sum()
    k0_share = k[0] / k0
    bust_share = prm.bust_default_share
    rho_max = r0 / (prm.initial_utilisation * k0)
    # planned revenue per unit of capital: at the start, fundamental capex = observed capex
    k_star0 = k0 + prm.capex_adjust_quarters * (cap_q0.sum() - k0 / life_q)
    rho_plan = r0 * np.exp(g0 * prm.horizon_quarters / 4.0) / k_star0
    ge = np.full(rc, g0)
    # demand of the last four quarters (year-on-year growth); before the start it grew at g0
    r_hist = np.tile(r0 * np.exp(g0 * (np.arange(4) - 4) / 4.0), (rc, 1))
    fc = np.full(rc, prm.adoption0_consumer)
    fe = np.full(rc, prm.adoption0_enterprise)
    fe_hist = np.empty((rc, quarters))
    z = np.zeros(rc)
    grid_cap = prm.dc_capacity_gw * prm.grid_ai_share
    power = np.full(rc, min(grid_cap, prm.initial_power_headroom * k0 / prm.capex_per_gw))
    arrivals = np.zeros((rc, quarters + lag_p + 1))
    # power ordered for the past lag_p quarters of capex (growing at g0) is still to arrive
    back = np.arange(lag_p) - lag_p
    arrivals[:, :lag_p] = cap_q0.sum() * np.exp(g0 * back / 4.0) / prm.capex_per_gw
    nonai_cf = init.other_revenue * prm.nonai_margin
    tier2 = init.tier2[None, :]
    spread = np.where(init.tier2, prm.spread_tier2, prm.spread_tier1)[None, :]
    listed = init.listed[None, :]
    v0 = (prm.ai_margin * init.ai_revenue + nonai_cf)[init.listed].sum()
    market = market_start(rc)
    peak = np.zeros(rc)
    bust_q = np.full(rc, -1, dtype=np.int64)
    credit_loss = np.zeros(rc)
    net_loss = np.zeros(rc)
    sales = np.zeros((rc, len(init.vendor_ids)))
    circular = np.zeros((rc, len(init.vendor_ids)))
    out: dict[str, NDArray[Any]] = {name: np.empty((rc, quarters)) for name in _PATHS}
    out["defaults"] = np.empty((rc, quarters), dtype=np.int64)
    bcap = np.empty((rc, quarters, b)) if keep_builders else None

    for t in range(quarters):
        eps = noise[:, t, :]
        # 1. demand
        fc = bass_advance(fc, dt, prm.bass_p_consumer, prm.bass_q_consumer)
        fe = bass_advance(fe, dt, prm.bass_p_enterprise, prm.bass_q_enterprise)
        fe_hist[:, t] = fe
        fe_lag = fe_hist[:, t - lag_e] if t >= lag_e else np.full(rc, prm.adoption0_enterprise)
        uplift = 1.0 + prm.productivity_gain * np.maximum(0.0, fe_lag - prm.adoption0_enterprise)
        z = prm.demand_rho * z + prm.demand_sigma * eps[:, 2 * days]
        demand = (
            r0
            * (
                prm.consumer_revenue_share * fc / prm.adoption0_consumer
                + (1.0 - prm.consumer_revenue_share) * fe / prm.adoption0_enterprise * uplift
            )
            * np.exp(z)
        )
        # 2. power and served revenue
        cap_t = grid_cap * np.exp(prm.grid_growth * t / 4.0)
        power = np.minimum(cap_t, power + arrivals[:, t])
        k_live = np.where(alive, k, 0.0)
        k_tot = k_live.sum(axis=1)
        lit = np.minimum(1.0, power * prm.capex_per_gw / np.maximum(k_tot, 1.0))
        served = np.minimum(demand, rho_max * k_tot * lit)
        share = k_live / np.maximum(k_tot, 1.0)[:, None]
        rev_ai = served[:, None] * share
        # 3. expectations and desired capex
        ge = prm.expectation_memory * ge + (1.0 - prm.expectation_memory) * np.log(
            demand / r_hist[:, t % 4]
        )
        r_hist[:, t % 4] = demand
        want_k = share * (demand * np.exp(ge * prm.horizon_quarters / 4.0))[:, None] / rho_plan
        fund = np.maximum(0.0, (want_k - k) / prm.capex_adjust_quarters + k / life_q)
        # peers' capex intensity: the others' last capex over their installed capital
        i_live = np.where(alive, i_prev, 0.0)
        i_others = i_live.sum(axis=1)[:, None] - i_live
        k_others = k_tot[:, None] - k_live
        peer = i_others / np.maximum(k_others, 1.0)
        shock = np.exp(prm.capex_sigma * eps[:, 2 * days + 1 :] - 0.5 * prm.capex_sigma**2)
        desired = np.where(alive, capex_rule(fund, k, peer, prm.fomo, shock), 0.0)
        # the grid cap binds: no deployment beyond the capital the capped grid can power
        room = np.maximum(0.0, cap_t * prm.capex_per_gw - k_tot * (1.0 - 1.0 / life_q))
        want = desired.sum(axis=1)
        desired *= np.minimum(1.0, room / np.maximum(want, 1.0))[:, None]
        # 4. financing
        dd = np.maximum(0.0, peak - market.p)
        open_ = (dd < prm.credit_close_drawdown)[:, None]
        cf = np.where(alive, (prm.ai_margin * rev_ai + nonai_cf[None, :]) / 4.0, 0.0)
        vf = np.where(open_, init.vendor_financing[None, :] * desired, 0.0)
        base = prm.risk_free + prm.spread_drawdown * dd[:, None]
        interest = ((debt - secured) * (base + prm.spread_tier1) + secured * (base + spread)) / 4.0
        amort = (debt - secured) / prm.debt_maturity_quarters
        amort_s = secured / prm.gpu_loan_maturity_quarters
        headroom = np.where(
            tier2,
            prm.ltv_max * coll - secured + amort_s,
            prm.leverage_max_tier1 * np.maximum(4.0 * cf, 0.0) - debt + amort,
        )
        headroom = np.where(open_, np.maximum(0.0, headroom), 0.0)
        service = interest + amort + amort_s
        # prudence: keep a cash buffer of some quarters of debt service; FOMO runs it down
        buffer = (1.0 - prm.fomo) * prm.cash_buffer_quarters * service
        gap = np.maximum(0.0, desired - vf + service + buffer - cf - cash)
        raised = np.where(open_, np.minimum(gap, prm.equity_funding_share * desired), 0.0)
        borrow = np.minimum(gap - raised, headroom)
        short = gap - raised - borrow
        capex = np.maximum(0.0, desired - short)
        cash = cash + cf + vf + raised + borrow - capex - service
        unpaid = np.maximum(0.0, -cash)
        cash = np.maximum(0.0, cash)
        debt = debt - amort - amort_s + borrow
        secured = np.where(tier2, secured - amort_s + borrow, 0.0)
        coll = gpu_value_step(
            coll,
            capex * prm.it_share,
            quarter=t,
            life_quarters=life_q,
            generation=gen,
            haircut=prm.generation_haircut,
        )
        excess = np.where(tier2, np.maximum(0.0, secured - prm.ltv_covenant * coll), 0.0)
        breach = excess > cash
        cure = np.where(breach, 0.0, excess)
        cash -= cure
        debt -= cure
        secured -= cure
        new = alive & ((unpaid > 0.0) | breach | doomed)
        capex = np.where(new, 0.0, capex)
        credit_loss += np.where(new, np.maximum(0.0, debt - prm.recovery_rate * coll), 0.0).sum(
            axis=1
        )
        debt = np.where(new, 0.0, debt)
        secured = np.where(new, 0.0, secured)
        alive &= ~new
        default_q[new] = t
        k = k * (1.0 - 1.0 / life_q) + capex
        arrivals[:, t + lag_p] += capex.sum(axis=1) / prm.capex_per_gw
        i_prev = np.where(alive, capex, 0.0)
        # 5. investors
        v = np.where(alive & listed, prm.ai_margin * rev_ai + nonai_cf[None, :], 0.0).sum(axis=1)
        fundamental = np.log(np.maximum(v, 1.0) / v0) + prm.valuation_growth_weight * (ge - g0)
        trade(market, fundamental, eps[:, : 2 * days].reshape(rc, days, 2), mp)
        peak = np.maximum(peak, market.p)
        # 6. contagion through the network
        doomed = np.zeros((rc, b), dtype=bool)
        hit_runs = np.flatnonzero(new.any(axis=1))
        if hit_runs.size:
            loss, wiped = _contagion(init, ~alive[hit_runs], prm)
            net_loss[hit_runs] = loss
            doomed[hit_runs] = wiped & alive[hit_runs]
        # 7. bust
        total_capex = capex.sum(axis=1)
        busted = (~alive).any(axis=1) & (np.where(alive, 0.0, k0_share).sum(axis=1) >= bust_share)
        bust_q = np.where((bust_q < 0) & busted, t, bust_q)
        vendor_rev = (capex * prm.it_share).sum(axis=1)
        sales += (capex * prm.it_share) @ init.vendor_weights
        circular += vf @ init.vendor_weights
        out["capex"][:, t] = total_capex
        out["ai_demand"][:, t] = demand
        out["ai_revenue"][:, t] = served
        out["adoption_consumer"][:, t] = fc
        out["adoption_enterprise"][:, t] = fe
        out["price"][:, t] = market.p
        out["fundamental"][:, t] = fundamental
        out["chartist_share"][:, t] = 1.0 - market.nf
        out["drawdown"][:, t] = np.maximum(0.0, peak - market.p)
        out["debt"][:, t] = debt.sum(axis=1)
        out["power_gw"][:, t] = power
        out["vendor_revenue"][:, t] = vendor_rev
        out["circular_revenue"][:, t] = np.minimum(vf, capex * prm.it_share).sum(axis=1)
        out["defaults"][:, t] = (~alive).sum(axis=1)
        out["credit_loss"][:, t] = credit_loss
        out["network_loss"][:, t] = net_loss
        if bcap is not None:
            bcap[:, t, :] = capex
    out["bust_quarter"] = bust_q
    out["default_quarter"] = default_q
    out["vendor_sales"] = sales
    out["vendor_financing"] = circular
    if bcap is not None:
        out["builder_capex"] = bcap
    return out


def _check_count(x: Any, name: str, func: str) -> int:
    if isinstance(x, bool) or not isinstance(x, int | np.integer) or x < 1:
        raise DataError(
            f"The '{name}' parameter of {func} must be an integer >= 1. Got {x!r} instead."
        )
    return int(x)


def _check_seed(seed: Any, func: str) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise DataError(
            f"The 'seed' parameter of {func} must be an integer >= 0. Got {seed!r} instead."
        )
    return int(seed)


def simulate(
    params: AbmParams | None = None,
    *,
    runs: int,
    quarters: int,
    seed: int,
    network: Network | None = None,
    init: AbmInit | None = None,
    batch: int = 1024,
    workers: int = 1,
    keep_builders: bool = False,
) -> AbmResult:
    """Simulate ``runs`` independent runs of the boom-and-bust model for ``quarters`` quarters.

    Parameters
    ----------
    params : AbmParams, optional
        Default: :meth:`AbmParams.from_parameters` (the shipped central values).
    runs, quarters : int
        Number of runs and of quarters, >= 1.
    seed : int
        Root seed, >= 0; run ``r``'s shocks depend on ``(seed, r)`` only (module docstring).
    network : Network, optional
        Network that calibrates the agents and carries contagion; default the shipped one.
    init : AbmInit, optional
        Pre-computed :func:`initial_conditions` (saves recomputing them across calls).
    batch : int, default 1024
        Runs simulated together (memory, not results, depends on it).
    workers : int, default 1
        Threads simulating batches at once (speed, not results, depends on it; the compiled
        kernel releases the GIL).
    keep_builders : bool, default False
        Also return capex by builder.

    Returns
    -------
    AbmResult

    Raises
    ------
    DataError
        ``runs``, ``quarters`` or ``batch`` below 1, a negative seed, a network without
        builders or vendors.

    Examples
    --------
    >>> res = simulate(runs=4, quarters=8, seed=1)
    >>> res.capex.shape, bool((res.capex >= 0).all())
    ((4, 8), True)
    """
    runs = _check_count(runs, "runs", _FUNC)
    quarters = _check_count(quarters, "quarters", _FUNC)
    batch = _check_count(batch, "batch", _FUNC)
    workers = _check_count(workers, "workers", _FUNC)
    seed = _check_seed(seed, _FUNC)
    prm = params if params is not None else AbmParams.from_parameters()
    check_scalar(prm.fomo, "fomo", _FUNC, low=0.0, high=1.0)
    if init is None:
        if network is None:
            from lahar.data import load_network

            network = load_network()
        init = initial_conditions(network, prm)
    b = len(init.builder_ids)
    width = 2 * int(prm.trading_days_per_quarter) + 1 + b

    def chunk(first: int) -> dict[str, NDArray[Any]]:
        count = min(batch, runs - first)
        if _kernels.available():
            starts = _run_starts(seed, first, count)
            return _simulate_chunk_compiled(prm, init, starts, quarters, width, keep_builders)
        noise = _run_noise(seed, first, count, quarters, width)
        return _simulate_chunk(prm, init, noise, keep_builders)

    firsts = range(0, runs, batch)
    if workers == 1 or len(firsts) == 1:
        parts = [chunk(f) for f in firsts]
    else:
        # numpy releases the GIL in random fills and large array operations; chunks are
        # independent, so threads change the speed, not the results
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(chunk, firsts))
    joined = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    return AbmResult(
        **{name: joined[name] for name in _PATHS},
        bust_quarter=joined["bust_quarter"],
        default_quarter=joined["default_quarter"],
        vendor_sales=joined["vendor_sales"],
        vendor_financing=joined["vendor_financing"],
        builder_ids=init.builder_ids,
        vendor_ids=init.vendor_ids,
        builder_capex=joined.get("builder_capex"),
        n_agents=init.n_agents,
    )


@dataclass(frozen=True)
class AbmSummary:
    """What a batch of runs says about the bust.

    Attributes
    ----------
    runs, quarters : int
    bust_probability : float
        Share of runs that bust (defaulted builders held ``bust_default_share`` of the starting
        capital) within ``quarters``.
    default_probability : float
        Share of runs in which at least one builder defaults.
    bust_quarter_mean, bust_quarter_median : float
        Timing of the bust among runs that bust (1-based quarter; NaN if none).
    capex_depth, price_depth : float
        Median over busting runs of the largest fall of aggregate capex from its peak
        (fraction) and of the index log drawdown (NaN if none).
    credit_loss_mean, network_loss_mean : float
        Mean over all runs of lenders' losses and network (DebtRank) losses at the end, USD.
    loss_p95 : float
        95th percentile over runs of credit plus network losses, USD.
    builder_default_probability : dict of str to float
        Per builder, the share of runs in which it defaults.
    """

    runs: int
    quarters: int
    bust_probability: float
    default_probability: float
    bust_quarter_mean: float
    bust_quarter_median: float
    capex_depth: float
    price_depth: float
    credit_loss_mean: float
    network_loss_mean: float
    loss_p95: float
    builder_default_probability: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN as None)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, float) and not np.isfinite(v):
                v = None
            out[f.name] = v
        return out


def summarize(result: AbmResult, *, horizon: int | None = None) -> AbmSummary:
    """Bust probability within a horizon, its timing, depth and losses.

    Parameters
    ----------
    result : AbmResult
    horizon : int, optional
        Count busts in the first ``horizon`` quarters (default: all).

    Returns
    -------
    AbmSummary

    Examples
    --------
    >>> s = summarize(simulate(runs=8, quarters=8, seed=3))
    >>> 0.0 <= s.bust_probability <= 1.0
    True
    """
    q = (
        result.quarters
        if horizon is None
        else min(_check_count(horizon, "horizon", "summarize()"), result.quarters)
    )
    bq = result.bust_quarter
    busted = (bq >= 0) & (bq < q)
    cap = result.capex[:, :q]
    capex_fall = 1.0 - cap / np.maximum.accumulate(np.maximum(cap, 1e-300), axis=1)
    depth = capex_fall.max(axis=1)
    pdepth = result.drawdown[:, :q].max(axis=1)
    loss = result.credit_loss[:, q - 1] + result.network_loss[:, q - 1]
    dq = result.default_quarter
    dflt = (dq >= 0) & (dq < q)

    def med(x: F64) -> float:
        return float(np.median(x)) if x.size else float("nan")

    return AbmSummary(
        runs=result.runs,
        quarters=q,
        bust_probability=float(busted.mean()),
        default_probability=float(dflt.any(axis=1).mean()),
        bust_quarter_mean=float((bq[busted] + 1).mean()) if busted.any() else float("nan"),
        bust_quarter_median=med((bq[busted] + 1).astype(np.float64)),
        capex_depth=med(depth[busted]),
        price_depth=med(pdepth[busted]),
        credit_loss_mean=float(result.credit_loss[:, q - 1].mean()),
        network_loss_mean=float(result.network_loss[:, q - 1].mean()),
        loss_p95=float(np.quantile(loss, 0.95)),
        builder_default_probability={
            str(i): float(p) for i, p in zip(result.builder_ids, dflt.mean(axis=0), strict=True)
        },
    )


def market_returns(params: AbmParams | None = None, *, steps: int, seed: int, runs: int = 1) -> F64:
    """Daily log returns of the investor block alone (builders switched off, fixed fundamental).

    Parameters
    ----------
    params : AbmParams, optional
        Default: the shipped central values.
    steps : int
        Trading days, >= 1.
    seed : int
        Root seed; run ``r``'s shocks depend on ``(seed, r)`` only.
    runs : int, default 1

    Returns
    -------
    ndarray, shape (runs, steps)

    Examples
    --------
    >>> r = market_returns(steps=2000, seed=0)
    >>> r.shape, bool(0.002 < r.std() < 0.05)
    ((1, 2000), True)
    """
    steps = _check_count(steps, "steps", "market_returns()")
    runs = _check_count(runs, "runs", "market_returns()")
    seed = _check_seed(seed, "market_returns()")
    prm = params if params is not None else AbmParams.from_parameters()
    noise = _run_noise(seed, 0, runs, steps, 2)
    out = np.empty((runs, steps))
    if _kernels.available():
        mp = prm.market()
        _kernels.trade_path(noise, tuple(float(getattr(mp, f.name)) for f in fields(mp)), out)
    else:
        trade(market_start(runs), np.zeros(runs), noise, prm.market(), returns=out)
    return out


@functools.cache
def _shipped() -> tuple[AbmParams, AbmInit]:
    """Shipped parameters and initial conditions, built once (calibration calls model() often)."""
    from lahar.data import load_network

    prm = AbmParams.from_parameters()
    return prm, initial_conditions(load_network(), prm)


def model(theta: Sequence[float] | ArrayLike, n_quarters: int, seed: int) -> F64:
    """One run as a time series, for calibration tools (black-it's model interface).

    Parameters
    ----------
    theta : array_like, shape (2,)
        Values of the :data:`CALIBRATED` parameters (FOMO weight, enterprise Bass ``q``); every
        other parameter takes its shipped central value.
    n_quarters : int
        Length of the series, >= 1.
    seed : int
        Seed of the run (>= 0).

    Returns
    -------
    ndarray, shape (n_quarters, 3)
        :data:`OBSERVABLES`: quarterly log growth of aggregate capex and of served AI revenue,
        and the index's quarterly log return (the first quarter is measured from the start).

    Examples
    --------
    >>> model([0.5, 0.38], 6, 0).shape
    (6, 3)
    """
    base, init = _shipped()
    prm = base.with_theta(theta)
    res = simulate(prm, runs=1, quarters=n_quarters, seed=seed, init=init)
    capex0 = init.capex.sum() / 4.0
    rev0 = init.ai_revenue.sum()
    cap = np.log(np.maximum(np.concatenate([[capex0], res.capex[0]]), 1.0))
    rev = np.log(np.maximum(np.concatenate([[rev0], res.ai_revenue[0]]), 1.0))
    price = np.concatenate([[0.0], res.price[0]])
    return np.column_stack([np.diff(cap), np.diff(rev), np.diff(price)])
