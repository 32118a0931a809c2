"""The Network adapter: which rows count, status weights, contract-by-contract values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lahar.contagion import cascade
from lahar.data import load_network, load_parameters, status_weights
from lahar.errors import DataError
from lahar.network import Network
from lahar.scenarios import cascade_inputs, commitment_values

W = {"announced": 0.25, "committed": 0.5, "drawn": 1.0, "reported": 1.0, "estimate": 0.5}


def _a(t: float, r: float = 0.08) -> float:
    return (1 - (1 + r) ** -t) / r


def _net(end_investor=("", "", "", "")):
    ents = pd.DataFrame(
        {
            "id": ["lab", "cloud", "fund", "bank"],
            "name": ["Lab", "Cloud", "Fund", "Bank"],
            "kind": ["ai_lab", "neocloud", "asset_manager", "bank"],
            "end_investor": list(end_investor),
        }
    )
    exps = pd.DataFrame(
        {
            "id": ["x1", "x2", "x3", "x4", "x5", "x6"],
            "source": ["lab", "lab", "fund", "fund", "bank", "bank"],
            "target": ["cloud", "cloud", "cloud", "cloud", "cloud", "cloud"],
            "layer": ["cloud_contract", "cloud_contract", "equity", "equity", "debt", "debt"],
            "amount_usd": [100.0, 300.0, 30.0, 500.0, 40.0, 80.0],
            "status": ["committed", "committed", "reported", "reported", "drawn", "announced"],
            "term_years": [2.0, 10.0, np.nan, np.nan, np.nan, np.nan],
            "capacity": [None, None, None, "client", None, None],
            "supersedes": [None, None, None, None, None, None],
        }
    )
    rows = []
    for e, eq, ta in (("lab", 50, 90), ("cloud", 100, 400), ("fund", 60, 100), ("bank", 50, 500)):
        rows += [(e, 2025, "book_equity", eq, "point"), (e, 2025, "total_assets", ta, "point")]
    rows.append(("cloud", 2025, "market_cap", 1000.0, "point"))
    facts = pd.DataFrame(rows, columns=["entity", "year", "metric", "value", "basis"])
    return Network.from_frames(ents, exps, facts)


def test_two_contracts_on_one_pair_are_valued_one_by_one():
    """Hand numbers: 100 over 2 years (50 a year) and 300 over 10 years (30 a year), both
    committed (weight 0.5), at 8 %: 0.5 * (50 * 1.783265 + 30 * 6.710081) = 145.2328, not the blended
    0.5 * 80 * a(400/80 = 5) = 0.5 * 80 * 3.992710 = 159.7084 of the summed matrices."""
    inp = cascade_inputs(_net(), weights=W)
    v = commitment_values(inp, W, 0.08)
    np.testing.assert_allclose(v, [0.5 * 50 * _a(2), 0.5 * 30 * _a(10)], rtol=1e-12)
    assert v.sum() == pytest.approx(145.2328, abs=1e-4)
    # per-draw rates and weights give the same numbers column by column
    w2 = np.tile(np.array([W[s] for s in W])[:, None], (1, 2))
    v2 = commitment_values(inp, w2, np.array([0.08, 0.0]))
    np.testing.assert_allclose(v2[:, 0], v)
    np.testing.assert_allclose(v2[:, 1], [0.5 * 100, 0.5 * 300])


def test_stakes_at_market_client_holdings_and_status_weighted_debt():
    inp = cascade_inputs(_net(), weights=W)
    s = inp.system
    c, f, b = 1, 2, 3
    assert s.stakes[f, c] == 30.0  # own stake, reported = weight 1
    assert s.client_stakes[f, c] == 500.0  # held for clients
    assert s.debt[b, c] == 40.0 + 0.25 * 80.0  # drawn 40 + announced 80 at a quarter
    assert s.value[c] == 1000.0  # market value, not book equity 100
    np.testing.assert_allclose(inp.equity, [50, 100, 60, 50])
    np.testing.assert_allclose(s.liabilities, [40, 300, 40, 450])
    # the cloud loses 100: the fund loses 3 % of it on its own stake, its clients 50 %
    res = cascade(s, inp.equity, direct_loss=[0.0, 100.0, 0.0, 0.0])
    np.testing.assert_allclose(res.stake_loss[f], 3.0)
    np.testing.assert_allclose(res.client_loss[f], 50.0)


def test_missing_balance_sheets_are_listed_unless_end_investors():
    net = _net()
    facts = net.facts
    facts = facts[facts["entity"] != "fund"]
    bare = Network.from_frames(net.entities, net.exposures, facts)
    with pytest.raises(DataError, match=r"fund \(book_equity nan"):
        cascade_inputs(bare, weights=W)
    flagged = Network.from_frames(
        _net(end_investor=("", "", "yes", "")).entities, net.exposures, facts
    )
    inp = cascade_inputs(flagged, weights=W)
    assert inp.system.absorbing.tolist() == [False, False, True, False]
    assert inp.equity[2] == 30.0  # an end investor's holdings, nothing external


def test_one_status_weight_table_from_the_data():
    p = load_parameters()
    w = status_weights(p)
    assert set(w) == set(W)
    assert w["announced"] < w["committed"] < w["drawn"]
    net = load_network()
    assert net.termless_years == p.value("termless_years")


def test_one_firm_failing_on_the_shipped_network_passes_the_smell_test() -> None:
    """OpenAI fails alone (a forced default): Microsoft loses its whole stake, which
    exposures.csv records as X0019 at $135B (reported, weight 1; the $11.6B cash row X0018 is
    superseded by it), and no asset manager or index fund defaults on its clients' money."""
    import numpy as np

    net = load_network()
    inp = cascade_inputs(net)
    forced = np.zeros(net.n, dtype=bool)
    forced[net.index_of("openai")] = True
    res = cascade(inp.system, inp.equity, forced_default=forced)
    np.testing.assert_allclose(res.stake_loss[net.index_of("microsoft")], 135e9, rtol=1e-12)
    kinds = np.asarray(net.kinds)
    managers = np.isin(kinds, ["asset_manager", "index_fund"])
    assert not (res.defaulted & managers).any()
    assert res.client_loss[managers].sum() > 0  # their clients lose instead
