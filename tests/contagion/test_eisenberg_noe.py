"""Eisenberg–Noe / Rogers–Veraart clearing: published examples, independent checks, errors.

Test vectors are those of the table in ``docs/contagion.md`` (TV-n), with their provenance. For each, the test says
which numbers are *published* in the cited source and which were *recomputed* (self-check by an
independent script: Picard iteration from pbar and ``scipy.optimize.linprog``).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from lahar.contagion import ClearingResult, eisenberg_noe, prepare_clearing
from lahar.errors import DataError

from ._helpers import lp_clearing, random_liabilities, random_sparse_liabilities
from ._reference import clearing_reference

# --------------------------------------------------------------------------- published examples


def test_tv1_eisenberg_noe_three_banks(engine):
    """TV-1: siebenbrunner/NetworkValuation, Algorithms/Eisenberg and Noe 2001/Example.pdf.

    Published: equity after clearing [-5.4545, -2.6364, 30] and defaults [1, 1, 0].
    Recomputed: payments [24.5455, 26.3636, 10] (the README's 19.5455 is a typo: it
    contradicts its own equity -5.4545 = 24.5455 - 30).
    """
    L = np.array([[0, 20, 10], [5, 0, 24], [10, 0, 0]], dtype=float)
    e = np.array([10.0, 10.0, 10.0])
    res = eisenberg_noe(L, e)
    assert isinstance(res, ClearingResult)
    np.testing.assert_allclose(res.equity, [-5.4545, -2.6364, 30.0], atol=5e-5)
    assert res.defaulted.tolist() == [True, True, False]
    np.testing.assert_allclose(res.payments, [24.5455, 26.3636, 10.0], atol=5e-5)
    np.testing.assert_allclose(res.obligations, [30.0, 29.0, 10.0])
    # Equity before clearing (published [-5, 1, 34]) = e + column sums - pbar.
    np.testing.assert_allclose(e + L.sum(0) - L.sum(1), [-5.0, 1.0, 34.0])
    assert res.waves == 2  # bank 0 at full payment, then bank 1 by contagion


@pytest.mark.parametrize(
    ("alpha", "equity", "defaults", "payments"),
    [
        (1.0, [-5.0, 5.0, 15.0], [1, 0, 0], [25.0, 25.0, 10.0]),
        (0.4, [-6.0, -2.0, 11.0], [1, 1, 0], [18.0, 20.0, 10.0]),
    ],
)
def test_tv2_rogers_veraart_default_costs(alpha, equity, defaults, payments, engine):
    """TV-2: NetworkValuation, Algorithms/Rogers and Veraart 2013/Example.pdf.

    Published: equity and defaults for alpha = 1 and alpha = 0.4 (beta = 1).
    Recomputed: payments. Default costs alone create the contagion to bank 1.
    """
    L = np.array([[0, 30, 0], [5, 0, 20], [10, 0, 0]], dtype=float)
    e = np.array([10.0, 5.0, 5.0])
    res = eisenberg_noe(L, e, alpha=alpha, beta=1.0)
    np.testing.assert_allclose(res.equity, equity, atol=1e-12)
    assert res.defaulted.astype(int).tolist() == defaults
    np.testing.assert_allclose(res.payments, payments, atol=1e-12)


def test_tv5_systemicrisk_pari_passu_external_liabilities(engine):
    """TV-5: CRAN systemicrisk 0.4.3, man/default_clearing.Rd (Gandy & Veraart).

    Published: inputs (L, ea, el). Recomputed (self-check; the Rd examples print nothing):
    EN p = [1.473214, 1.419643, 1.5], defaults [1, 1, 0]; RV(0.5, 0.7)
    p = [0.502020, 0.514705, 0.565381], all default.
    """
    L = np.array([[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
    ea = np.array([1 / 2, 5 / 8, 3 / 4])
    el = np.array([3 / 2, 1 / 2, 1 / 2])
    res = eisenberg_noe(L, ea, external_liabilities=el)
    np.testing.assert_allclose(res.payments, [1.473214, 1.419643, 1.5], atol=1e-6)
    assert res.defaulted.tolist() == [True, True, False]
    np.testing.assert_allclose(res.obligations, [2.5, 1.5, 1.5])
    np.testing.assert_allclose(res.external_payments, res.payments * el / res.obligations)
    rv = eisenberg_noe(L, ea, external_liabilities=el, alpha=0.5, beta=0.7)
    np.testing.assert_allclose(rv.payments, [0.502020, 0.514705, 0.565381], atol=1e-6)
    assert rv.defaulted.all()


def test_tv6_seniority_conventions_differ(engine):
    """TV-6: paolobarucca/eisenbergnoe Exercise2.m data (BDF 2017), 10 % shock on Ae.

    Recomputed (the MATLAB scripts print nothing). Pari passu (classic EN, pbar = l + Le):
    equity [-1, 0.8095, 2], p = [20, 21, 10]. Senior external liabilities (NEVA form):
    equity [-1, 0, 2], p = [3, 3, 2], obtained with external assets net of Le and no
    ``external_liabilities`` as documented in ``eisenberg_noe``'s Notes.
    """
    L = np.array([[0, 4, 0], [0, 0, 3], [2, 0, 0]], dtype=float)
    ae = np.array([18.0, 18.0, 9.0])
    le = np.array([17.0, 18.0, 8.0])
    pari = eisenberg_noe(L, ae, external_liabilities=le)
    np.testing.assert_allclose(pari.payments, [20.0, 21.0, 10.0], atol=1e-12)
    np.testing.assert_allclose(pari.equity, [-1.0, 0.8095, 2.0], atol=5e-5)
    senior = eisenberg_noe(L, np.maximum(ae - le, 0.0))
    np.testing.assert_allclose(senior.payments, [3.0, 3.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(senior.equity, [-1.0, 0.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(senior.payments / senior.obligations, [0.75, 1.0, 1.0])
    assert senior.defaulted.tolist() == [True, False, False]  # exactly zero equity = solvent


TV9_L = np.array(
    [
        [0, 4.94, 2.47, 5.59, 0, 0],
        [6, 0, 0, 2, 0, 0],
        [0, 13, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 8],
        [12, 0, 0, 0, 0, 0],
        [2.79, 6.21, 0, 0, 0, 0],
    ]
)
TV9_E = np.array([1, 1, 11.51, 1.4, 12.5, 2])


@pytest.mark.parametrize(
    ("scale", "alpha", "beta", "payments", "defaults"),
    [
        (1.0, 1.0, 1.0, [13, 8, 13, 8, 12, 9], [0, 0, 0, 0, 0, 0]),
        (0.5, 1.0, 1.0, [13, 8, 8.225, 8, 6.25, 9], [0, 0, 1, 0, 1, 0]),
        (0.5, 0.9, 0.6, [13, 8, 6.6615, 8, 5.625, 9], [0, 0, 1, 0, 1, 0]),
        (
            0.5,
            0.5,
            0.5,
            [3.053123, 2.820798, 3.167547, 1.359021, 3.125, 1.179511],
            [1, 1, 1, 1, 1, 1],
        ),
        (
            0.3,
            1.0,
            1.0,
            [12.675897, 8, 5.86142, 7.870636, 3.75, 8.470636],
            [1, 0, 1, 1, 1, 1],
        ),
        (0.3, 0.9, 0.6, [6.354509, 8, 3.832114, 3.217463, 3.375, 2.470478], None),
    ],
)
def test_tv9_rogers_veraart_six_banks(scale, alpha, beta, payments, defaults, engine):
    """TV-9: Rogers & Veraart (2013) asymmetric 6-bank example, via bertschi/FinNetValu
    ``test/models/test_rv.jl``. Published: L, e (and "nobody defaults with the full e").
    Recomputed: the clearing vectors for scaled e (EN ones agree with the LP)."""
    res = eisenberg_noe(TV9_L, scale * TV9_E, alpha=alpha, beta=beta)
    np.testing.assert_allclose(res.payments, payments, atol=1e-6)
    if defaults is not None:
        assert res.defaulted.astype(int).tolist() == defaults


def test_tv9_batch_matches_columns():
    """The three TV-9 scalings as one batch give the single-scenario answers column by column."""
    scales = np.array([1.0, 0.5, 0.3])
    batch = eisenberg_noe(TV9_L, TV9_E[:, None] * scales, alpha=0.9, beta=0.6)
    assert batch.payments.shape == (6, 3)
    assert batch.waves.shape == (3,)
    for s, k in enumerate(scales):
        one = eisenberg_noe(TV9_L, k * TV9_E, alpha=0.9, beta=0.6)
        np.testing.assert_array_equal(batch.defaulted[:, s], one.defaulted)
        np.testing.assert_allclose(batch.payments[:, s], one.payments, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(batch.equity[:, s], one.equity, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- independent checks


@pytest.mark.parametrize("seed", range(12))
def test_matches_linear_programme(seed, engine):
    """Eisenberg & Noe (2001) Lemma 4: the clearing vector maximises sum(p) over the feasible
    set; checked with scipy.optimize.linprog (HiGHS) on random networks and shocks."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 25))
    L = random_liabilities(rng, n, density=rng.uniform(0.1, 0.6))
    el = rng.uniform(0, 5, n) if seed % 2 else None
    e = rng.uniform(0, 15, (n, 4))
    res = eisenberg_noe(L, e, external_liabilities=el)
    for s in range(4):
        p_lp = lp_clearing(L, e[:, s], el)
        np.testing.assert_allclose(res.payments[:, s], p_lp, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 1.0), (0.5, 0.9), (0.0, 0.0), (1.0, 0.3)])
