"""Multi-channel cascade on a Network: hand-worked chains, consistency with each channel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lahar.contagion import (
    CascadeResult,
    cascade,
    commitment_losses,
    eisenberg_noe,
)
from lahar.errors import ConvergenceError, DataError
from lahar.network import Network, synthetic


def _facts(ids, equity, assets, market_cap=None):
    rows = []
    for i, name in enumerate(ids):
        rows.append((name, 2025, "book_equity", equity[i]))
        rows.append((name, 2025, "total_assets", assets[i]))
        if market_cap is not None and np.isfinite(market_cap[i]):
            rows.append((name, 2025, "market_cap", market_cap[i]))
    return pd.DataFrame(rows, columns=["entity", "year", "metric", "value"])


def _chain_network():
    """lab -> cloud (cloud contract, 8/yr for 5 yrs, drawn); bank lent 45 to cloud.

    Balance sheets: lab A=20 E=5; cloud A=60 E=10 (owes 45 to bank, 5 outside); bank
    A=200 E=20.
    """
    ids = ["lab", "cloud", "bank"]
    return Network.from_arrays(
        ids,
        [0, 2],
        [1, 1],
        [40.0, 45.0],
        layer=["cloud_contract", "debt"],
        status=["drawn", "drawn"],
        term_years=[5.0, np.nan],
        facts=_facts(ids, [5.0, 10.0, 20.0], [20.0, 60.0, 200.0]),
    )


def test_commitment_default_propagates_to_the_supplier_and_its_lender():
    """Worked by hand. The lab loses its funding and defaults; the cloud loses the margin on
    8/yr for 5 years: 0.5 * 8 * a(5, 8%) = 15.9708 > its equity 10, so it defaults; it then
    pays its creditors pro rata: external assets 60 - 15.9708 = 44.0292 against obligations
    45 (bank) + 5 (outside) = 50, so the bank receives 45/50 * 44.0292 = 39.6263 and loses
    5.3737."""
    net = _chain_network()
    res = cascade(net, [1.0, 0.0, 0.0], margin=0.5)
    assert isinstance(res, CascadeResult)
    a5 = (1 - 1.08**-5) / 0.08
    lost_margin = 0.5 * 8.0 * a5
    np.testing.assert_allclose(res.commitment_loss, [0.0, lost_margin, 0.0], rtol=1e-12)
    assert res.defaulted.tolist() == [True, True, False]
    paid = 60.0 - lost_margin
    np.testing.assert_allclose(res.payments[1], paid, rtol=1e-12)
    np.testing.assert_allclose(res.credit_loss, [0.0, 0.0, 45.0 - 45.0 / 50.0 * paid], rtol=1e-12)
    np.testing.assert_allclose(res.equity, res.equity_before - res.total_loss)
    total = sum(res.by_channel.values())
    np.testing.assert_allclose(res.total_loss, total)
    # the same run without the commitment channel: nobody but the lab is hurt
    quiet = cascade(net, [1.0, 0.0, 0.0], margin=0.0)
    assert quiet.defaulted.tolist() == [True, False, False]
    assert quiet.credit_loss[2] == 0.0


def test_status_weights_and_rates_are_applied():
    net = _chain_network()
    base = cascade(net, [1.0, 0.0, 0.0], margin=0.1)
    half = cascade(net, [1.0, 0.0, 0.0], margin=0.1, status_weight={"drawn": 0.5})
    np.testing.assert_allclose(half.commitment_loss, base.commitment_loss / 2)
    flat = cascade(net, [1.0, 0.0, 0.0], margin=0.1, discount_rate=0.0)
    np.testing.assert_allclose(flat.commitment_loss[1], 0.1 * 40.0)


def test_equity_stake_and_fire_sale_channels():
    """A fund holds 30 of the cloud's stock (market cap 40). When the cloud loses 60 % of its
    equity, the stake is written down by 60 % (18); the fund then sells b * loss * 30/A of the
    stake, pushing the price down by sold / market cap on what is left."""
    ids = ["cloud", "fund"]
    net = Network.from_arrays(
        ids,
        [1],
        [0],
        [30.0],
        layer="equity",
        status="reported",
        facts=_facts(ids, [10.0, 20.0], [50.0, 100.0], market_cap=[40.0, np.nan]),
    )
    ext_cloud = 50.0
    shock = 6.0 / ext_cloud  # cloud loses 6 = 60 % of its equity
    res = cascade(net, [shock, 0.0], price_impact=1.0)
    h = 0.6
    np.testing.assert_allclose(res.stake_loss, [0.0, 30.0 * h], rtol=1e-9)
    # fund: loss 18 + fire; leverage b = (100 - 20) / 20 = 4; the cloud does not sell
    fund_loss = res.total_loss[1]
    sold = 4.0 * min(fund_loss, 20.0) * 30.0 / 100.0
    phi = min(1.0, sold / 40.0)
    np.testing.assert_allclose(res.price_change, [-phi, 0.0], rtol=1e-8)
    np.testing.assert_allclose(res.fire_sale_loss[1], 30.0 * (1 - h) * phi, rtol=1e-8)
    no_fire = cascade(net, [shock, 0.0], price_impact=0.0)
    assert no_fire.fire_sale_loss.max() == 0.0
    np.testing.assert_allclose(no_fire.total_loss[1], 18.0)


def test_debt_only_network_matches_eisenberg_noe(engine):
    """Without commitments and stakes the cascade is exactly the clearing of the debt layer
    with external assets e0 * (1 - shock) and external liabilities implied by the facts."""
    full = synthetic(300, 1500, seed=4)
    # keep the facts of the full network (balance sheets include the dropped stakes as
    # external assets: e0 = A - lent)
    debt_only = full.select(layers="debt")
    D = debt_only.layer("debt")
    eq = debt_only.fact("book_equity")
    ta = debt_only.fact("total_assets")
    rng = np.random.default_rng(0)
    shock = rng.uniform(0, 0.3, (300, 3))
    res = cascade(debt_only, shock)
    lent = np.asarray(D.sum(axis=1)).ravel()
    borrowed = np.asarray(D.sum(axis=0)).ravel()
    e0 = ta - lent
    el = np.maximum(ta - eq - borrowed, 0.0)
    en = eisenberg_noe(D.T, e0[:, None] * (1 - shock), external_liabilities=el)
    np.testing.assert_allclose(res.payments, en.payments, rtol=1e-10)
    np.testing.assert_allclose(res.credit_loss, en.credit_loss, rtol=1e-9, atol=1e-3)
    np.testing.assert_array_equal(res.defaulted, en.defaulted)


def test_fixed_point_consistency_on_synthetic(engine):
    """At the fixed point each channel reproduces itself: commitment losses equal
    commitment_losses() with the final defaults; the clearing of the final external assets
    gives the final payments."""
    net = synthetic(400, 2500, seed=7)
    n = net.n
    rng = np.random.default_rng(1)
    shock = np.zeros((n, 3))
    shock[:, 1] = 0.08
    shock[rng.choice(n, 10, replace=False), 2] = 1.0
    res = cascade(net, shock, margin=0.4)
    layers = ("purchase_commitment", "cloud_contract", "chip_purchase", "lease")
    comm = {}
    terms = {}
    for status in ("announced", "committed", "drawn"):
        yearly = net.layer(list(layers), status=status, annualize=True)
        whole = net.layer(list(layers), status=status)
        comm[status] = yearly
        t = whole.copy()
        t.data = np.divide(whole.data, yearly.data)
        terms[status] = t
    expected = commitment_losses(
        comm, res.defaulted.astype(float), margin=0.4, term_years=terms
    ).losses
    np.testing.assert_allclose(res.commitment_loss, expected, rtol=1e-9, atol=1e-3)
    # batch = columns
    for s in range(3):
        one = cascade(net, shock[:, s], margin=0.4)
        np.testing.assert_allclose(one.total_loss, res.total_loss[:, s], rtol=1e-8, atol=1.0)
        np.testing.assert_array_equal(one.defaulted, res.defaulted[:, s])


def test_zero_shock_zero_loss_and_monotone():
    net = synthetic(300, 1500, seed=2)
    zero = cascade(net, np.zeros(net.n))
    assert zero.total_loss.max() == 0.0
    assert not zero.defaulted.any()
    np.testing.assert_allclose(zero.equity, zero.equity_before)
    lo = cascade(net, np.full(net.n, 0.03))
    hi = cascade(net, np.full(net.n, 0.06))
    assert (hi.total_loss >= lo.total_loss - 1e-6).all()
    assert (hi.defaulted >= lo.defaulted).all()


def test_missing_facts_are_listed():
    ids = ["a", "b", "c"]
    facts = _facts(ids, [1.0, np.nan, -2.0], [5.0, 5.0, 5.0])
    net = Network.from_arrays(ids, [0], [1], [1.0], facts=facts)
    with pytest.raises(DataError, match=r"'book_equity' must be known and > 0 .* invalid for b, c"):
        cascade(net, np.zeros(3))
    # estimates fill the gaps (NaN = keep the fact)
    res = cascade(net, np.zeros(3), book_equity=[np.nan, 2.0, 3.0])
    np.testing.assert_array_equal(res.equity_before, [1.0, 2.0, 3.0])
    with pytest.raises(DataError, match=r"'book_equity' .* of shape \(3,\)"):
        cascade(net, np.zeros(3), book_equity=[1.0, 2.0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"shock": [1.5, 0, 0]},
            r"'shock' parameter of cascade\(\) must be in \[0, 1\].*Got 1\.5 at \[0\]",
        ),
        ({"shock": [0.5, 0]}, r"'shock' .* \(3,\) or \(3, S\)\. Got shape \(2,\)"),
        ({"alpha": 2.0}, r"'alpha' .* \[0, 1\]\. Got 2"),
        ({"margin": 1.2}, r"'margin' .* \[0, 1\]\. Got 1\.2"),
        ({"price_impact": -1.0}, r"'price_impact' .* \[0, inf\)\. Got -1"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"shock": [0.5, 0.0, 0.0]} | kwargs
    with pytest.raises(DataError, match=match):
        cascade(_chain_network(), **args)


def test_convergence_error():
    net = synthetic(200, 1500, seed=5)
    with pytest.raises(ConvergenceError, match="joint fixed point") as info:
        cascade(net, np.full(net.n, 0.05), max_iter=2, tol=0.0)
    assert info.value.n_iter == 2
