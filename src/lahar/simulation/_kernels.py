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

Shocks: each run has its own SplitMix64 stream (Steele, Lea and Flood 2014) turned into
standard normals by a 256-layer ziggurat (Marsaglia and Tsang 2000), written here from the
paper; :func:`fill_normals_numpy` is its numpy twin, number for number. Drawing a quarter's
normals for all runs column by column (:func:`fill_lockstep`) and stepping the investors of
all runs day by day (:func:`_trade_runs`) give the processor independent work to overlap,
about five and two times faster than run after run.

References
----------
.. [1] Battiston, S., Puliga, M., Kaushik, R., Tasca, P. and Caldarelli, G. (2012). DebtRank:
   too central to fail? Financial networks, the FED and systemic risk. *Scientific Reports*
   2, 541.
.. [2] Franke, R. and Westerhoff, F. (2012). Structural stochastic volatility in asset pricing
   dynamics: estimation and model contest. *JEDC* 36(8), 1193-1211.
.. [3] Marsaglia, G. and Tsang, W. W. (2000). The ziggurat method for generating random
   variables. *Journal of Statistical Software* 5(8), 1-7.
.. [4] Marsaglia, G. (1964). Generating a variable from the tail of the normal distribution.
   *Technometrics* 6(1), 101-102.
.. [5] Steele, G. L., Lea, D. and Flood, C. H. (2014). Fast splittable pseudorandom number
   generators. *OOPSLA 2014*, ACM SIGPLAN Notices 49(10), 453-472.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "ZIG_F",
    "ZIG_R",
    "ZIG_V",
    "ZIG_X",
    "available",
    "fill_normals",
    "fill_normals_numpy",
    "run_batch",
    "run_starts",
    "set_enabled",
    "trade_path",
]

from lahar import _numba

_HAVE_NUMBA = _numba.enabled()


def njit(**kwargs):  # noqa: ANN003, ANN201
    """Compile with ``numba.njit(**kwargs)``, cached in lahar's cache directory (no-op without numba)."""

    def decorate(f):  # noqa: ANN001, ANN202
        if not _HAVE_NUMBA:
            return f
        with _numba.caching():  # pragma: no cover - exercised either way
            return _numba.load().njit(**kwargs)(f)

    return decorate


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


# ------------------------------------------------------------------ random numbers
# Every run has its own stream: SplitMix64 (Steele, Lea and Flood 2014), a Weyl sequence
# s_k = s_0 + k*GAMMA passed through a bijective mixer, started at a state derived from the
# root seed and the run's index. Standard normals come from it by Marsaglia and Tsang's (2000)
# ziggurat with 256 layers. A run's draws therefore depend on (seed, run) only, never on
# which batch or thread simulates it.
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_GAMMA_RUN = np.uint64(0xD1B54A32D192ED03)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_S8, _S11 = np.uint64(8), np.uint64(11)
_LOW8, _ONE = np.uint64(0xFF), np.uint64(1)
_TO_UNIT = 2.0**-53

#: right edge of the ziggurat's base strip (Marsaglia and Tsang 2000, 256 layers)
ZIG_R = 3.6541528853610088


def _ziggurat_tables(n: int = 256) -> tuple[np.ndarray, np.ndarray, float]:
    """Layer edges ``x`` (n + 1,), heights ``exp(-x^2/2)`` and the common layer area ``v``."""
    f = lambda x: math.exp(-0.5 * x * x)  # noqa: E731
    v = ZIG_R * f(ZIG_R) + math.sqrt(math.pi / 2.0) * math.erfc(ZIG_R / math.sqrt(2.0))
    x = np.empty(n + 1)
    x[0] = v / f(ZIG_R)  # the base strip plus the tail, as a rectangle of area v
    x[1] = ZIG_R
    for i in range(1, n - 1):
        x[i + 1] = math.sqrt(-2.0 * math.log(v / x[i] + f(x[i])))
    x[n] = 0.0
    return x, np.exp(-0.5 * x * x), v


ZIG_X, ZIG_F, ZIG_V = _ziggurat_tables()


@njit(cache=True, nogil=True, error_model="numpy")
def _mix(z):  # noqa: ANN001, ANN202
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, nogil=True, error_model="numpy")
def run_starts(root, first, count):  # noqa: ANN001, ANN201
    """Starting states of runs ``first .. first + count - 1`` under a root key (uint64)."""
    out = np.empty(count, dtype=np.uint64)
    for k in range(count):
        out[k] = _mix(root + np.uint64(first + k + 1) * _GAMMA_RUN)
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _uniform(s):  # noqa: ANN001, ANN202
    s[0] += _GAMMA
    return float(_mix(s[0]) >> _S11) * _TO_UNIT


