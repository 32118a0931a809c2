"""Hypothesis properties of the circularity measures: bounds, conservation, monotonicity."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lahar.analytics.circularity import max_circulation, round_trip, top_cycles


@st.composite
def flow_matrices(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(1, 8))
    vals = draw(
        arrays(np.float64, (n, n), elements=st.floats(0, 1e3, allow_subnormal=False, width=64))
    )
    mask = draw(arrays(np.bool_, (n, n)))
    F = np.where(mask, vals, 0.0)
    np.fill_diagonal(F, 0.0)
    return F


@settings(max_examples=150, deadline=None)
@given(flow_matrices(), st.sampled_from(["flow", "highs"]))
def test_circulation_is_bounded_and_conserved(F: np.ndarray, method: str) -> None:
    c = max_circulation(F, method=method)
    C = c.flows.toarray()
    tol = 1e-9 * max(1.0, F.max(initial=0.0))
    assert (C >= 0).all()
    assert (F + tol >= C).all()
    np.testing.assert_allclose(C.sum(axis=0), C.sum(axis=1), atol=tol * F.shape[0])
    assert 0.0 <= c.total <= F.sum() + tol
    assert c.total == np.float64(C.sum()) or abs(c.total - C.sum()) <= tol


@settings(max_examples=100, deadline=None)
@given(flow_matrices(), st.floats(0.0, 1e3))
def test_more_flow_never_less_circulation(F: np.ndarray, extra: float) -> None:
    G = F.copy()
    i, j = np.unravel_index(np.argmax(F), F.shape) if F.size else (0, 0)
    G[i, j] += extra
    a = max_circulation(F).total
    b = max_circulation(G).total
    assert b >= a - 1e-9 * max(1.0, G.max(initial=0.0))


@settings(max_examples=100, deadline=None)
@given(flow_matrices(), st.floats(1e-3, 1e3))
def test_scale_equivariance(F: np.ndarray, a: float) -> None:
    x = max_circulation(F).total
    y = max_circulation(a * F).total
    assert abs(y - a * x) <= 1e-9 * max(1.0, a * F.sum())


@settings(max_examples=100, deadline=None)
@given(flow_matrices())
# a return probability of 2e-16: 1 - 1/N_ii cancelled and gave a revenue share of 1.0014
@example(np.array([[0.0, 451.0], [1e-13, 0.0]]))
def test_round_trip_shares_are_probabilities(F: np.ndarray) -> None:
    rt = round_trip(F)
    out = F.sum(axis=1)
    assert ((rt.share >= 0) & (rt.share <= 1 + 1e-12)).all()
    assert (rt.returned <= out + 1e-9 * max(1.0, out.max(initial=0.0))).all()
    rs = rt.revenue_share[~np.isnan(rt.revenue_share)]
    assert ((rs >= 0) & (rs <= 1 + 1e-9)).all()


@settings(max_examples=100, deadline=None)
@given(flow_matrices())
def test_more_leakage_means_fewer_round_trips(F: np.ndarray) -> None:
    out, inn = F.sum(axis=1), F.sum(axis=0)
    base = round_trip(F).share
    leaky = round_trip(F, turnover=2 * np.maximum(out, inn)).share
    assert (leaky <= base + 1e-12).all()


@settings(max_examples=100, deadline=None)
@given(flow_matrices())
def test_top_cycle_values_are_bottlenecks_and_sorted(F: np.ndarray) -> None:
    cy = top_cycles(F, k=5, max_length=3)
    assert (np.diff(cy.values) <= 0).all()
    for c, v in zip(cy.nodes, cy.values, strict=True):
        edges = [F[c[k], c[(k + 1) % len(c)]] for k in range(len(c))]
        assert min(edges) == v > 0
