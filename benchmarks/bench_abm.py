"""Benchmark of the agent-based model: vectorised runs vs one Python object per agent (Mesa).

Prints agent-steps per second of :func:`lahar.simulation.simulate` for many runs (builder and
vendor agents x quarters x runs), the same for a Mesa implementation of the same rules (one
``mesa.Agent`` per builder and vendor, scalar Python arithmetic, defined below and only here)
at a size Mesa can handle, the ratio, and the two implementations' summary statistics on the
same runs and seeds (they draw the same shocks, so they must agree).

Usage::

    python benchmarks/bench_abm.py [--runs 10000] [--quarters 40] [--mesa-runs 20]
                                   [--workers 2] [--seed 0]

Needs the ``bench`` extra (``pip install -e '.[bench]'``) for Mesa.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time

import mesa
import numpy as np

from lahar.contagion import debtrank
from lahar.data import load_network
from lahar.simulation import AbmInit, AbmParams, _kernels, initial_conditions, simulate, summarize
from lahar.simulation.abm import _run_noise

# ------------------------------------------------------------------ the Mesa implementation


class Builder(mesa.Agent):
    """One builder: scalar state, the same rules as lahar.simulation.abm, one call at a time."""

    def __init__(self, model: BoomModel, i: int) -> None:
        super().__init__(model)
        p, init = model.prm, model.init
        self.i = i
        self.tier2 = bool(init.tier2[i])
        self.listed = bool(init.listed[i])
        self.nonai_cf = float(init.other_revenue[i] * p.nonai_margin)
        self.vf_share = float(init.vendor_financing[i])
        self.spread = p.spread_tier2 if self.tier2 else p.spread_tier1
        self.k = p.capital_to_capex * float(init.capex[i])
        self.coll = self.k * p.it_share
        self.debt = float(init.debt[i])
        self.secured = min(self.debt, p.ltv_max * self.coll) if self.tier2 else 0.0
        self.cash = float(init.cash[i])
        self.i_prev = float(init.capex[i]) / 4.0
        self.alive = True
        self.doomed = False
        self.default_q = -1
        self.capex = 0.0
        self.rev_ai = 0.0

    def plan(self) -> None:
        m = self.model
        if not self.alive:
            self.share, self.rev_ai = 0.0, 0.0
            return
        self.share = self.k / max(m.k_tot, 1.0)
        self.rev_ai = m.served * self.share

    def desire(self) -> None:
        m, p = self.model, self.model.prm
        if not self.alive:
            self.desired = 0.0
            return
        want_k = self.share * (m.demand * math.exp(m.ge * p.horizon_quarters / 4.0)) / m.rho_plan
        fund = max(0.0, (want_k - self.k) / p.capex_adjust_quarters + self.k / m.life_q)
        peer = (m.i_sum - self.i_prev) / max(m.k_tot - self.k, 1.0)
        shock = math.exp(p.capex_sigma * m.eps[2 * m.days + 1 + self.i] - 0.5 * p.capex_sigma**2)
        self.desired = ((1.0 - p.fomo) * fund + p.fomo * peer * self.k) * shock

    def finance(self) -> None:
        m, p = self.model, self.model.prm
        self.desired *= m.scale
        desired = self.desired
        cf = (p.ai_margin * self.rev_ai + self.nonai_cf) / 4.0 if self.alive else 0.0
        vf = self.vf_share * desired if m.open else 0.0
        base = p.risk_free + p.spread_drawdown * m.dd
        interest = (
            (self.debt - self.secured) * (base + p.spread_tier1)
            + self.secured * (base + self.spread)
        ) / 4.0
        amort = (self.debt - self.secured) / p.debt_maturity_quarters
        amort_s = self.secured / p.gpu_loan_maturity_quarters
        if self.tier2:
            headroom = p.ltv_max * self.coll - self.secured + amort_s
        else:
            headroom = p.leverage_max_tier1 * max(4.0 * cf, 0.0) - self.debt + amort
        headroom = max(0.0, headroom) if m.open else 0.0
        service = interest + amort + amort_s
        buffer = (1.0 - p.fomo) * p.cash_buffer_quarters * service
        gap = max(0.0, desired - vf + service + buffer - cf - self.cash)
        raised = min(gap, p.equity_funding_share * desired) if m.open else 0.0
        borrow = min(gap - raised, headroom)
        short = gap - raised - borrow
        capex = max(0.0, desired - short)
        cash = self.cash + cf + vf + raised + borrow - capex - service
        unpaid = max(0.0, -cash)
        self.cash = max(0.0, cash)
        self.debt = self.debt - amort - amort_s + borrow
        self.secured = (self.secured - amort_s + borrow) if self.tier2 else 0.0
        keep = (1.0 - 1.0 / m.life_q) * (1.0 - p.generation_haircut if m.new_gen else 1.0)
        self.coll = self.coll * keep + capex * p.it_share
        excess = max(0.0, self.secured - p.ltv_covenant * self.coll) if self.tier2 else 0.0
        breach = excess > self.cash
        if not breach:
            self.cash -= excess
            self.debt -= excess
            self.secured -= excess
        self.vf = vf
        new = self.alive and (unpaid > 0.0 or breach or self.doomed)
        if new:
            capex = 0.0
            m.credit_loss += max(0.0, self.debt - p.recovery_rate * self.coll)
            self.debt, self.secured = 0.0, 0.0
            self.alive = False
            self.default_q = m.t
            m.new_default = True
        self.capex = capex
        self.k = self.k * (1.0 - 1.0 / m.life_q) + capex
        self.i_prev = capex if self.alive else 0.0


class Vendor(mesa.Agent):
    """One chip vendor: books its share of the builders' chip spending and of the circular deals."""

    def __init__(self, model: BoomModel, j: int) -> None:
        super().__init__(model)
        self.j = j
        self.sales = 0.0
        self.financing = 0.0

    def book(self) -> None:
        m = self.model
        w = m.init.vendor_weights[:, self.j]
        for b in m.builder_list:
            self.sales += b.capex * m.prm.it_share * w[b.i]
            self.financing += b.vf * w[b.i]