@pytest.mark.parametrize("seed", range(6))
def test_matches_plain_reference(seed, alpha, beta, engine):
    """The plain fictitious-default implementation (one scenario at a time, payment form,
    full matrix-vector product every round) gives the same payments and defaults."""
    rng = np.random.default_rng(100 + seed)
    n = 40
    L = random_sparse_liabilities(rng, n, 160)
    e = rng.uniform(0, 8, (n, 5))
    res = eisenberg_noe(L, e, alpha=alpha, beta=beta)
    p_ref, d_ref = clearing_reference(L, e, alpha=alpha, beta=beta)
    np.testing.assert_array_equal(res.defaulted, d_ref)
    np.testing.assert_allclose(res.payments, p_ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "matrix"])
def test_sparse_equals_dense(fmt):
    rng = np.random.default_rng(7)
    L = random_liabilities(rng, 30, density=0.2)
    e = rng.uniform(0, 10, (30, 3))
    dense = eisenberg_noe(L, e, alpha=0.7, beta=0.8)
    sparse_in = sp.csr_matrix(L) if fmt == "matrix" else getattr(sp, f"{fmt}_array")(L)
    sparse = eisenberg_noe(sparse_in, e, alpha=0.7, beta=0.8)
    np.testing.assert_array_equal(dense.defaulted, sparse.defaulted)
    np.testing.assert_allclose(dense.payments, sparse.payments, rtol=1e-13, atol=1e-12)


