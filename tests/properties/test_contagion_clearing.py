"""Hypothesis properties of the clearing model (Eisenberg–Noe / Rogers–Veraart).

Properties from STYLE.md: 0 <= payments <= obligations; the result is a fixed point (and the
greatest one: LP for EN, plain reference otherwise); conservation (what creditors receive is
what debtors pay, and external assets end up with outside creditors, shareholders or default
costs); payments are monotone in external assets; batched = column by column; no input
mutation. Every property runs on both engines (compiled and numpy/scipy).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.contagion._helpers import ENGINES, lp_clearing, use_engine
from tests.contagion._reference import clearing_reference

from lahar.contagion import eisenberg_noe

SETTINGS = settings(max_examples=60, deadline=None)
amount = st.integers(0, 400).map(lambda v: v / 4.0)


@st.composite
def networks(draw, max_n=8, max_s=3):
    n = draw(st.integers(1, max_n))
    s = draw(st.integers(1, max_s))
    vals = np.array(draw(st.lists(amount, min_size=n * n, max_size=n * n))).reshape(n, n)
    mask = np.array(draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n))).reshape(n, n)
    L = np.where(mask, vals, 0.0)
    np.fill_diagonal(L, 0.0)
    e = np.array(draw(st.lists(amount, min_size=n * s, max_size=n * s))).reshape(n, s)
    ext = draw(st.one_of(st.none(), st.lists(amount, min_size=n, max_size=n).map(np.array)))
    alpha = draw(st.sampled_from([1.0, 0.9, 0.5, 0.0]))
    beta = draw(st.sampled_from([1.0, 0.8, 0.3]))
    return L, e, ext, alpha, beta


def _pi(L, ext):
    pbar = L.sum(axis=1) + (0.0 if ext is None else ext)
    pi = np.divide(L, pbar[:, None], out=np.zeros_like(L), where=pbar[:, None] > 0)
    return pi, pbar


@pytest.mark.parametrize("engine", ENGINES)
@SETTINGS
@given(networks())
def test_bounds_fixed_point_and_conservation(engine, case):
    L, e, ext, alpha, beta = case
    with use_engine(engine):
        res = eisenberg_noe(L, e, alpha=alpha, beta=beta, external_liabilities=ext)
    pi, pbar = _pi(L, ext)
    scale = 1.0 + pbar.max(initial=0.0) + e.max(initial=0.0)
    p = res.payments
    assert (p >= -1e-12 * scale).all()
    assert (p <= pbar[:, None] + 1e-12 * scale).all()
    received = pi.T @ p
    value = e + received
    solvent = ~res.defaulted
    # fixed point: solvent pay in full and can; defaulted pay alpha e + beta received
    np.testing.assert_allclose(p[solvent], np.broadcast_to(pbar[:, None], p.shape)[solvent])
    slack = value - pbar[:, None]
    assert (slack[solvent] >= -1e-9 * scale).all()
    assert (slack[res.defaulted] < 1e-9 * scale).all()
    np.testing.assert_allclose(
        p[res.defaulted], (alpha * e + beta * received)[res.defaulted], atol=1e-9 * scale
    )
    # equity convention
    np.testing.assert_allclose(res.equity, value - pbar[:, None], atol=1e-9 * scale)
    # conservation 1: what each creditor receives (its claims at full payment minus the credit
    # loss the engine accumulates) is what its debtors pay it, Pi^T p, computed here from p
    got = L.sum(axis=0)[:, None] - res.credit_loss
    np.testing.assert_allclose(got, received, atol=1e-9 * scale)
    # conservation 2: external assets end up with outside creditors, with the shareholders of
    # solvent entities, or as default costs ((1 - alpha) e + (1 - beta) Pi^T p of the
    # defaulted); nothing is created or lost otherwise
    kept = np.where(res.defaulted, 0.0, res.equity)
    costs = np.where(res.defaulted, (1 - alpha) * e + (1 - beta) * got, 0.0)
    np.testing.assert_allclose(
        e.sum(axis=0),
        res.external_payments.sum(axis=0) + kept.sum(axis=0) + costs.sum(axis=0),
        atol=1e-8 * scale,
    )


@pytest.mark.parametrize("engine", ENGINES)
@SETTINGS
@given(networks())
def test_greatest_clearing_vector(engine, case):
    with use_engine(engine):
        L, e, ext, alpha, beta = case
        res = eisenberg_noe(L, e, alpha=alpha, beta=beta, external_liabilities=ext)
        ref, dref = clearing_reference(L, e, alpha=alpha, beta=beta, external_liabilities=ext)
        scale = 1.0 + L.sum() + e.max(initial=0.0)
        np.testing.assert_allclose(res.payments, ref, atol=1e-9 * scale)
        if alpha == 1.0 and beta == 1.0:
            for s in range(e.shape[1]):
                np.testing.assert_allclose(
                    res.payments[:, s], lp_clearing(L, e[:, s], ext), atol=1e-6 * scale
                )


@pytest.mark.parametrize("engine", ENGINES)
@SETTINGS
@given(networks(), st.integers(0, 100).map(lambda v: v / 10.0))
def test_monotone_in_external_assets(engine, case, bump):
    with use_engine(engine):
        L, e, ext, alpha, beta = case
        lo = eisenberg_noe(L, e, alpha=alpha, beta=beta, external_liabilities=ext)
        hi = eisenberg_noe(L, e + bump, alpha=alpha, beta=beta, external_liabilities=ext)
        scale = 1.0 + L.sum() + e.max(initial=0.0)
        assert (hi.payments >= lo.payments - 1e-9 * scale).all()
        assert (hi.credit_loss <= lo.credit_loss + 1e-9 * scale).all()
        assert (hi.defaulted <= lo.defaulted).all()


@pytest.mark.parametrize("engine", ENGINES)
@SETTINGS
@given(networks())
def test_batch_equals_columns_sparse_equals_dense_no_mutation(engine, case):
    with use_engine(engine):
        L, e, ext, alpha, beta = case
        L_copy, e_copy = L.copy(), e.copy()
        Ls = sp.csr_array(L)
        data_copy = Ls.data.copy()
        batch = eisenberg_noe(Ls, e, alpha=alpha, beta=beta, external_liabilities=ext)
        np.testing.assert_array_equal(L, L_copy)
        np.testing.assert_array_equal(e, e_copy)
        np.testing.assert_array_equal(Ls.data, data_copy)
        scale = 1.0 + L.sum() + e.max(initial=0.0)
        for s in range(e.shape[1]):
            one = eisenberg_noe(L, e[:, s], alpha=alpha, beta=beta, external_liabilities=ext)
            assert one.payments.shape == (L.shape[0],)
            np.testing.assert_allclose(batch.payments[:, s], one.payments, atol=1e-10 * scale)
            np.testing.assert_array_equal(batch.defaulted[:, s], one.defaulted)


@pytest.mark.parametrize("engine", ENGINES)
@SETTINGS
@given(networks())
def test_no_shock_no_loss(engine, case):
    """With external assets covering all obligations nobody defaults and nothing is lost."""
    with use_engine(engine):
        L, e, ext, alpha, beta = case
        pi, pbar = _pi(L, ext)
        res = eisenberg_noe(
            L, np.maximum(e, pbar[:, None]), alpha=alpha, beta=beta, external_liabilities=ext
        )
        assert not res.defaulted.any()
        assert (res.credit_loss == 0).all()
        np.testing.assert_array_equal(res.payments, np.broadcast_to(pbar[:, None], e.shape))


@pytest.mark.parametrize("engine", ENGINES)
@SETTINGS
@given(networks())
def test_reused_result_gives_the_same_bits(engine, case):
    """``out=`` an earlier result (here spoiled with NaN, inf, stale defaults): same bits."""
    with use_engine(engine):
        L, e, ext, alpha, beta = case
        fresh = eisenberg_noe(L, e, alpha=alpha, beta=beta, external_liabilities=ext)
        out = eisenberg_noe(L, 2.0 * e + 1.0, external_liabilities=ext)
        out.payments.fill(np.nan)
        out.equity.fill(np.inf)
        out.defaulted.fill(True)
        out.credit_loss.fill(-1.0)
        got = eisenberg_noe(L, e, alpha=alpha, beta=beta, external_liabilities=ext, out=out)
        assert got.payments is out.payments
        assert got.defaulted is out.defaulted
        for name in ("payments", "equity", "defaulted", "credit_loss", "waves"):
            want = np.asarray(getattr(fresh, name))
            assert np.asarray(getattr(got, name)).tobytes() == want.tobytes(), name
