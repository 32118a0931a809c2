"""Purchase-commitment channel: hand-worked example, DCF reference, statuses, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from lahar.contagion import (
    CommitmentResult,
    annuity_factor,
    commitment_losses,
)
from lahar.errors import DataError

from ._reference import commitment_reference

C = np.array([[0, 10.0, 4.0], [0, 0, 0], [1.0, 0, 0]])
T = np.array([[0, 5.0, 2.0], [0, 0, 0], [3.0, 0, 0]])
MARGIN = np.array([0.5, 0.3, 0.7])


def test_hand_worked_example():
    """Lab 0 walks away: the cloud (1) loses 30 % of 10/yr for 5 yrs at 8 %, the chipmaker (2)
    70 % of 4/yr for 2 yrs: 0.3 * 10 * 3.99271 = 11.9781 and 0.7 * 4 * 1.78326 = 4.9931."""
    res = commitment_losses(C, [1.0, 0.0, 0.0], margin=MARGIN, term_years=T, discount_rate=0.08)
    assert isinstance(res, CommitmentResult)
    np.testing.assert_allclose(res.losses, [0.0, 11.97813, 4.99314], atol=5e-6)
    np.testing.assert_allclose(res.lost_revenue, [0.0, 39.92710, 7.13306], atol=5e-6)
    np.testing.assert_allclose(res.unpaid, [39.92710 + 7.13306, 0.0, 0.0], atol=1e-5)
    np.testing.assert_allclose(res.exposure.toarray()[0], [0.0, 11.97813, 4.99314], atol=5e-6)
    np.testing.assert_allclose(annuity_factor(5.0, 0.08), 3.992710, atol=1e-6)


@pytest.mark.parametrize("rate", [0.0, 0.05, 0.12])
def test_matches_year_by_year_discounting(rate):
    rng = np.random.default_rng(int(rate * 100))
    n = 12
    c = np.where(rng.random((n, n)) < 0.3, rng.uniform(1, 50, (n, n)), 0.0)
    np.fill_diagonal(c, 0.0)
    t = np.where(c > 0, rng.integers(1, 9, (n, n)), 0).astype(float)
    d = rng.uniform(0, 1, n)
    m = rng.uniform(0.1, 0.8, n)
    res = commitment_losses(c, d, margin=m, term_years=t, discount_rate=rate)
    ref = commitment_reference(c, d, m, t, rate)
    np.testing.assert_allclose(res.losses, ref, rtol=1e-12)


W = {"announced": 0.25, "committed": 0.5, "drawn": 1.0}


def test_status_mapping_uses_the_given_weights_and_batch():
    drawn = sp.csr_array(C)
    announced = sp.csr_array(2 * C)
    d = np.array([[1.0, 0.5], [0.0, 0.0], [0.0, 1.0]])
    res = commitment_losses(
        {"drawn": drawn, "announced": announced},
        d,
        margin=MARGIN,
        term_years=T,
        discount_rate=0.08,
        status_weight=W,
    )
    one = commitment_losses(C, d, margin=MARGIN, term_years=T, discount_rate=0.08)
    expected = one.losses * (W["drawn"] + 2 * W["announced"])
    np.testing.assert_allclose(res.losses, expected, rtol=1e-13)
    assert res.losses.shape == (3, 2)
    for s in range(2):
        col = commitment_losses(C, d[:, s], margin=MARGIN, term_years=T, discount_rate=0.08)
        np.testing.assert_allclose(one.losses[:, s], col.losses, rtol=1e-13)
    custom = commitment_losses(
        {"drawn": drawn},
        d,
        margin=MARGIN,
        term_years={"drawn": 5.0},
        status_weight={"drawn": 0.7},
        discount_rate=0.08,
    )
    np.testing.assert_allclose(
        custom.losses,
        0.7 * commitment_losses(C, d, margin=MARGIN, term_years=5.0, discount_rate=0.08).losses,
    )


def test_scalar_term_and_margin_and_zero_default():
    res = commitment_losses(C, np.zeros(3), margin=0.4, term_years=4.0, discount_rate=0.08)
    assert not res.losses.any()
    full = commitment_losses(C, np.ones(3), margin=0.4, term_years=4.0, discount_rate=0.0)
    np.testing.assert_allclose(full.losses, 0.4 * 4.0 * C.sum(axis=0))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"commitments": -C},
            r"'commitments' parameter of commitment_losses\(\) must be non-negative\. Got -10 at \[0, 1\]",
        ),
        (
            {"default_fraction": [1.2, 0, 0]},
            r"'default_fraction' .* in \[0, 1\]\. Got 1\.2 at \[0\]",
        ),
        ({"margin": [0.5, 1.5, 0.2]}, r"'margin' .* in \[0, 1\]\. Got 1\.5 at \[1\]"),
        ({"margin": -0.1}, r"'margin' .* range \[0, 1\]\. Got -0\.1"),
        ({"term_years": 0.0}, r"'term_years' .* range \(0, inf\)\. Got 0"),
        ({"discount_rate": -0.01}, r"'discount_rate' .* \[0, inf\)\. Got -0\.01"),
        (
            {"commitments": {"rumoured": C}, "status_weight": W},
            r"'status_weight' .*\(add 'rumoured'\)\. Got keys \['announced', 'committed', 'drawn'\]",
        ),
        (
            {"commitments": np.ones((2, 3))},
            r"'commitments' .* square 2-D matrix\. Got shape \(2, 3\)",
        ),
    ],
)
def test_bad_input_raises_clear_error(kwargs, match):
    args = {
        "commitments": C,
        "default_fraction": [1.0, 0, 0],
        "margin": MARGIN,
        "term_years": T,
        "discount_rate": 0.08,
    } | kwargs
    with pytest.raises(DataError, match=match):
        commitment_losses(**args)


def test_missing_term_where_commitment_named():
    t = T.copy()
    t[2, 0] = 0.0
    with pytest.raises(
        DataError, match=r"> 0 wherever a commitment is non-zero\. Got 0 at \[2, 0\]"
    ):
        commitment_losses(C, [1.0, 0, 0], margin=MARGIN, term_years=t, discount_rate=0.08)