def test_batched_columns_equal_single_runs_large(engine):
    """A 2,000-entity sparse network, 16 scenarios: each column equals its own run."""
    rng = np.random.default_rng(11)
    n = 2000
    L = random_sparse_liabilities(rng, n, 10_000)
    base = np.asarray(L.sum(axis=1)).ravel() * rng.uniform(0.2, 1.5, n)
    e = base[:, None] * rng.uniform(0.2, 1.0, (n, 16))
    batch = eisenberg_noe(L, e, alpha=0.8, beta=0.9)
    assert batch.defaulted.any()
    assert not batch.defaulted.all()
    for s in (0, 5, 15):
        one = eisenberg_noe(L, e[:, s], alpha=0.8, beta=0.9)
        np.testing.assert_array_equal(batch.defaulted[:, s], one.defaulted)
        np.testing.assert_allclose(batch.payments[:, s], one.payments, rtol=1e-12, atol=1e-9)
        assert batch.waves[s] == one.waves


def test_sweeps_that_settle_replace_the_exact_solve(monkeypatch):
    """The compiled engine's shortcut: on cycles among defaulted entities it keeps sweeping
    (Jacobi on the defaulted block, from below) until nothing changes instead of factorising
    the block. Checked against the plain reference (a sparse LU per default set) and against
    the same engine with the shortcut off (an LU as soon as a sweep adds no default)."""
    from lahar.contagion import _eisenberg_noe, _kernels

    if not _kernels._HAVE_NUMBA:
        pytest.skip("numba not installed")
    rng = np.random.default_rng(5)
    n = 2000
    L = random_sparse_liabilities(rng, n, 10_000)
    base = np.asarray(L.sum(axis=1)).ravel() * rng.uniform(0.2, 1.5, n)
    e = base[:, None] * rng.uniform(0.2, 1.0, (n, 4))
    _kernels.set_enabled(True)
    try:
        fast = eisenberg_noe(L, e, alpha=0.8, beta=0.9)
        monkeypatch.setattr(_eisenberg_noe, "_SETTLE_SWEEPS", 0)
        lu = eisenberg_noe(L, e, alpha=0.8, beta=0.9)
    finally:
        _kernels.set_enabled(None)
    assert lu.n_solves > 0  # the defaulted blocks have cycles: without the shortcut, an LU
    assert fast.n_solves == 0  # with it, none
    p_ref, d_ref = clearing_reference(L, e, alpha=0.8, beta=0.9)
    for res in (fast, lu):
        np.testing.assert_array_equal(res.defaulted, d_ref)
        np.testing.assert_allclose(res.payments, p_ref, rtol=1e-12, atol=1e-9)
    # a fixed point of the clearing map itself, not only close to the reference
    pbar = fast.obligations
    pi = sp.diags_array(np.divide(1.0, pbar, out=np.zeros(n), where=pbar > 0)) @ L
    received = np.asarray(pi.T @ fast.payments)
    d = fast.defaulted
    np.testing.assert_allclose(
        fast.payments[d], (0.8 * e + 0.9 * received)[d], rtol=1e-13, atol=1e-9
    )


