"""The grid side and the listed-firm repricing of a capex cut, by hand from parameters.csv."""

from __future__ import annotations

import numpy as np
import pytest

from lahar.data import load_network, load_parameters
from lahar.scenarios import firm_repricing, power_bust

P = load_parameters()


def test_power_bust_by_hand() -> None:
    """A 40 % cut removes 40 % of the data centres' share of PJM's load growth (5.1 GW):
    dL = -2.04 GW. Capacity (1 + RM) P is fixed, so RM' = (1 + RM) P / (P + dL) - 1; the
    price moves along the slope from the uncapped 2027/28 price, capped."""
    cut = 0.4
    b = power_bust([0.0, cut], P)
    v = P.value
    dl = -cut * v("pjm_dc_load_growth")
    np.testing.assert_allclose(b.load_change_gw, [0.0, dl])
    rm, peak = v("pjm_reserve_margin_cleared"), v("pjm_peak_load")
    np.testing.assert_allclose(b.reserve_margin_after[1], (1 + rm) * peak / (peak + dl) - 1)
    assert b.reserve_margin_before == pytest.approx(rm)
    price = min(
        v("pjm_capacity_price_cap"),
        v("pjm_capacity_price_2027", "high") + v("pjm_price_slope") * dl,
    )
    np.testing.assert_allclose(b.price_after[1], price)
    np.testing.assert_allclose(b.cost_change[0], 0.0, atol=1e-6)
    assert b.ppa_revenue_at_risk[1] > b.ppa_revenue_at_risk[0] == 0


def test_firm_repricing_is_exposure_times_cut() -> None:
    net = load_network(params=P)
    r = firm_repricing(net, 0.3, P)
    assert len(r)
    np.testing.assert_allclose(r["price_change"], -0.3 * r["ai_exposure"])
    known = r["market_cap_usd"].notna()
    np.testing.assert_allclose(
        r.loc[known, "value_change_usd"],
        r.loc[known, "market_cap_usd"] * r.loc[known, "price_change"],
    )
