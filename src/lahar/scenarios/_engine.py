r"""The full cascade of a scenario, evaluated for a block of Monte Carlo draws in one pass.

For draws ``s = a .. b-1`` of a scenario:

1. **Draws.** A scrambled Sobol sequence (seeded by the run's seed) gives one point per draw in
   the unit cube of the uncertain quantities: the scenario's shock sizes, the model parameters
   with a range in ``parameters.csv`` (margins, discount rate, status weights) and the book
   equity of every entity whose balance sheet is an estimate with a range. Correlated pairs go
   through a Gaussian copula; each coordinate maps to its range (uniform or triangular). Draw
   ``s`` depends only on (spec, data, seed, s), never on how draws are grouped.
2. **Shocks to arrays.** Partial payments and withdrawn pledges become non-payment shares of
   buyers; revenue shortfalls, collateral haircuts and higher rates become direct losses;
   binding loan-to-value covenants and maturities that cannot be refinanced become forced
   defaults; a repricing becomes a fall of the issuers' equity values.
3. **Financial cascade.** :func:`lahar.contagion.cascade` to the joint fixed point of
   commitments, equity stakes, debt clearing and fire sales (contract values per draw).
   The scenario's own AI-capex cut also reprices the listed AI cohort by its AI premium
   times the cut (the market round of :func:`capex_bust`), which every holder books.
4. **Real economy.** The AI-capex cut is the scenario's own cut plus delayed deployments,
   withdrawn pledges, the capex of every builder that defaulted and the unpaid part of the
   status-weighted annual commitments (compute nobody pays for is not built), as a share of
   US AI capex;
   :func:`capex_bust` gives GDP and jobs (linear in the cut), the markets fall with the cut
   and the repricing, and households, retirement accounts and pensions lose through their
   equity; :func:`power_bust` gives the grid.

The financial channels feed the real economy (defaults cut capex) but not back: the real
economy's effect on revenue is a scenario's shock, not an endogenous loop.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from scipy.stats import qmc

from lahar.contagion import CHANNELS, cascade
from lahar.data import IOTable, ParameterSet
from lahar.errors import DataError
from lahar.macro.markets import savings_losses
from lahar.network import GRID_KINDS, LAYERS, STATUSES, Network
from lahar.scenarios._macro import ai_exposure_of_kind, capex_bust, power_bust
from lahar.scenarios._spec import Quantity, Scenario, shock_quantities
from lahar.scenarios._system import CascadeInputs, cascade_inputs, commitment_values

__all__ = [
    "BLOCK",
    "HEADLINES",
    "Context",
    "Dim",
    "draw_points",
    "evaluate",
    "make_context",
    "values",
]

BLOCK = 64
"""Draws evaluated together: results depend on the block, never on how blocks are grouped."""

_DRAWN_PARAMETERS = (
    "commitment_margin",
    "commitment_discount_rate",
    "status_weight_announced",
    "status_weight_committed",
    "status_weight_estimate",
)
"""Model parameters the Monte Carlo draws from their ``parameters.csv`` range."""

_SCALAR_PARAMETERS = ("recovery_external", "recovery_interbank", "price_impact")
"""Model parameters with one value per run (a spec may fix them, not draw them)."""

HEADLINES: tuple[str, ...] = (
    "defaults",
    "loss_total",
    *(f"loss_{c}" for c in CHANNELS),
    "loss_client",
    "loss_end_investors",
    "loss_banks_credit",
    "ai_capex_cut",
    "gdp_change",
    "gdp_change_pct",
    "jobs_change",
    "sp500_return",
    "household_loss",
    "retirement_loss",
    "k401_loss",
    "pension_loss",
    "pjm_capacity_price",
    "pjm_capacity_cost_change",
    "pjm_reserve_margin",
)
"""Per-draw outcomes of a scenario (losses in USD, positive = loss; changes signed)."""


@dataclass(frozen=True)
class Dim:
    """One drawn quantity: its name, group (for grouped Sobol indices) and distribution."""

    name: str
    group: str
    low: float
    high: float
    mode: float | None = None
    source: str = ""

    def ppf(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Map uniform [0, 1) coordinates to the distribution."""
        if self.high <= self.low:
            return np.full_like(u, self.low)
        if self.mode is None:
            return self.low + u * (self.high - self.low)
        c = (self.mode - self.low) / (self.high - self.low)
        return stats.triang.ppf(u, c, loc=self.low, scale=self.high - self.low)