@njit(cache=True, nogil=True, error_model="numpy")
def _normal_slow(s, zx, zf, i, x):  # noqa: ANN001, ANN202
    """Rare ziggurat branches: the tail (layer 0) or a wedge; -1.0 means draw again."""
    if i == 0:  # the tail beyond r (Marsaglia 1964)
        while True:
            a = -math.log(1.0 - _uniform(s)) / zx[1]
            b = -math.log(1.0 - _uniform(s))
            if b + b > a * a:
                return zx[1] + a
    if zf[i] + _uniform(s) * (zf[i + 1] - zf[i]) < math.exp(-0.5 * x * x):
        return x
    return -1.0


@njit(cache=True, nogil=True, error_model="numpy")
def fill_lockstep(state, out, zx, zf):  # noqa: ANN001, ANN201
    """``out[k, :]`` <- the next normals of stream ``k`` (state ``state[k]``, advanced).

    Column by column over all streams: each stream still draws its normals in order, but
    neighbouring streams' draws are independent, so the processor overlaps them.
    """
    for j in range(out.shape[1]):
        for k in range(out.shape[0]):
            while True:
                state[k] += _GAMMA
                u = _mix(state[k])
                i = np.intp(u & _LOW8)
                sign = 1.0 - 2.0 * float(np.int64((u >> _S8) & _ONE))
                x = float(np.int64(u >> _S11)) * _TO_UNIT * zx[i]
                if x >= zx[i + 1]:
                    x = _normal_slow(state[k : k + 1], zx, zf, i, x)
                    if x < 0.0:
                        continue
                out[k, j] = sign * x
                break


@njit(cache=True, nogil=True, error_model="numpy")
def fill_normals(starts, out, zx, zf):  # noqa: ANN001, ANN201
    """``out[k]`` (any shape after the first axis) <- run ``k``'s first normals, in C order."""
    fill_lockstep(starts.copy(), out.reshape(out.shape[0], -1), zx, zf)


