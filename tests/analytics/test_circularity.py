"""Tests of lahar.analytics.circularity: hand values, independent solvers, simulation."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from lahar.analytics._flowkernel import HAVE_NUMBA
from lahar.analytics.circularity import (
    max_circulation,
    money_flow_table,
    money_flows,
    round_trip,
    top_cycles,
)
from lahar.network import Network

METHODS = ["flow", "highs"]

# --------------------------------------------------------------------------- helpers


def random_flows(rng: np.random.Generator, n: int, m: int, *, integer: bool = False) -> np.ndarray:
    F = np.zeros((n, n))
    s = rng.integers(0, n, m)
    d = rng.integers(0, n, m)
    vals = rng.integers(1, 20, m).astype(float) if integer else rng.lognormal(0, 1.5, m)
    np.add.at(F, (s, d), vals)
    np.fill_diagonal(F, 0.0)
    return F


def lp_reference(F: np.ndarray) -> float:
    """Max circulation by scipy linprog on the dense edge list (independent of the package)."""
    s, d = np.nonzero(F)
    f = F[s, d]
    n, m = F.shape[0], f.size
    if m == 0:
        return 0.0
    A = np.zeros((n, m))
    A[s, np.arange(m)] += 1.0
    A[d, np.arange(m)] -= 1.0
    res = linprog(
        -np.ones(m), A_eq=A, b_eq=np.zeros(n), bounds=list(zip(np.zeros(m), f, strict=False))
    )
    assert res.status == 0
    return -res.fun


def nx_reference(F: np.ndarray) -> float:
    """Max circulation by networkx network simplex (integer capacities, weight -1)."""
    G = nx.DiGraph()
    G.add_nodes_from(range(F.shape[0]))
    for i, j in zip(*np.nonzero(F), strict=True):
        G.add_edge(int(i), int(j), capacity=int(F[i, j]), weight=-1)
    cost, flow = nx.network_simplex(G)
    return float(-cost)


def simulate_return(F: np.ndarray, T: np.ndarray, i: int, *, steps: int = 20_000) -> float:
    """Probability that a dollar paid by i into the network comes back, by pushing the dollar's
    probability mass one payment at a time until (almost) none is left in the network."""
    out = F.sum(axis=1)
    P = F / np.where(T > 0, T, 1.0)[:, None]
    mass = F[i] / out[i]
    back = 0.0
    for _ in range(steps):
        back += mass[i]
        mass[i] = 0.0
        if mass.sum() < 1e-15:
            break
        mass = mass @ P
    return back


# --------------------------------------------------------------------------- max_circulation


@pytest.mark.parametrize("method", METHODS)
def test_article_example(method: str) -> None:
    # A invests 100 in B, B buys 80 from A and 20 from C: 80 goes round, counted on 2 edges.
    F = np.array([[0, 100, 0], [80, 0, 20], [0, 0, 0]], dtype=float)
    c = max_circulation(F, method=method)
    assert c.total == pytest.approx(160.0)
    np.testing.assert_allclose(c.flows.toarray(), [[0, 80, 0], [80, 0, 0], [0, 0, 0]])
    np.testing.assert_allclose(c.through, [80, 80, 0])
    assert c.share == pytest.approx(160 / 200)
    assert c.method == method


@pytest.mark.parametrize("method", METHODS)
def test_triangle_and_chord_by_hand(method: str) -> None:
    # Cycle 0->1->2->0 with capacities 5, 3, 4 plus a chord 1->0 of 2.
    # Best: 3 round the triangle (3 edges = 9) and 2 on 0->1->0 (2 edges = 4): total 13.
    F = np.zeros((3, 3))
    F[0, 1], F[1, 2], F[2, 0], F[1, 0] = 5, 3, 4, 2
    assert max_circulation(F, method=method).total == pytest.approx(13.0)


@pytest.mark.parametrize("method", METHODS)
def test_longer_cycle_beats_short_one(method: str) -> None:
    # A shared edge 0->1 of 10 can return via 1->0 (2 edges) or via 1->2->3->0 (4 edges);
    # unit edge weights make the long way worth more: 10 round the 4-cycle = 40.
    F = np.zeros((4, 4))
    F[0, 1], F[1, 0], F[1, 2], F[2, 3], F[3, 0] = 10, 10, 10, 10, 10
    assert max_circulation(F, method=method).total == pytest.approx(40.0)


@pytest.mark.parametrize("method", METHODS)
def test_acyclic_has_no_circulation(method: str) -> None:
    F = np.triu(np.ones((5, 5)), k=1)
    c = max_circulation(sp.csr_array(F), method=method)
    assert c.total == 0.0
    assert c.flows.nnz == 0


def test_self_loop_circulates_whole_and_empty_graph() -> None:
    F = np.diag([3.0, 0.0])
    assert max_circulation(F).total == 3.0
    assert max_circulation(np.zeros((2, 2))).total == 0.0
    assert max_circulation(np.zeros((0, 0))).total == 0.0


@pytest.mark.parametrize("seed", range(25))
def test_matches_linprog_on_random_graphs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    F = random_flows(rng, int(rng.integers(3, 25)), int(rng.integers(5, 90)))
    ref = lp_reference(F)
    for method in METHODS:
        c = max_circulation(F, method=method)
        assert c.total == pytest.approx(ref, rel=1e-8, abs=1e-9)
        C = c.flows.toarray()
        assert (C >= 0).all()
        assert (C <= F + 1e-9).all()
        np.testing.assert_allclose(C.sum(axis=0), C.sum(axis=1), atol=1e-9)


@pytest.mark.parametrize("seed", range(10))
def test_matches_networkx_network_simplex_exactly_on_integers(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    F = random_flows(rng, 15, 60, integer=True)
    ref = nx_reference(F)
    assert max_circulation(F, method="flow").total == pytest.approx(ref, abs=1e-9)


@pytest.mark.skipif(not HAVE_NUMBA, reason="kernel is only fast with numba")
def test_kernel_on_a_larger_synthetic_network_matches_highs() -> None:
    from lahar.network import synthetic

    net = synthetic(2000, 10_000, seed=3)
    F = money_flows(net, status_weights=None)
    a = max_circulation(F, method="flow")
    b = max_circulation(F, method="highs")
    assert a.total == pytest.approx(b.total, rel=1e-8)
    assert a.residual <= 1e-9 * F.max()
    assert max_circulation(F).method == "flow"


def test_bad_input_errors() -> None:
    with pytest.raises(
        ValueError, match=r"'flows' parameter of max_circulation\(\) must be non-negative"
    ):
        max_circulation(np.array([[0.0, -1.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="square"):
        max_circulation(np.ones((2, 3)))
    with pytest.raises(ValueError, match="'method' parameter"):
        max_circulation(np.ones((2, 2)), method="magic")  # type: ignore[arg-type]


def test_does_not_mutate_input() -> None:
    F = sp.csr_array(np.array([[0, 2.0], [1.0, 0]]))
    before = F.toarray().copy()
    max_circulation(F)
    round_trip(F)
    top_cycles(F)
    np.testing.assert_array_equal(F.toarray(), before)


# --------------------------------------------------------------------------- round_trip


def test_round_trip_by_hand() -> None:
    F = np.array([[0, 100, 0], [80, 0, 20], [0, 0, 0]], dtype=float)
    rt = round_trip(F)
    np.testing.assert_allclose(rt.share, [0.8, 0.8, 0.0])
    np.testing.assert_allclose(rt.returned, [80.0, 80.0, 0.0])
    np.testing.assert_allclose(rt.revenue_share, [1.0, 0.8, 0.0])
    # A has 300 of outside revenue: a dollar coming back to A is re-spent with prob 1/4.
    rt2 = round_trip(F, turnover=[400.0, np.nan, np.nan])
    np.testing.assert_allclose(rt2.share, [0.8, 0.2, 0.0])


def test_round_trip_closed_loop_returns_everything() -> None:
    F = np.array([[0, 5.0], [5.0, 0]])
    np.testing.assert_allclose(round_trip(F).share, [1.0, 1.0])


def test_round_trip_no_inflow_gives_nan_revenue_share() -> None:
    F = np.array([[0, 5.0], [0, 0]])
    rt = round_trip(F)
    assert np.isnan(rt.revenue_share[0])
    np.testing.assert_allclose(rt.share, [0.0, 0.0])


@pytest.mark.parametrize("seed", range(12))
def test_round_trip_matches_step_by_step_simulation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 9))
    F = random_flows(rng, n, int(rng.integers(n, 4 * n)))
    out, inn = F.sum(axis=1), F.sum(axis=0)
    turnover = np.maximum(out, inn) * rng.uniform(1.0, 3.0, n)
    rt = round_trip(F, turnover=turnover)
    for i in range(n):
        expect = simulate_return(F, turnover, i) if out[i] > 0 else 0.0
        assert rt.share[i] == pytest.approx(expect, abs=1e-9)


def test_round_trip_matches_monte_carlo() -> None:
    # 20,000 dollars walked one by one on a 4-firm graph; the exact answer is within 3 sigma.
    F = np.array([[0, 6, 0, 0], [2, 0, 3, 1], [1, 0, 0, 2], [0, 4, 0, 0]], dtype=float)
    T = np.array([10.0, 8.0, 5.0, 6.0])
    rng = np.random.default_rng(7)
    out = F.sum(axis=1)
    P = np.column_stack([F / T[:, None], 1 - out / T])  # last column: leaves the network
    exact = round_trip(F, turnover=T).share[1]
    draws = 20_000
    hits = 0
    for _ in range(draws):
        j = rng.choice(4, p=F[1] / out[1])
        while True:
            if j == 1:
                hits += 1
                break
            j = rng.choice(5, p=P[j])
            if j == 4:
                break
    est = hits / draws
    assert abs(est - exact) < 3 * np.sqrt(exact * (1 - exact) / draws)


def test_round_trip_nodes_subset_and_sparse_path() -> None:
    rng = np.random.default_rng(5)
    F = random_flows(rng, 30, 120)
    full = round_trip(F)
    sub = round_trip(F, nodes=[3, 7])
    np.testing.assert_allclose(sub.share[[3, 7]], full.share[[3, 7]])
    assert (np.delete(sub.share, [3, 7]) == 0).all()
    with pytest.raises(ValueError, match=r"'nodes' parameter of round_trip\(\)"):
        round_trip(F, nodes=[30])


def test_round_trip_large_component_uses_sparse_lu() -> None:
    # A 2,500-node ring with leaks: every firm passes on 99.9 % of its turnover to the next.
    n = 2500
    F = sp.csr_array((np.full(n, 0.999), (np.arange(n), (np.arange(n) + 1) % n)), shape=(n, n))
    rt = round_trip(F, turnover=np.ones(n), nodes=[0, 1])
    np.testing.assert_allclose(rt.share[:2], 0.999 ** (n - 1), rtol=1e-9)


# --------------------------------------------------------------------------- top_cycles


def test_top_cycles_by_hand() -> None:
    F = np.array([[0, 100, 0], [80, 0, 20], [30, 0, 0]], dtype=float)
    cy = top_cycles(F, k=3)
    assert cy.nodes == ((0, 1), (0, 1, 2))
    np.testing.assert_allclose(cy.values, [80.0, 20.0])
    assert len(cy) == 2


@pytest.mark.parametrize("seed", range(10))
def test_top_cycles_match_networkx_simple_cycles(seed: int) -> None:
    rng = np.random.default_rng(seed)
    F = random_flows(rng, 9, 30)
    G = nx.DiGraph()
    for i, j in zip(*np.nonzero(F), strict=True):
        G.add_edge(int(i), int(j))
    ref = sorted(
        (min(F[c[k], c[(k + 1) % len(c)]] for k in range(len(c))))
        for c in nx.simple_cycles(G, length_bound=4)
    )[::-1][:5]
    cy = top_cycles(F, k=5, max_length=4)
    np.testing.assert_allclose(cy.values, ref)
    for c, v in zip(cy.nodes, cy.values, strict=True):
        assert c[0] == min(c)
        assert min(F[c[k], c[(k + 1) % len(c)]] for k in range(len(c))) == pytest.approx(v)


def test_top_cycles_errors() -> None:
    with pytest.raises(ValueError, match=r"'k' parameter of top_cycles\(\)"):
        top_cycles(np.ones((2, 2)), k=0)
    with pytest.raises(ValueError, match=r"'max_length' parameter of top_cycles\(\)"):
        top_cycles(np.ones((2, 2)), max_length=1)


# --------------------------------------------------------------------------- money_flows


def _tiny_network() -> Network:
    ents = pd.DataFrame({"id": ["a", "b", "c"], "name": ["A", "B", "C"], "kind": ["other"] * 3})
    exps = pd.DataFrame(
        {
            "id": ["x1", "x2", "x3", "x4"],
            "source": ["a", "b", "a", "a"],
            "target": ["b", "a", "c", "b"],
            "layer": ["equity", "cloud_contract", "chip_export", "governance"],
            "amount_usd": [100.0, 300.0, 40.0, 0.0],
            "status": ["announced", "committed", "drawn", "reported"],
            "term_years": [None, 5.0, None, None],
        }
    )
    return Network.from_frames(ents, exps, termless_years=5.0)


# weights of the status_weight_* rows of parameters.csv (the shipped table)
W = {"announced": 0.25, "committed": 0.5, "drawn": 1.0, "reported": 1.0, "estimate": 0.5}


def test_money_flows_directions_weights_and_annualisation() -> None:
    net = _tiny_network()
    F = money_flows(net, status_weights=W).toarray()
    # equity a->b announced: 100 * 0.25 / 5 years; cloud b->a: 300 / 5 * 0.5;
    # chip export a->c drawn: the money goes c->a, 40 / 5 years; governance moves nothing.
    expect = np.zeros((3, 3))
    expect[0, 1] = 5.0
    expect[1, 0] = 30.0
    expect[2, 0] = 8.0
    np.testing.assert_allclose(F, expect)
    raw = money_flows(net, annualize=False, status_weights=None).toarray()
    assert raw[1, 0] == 300.0
    assert raw[0, 1] == 100.0
    assert money_flows(net, status_weights=W, termless_years=1.0).toarray()[0, 1] == 25.0
    assert money_flows(net, status_weights=W, layers=["equity"]).toarray().sum() == 5.0
    t = money_flow_table(net, status_weights=W)
    assert list(t["id"]) == ["x1", "x2", "x3"]
    assert list(t["payer"]) == ["a", "b", "c"]
    np.testing.assert_allclose(t["flow_usd"], [5.0, 30.0, 8.0])


def test_money_flows_supersedes_exclude_and_holdings() -> None:
    ents = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "name": ["A", "B", "C"],
            "kind": ["other"] * 3,
            "ticker": [None, "NYSE:B", None],
        }
    )
    exps = pd.DataFrame(
        {
            "id": ["x1", "x2", "x3", "x4", "x5"],
            "source": ["a", "a", "c", "a", "c"],
            "target": ["b", "b", "b", "c", "a"],
            "layer": ["equity"] * 5,
            "amount_usd": [10.0, 20.0, 50.0, 7.0, 3.0],
            "status": ["announced", "committed", "reported", "drawn", "drawn"],
            "term_years": [None] * 5,
            "supersedes": [None, "x1", None, None, None],
        }
    )
    net = Network.from_frames(ents, exps)
    kw = {"status_weights": None, "annualize": False}
    t = money_flow_table(net, **kw)
    # x1 superseded by x2; x3 is a market holding of listed B
    assert list(t["id"]) == ["x2", "x4", "x5"]
    assert list(money_flow_table(net, holdings=True, **kw)["id"]) == ["x2", "x3", "x4", "x5"]
    assert list(money_flow_table(net, exclude=["x4"], **kw)["id"]) == ["x2", "x5"]
    # a row superseded only by an excluded row counts again (X0018 cash when X0019 is out)
    assert list(money_flow_table(net, exclude=["x2"], **kw)["id"]) == ["x1", "x4", "x5"]
    # a reversed row (a warrant granted by the issuer B) pays B -> holder, even if a holding
    t = money_flow_table(net, reverse=["x3"], **kw)
    row = t[t["id"] == "x3"].iloc[0]
    assert (row["payer"], row["payee"], row["flow_usd"]) == ("b", "c", 50.0)
    # the same curation as data: the money_flow column (exclude x4, reverse x3)
    curated = Network.from_frames(
        ents, exps.assign(money_flow=[None, None, "reverse", "exclude", None])
    )
    t = money_flow_table(curated, **kw)
    assert list(t["id"]) == ["x2", "x3", "x5"]
    assert tuple(t.loc[t["id"] == "x3", ["payer", "payee"]].iloc[0]) == ("b", "c")
    # explicit ids replace the column's choice (the CLI's --exclude / --reverse)
    assert list(money_flow_table(curated, exclude=[], reverse=[], **kw)["id"]) == ["x2", "x4", "x5"]


def test_money_flows_errors() -> None:
    net = _tiny_network()
    with pytest.raises(ValueError, match=r"'layers' parameter of money_flows\(\)"):
        money_flows(net, status_weights=W, layers=["governance"])
    with pytest.raises(ValueError, match=r"'status_weights' parameter of money_flows\(\)"):
        money_flows(net, status_weights={"drawn": 1.0})
    with pytest.raises(ValueError, match=r"'termless_years' parameter of money_flows\(\)"):
        money_flows(net, status_weights=W, termless_years=0.0)
