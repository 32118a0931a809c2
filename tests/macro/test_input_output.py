"""Tests of lahar.macro.input_output: textbook values, BEA's published tables, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from lahar.errors import DataError
from lahar.macro.input_output import (
    CAPEX_CATEGORIES,
    allocation_coefficients,
    capex_bridge,
    capex_final_demand,
    closed_model,
    factorize,
    ghosh,
    industry_of_kind,
    io_effects,
    leontief,
    load_bea,
    published_requirements,
    technical_coefficients,
    total_requirements,
    type_i_multipliers,
    type_ii_multipliers,
)

# Miller & Blair (2009), Input-Output Analysis, 2nd ed., §2.3 numerical example
# (TV-11 in shared/research/model_test_vectors.md).
Z = np.array([[150.0, 500.0], [200.0, 100.0]])
X = np.array([1000.0, 2000.0])
A_MB = np.array([[0.15, 0.25], [0.20, 0.05]])
L_MB = np.array([[1.254125, 0.330033], [0.264026, 1.122112]])


@pytest.fixture(scope="module")
def bea2023():
    return load_bea(2023)


@pytest.fixture(scope="module")
def bea2017():
    return load_bea(2017)


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
    with pytest.raises(ValueError, match="'final_demand' parameter of leontief must be finite"):
        leontief(A_MB, [np.nan, 1.0])


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match=r"'final_demand' parameter of leontief must be of shape"):
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


# ---------------------------------------------------------------- BEA tables


def test_bea_direct_requirements_match_published(bea2023):
    # Our B = U diag(g)^-1 from the 2023 use table vs BEA's published CxI direct requirements
    # (same 2024 release): within 1e-4 (BEA rounds the use table to $1M).
    pub = published_requirements("direct", 2023)
    assert np.abs(bea2023.direct_requirements - pub[:73]).max() < 1e-4
    assert np.abs(bea2023.value_added_coefficients - pub[73:].sum(axis=0)).max() < 1e-4
    assert np.abs(bea2023.compensation_coefficients - pub[73]).max() < 1e-4


def test_bea_total_requirements_same_vintage(bea2023):
    a, ell = bea2023.technical_coefficients, bea2023.total_requirements
    np.testing.assert_allclose(ell @ (np.eye(71) - a), np.eye(71), atol=1e-12)
    # from BEA's published (rounded) direct requirements instead of the use table
    pub = published_requirements("direct", 2023)[:73]
    ell_pub = total_requirements(bea2023.market_shares @ pub)
    assert np.abs(ell_pub - ell).max() < 1e-4
    assert (np.diag(ell) >= 1).all()


def test_bea_2017_reproduces_published_total_requirements_across_vintages(bea2017):
    # The published 2017 IxI TR is the 2021 release (2012 benchmark); our 2017 tables are the
    # 2024 release (2017 benchmark). Agreement is as close as the revisions allow: see
    # docs/macro.md for the report (python -m lahar.macro._revisions).
    pub = published_requirements("total", 2017, vintage=2021)
    diff = np.abs(bea2017.total_requirements - pub)
    assert np.median(diff) < 1e-3
    assert np.quantile(diff, 0.95) < 0.02
    assert np.abs(np.diag(bea2017.total_requirements) - np.diag(pub)).max() < 0.1
    m_ours, m_pub = bea2017.total_requirements.sum(axis=0), pub.sum(axis=0)
    assert np.corrcoef(m_ours, m_pub)[0, 1] > 0.95
    assert np.abs(m_ours / m_pub - 1).max() < 0.2


def test_bea_table_shapes_and_accounting(bea2023):
    t = bea2023
    assert t.n == 71
    assert len(t.commodities) == 73
    assert t.industries[:3] == ("111CA", "113FF", "211")
    assert t.industries[-1] == "GSLE"
    # value added = output - intermediate inputs (all 73 commodity rows), to BEA's rounding
    inter = t.direct_requirements.sum(axis=0) * t.output
    assert np.abs(t.output - inter - t.value_added).max() <= 10
    # market shares: each comparable commodity's output fully attributed
    np.testing.assert_allclose(t.market_shares[:, :71].sum(axis=0) > 0.99, True)
    # NIPA 6.5D lines cover all domestic industries exactly once (line 2, 2017: 136,483k)
    assert t.employment.sum() == pytest.approx(136_483e3)
    assert (t.employment_coefficients >= 0).all()
    assert t.pce_shares().sum() == pytest.approx(1.0)


def test_bea_domestic_table(bea2023):
    dom = load_bea(2023, domestic=True)
    assert (
        np.abs(dom.technical_coefficients) <= np.abs(bea2023.technical_coefficients) + 1e-15
    ).all()
    i = dom.commodities.index("334")
    assert 0.3 < dom.import_shares[i] < 0.9  # most computer hardware is imported
    assert 0.9 < dom.pce_shares().sum() < 1.0
    # domestic multipliers are smaller
    assert (
        type_i_multipliers(dom.technical_coefficients) < bea2023.total_requirements.sum(0)
    ).all()


def test_bea_unknown_year_raises():
    with pytest.raises(DataError, match="No BEA use table for year 1999"):
        load_bea(1999)


def test_capex_bridge_and_kinds(bea2023):
    m = capex_bridge(bea2023)
    assert m.shape == (73, len(CAPEX_CATEGORIES))
    np.testing.assert_array_equal(m.sum(axis=0), 1.0)
    f = capex_final_demand(bea2023, np.ones(len(CAPEX_CATEGORIES)))
    assert f.sum() == pytest.approx(len(CAPEX_CATEGORIES), rel=0.02)
    fb = capex_final_demand(bea2023, np.ones((len(CAPEX_CATEGORIES), 3)))
    np.testing.assert_allclose(fb[:, 2], f)
    assert industry_of_kind("utility") == "22"
    assert industry_of_kind("neocloud") == "514"
    assert industry_of_kind("sovereign_fund") is None
    with pytest.raises(KeyError, match="valid kinds"):
        industry_of_kind("dragon")
    with pytest.raises(KeyError, match="valid codes"):
        bea2023.index("9999")


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
def test_small_table_paths_agree(domestic, bea2023):
    """BEA's table through every path: explicit inverse (S >= n), LAPACK LU solve (S < n) and
    SuperLU; Leontief and Ghosh (transposed), against numpy's solve of the same system."""
    a = load_bea(2023, domestic=True).technical_coefficients if domestic else None
    a = bea2023.technical_coefficients if a is None else a
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
    with pytest.raises(DataError, match="'method' parameter of factorize must be one of"):
        factorize(A_MB, method="qr")


def test_bea_type_ii_household_closure():
    t = load_bea(2023, domestic=True)
    hr, hc = t.household_closure(0.6)
    m1 = type_i_multipliers(t.technical_coefficients)
    m2 = type_ii_multipliers(t.technical_coefficients, hr, hc)
    assert (m2 > m1).all()
    assert (m2 / m1 < 2).all()
    with pytest.raises(ValueError, match="consumption_per_income"):
        t.household_closure(-1.0)