@dataclass
class _Resolver:
    params: ParameterSet
    dims: list[Dim] = field(default_factory=list)
    fixed: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, q: Quantity, group: str) -> str:
        """Register a quantity; return its name."""
        name = q.name or name
        base = name
        k = 2
        while any(d.name == name for d in self.dims) or name in self.fixed:
            name = f"{base}_{k}"
            k += 1
        lo: float | None
        hi: float | None
        val: float | None
        if q.param is not None:
            if q.param not in self.params:
                msg = f"quantity {name}: unknown parameter {q.param!r} (see parameters.csv)"
                raise DataError(msg)
            p = self.params[q.param]
            lo, hi, val = p.low, p.high, p.value
            src = p.source_id
        else:
            val = q.value
            lo, hi = q.low, q.high
            src = q.source or ""
        if lo is not None and hi is not None and hi > lo:
            self.dims.append(Dim(name, group, float(lo), float(hi), q.mode, src))
        else:
            central = val if val is not None else lo
            if central is None:  # Quantity's validator already refuses this
                msg = f"quantity {name}: needs a value, a low/high range or a param"
                raise DataError(msg)
            self.fixed[name] = float(central)
        return name


@dataclass(frozen=True)
class Context:
    """Everything a block of draws needs, built once (and sent once to each Dask worker)."""

    spec: Scenario
    seed: int
    inputs: CascadeInputs
    params: ParameterSet
    dims: tuple[Dim, ...]
    fixed: dict[str, float]
    chol: NDArray[np.float64] | None
    shocks: tuple[dict[str, Any], ...]
    equity_dims: NDArray[np.intp]
    equity_entities: NDArray[np.intp]
    capex: NDArray[np.float64]
    revenue: NDArray[np.float64]
    ai_revenue: NDArray[np.float64]
    cash: NDArray[np.float64]
    debt: NDArray[np.float64]
    fcf: NDArray[np.float64]
    gpu_assets: NDArray[np.float64]
    assets: NDArray[np.float64]
    pledges: NDArray[np.float64]
    pledge_country: NDArray[np.object_]
    pledge_source: NDArray[np.intp]
    pledge_target: NDArray[np.intp]
    inflow: NDArray[np.float64]
    kinds: NDArray[np.object_]
    ids: NDArray[np.object_]
    macro_unit: dict[str, float]
    us_ai_capex: float
    banks: NDArray[np.bool_]
    ai_exposure: NDArray[np.float64]

    @property
    def d(self) -> int:
        """Number of drawn dimensions."""
        return len(self.dims)


def _entity_mask(net: Network, shock: Any, what: str) -> NDArray[np.bool_]:
    ids = list(net.ids)
    unknown = [e for e in shock.entities if e not in ids]
    if unknown:
        import difflib

        hint = "; ".join(
            f"{u!r} (did you mean {', '.join(difflib.get_close_matches(u, ids, n=3)) or 'nothing close'}?)"
            for u in unknown
        )
        msg = f"{what}: unknown entities {hint}"
        raise DataError(msg)
    kinds = set(np.unique(net.kinds))
    bad = [k for k in shock.kinds if k not in kinds]
    if bad:
        msg = f"{what}: no entity of kind {bad}; kinds in the data: {sorted(kinds)}"
        raise DataError(msg)
    mask = np.isin(net.ids, shock.entities) | np.isin(net.kinds, shock.kinds)
    return mask


def _mag7(net: Network) -> NDArray[np.bool_]:
    """The seven entities with the largest latest index weight (a rule over the data)."""
    w = net.fact("index_weight")
    order = np.argsort(np.where(np.isfinite(w), -w, np.inf), kind="stable")
    out = np.zeros(net.n, dtype=bool)
    top = order[: min(7, int(np.isfinite(w).sum()))]
    out[top] = True
    return out