def test_a_slowly_settling_cycle_falls_back_to_the_exact_solve(engine):
    """Two banks owe each other 10 and 0.01 outside; bank 0 has external assets 0.001. Both
    default, and with r = 10 / 10.01 (the share of each one's debt owed to the other),
    p0 = e0 + r p1 and p1 = r p0, so p0 = e0 / (1 - r^2) and p1 = r p0 (by hand). The
    sweeps contract by r = 0.999 per round, far too slowly to settle: the compiled engine
    falls back to the sparse LU, and gets the closed form."""
    L = np.array([[0.0, 10.0], [10.0, 0.0]])
    el = np.array([0.01, 0.01])
    e0 = 0.001
    r = 10.0 / 10.01
    res = eisenberg_noe(L, np.array([e0, 0.0]), external_liabilities=el)
    p0 = e0 / (1 - r**2)
    np.testing.assert_allclose(res.payments, [p0, r * p0], rtol=1e-12)
    assert res.defaulted.tolist() == [True, True]
    if engine == "numba":
        assert res.n_solves >= 1


def test_warm_start_gives_the_same_answer(engine):
    """The public warm start (used by the cascade) from the answer for larger assets."""
    rng = np.random.default_rng(3)
    n = 300
    L = random_sparse_liabilities(rng, n, 1500)
    system = prepare_clearing(L, rng.uniform(0, 5, n))
    e_hi = rng.uniform(0, 20, (n, 4))
    e_lo = e_hi * rng.uniform(0.3, 1.0, (n, 4))
    hi = system.clear(e_hi, alpha=0.9, beta=0.9)
    warm = system.clear(e_lo, alpha=0.9, beta=0.9, start=hi.payments)
    cold = system.clear(e_lo, alpha=0.9, beta=0.9)
    assert warm.defaulted.any()
    np.testing.assert_array_equal(warm.defaulted, cold.defaulted)
    np.testing.assert_allclose(warm.payments, cold.payments, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(warm.credit_loss, cold.credit_loss, rtol=1e-9, atol=1e-9)
    # the same system, cold, is eisenberg_noe
    direct = eisenberg_noe(
        L, e_lo, alpha=0.9, beta=0.9, external_liabilities=system.external_liabilities
    )
    np.testing.assert_array_equal(direct.payments, cold.payments)


def test_warm_start_is_checked():
    system = prepare_clearing(np.array([[0, 2.0], [1.0, 0]]))
    with pytest.raises(
        DataError,
        match=r"'start' parameter of ClearingSystem\.clear\(\) must be payments in \[0, obligations\]",
    ):
        system.clear(np.ones(2), start=[3.0, 1.0])
    with pytest.raises(
        DataError, match=r"'start' parameter of ClearingSystem\.clear\(\) must be of the shape"
    ):
        system.clear(np.ones((2, 3)), start=[2.0, 1.0])


def test_no_interbank_debt_and_empty_network():
    e = np.array([1.0, 2.0])
    res = eisenberg_noe(np.zeros((2, 2)), e)
    np.testing.assert_array_equal(res.payments, [0.0, 0.0])
    np.testing.assert_array_equal(res.equity, e)
    assert not res.defaulted.any()
    assert res.waves == 0
    assert res.n_solves == 0
    out = eisenberg_noe(np.zeros((0, 0)), np.zeros((0, 3)))
    assert out.payments.shape == (0, 3)


def test_cycles_without_external_assets(engine):
    """All external assets zero and a cycle: the greatest clearing vector is not zero."""
    L = np.array([[0, 1.0], [1.0, 0]])
    res = eisenberg_noe(L, np.zeros(2))
    np.testing.assert_allclose(res.payments, [1.0, 1.0])  # the cycle clears itself
    res2 = eisenberg_noe(np.array([[0, 2.0], [1.0, 0]]), np.zeros(2))
    np.testing.assert_allclose(res2.payments, [1.0, 1.0])
    assert res2.defaulted.tolist() == [True, False]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"liabilities": [[0, -1.0], [0, 0]]},
            r"'liabilities' parameter of eisenberg_noe\(\) must be non-negative\. Got -1 at \[0, 1\]",
        ),
        (
            {"liabilities": [[0, np.nan], [0, 0]]},
            r"'liabilities' .* must be finite \(no NaN or inf\)\. Got nan at \[0, 1\]",
        ),
        (
            {"liabilities": [[0, 1.0, 0], [0, 0, 1]]},
            r"'liabilities' .* square 2-D matrix\. Got shape \(2, 3\)",
        ),
        (
            {"liabilities": [[2.0, 1.0], [0, 0]]},
            r"'liabilities' .* zero on the diagonal.*Got 2 at \[0, 0\]",
        ),
        (
            {"external_assets": [1.0, 2.0, 3.0]},
            r"'external_assets' .* of shape \(2,\) or \(2, S\)\. Got shape \(3,\)",
        ),
        ({"external_assets": [1.0, -2.0]}, r"'external_assets' .* non-negative\. Got -2 at \[1\]"),
        (
            {"external_assets": [[1.0], [np.inf]]},
            r"'external_assets' .* finite .* Got inf at \[1, 0\]",
        ),
        (
            {"alpha": 1.5},
            r"'alpha' parameter of eisenberg_noe\(\) must be a finite real number in the range \[0, 1\]\. Got 1\.5",
        ),
        ({"beta": -0.1}, r"'beta' .* \[0, 1\]\. Got -0\.1"),
        (
            {"external_liabilities": [1.0]},
            r"'external_liabilities' .* of shape \(2,\)\. Got shape \(1,\)",
        ),
    ],
)
def test_bad_input_raises_clear_error(kwargs, match):
    args = {"liabilities": [[0, 1.0], [1.0, 0]], "external_assets": [1.0, 1.0]} | kwargs
    with pytest.raises(DataError, match=match):
        eisenberg_noe(**args)


def test_sparse_bad_entry_names_position():
    L = sp.csr_array(([1.0, -3.0], ([0, 2], [1, 0])), shape=(3, 3))
    with pytest.raises(ValueError, match=r"non-negative\. Got -3 at \[2, 0\]"):
        eisenberg_noe(L, np.ones(3))


def test_inexact_clearing_bounds_the_exact_answer(engine):
    """``clear(exact=False)`` stops its sweeps before the exact block solves: its payments lie
    at or above the greatest clearing vector and its credit losses at or below the exact ones,
    and a cascade that finishes with exact clears loses nothing by it."""
    from lahar.contagion import prepare_clearing
    from lahar.network import synthetic

    net = synthetic(300, 2000, seed=9)
    L = net.layer("debt").T
    rng = np.random.default_rng(2)
    e = rng.uniform(0.0, 2e8, (300, 4))
    system = prepare_clearing(L)
    exact = system.clear(e)
    rough = system.clear(e, exact=False)
    assert (rough.payments >= exact.payments - 1e-6).all()
    assert (rough.credit_loss <= exact.credit_loss + 1e-6).all()
    assert (rough.defaulted <= exact.defaulted).all()
