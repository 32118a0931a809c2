"""Hypothesis properties of the fire-sale and commitment channels, and the contract every
contagion model satisfies: zero shock -> zero loss, (n,) in -> (n,) out, (n, S) in -> (n, S)
out, inputs never mutated (dense or sparse)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from lahar.contagion import commitment_losses, debtrank, eisenberg_noe, fire_sale

SETTINGS = settings(max_examples=50, deadline=None)
amount = st.integers(0, 400).map(lambda v: v / 4.0)
unit = st.integers(0, 20).map(lambda v: v / 20.0)


@st.composite
def portfolios(draw, max_n=6, max_k=5, max_s=3):
    n = draw(st.integers(1, max_n))
    k = draw(st.integers(1, max_k))
    s = draw(st.integers(1, max_s))
    raw = np.array(draw(st.lists(st.integers(0, 10), min_size=n * (k + 1), max_size=n * (k + 1))))
    raw = raw.reshape(n, k + 1).astype(float)
    raw[:, -1] += 1.0  # some cash: never an all-zero row
    m = (raw / raw.sum(axis=1, keepdims=True))[:, :k]
    a = np.array(draw(st.lists(st.integers(1, 1000), min_size=n, max_size=n)), dtype=float)
    b = np.array(draw(st.lists(st.integers(1, 30), min_size=n, max_size=n)), dtype=float)
    ell = np.array(draw(st.lists(st.integers(0, 100), min_size=k, max_size=k))) * 1e-5
    f = -np.array(draw(st.lists(unit, min_size=k * s, max_size=k * s))).reshape(k, s) / 2
    return a, m, b, ell, f


@SETTINGS
@given(portfolios())
def test_fire_sale_decomposition_and_linearity(case):
    a, m, b, ell, f = case
    res = fire_sale(a, m, b, ell, f)
    np.testing.assert_allclose(
        res.systemicness.sum(axis=0), res.aggregate_vulnerability, atol=1e-12
    )
    assert (res.losses >= -1e-12).all()  # falling prices only hurt
    assert (res.price_change <= 1e-15).all()
    twice = fire_sale(a, m, b, ell, 2 * f)
    np.testing.assert_allclose(twice.losses, 2 * res.losses, rtol=1e-12, atol=1e-12)
    zero = fire_sale(a, m, b, ell, np.zeros_like(f))
    assert not zero.losses.any()


@st.composite
def commitment_cases(draw, max_n=6, max_s=3):
    n = draw(st.integers(1, max_n))
    s = draw(st.integers(1, max_s))
    c = np.array(draw(st.lists(amount, min_size=n * n, max_size=n * n))).reshape(n, n)
    np.fill_diagonal(c, 0.0)
    t = np.array(draw(st.lists(st.integers(1, 10), min_size=n * n, max_size=n * n)), dtype=float)
    d = np.array(draw(st.lists(unit, min_size=n * s, max_size=n * s))).reshape(n, s)
    margin = np.array(draw(st.lists(unit, min_size=n, max_size=n)))
    rate = draw(st.sampled_from([0.0, 0.03, 0.08, 0.2]))
    return c, t.reshape(n, n), d, margin, rate


@SETTINGS
@given(commitment_cases(), unit)
def test_commitment_losses_monotone_linear_bounded(case, extra):
    c, t, d, margin, rate = case
    res = commitment_losses(c, d, margin=margin, term_years=t, discount_rate=rate)
    more = commitment_losses(
        c, np.minimum(1, d + extra), margin=margin, term_years=t, discount_rate=rate
    )
    assert (more.losses >= res.losses - 1e-9).all()
    # never more than the undiscounted margin on everything committed
    cap = margin[:, None] * (c * t).sum(axis=0)[:, None]
    assert (res.losses <= cap + 1e-9).all()
    assert (res.losses >= 0).all()
    half = commitment_losses(c, d / 2, margin=margin, term_years=t, discount_rate=rate)
    np.testing.assert_allclose(half.losses, res.losses / 2, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- shared contract

L3 = np.array([[0, 20, 10], [5, 0, 24], [10, 0, 0]], dtype=float)
E3 = np.array([12.0, 30.0, 25.0])


def _clearing(matrix, shock):
    """Shock = relative haircut on external assets that cover all obligations."""
    base = np.asarray(sp.csr_array(matrix).sum(axis=1)).ravel() + 1.0
    e = (base * (1.0 - shock).T).T
    res = eisenberg_noe(matrix, e)
    return res.credit_loss, res.payments


def _debtrank(matrix, shock):
    res = debtrank(matrix, E3, shock)
    return res.distress - shock, res.distress


def _commitments(matrix, shock):
    res = commitment_losses(matrix, shock, margin=0.5, term_years=3.0, discount_rate=0.08)
    return res.losses, res.lost_revenue


MODELS = {"clearing": _clearing, "debtrank": _debtrank, "commitments": _commitments}


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("sparse", [False, True])
def test_contract_zero_shock_shapes_no_mutation(model, sparse):
    run = MODELS[model]
    matrix = sp.csr_array(L3) if sparse else L3.copy()
    before = matrix.copy()
    zero_loss, _ = run(matrix, np.zeros(3))
    assert zero_loss.shape == (3,)
    assert not zero_loss.any()
    shock = np.array([[0.5, 0.0], [0.2, 1.0], [0.0, 0.3]])
    shock_copy = shock.copy()
    loss, other = run(matrix, shock)
    assert loss.shape == (3, 2)
    assert other.shape == (3, 2)
    assert loss.sum() > 0
    np.testing.assert_array_equal(shock, shock_copy)
    if sparse:
        np.testing.assert_array_equal(matrix.toarray(), before.toarray())
        np.testing.assert_array_equal(matrix.data, before.data)
    else:
        np.testing.assert_array_equal(matrix, before)
    for s in range(2):
        one, _ = run(matrix, shock[:, s])
        np.testing.assert_allclose(loss[:, s], one, atol=1e-12)


def test_contract_fire_sale():
    a, m, b, ell = (
        np.array([100.0, 50.0]),
        np.array([[0.5, 0.5], [0.2, 0.8]]),
        np.array([10.0, 10.0]),
        np.array([1e-3, 2e-3]),
    )
    copies = [x.copy() for x in (a, m, b, ell)]
    assert not fire_sale(a, m, b, ell, np.zeros(2)).losses.any()
    f = np.array([[-0.02, 0.0], [0.0, -0.01]])
    res = fire_sale(a, sp.csr_array(m), b, ell, f)
    assert res.losses.shape == (2, 2)
    assert res.price_change.shape == (2, 2)
    assert res.aggregate_vulnerability.shape == (2,)
    for x, y in zip((a, m, b, ell), copies, strict=True):
        np.testing.assert_array_equal(x, y)
