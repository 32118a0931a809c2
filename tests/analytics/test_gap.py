"""Tests of lahar.analytics.gap: Sequoia's and Bain's arithmetic, curves vs root finding."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from lahar.analytics.gap import (
    adoption_path,
    monetization_gap,
    required_revenue,
    years_to_close,
)

SEQUOIA = {"tco_multiplier": 2.0, "gross_margin": 0.5}  # Cahn (2024), A06


def test_sequoia_600b_question() -> None:
    # Cahn (June 2024): Nvidia data-centre run-rate ~$150B x 2 x 2 = $600B (A06).
    assert required_revenue(150e9, **SEQUOIA) == pytest.approx(600e9)
    # Oct 2025: Nvidia data-centre revenue $51.2B in Q3 FY2026 (S174) annualised gives
    # ~$819B, within 3 % of Cahn's updated "~$840B question" (A07).
    assert required_revenue(4 * 51.2e9, **SEQUOIA) == pytest.approx(840e9, rel=0.03)
    assert required_revenue(100.0, tco_multiplier=1.0, gross_margin=1.0) == 100.0


def test_gap_by_hand_and_errors() -> None:
    g = monetization_gap([150e9, 0.0], [100e9, 1.0], **SEQUOIA)
    np.testing.assert_allclose(g.gap, [500e9, -1.0])
    assert np.isnan(g.coverage[1])
    with pytest.raises(ValueError, match=r"'gross_margin' parameter of required_revenue\(\)"):
        required_revenue(1.0, tco_multiplier=2.0, gross_margin=0.0)
    with pytest.raises(ValueError, match="'tco_multiplier' parameter"):
        required_revenue(1.0, tco_multiplier=0.5, gross_margin=0.5)


@pytest.mark.parametrize("curve", ["exponential", "logistic"])
@pytest.mark.parametrize("target", [15.0, 30.0, 79.0])
def test_years_to_close_matches_root_finding(curve: str, target: float) -> None:
    kw = {
        "r0": 10.0,
        "growth": 0.4,
        "curve": curve,
        "ceiling": 80.0 if curve == "logistic" else None,
    }
    t = years_to_close(target, **kw)
    root = brentq(lambda x: adoption_path(x, **kw) - target, 0.0, 100.0)
    assert t == pytest.approx(root, rel=1e-9)


def test_years_to_close_edges() -> None:
    assert years_to_close(5.0, r0=10.0, growth=1.0) == 0.0
    assert years_to_close(80.0, r0=10.0, growth=1.0, curve="logistic", ceiling=80.0) == np.inf
    np.testing.assert_allclose(years_to_close([20.0, 40.0], r0=10.0, growth=np.log(2)), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"'ceiling' parameter of years_to_close\(\)"):
        years_to_close(20.0, r0=10.0, growth=1.0, curve="logistic")
    with pytest.raises(ValueError, match=r"'curve' parameter of adoption_path\(\)"):
        adoption_path([1.0], r0=1.0, growth=1.0, curve="linear")  # type: ignore[arg-type]


def test_logistic_saturates_and_starts_like_exponential() -> None:
    t = np.array([0.0, 1e-4, 200.0])
    p = adoption_path(t, r0=1.0, growth=0.5, curve="logistic", ceiling=1e6)
    assert p[-1] == pytest.approx(1e6)
    assert (p[1] - p[0]) / 1e-4 == pytest.approx(0.5, rel=1e-3)
