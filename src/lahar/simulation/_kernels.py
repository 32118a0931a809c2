r"""Compiled kernel (numba) of the agent-based model: whole runs, one at a time.

:func:`run_batch` simulates every run of a batch from its first to its last quarter with
scalar code over builders and trading days -- the same rules, in the same order, as the
array code of :func:`lahar.simulation.abm._simulate_chunk`, which stays the reference (and
the path used when numba is unavailable or ``LAHAR_NO_NUMBA=1``). The array code spends its
time on the investor block's 63 steps a quarter, each a dozen array operations over the
batch, and on temporaries of shape runs x builders; here a run's state lives in registers
and small scratch vectors. The DebtRank cascade of a run's defaults (Battiston et al. 2012
single-hit dynamics, as :func:`lahar.contagion.debtrank` with ``method="battiston"``) runs on
the network's CSR arrays inside the kernel; the network is small (one row per entity).

Runs never mix, and each reads only its own rows of the shocks, so results do not depend on
the batch. Sums over builders run in index order; the array code sums pairwise, so the two
paths agree to rounding (a test holds them together), not bit for bit.

References
----------
.. [1] Battiston, S., Puliga, M., Kaushik, R., Tasca, P. and Caldarelli, G. (2012). DebtRank:
   too central to fail? Financial networks, the FED and systemic risk. *Scientific Reports*
   2, 541.
.. [2] Franke, R. and Westerhoff, F. (2012). Structural stochastic volatility in asset pricing
   dynamics: estimation and model contest. *JEDC* 36(8), 1193-1211.
"""

from __future__ import annotations

import math
import os

import numpy as np

__all__ = ["available", "run_batch", "trade_path"]

try:  # pragma: no cover - depends on the environment
    if os.environ.get("LAHAR_NO_NUMBA", "") not in ("", "0"):
        raise ImportError("disabled by LAHAR_NO_NUMBA")  # noqa: EM101
    from numba import njit

    _HAVE_NUMBA = True
except ImportError:  # pragma: no cover - depends on the environment
    _HAVE_NUMBA = False

    def njit(*args, **kwargs):  # noqa: ANN002, ANN003, ANN201, D103
        if args and callable(args[0]):
            return args[0]
        return lambda f: f


_FORCE_OFF = False

# rows of the ``paths`` output, in the order of abm._PATHS
P_CAPEX, P_DEMAND, P_REVENUE, P_FC, P_FE, P_PRICE, P_FUND, P_CHART = range(8)
P_DD, P_DEBT, P_POWER, P_VREV, P_CIRC, P_DEFAULTS, P_CLOSS, P_NLOSS = range(8, 16)


def available() -> bool:
    """Whether the compiled kernel can be used."""
    return _HAVE_NUMBA and not _FORCE_OFF


def set_enabled(enabled: bool) -> None:
    """Switch the compiled kernel on or off at run time (tests, benchmarks)."""
    global _FORCE_OFF  # noqa: PLW0603 - a process-wide switch is the point
    _FORCE_OFF = not enabled


@njit(cache=True, nogil=True)
def _bass(f, dt, p, q):  # noqa: ANN001, ANN202
    r = q / p
    a = (1.0 - f) / (1.0 + r * f)
    e = a * math.exp(-(p + q) * dt)
    return (1.0 - e) / (1.0 + r * e)


@njit(cache=True, nogil=True)
def _trade(st, fundamental, eps, off, days, mp, returns, r):  # noqa: ANN001, ANN202
    """``days`` investor steps from state ``st`` = [p, p_prev, nf, wf, wc, df, dc] in place.

    Day ``d`` reads ``eps[off + 2d]`` (fundamentalists) and ``eps[off + 2d + 1]``
    (chartists); ``mp`` = (mu, beta, phi, chi, sigma_f, sigma_c, alpha_0, alpha_n, alpha_p,
    alpha_w, eta). If ``returns`` has rows, row ``r`` receives each step's log return.
    """
    mu, beta, phi, chi, sf, sc, a0, an, ap, aw, eta = mp
    p, pp, nf, wf, wc, dfl, dcl = st[0], st[1], st[2], st[3], st[4], st[5], st[6]
    keep = returns.shape[0] > 0
    ep = math.exp(p)
    for d in range(days):
        df = phi * (fundamental - p) + sf * eps[off + 2 * d]
        dc = chi * (p - pp) + sc * eps[off + 2 * d + 1]
        pn = p + mu * (nf * df + (1.0 - nf) * dc)
        epn = math.exp(pn)
        gain = epn - ep
        wf = eta * wf + (1.0 - eta) * gain * dfl
        wc = eta * wc + (1.0 - eta) * gain * dcl
        mis = pn - fundamental
        a = a0 + an * (2.0 * nf - 1.0) + ap * mis * mis
        a = a + aw * (wf - wc)
        nf = 1.0 / (1.0 + math.exp(-beta * a))
        if keep:
            returns[r, d] = pn - p
        pp, p, dfl, dcl, ep = p, pn, df, dc, epn
    st[0], st[1], st[2], st[3], st[4], st[5], st[6] = p, pp, nf, wf, wc, dfl, dcl