def make_context(
    spec: Scenario,
    net: Network,
    params: ParameterSet,
    table: IOTable,
    *,
    seed: int = 0,
) -> Context:
    """Resolve a spec against the data: its shocks as arrays, its drawn dimensions.

    Raises
    ------
    lahar.errors.DataError
        Unknown entities (with close matches), kinds or parameters.
    """
    inputs = cascade_inputs(net, params)
    res = _Resolver(params)
    qnames = {(q.shock, q.field): q.name for q in shock_quantities(spec)}
    shocks = []
    for i, sh in enumerate(spec.shocks):
        what = f"shock {i + 1} ({sh.kind})"
        info: dict[str, Any] = {"kind": sh.kind}
        if sh.kind == "rates":
            named = bool(sh.entities or sh.kinds)
            info["mask"] = _entity_mask(net, sh, what) if named else np.ones(net.n, dtype=bool)
        if sh.kind in ("partial_payment", "revenue_shortfall", "collateral", "refinancing_closed"):
            info["mask"] = _entity_mask(net, sh, what)
            if not info["mask"].any():
                msg = f"{what}: names no entity (give entities or kinds)"
                raise DataError(msg)
        elif sh.kind == "repricing":
            mask = _entity_mask(net, sh, what)
            tickers = net.entities.get("ticker")
            listed = tickers.notna().to_numpy() if tickers is not None else np.ones(net.n, bool)
            if sh.cohort == "mag7":
                mask |= _mag7(net)
            if sh.cohort == "ai":
                ai = np.array([ai_exposure_of_kind(k, params) for k in net.kinds])
                mask |= (ai > 0) & listed & ~np.isin(net.kinds, GRID_KINDS)
            info["exposure"] = np.where(mask, 1.0, 0.0)
            if sh.cohort == "ai":
                info["index_weight"] = params.value("sp500_ai_weight")
            elif sh.cohort == "mag7":
                info["index_weight"] = params.value("sp500_mag7_weight")
            else:
                wts = net.fact("index_weight")
                info["index_weight"] = float(np.nansum(np.where(mask, wts, 0.0)) / 100.0)
        elif sh.kind == "pledge_withdrawn":
            info["countries"] = list(sh.countries)
            info["mask"] = np.isin(net.ids, sh.entities)
        for fname, q in sh:
            if isinstance(q, Quantity):
                info[fname] = res.add(qnames[(i, fname)], q, "shocks")
            elif fname in ("years", "metric"):
                info[fname] = q
        shocks.append(info)
    overrides = dict(spec.parameters)
    unknown = [k for k in overrides if k not in params]
    if unknown:
        msg = f"[parameters]: unknown parameter ids {unknown} (see parameters.csv)"
        raise DataError(msg)
    scalar = [k for k in _SCALAR_PARAMETERS if k in overrides and overrides[k].drawn]
    if scalar:
        msg = (
            f"[parameters]: {scalar} take one value per run (the cascade's recovery rates and "
            "price impact are not drawn); give a number"
        )
        raise DataError(msg)
    for pid in (*_DRAWN_PARAMETERS, *[k for k in overrides if k not in _DRAWN_PARAMETERS]):
        q = overrides.get(pid, Quantity(param=pid))
        if q.param is None and q.value is None and q.low is not None:
            q = Quantity(
                value=params.value(pid), low=q.low, high=q.high, mode=q.mode, source=q.source
            )
        res.add(pid, q, "parameters")
    # balance sheets with a range: one dimension each
    eq_ent = np.flatnonzero(inputs.equity_high > inputs.equity_low)
    eq_dims = []
    for j in eq_ent:
        eq_dims.append(len(res.dims))
        res.dims.append(
            Dim(
                f"book_equity.{inputs.ids[j]}",
                "balance_sheets",
                inputs.equity_low[j],
                inputs.equity_high[j],
            )
        )
    names = [d.name for d in res.dims]
    chol: NDArray[np.float64] | None = None
    if spec.correlations:
        r = np.eye(len(names))
        for a, b, rho in spec.correlations:
            for x in (a, b):
                if x not in names:
                    msg = f"correlations: {x!r} is not a drawn quantity; drawn: {', '.join(names[:20])}"
                    raise DataError(msg)
            ia, ib = names.index(a), names.index(b)
            r[ia, ib] = r[ib, ia] = rho
        try:
            chol = np.asarray(np.linalg.cholesky(r), dtype=np.float64)
        except np.linalg.LinAlgError:
            msg = "correlations: the correlation matrix is not positive definite"
            raise DataError(msg) from None

    def fact(metric: str) -> NDArray[np.float64]:
        v = net.fact(metric)
        return np.where(np.isfinite(v), v, 0.0)

    w = {s: params.value(f"status_weight_{s}") for s in STATUSES}
    wv = np.array([w[s] for s in STATUSES])[net.status_codes]
    cur = net.current
    lay = net.layer_codes
    delivered = np.isin(net.status_codes, [STATUSES.index("drawn"), STATUSES.index("reported")])
    chips = cur & (lay == LAYERS.index("chip_purchase")) & delivered
    # np.bincount's stub says intp; with float weights it returns float64
    gpu = cast(
        NDArray[np.float64],
        np.bincount(net.source[chips], weights=(net.amount * wv)[chips], minlength=net.n),
    )
    pl = cur & (lay == LAYERS.index("investment_pledge"))
    inflow_rows = cur & np.isin(lay, [LAYERS.index("equity"), LAYERS.index("investment_pledge")])
    inflow = cast(
        NDArray[np.float64],
        np.bincount(
            net.target[inflow_rows], weights=(net.amount * wv)[inflow_rows], minlength=net.n
        ),
    )
    ents = net.entities
    country = (
        ents["country"].to_numpy(dtype=object)
        if "country" in ents.columns
        else np.full(net.n, None, dtype=object)
    )
    unit = capex_bust([1.0], table=table, params=params)
    us_ai_capex = params.value("ai_capex_2025") * params.value("us_share_ai_capex")
    kinds = np.asarray(net.kinds, dtype=object)
    return Context(
        spec=spec,
        seed=int(seed),
        inputs=inputs,
        params=params,
        dims=tuple(res.dims),
        fixed=dict(res.fixed),
        chol=chol,
        shocks=tuple(shocks),
        equity_dims=np.asarray(eq_dims, dtype=np.intp),
        equity_entities=eq_ent.astype(np.intp),
        capex=fact("capex"),
        revenue=fact("revenue"),
        ai_revenue=fact("ai_revenue"),
        cash=fact("cash"),
        debt=fact("debt"),
        fcf=fact("free_cash_flow"),
        gpu_assets=gpu,
        assets=inputs.total_assets,
        pledges=(net.amount * wv / net.years)[pl],
        pledge_country=country[net.source[pl]],
        pledge_source=net.source[pl],
        pledge_target=net.target[pl],
        inflow=inflow,
        kinds=kinds,
        ids=np.asarray(net.ids),
        macro_unit={
            "gdp_change": float(unit.gdp_change[0]),
            "gdp_change_pct": float(unit.gdp_change_pct[0]),
            "jobs_change": float(unit.jobs_change[0]),
            "sp500_return": float(unit.sp500_return[0]),
        },
        us_ai_capex=us_ai_capex,
        banks=np.isin(kinds, ["bank", "private_credit"]),
        ai_exposure=np.array([ai_exposure_of_kind(k, params) for k in kinds])
        * (net.entities["ticker"].notna().to_numpy() if "ticker" in net.entities else 1.0),
    )


