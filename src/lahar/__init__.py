"""lahar: stress-test the AI investment boom.

A sourced network of the firms and deals of the AI build-out (:mod:`lahar.network`,
:mod:`lahar.data`), a DuckDB store (:mod:`lahar.store`), and models that measure circularity,
leverage and gaps and propagate shocks through credit, markets, the real economy and the grid.
"""

from importlib.metadata import PackageNotFoundError, version

from lahar.errors import ConvergenceError, DataError, LaharError, StoreError

try:
    __version__ = version("lahar")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["ConvergenceError", "DataError", "LaharError", "StoreError", "__version__"]
