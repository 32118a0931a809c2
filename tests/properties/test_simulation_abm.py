"""Hypothesis properties of the agent-based model's sub-models (lahar.simulation._submodels)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lahar.simulation import bass_advance, bass_cdf
from lahar.simulation._submodels import capex_rule, gpu_value_step

P = st.floats(1e-3, 0.5)
Q = st.floats(0.0, 2.0)
T = st.floats(0.0, 10.0)


@settings(max_examples=80, deadline=None)
@given(P, Q, T, T)
def test_bass_steps_compose(p, q, a, b):
    # the exact step is a flow: advancing by a then b equals advancing by a + b, from F(0) = 0
    two = bass_advance(bass_advance(0.0, a, p, q), b, p, q)
    np.testing.assert_allclose(two, bass_cdf(a + b, p, q), rtol=1e-9, atol=1e-12)


@settings(max_examples=80, deadline=None)
@given(P, Q, st.floats(0.0, 1.0), T)
def test_bass_adoption_stays_in_unit_interval_and_grows(p, q, f0, dt):
    f1 = float(bass_advance(f0, dt, p, q))
    assert f0 - 1e-12 <= f1 <= 1.0 + 1e-12


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 1e3), st.floats(0.0, 1e4), st.floats(0.0, 0.5), st.floats(0.0, 1.0))
def test_capex_rule_is_a_convex_mix(fund, capital, intensity, fomo):
    # between the fundamental need and keeping pace with peers; fomo = 0 / 1 gives either
    one = np.ones((1, 1))
    out = float(capex_rule(fund * one, capital * one, intensity * one, fomo, one)[0, 0])
    lo, hi = sorted((fund, intensity * capital))
    assert lo - 1e-9 * (1 + hi) <= out <= hi + 1e-9 * (1 + hi)
    assert float(capex_rule(fund * one, capital * one, intensity * one, 0.0, one)[0, 0]) == fund


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 1e3), st.floats(0.0, 1e3), st.integers(0, 40), st.floats(0.0, 0.9))
def test_gpu_value_never_exceeds_value_plus_capex(value, capex, quarter, haircut):
    out = float(
        gpu_value_step(
            np.array([value]),
            np.array([capex]),
            quarter=quarter,
            life_quarters=24.0,
            generation=4,
            haircut=haircut,
        )[0]
    )
    assert capex - 1e-9 <= out <= value + capex + 1e-9
