"""Tests of lahar.analytics.energy: LBNL's own numbers and PPA arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from lahar.analytics.energy import (
    electricity_share,
    energy_twh,
    ppa_economics,
)


def test_lbnl_consistency() -> None:
    # LBNL 2024 (P17/P18): 74-132 GW in 2028 and 325-580 TWh; 176 TWh = 4.4 % in 2023.
    u = ((325.0 + 580.0) / 2) / ((74.0 + 132.0) / 2 * 8.76)
    assert 0.45 < u < 0.55
    assert energy_twh(103.0, utilisation=u) == pytest.approx(452.5)
    assert electricity_share(176.0, total_twh=176.0 / 0.044) == pytest.approx(0.044)
    assert electricity_share(400.0, total_twh=4000.0) == pytest.approx(0.1)
    np.testing.assert_allclose(energy_twh([0.0, 1.0], utilisation=0.5), [0.0, 4.38])


def test_ppa_by_hand() -> None:
    # Microsoft-Crane: 835 MW, our dataset estimate $14.8B over 20 years (X0105).
    p = ppa_economics([835.0, 500.0], [14.8e9, 0.0], [20.0, 20.0], capacity_factor=0.9)
    assert p.twh_per_year[0] == pytest.approx(835 * 8760 * 0.9 / 1e6)
    assert p.usd_per_year[0] == pytest.approx(0.74e9)
    assert p.usd_per_mwh[0] == pytest.approx(0.74e9 / (835 * 8760 * 0.9))
    assert np.isnan(p.usd_per_mwh[1])


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"'utilisation' parameter of energy_twh\(\)"):
        energy_twh(1.0, utilisation=0.0)
    with pytest.raises(ValueError, match=r"'gw' parameter of energy_twh\(\)"):
        energy_twh(-1.0, utilisation=0.5)
    with pytest.raises(ValueError, match=r"'capacity_factor' parameter of ppa_economics\(\)"):
        ppa_economics([1.0], [1.0], [1.0], capacity_factor=2.0)
