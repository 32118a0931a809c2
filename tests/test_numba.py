"""lahar._numba: one switch for numba (LAHAR_NO_NUMBA), lazy import, a user cache directory."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lahar import _numba


def test_switch_off_by_environment(monkeypatch):
    monkeypatch.setenv("LAHAR_NO_NUMBA", "1")
    assert not _numba.enabled()
    with pytest.raises(ImportError, match="LAHAR_NO_NUMBA"):
        _numba.load()
    monkeypatch.setenv("LAHAR_NO_NUMBA", "0")
    assert _numba.enabled() == _numba._installed()


def test_cache_dir_choices(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("LAHAR_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert _numba.cache_dir() == tmp_path / "xdg" / "lahar" / "numba"
    monkeypatch.setenv("LAHAR_CACHE_DIR", str(tmp_path / "own"))
    assert _numba.cache_dir() == tmp_path / "own" / "numba"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "user"))
    assert _numba.cache_dir() == tmp_path / "user"


def _run(code: str, **env: str) -> str:
    """Run ``code`` in a fresh interpreter (numba reads its settings once per process)."""
    import os

    full = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "LAHAR_NO_NUMBA")}
    full.update(env)
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=full,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return out.stdout.strip()


def test_kernels_are_cached_in_the_user_cache_dir_and_loaded_lazily(tmp_path):
    pytest.importorskip("numba")
    code = """
        import sys
        import numpy as np
        from lahar.contagion import _kernels, debtrank
        assert "numba" not in sys.modules  # importing lahar does not import numba
        _kernels.set_enabled(True)
        r = debtrank(np.array([[0.0, 5.0], [5.0, 0.0]]), [10.0, 10.0], [0.2, 0.0])
        print("numba" in sys.modules, round(float(r.distress[0]), 6))
    """
    assert _run(code, LAHAR_CACHE_DIR=str(tmp_path)) == "True 0.266667"
    cached = list((tmp_path / "numba").rglob("*_limit*.nbi"))
    assert cached, "no numba cache index written under LAHAR_CACHE_DIR/numba"
    # and nothing next to the sources
    src = Path(_numba.__file__).parent / "contagion" / "__pycache__"
    assert not list(src.glob("_kernels_nb*.nbi"))


def test_no_numba_switch_reaches_every_kernel(tmp_path):
    code = """
        import sys
        import numpy as np
        from lahar.contagion import _kernels, debtrank, eisenberg_noe
        _kernels.set_enabled(True)  # asks for the kernels; the environment still wins
        debtrank(np.array([[0.0, 5.0], [5.0, 0.0]]), [10.0, 10.0], np.full((2, 300), 0.1))
        eisenberg_noe(np.array([[0.0, 5.0], [5.0, 0.0]]), np.ones((2, 300)))
        print(_kernels.available(), "numba" in sys.modules)
    """
    assert _run(code, LAHAR_NO_NUMBA="1", LAHAR_CACHE_DIR=str(tmp_path)) == "False False"


def test_caching_sets_and_restores_numba_setting(monkeypatch, tmp_path):
    numba = pytest.importorskip("numba")
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("LAHAR_NO_NUMBA", raising=False)
    monkeypatch.setenv("LAHAR_CACHE_DIR", str(tmp_path))
    before = numba.config.CACHE_DIR
    with _numba.caching():
        assert str(tmp_path / "numba") == numba.config.CACHE_DIR
    assert before == numba.config.CACHE_DIR


def test_flow_kernel_goes_through_the_same_switch_and_cache(tmp_path):
    """max_circulation's min-cost-flow kernel: cached under LAHAR_CACHE_DIR, off with the switch.

    Flows 1 -> 2 -> 3 -> 1 of 5, 4, 3 carry a circulation of 3 on each edge (9 in all).
    """
    code = """
        import sys
        import numpy as np
        from lahar.analytics import _flowkernel
        from lahar.analytics.circularity import max_circulation
        f = np.array([[0.0, 5.0, 0.0], [0.0, 0.0, 4.0], [3.0, 0.0, 0.0]])
        c = max_circulation(f, method="flow")
        print(_flowkernel.HAVE_NUMBA, "numba" in sys.modules, round(float(c.total), 9))
    """
    off = _run(code, LAHAR_NO_NUMBA="1", LAHAR_CACHE_DIR=str(tmp_path / "off"))
    assert off == "False False 9.0"
    assert not (tmp_path / "off" / "numba").exists()
    if not _numba._installed():
        return
    assert _run(code, LAHAR_CACHE_DIR=str(tmp_path)) == "True True 9.0"
    assert list((tmp_path / "numba").rglob("_flowkernel*.nbi")), "no cache index written"