@njit(cache=True, nogil=True)
def trade_path(noise, mp, returns):  # noqa: ANN001, ANN201
    """Investor block alone from rest (fundamental 0): ``returns[r, d]`` for ``noise[r, d, :]``."""
    st = np.empty(7)
    for r in range(noise.shape[0]):
        st[:] = 0.0
        st[2] = 0.5
        _trade(st, 0.0, noise[r].ravel(), 0, noise.shape[1], mp, returns, r)


@njit(cache=True, nogil=True)
def _battiston(indptr, indices, lam, h, act, inactive, inc):  # noqa: ANN001, ANN202
    """Battiston et al. (2012) single-hit DebtRank of one shock ``h`` (updated in place)."""
    n = h.shape[0]
    for i in range(n):
        act[i] = h[i] > 0.0
        inactive[i] = False
    any_act = True
    while any_act:
        for i in range(n):
            s = 0.0
            for k in range(indptr[i], indptr[i + 1]):
                j = indices[k]
                if act[j]:
                    s += lam[k] * h[j]
            inc[i] = s
        any_act = False
        for i in range(n):
            h[i] = min(1.0, h[i] + inc[i])
            inactive[i] = inactive[i] or act[i]
            act[i] = h[i] > 0.0 and not inactive[i]
            any_act = any_act or act[i]


