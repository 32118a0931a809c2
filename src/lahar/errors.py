"""Exception types shared by every lahar module.

Every error derives from :class:`LaharError` and from the builtin it refines, so callers may
catch either ``LaharError`` or the usual ``ValueError`` / ``RuntimeError``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ConvergenceError",
    "DataError",
    "LaharError",
    "Problem",
    "QueryError",
    "StoreError",
]


class LaharError(Exception):
    """Base class of all lahar errors."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Attributes
    ----------
    file : str
        File name as the user knows it (e.g. ``exposures.csv``).
    line : int or None
        Line number as the file shows it, header = line 1; ``None`` for a whole-file problem.
    field : str
        Column name, or ``"-"`` when the problem concerns the whole row or file.
    message : str
        What is wrong, what was found and what was expected.
    """

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}"


class DataError(LaharError, ValueError):
    """Invalid input data; carries every problem found, not just the first.

    Parameters
    ----------
    problems : list of Problem or str
        The problems; the message lists each on its own line.
    """

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            super().__init__(problems)
            return
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found:"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class ConvergenceError(LaharError, RuntimeError):
    """An iterative model did not converge.

    Parameters
    ----------
    message : str
        What did not converge.
    n_iter : int
        Iterations performed.
    residual : float
        Last residual (max-norm of the last update).
    """

    def __init__(self, message: str, *, n_iter: int, residual: float) -> None:
        self.n_iter = n_iter
        self.residual = residual
        super().__init__(f"{message} (after {n_iter} iterations, residual {residual:.3g})")


class StoreError(LaharError, RuntimeError):
    """A problem with the DuckDB store (missing file, wrong schema version, ...)."""


class QueryError(StoreError):
    """A user SQL query was refused by the sandbox, ran past its time limit, or failed.

    See :func:`lahar.store.sandboxed_query`.
    """
