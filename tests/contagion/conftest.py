"""Fixtures for the contagion tests."""

from __future__ import annotations

import pytest

from lahar.contagion import _kernels


@pytest.fixture(params=["numba", "numpy"])
def engine(request):
    """Run a test with the compiled kernels and with the pure numpy/scipy fallback."""
    if request.param == "numba" and not _kernels._HAVE_NUMBA:
        pytest.skip("numba not installed")
    _kernels.set_enabled(request.param == "numba")
    yield request.param
    _kernels.set_enabled(None)