def _mix_numpy(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _uniform_numpy(s: np.ndarray, rows: np.ndarray) -> np.ndarray:
    s[rows] += _GAMMA
    return (_mix_numpy(s[rows]) >> _S11).astype(np.float64) * _TO_UNIT


def fill_normals_numpy(starts: np.ndarray, out: np.ndarray) -> None:
    """:func:`fill_normals` in numpy, vectorised over runs (the path without numba)."""
    count = out.shape[0]
    flat = out.reshape(count, -1)
    s = np.array(starts, dtype=np.uint64)
    zx, zf = ZIG_X, ZIG_F
    for j in range(flat.shape[1]):
        pending = np.arange(count)
        while pending.size:
            s[pending] += _GAMMA
            u = _mix_numpy(s[pending])
            i = (u & _LOW8).astype(np.intp)
            sign = 1.0 - 2.0 * ((u >> _S8) & _ONE).astype(np.float64)
            x = (u >> _S11).astype(np.float64) * _TO_UNIT * zx[i]
            done = x < zx[i + 1]
            tail = ~done & (i == 0)
            wedge = np.flatnonzero(~done & (i != 0))
            if wedge.size:
                xw, iw = x[wedge], i[wedge]
                y = zf[iw] + _uniform_numpy(s, pending[wedge]) * (zf[iw + 1] - zf[iw])
                done[wedge] = y < np.exp(-0.5 * xw * xw)
            t_rows = np.flatnonzero(tail)
            while t_rows.size:  # runs still looking for a tail draw
                a = -np.log(1.0 - _uniform_numpy(s, pending[t_rows])) / zx[1]
                b = -np.log(1.0 - _uniform_numpy(s, pending[t_rows]))
                ok = b + b > a * a
                x[t_rows[ok]] = zx[1] + a[ok]
                done[t_rows[ok]] = True
                t_rows = t_rows[~ok]
            flat[pending[done], j] = sign[done] * x[done]
            pending = pending[~done]


@njit(cache=True, nogil=True, error_model="numpy")
def _bass(f, dt, p, q):  # noqa: ANN001, ANN202
    r = q / p
    a = (1.0 - f) / (1.0 + r * f)
    e = a * math.exp(-(p + q) * dt)
    return (1.0 - e) / (1.0 + r * e)


@njit(cache=True, nogil=True, error_model="numpy")
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


@njit(cache=True, nogil=True, error_model="numpy")
def trade_path(noise, mp, returns):  # noqa: ANN001, ANN201
    """Investor block alone from rest (fundamental 0): ``returns[r, d]`` for ``noise[r, d, :]``."""
    st = np.empty(7)
    for r in range(noise.shape[0]):
        st[:] = 0.0
        st[2] = 0.5
        _trade(st, 0.0, noise[r].reshape(-1), 0, noise.shape[1], mp, returns, r)


@njit(cache=True, nogil=True, error_model="numpy")
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


@njit(cache=True, nogil=True, error_model="numpy")
def _trade_runs(mk, fundamental, eps, days, mp):  # noqa: ANN001, ANN202
    """:func:`_trade` for all runs in lockstep (day outer, run inner: independent chains).

    ``mk`` has rows p, p_prev, nf, wf, wc, df, dc, exp(p) over runs; run ``r`` reads
    ``eps[r, 2d]`` and ``eps[r, 2d + 1]`` on day ``d``.
    """
    mu, beta, phi, chi, sf, sc, a0, an, ap, aw, eta = mp
    for d in range(days):
        for r in range(fundamental.shape[0]):
            p = mk[0, r]
            nf = mk[2, r]
            df = phi * (fundamental[r] - p) + sf * eps[r, 2 * d]
            dc = chi * (p - mk[1, r]) + sc * eps[r, 2 * d + 1]
            pn = p + mu * (nf * df + (1.0 - nf) * dc)
            epn = math.exp(pn)
            gain = epn - mk[7, r]
            wf = eta * mk[3, r] + (1.0 - eta) * gain * mk[5, r]
            wc = eta * mk[4, r] + (1.0 - eta) * gain * mk[6, r]
            mis = pn - fundamental[r]
            a = a0 + an * (2.0 * nf - 1.0) + ap * mis * mis
            a = a + aw * (wf - wc)
            mk[2, r] = 1.0 / (1.0 + math.exp(-beta * a))
            mk[0, r] = pn
            mk[1, r] = p
            mk[3, r] = wf
            mk[4, r] = wc
            mk[5, r] = df
            mk[6, r] = dc
            mk[7, r] = epn


@njit(cache=True, nogil=True, error_model="numpy")
def run_batch(  # noqa: ANN201, PLR0912, PLR0913, PLR0915
    starts,
    quarters,
    width,
    zx,
    zf,
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
    """Simulate run ``k`` from random state ``starts[k]``; outputs written in place.

    Each quarter draws ``width`` normals from each run's stream (as :func:`fill_normals`);
    runs advance in lockstep, quarter by quarter, but never read each other's state.
    ``c`` holds the scalar parameters and starting constants (see ``abm._kernel_inputs``);
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
    rc = starts.shape[0]
    b_n = capex0.shape[0]
    v_n = vendor_weights.shape[1]
    n = equity.shape[0]
    keep_b = bcap.shape[0] > 0
    dt = 0.25
    k = np.empty((rc, b_n))
    coll = np.empty((rc, b_n))
    debt = np.empty((rc, b_n))
    secured = np.empty((rc, b_n))
    cash = np.empty((rc, b_n))
    alive = np.ones((rc, b_n), dtype=np.bool_)
    doomed = np.zeros((rc, b_n), dtype=np.bool_)
    i_prev = np.empty((rc, b_n))
    rev_ai = np.empty(b_n)
    desired = np.empty(b_n)
    r_hist = np.empty((rc, 4))
    fe_hist = np.empty((rc, quarters))
    arrivals = np.zeros((rc, quarters + lag_p + 1))
    mk = np.zeros((8, rc))  # investors: p, p_prev, nf, wf, wc, df, dc, exp(p)
    mk[2, :] = 0.5
    mk[7, :] = 1.0
    fundamental = np.empty(rc)
    new_any = np.zeros(rc, dtype=np.bool_)
    n_dead = np.zeros(rc, dtype=np.int64)
    h = np.empty(n)
    act = np.empty(n, dtype=np.bool_)
    inactive = np.empty(n, dtype=np.bool_)
    inc = np.empty(n)
    failed = np.empty(n, dtype=np.bool_)
    eps = np.empty((rc, width))
    state = starts.copy()
    ge = np.full(rc, g0)
    fc = np.full(rc, a0c)
    fe = np.full(rc, a0e)
    z = np.zeros(rc)
    power = np.full(rc, power0)
    peak = np.zeros(rc)
    credit_loss = np.zeros(rc)
    net_loss = np.zeros(rc)
    keep_life = 1.0 - 1.0 / life_q
    shock_shift = 0.5 * capex_sigma**2
    for r in range(rc):
        for b in range(b_n):
            k[r, b] = k_per_capex * capex0[b]
            coll[r, b] = k[r, b] * it_share
            debt[r, b] = debt0[b]
            secured[r, b] = min(debt0[b], ltv_max * coll[r, b]) if tier2[b] else 0.0
            cash[r, b] = cash0[b]
            default_q[r, b] = -1
            i_prev[r, b] = capex0[b] / 4.0
        for v in range(v_n):
            sales[r, v] = 0.0
            circular[r, v] = 0.0
        r_hist[r, :] = r_hist0
        arrivals[r, :lag_p] = arrivals0
        bust_q[r] = -1
    for t in range(quarters):
        cap_t = grid_cap * math.exp(grid_growth * t / 4.0)
        new_gen = (t + 1) % gen == 0
        keep_c = keep_life * (1.0 - haircut if new_gen else 1.0)
        fill_lockstep(state, eps, zx, zf)
        for r in range(rc):
            # 1. demand
            fc[r] = _bass(fc[r], dt, bass_pc, bass_qc)
            fe[r] = _bass(fe[r], dt, bass_pe, bass_qe)
            fe_hist[r, t] = fe[r]
            fe_lag = fe_hist[r, t - lag_e] if t >= lag_e else a0e
            uplift = 1.0 + prod_gain * max(0.0, fe_lag - a0e)
            z[r] = d_rho * z[r] + d_sigma * eps[r, 2 * days]
            demand = r0 * (crs * fc[r] / a0c + (1.0 - crs) * fe[r] / a0e * uplift) * math.exp(z[r])
            # 2. power and served revenue
            power[r] = min(cap_t, power[r] + arrivals[r, t])
            k_tot = 0.0
            i_sum = 0.0
            for b in range(b_n):
                if alive[r, b]:
                    k_tot += k[r, b]
                    i_sum += i_prev[r, b]
            k_div = max(k_tot, 1.0)
            lit = min(1.0, power[r] * capex_per_gw / k_div)
            served = min(demand, rho_max * k_tot * lit)
            # 3. expectations and desired capex
            ge[r] = exp_mem * ge[r] + (1.0 - exp_mem) * math.log(demand / r_hist[r, t % 4])
            r_hist[r, t % 4] = demand
            growth = demand * math.exp(ge[r] * horizon_q / 4.0)
            want = 0.0
            for b in range(b_n):
                if not alive[r, b]:
                    rev_ai[b] = 0.0
                    desired[b] = 0.0
                    continue
                kb = k[r, b]
                share = kb / k_div
                rev_ai[b] = served * share
                want_k = share * growth / rho_plan
                fund = max(0.0, (want_k - kb) / adjust_q + kb / life_q)
                peer = (i_sum - i_prev[r, b]) / max(k_tot - kb, 1.0)
                shock = math.exp(capex_sigma * eps[r, 2 * days + 1 + b] - shock_shift)
                desired[b] = ((1.0 - fomo) * fund + fomo * peer * kb) * shock
                want += desired[b]
            room = max(0.0, cap_t * capex_per_gw - k_tot * keep_life)
            scale = min(1.0, room / max(want, 1.0))
            # 4. financing
            dd = max(0.0, peak[r] - mk[0, r])
            open_ = dd < ccd
            base = risk_free + spread_dd * dd
            any_new = False
            total = 0.0
            circ = 0.0
            v_val = 0.0
            debt_tot = 0.0
            for b in range(b_n):
                des = desired[b] * scale
                cf = (ai_margin * rev_ai[b] + nonai_cf[b]) / 4.0 if alive[r, b] else 0.0
                vfb = vf_share[b] * des if open_ else 0.0
                sec = secured[r, b]
                unsec = debt[r, b] - sec
                interest = (unsec * (base + spread_t1) + sec * (base + spread[b])) / 4.0
                amort = unsec / debt_mat
                amort_s = sec / gpu_mat
                if tier2[b]:
                    head = ltv_max * coll[r, b] - sec + amort_s
                else:
                    head = lev_max_t1 * max(4.0 * cf, 0.0) - debt[r, b] + amort
                head = max(0.0, head) if open_ else 0.0
                service = interest + amort + amort_s
                buffer = (1.0 - fomo) * buffer_q * service
                gap = max(0.0, des - vfb + service + buffer - cf - cash[r, b])
                raised = min(gap, equity_share * des) if open_ else 0.0
                borrow = min(gap - raised, head)
                short = gap - raised - borrow
                cx = max(0.0, des - short)
                cb = cash[r, b] + cf + vfb + raised + borrow - cx - service
                unpaid = max(0.0, -cb)
                cb = max(0.0, cb)
                db = debt[r, b] - amort - amort_s + borrow
                sb = sec - amort_s + borrow if tier2[b] else 0.0
                cl = coll[r, b] * keep_c + cx * it_share
                excess = max(0.0, sb - ltv_cov * cl) if tier2[b] else 0.0
                breach = excess > cb
                if not breach:
                    cb -= excess
                    db -= excess
                    sb -= excess
                if alive[r, b] and (unpaid > 0.0 or breach or doomed[r, b]):
                    cx = 0.0
                    credit_loss[r] += max(0.0, db - recovery * cl)
                    db = 0.0
                    sb = 0.0
                    alive[r, b] = False
                    default_q[r, b] = t
                    n_dead[r] += 1
                    any_new = True
                cash[r, b] = cb
                debt[r, b] = db
                secured[r, b] = sb
                coll[r, b] = cl
                k[r, b] = k[r, b] * keep_life + cx
                i_prev[r, b] = cx if alive[r, b] else 0.0
                total += cx
                debt_tot += db
                gpu = cx * it_share
                circ += min(vfb, gpu)
                for v in range(v_n):
                    sales[r, v] += gpu * vendor_weights[b, v]
                    circular[r, v] += vfb * vendor_weights[b, v]
                if keep_b:
                    bcap[r, t, b] = cx
                if alive[r, b] and listed[b]:
                    v_val += ai_margin * rev_ai[b] + nonai_cf[b]
            arrivals[r, t + lag_p] += total / capex_per_gw
            new_any[r] = any_new
            fundamental[r] = math.log(max(v_val, 1.0) / v0) + vgw * (ge[r] - g0)
            paths[P_CAPEX, r, t] = total
            paths[P_DEMAND, r, t] = demand
            paths[P_REVENUE, r, t] = served
            paths[P_FC, r, t] = fc[r]
            paths[P_FE, r, t] = fe[r]
            paths[P_FUND, r, t] = fundamental[r]
            paths[P_DEBT, r, t] = debt_tot
            paths[P_POWER, r, t] = power[r]
            paths[P_VREV, r, t] = total * it_share
            paths[P_CIRC, r, t] = circ
            paths[P_DEFAULTS, r, t] = n_dead[r]
            paths[P_CLOSS, r, t] = credit_loss[r]
        # 5. investors, all runs in lockstep
        _trade_runs(mk, fundamental, eps, days, mp)
        for r in range(rc):
            peak[r] = max(peak[r], mk[0, r])
            # 6. contagion through the network
            for b in range(b_n):
                doomed[r, b] = False
            if new_any[r]:
                h[:] = 0.0
                failed[:] = False
                for b in range(b_n):
                    if not alive[r, b]:
                        h[bpos[b]] = 1.0
                        failed[bpos[b]] = True
                _battiston(indptr, indices, lam, h, act, inactive, inc)
                nl = 0.0
                for i in range(n):
                    if not failed[i]:
                        nl += h[i] * equity[i]
                for b in range(b_n):
                    if alive[r, b] and h[bpos[b]] >= cdd:
                        doomed[r, b] = True
                net_loss[r] = nl
            # 7. bust
            if bust_q[r] < 0 and n_dead[r] > 0:
                held = 0.0
                for b in range(b_n):
                    if not alive[r, b]:
                        held += k0_share[b]
                if held >= bust_share:
                    bust_q[r] = t
            paths[P_PRICE, r, t] = mk[0, r]
            paths[P_CHART, r, t] = 1.0 - mk[2, r]
            paths[P_DD, r, t] = max(0.0, peak[r] - mk[0, r])
            paths[P_NLOSS, r, t] = net_loss[r]
