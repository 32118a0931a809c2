"""Greenwood–Landier–Thesmar (2015) fire sales: TV-10, loop reference, batch, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from lahar.contagion import FireSaleResult, fire_sale
from lahar.errors import DataError

from ._reference import fire_sale_reference

TV10 = {
    "assets": np.array([100.0, 50.0]),
    "weights": np.array([[0.5, 0.5], [0.2, 0.8]]),
    "leverage": np.array([10.0, 10.0]),
    "price_impact": np.array([1e-3, 2e-3]),
    "shock": np.array([-0.02, 0.0]),
}


def test_tv10_glt_worked_instance():
    """TV-10 (docs/contagion.md, test vectors): a synthetic instance of the GLT (2015, JFE 115(3)
    471-485, Section 2) formulas; all numbers are a self-check, re-derived by hand here:
    direct [1.0, 0.2]; sales [10, 2]; sold by asset [5.4, 6.6]; dp [-0.0054, -0.0132];
    indirect [0.93, 0.582]; AV = 1.512 / 15 = 0.1008; S = [0.08, 0.0208]; IV = [0.093, 0.1164].
    """
    res = fire_sale(**TV10)
    assert isinstance(res, FireSaleResult)
    np.testing.assert_allclose(res.direct_losses, [1.0, 0.2], atol=1e-14)
    np.testing.assert_allclose(res.sales, [10.0, 2.0], atol=1e-13)
    np.testing.assert_allclose(res.price_change, [-0.0054, -0.0132], atol=1e-15)
    np.testing.assert_allclose(res.losses, [0.93, 0.582], atol=1e-13)
    np.testing.assert_allclose(res.aggregate_vulnerability, 0.1008, atol=1e-14)
    np.testing.assert_allclose(res.systemicness, [0.08, 0.0208], atol=1e-14)
    np.testing.assert_allclose(res.systemicness.sum(), res.aggregate_vulnerability, atol=1e-15)
    np.testing.assert_allclose(res.indirect_vulnerability, [0.093, 0.1164], atol=1e-14)


@pytest.mark.parametrize("seed", range(5))
def test_matches_loop_reference(seed):
    """Closed-form vectorised systemicness vs letting each firm sell alone (the definition)."""
    rng = np.random.default_rng(seed)
    n, k = 7, 4
    m = rng.dirichlet(np.ones(k + 1), n)[:, :k]  # rows sum to < 1 (some cash)
    a = rng.uniform(10, 100, n)
    eq = a * rng.uniform(0.05, 0.2, n)
    b = (a - eq) / eq
    ell = rng.uniform(1e-4, 1e-3, k)
    f = rng.uniform(-0.05, 0.01, k)
    res = fire_sale(a, m, b, ell, f, equity=eq)
    losses, av, syst = fire_sale_reference(a, m, b, ell, f, eq)
    np.testing.assert_allclose(res.losses, losses, rtol=1e-12)
    np.testing.assert_allclose(res.aggregate_vulnerability, av, rtol=1e-12)
    np.testing.assert_allclose(res.systemicness, syst, rtol=1e-11, atol=1e-15)


def test_batch_sparse_and_linearity():
    rng = np.random.default_rng(1)
    n, k, s = 30, 12, 5
    m = sp.random_array((n, k), density=0.3, rng=rng, format="csr")
    m = sp.csr_array(m.multiply(1.0 / np.maximum(m.sum(axis=1), 1.0)[:, None]))
    a = rng.uniform(1, 10, n)
    b = rng.uniform(5, 15, n)
    ell = rng.uniform(0, 1e-2, k)
    f = rng.uniform(-0.1, 0.0, (k, s))
    batch = fire_sale(a, m, b, ell, f)
    dense = fire_sale(a, m.toarray(), b, ell, f)
    np.testing.assert_allclose(batch.losses, dense.losses, rtol=1e-13)
    for j in range(s):
        one = fire_sale(a, m, b, ell, f[:, j])
        np.testing.assert_allclose(batch.losses[:, j], one.losses, rtol=1e-13)
        np.testing.assert_allclose(batch.aggregate_vulnerability[j], one.aggregate_vulnerability)
    double = fire_sale(a, m, b, ell, 2 * f)
    np.testing.assert_allclose(double.losses, 2 * batch.losses, rtol=1e-13)
    zero = fire_sale(a, m, b, ell, np.zeros(k))
    assert not zero.losses.any()
    assert zero.aggregate_vulnerability == 0.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"assets": [100.0, -1.0]},
            r"'assets' parameter of fire_sale\(\) must be non-negative\. Got -1 at \[1\]",
        ),
        (
            {"assets": [[100.0, 50.0]]},
            r"'assets' .* 1-D array of shape \(N,\)\. Got shape \(1, 2\)",
        ),
        (
            {"weights": [[0.5, 0.6], [0.2, 0.8]]},
            r"'weights' .* rows sum to at most 1\. Got row 0 sums to 1\.1",
        ),
        (
            {"weights": [[0.5, 0.5, 0.0], [0.2, 0.8, 0.0]], "price_impact": [1e-3, 2e-3, 0.0]},
            r"'shock' .* of shape \(3,\) or \(3, S\)\. Got shape \(2,\)",
        ),
        (
            {"weights": [[0.5, 0.5, 0.0], [0.2, 0.8, 0.0]]},
            r"'price_impact' .* of shape \(3,\)\. Got shape \(2,\)",
        ),
        (
            {"weights": [[0.5], [0.2], [0.1]]},
            r"'weights' .* shape \(2, 'S'\)|'weights' .* Got shape \(3, 1\)",
        ),
        ({"price_impact": [1e-3, np.nan]}, r"'price_impact' .* finite .* Got nan at \[1\]"),
        ({"shock": [-1.5, 0.0]}, r"'shock' .* asset returns >= -1\. Got -1\.5 at \[0\]"),
        (
            {"leverage": [0.0, 10.0]},
            r"'leverage' .* > 0 when 'equity' is not given.*Got 0 at \[0\]",
        ),
        ({"equity": [10.0, 0.0]}, r"'equity' .* strictly positive \(> 0\)\. Got 0 at \[1\]"),
    ],
)
def test_bad_input_raises_clear_error(kwargs, match):
    with pytest.raises(DataError, match=match):
        fire_sale(**(TV10 | kwargs))