class BoomModel(mesa.Model):
    """The boom-and-bust model of one run with Mesa agents; shocks are the vectorised run's."""

    def __init__(self, prm: AbmParams, init: AbmInit, noise: np.ndarray) -> None:
        super().__init__(seed=0)
        self.prm, self.init, self.noise = prm, init, noise
        p = prm
        self.days = int(p.trading_days_per_quarter)
        self.life_q = 4.0 * p.useful_life_years
        self.lag_p = int(round(p.power_lag_quarters))
        self.lag_e = int(round(p.productivity_lag_quarters))
        self.gen = int(round(p.chip_generation_quarters))
        self.g0 = math.log1p(p.growth_expectation0)
        self.builder_list = [Builder(self, i) for i in range(len(init.builder_ids))]
        self.vendor_list = [Vendor(self, j) for j in range(len(init.vendor_ids))]
        self.builders = self.agents_by_type[Builder]
        self.vendors = self.agents_by_type[Vendor]
        k0 = sum(b.k for b in self.builder_list)
        cap_q0 = sum(float(c) / 4.0 for c in init.capex)
        self.k0_share = [b.k / k0 for b in self.builder_list]
        self.r0 = float(init.ai_revenue.sum())
        self.rho_max = self.r0 / (p.initial_utilisation * k0)
        k_star0 = k0 + p.capex_adjust_quarters * (cap_q0 - k0 / self.life_q)
        self.rho_plan = self.r0 * math.exp(self.g0 * p.horizon_quarters / 4.0) / k_star0
        self.ge = self.g0
        self.r_hist = [self.r0 * math.exp(self.g0 * (k - 4) / 4.0) for k in range(4)]
        self.fc, self.fe, self.fe_hist, self.z = (
            p.adoption0_consumer,
            p.adoption0_enterprise,
            [],
            0.0,
        )
        self.grid_cap = p.dc_capacity_gw * p.grid_ai_share
        self.power = min(self.grid_cap, p.initial_power_headroom * k0 / p.capex_per_gw)
        quarters = noise.shape[0]
        self.arrivals = [0.0] * (quarters + self.lag_p + 1)
        for t in range(self.lag_p):
            self.arrivals[t] = cap_q0 * math.exp(self.g0 * (t - self.lag_p) / 4.0) / p.capex_per_gw
        self.v0 = sum(
            p.ai_margin * float(init.ai_revenue[b.i]) + b.nonai_cf
            for b in self.builder_list
            if b.listed
        )
        self.p, self.pp, self.nf, self.wf, self.wc, self.dfl, self.dcl = (0.0,) * 2 + (
            0.5,
            0.0,
            0.0,
            0.0,
            0.0,
        )
        self.peak, self.credit_loss, self.net_loss = 0.0, 0.0, 0.0
        self.bust_q, self.t = -1, 0
        self.capex_path, self.price_path = [], []

    def _bass(self, f: float, p: float, q: float) -> float:
        r = q / p
        a = (1.0 - f) / (1.0 + r * f)
        e = a * math.exp(-(p + q) * 0.25)
        return (1.0 - e) / (1.0 + r * e)

    def _trade(self, fundamental: float) -> None:
        p, eps, d = self.prm, self.eps, self.days
        for t in range(d):
            df = p.fw_phi * (fundamental - self.p) + p.fw_sigma_f * eps[2 * t]
            dc = p.fw_chi * (self.p - self.pp) + p.fw_sigma_c * eps[2 * t + 1]
            pn = self.p + p.fw_mu * (self.nf * df + (1.0 - self.nf) * dc)
            gain = math.exp(pn) - math.exp(self.p)
            self.wf = p.fw_eta * self.wf + (1.0 - p.fw_eta) * gain * self.dfl
            self.wc = p.fw_eta * self.wc + (1.0 - p.fw_eta) * gain * self.dcl
            mis = pn - fundamental
            a = p.fw_alpha_0 + p.fw_alpha_n * (2.0 * self.nf - 1.0) + p.fw_alpha_p * mis * mis
            a = a + p.fw_alpha_w * (self.wf - self.wc)
            self.nf = 1.0 / (1.0 + math.exp(-p.fw_beta * a))
            self.pp, self.p, self.dfl, self.dcl = self.p, pn, df, dc

    def step(self) -> None:
        p, t = self.prm, self.t
        self.eps = self.noise[t]
        self.fc = self._bass(self.fc, p.bass_p_consumer, p.bass_q_consumer)
        self.fe = self._bass(self.fe, p.bass_p_enterprise, p.bass_q_enterprise)
        self.fe_hist.append(self.fe)
        fe_lag = self.fe_hist[t - self.lag_e] if t >= self.lag_e else p.adoption0_enterprise
        uplift = 1.0 + p.productivity_gain * max(0.0, fe_lag - p.adoption0_enterprise)
        self.z = p.demand_rho * self.z + p.demand_sigma * self.eps[2 * self.days]
        self.demand = (
            self.r0
            * (
                p.consumer_revenue_share * self.fc / p.adoption0_consumer
                + (1.0 - p.consumer_revenue_share) * self.fe / p.adoption0_enterprise * uplift
            )
            * math.exp(self.z)
        )
        cap_t = self.grid_cap * math.exp(p.grid_growth * t / 4.0)
        self.power = min(cap_t, self.power + self.arrivals[t])
        self.k_tot = sum(b.k for b in self.builder_list if b.alive)
        lit = min(1.0, self.power * p.capex_per_gw / max(self.k_tot, 1.0))
        self.served = min(self.demand, self.rho_max * self.k_tot * lit)
        self.ge = p.expectation_memory * self.ge + (1.0 - p.expectation_memory) * math.log(
            self.demand / self.r_hist[t % 4]
        )
        self.r_hist[t % 4] = self.demand
        self.builders.do("plan")
        self.i_sum = sum(b.i_prev for b in self.builder_list if b.alive)
        self.builders.do("desire")
        room = max(0.0, cap_t * p.capex_per_gw - self.k_tot * (1.0 - 1.0 / self.life_q))
        want = sum(b.desired for b in self.builder_list)
        self.scale = min(1.0, room / max(want, 1.0))
        self.dd = max(0.0, self.peak - self.p)
        self.open = self.dd < p.credit_close_drawdown
        self.new_gen = (t + 1) % self.gen == 0
        self.new_default = False
        self.builders.do("finance")
        self.vendors.do("book")
        total = sum(b.capex for b in self.builder_list)
        self.arrivals[t + self.lag_p] += total / p.capex_per_gw
        v = sum(
            p.ai_margin * b.rev_ai + b.nonai_cf for b in self.builder_list if b.alive and b.listed
        )
        fundamental = math.log(max(v, 1.0) / self.v0) + p.valuation_growth_weight * (
            self.ge - self.g0
        )
        self._trade(fundamental)
        self.peak = max(self.peak, self.p)
        for b in self.builder_list:
            b.doomed = False
        if self.new_default:
            init = self.init
            h1 = np.zeros(len(init.entity_ids))
            for b in self.builder_list:
                h1[init.builder_pos[b.i]] = 0.0 if b.alive else 1.0
            res = debtrank(init.exposures, init.equity, h1, method="battiston")
            loss = res.distress * init.equity
            for b in self.builder_list:
                pos = init.builder_pos[b.i]
                if not b.alive:
                    loss[pos] = 0.0
                elif res.distress[pos] >= p.contagion_default_distress:
                    b.doomed = True
            self.net_loss = float(loss.sum())
        held = sum(s for b, s in zip(self.builder_list, self.k0_share, strict=True) if not b.alive)
        if self.bust_q < 0 and held >= p.bust_default_share and self.n_dead() > 0:
            self.bust_q = t
        self.capex_path.append(total)
        self.price_path.append(self.p)
        self.t += 1

    def n_dead(self) -> int:
        return sum(not b.alive for b in self.builder_list)


