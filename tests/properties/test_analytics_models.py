"""Hypothesis properties of the leverage, gap, concentration and energy maths."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lahar.analytics.concentration import concentration
from lahar.analytics.energy import energy_twh
from lahar.analytics.gap import adoption_path, years_to_close
from lahar.analytics.leverage import gpu_value, loan_to_value

POS = st.floats(1e-3, 1e3, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.01, 0.9), st.floats(1.0, 10.0), st.floats(0.0, 0.5))
def test_gpu_values_fall_and_stay_in_unit_interval(decline, life, salvage):
    p = gpu_value(np.linspace(0, 12, 25), lives=[life], decline=decline, salvage=salvage)
    for path in (p.book[0], p.economic):
        assert (np.diff(path) <= 1e-15).all()
        assert ((path >= 0) & (path <= 1)).all()
    assert p.book[0][-1] >= salvage - 1e-12


@settings(max_examples=100, deadline=None)
@given(st.floats(0.1, 0.95), st.floats(1.0, 8.0), st.floats(0.0, 0.6))
def test_faster_decay_means_higher_ltv(ltv0, term, extra):
    years = np.arange(0, 9.0)
    slow = gpu_value(years, lives=[6.0], decline=0.2).economic
    fast = gpu_value(years, lives=[6.0], decline=min(0.2 + extra, 0.95)).economic
    a = loan_to_value(years, slow, ltv0=ltv0, term=term)
    b = loan_to_value(years, fast, ltv0=ltv0, term=term)
    assert (b >= a - 1e-12).all()


@settings(max_examples=100, deadline=None)
@given(POS, st.floats(0.05, 2.0), st.floats(1.01, 50.0), st.floats(1.01, 50.0))
def test_years_to_close_inverts_the_path(r0, growth, m1, m2):
    lo, hi = sorted([m1, m2])
    assume(hi - lo > 1e-6)
    t1 = years_to_close(lo * r0, r0=r0, growth=growth)
    t2 = years_to_close(hi * r0, r0=r0, growth=growth)
    assert t2 >= t1
    assert np.isclose(adoption_path(t1, r0=r0, growth=growth), lo * r0, rtol=1e-9)
    K = 100.0 * r0
    t3 = years_to_close(hi * r0, r0=r0, growth=growth, curve="logistic", ceiling=K)
    assert t3 >= t2 - 1e-9  # a ceiling only slows growth down
    assert np.isclose(
        adoption_path(t3, r0=r0, growth=growth, curve="logistic", ceiling=K), hi * r0, rtol=1e-7
    )


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(1, 10), elements=st.floats(0.0, 1.0)), st.integers(0, 50))
def test_hhi_bounds_are_ordered_and_in_range(raw, extra):
    w = raw / max(raw.sum(), 1.0) * 0.9
    n = w.size + extra + 1
    assume(1 - w.sum() <= (n - w.size) * w.min())  # the given weights are the largest ones
    c = concentration(w, n=n)
    assert 1.0 / n - 1e-12 <= c.hhi_low <= c.hhi_high + 1e-15 <= 1.0 + 1e-12
    assert c.effective_low <= c.effective_high + 1e-9


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, 5, elements=st.floats(0.0, 200.0)), st.floats(0.05, 1.0))
def test_energy_is_linear_in_capacity(gw, u):
    e = energy_twh(gw, utilisation=u)
    np.testing.assert_allclose(e, gw * 8.76 * u, rtol=1e-12)
