"""Clearing into an earlier result's memory (``out=``): the same bits, no aliasing, checks.

The compiled engine allocates its (n, S) arrays uninitialised and writes every entry before
reading it; ``out=`` hands it an earlier result's arrays instead. Both must give the same
bits, whatever the reused arrays held (here: NaN, inf and stale defaults). The first test's
network is large enough (n * S = 67,200 pairs) for the kernels to run on all threads, and
it is cleared with and without exact block solves; its answers are also checked against the
plain per-scenario reference.
"""

from __future__ import annotations

import numpy as np
import pytest

from lahar.contagion import ClearingResult, _eisenberg_noe, eisenberg_noe, prepare_clearing
from lahar.errors import DataError

from ._helpers import random_sparse_liabilities
from ._reference import clearing_reference

ARRAYS = ("payments", "equity", "defaulted", "credit_loss")
FIELDS = (*ARRAYS, "waves", "obligations", "external_share", "n_solves")


def _case(seed: int, n: int = 1200, m: int = 6000, n_scen: int = 56):
    rng = np.random.default_rng(seed)
    liabilities = random_sparse_liabilities(rng, n, m)
    external = rng.uniform(0.0, 5.0, n)
    base = np.asarray(liabilities.sum(axis=1)).ravel() * rng.uniform(0.2, 1.5, n)
    return liabilities, external, base[:, None] * rng.uniform(0.2, 1.0, (n, n_scen))


def _spoil(res: ClearingResult) -> None:
    """Fill a result's arrays with what no clearing produces."""
    res.payments.fill(np.nan)
    res.equity.fill(-np.inf)
    res.defaulted.fill(True)
    res.credit_loss.fill(np.inf)


def _assert_same_bits(got: ClearingResult, want: ClearingResult) -> None:
    for name in FIELDS:
        a, b = np.asarray(getattr(got, name)), np.asarray(getattr(want, name))
        assert a.dtype == b.dtype, name
        assert a.shape == b.shape, name
        assert a.tobytes() == b.tobytes(), name


@pytest.mark.parametrize("settle", [True, False])
def test_out_gives_the_same_bits(engine, settle, monkeypatch):
    """With the compiled engine's settle sweeps, and without them (exact block solves)."""
    if not settle:
        monkeypatch.setattr(_eisenberg_noe, "_SETTLE_SWEEPS", 0)
    L, el, e = _case(1)
    fresh = eisenberg_noe(L, e, alpha=0.8, beta=0.9, external_liabilities=el)
    out = eisenberg_noe(L, 0.5 * e, alpha=0.8, beta=0.9, external_liabilities=el)
    _spoil(out)
    held = [getattr(out, name) for name in ARRAYS]
    got = eisenberg_noe(L, e, alpha=0.8, beta=0.9, external_liabilities=el, out=out)
    _assert_same_bits(got, fresh)
    for name, array in zip(ARRAYS, held, strict=True):
        assert getattr(got, name) is array  # written in place, returned as given
    if not settle:
        assert fresh.n_solves >= 1  # the exact block solve ran
    assert 0.1 < fresh.defaulted.mean() < 0.9
    # against the plain fictitious-default reference, scenario by scenario
    cols = [0, 55]
    ref_p, ref_d = clearing_reference(L, e[:, cols], alpha=0.8, beta=0.9, external_liabilities=el)
    np.testing.assert_array_equal(got.defaulted[:, cols], ref_d)
    np.testing.assert_allclose(got.payments[:, cols], ref_p, rtol=1e-12, atol=1e-9)


def test_out_for_the_warm_start_from_its_own_payments(engine):
    """``start=out.payments``: the start is read before the buffer is overwritten."""
    L, el, e_hi = _case(2, n=600, m=3000, n_scen=12)
    e_lo = e_hi * np.random.default_rng(5).uniform(0.3, 1.0, e_hi.shape)
    system = prepare_clearing(L, el)
    hi = system.clear(e_hi, alpha=0.9, beta=0.9)
    want = system.clear(e_lo, alpha=0.9, beta=0.9, start=hi.payments)
    got = system.clear(e_lo, alpha=0.9, beta=0.9, start=hi.payments, out=hi)
    _assert_same_bits(got, want)
    assert got.payments is hi.payments
    cold = system.clear(e_lo, alpha=0.9, beta=0.9)
    np.testing.assert_array_equal(got.defaulted, cold.defaulted)
    np.testing.assert_allclose(got.payments, cold.payments, rtol=1e-11, atol=1e-11)


def test_out_for_one_scenario(engine):
    L, el, e = _case(3, n=300, m=1500, n_scen=1)
    want = eisenberg_noe(L, e[:, 0], external_liabilities=el)
    out = eisenberg_noe(L, 0.3 * e[:, 0], external_liabilities=el)
    _spoil(out)
    got = eisenberg_noe(L, e[:, 0], external_liabilities=el, out=out)
    _assert_same_bits(got, want)
    assert got.payments.shape == (300,)
    assert isinstance(got.waves, int)
    assert got.equity is out.equity


def test_results_do_not_alias_the_inputs(engine):
    L, el, e = _case(4, n=300, m=1500, n_scen=8)
    e_before, el_before, data_before = e.copy(), el.copy(), L.data.copy()
    res = eisenberg_noe(L, e, external_liabilities=el)
    again = eisenberg_noe(L, e, external_liabilities=el, out=res)
    for r in (res, again):
        for name in ARRAYS:
            for given in (e, el, L.data):
                assert not np.shares_memory(getattr(r, name), given), name
    np.testing.assert_array_equal(e, e_before)
    np.testing.assert_array_equal(el, el_before)
    np.testing.assert_array_equal(L.data, data_before)


def test_out_is_checked():
    L = np.array([[0, 20, 10], [5, 0, 24], [10, 0, 0]], dtype=float)
    e = np.array([[10.0, 5.0], [10.0, 5.0], [10.0, 5.0]])
    res = eisenberg_noe(L, e)
    with pytest.raises(
        DataError, match=r"'out' parameter of eisenberg_noe\(\) must be arrays that share no"
    ):
        eisenberg_noe(L, res.payments, out=res)  # the assets are the buffer to overwrite
    with pytest.raises(DataError, match=r"'out' parameter .* must be a writable result of shape"):
        eisenberg_noe(L, e[:, 0], out=res)
    with pytest.raises(DataError, match=r"'out' parameter .* must be a ClearingResult"):
        eisenberg_noe(L, e, out=res.payments)  # type: ignore[arg-type]
    frozen = eisenberg_noe(L, e)
    frozen.equity.flags.writeable = False
    with pytest.raises(DataError, match=r"must be a writable result"):
        prepare_clearing(L).clear(e, out=frozen)
    shared = ClearingResult(
        payments=res.payments,
        equity=res.payments,
        defaulted=res.defaulted,
        waves=res.waves,
        obligations=res.obligations,
        credit_loss=res.credit_loss,
        external_share=res.external_share,
        n_solves=0,
    )
    with pytest.raises(DataError, match=r"equity shares memory with payments"):
        eisenberg_noe(L, e, out=shared)
