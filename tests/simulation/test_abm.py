"""Tests of the agent-based boom-and-bust model (lahar.simulation.abm)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lahar.data import load_network
from lahar.errors import DataError
from lahar.simulation import (
    CALIBRATED,
    AbmParams,
    _kernels,
    bass_advance,
    bass_cdf,
    initial_conditions,
    market_returns,
    model,
    simulate,
    summarize,
)


@pytest.fixture(scope="module")
def prm() -> AbmParams:
    return AbmParams.from_parameters()


@pytest.fixture(scope="module")
def init(prm: AbmParams):
    return initial_conditions(load_network(), prm)


# ---------------------------------------------------------------- Bass (1969)
def test_bass_closed_form_by_hand() -> None:
    # F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}); p = 0.03, q = 0.38, t = 1:
    # e^{-0.41} = 0.663650250, F = 0.336349750 / (1 + 12.6667 * 0.663650250) = 0.0357580
    assert float(bass_cdf(1.0, 0.03, 0.38)) == pytest.approx(0.0357580, abs=5e-7)
    # F -> 1 and F(0) = 0
    assert float(bass_cdf(0.0, 0.03, 0.38)) == 0.0
    assert float(bass_cdf(200.0, 0.03, 0.38)) == pytest.approx(1.0)


@pytest.mark.parametrize(("p", "q"), [(0.03, 0.38), (0.01, 0.9), (0.2, 0.0)])
def test_bass_quarterly_steps_match_closed_form(p: float, q: float) -> None:
    # An independent Euler-free check: stepping the exact one-quarter map 80 times from 0
    # equals the closed form at every quarter; the ODE dF/dt = (p + qF)(1 - F) holds (central
    # difference of the closed form).
    t = np.arange(1, 81) / 4.0
    f, path = np.float64(0.0), []
    for _ in t:
        f = bass_advance(f, 0.25, p, q)
        path.append(float(f))
    np.testing.assert_allclose(path, bass_cdf(t, p, q), rtol=1e-12, atol=1e-14)
    h = 1e-5
    deriv = (bass_cdf(t + h, p, q) - bass_cdf(t - h, p, q)) / (2 * h)
    ft = bass_cdf(t, p, q)
    np.testing.assert_allclose(deriv, (p + q * ft) * (1 - ft), rtol=1e-6, atol=1e-9)


# ------------------------------------------- investor block: stylised facts (FW 2012)
def _acf(x: np.ndarray, lag: int) -> float:
    x = x - x.mean()
    return float((x[:-lag] * x[lag:]).mean() / x.var())


def test_investor_block_stylised_facts(prm: AbmParams) -> None:
    # Builders off, fixed fundamental: Franke & Westerhoff (2012) / Lux & Marchesi (1999)
    # stylised facts of daily returns: fat tails (kurtosis > 3), volatility clustering (|r|
    # autocorrelated over many lags) and no linear autocorrelation of raw returns.
    r = market_returns(prm, steps=40_000, seed=20120801)[0]
    kurt = float(((r - r.mean()) ** 4).mean() / r.var() ** 2)
    assert kurt > 3.5
    a = np.abs(r)
    for lag in (1, 5, 10, 25, 50):
        assert _acf(a, lag) > 0.05, lag
    band = 3.0 / np.sqrt(r.size)  # ~3 standard errors of a white-noise autocorrelation
    for lag in (1, 2, 5, 10):
        assert abs(_acf(r, lag)) < max(band, 0.03), lag
    # returns are not Gaussian white noise *in magnitude*: a shuffled series loses clustering
    rng = np.random.default_rng(0)
    assert abs(_acf(np.abs(rng.permutation(r)), 10)) < band


# ------------------------------------------------------------- reproducibility
def test_batching_does_not_change_results(prm: AbmParams, init) -> None:
    together = simulate(prm, runs=10, quarters=16, seed=7, init=init)
    apart = [simulate(prm, runs=1, quarters=16, seed=7, init=init, batch=1) for _ in range(1)]
    one_by_one = simulate(prm, runs=10, quarters=16, seed=7, init=init, batch=1)
    for name, path in together.paths().items():
        np.testing.assert_array_equal(path, getattr(one_by_one, name), err_msg=name)
    np.testing.assert_array_equal(together.bust_quarter, one_by_one.bust_quarter)
    np.testing.assert_array_equal(together.default_quarter, one_by_one.default_quarter)
    # run 0 alone equals run 0 of the batch; batches of 3 too
    np.testing.assert_array_equal(apart[0].capex[0], together.capex[0])
    threes = simulate(prm, runs=10, quarters=16, seed=7, init=init, batch=3, workers=2)
    for name, path in together.paths().items():
        np.testing.assert_array_equal(path, getattr(threes, name), err_msg=name)
    # another seed gives other paths
    other = simulate(prm, runs=10, quarters=16, seed=8, init=init)
    assert not np.array_equal(other.price, together.price)


def test_batching_does_not_change_results_without_numba(prm: AbmParams, init) -> None:
    # the array path (no numba) is batch-independent too
    _kernels.set_enabled(False)
    try:
        together = simulate(prm, runs=6, quarters=12, seed=7, init=init)
        threes = simulate(prm, runs=6, quarters=12, seed=7, init=init, batch=4, workers=2)
    finally:
        _kernels.set_enabled(True)
    for name, path in together.paths().items():
        np.testing.assert_array_equal(path, getattr(threes, name), err_msg=name)


# -------------------------------------- compiled kernel vs the array code (two implementations)
def test_compiled_kernel_matches_array_code(prm: AbmParams, init) -> None:
    # The numba kernel (scalar code per run, runs in lockstep) and the numpy array code
    # (arrays over runs x builders) implement the same rules independently; on the same
    # shocks they agree to rounding (sums over builders differ in order) and in every
    # discrete outcome. A high-FOMO variant makes busts, defaults and contagion common.
    if not _kernels.available():
        pytest.skip("numba unavailable")
    for p in (prm, dataclasses.replace(prm, fomo=0.6)):
        fast = simulate(p, runs=60, quarters=32, seed=4, init=init, keep_builders=True)
        _kernels.set_enabled(False)
        try:
            ref = simulate(p, runs=60, quarters=32, seed=4, init=init, keep_builders=True)
        finally:
            _kernels.set_enabled(True)
        assert (ref.bust_quarter >= 0).any()
        assert (ref.network_loss > 0).any()
        np.testing.assert_array_equal(fast.bust_quarter, ref.bust_quarter)
        np.testing.assert_array_equal(fast.default_quarter, ref.default_quarter)
        for name, path in ref.paths().items():
            np.testing.assert_allclose(
                getattr(fast, name), path, rtol=1e-9, atol=1e-6, err_msg=name
            )
        np.testing.assert_allclose(fast.builder_capex, ref.builder_capex, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(fast.vendor_sales, ref.vendor_sales, rtol=1e-9)
        np.testing.assert_allclose(fast.vendor_financing, ref.vendor_financing, rtol=1e-9)


# ------------------------------------------------------ shocks: SplitMix64 + ziggurat
def test_ziggurat_layers_have_equal_area() -> None:
    # Marsaglia & Tsang (2000): with f(x) = exp(-x^2/2), every layer i >= 1 has area
    # x_i (f(x_{i+1}) - f(x_i)) = v, and the base strip r f(r) + int_r^inf f = v, where
    # v = 0.00492867323399 for 256 layers (their paper, r = 3.6541528853610088).
    x, f, v = _kernels.ZIG_X, _kernels.ZIG_F, _kernels.ZIG_V
    assert v == pytest.approx(0.00492867323399, abs=1e-13)
    areas = x[1:-1] * (f[2:] - f[1:-1])
    np.testing.assert_allclose(areas, v, rtol=1e-9)
    assert x[0] * f[1] == pytest.approx(v, rel=1e-14)


def test_shocks_are_standard_normal_and_batch_independent() -> None:
    from scipy import stats

    from lahar.simulation.abm import _run_noise

    z = _run_noise(0, 0, 50, 20, 1000)
    x = z.ravel()  # 10^6 draws
    assert abs(x.mean()) < 5.0 / np.sqrt(x.size)
    assert x.var() == pytest.approx(1.0, abs=5 * np.sqrt(2.0 / x.size))
    assert stats.kstest(x, "norm").pvalue > 1e-3
    # tail beyond the base strip (the ziggurat's separate branch): 2 P(Z > r) = 2.58e-4
    tail = (np.abs(x) > _kernels.ZIG_R).mean()
    expected = 2 * stats.norm.sf(_kernels.ZIG_R)
    assert abs(tail - expected) < 5 * np.sqrt(expected / x.size)
    # runs 17..21 alone equal rows 17..21 of the batch; another seed differs
    np.testing.assert_array_equal(_run_noise(0, 17, 5, 20, 1000), z[17:22])
    assert not np.array_equal(_run_noise(1, 0, 1, 20, 1000)[0], z[0])
    # the first quarters of a longer run are the shorter run's
    np.testing.assert_array_equal(_run_noise(0, 3, 1, 5, 1000)[0], z[3, :5])


def test_shock_generator_numpy_twin_is_identical() -> None:
    # the path without numba draws the same numbers (integer hashing is exact; the rare
    # wedge and tail branches use exp and log)
    from lahar.simulation.abm import _run_starts

    if not _kernels.available():
        pytest.skip("numba unavailable")

    starts = _run_starts(11, 0, 40)
    a = np.empty((40, 3000))
    b = np.empty((40, 3000))
    _kernels.fill_normals(starts, a, _kernels.ZIG_X, _kernels.ZIG_F)
    _kernels.fill_normals_numpy(starts, b)
    np.testing.assert_array_equal(a, b)
    assert (np.abs(a) > _kernels.ZIG_R).sum() > 0  # the tail branch was exercised


def test_accounting_invariants(prm: AbmParams, init) -> None:
    res = simulate(prm, runs=50, quarters=24, seed=11, init=init)
    assert (res.capex >= 0).all()
    assert (res.debt >= 0).all()
    assert (res.ai_revenue <= res.ai_demand * (1 + 1e-12)).all()
    assert (np.diff(res.defaults, axis=1) >= 0).all()  # a default is absorbing
    assert (np.diff(res.credit_loss, axis=1) >= -1e-6).all()
    assert (res.circular_revenue <= res.vendor_revenue * (1 + 1e-12)).all()
    assert ((res.chartist_share > 0) & (res.chartist_share < 1)).all()
    # the bust quarter is the first quarter in which defaulted builders held the threshold
    # share of the starting capital (capital_to_capex x capex, so capex shares)
    share0 = init.capex / init.capex.sum()
    dq = res.default_quarter
    for r in range(res.runs):
        held = [share0[(dq[r] >= 0) & (dq[r] <= t)].sum() for t in range(res.quarters)]
        hit = np.flatnonzero(np.array(held) >= prm.bust_default_share - 1e-12)
        assert res.bust_quarter[r] == (hit[0] if hit.size else -1)
    # adoption follows Bass exactly (no noise in adoption)
    t = np.arange(1, 25) / 4.0
    f0 = prm.adoption0_enterprise
    exp = [f0]
    for _ in t:
        exp.append(float(bass_advance(exp[-1], 0.25, prm.bass_p_enterprise, prm.bass_q_enterprise)))
    np.testing.assert_allclose(res.adoption_enterprise[0], exp[1:], rtol=1e-12)


def test_initial_conditions_from_network(prm: AbmParams, init) -> None:
    net = load_network()
    capex = net.fact("capex")[init.builder_pos]
    known = np.isfinite(capex)
    np.testing.assert_array_equal(init.capex[known], capex[known])  # facts used as they are
    fallback = ~known
    rev = net.fact("revenue")[init.builder_pos]
    rev = np.where(np.isfinite(rev), rev, prm.fallback_revenue)
    np.testing.assert_allclose(
        init.capex[fallback], rev[fallback] * prm.fallback_capex_to_revenue, rtol=1e-12
    )
    assert (init.equity > 0).all()
    assert init.exposures.diagonal().sum() == 0.0
    assert set(net.kinds[init.builder_pos]) <= {"hyperscaler", "neocloud", "ai_lab"}


# ------------------------------------------------------------------ FOMO sweep
def test_bust_probability_rises_with_fomo(prm: AbmParams, init) -> None:
    probs = []
    for fomo in (0.0, 0.3, 0.6):
        res = simulate(
            dataclasses.replace(prm, fomo=fomo), runs=200, quarters=40, seed=5, init=init
        )
        probs.append(summarize(res).bust_probability)
    assert probs[0] < probs[1] < probs[2]
    assert probs[2] - probs[0] >= 0.2


# ------------------------------------------------------------------ calibration
def _observables(res, init) -> tuple[np.ndarray, np.ndarray]:
    """Quarterly log growth of aggregate capex and served AI revenue, as model() returns."""
    cap = np.concatenate([np.full((res.runs, 1), init.capex.sum() / 4.0), res.capex], axis=1)
    rev = np.concatenate([np.full((res.runs, 1), init.ai_revenue.sum()), res.ai_revenue], axis=1)
    return np.diff(np.log(np.maximum(cap, 1.0)), axis=1), np.diff(np.log(rev), axis=1)


def _moments(prm: AbmParams, init, theta: tuple[float, float], seed: int) -> np.ndarray:
    """Per-run moment contributions, shape (runs, 4); the moments are their column means."""
    res = simulate(prm.with_theta(theta), runs=300, quarters=24, seed=seed, init=init)
    g, rev = _observables(res, init)
    clipped = np.clip(g, -1.0, 1.0)
    x = clipped[:, :12] - clipped[:, :12].mean(axis=1, keepdims=True)
    acf1 = (x[:, 1:] * x[:, :-1]).mean(axis=1) / np.maximum(x.var(axis=1), 1e-12)
    return np.column_stack(
        [
            clipped[:, :8].mean(axis=1),  # boom-phase capex growth
            acf1,  # persistence of capex growth (herding)
            (g < -0.7).any(axis=1),  # whether capex collapses
            rev.mean(axis=1),  # revenue growth (enterprise adoption)
        ]
    )


@pytest.mark.parametrize("truth", [(0.3, 0.38), (0.1, 0.5)])
def test_msm_recovers_parameters_from_synthetic_data(
    prm: AbmParams, init, truth: tuple[float, float]
) -> None:
    # Method of simulated moments with common random numbers (Franke & Westerhoff 2012 use
    # MSM for the investor block): the "data" are 300 runs of the model at a known theta
    # (seed 1000); each candidate theta is simulated with the same seed 0, so the objective
    # is smooth in theta. black-it is not used (no extra dependency); model() exposes its
    # interface for those who do.
    per_run = _moments(prm, init, truth, 1000)
    data = per_run.mean(axis=0)
    # diagonal MSM weights: inverse variance of the data moments (and as much simulation noise)
    var = 2.0 * per_run.var(axis=0) / per_run.shape[0]
    fomos = np.round(np.arange(0.0, 0.61, 0.1), 2)
    qs = (0.25, 0.38, 0.5)
    loss = {
        (f, q): float(((_moments(prm, init, (f, q), 0).mean(axis=0) - data) ** 2 / var).sum())
        for f in fomos
        for q in qs
    }
    best = min(loss, key=loss.get)
    assert abs(best[0] - truth[0]) <= 0.1 + 1e-9
    assert best[1] == truth[1]
    assert CALIBRATED == ("abm_fomo", "abm_bass_q_enterprise")


# ------------------------------------------------------------------ interface
def test_model_interface_shape_and_determinism(prm: AbmParams, init) -> None:
    a = model([0.5, 0.38], 10, 3)
    assert a.shape == (10, 3)
    # the same run as simulate(runs=1, seed=3) at that theta
    res = simulate(prm.with_theta([0.5, 0.38]), runs=1, quarters=10, seed=3, init=init)
    g, rev = _observables(res, init)
    np.testing.assert_array_equal(a[:, 0], g[0])
    np.testing.assert_array_equal(a[:, 1], rev[0])
    np.testing.assert_array_equal(a[:, 2], np.diff(np.concatenate([[0.0], res.price[0]])))
    np.testing.assert_array_equal(a, model(np.array([0.5, 0.38]), 10, 3))
    with pytest.raises(DataError, match="'theta' parameter of model"):
        model([0.5], 10, 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"runs": 0, "quarters": 4, "seed": 1}, "'runs' parameter of simulate"),
        ({"runs": 2, "quarters": 0, "seed": 1}, "'quarters' parameter of simulate"),
        ({"runs": 2, "quarters": 4, "seed": -1}, "'seed' parameter of simulate"),
        ({"runs": 2.5, "quarters": 4, "seed": 1}, "'runs' parameter of simulate"),
    ],
)
def test_bad_options_raise(init, kwargs: dict, match: str) -> None:
    with pytest.raises(DataError, match=match):
        simulate(init=init, **kwargs)


def test_summary_of_a_known_result(prm: AbmParams, init) -> None:
    res = simulate(prm, runs=40, quarters=20, seed=9, init=init)
    s = summarize(res)
    busted = res.bust_quarter >= 0
    assert s.bust_probability == pytest.approx(busted.mean())
    if busted.any():
        assert s.bust_quarter_mean == pytest.approx((res.bust_quarter[busted] + 1).mean())
    d = s.to_dict()
    assert d["runs"] == 40
    assert set(d["builder_default_probability"]) == set(res.builder_ids)