@njit(cache=True, nogil=True)
def run_batch(  # noqa: ANN201, PLR0912, PLR0913, PLR0915
    noise,
    c,
    mp,
    capex0,
    debt0,
    cash0,
    tier2,
    listed,
    nonai_cf,
    vf_share,
    spread,
    k0_share,
    vendor_weights,
    r_hist0,
    arrivals0,
    bpos,
    indptr,
    indices,
    lam,
    equity,
    paths,
    bust_q,
    default_q,
    sales,
    circular,
    bcap,
):
    """Simulate every run of ``noise`` (runs, quarters, width); outputs written in place.

    ``c`` holds the scalar parameters and starting constants (see ``abm._kernel_constants``);
    ``paths`` has shape (16, runs, quarters) in the order of ``abm._PATHS``; ``bcap`` is
    (runs, quarters, B) or empty.
    """
    (
        days,
        lag_p,
        lag_e,
        gen,
        life_q,
        g0,
        r0,
        rho_max,
        rho_plan,
        grid_cap,
        power0,
        v0,
        bust_share,
        bass_pc,
        bass_qc,
        bass_pe,
        bass_qe,
        a0c,
        a0e,
        crs,
        prod_gain,
        d_rho,
        d_sigma,
        grid_growth,
        capex_per_gw,
        exp_mem,
        horizon_q,
        adjust_q,
        fomo,
        capex_sigma,
        ccd,
        ai_margin,
        risk_free,
        spread_dd,
        spread_t1,
        debt_mat,
        gpu_mat,
        ltv_max,
        lev_max_t1,
        buffer_q,
        equity_share,
        it_share,
        haircut,
        ltv_cov,
        recovery,
        vgw,
        cdd,
        k_per_capex,
    ) = c
    days = int(days)
    lag_p = int(lag_p)
    lag_e = int(lag_e)
    gen = int(gen)
    rc, quarters, _ = noise.shape
    b_n = capex0.shape[0]
    v_n = vendor_weights.shape[1]
    n = equity.shape[0]
    keep_b = bcap.shape[0] > 0
    dt = 0.25
    k = np.empty(b_n)
    coll = np.empty(b_n)
    debt = np.empty(b_n)
    secured = np.empty(b_n)
    cash = np.empty(b_n)
    alive = np.empty(b_n, dtype=np.bool_)
    doomed = np.empty(b_n, dtype=np.bool_)
    i_prev = np.empty(b_n)
    rev_ai = np.empty(b_n)
    desired = np.empty(b_n)
    capex = np.empty(b_n)
    vf = np.empty(b_n)
    r_hist = np.empty(4)
    fe_hist = np.empty(quarters)
    arrivals = np.empty(quarters + lag_p + 1)
    st = np.empty(7)
    h = np.empty(n)
    act = np.empty(n, dtype=np.bool_)
    inactive = np.empty(n, dtype=np.bool_)
    inc = np.empty(n)
    failed = np.empty(n, dtype=np.bool_)
    no_returns = np.empty((0, 0))
    keep_life = 1.0 - 1.0 / life_q
    shock_shift = 0.5 * capex_sigma**2
    for r in range(rc):
        for b in range(b_n):
            k[b] = k_per_capex * capex0[b]
            coll[b] = k[b] * it_share
            debt[b] = debt0[b]
            secured[b] = min(debt0[b], ltv_max * coll[b]) if tier2[b] else 0.0
            cash[b] = cash0[b]
            alive[b] = True
            doomed[b] = False
            default_q[r, b] = -1
            i_prev[b] = capex0[b] / 4.0
        for v in range(v_n):
            sales[r, v] = 0.0
            circular[r, v] = 0.0
        ge = g0
        r_hist[:] = r_hist0
        fc = a0c
        fe = a0e
        z = 0.0
        power = power0
        arrivals[:] = 0.0
        arrivals[:lag_p] = arrivals0
        st[:] = 0.0
        st[2] = 0.5
        peak = 0.0
        bq = -1
        credit_loss = 0.0
        net_loss = 0.0
        n_dead = 0
        for t in range(quarters):
            eps = noise[r, t]
            # 1. demand
            fc = _bass(fc, dt, bass_pc, bass_qc)
            fe = _bass(fe, dt, bass_pe, bass_qe)
            fe_hist[t] = fe
            fe_lag = fe_hist[t - lag_e] if t >= lag_e else a0e
            uplift = 1.0 + prod_gain * max(0.0, fe_lag - a0e)
            z = d_rho * z + d_sigma * eps[2 * days]
            demand = r0 * (crs * fc / a0c + (1.0 - crs) * fe / a0e * uplift) * math.exp(z)
            # 2. power and served revenue
            cap_t = grid_cap * math.exp(grid_growth * t / 4.0)
            power = min(cap_t, power + arrivals[t])
            k_tot = 0.0
            i_sum = 0.0
            for b in range(b_n):
                if alive[b]:
                    k_tot += k[b]
                    i_sum += i_prev[b]
            k_div = max(k_tot, 1.0)
            lit = min(1.0, power * capex_per_gw / k_div)
            served = min(demand, rho_max * k_tot * lit)
            # 3. expectations and desired capex
            ge = exp_mem * ge + (1.0 - exp_mem) * math.log(demand / r_hist[t % 4])
            r_hist[t % 4] = demand
            growth = demand * math.exp(ge * horizon_q / 4.0)
            want = 0.0
            for b in range(b_n):
                if not alive[b]:
                    rev_ai[b] = 0.0
                    desired[b] = 0.0
                    continue
                share = k[b] / k_div
                rev_ai[b] = served * share
                want_k = share * growth / rho_plan
                fund = max(0.0, (want_k - k[b]) / adjust_q + k[b] / life_q)
                peer = (i_sum - i_prev[b]) / max(k_tot - k[b], 1.0)
                shock = math.exp(capex_sigma * eps[2 * days + 1 + b] - shock_shift)
                desired[b] = ((1.0 - fomo) * fund + fomo * peer * k[b]) * shock
                want += desired[b]
            room = max(0.0, cap_t * capex_per_gw - k_tot * keep_life)
            scale = min(1.0, room / max(want, 1.0))
            # 4. financing
            dd = max(0.0, peak - st[0])
            open_ = dd < ccd
            base = risk_free + spread_dd * dd
            new_gen = (t + 1) % gen == 0
            keep_c = keep_life * (1.0 - haircut if new_gen else 1.0)
            any_new = False
            total = 0.0
            circ = 0.0
            v_val = 0.0
            for b in range(b_n):
                des = desired[b] * scale
                cf = (ai_margin * rev_ai[b] + nonai_cf[b]) / 4.0 if alive[b] else 0.0
                vfb = vf_share[b] * des if open_ else 0.0
                unsec = debt[b] - secured[b]
                interest = (unsec * (base + spread_t1) + secured[b] * (base + spread[b])) / 4.0
                amort = unsec / debt_mat
                amort_s = secured[b] / gpu_mat
                if tier2[b]:
                    head = ltv_max * coll[b] - secured[b] + amort_s
                else:
                    head = lev_max_t1 * max(4.0 * cf, 0.0) - debt[b] + amort
                head = max(0.0, head) if open_ else 0.0
                service = interest + amort + amort_s
                buffer = (1.0 - fomo) * buffer_q * service
                gap = max(0.0, des - vfb + service + buffer - cf - cash[b])
                raised = min(gap, equity_share * des) if open_ else 0.0
                borrow = min(gap - raised, head)
                short = gap - raised - borrow
                cx = max(0.0, des - short)
                cb = cash[b] + cf + vfb + raised + borrow - cx - service
                unpaid = max(0.0, -cb)
                cb = max(0.0, cb)
                db = debt[b] - amort - amort_s + borrow
                sb = secured[b] - amort_s + borrow if tier2[b] else 0.0
                cl = coll[b] * keep_c + cx * it_share
                excess = max(0.0, sb - ltv_cov * cl) if tier2[b] else 0.0
                breach = excess > cb
                if not breach:
                    cb -= excess
                    db -= excess
                    sb -= excess
                if alive[b] and (unpaid > 0.0 or breach or doomed[b]):
                    cx = 0.0
                    credit_loss += max(0.0, db - recovery * cl)
                    db = 0.0
                    sb = 0.0
                    alive[b] = False
                    default_q[r, b] = t
                    n_dead += 1
                    any_new = True
                cash[b] = cb
                debt[b] = db
                secured[b] = sb
                coll[b] = cl
                capex[b] = cx
                vf[b] = vfb
                k[b] = k[b] * keep_life + cx
                i_prev[b] = cx if alive[b] else 0.0
                total += cx
                circ += min(vfb, cx * it_share)
                if alive[b] and listed[b]:
                    v_val += ai_margin * rev_ai[b] + nonai_cf[b]
            arrivals[t + lag_p] += total / capex_per_gw
            # 5. investors
            fundamental = math.log(max(v_val, 1.0) / v0) + vgw * (ge - g0)
            _trade(st, fundamental, eps, 0, days, mp, no_returns, 0)
            peak = max(peak, st[0])
            # 6. contagion through the network
            for b in range(b_n):
                doomed[b] = False
            if any_new:
                h[:] = 0.0
                failed[:] = False
                for b in range(b_n):
                    if not alive[b]:
                        h[bpos[b]] = 1.0
                        failed[bpos[b]] = True
                _battiston(indptr, indices, lam, h, act, inactive, inc)
                nl = 0.0
                for i in range(n):
                    if not failed[i]:
                        nl += h[i] * equity[i]
                for b in range(b_n):
                    if alive[b] and h[bpos[b]] >= cdd:
                        doomed[b] = True
                net_loss = nl
            # 7. bust
            if bq < 0 and n_dead > 0:
                held = 0.0
                for b in range(b_n):
                    if not alive[b]:
                        held += k0_share[b]
                if held >= bust_share:
                    bq = t
            debt_tot = 0.0
            for b in range(b_n):
                debt_tot += debt[b]
                gpu = capex[b] * it_share
                for v in range(v_n):
                    sales[r, v] += gpu * vendor_weights[b, v]
                    circular[r, v] += vf[b] * vendor_weights[b, v]
                if keep_b:
                    bcap[r, t, b] = capex[b]
            paths[P_CAPEX, r, t] = total
            paths[P_DEMAND, r, t] = demand
            paths[P_REVENUE, r, t] = served
            paths[P_FC, r, t] = fc
            paths[P_FE, r, t] = fe
            paths[P_PRICE, r, t] = st[0]
            paths[P_FUND, r, t] = fundamental
            paths[P_CHART, r, t] = 1.0 - st[2]
            paths[P_DD, r, t] = max(0.0, peak - st[0])
            paths[P_DEBT, r, t] = debt_tot
            paths[P_POWER, r, t] = power
            paths[P_VREV, r, t] = total * it_share
            paths[P_CIRC, r, t] = circ
            paths[P_DEFAULTS, r, t] = n_dead
            paths[P_CLOSS, r, t] = credit_loss
            paths[P_NLOSS, r, t] = net_loss
        bust_q[r] = bq