def draw_points(ctx: Context, start: int, stop: int) -> NDArray[np.float64]:
    """Unit-cube points of draws ``start .. stop-1`` (scrambled Sobol, seeded): (S, d)."""
    s = stop - start
    if ctx.d == 0:
        return np.zeros((s, 0))
    sampler = qmc.Sobol(ctx.d, scramble=True, seed=np.random.default_rng(ctx.seed))
    if start:
        sampler.fast_forward(start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # balance warning for non-2^k sizes
        u = sampler.random(s)
    if ctx.chol is not None:
        z = stats.norm.ppf(np.clip(u, 1e-12, 1 - 1e-12)) @ ctx.chol.T
        u = stats.norm.cdf(z)
    return u


def values(ctx: Context, u: NDArray[np.float64]) -> NDArray[np.float64]:
    """The drawn quantities of unit points ``u``: (S, d)."""
    return np.column_stack([d.ppf(u[:, k]) for k, d in enumerate(ctx.dims)]) if ctx.d else u


def _scalar(ctx: Context, pid: str) -> float:
    """A one-value parameter: the spec's fixed value, else ``parameters.csv``'s central one."""
    return ctx.fixed.get(pid, ctx.params.value(pid))


def _q(ctx: Context, x: NDArray[np.float64], name: str) -> NDArray[np.float64]:
    """Per-draw values (S,) of a quantity: drawn, fixed, or a parameter's central value."""
    for k, d in enumerate(ctx.dims):
        if d.name == name:
            return x[:, k]
    value = ctx.fixed[name] if name in ctx.fixed else ctx.params.value(name)
    return np.full(x.shape[0], value)


def evaluate(
    ctx: Context, start: int, stop: int, *, points: NDArray[np.float64] | None = None
) -> dict[str, Any]:
    """Evaluate draws ``start .. stop-1`` through the full cascade.

    ``points`` (shape ``(stop - start, d)``, in the unit cube) replaces the Sobol points, for
    designs of other methods (Saltelli samples for Sobol indices, a grid for a reverse stress
    test); a quantity's value is its distribution's quantile at the point's coordinate.

    Returns
    -------
    dict
        ``draw`` (S,), ``x`` (S, d) drawn values, ``headline`` {name: (S,)} (see
        :data:`HEADLINES`), ``channels`` {channel: (n, S)} losses by entity, ``client``
        (n, S), ``defaulted`` (n, S).
    """
    inp = ctx.inputs
    sysm = inp.system
    n = sysm.n
    if points is None:
        u = draw_points(ctx, start, stop)
    else:
        u = np.asarray(points, dtype=np.float64)
        if u.shape != (stop - start, ctx.d):
            msg = (
                "The 'points' parameter of evaluate() must be of shape "
                f"({stop - start}, {ctx.d}). Got shape {u.shape} instead."
            )
            raise DataError(msg)
    x = values(ctx, u)
    s = stop - start
    direct = np.zeros((n, s))
    nonpay = np.zeros((n, s))
    forced = np.zeros((n, s), dtype=bool)
    price_fall = np.zeros((n, s))
    extra_cut = np.zeros(s)
    rate_up = np.zeros(s)
    equity = np.repeat(inp.equity[:, None], s, axis=1)
    if ctx.equity_dims.size:
        equity[ctx.equity_entities] = x[:, ctx.equity_dims].T
    no_mask = np.zeros(n, dtype=bool)
    for sh in ctx.shocks:
        k = sh["kind"]
        m: NDArray[np.bool_] = sh.get("mask", no_mask)  # every kind that reads it has one
        if k == "partial_payment":
            unpaid = 1.0 - _q(ctx, x, sh["paid_share"])
            nonpay = np.maximum(nonpay, m[:, None] * unpaid[None, :])
        elif k == "revenue_shortfall":
            base = ctx.ai_revenue if sh["metric"] == "ai_revenue" else ctx.revenue
            direct += (m * base)[:, None] * _q(ctx, x, sh["shortfall"])[None, :] * sh["years"]
        elif k == "collateral":
            h = _q(ctx, x, sh["haircut"])[None, :]
            share = _q(ctx, x, sh["gpu_share"])[None, :]
            g = m[:, None] * np.maximum(ctx.gpu_assets[:, None], share * ctx.assets[:, None])
            direct += g * h
            ltv = _q(ctx, x, sh["ltv_max"])[None, :]
            required = np.maximum(ctx.debt[:, None] - ltv * (1 - h) * g, 0.0)
            forced |= (g > 0) & (required > ctx.cash[:, None])
        elif k == "refinancing_closed":
            # maturing debt over the window ~ debt x years / average life (no maturity table
            # for most firms), paid from cash and free cash flow
            years = sh["years"]
            due = ctx.debt * min(1.0, years / _scalar(ctx, "debt_average_life"))
            liquid = ctx.cash + years * np.maximum(ctx.fcf, 0.0)
            forced |= (m & (due > liquid))[:, None]
        elif k == "pledge_withdrawn":
            share = _q(ctx, x, sh["share"])
            hit = np.isin(ctx.pledge_country, sh["countries"]) | m[ctx.pledge_source]
            lost = np.zeros((n, s))
            np.add.at(lost, ctx.pledge_target[hit], ctx.pledges[hit][:, None] * share[None, :])
            inflow = np.where(ctx.inflow > 0, ctx.inflow, 1.0)[:, None]
            nonpay = np.maximum(nonpay, np.minimum(1.0, lost / inflow))
            extra_cut += ctx.pledges[hit].sum() * share / ctx.us_ai_capex
        elif k == "grid_cap":
            extra_cut += _q(ctx, x, sh["delayed_share"])
        elif k == "rates":
            dr = _q(ctx, x, sh["bp"]) / 1e4
            rate_up += dr
            direct += (m * ctx.debt)[:, None] * dr[None, :] * sh["years"]
        elif k == "repricing":
            f = _q(ctx, x, sh["fall"])
            price_fall = 1 - (1 - price_fall) * (1 - sh["exposure"][:, None] * f[None, :])
        elif k == "capex_cut":
            extra_cut += _q(ctx, x, sh["cut"])
    # the scenario's own capex cut reprices the listed AI cohort (its AI premium falls with
    # the cut, as in capex_bust's market round): every holder of their stakes books it
    if extra_cut.any():
        cohort = ctx.ai_exposure[:, None] * np.clip(extra_cut, 0.0, 1.0)[None, :]
        price_fall = 1 - (1 - price_fall) * (1 - cohort)
    weights = np.vstack([_q(ctx, x, f"status_weight_{st}") for st in STATUSES])
    rate = _q(ctx, x, "commitment_discount_rate") + rate_up
    cv = commitment_values(inp, weights, rate)
    margin = _q(ctx, x, "commitment_margin")
    p = ctx.params
    res = cascade(
        sysm,
        equity,
        direct_loss=direct,
        price_fall=price_fall,
        nonpayment=nonpay,
        commitment_value=cv,
        margin=np.broadcast_to(margin[None, :], (n, s)),
        forced_default=forced,
        alpha=_scalar(ctx, "recovery_external"),
        beta=_scalar(ctx, "recovery_interbank"),
        price_impact=_scalar(ctx, "price_impact"),
    )
    live = ~sysm.absorbing
    dflt = res.defaulted
    by = res.by_channel
    capex_lost = (ctx.capex[:, None] * dflt).sum(axis=0)
    # compute that buyers do not pay for is capacity nobody builds: the unpaid share of each
    # contract's status-weighted annual amount leaves AI capex too
    unpaid = np.maximum(nonpay, dflt)[sysm.buyer]
    w_k = weights[inp.contract_status]
    unbuilt = (unpaid * w_k * inp.contract_annual[:, None]).sum(axis=0)
    cut = np.clip(extra_cut + (capex_lost + unbuilt) / ctx.us_ai_capex, 0.0, 1.0)
    mu = ctx.macro_unit
    # the S&P 500: the capex cut's repricing of the AI cohort, compounded with the scenario's
    # own repricing of a cohort (its index weight times its fall)
    market = 1.0 + mu["sp500_return"] * cut
    for sh in ctx.shocks:
        if sh["kind"] == "repricing":
            market = market * (1.0 - sh["index_weight"] * _q(ctx, x, sh["fall"]))
    market = market - 1.0
    sav = savings_losses(
        market,
        household_equity=p.value("household_equity"),
        retirement_assets=p.value("retirement_ira") + p.value("retirement_dc"),
        k401_assets=p.value("retirement_401k"),
        db_pension_assets=p.value("pension_db_government") + p.value("pension_db_private"),
        retirement_equity_share=p.value("retirement_equity_share"),
        pension_equity_share=p.value("pension_equity_share"),
    )
    grid = power_bust(cut, p)
    total = res.total_loss
    head = {
        "defaults": dflt[live].sum(axis=0).astype(np.float64),
        "loss_total": total[live].sum(axis=0),
        **{f"loss_{c}": by[c][live].sum(axis=0) for c in CHANNELS},
        "loss_client": res.client_loss.sum(axis=0),
        "loss_end_investors": total[~live].sum(axis=0),
        "loss_banks_credit": total[ctx.banks & live].sum(axis=0),
        "ai_capex_cut": cut,
        "gdp_change": mu["gdp_change"] * cut,
        "gdp_change_pct": mu["gdp_change_pct"] * cut,
        "jobs_change": mu["jobs_change"] * cut,
        "sp500_return": market,
        "household_loss": -np.asarray(sav.households, dtype=np.float64),
        "retirement_loss": -np.asarray(sav.retirement_accounts, dtype=np.float64),
        "k401_loss": -np.asarray(sav.k401, dtype=np.float64),
        "pension_loss": -np.asarray(sav.db_pensions, dtype=np.float64),
        "pjm_capacity_price": grid.price_after,
        "pjm_capacity_cost_change": grid.cost_change,
        "pjm_reserve_margin": grid.reserve_margin_after,
    }
    return {
        "draw": np.arange(start, stop),
        "x": x,
        "headline": head,
        "channels": {c: by[c] for c in CHANNELS},
        "client": res.client_loss,
        "defaulted": dflt,
    }