def run_mesa(prm: AbmParams, init: AbmInit, runs: int, quarters: int, seed: int) -> dict:
    """Run the Mesa model for ``runs`` runs with the vectorised model's per-run shocks."""
    width = 2 * int(prm.trading_days_per_quarter) + 1 + len(init.builder_ids)
    capex, price, bust, sales = [], [], [], []
    for r in range(runs):
        noise = _run_noise(seed, r, 1, quarters, width)[0]  # run r's shocks, as simulate's
        m = BoomModel(prm, init, noise)
        for _ in range(quarters):
            m.step()
        capex.append(m.capex_path)
        price.append(m.price_path)
        bust.append(m.bust_q)
        sales.append([v.sales for v in m.vendor_list])
    return {
        "capex": np.array(capex),
        "price": np.array(price),
        "bust_quarter": np.array(bust),
        "vendor_sales": np.array(sales),
    }


# ------------------------------------------------------------------ the benchmark


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--quarters", type=int, default=40)
    ap.add_argument("--mesa-runs", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    prm = AbmParams.from_parameters()
    init = initial_conditions(load_network(), prm)
    agents = init.n_agents
    print(f"lahar ABM benchmark  {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC")
    print(
        f"  machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; numpy {np.__version__}, mesa {mesa.__version__}"
    )
    print(
        f"  agents per run: {len(init.builder_ids)} builders + {len(init.vendor_ids)} vendors"
        f" = {agents}; quarters: {a.quarters}; engine: "
        f"{'compiled kernel (numba)' if _kernels.available() else 'array code (numpy)'}"
    )

    simulate(prm, runs=64, quarters=4, seed=a.seed, init=init)  # warm-up
    best = math.inf
    for _ in range(2):
        t0 = time.perf_counter()
        big = simulate(
            prm, runs=a.runs, quarters=a.quarters, seed=a.seed, init=init, workers=a.workers
        )
        best = min(best, time.perf_counter() - t0)
    steps = a.runs * a.quarters * agents
    vec_rate = steps / best
    print(
        f"vectorised: {a.runs} runs in {best:.2f} s (best of 2, {a.workers} threads) = "
        f"{vec_rate:,.0f} agent-steps/s; bust probability {summarize(big).bust_probability:.3f}"
    )

    mesa_time = math.inf
    for _ in range(2):  # best of 2, as the vectorised side
        t0 = time.perf_counter()
        mes = run_mesa(prm, init, a.mesa_runs, a.quarters, a.seed)
        mesa_time = min(mesa_time, time.perf_counter() - t0)
    mesa_rate = a.mesa_runs * a.quarters * agents / mesa_time
    t0 = time.perf_counter()
    small = simulate(prm, runs=a.mesa_runs, quarters=a.quarters, seed=a.seed, init=init)
    small_time = time.perf_counter() - t0
    print(
        f"mesa:       {a.mesa_runs} runs in {mesa_time:.2f} s (best of 2) = "
        f"{mesa_rate:,.0f} agent-steps/s"
        f" (vectorised at the same size: {small_time:.3f} s)"
    )
    print(
        f"ratio: vectorised at {a.runs} runs / Mesa = {vec_rate / mesa_rate:,.0f}x;"
        f" at {a.mesa_runs} runs = {mesa_time / small_time:,.0f}x"
    )

    # agreement on the same runs (same shocks): summary statistics and paths
    s_vec = summarize(small)
    busted = (mes["bust_quarter"] >= 0).mean()
    rel = np.abs(mes["capex"] - small.capex) / np.maximum(np.abs(small.capex), 1.0)
    print("agreement on the same runs (vectorised | Mesa):")
    print(f"  bust probability       {s_vec.bust_probability:.4f} | {busted:.4f}")
    same_q = np.array_equal(mes["bust_quarter"], small.bust_quarter)
    print(f"  bust quarters equal    {same_q}")
    print(
        f"  mean capex, last qtr   {small.capex[:, -1].mean():.6e} | "
        f"{mes['capex'][:, -1].mean():.6e}"
    )
    print(
        f"  mean final log price   {small.price[:, -1].mean():.9f} | {mes['price'][:, -1].mean():.9f}"
    )
    print(
        f"  vendor sales, total    {small.vendor_sales.sum():.6e} | {mes['vendor_sales'].sum():.6e}"
    )
    print(f"  max relative capex difference over all paths: {rel.max():.2e}")
    print(f"  max price difference over all paths: {np.abs(mes['price'] - small.price).max():.2e}")


if __name__ == "__main__":
    main()
