"""DebtRank (linear and Battiston): worked examples, closed forms, references, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from lahar.contagion import DebtRankResult, debtrank
from lahar.errors import ConvergenceError, DataError

from ._helpers import random_sparse_liabilities
from ._reference import debtrank_battiston_reference, debtrank_linear_reference

A2 = np.array([[0.0, 5.0], [5.0, 0.0]])
E2 = np.array([10.0, 10.0])


def test_tv7_linear_two_cycle(engine):
    """TV-7 (docs/contagion.md, test vectors; construction and numbers are a self-check, checked here
    against the closed form): Lambda = [[0, .5], [.5, 0]], h(1) = [0.2, 0] ->
    h_inf = [0.266667, 0.133333] = (I - Lambda)^-1 h(1) (Bardoscia et al. 2015, Eq. 9:
    the asymptotic state of the stable linear dynamics)."""
    res = debtrank(A2, E2, [0.2, 0.0])
    assert isinstance(res, DebtRankResult)
    np.testing.assert_allclose(res.distress, [0.266667, 0.133333], atol=5e-7)
    lam = A2 / E2[:, None]
    closed = np.linalg.solve(np.eye(2) - lam, [0.2, 0.0])
    np.testing.assert_allclose(res.distress, closed, atol=1e-11)
    # value weights = exposure shares (0.5, 0.5): R = 0.5 * (0.0667 + 0.1333) = 0.1
    np.testing.assert_allclose(res.debtrank, 0.1, atol=1e-11)
    assert res.residual <= 1e-12
    assert res.method == "linear"


def test_tv7_battiston_single_hit():
    """Battiston et al. (2012) dynamics on TV-7, worked by hand from the paper's update rule:
    t=2: h = [0.2, 0 + 0.5*0.2] = [0.2, 0.1]; bank 0 -> inactive, bank 1 -> distressed.
    t=3: h_0 = 0.2 + 0.5*0.1 = 0.25 (inactive nodes still receive distress, they only stop
    passing it on); bank 1 -> inactive; no distressed node left.

    TV-7 lists [0.2, 0.1], i.e. stops after t=2 (a variant in which inactive nodes are frozen);
    the rule as stated in Battiston et al. (2012) and implemented in NetworkRiskMeasures'
    ``debt_rank_shock`` gives [0.25, 0.1]. Either way the single-hit version under-estimates the
    linear asymptote [0.2667, 0.1333] (Bardoscia et al. 2015).
    """
    res = debtrank(A2, E2, [0.2, 0.0], method="battiston")
    np.testing.assert_allclose(res.distress, [0.25, 0.1], atol=1e-15)
    assert res.rounds == 2
    linear = debtrank(A2, E2, [0.2, 0.0]).distress
    assert (res.distress <= linear).all()
    assert (res.distress < linear).any()


def test_unstable_when_spectral_radius_above_one(engine):
    """Bardoscia et al. (2015): if the largest eigenvalue of Lambda exceeds 1, some h_i -> 1."""
    A = np.array([[0.0, 15.0], [15.0, 0.0]])  # Lambda = 1.5 * [[0, 1], [1, 0]], rho = 1.5
    res = debtrank(A, E2, [0.01, 0.0])
    np.testing.assert_array_equal(res.distress, [1.0, 1.0])
    assert res.defaulted.all()
    assert res.residual == 0.0


def test_battiston_w_is_capped_at_one():
    """W = min(1, A/E): a claim worth 3x equity transmits at most the full distress."""
    A = np.array([[0.0, 30.0], [0.0, 0.0]])
    res = debtrank(A, E2, [0.0, 0.5], method="battiston")
    np.testing.assert_allclose(res.distress, [0.5, 0.5])


@pytest.mark.parametrize("seed", range(5))
def test_linear_matches_plain_reference(seed, engine):
    """Batched/frontier implementation vs one-shock-at-a-time full SpMV loop."""
    rng = np.random.default_rng(seed)
    n = 200
    A = random_sparse_liabilities(rng, n, 800)
    eq = np.asarray(A.sum(axis=1)).ravel() * rng.uniform(0.5, 6.0, n) + 1.0
    shock = np.zeros((n, 6))
    shock[rng.integers(0, n, 6), np.arange(6)] = rng.uniform(0.1, 1.0, 6)
    shock[:, 5] = rng.uniform(0, 0.05, n)
    res = debtrank(A, eq, shock, tol=1e-14)
    ref = debtrank_linear_reference(A, eq, shock, tol=1e-14)
    np.testing.assert_allclose(res.distress, ref, atol=1e-12)


def _limit_network(rng, n, m, lever):
    """Random claims with interbank leverage ``lever`` (sum_j Lambda_ij) around row i."""
    A = random_sparse_liabilities(rng, n, m)
    eq = np.asarray(A.sum(axis=1)).ravel() / rng.uniform(0.2, lever, n) + 1e-3
    return A, eq


@pytest.mark.parametrize(("seed", "lever"), [(0, 0.8), (1, 1.5), (2, 3.0), (3, 6.0)])
def test_limit_equals_round_by_round_dynamics(seed, lever, engine):
    """The in-place sweeps reach the limit of the Bardoscia dynamics, with saturation
    (leverage > 1: a share of firms is wiped out) and without; compiled, in fewer sweeps than
    rounds."""
    rng = np.random.default_rng(100 + seed)
    n = 300
    A, eq = _limit_network(rng, n, 1500, lever)
    shock = np.zeros((n, 9))
    shock[rng.integers(0, n, 8), np.arange(8)] = rng.uniform(0.05, 1.0, 8)
    shock[:, 8] = rng.uniform(0, 0.02, n)
    limit = debtrank(A, eq, shock, tol=1e-14)
    path = debtrank(A, eq, shock, solver="rounds", tol=1e-15, max_iter=5000)
    ref = debtrank_linear_reference(A, eq, shock, tol=1e-15)
    np.testing.assert_allclose(limit.distress, path.distress, rtol=0, atol=1e-9)
    np.testing.assert_allclose(limit.distress, ref, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(limit.defaulted, path.defaulted)
    if engine == "numba":  # Gauss-Seidel sweeps (the numpy engine sweeps Jacobi-like when small)
        assert limit.rounds < path.rounds
    if lever > 1.0:
        assert limit.defaulted.any()
        assert not limit.defaulted.all()


def test_limit_hand_cases(engine):
    """Closed forms: a stable two-cycle, a saturating one, and a chain past a saturated node."""
    res = debtrank(A2, E2, [0.2, 0.0], tol=0.0)  # (I - Lambda)^-1 h1, exactly up to rounding
    np.testing.assert_allclose(res.distress, [0.8 / 3, 0.4 / 3], atol=1e-15)
    # rho = 1.5: the least fixed point of min(1, h1 + Lambda h) is saturation of both
    sat = debtrank(np.array([[0.0, 15.0], [15.0, 0.0]]), E2, [0.01, 0.0])
    np.testing.assert_array_equal(sat.distress, [1.0, 1.0])
    assert sat.residual == 0.0
    # 0 <-> 1 saturate (Lambda = 2); 2 holds a claim on 1 worth 0.25 of its equity, 3 holds
    # a claim on 2 worth 0.5: h_2 = 0.25, h_3 = 0.125; 4 is not exposed to the shock.
    A = np.zeros((5, 5))
    A[0, 1] = A[1, 0] = 20.0
    A[2, 1] = 2.5
    A[3, 2] = 5.0
    A[4, 3] = 0.0
    res = debtrank(A, np.full(5, 10.0), [0.1, 0.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(res.distress, [1.0, 1.0, 0.25, 0.125, 0.0], atol=1e-15)
    # The cycle 0 <-> 1 is not exposed to a shock on 2: it stays at 0, although h = 1 on it
    # is also a fixed point (not the least one); 3 loses 0.5 * 0.4.
    res = debtrank(A, np.full(5, 10.0), [0.0, 0.0, 0.4, 0.0, 0.0])
    np.testing.assert_allclose(res.distress, [0.0, 0.0, 0.4, 0.2, 0.0], atol=1e-15)
    zero = debtrank(A, np.full(5, 10.0), np.zeros(5))
    assert (zero.distress == 0).all()
    assert zero.rounds == 0


def test_limit_convergence_error(engine):
    with pytest.raises(ConvergenceError, match="did not converge") as info:
        debtrank(A2 * 1.9, E2, [0.01, 0.0], max_iter=3, tol=0.0)
    assert info.value.n_iter == 3


def test_limit_with_threads_agrees_with_serial_and_dynamics():
    """The compiled sweeps split the rows over threads (each row reads the newest values):
    the same limit as one thread and as the round-by-round dynamics, to the tolerance."""
    numba = pytest.importorskip("numba")
    from lahar.contagion import _kernels

    rng = np.random.default_rng(7)
    n = 3000
    A, eq = _limit_network(rng, n, 20000, 2.0)
    shock = np.zeros((n, 40))
    shock[rng.integers(0, n, 40), np.arange(40)] = 1.0
    assert shock.size >= _kernels.PARALLEL_MIN  # large enough to run on every thread
    many = debtrank(A, eq, shock, tol=1e-14)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = debtrank(A, eq, shock, tol=1e-14)
    finally:
        numba.set_num_threads(before)
    path = debtrank(A, eq, shock, solver="rounds", tol=1e-15)
    np.testing.assert_allclose(many.distress, one.distress, rtol=0, atol=1e-12)
    np.testing.assert_allclose(many.distress, path.distress, rtol=0, atol=1e-9)
    assert many.defaulted.any()
    assert many.rounds < path.rounds


@pytest.mark.parametrize("seed", range(4))
def test_battiston_matches_plain_reference(seed):
    rng = np.random.default_rng(50 + seed)
    n = 25
    A = random_sparse_liabilities(rng, n, 90).toarray()
    eq = A.sum(axis=1) * rng.uniform(0.5, 4.0, n) + 1.0
    shock = np.zeros((n, 3))
    shock[rng.integers(0, n, 3), np.arange(3)] = 1.0
    res = debtrank(A, eq, shock, method="battiston")
    np.testing.assert_allclose(res.distress, debtrank_battiston_reference(A, eq, shock), atol=1e-14)


def test_batch_equals_columns_and_sparse_equals_dense(engine):
    rng = np.random.default_rng(9)
    n = 60
    A = random_sparse_liabilities(rng, n, 300)
    eq = np.asarray(A.sum(axis=1)).ravel() + 2.0
    shock = rng.uniform(0, 0.3, (n, 4)) * (rng.random((n, 4)) < 0.2)
    for method in ("linear", "battiston"):
        batch = debtrank(A, eq, shock, method=method)
        dense = debtrank(A.toarray(), eq, shock, method=method)
        np.testing.assert_allclose(batch.distress, dense.distress, atol=1e-15)
        for s in range(4):
            one = debtrank(A, eq, shock[:, s], method=method)
            np.testing.assert_allclose(batch.distress[:, s], one.distress, atol=1e-13)
            np.testing.assert_allclose(batch.debtrank[s], one.debtrank, atol=1e-13)


def test_value_weights_options(engine):
    """A chain 1 -> 0 -> 2 worked by hand: h_0 = 0.6 * 0.5, h_2 = 0.1 * h_0."""
    A = np.array([[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    eq = np.array([10.0, 10.0, 20.0])
    res = debtrank(A, eq, [0.0, 0.5, 0.0])
    np.testing.assert_allclose(res.value_weights, [0.75, 0.0, 0.25])
    np.testing.assert_allclose(res.distress, [0.3, 0.5, 0.03])
    np.testing.assert_allclose(res.debtrank, 0.75 * 0.3 + 0.25 * 0.03)
    by_equity = debtrank(A, eq, [0.0, 0.5, 0.0], value="equity")
    np.testing.assert_allclose(by_equity.debtrank, 0.25 * 0.3 + 0.5 * 0.03)  # H, Bardoscia
    custom = debtrank(A, eq, [0.0, 0.5, 0.0], value=[1.0, 1.0, 2.0])
    np.testing.assert_allclose(custom.value_weights, [0.25, 0.25, 0.5])
    np.testing.assert_allclose(res.equity_loss, [3.0, 5.0, 0.6])
    rounds = debtrank(A, eq, [0.0, 0.5, 0.0], solver="rounds")
    np.testing.assert_allclose(rounds.distress, res.distress)
    assert rounds.rounds == 3  # h(2), h(3), and h(4) = h(3): the third step adds nothing
    # Compiled, in-place sweeps in row order: sweep 1 sets h_0 = 0.3 then h_2 = 0.1 * h_0 from
    # the new h_0; sweep 2 changes nothing. The numpy engine (one block when small) sweeps
    # like the rounds.
    assert res.rounds == (2 if engine == "numba" else 3)


def test_convergence_error_carries_iterations_and_residual():
    with pytest.raises(ConvergenceError, match="did not converge") as info:
        debtrank(A2 * 1.9, E2, [0.01, 0.0], max_iter=5, tol=0.0)
    assert info.value.n_iter == 5
    assert info.value.residual > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"exposures": [[0, -5.0], [5.0, 0]]},
            r"'exposures' parameter of debtrank\(\) must be non-negative\. Got -5 at \[0, 1\]",
        ),
        ({"equity": [10.0, 0.0]}, r"'equity' .* strictly positive \(> 0\)\. Got 0 at \[1\]"),
        ({"equity": [-1.0, 10.0]}, r"'equity' .* strictly positive \(> 0\)\. Got -1 at \[0\]"),
        ({"equity": [10.0]}, r"'equity' .* of shape \(2,\)\. Got shape \(1,\)"),
        (
            {"shock": [0.2, 1.5]},
            r"'shock' .* in \[0, 1\] \(a relative equity loss\)\. Got 1\.5 at \[1\]",
        ),
        ({"shock": [0.2, np.nan]}, r"'shock' .* finite .* Got nan at \[1\]"),
        ({"shock": [[0.2, 0.1, 0.0]]}, r"'shock' .* \(2,\) or \(2, S\)\. Got shape \(1, 3\)"),
        ({"method": "nonlinear"}, r"'method' .* one of 'linear', 'battiston'\. Got 'nonlinear'"),
        ({"value": "assets"}, r"'value' .* one of 'exposures', 'equity'\. Got 'assets'"),
        ({"tol": -1.0}, r"'tol' .* range \[0, inf\)\. Got -1"),
    ],
)
def test_bad_input_raises_clear_error(kwargs, match):
    args = {"exposures": A2, "equity": E2, "shock": [0.2, 0.0]} | kwargs
    with pytest.raises(DataError, match=match):
        debtrank(**args)


def test_sparse_input_kinds():
    res = debtrank(sp.coo_matrix(A2), E2, [0.2, 0.0])
    np.testing.assert_allclose(res.distress, [0.266667, 0.133333], atol=5e-7)


@pytest.mark.parametrize("seed", range(3))
def test_small_problems_same_bits_compiled_or_not(seed):
    """Below _kernels.SMALL entries the numpy sweeps run, compiled once numba is loaded anyway:
    the two give identical bits, so a result does not depend on what ran before it."""
    from lahar.contagion import _kernels

    if not _kernels.available():
        pytest.skip("numba not installed")
    rng = np.random.default_rng(300 + seed)
    n = 150
    A, eq = _limit_network(rng, n, 900, 1.0 + seed)
    shock = rng.uniform(0, 0.2, (n, 5)) * (rng.random((n, 5)) < 0.1)
    assert shock.size < _kernels.SMALL
    _kernels.set_enabled(False)
    try:
        plain = debtrank(A, eq, shock)
    finally:
        _kernels.set_enabled(None)
    _kernels._compiled()  # load the kernels
    assert _kernels.loaded()
    compiled = debtrank(A, eq, shock)
    np.testing.assert_array_equal(compiled.distress, plain.distress)
    assert compiled.rounds == plain.rounds
