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
    threes = simulate(prm, runs=10, quarters=16, seed=7, init=init, batch=3)
    np.testing.assert_array_equal(threes.price, together.price)
    # another seed gives other paths
    other = simulate(prm, runs=10, quarters=16, seed=8, init=init)
    assert not np.array_equal(other.price, together.price)


def test_accounting_invariants(prm: AbmParams, init) -> None:
    res = simulate(prm, runs=50, quarters=24, seed=11, init=init)
    assert (res.capex >= 0).all()
    assert (res.debt >= 0).all()
    assert (res.ai_revenue <= res.ai_demand * (1 + 1e-12)).all()
    assert (np.diff(res.defaults, axis=1) >= 0).all()  # a default is absorbing
    assert (np.diff(res.credit_loss, axis=1) >= -1e-6).all()
    assert (res.circular_revenue <= res.vendor_revenue * (1 + 1e-12)).all()
    assert ((res.chartist_share > 0) & (res.chartist_share < 1)).all()
    # the bust quarter is the first default
    first = np.where(res.default_quarter >= 0, res.default_quarter, 10**9).min(axis=1)
    np.testing.assert_array_equal(res.bust_quarter, np.where(first < 10**9, first, -1))
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
    for fomo in (0.0, 0.45, 0.9):
        res = simulate(
            dataclasses.replace(prm, fomo=fomo), runs=300, quarters=16, seed=5, init=init
        )
        probs.append(summarize(res, horizon=16).bust_probability)
    assert probs[0] <= probs[1] <= probs[2]
    assert probs[2] - probs[0] >= 0.05


# ------------------------------------------------------------------ calibration
def test_msm_recovers_fomo_from_synthetic_data(prm: AbmParams) -> None:
    # Method of simulated moments with common random numbers: data from the model at a known
    # FOMO weight (seed 1000), moments = means and first autocorrelation of capex growth;
    # the simulated moments use other seeds (the same ones for every candidate theta).
    truth = (0.6, prm.bass_q_enterprise)
    quarters = 24

    def moments(theta: tuple[float, float], seeds: range) -> np.ndarray:
        rows = []
        for s in seeds:
            x = model(theta, quarters, s)[:, 0]
            rows.append([x.mean(), x[:8].mean(), _acf(x, 1)])
        return np.mean(rows, axis=0)

    data = moments(truth, range(1000, 1010))
    grid = np.round(np.arange(0.0, 0.91, 0.1), 2)
    sims = range(10)
    loss = [float(((moments((f, truth[1]), sims) - data) ** 2).sum()) for f in grid]
    best = grid[int(np.argmin(loss))]
    assert abs(best - truth[0]) <= 0.15
    assert CALIBRATED[0] == "abm_fomo"


# ------------------------------------------------------------------ interface
def test_model_interface_shape_and_determinism() -> None:
    a = model([0.5, 0.38], 10, 3)
    assert a.shape == (10, 3)
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
