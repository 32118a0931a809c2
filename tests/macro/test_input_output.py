"""Tests of lahar.macro.input_output: textbook values, AI-capex final demand, bad input.

BEA's tables themselves (and their published coefficients) are tested in tests/data/test_bea.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from lahar.data import capex_bridge, load_bea
from lahar.errors import DataError
from lahar.macro.input_output import (
    allocation_coefficients,
    capex_final_demand,
    closed_model,
    factorize,
    ghosh,
    io_effects,
    leontief,
    technical_coefficients,
    total_requirements,
    type_i_multipliers,
    type_ii_multipliers,
)

# Miller & Blair (2009), Input-Output Analysis, 2nd ed., §2.3 numerical example (TV-11).
Z = np.array([[150.0, 500.0], [200.0, 100.0]])
X = np.array([1000.0, 2000.0])
A_MB = np.array([[0.15, 0.25], [0.20, 0.05]])
L_MB = np.array([[1.254125, 0.330033], [0.264026, 1.122112]])


@pytest.fixture(scope="module")
def bea2023():
    return load_bea(2023)


@pytest.fixture(scope="module")
def bea2023_domestic():
    return load_bea(2023, domestic=True)


# ---------------------------------------------------------------- Miller & Blair


def test_miller_blair_coefficients_and_inverse():
    np.testing.assert_allclose(technical_coefficients(Z, X), A_MB)
    np.testing.assert_allclose(total_requirements(A_MB), L_MB, atol=1e-6)


def test_miller_blair_new_final_demand():
    x = leontief(A_MB, [600.0, 1500.0])
    np.testing.assert_allclose(x, [1247.524752, 1841.584158], atol=1e-6)
    # the base-year final demand f = x - Z 1 reproduces x
    np.testing.assert_allclose(leontief(A_MB, X - Z.sum(axis=1)), X)


def test_miller_blair_output_multipliers():
    np.testing.assert_allclose(type_i_multipliers(A_MB), [1.518152, 1.452145], atol=1e-6)


def test_ghosh_counterpart():
    # Ghosh: B = diag(x)^-1 Z; primary inputs v = x - Z^T 1 reproduce x (Miller & Blair §12.1).
    b = allocation_coefficients(Z, X)
    np.testing.assert_allclose(b, [[0.15, 0.5], [0.1, 0.05]])
    v = X - Z.sum(axis=0)
    np.testing.assert_allclose(ghosh(b, v), X)
    # hand-checked: x^T = v^T (I - B)^-1 for v = (700, 1400)
    expected = np.array([700.0, 1400.0]) @ np.linalg.inv(np.eye(2) - b)
    np.testing.assert_allclose(ghosh(b, [700.0, 1400.0]), expected)
    # supply-side multipliers are row sums of the Ghosh inverse
    g_inv = np.linalg.inv(np.eye(2) - b)
    np.testing.assert_allclose(ghosh(b, np.eye(2)).sum(axis=0), g_inv.sum(axis=1))


def test_type_ii_matches_schur_complement():
    hr, hc = np.array([0.3, 0.25]), np.array([0.05, 0.4])
    # independent check: the upper-left block of the closed inverse by the Schur complement
    lu = np.linalg.inv(np.eye(2) - A_MB)
    l11 = lu + np.outer(lu @ hc, hr @ lu) / (1 - hr @ lu @ hc)
    np.testing.assert_allclose(type_ii_multipliers(A_MB, hr, hc), l11.sum(axis=0))
    # and by brute force on the bordered matrix
    lbar = np.linalg.inv(np.eye(3) - closed_model(A_MB, hr, hc))
    np.testing.assert_allclose(type_ii_multipliers(A_MB, hr, hc), lbar[:2, :2].sum(axis=0))
    assert (type_ii_multipliers(A_MB, hr, hc) > type_i_multipliers(A_MB)).all()


def test_type_i_ratio_multipliers_nan_for_zero_direct():
    m = type_i_multipliers(A_MB, coefficients=[0.0, 0.25], ratio=True)
    assert np.isnan(m[0])
    assert m[1] == pytest.approx((0.25 * L_MB[1, 1]) / 0.25, rel=1e-5)


def test_satellite_effects():
    fx = io_effects(
        A_MB,
        np.array([[-100.0, 0.0], [0.0, -50.0]]),
        value_added_coefficients=[0.65, 0.7],
        compensation_coefficients=[0.3, 0.25],
        employment_coefficients=[0.01, 0.002],
    )
    x = leontief(A_MB, np.array([[-100.0, 0.0], [0.0, -50.0]]))
    np.testing.assert_allclose(fx.output, x)
    np.testing.assert_allclose(fx.value_added, np.array([[0.65], [0.7]]) * x)
    np.testing.assert_allclose(fx.employment, np.array([[0.01], [0.002]]) * x)
    # GDP identity: value added lost = final demand lost when v = 1 - column sums of A
    v = 1 - A_MB.sum(axis=0)
    gdp = io_effects(A_MB, [-100.0, 0.0], value_added_coefficients=v).value_added.sum()
    assert gdp == pytest.approx(-100.0)
    assert io_effects(A_MB, [1.0, 1.0]).employment is None


# ---------------------------------------------------------------- batching, sparse


def test_batched_columns_equal_single_runs():
    rng = np.random.default_rng(5)
    f = rng.normal(size=(2, 7))
    xb = leontief(A_MB, f)
    for s in range(7):
        np.testing.assert_allclose(xb[:, s], leontief(A_MB, f[:, s]))
    assert leontief(A_MB, f[:, 0]).shape == (2,)


def test_sparse_equals_dense_and_factor_reuse():
    rng = np.random.default_rng(7)
    n = 60
    a = sp.random_array((n, n), density=0.08, random_state=rng, format="csr") * 0.1
    f = rng.normal(size=(n, 5))
    dense = leontief(a.toarray(), f)
    np.testing.assert_allclose(leontief(a, f), dense, rtol=1e-10, atol=1e-10)
    lu = factorize(a, method="sparse")
    assert lu.sparse
    assert not factorize(a).sparse  # small tables are factored dense (docs/performance.md)
    np.testing.assert_allclose(leontief(lu, f), dense, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ghosh(a, f), np.linalg.solve((np.eye(n) - a.toarray()).T, f))
    np.testing.assert_allclose(
        type_ii_multipliers(a, np.full(n, 0.1), np.full(n, 0.005)),
        type_ii_multipliers(a.toarray(), np.full(n, 0.1), np.full(n, 0.005)),
    )


def test_no_input_mutation():
    a = A_MB.copy()
    f = np.array([[600.0], [1500.0]])
    leontief(a, f)
    np.testing.assert_array_equal(a, A_MB)
    np.testing.assert_array_equal(f, [[600.0], [1500.0]])


# ---------------------------------------------------------------- bad input


def test_non_square_matrix_raises():
    with pytest.raises(ValueError, match="must be a square 2-D matrix"):
        leontief(np.zeros((2, 3)), [1.0, 2.0])


def test_nan_raises():
    with pytest.raises(ValueError, match=r"finite \(no NaN or inf\)"):
        leontief(np.array([[0.1, np.nan], [0.0, 0.1]]), [1.0, 1.0])
    with pytest.raises(
        ValueError, match=r"'final_demand' parameter of leontief\(\) must be finite"
    ):
        leontief(A_MB, [np.nan, 1.0])


def test_shape_mismatch_raises():
    with pytest.raises(
        ValueError, match=r"'final_demand' parameter of leontief\(\) must be of shape"
    ):
        leontief(A_MB, [1.0, 2.0, 3.0])


def test_spectral_radius_one_or_more_raises():
    with pytest.raises(DataError, match="spectral radius < 1"):
        leontief(np.array([[0.5, 0.6], [0.6, 0.5]]), [1.0, 1.0])
    with pytest.raises(DataError, match="spectral radius < 1"):
        leontief(sp.csr_array(np.array([[0.5, 0.6], [0.6, 0.5]])), [1.0, 1.0])
    # singular I - A (spectral radius exactly 1)
    with pytest.raises(DataError, match="spectral radius < 1"):
        leontief(np.array([[1.0, 0.0], [0.0, 0.2]]), [1.0, 1.0])


def test_singular_without_spectral_check_raises():
    with pytest.raises(DataError, match="singular"):
        leontief(np.array([[1.0, 0.0], [0.0, 0.2]]), [1.0, 1.0], check_spectral=False)
    with pytest.raises(DataError, match="singular"):
        leontief(sp.csr_array(np.array([[1.0, 0.0], [0.0, 0.2]])), [1.0, 1.0], check_spectral=False)


def test_negative_entries_fall_back_to_eigenvalues():
    a = np.array([[0.2, -0.05], [0.1, 0.3]])
    np.testing.assert_allclose(leontief(a, [1.0, 1.0]), np.linalg.solve(np.eye(2) - a, [1, 1]))
    with pytest.raises(DataError, match="spectral radius < 1"):
        leontief(np.array([[1.5, -0.1], [0.0, 0.2]]), [1.0, 1.0])


def test_coefficients_need_positive_output():
    with pytest.raises(ValueError, match="must be > 0 everywhere"):
        technical_coefficients(Z, [1000.0, 0.0])


# ---------------------------------------------------------------- AI-capex final demand


def test_capex_final_demand_is_w_times_domestic_share_times_bridge(bea2023, bea2023_domestic):
    # f = W diag(1 - m) M s, written out by hand: spending on category k buys commodity c_k;
    # a full table keeps every dollar (m = 0), a domestic one keeps the US-made share.
    m = capex_bridge(bea2023)
    s = np.arange(1.0, m.shape[1] + 1)
    for t, keep in ((bea2023, np.ones(73)), (bea2023_domestic, 1 - bea2023_domestic.import_shares)):
        by_commodity = np.zeros(73)
        for k, c in enumerate(m.argmax(axis=0)):
            by_commodity[c] += s[k] * keep[c]
        expected = t.market_shares @ by_commodity
        np.testing.assert_allclose(capex_final_demand(t, s, m), expected, rtol=1e-12)
    # $1 of each category lands on industries whole (market shares of a comparable commodity
    # sum to 1 up to BEA's rounding)
    f = capex_final_demand(bea2023, np.ones(m.shape[1]), m)
    assert f.sum() == pytest.approx(m.shape[1], rel=0.02)
    # batched columns equal single runs
    fb = capex_final_demand(bea2023, np.ones((m.shape[1], 3)), m)
    np.testing.assert_allclose(fb[:, 2], f)


def test_capex_final_demand_takes_any_bridge(bea2023):
    # the model reads no file: a two-category bridge of the caller's making works, and a
    # spending vector of the wrong length or a bridge of the wrong shape is refused
    m = np.zeros((73, 2))
    m[bea2023.commodities.index("23"), 0] = 1.0
    m[bea2023.commodities.index("334"), 1] = 0.5
    m[bea2023.commodities.index("335"), 1] = 0.5
    f = capex_final_demand(bea2023, [10.0, 4.0], m)
    np.testing.assert_allclose(f, bea2023.market_shares @ (m @ [10.0, 4.0]))
    with pytest.raises(DataError, match=r"'category_spending' parameter of capex_final_demand"):
        capex_final_demand(bea2023, np.ones(3), m)
    with pytest.raises(DataError, match=r"'bridge' parameter of capex_final_demand"):
        capex_final_demand(bea2023, np.ones(2), np.ones((71, 2)))


def test_sparse_many_columns_chunked_solve():
    # more right-hand sides than one SuperLU block: the chunked path equals the dense solve
    rng = np.random.default_rng(11)
    n = 40
    a = sp.random_array((n, n), density=0.1, random_state=rng, format="csr") * 0.2
    f = rng.normal(size=(n, 150))
    lu = factorize(a, method="sparse")
    np.testing.assert_allclose(
        leontief(lu, f), np.linalg.solve(np.eye(n) - a.toarray(), f), rtol=1e-10, atol=1e-10
    )
    np.testing.assert_allclose(
        ghosh(lu, f), np.linalg.solve((np.eye(n) - a.toarray()).T, f), rtol=1e-10, atol=1e-10
    )


@pytest.mark.parametrize("domestic", [False, True])
def test_small_table_paths_agree(domestic, bea2023, bea2023_domestic):
    """BEA's table through every path: explicit inverse (S >= n), LAPACK LU solve (S < n) and
    SuperLU; Leontief and Ghosh (transposed), against numpy's solve of the same system."""
    a = (bea2023_domestic if domestic else bea2023).technical_coefficients
    n = a.shape[0]
    rng = np.random.default_rng(3)
    f = rng.normal(size=(n, 3 * n))
    want = np.linalg.solve(np.eye(n) - a, f)
    want_t = np.linalg.solve((np.eye(n) - a).T, f)
    scale = np.abs(want).max()
    dense = factorize(a)
    assert not dense.sparse
    sparse = factorize(sp.csr_array(a), method="sparse")
    assert sparse.sparse
    for lu in (dense, sparse, factorize(sp.csr_array(a))):
        np.testing.assert_allclose(leontief(lu, f), want, rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(ghosh(lu, f), want_t, rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(leontief(lu, f[:, :5]), want[:, :5], rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(
        total_requirements(a), np.linalg.inv(np.eye(n) - a), rtol=0, atol=1e-12
    )


def test_factorize_method_choice():
    rng = np.random.default_rng(4)
    big = sp.random_array((600, 600), density=0.01, random_state=rng, format="csr") * 0.1
    assert factorize(big).sparse  # above the dense crossover
    assert not factorize(big, method="dense").sparse
    with pytest.raises(DataError, match=r"'method' parameter of factorize\(\) must be one of"):
        factorize(A_MB, method="qr")


def test_errors_name_the_function_and_parameter_called():
    """ghosh() and the multipliers used to report factorize() and 'technical_coefficients'."""
    B = np.array([[0.5, 0.6], [0.6, 0.5]])  # spectral radius 1.1
    with pytest.raises(
        DataError, match=r"^The 'allocation_coefficients' parameter of ghosh\(\) must be"
    ):
        ghosh(B, [1.0, 1.0])
    with pytest.raises(
        DataError, match=r"^The 'technical_coefficients' parameter of total_requirements\(\)"
    ):
        total_requirements(B)
    with pytest.raises(DataError, match=r"^The 'coefficients' parameter of factorize\(\)"):
        factorize(B)
