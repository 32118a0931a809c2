r"""The one place where lahar decides whether to use numba, and where numba caches lahar's kernels.

numba is a core dependency, but lahar runs without it (every kernel has a numpy fallback) and
it can be switched off. Every compiled kernel in lahar goes through this module:

* :func:`enabled` says whether numba may be used: it is installed and the environment variable
  ``LAHAR_NO_NUMBA`` is unset, empty or ``0``. It does not import numba (about half a second),
  so importing lahar stays cheap; kernels are loaded on first use by :func:`load`.
* :func:`caching` points numba's on-disk cache at a user cache directory while the kernels are
  decorated, instead of ``__pycache__`` next to the sources (which may be read-only, or shared
  by several environments). The directory is ``$NUMBA_CACHE_DIR`` when the user set it (numba
  then uses it for everything, and lahar leaves it alone), else ``$LAHAR_CACHE_DIR/numba``,
  else the platform's user cache directory: ``$XDG_CACHE_HOME/lahar/numba`` (default
  ``~/.cache/lahar/numba``) on Linux, ``~/Library/Caches/lahar/numba`` on macOS and
  ``%LOCALAPPDATA%\lahar\numba`` on Windows. The setting is restored afterwards, so numba
  code of the user's own is unaffected.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType

__all__ = ["OFF_VARIABLE", "at_most_threads", "cache_dir", "caching", "enabled", "load"]

#: Environment variable that switches numba off for lahar (any value but "" and "0").
OFF_VARIABLE = "LAHAR_NO_NUMBA"


@cache
def _installed() -> bool:
    return importlib.util.find_spec("numba") is not None


def enabled() -> bool:
    """Whether lahar may use numba: installed, and not switched off by ``LAHAR_NO_NUMBA``."""
    return os.environ.get(OFF_VARIABLE, "") in ("", "0") and _installed()


def load() -> ModuleType:
    """Import and return numba (raises ``ImportError`` when :func:`enabled` is false)."""
    if not enabled():
        raise ImportError(f"numba is not installed or is switched off by {OFF_VARIABLE}")
    import numba

    return numba


def cache_dir() -> Path:
    """The directory where numba caches lahar's compiled kernels (see the module docstring)."""
    user = os.environ.get("NUMBA_CACHE_DIR")
    if user:
        return Path(user)
    own = os.environ.get("LAHAR_CACHE_DIR")
    if own:
        return Path(own) / "numba"
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "lahar" / "numba"


@contextmanager
def caching() -> Iterator[None]:
    """Decorate ``cache=True`` kernels inside this block to cache them in :func:`cache_dir`.

    numba fixes a function's cache location when it is decorated, from its ``CACHE_DIR``
    setting; this sets that setting for the block and restores it after. When the directory
    cannot be found or created, numba's default (next to the sources) is kept.
    """
    numba = load()
    config = numba.config
    if os.environ.get("NUMBA_CACHE_DIR"):  # the user's choice: numba already uses it
        yield
        return
    try:
        path = cache_dir()
        path.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # no home directory, read-only cache: numba's default
        yield
        return
    before = config.CACHE_DIR
    config.CACHE_DIR = str(path)
    try:
        yield
    finally:
        config.CACHE_DIR = before


@contextmanager
def at_most_threads(n: int) -> Iterator[None]:
    """Run numba's parallel kernels on at most ``n`` threads inside this block (this thread only).

    A Dask worker given one thread should not start numba's whole pool: several workers on one
    machine would then run more threads than cores, and every parallel loop waits for its
    slowest (descheduled) thread. Does nothing when numba is switched off.
    """
    if not enabled():
        yield
        return
    numba = load()
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(n, before)))
    try:
        yield
    finally:
        numba.set_num_threads(before)
