"""Tests of lahar.analytics.concentration: hand values and bounds vs random spreads."""

from __future__ import annotations

import numpy as np
import pytest

from lahar.analytics.concentration import concentration, savings_at_stake


def test_equal_weights_by_hand() -> None:
    c = concentration(np.full(4, 0.25), k=2)
    assert c.top_share == 0.5
    assert c.hhi_low == c.hhi_high == pytest.approx(0.25)
    assert c.effective_low == c.effective_high == pytest.approx(4.0)


@pytest.mark.parametrize("seed", range(10))
def test_bounds_contain_the_true_hhi_and_random_spreads(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    true = np.sort(rng.dirichlet(np.full(n, rng.uniform(0.2, 3.0))))[::-1]
    known, rest_true = true[:5], true[5:]
    c = concentration(known, n=n, k=3)
    h_true = (true**2).sum()
    assert c.hhi_low - 1e-12 <= h_true <= c.hhi_high + 1e-12
    assert c.top_share == pytest.approx(true[:3].sum())
    rest = rest_true.sum()
    checked = 0
    for _ in range(300):
        x = rng.dirichlet(np.full(n - 5, rng.uniform(0.05, 5.0))) * rest
        if x.max() > known.min():
            continue  # the unknown constituents are no bigger than the smallest known one
        checked += 1
        h = (known**2).sum() + (x**2).sum()
        assert c.hhi_low - 1e-12 <= h <= c.hhi_high + 1e-12
    assert checked > 0
    even = (known**2).sum() + rest**2 / (n - 5)
    assert c.hhi_low == pytest.approx(even)


def test_errors() -> None:
    with pytest.raises(ValueError, match="sum to at most 1"):
        concentration([0.7, 0.6])
    with pytest.raises(ValueError, match="fractions that sum to 1 when every constituent"):
        concentration([0.5, 0.3])
    with pytest.raises(ValueError, match="must be the largest weights"):
        concentration([0.45], n=2)
    with pytest.raises(ValueError, match=r"'n' parameter of concentration\(\)"):
        concentration([0.5, 0.3], n=1)


def test_savings_at_stake_by_hand() -> None:
    got = savings_at_stake([9.3e12, 18e12], [0.75, 0.75], 0.34)
    np.testing.assert_allclose(got, [9.3e12 * 0.255, 18e12 * 0.255])
    with pytest.raises(
        ValueError,
        match=r"'equity_share' parameter of savings_at_stake\(\) must be in the range \[0, 1\]. Got 1.2 instead",
    ):
        savings_at_stake(1.0, 1.2, 0.3)
