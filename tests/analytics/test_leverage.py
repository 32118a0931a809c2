"""Tests of lahar.analytics.leverage: hand values, a loop reference, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lahar.analytics.leverage import (
    credit_ratios,
    decline_rate,
    gpu_value,
    loan_to_value,
    refinancing_wall,
)


def test_credit_ratios_oracle_fy2025_by_hand() -> None:
    # facts F0133 (debt), F0045 (operating income), F0152 (interest), F0153 (assets), F0052.
    r = credit_ratios(92.568e9, ebit=17.7e9, interest=3.578e9, assets=168.361e9, off_balance=248e9)
    assert r.debt_to_ebit == pytest.approx(92.568 / 17.7)
    assert r.interest_coverage == pytest.approx(17.7 / 3.578)
    assert r.debt_to_assets == pytest.approx(92.568 / 168.361)
    assert r.adjusted_debt == pytest.approx(340.568e9)
    assert r.adj_debt_to_assets == pytest.approx(340.568 / 416.361)
    assert np.isnan(r.debt_to_ebitda)


def test_credit_ratios_nan_for_losses_and_missing() -> None:
    r = credit_ratios([10.0, 10.0, 10.0], ebitda=[5.0, -1.0, np.nan], interest=[0.0, 1.0, 1.0])
    np.testing.assert_allclose(r.debt_to_ebitda, [2.0, np.nan, np.nan])
    assert np.isnan(r.interest_coverage).all()  # no EBIT given


def test_decline_rate_round_trips_and_default() -> None:
    g = decline_rate(4.70, 2.35, 2.7)
    assert 4.70 * (1 - g) ** 2.7 == pytest.approx(2.35)
    # H100 rent ~$4.70/hr at launch (mid-2023, A01) to $2.35/hr in March 2026 (A02): 1/2 in
    # 2.7 years, 1 - 0.5 ** (1 / 2.7) = 0.2264
    assert decline_rate(4.70, 2.35, 2026.2 - 2023.5) == pytest.approx(0.2264, abs=1e-4)
    with pytest.raises(ValueError, match=r"'p0' parameter of decline_rate\(\)"):
        decline_rate(0.0, 1.0, 1.0)


def test_gpu_value_by_hand_and_errors() -> None:
    p = gpu_value([0, 3, 6, 9], lives=[6.0], decline=0.5, salvage=0.1)
    np.testing.assert_allclose(p.book[0], [1.0, 0.55, 0.1, 0.1])
    np.testing.assert_allclose(p.economic, [1.0, 0.125, 0.015625, 0.001953125])
    with pytest.raises(ValueError, match=r"'decline' parameter of gpu_value\(\)"):
        gpu_value([1.0], lives=[6.0], decline=1.0)
    with pytest.raises(ValueError, match=r"'lives' parameter of gpu_value\(\)"):
        gpu_value([1.0], lives=[0.0], decline=0.2)


def _ltv_loop(years, value, ltv0, term, amortization):
    out = []
    for t, v in zip(years, value, strict=True):
        balance = ltv0
        if amortization == "linear":
            for _ in range(int(t)):
                balance -= ltv0 / term  # repay 1/term of the principal each whole year
            balance = max(balance, 0.0)
        elif t >= term:
            balance = 0.0
        out.append(balance / v)
    return np.array(out)


@pytest.mark.parametrize("amortization", ["linear", "bullet"])
def test_loan_to_value_matches_a_repayment_loop(amortization: str) -> None:
    years = np.arange(0, 8.0)
    value = gpu_value(years, lives=[6.0], decline=0.3).economic
    got = loan_to_value(years, value, ltv0=0.625, term=5.0, amortization=amortization)
    np.testing.assert_allclose(got, _ltv_loop(years, value, 0.625, 5.0, amortization), atol=1e-12)


def test_loan_to_value_errors() -> None:
    with pytest.raises(ValueError, match=r"'amortization' parameter of loan_to_value\(\)"):
        loan_to_value([0.0], [1.0], ltv0=0.5, term=1.0, amortization="balloon")  # type: ignore[arg-type]
    with pytest.raises(
        ValueError,
        match=r"'value' parameter of loan_to_value\(\) must be of shape \(2,\) or \(K, 2\)",
    ):
        loan_to_value([0.0, 1.0], [1.0], ltv0=0.5, term=1.0)


def test_refinancing_wall_matches_pandas_groupby() -> None:
    rng = np.random.default_rng(0)
    amount = rng.uniform(1, 10, 50)
    year = rng.integers(2024, 2035, 50).astype(float)
    year[::7] = np.nan
    years, due, unknown = refinancing_wall(amount, year, start=2026, end=2031)
    ref = pd.Series(amount).groupby(year).sum()
    for y, d in zip(years, due, strict=True):
        assert d == pytest.approx(ref.get(float(y), 0.0))
    assert unknown == pytest.approx(amount[np.isnan(year)].sum())
