"""Hypothesis properties of the input–output models (lahar.macro.input_output)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lahar.data import load_bea
from lahar.macro.input_output import factorize, ghosh, leontief

FLOATS = st.floats(0.0, 1.0, allow_nan=False, allow_infinity=False)


@st.composite
def productive(draw, max_n: int = 8):
    """A non-negative A with column sums < 1 (a productive economy) and a demand batch."""
    n = draw(st.integers(1, max_n))
    raw = draw(arrays(np.float64, (n, n), elements=FLOATS))
    scale = draw(st.floats(0.0, 0.95))
    colsum = raw.sum(axis=0)
    a = raw / np.where(colsum > 0, colsum, 1.0) * scale
    s = draw(st.integers(1, 4))
    f = draw(arrays(np.float64, (n, s), elements=st.floats(-1e3, 1e3)))
    return a, f


@settings(max_examples=60, deadline=None)
@given(productive())
def test_output_solves_x_equals_ax_plus_f(case):
    a, f = case
    x = leontief(a, f)
    np.testing.assert_allclose(x, a @ x + f, rtol=1e-8, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(productive(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_output_monotone_in_demand_cut(case, c1, c2):
    a, f = case
    base = np.abs(f)
    lo, hi = sorted((c1, c2))
    # a deeper cut of a non-negative demand never raises any industry's output
    x_small = leontief(a, base * (1 - lo))
    x_big = leontief(a, base * (1 - hi))
    assert (x_big <= x_small + 1e-9 * (1 + np.abs(x_small))).all()
    assert (leontief(a, base) >= -1e-9).all()


@settings(max_examples=40, deadline=None)
@given(productive())
def test_batched_equals_column_by_column(case):
    a, f = case
    lu = factorize(a)
    xb = leontief(lu, f)
    for s in range(f.shape[1]):
        np.testing.assert_allclose(xb[:, s], leontief(a, f[:, s]), rtol=1e-10, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(productive())
def test_ghosh_solves_its_identity(case):
    b, v = case
    x = ghosh(b, v)
    np.testing.assert_allclose(x, b.T @ x + v, rtol=1e-8, atol=1e-6)


_BEA = load_bea(2023, domestic=True)


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, (71,), elements=st.floats(0.0, 1e5)), st.floats(0.0, 1.0))
def test_bea_monotone_and_identity(f, cut):
    a = _BEA.technical_coefficients
    x = leontief(a, -cut * f)
    np.testing.assert_allclose(x, a @ x - cut * f, rtol=1e-8, atol=1e-6)
    assert x.sum() <= 1e-6
