"""Hypothesis properties of DebtRank: distress in [0, 1], at least the shock, monotone in the
shock, zero shock -> zero distress, linear >= single-hit, batch = columns; on both engines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.contagion._helpers import ENGINES, use_engine

from lahar.contagion import debtrank

SETTINGS = settings(max_examples=60, deadline=None)
amount = st.integers(0, 400).map(lambda v: v / 4.0)
unit = st.integers(0, 20).map(lambda v: v / 20.0)


@st.composite
def cases(draw, max_n=8, max_s=3):
    n = draw(st.integers(1, max_n))
    s = draw(st.integers(1, max_s))
    vals = np.array(draw(st.lists(amount, min_size=n * n, max_size=n * n))).reshape(n, n)
    mask = np.array(draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n))).reshape(n, n)
    A = np.where(mask, vals, 0.0)
    np.fill_diagonal(A, 0.0)
    eq = np.array(draw(st.lists(st.integers(1, 400), min_size=n, max_size=n)), dtype=float)
    h = np.array(draw(st.lists(unit, min_size=n * s, max_size=n * s))).reshape(n, s)
    return A, eq, h


@pytest.mark.parametrize("engine", ENGINES)
@SETTINGS
@given(cases(), st.sampled_from(["linear", "battiston"]))
def test_distress_bounded_and_above_shock(engine, case, method):
    with use_engine(engine):
        A, eq, h = case
        res = debtrank(A, eq, h, method=method, max_iter=100_000)
        assert (res.distress >= h).all()
        assert (res.distress <= 1.0).all()
        assert (res.debtrank >= -1e-12).all()
        assert res.distress.shape == h.shape


@pytest.mark.parametrize("engine", ENGINES)
@SETTINGS
@given(cases(), unit)
def test_linear_monotone_in_shock(engine, case, extra):
    """The linear dynamics is the least fixed point of h = min(1, h1 + Lambda h), monotone in
    h1. (The single-hit dynamics is not monotone in general: a node hit earlier passes on a
    smaller level, once.)"""
    with use_engine(engine):
        A, eq, h = case
        lo = debtrank(A, eq, h, max_iter=100_000).distress
        hi = debtrank(A, eq, np.minimum(1.0, h + extra), max_iter=100_000).distress
        assert (hi >= lo - 1e-9).all()


@pytest.mark.parametrize("engine", ENGINES)
@SETTINGS
@given(cases())
def test_zero_shock_and_linear_dominates_single_hit(engine, case):
    with use_engine(engine):
        A, eq, h = case
        zero = debtrank(A, eq, np.zeros_like(h))
        assert (zero.distress == 0).all()
        assert zero.rounds == 0
        lin = debtrank(A, eq, h, max_iter=100_000).distress
        single = debtrank(A, eq, h, method="battiston").distress
        assert (lin >= single - 1e-9).all()


@pytest.mark.parametrize("engine", ENGINES)
@SETTINGS
@given(cases())
def test_batch_equals_columns_and_no_mutation(engine, case):
    with use_engine(engine):
        A, eq, h = case
        copies = (A.copy(), eq.copy(), h.copy())
        batch = debtrank(A, eq, h, max_iter=100_000)
        for a, b in zip((A, eq, h), copies, strict=True):
            np.testing.assert_array_equal(a, b)
        for s in range(h.shape[1]):
            one = debtrank(A, eq, h[:, s], max_iter=100_000)
            np.testing.assert_allclose(batch.distress[:, s], one.distress, atol=1e-10)


@SETTINGS
@given(cases(max_n=10, max_s=4), st.booleans())
def test_limit_equals_round_by_round_dynamics(case, compiled):
    """The fast limit (in-place sweeps) equals the limit of the Bardoscia dynamics, on both
    engines, saturation included (the leverage of the drawn cases reaches 100)."""
    from lahar.contagion import _kernels

    A, eq, h = case
    _kernels.set_enabled(compiled)
    try:
        limit = debtrank(A, eq, h, tol=1e-14, max_iter=100_000)
    finally:
        _kernels.set_enabled(None)
    path = debtrank(A, eq, h, solver="rounds", tol=1e-15, max_iter=100_000)
    np.testing.assert_allclose(limit.distress, path.distress, rtol=0, atol=1e-9)
