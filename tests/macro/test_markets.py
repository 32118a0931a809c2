"""Tests of lahar.macro.markets: hand-worked values, batching, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from lahar.macro.markets import (
    consumption_demand,
    index_return,
    reprice,
    savings_losses,
    wealth_effect,
)


def test_reprice_hand_values():
    r = reprice([100.0, 50.0], ai_exposure=[0.5, 0.0], ai_cut=0.4, equity_loss=[0.0, 10.0])
    np.testing.assert_allclose(r.price_change, [-0.2, -0.2])
    np.testing.assert_allclose(r.value_change, [-20.0, -10.0])
    np.testing.assert_allclose(r.fundamental, [-0.2, 0.0])


def test_reprice_floor_at_minus_one():
    r = reprice([10.0], ai_exposure=[1.0], ai_cut=1.0, equity_loss=[5.0])
    assert r.price_change[0] == -1.0


def test_reprice_batched_equals_single():
    cuts = np.array([0.0, 0.25, 1.0])
    loss = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 9.0]])
    rb = reprice([10.0, 20.0], ai_exposure=[0.3, 0.8], ai_cut=cuts, equity_loss=loss)
    for s, c in enumerate(cuts):
        r1 = reprice([10.0, 20.0], ai_exposure=[0.3, 0.8], ai_cut=c, equity_loss=loss[:, s])
        np.testing.assert_allclose(rb.price_change[:, s], r1.price_change)
    # monotone: deeper cuts never raise prices
    assert (np.diff(rb.fundamental, axis=1) <= 0).all()


def test_reprice_bad_input():
    with pytest.raises(ValueError, match=r"'ai_cut' parameter of reprice\(\) must be in the range"):
        reprice([1.0], ai_exposure=[0.5], ai_cut=1.5)
    with pytest.raises(
        ValueError, match=r"'market_cap' parameter of reprice\(\) must be strictly positive \(> 0\)"
    ):
        reprice([0.0], ai_exposure=[0.5], ai_cut=0.1)
    with pytest.raises(ValueError, match=r"'ai_exposure' parameter of reprice\(\) must be in"):
        reprice([1.0], ai_exposure=[2.0], ai_cut=0.1)
    with pytest.raises(
        ValueError, match=r"'ai_exposure' parameter of reprice\(\) must be of shape"
    ):
        reprice([1.0, 2.0], ai_exposure=[0.5], ai_cut=0.1)
    with pytest.raises(
        ValueError, match=r"must be of shape \(1,\) or \(1, 2\) \(S = 2: one column per ai_cut\)"
    ):
        reprice([1.0], ai_exposure=[0.5], ai_cut=[0.1, 0.2], equity_loss=[[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="finite"):
        reprice([np.nan], ai_exposure=[0.5], ai_cut=0.1)


def test_index_return():
    assert index_return([0.43], [-0.174]) == pytest.approx(-0.07482)
    r = index_return([0.2, 0.3], [[-0.5, 0.0], [-0.1, 0.0]], rest_return=[0.0, -0.1])
    np.testing.assert_allclose(r, [-0.13, -0.05])
    with pytest.raises(ValueError, match="that sum to <= 1"):
        index_return([0.7, 0.6], [0.0, 0.0])


def test_savings_and_wealth_effect():
    s = savings_losses(
        np.array([-0.1, 0.0]),
        household_equity=100.0,
        retirement_assets=50.0,
        k401_assets=20.0,
        db_pension_assets=40.0,
        retirement_equity_share=0.5,
        pension_equity_share=0.25,
    )
    np.testing.assert_allclose(s.households, [-10.0, 0.0])
    np.testing.assert_allclose(s.retirement_accounts, [-2.5, 0.0])
    np.testing.assert_allclose(s.k401, [-1.0, 0.0])
    np.testing.assert_allclose(s.db_pensions, [-1.0, 0.0])
    np.testing.assert_allclose(wealth_effect(s.households, mpc=0.032), [-0.32, 0.0])
    with pytest.raises(
        ValueError,
        match=r"'mpc' parameter of wealth_effect\(\) must be a finite real number in the range \[0, 1\]",
    ):
        wealth_effect(1.0, mpc=1.5)
    with pytest.raises(ValueError, match="'pension_equity_share' parameter"):
        savings_losses(
            -0.1,
            household_equity=1.0,
            retirement_assets=1.0,
            k401_assets=1.0,
            db_pension_assets=1.0,
            retirement_equity_share=0.5,
            pension_equity_share=1.2,
        )


def test_consumption_demand_conserves_spending():
    f = consumption_demand([-100.0, -40.0], [0.5, 0.3, 0.15])
    np.testing.assert_allclose(f.sum(axis=0), [-95.0, -38.0])
    np.testing.assert_allclose(consumption_demand(-10.0, [0.5, 0.5]), [-5.0, -5.0])
    with pytest.raises(ValueError, match="that sum to <= 1"):
        consumption_demand(-1.0, [0.8, 0.8])
