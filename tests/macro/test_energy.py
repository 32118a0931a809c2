"""Tests of lahar.macro.energy against the PJM figures it is calibrated on."""

from __future__ import annotations

import numpy as np
import pytest

from lahar.data import load_parameters
from lahar.macro.energy import (
    average_load,
    bust_exposure,
    capacity_bill,
    capacity_price,
    grid_balance,
)

P = load_parameters()


def test_average_load_lbnl():
    # LBNL: 325-580 TWh in 2028 vs 74-132 GW of capacity -> utilisation ~0.5 at both ends
    lo, hi = average_load([325.0, 580.0])
    assert lo / 74 == pytest.approx(0.50, abs=0.01)
    assert hi / 132 == pytest.approx(0.50, abs=0.01)


def test_grid_balance_identities():
    b = grid_balance(
        np.array([-10.0, 0.0, 10.0]), peak_gw=100.0, reserve_margin=0.15, target_margin=0.2
    )
    np.testing.assert_allclose(b.reserve_margin, [115 / 90 - 1, 0.15, 115 / 110 - 1])
    np.testing.assert_allclose(b.shortfall_gw, [0.0, 5.0, 17.0])
    np.testing.assert_allclose(b.surplus_gw, [7.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="leaves a positive peak load"):
        grid_balance(-200.0, peak_gw=100.0, reserve_margin=0.15, target_margin=0.2)


def test_capacity_price_calibration():
    # 2027/28: uncapped $529.80 capped at $333.44 (PJM); slope reproduces 2025/26 ($269.92)
    # when the 5.25 GW of load growth is removed
    p = capacity_price(
        [0.0, -5.25, -100.0],
        uncapped_price=P.value("pjm_capacity_price_2027", "high"),
        slope=P.value("pjm_price_slope"),
        cap=P.value("pjm_capacity_price_cap"),
    )
    assert p[0] == pytest.approx(333.44)
    assert p[1] == pytest.approx(P.value("pjm_capacity_price_2025"), abs=1.0)
    assert p[2] == 0.0
    assert np.all(np.diff(p) <= 0)


def test_capacity_bill_reproduces_auction_cost():
    total, per = capacity_bill(
        P.value("pjm_capacity_price_2026"),
        base_price=P.value("pjm_capacity_price_2026"),
        base_cost=P.value("pjm_capacity_cost_2026"),
        customers=P.value("pjm_customers"),
    )
    assert total == 0.0
    assert per == 0.0
    total, per = capacity_bill(0.0, base_price=329.17, base_cost=16.1e9, customers=67e6)
    assert total == pytest.approx(-16.1e9)
    assert per == pytest.approx(-16.1e9 / 67e6)


def test_bust_exposure_linear_and_checked():
    b = bust_exposure(
        np.array([0.0, 0.5, 1.0]), contract_value=18e9, restart_capex=1.6e9, deferred_coal_gw=8.5
    )
    np.testing.assert_allclose(b.contract_revenue_at_risk, [0.0, 9e9, 18e9])
    np.testing.assert_allclose(b.coal_retirements_resumed_gw, [0.0, 4.25, 8.5])
    np.testing.assert_allclose(b.utility_capex_at_risk, 0.0)
    u = bust_exposure(
        0.5,
        contract_value=0.0,
        restart_capex=0.0,
        deferred_coal_gw=0.0,
        planned_capex=208e9,
        dc_capex_share=0.26,
    )
    assert u.utility_capex_at_risk == pytest.approx(0.5 * 208e9 * 0.26)
    with pytest.raises(ValueError, match=r"'dc_capex_share' parameter of bust_exposure\(\)"):
        bust_exposure(
            0.5, contract_value=0.0, restart_capex=0.0, deferred_coal_gw=0.0, dc_capex_share=2.0
        )
    with pytest.raises(ValueError, match="must be in the range \\[0, 1\\]"):
        bust_exposure(1.5, contract_value=1.0, restart_capex=1.0, deferred_coal_gw=1.0)
