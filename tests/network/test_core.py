"""Network: layer matrices against hand-built examples and networkx, sub-networks, I/O."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from lahar.data import load_network
from lahar.errors import DataError
from lahar.network import LAYERS, Entity, Network, synthetic

from ..conftest import MINI


def small() -> Network:
    ents = pd.DataFrame(
        {"id": ["a", "b", "c"], "name": ["A", "B", "C"], "kind": ["bank", "neocloud", "ai_lab"]}
    )
    exps = pd.DataFrame(
        {
            "id": ["x1", "x2", "x3", "x4", "x5"],
            "source": ["a", "a", "b", "c", "b"],
            "target": ["b", "b", "c", "a", "c"],
            "layer": ["debt", "debt", "cloud_contract", "equity", "cloud_contract"],
            "amount_usd": [10.0, 5.0, 30.0, 7.0, 8.0],
            "status": ["drawn", "committed", "committed", "reported", "announced"],
            "term_years": [np.nan, np.nan, 3.0, np.nan, 4.0],
        }
    )
    return Network.from_frames(ents, exps)


def test_layer_matches_hand_built_matrix():
    net = small()
    # debt: a lent 10 + 5 to b (duplicates summed)
    np.testing.assert_array_equal(net.layer("debt").toarray(), [[0, 15, 0], [0, 0, 0], [0, 0, 0]])
    # cloud: b buys from c 30 (3 y) and 8 (4 y); annualised 10 + 2
    np.testing.assert_array_equal(net.layer("cloud_contract").toarray()[1], [0, 0, 38])
    np.testing.assert_allclose(net.layer("cloud_contract", annualize=True).toarray()[1], [0, 0, 12])
    # status filter and the sum of two layers
    np.testing.assert_array_equal(net.layer("debt", status="drawn").toarray()[0], [0, 10, 0])
    both = net.layer(("debt", "equity"), status=("drawn", "reported")).toarray()
    np.testing.assert_array_equal(both, [[0, 10, 0], [0, 0, 0], [7, 0, 0]])


def test_layer_status_weights():
    net = small()
    w = {"announced": 0.25, "committed": 0.5, "drawn": 1.0, "reported": 1.0}
    got = net.layer(("debt", "cloud_contract"), weights=w, annualize=True).toarray()
    # a->b: 10*1 + 5*0.5 ; b->c: 30/3*0.5 + 8/4*0.25
    np.testing.assert_allclose(got[0, 1], 12.5)
    np.testing.assert_allclose(got[1, 2], 5.5)
    with pytest.raises(ValueError, match=r"Got no weight for \['announced'\]"):
        net.layer("cloud_contract", weights={"committed": 1.0})


def test_layer_equals_networkx_adjacency_on_synthetic():
    net = synthetic(300, 3000, seed=7)
    frame = net.exposures
    for layer in ("debt", "equity", "chip_purchase"):
        g = nx.MultiDiGraph()
        g.add_nodes_from(net.ids)
        sel = frame[frame["layer"] == layer]
        g.add_weighted_edges_from(
            zip(sel["source"], sel["target"], sel["amount_usd"], strict=True), weight="w"
        )
        ref = nx.to_scipy_sparse_array(g, nodelist=list(net.ids), weight="w").toarray()
        np.testing.assert_allclose(net.layer(layer).toarray(), ref, rtol=1e-12)


def test_layer_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unknown layer"):
        small().layer("loans")
    with pytest.raises(ValueError, match="Unknown status"):
        small().layer("debt", status="rumoured")


def test_from_frames_reports_every_bad_row():
    ents = pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"], "kind": ["bank", "bank"]})
    exps = pd.DataFrame(
        {
            "source": ["a", "zz", "a"],
            "target": ["b", "a", "yy"],
            "layer": ["debt", "debt", "bonds"],
            "amount_usd": [1.0, -2.0, 3.0],
            "status": ["drawn", "drawn", "drawn"],
        }
    )
    with pytest.raises(DataError) as info:
        Network.from_frames(ents, exps)
    msg = str(info.value)
    assert "unknown source ids ['zz']" in msg
    assert "unknown target ids ['yy']" in msg
    assert "amount_usd must be finite and >= 0 (rows [1])" in msg
    assert "unknown layer values ['bonds']" in msg


def test_immutable():
    net = small()
    with pytest.raises(ValueError, match="read-only"):
        net.amount[0] = 1.0
    ents = net.entities
    ents.loc[0, "name"] = "changed"
    assert net.entity("a").name == "A"
    exps = net.exposures
    exps.loc[0, "amount_usd"] = 1e12
    assert net.layer("debt").sum() == 15.0


def test_subnetwork_and_select():
    net = small()
    sub = net.subnetwork(["b", "c"])
    assert list(sub.ids) == ["b", "c"]
    np.testing.assert_array_equal(sub.layer("cloud_contract").toarray(), [[0, 38], [0, 0]])
    assert sub.m == 2  # the debt a->b and equity c->a edges leave with a
    mask = np.array([True, True, False])
    assert net.subnetwork(mask).m == 2
    only = net.select(layers="debt", status="drawn")
    assert only.n == 3
    assert only.m == 1
    with pytest.raises(KeyError, match="No entities"):
        net.subnetwork(["b", "nope"])


def test_entity_and_index():
    net = small()
    assert net.entity("b") == Entity("b", "B", "neocloud", None, None)
    assert net.index_of("c") == 2
    np.testing.assert_array_equal(net.index_of(["c", "a"]), [2, 0])
    with pytest.raises(KeyError, match="No entity 'q'"):
        net.index_of("q")
    assert [e.id for e in net.exposure_list("debt")] == ["x1", "x2"]


def test_arrow_and_pandas_round_trip():
    net = load_network(MINI)
    again = Network.from_arrow(net.to_arrow())
    assert again.equals(net)
    ents, exps, facts = net.to_pandas()
    assert Network.from_frames(ents, exps, facts).equals(net)
    for layer in LAYERS:
        assert (again.layer(layer) != net.layer(layer)).nnz == 0


def test_fact_latest_year_and_tie_break():
    ents = pd.DataFrame({"id": ["a", "b", "c"], "name": ["A", "B", "C"], "kind": ["bank"] * 3})
    exps = pd.DataFrame(columns=["source", "target", "layer", "amount_usd", "status"])
    facts = pd.DataFrame(
        {
            "entity": ["a", "a", "b", "b", "b"],
            "year": [2024, 2025, 2025, 2025, 2025],
            "metric": ["book_equity"] * 5,
            "value": [1.0, 2.0, 10.0, 20.0, 30.0],
            "confidence": ["high", "high", "low", "high", "high"],
            "status": ["reported", "reported", "reported", "estimate", "reported"],
        }
    )
    net = Network.from_frames(ents, exps, facts)
    # a: latest year wins; b: high confidence beats low, reported beats estimate; c: missing
    np.testing.assert_array_equal(net.fact("book_equity"), [2.0, 30.0, np.nan])
    np.testing.assert_array_equal(net.fact("book_equity", year=2024), [1.0, np.nan, np.nan])
    assert np.isnan(net.fact("cash")).all()


def test_synthetic_is_seeded_heavy_tailed_and_consistent():
    a = synthetic(2000, 20000, seed=3)
    b = synthetic(2000, 20000, seed=3)
    assert a.equals(b)
    assert not a.equals(synthetic(2000, 20000, seed=4))
    deg = np.bincount(a.source, minlength=a.n) + np.bincount(a.target, minlength=a.n)
    assert deg.max() > 10 * np.median(deg)  # heavy tail
    assert not (a.source == a.target).any()
    # balance sheets: external assets + claims >= what the firm owes (solvent before shocks)
    owed = a.layer("debt").sum(axis=0)
    claims = a.layer("debt").sum(axis=1) + a.layer("equity").sum(axis=1)
    assert np.all(a.fact("external_assets") + claims >= owed)
    assert np.all(a.fact("book_equity") > 0)
    np.testing.assert_allclose(a.fact("total_assets"), a.fact("external_assets") + claims)


def test_superseded_exposures_left_out_by_default():
    ents = pd.DataFrame({"id": ["n", "o"], "name": ["N", "O"], "kind": ["chipmaker", "ai_lab"]})
    exps = pd.DataFrame(
        {
            "id": ["loi", "deal", "other"],
            "source": ["n", "n", "o"],
            "target": ["o", "o", "n"],
            "layer": ["equity", "equity", "chip_purchase"],
            "amount_usd": [100.0, 30.0, 5.0],
            "status": ["announced", "committed", "drawn"],
            "supersedes": [None, "loi", None],
        }
    )
    net = Network.from_frames(ents, exps)
    assert net.layer("equity")[0, 1] == 30.0
    assert net.layer("equity", include_superseded=True)[0, 1] == 130.0
    # select keeps the rows (so the dataset can be written back) and the supersession
    kept = net.select(layers="equity")
    assert kept.m == 2
    assert kept.layer("equity")[0, 1] == 30.0


def test_shipped_oracle_revenue_is_the_fiscal_year_not_a_quarter() -> None:
    """Oracle's facts hold FY2025 revenue ($57.4B, to 31 May 2025) and a later quarter ($14.9B,
    FQ1 FY2026): the latest revenue with no year given is the full year."""
    from lahar.data import load_network

    net = load_network()
    i = net.index_of("oracle")
    assert net.fact("revenue")[i] == 57.4e9
    rows = net.fact_rows("revenue", partial=True)
    assert rows.loc[rows["position"] == i, "value"].iloc[0] == 14.9e9  # the quarter, asked for
