r"""Debt clearing: Eisenberg–Noe (2001) and Rogers–Veraart (2013), batched over scenarios.

Entity ``i`` owes ``L[i, j]`` to entity ``j`` and, optionally, ``l^e_i`` to creditors outside
the network (pari passu with its interbank debt). Its total obligation is
:math:`\bar p_i = \sum_j L_{ij} + l^e_i` and it pays its creditors pro rata,
:math:`\Pi_{ij} = L_{ij} / \bar p_i`. A clearing vector ``p`` solves

.. math::

    p_i = \begin{cases}
        \bar p_i & \text{if } e_i + (\Pi^\top p)_i \ge \bar p_i \\
        \alpha e_i + \beta (\Pi^\top p)_i & \text{otherwise (default)}
    \end{cases}

with ``alpha = beta = 1`` the Eisenberg–Noe model, where this reads
:math:`p = \min(\bar p, e + \Pi^\top p)`.

Algorithm
---------
The greatest clearing vector is found by growing the default set ``D`` (Eisenberg & Noe's
fictitious default algorithm; Rogers & Veraart's Greatest Clearing Vector Algorithm) and, on
``D``, solving the linear system exactly. We work in *shortfall* form: with
:math:`x = \bar p - p` (zero outside ``D``) and :math:`a = \Pi^\top \bar p` (interbank assets at
full payment), the defaulted block satisfies

.. math::

    (I - \beta \Pi_{DD}^\top)\, x_D = \bar p_D - \alpha e_D - \beta a_D,

so only rows and columns of defaulted entities are ever touched. All S scenarios are handled at
once as (entity, scenario) *pairs*; their default sets differ, so two kinds of step alternate:

* vectorised Jacobi (Picard) sweeps of the shortfall map over the pairs whose interbank loss
  moved, fused with the default test, discover new defaults. On the acyclic part of the
  defaulted graph they are forward substitution and stop changing exactly;
* exact solves: a sparse LU factorisation of each scenario's block (of the pairs still
  changing and everything downstream of them in the compiled engine; of the whole default set
  in the numpy engine). The compiled engine first keeps sweeping (up to ``_SETTLE_SWEEPS``
  sweeps without a new default): on the defaulted block these are Jacobi iterations of the
  linear system from below, and a sweep that changes nothing *is* its floating-point
  solution, reached without a factorisation when the block's spectral radius is small; blocks
  that converge more slowly fall back to the LU.

They alternate until an exact solve (or a sweep that changes nothing) produces no new default. Every iterate stays above the
greatest clearing vector, so the default set only grows and the result *is* the greatest
clearing vector (not an iteration stopped at a tolerance). The compiled engine
(:mod:`lahar.contagion._kernels`, numba) runs the sweeps as a parallel kernel that pushes the
increments of entities whose shortfall moved along the rows of ``Pi`` to their creditors; the
numpy/scipy engine uses sparse-times-sparse products on a list of pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import ArrayLike, NDArray

from lahar._validation import as_batch, check_scalar, check_vector, fail
from lahar.contagion import _kernels
from lahar.contagion._common import (
    check_square,
    column_sums,
    row_sums,
    scale_rows,
)
from lahar.errors import LaharError

__all__ = ["ClearingResult", "ClearingSystem", "eisenberg_noe", "prepare_clearing"]

_FUNC = "eisenberg_noe()"

#: Floating-point guard on the default test: entity i defaults when its shortfall exceeds
#: ``_RTOL * pbar_i``. Ties at exactly zero equity count as solvent (greatest vector).
_RTOL = 1e-12

#: Safety cap on Picard sweeps between two exact solves.
_MAX_SWEEPS = 64

#: Compiled engine: sweeps without a new default that may run before an exact block solve.
#: On the defaulted block the sweeps are Jacobi iterations of ``(I - beta Pi_DD^T) x = b``
#: from below; when they stop changing (every increment absorbed in rounding) the block is
#: solved to the last bit without a factorisation. With ``rho`` the spectral radius of
#: ``beta Pi_DD`` that takes about ``16 / -log10(rho)`` sweeps (16-19 on the synthetic
#: benchmark network, where a sparse LU of the same block costs 10-100 times more); a block
#: that converges more slowly than this cap falls back to the sparse LU.
_SETTLE_SWEEPS = 48


@dataclass(frozen=True)
class ClearingResult:
    r"""Greatest clearing vector of a batch of scenarios.

    Arrays have shape ``(n,)`` for a single scenario and ``(n, S)`` for a batch.

    Attributes
    ----------
    payments : ndarray
        Clearing payment :math:`p_i` of each entity to all its creditors (interbank and
        external), USD; ``0 <= p <= obligations``.
    equity : ndarray
        Equity after clearing, :math:`E = e + \Pi^\top p - \bar p` (negative for a
        defaulted entity; default costs under ``alpha, beta < 1`` are borne by creditors and
        do not enter ``E``).
    defaulted : ndarray of bool
        ``True`` where the entity cannot meet its obligations, i.e. ``equity < 0`` (within a
        relative ``1e-12 * obligations`` floating-point guard).
    waves : int or ndarray of int
        Default waves per scenario: passes of the algorithm (Picard sweeps or exact solves)
        in which the scenario's default set grew; 0 when nobody defaults. ``int`` for one
        scenario, shape ``(S,)`` for a batch. (Not an iteration count: the iterative models'
        ``rounds`` count iterations, see :class:`~lahar.contagion.DebtRankResult`.)
    obligations : ndarray, shape (n,)
        Total nominal obligations :math:`\bar p` (interbank plus external liabilities).
    credit_loss : ndarray
        Each creditor's loss on its interbank claims at the clearing vector,
        :math:`\Pi^\top(\bar p - p) \ge 0`, USD: what it was owed minus what it receives.
    external_share : ndarray, shape (n,)
        Share :math:`l^e_i / \bar p_i` of each entity's obligations owed outside the network
        (zero without ``external_liabilities``).
    n_solves : int
        Exact block solves (sparse LU factorisations) performed for the whole batch.
    """

    payments: NDArray[np.float64]
    equity: NDArray[np.float64]
    defaulted: NDArray[np.bool_]
    waves: int | NDArray[np.int64]
    obligations: NDArray[np.float64]
    credit_loss: NDArray[np.float64]
    external_share: NDArray[np.float64]
    n_solves: int

    @property
    def external_payments(self) -> NDArray[np.float64]:
        """What each entity pays its external creditors, ``payments * external_share``."""
        share = self.external_share
        return self.payments * (share if self.payments.ndim == 1 else share[:, None])


@dataclass(frozen=True, eq=False)
class ClearingSystem:
    r"""A liabilities network prepared for clearing (from :func:`prepare_clearing`).

    Holds what does not depend on external assets, so that one network can be cleared for
    many sets of external assets -- in batches, and warm-started from an earlier answer, as
    the multi-channel :func:`~lahar.contagion.cascade` does at every round.

    Attributes
    ----------
    n : int
        Number of entities.
    pi : scipy.sparse.csr_array, shape (n, n)
        Relative liabilities :math:`\Pi_{ij} = L_{ij} / \bar p_i` (rows: debtors).
    obligations : ndarray, shape (n,)
        Total nominal obligations :math:`\bar p` (interbank plus external liabilities), USD.
    interbank_assets : ndarray, shape (n,)
        Claims on the other entities at full payment, :math:`a = \Pi^\top \bar p` (the
        column sums of ``L``), USD.
    external_liabilities : ndarray, shape (n,)
        Debt owed outside the network (zeros if none), USD.
    """

    n: int
    pi: sp.csr_array
    obligations: NDArray[np.float64]
    interbank_assets: NDArray[np.float64]
    external_liabilities: NDArray[np.float64]
    _eps: NDArray[np.float64] = field(repr=False)  # default-test guard per entity

    def clear(
        self,
        external_assets: ArrayLike,
        *,
        alpha: float = 1.0,
        beta: float = 1.0,
        start: ArrayLike | None = None,
        exact: bool = True,
        out: ClearingResult | None = None,
    ) -> ClearingResult:
        r"""Greatest clearing vector for external assets ``e``, optionally warm-started.

        Parameters
        ----------
        external_assets : array_like, shape (n,) or (n, S)
            External assets :math:`e`, USD, >= 0; one column per scenario.
        alpha, beta : float, default 1.0
            Recovery rates on external and interbank assets in default, in [0, 1] (see
            :func:`eisenberg_noe`).
        start : array_like, shape like ``external_assets``, optional
            Payments known to lie at or above the greatest clearing vector of these external
            assets, in ``[0, obligations]``: typically the ``payments`` of this system cleared
            for external assets at least as large (clearing payments increase with external
            assets; Eisenberg & Noe 2001, Lemma 5), with the same ``alpha`` and ``beta``. The
            algorithm then starts from them instead of from full payment; the default set of
            ``start`` is assumed, not re-tested. A start below the answer gives a wrong
            (too small) clearing vector.
        exact : bool, default True
            ``False`` skips the exact block solves of the compiled engine: the sweeps stop
            when no default is added, so shortfalls (and creditors' losses) are a lower bound
            of the exact ones and payments an upper bound. An iteration that only needs the
            answer at its end (the multi-channel cascade's intermediate rounds) can use it and
            finish with exact clears.
        out : ClearingResult, optional
            An earlier result of the same shape whose arrays (``payments``, ``equity``,
            ``defaulted``, ``credit_loss``) are overwritten with this answer and returned in
            the new result (see :func:`eisenberg_noe`). ``start`` may be ``out.payments``.

        Returns
        -------
        ClearingResult

        Raises
        ------
        lahar.errors.DataError
            Bad shapes, NaN or negative entries, ``alpha``/``beta`` outside [0, 1], a
            ``start`` outside ``[0, obligations]``, an ``out`` of another shape or sharing
            memory with ``external_assets``.

        Examples
        --------
        The three banks of :func:`eisenberg_noe`, cleared at full external assets and then,
        warm-started from that answer, at half of them:

        >>> import numpy as np
        >>> L = np.array([[0, 20, 10], [5, 0, 24], [10, 0, 0]], dtype=float)
        >>> system = prepare_clearing(L)
        >>> full = system.clear(np.full(3, 10.0))
        >>> half = system.clear(np.full(3, 5.0), start=full.payments)
        >>> print(np.round(half.payments, 3), half.defaulted.tolist())
        [17.922 16.948 10.   ] [True, True, False]
        """
        return self._solve(
            external_assets, alpha, beta, start, "ClearingSystem.clear()", exact=exact, out=out
        )

    def _solve(
        self,
        external_assets: ArrayLike,
        alpha: float,
        beta: float,
        start: Any,
        func: str,
        *,
        exact: bool = True,
        out: ClearingResult | None = None,
    ) -> ClearingResult:
        e_in = check_vector(external_assets, "external_assets", func, n=self.n, batch=True)
        alpha = check_scalar(alpha, "alpha", func, low=0.0, high=1.0)
        beta = check_scalar(beta, "beta", func, low=0.0, high=1.0)
        e, was_1d = as_batch(e_in, contiguous=True)
        buf = None if out is None else _Buffers.of(out, e, was_1d, func)
        x0 = None
        if start is not None:
            x0 = self._shortfall(start, e.shape, func, None if buf is None else buf.x)
        sol = _clear(self, e, alpha, beta, start=x0, exact=exact, out=buf)
        return _result(self, sol, e, was_1d, out=buf)

    def _shortfall(
        self,
        start: ArrayLike,
        shape: tuple[int, ...],
        func: str,
        into: NDArray[np.float64] | None = None,
    ) -> NDArray[np.float64]:
        """``obligations - start`` as an (n, S) array, ``start`` checked to lie in [0, pbar].

        Written into ``into`` (C-contiguous, shape ``shape``; it may be ``start`` itself) when
        given, else into a new array.
        """
        p0 = check_vector(start, "start", func, n=self.n, batch=True)
        p0, _ = as_batch(p0)
        if p0.shape != shape:
            raise fail(func, "start", f"of the shape of 'external_assets' {shape}", str(p0.shape))
        if into is None:
            into = np.empty(shape)
        # Checked on the difference (one pass, no (n, S) temporary); then p0 may be gone.
        np.subtract(self.obligations[:, None], p0, out=into)
        if into.size and into.min() < 0:
            k = np.unravel_index(int(np.argmin(into)), shape)
            over = self.obligations[k[0]] - into[k]
            raise fail(
                func,
                "start",
                "payments in [0, obligations]",
                f"{over:g} > {self.obligations[k[0]]:g} at {[int(v) for v in k]}",
            )
        return into


def prepare_clearing(
    liabilities: ArrayLike | sp.sparray | sp.spmatrix,
    external_liabilities: ArrayLike | None = None,
) -> ClearingSystem:
    r"""Prepare a liabilities network once for many clearings (:meth:`ClearingSystem.clear`).

    Computes the obligations :math:`\bar p_i = \sum_j L_{ij} + l^e_i`, the relative
    liabilities :math:`\Pi_{ij} = L_{ij} / \bar p_i` and the interbank assets
    :math:`a = \Pi^\top \bar p`; ``eisenberg_noe(L, e, ...)`` is
    ``prepare_clearing(L, el).clear(e, ...)``.

    Parameters
    ----------
    liabilities : array_like or scipy.sparse array, shape (n, n)
        ``liabilities[i, j]`` = nominal amount entity ``i`` owes entity ``j`` (USD, >= 0, zero
        diagonal).
    external_liabilities : array_like, shape (n,), optional
        Debt owed outside the network, USD, >= 0, pari passu with interbank debt.

    Returns
    -------
    ClearingSystem

    Raises
    ------
    lahar.errors.DataError
        A non-square matrix, a non-zero diagonal, NaN or negative entries.

    Examples
    --------
    >>> import numpy as np
    >>> s = prepare_clearing(np.array([[0, 20, 10], [5, 0, 24], [10, 0, 0]], dtype=float))
    >>> s.obligations.tolist(), s.interbank_assets.tolist()
    ([30.0, 29.0, 10.0], [15.0, 20.0, 34.0])
    """
    return _prepare(liabilities, external_liabilities, "prepare_clearing()")


def _prepare(liabilities: Any, external_liabilities: Any, func: str) -> ClearingSystem:
    lmat = check_square(liabilities, "liabilities", func)
    n = lmat.shape[0]
    interbank = row_sums(lmat)
    if external_liabilities is None:
        ext = np.zeros(n)
    else:
        ext = np.array(check_vector(external_liabilities, "external_liabilities", func, n=n))
    pbar = interbank + ext
    inv = np.divide(1.0, pbar, out=np.zeros(n), where=pbar > 0)
    return ClearingSystem(
        n=n,
        pi=scale_rows(lmat, inv),
        obligations=pbar,
        interbank_assets=column_sums(lmat),
        external_liabilities=ext,
        _eps=_RTOL * pbar,
    )


class _Solution:
    """Shortfalls ``x = pbar - p``, interbank losses ``Pi^T x`` and defaults, shape (n, S)."""

    def __init__(
        self,
        x: NDArray[np.float64],
        loss: NDArray[np.float64],
        defaulted: NDArray[np.bool_],
        waves: NDArray[np.int64],
        n_solves: int,
        equity: NDArray[np.float64] | None = None,
    ) -> None:
        self.x = x
        self.loss = loss
        self.defaulted = defaulted
        self.waves = waves
        self.n_solves = n_solves
        self.equity = equity  # memory for the equity output (the compiled engine's work rows)


class _Buffers:
    """The (n, S) arrays of a caller's ``out`` result, checked, to be overwritten in place.

    ``x`` (shortfalls, turned into payments), ``loss``, ``dflt`` and ``equity`` are (n, S)
    views of ``out``'s ``payments``, ``credit_loss``, ``defaulted`` and ``equity``;
    ``arrays`` holds those four as the caller gave them (shape (n,) for one scenario).
    """

    def __init__(self, arrays: tuple[NDArray[Any], ...], n_scen: int):
        self.arrays = arrays
        n = arrays[0].shape[0]
        self.x, self.equity, self.dflt, self.loss = (a.reshape(n, n_scen) for a in arrays)

    @classmethod
    def of(cls, out: Any, e: NDArray[np.float64], was_1d: bool, func: str) -> _Buffers:
        """Check ``out`` against the (n, S) external assets ``e`` and wrap its arrays."""
        if not isinstance(out, ClearingResult):
            raise fail(func, "out", "a ClearingResult", type(out).__name__)
        shape = e.shape[:1] if was_1d else e.shape
        arrays = (out.payments, out.equity, out.defaulted, out.credit_loss)
        names = ("payments", "equity", "defaulted", "credit_loss")
        for name, a in zip(names, arrays, strict=True):
            dtype = np.bool_ if name == "defaulted" else np.float64
            if not (
                isinstance(a, np.ndarray)
                and a.shape == shape
                and a.dtype == dtype
                and a.flags.c_contiguous
                and a.flags.writeable
            ):
                got = f"{name} of shape {getattr(a, 'shape', None)}"
                raise fail(func, "out", f"a writable result of shape {shape}", got)
            if np.may_share_memory(a, e):
                raise fail(func, "out", "arrays that share no memory with 'external_assets'", name)
        for k in range(len(arrays)):
            for m in range(k):
                if np.may_share_memory(arrays[k], arrays[m]):
                    got = f"{names[k]} shares memory with {names[m]}"
                    raise fail(func, "out", "a result with separate arrays", got)
        return cls(arrays, e.shape[1])


class _PairState:
    """Pure numpy/scipy engine: (entity, scenario) pairs stored flat (``i * S + s``).

    Used when numba is not available; :func:`_clear_compiled` is the fast path.
    """

    def __init__(self, system: ClearingSystem, e: NDArray[np.float64], alpha: float, beta: float):
        self.sys = system
        self.n, self.S = e.shape
        self.e = e.reshape(-1)  # a view, never written
        self.alpha = alpha
        self.beta = beta
        size = self.n * self.S
        self.x = np.zeros(size)  # shortfall pbar - p (zero outside the default set)
        self.loss = np.zeros(size)  # Pi^T x, the interbank loss of each pair
        self.defaulted = np.zeros(size, dtype=bool)
        self.keys = np.empty(0, dtype=np.int64)  # flat indices of defaulted pairs
        self.waves = np.zeros(self.S, dtype=np.int64)
        self.n_solves = 0

    def _node(self, keys: NDArray[np.int64]) -> NDArray[np.int64]:
        return keys // self.S

    def target(self, keys: NDArray[np.int64]) -> NDArray[np.float64]:
        """Picard map on defaulted pairs: x = pbar - alpha e - beta (a - loss), within [0, pbar]."""
        i = self._node(keys)
        s = self.sys
        t = (
            s.obligations[i]
            - self.alpha * self.e[keys]
            - self.beta * (s.interbank_assets[i] - self.loss[keys])
        )
        return np.clip(t, 0.0, s.obligations[i])

    def propagate(self, keys: NDArray[np.int64], delta: NDArray[np.float64]) -> NDArray[np.int64]:
        """Add ``Pi^T delta`` to the losses; return the flat indices whose loss changed."""
        if keys.size == 0:
            return np.empty(0, dtype=np.int64)
        i = self._node(keys)
        scen = keys - i * self.S
        dmat = sp.csr_array((delta, (scen, i)), shape=(self.S, self.n))
        g = dmat @ self.sys.pi  # (S, n): g[s, j] = sum_i delta[i, s] Pi[i, j]
        counts = np.diff(g.indptr)
        rows = np.repeat(np.arange(self.S, dtype=np.int64), counts)
        flat = g.indices.astype(np.int64) * self.S + rows
        self.loss[flat] += g.data
        return flat

    def new_defaults(self, flat: NDArray[np.int64]) -> NDArray[np.int64]:
        """Pairs among ``flat`` that are not yet defaulted but now fail the solvency test."""
        if flat.size == 0:
            return flat
        cand = flat[~self.defaulted[flat]]
        i = self._node(cand)
        s = self.sys
        equity = self.e[cand] + (s.interbank_assets[i] - s.obligations[i]) - self.loss[cand]
        return cand[equity < -s._eps[i]]

    def add(self, keys: NDArray[np.int64]) -> None:
        """Mark ``keys`` (unique, not yet defaulted) as defaulted."""
        if keys.size == 0:
            return
        self.defaulted[keys] = True
        self.keys = np.concatenate([self.keys, keys])
        self.waves += np.bincount(keys % self.S, minlength=self.S) > 0

    def sweep(self, keys: NDArray[np.int64]) -> NDArray[np.int64]:
        """One Picard (Jacobi) sweep over ``keys``; return the pairs whose loss changed."""
        if keys.size == 0:
            return keys
        delta = self.target(keys) - self.x[keys]
        move = delta > 0.0
        keys, delta = keys[move], delta[move]
        self.x[keys] += delta
        return self.propagate(keys, delta)

    def solve(self) -> NDArray[np.int64]:
        """Exact solve on the current default set; return the pairs whose loss changed."""
        keys = np.sort(self.keys)
        self.keys = keys
        i = self._node(keys)
        s = self.sys
        rhs = s.obligations[i] - self.alpha * self.e[keys] - self.beta * s.interbank_assets[i]
        rows, cols, vals = _block_matrix(s, keys, self.S)
        x_new = _block_solve(rows, cols, vals, self.beta, rhs, keys % self.S)
        self.n_solves += 1
        x_new = np.clip(x_new, 0.0, s.obligations[i])
        delta = x_new - self.x[keys]
        self.x[keys] = x_new
        change = delta != 0.0
        return self.propagate(keys[change], delta[change])

    def exact_losses(self) -> None:
        """Recompute ``loss = Pi^T x`` from scratch (removes accumulated rounding)."""
        self.loss[:] = 0.0
        self.propagate(self.keys, self.x[self.keys])

    def solution(self) -> _Solution:
        shape = (self.n, self.S)
        return _Solution(
            self.x.reshape(shape),
            self.loss.reshape(shape),
            self.defaulted.reshape(shape),
            self.waves,
            self.n_solves,
        )


def _out_edges(
    system: ClearingSystem, keys: NDArray[np.int64], n_scen: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """For pairs ``keys`` (debtor, scenario): every (pair index, creditor key, Pi weight)."""
    pi = system.pi
    node = keys // n_scen
    scen = keys - node * n_scen
    start = pi.indptr[node].astype(np.int64)
    deg = pi.indptr[node + 1].astype(np.int64) - start
    total = int(deg.sum())
    src = np.repeat(np.arange(keys.size, dtype=np.int64), deg)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(deg) - deg, deg)
    pos = np.repeat(start, deg) + offset
    creditor_key = pi.indices[pos].astype(np.int64) * n_scen + scen[src]
    return src, creditor_key, pi.data[pos]


def _block_matrix(
    system: ClearingSystem, keys: NDArray[np.int64], n_scen: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """COO entries of ``Pi_DD^T`` in pair space for the sorted pairs ``keys``.

    Entry (r(j, s), r(i, s)) = Pi[i, j] for debtor i and creditor j both in the set for the
    same scenario s; scenarios never mix, so the matrix is block diagonal up to a permutation.
    """
    npairs = keys.size
    src, creditor_key, weight = _out_edges(system, keys, n_scen)
    row = np.searchsorted(keys, creditor_key)
    row[row == npairs] = 0
    inside = keys[row] == creditor_key if npairs else np.zeros(0, dtype=bool)
    return row[inside], src[inside], weight[inside]


def _block_solve(
    rows: NDArray[np.int64],
    cols: NDArray[np.int64],
    vals: NDArray[np.float64],
    beta: float,
    rhs: NDArray[np.float64],
    scen: NDArray[np.int64] | None = None,
) -> NDArray[np.float64]:
    """Solve ``(I - beta B) x = rhs`` with ``B`` given as COO entries, by sparse LU.

    ``scen`` (the scenario of each unknown) splits the block-diagonal matrix into one block
    per scenario, each factorised on its own: the same work as clearing that scenario alone
    (a stacked factorisation of many blocks fills in far more), and the same bits whatever
    other scenarios share the batch.
    """
    npairs = rhs.size
    if npairs == 0:
        return np.empty(0)
    if rows.size == 0:  # no debt between the unknowns: x = rhs
        return rhs.copy()
    if scen is not None and scen.size and scen.min() != scen.max():
        out = np.empty(npairs)
        order = np.argsort(scen, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(scen[order]) != 0])
        bounds = np.r_[starts, npairs]
        local = np.empty(npairs, dtype=np.int64)
        block_of = np.empty(npairs, dtype=np.int64)
        for b, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
            local[order[lo:hi]] = np.arange(hi - lo)
            block_of[order[lo:hi]] = b
        edge_block = block_of[rows]
        edge_order = np.argsort(edge_block, kind="stable")
        edge_bounds = np.searchsorted(edge_block[edge_order], np.arange(len(starts) + 1))
        for b, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
            idx = order[lo:hi]
            e = edge_order[edge_bounds[b] : edge_bounds[b + 1]]
            out[idx] = _block_solve(local[rows[e]], local[cols[e]], vals[e], beta, rhs[idx])
        return out
    mat = sp.csc_array(
        (
            np.concatenate([np.ones(npairs), -beta * vals]),
            (
                np.concatenate([np.arange(npairs), rows]),
                np.concatenate([np.arange(npairs), cols]),
            ),
        ),
        shape=(npairs, npairs),
    )
    try:
        lu = spla.splu(mat, permc_spec="COLAMD")
    except RuntimeError as exc:  # pragma: no cover - excluded by the theory, kept as a guard
        msg = (
            "eisenberg_noe(): the defaulted block is singular (a closed group of defaulted "
            f"entities that owe only each other): {exc}"
        )
        raise LaharError(msg) from exc
    return lu.solve(rhs)


def _clear(
    system: ClearingSystem,
    e: NDArray[np.float64],
    alpha: float,
    beta: float,
    *,
    start: NDArray[np.float64] | None = None,
    exact: bool = True,
    out: _Buffers | None = None,
) -> _Solution:
    """Greatest clearing vector for the (n, S) external assets ``e``.

    ``start`` ((n, S) shortfalls, optional) warm-starts from a shortfall vector known to lie
    below the answer, e.g. the solution for larger external assets; it is consumed (the
    compiled engine works in its memory). ``out`` (the caller's arrays) is written by the
    compiled engine; :func:`_result` copies the numpy engine's answer into it.
    """
    if _kernels.available() and e.size:
        return _clear_compiled(system, e, alpha, beta, start, exact=exact, out=out)
    return _clear_pairs(system, e, alpha, beta, start)


def _clear_pairs(
    system: ClearingSystem,
    e: NDArray[np.float64],
    alpha: float,
    beta: float,
    start: NDArray[np.float64] | None,
) -> _Solution:
    st = _PairState(system, e, alpha, beta)
    if start is not None:
        flat = start.reshape(-1)
        keys0 = np.flatnonzero(flat > 0)
        st.x[keys0] = flat[keys0]
        st.defaulted[keys0] = True
        st.keys = keys0.astype(np.int64)
        st.propagate(st.keys, st.x[st.keys])
    # Defaults at full payment (p = pbar) or at the warm start.
    equity = (e + (system.interbank_assets - system.obligations)[:, None]).reshape(-1) - st.loss
    first = np.flatnonzero((equity < -np.repeat(system._eps, st.S)) & ~st.defaulted)
    del equity
    st.add(first)
    todo = st.keys
    while True:
        # Picard sweeps while they find new defaults; the first sweep that finds none hands
        # over to an exact solve (changes that persist mean cycles among the defaulted).
        for _ in range(_MAX_SWEEPS):
            touched = st.sweep(todo)
            new = st.new_defaults(touched)
            st.add(new)
            todo = np.union1d(touched[st.defaulted[touched]], new)
            if new.size == 0 or todo.size == 0:
                break
        if st.keys.size == 0:
            break
        touched = st.solve()
        new = st.new_defaults(touched)
        if new.size == 0:
            break
        st.add(new)
        todo = np.union1d(touched[st.defaulted[touched]], new)
    st.exact_losses()
    return st.solution()


def _downstream(
    system: ClearingSystem, keys: NDArray[np.int64], n_scen: int, defaulted: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Closure of pairs ``keys`` under "creditor in the same scenario, defaulted", and its block.

    Returns the sorted closure and the COO entries of ``Pi_DD^T`` on it (as
    :func:`_block_matrix` gives them): the out-edges found while growing the closure are
    kept, so the LU's input is prepared from one pass over them.
    """
    closed = np.zeros(defaulted.shape, dtype=bool)
    closed[keys] = True
    frontier = keys
    found = [keys]
    debtor_keys, creditor_keys, weights = [], [], []
    while frontier.size:
        src, creditor_key, weight = _out_edges(system, frontier, n_scen)
        debtor_keys.append(frontier[src])
        creditor_keys.append(creditor_key)
        weights.append(weight)
        cand = creditor_key[defaulted[creditor_key] & ~closed[creditor_key]]
        frontier = np.unique(cand)
        closed[frontier] = True
        found.append(frontier)
    del closed
    closure = np.sort(np.concatenate(found))
    debtor = np.concatenate(debtor_keys)
    creditor = np.concatenate(creditor_keys)
    at = np.searchsorted(closure, creditor)
    at[at == closure.size] = 0
    inside = closure[at] == creditor
    cols = np.searchsorted(closure, debtor[inside])
    return closure, at[inside], cols, np.concatenate(weights)[inside]


def _clear_compiled(
    system: ClearingSystem,
    e: NDArray[np.float64],
    alpha: float,
    beta: float,
    start: NDArray[np.float64] | None,
    *,
    exact: bool = True,
    out: _Buffers | None = None,
) -> _Solution:
    """Fast path: Jacobi sweeps fused with the default test in compiled kernels.

    On the acyclic part of the defaulted graph the sweeps are forward substitution and stop
    changing exactly; on cycles among defaulted entities they are Jacobi iterations of the
    block's linear system, kept up until nothing changes (the solution to the last bit) for
    at most ``_SETTLE_SWEEPS`` sweeps; when changes persist past that, the pairs still
    changing and everything downstream of them are solved exactly by a sparse LU per scenario.

    The pending increments of the shortfall (of the entities whose shortfall moved, listed
    in ``active``; ``slot[i] = i`` for those, -1 otherwise) live in the rows of the equity
    output, which is only written at the end: no float work array is (n, S), and the only
    (n, S) float memory is the outputs'. These are ``out``'s arrays when given, else allocated
    uninitialised; either way every entry is written before it is read (shortfalls, losses
    and defaults by the first kernel, so fresh memory is first touched by the threads that
    use it), and both give the same bits. A ``start`` is consumed: without ``out`` its memory
    becomes the shortfalls.
    """
    n, n_scen = e.shape
    n_chunks = (n + _kernels.CHUNK - 1) // _kernels.CHUNK
    newflag = np.zeros((n_chunks, n_scen), dtype=bool)
    if out is None:
        x = np.empty((n, n_scen)) if start is None else start
        loss = np.empty((n, n_scen))
        dflt = np.empty((n, n_scen), dtype=bool)
        inc = np.empty((n, n_scen))
    else:
        x, loss, dflt, inc = out.x, out.loss, out.dflt, out.equity
        if start is not None and start is not x:
            np.copyto(x, start)
    mark = np.zeros(n, dtype=bool)
    waves = np.zeros(n_scen, dtype=np.int64)
    n_solves = 0
    # Pending increments: entity ``active[r]`` has its row in ``pending[slot[active[r]]]``.
    slot = np.full(n, -1, dtype=np.int64)
    if start is None:
        changed = np.empty(n, dtype=bool)
        _kernels.clearing_start(
            e,
            x,
            dflt,
            loss,
            system.obligations,
            system.interbank_assets,
            system._eps,
            alpha,
            beta,
            changed,
            newflag,
        )
        waves += newflag.any(axis=0)
        active = np.flatnonzero(changed)
        cand = _kernels.clearing_candidates(system.pi, active, mark)
    else:  # warm start: losses from scratch, every row evaluated in the first sweep
        np.greater(x, 0.0, out=dflt)
        loss.fill(0.0)
        active = np.flatnonzero(dflt.any(axis=1))
        cand = np.arange(n, dtype=np.int64)
    pending = x  # x started at 0 (no loss yet): the increments are x itself
    slot[active] = active
    just_solved = False
    settle = 0  # sweeps since the default set last grew
    while True:
        newflag[:] = False
        changed = np.empty(cand.size, dtype=bool)
        _kernels.clearing_sweep(
            system.pi, active, slot, pending, cand, e, x, loss, dflt, system.obligations,
            system.interbank_assets, system._eps, alpha, beta, inc, changed, newflag,
        )  # fmt: skip
        # The new increments of the candidates that moved now sit in their rows of ``inc``
        # (the old ones, all pushed, are no longer needed).
        slot[active] = -1
        active = cand[np.flatnonzero(changed)]
        slot[active] = active
        pending = inc
        grew = newflag.any(axis=0)
        waves += grew
        if grew.any():
            just_solved = False
            settle = 0
            cand = _kernels.clearing_candidates(system.pi, active, mark)
            continue
        if just_solved or active.size == 0 or not exact:
            break  # the last exact solve (or a sweep that changed nothing) added no default
        if settle < _SETTLE_SWEEPS:
            # No new default, but shortfalls still move (cycles among the defaulted): keep
            # sweeping while that is cheap; a sweep that changes nothing is the exact answer.
            settle += 1
            cand = _kernels.clearing_candidates(system.pi, active, mark)
            continue
        # Changes persist past the cap: solve exactly on the pairs still changing and
        # everything downstream of them; the rest is already exact.
        r, s = np.nonzero(pending[slot[active]] != 0.0)
        changing = active[r].astype(np.int64) * n_scen + s
        keys, b_rows, b_cols, b_vals = _downstream(system, changing, n_scen, dflt.reshape(-1))
        node = keys // n_scen
        scen = keys - node * n_scen
        xf = x.reshape(-1)
        pend = np.zeros(keys.size)
        has = slot[node] >= 0
        pend[has] = pending[slot[node[has]], scen[has]]
        x_prev = xf[keys] - pend  # what ``loss`` currently reflects
        inner = np.bincount(b_rows, weights=b_vals * x_prev[b_cols], minlength=keys.size)
        rhs = (
            system.obligations[node]
            - alpha * e.reshape(-1)[keys]
            - beta * (system.interbank_assets[node] - (loss.reshape(-1)[keys] - inner))
        )
        x_new = np.clip(
            _block_solve(b_rows, b_cols, b_vals, beta, rhs, keys % n_scen),
            0.0,
            system.obligations[node],
        )
        n_solves += 1
        xf[keys] = x_new
        # Pending increments: outside the solved set none are left; on it, x_new - x_prev.
        slot[active] = -1
        active = np.unique(node)
        slot[active] = active
        pending = inc
        pending[active] = 0.0
        pending.reshape(-1)[keys] = x_new - x_prev
        cand = _kernels.clearing_candidates(system.pi, active, mark)
        just_solved = True
        settle = 0
    # ``loss`` holds Pi^T x accumulated increment by increment (a handful of additions per
    # entry, so within a few ulps of a recomputation from scratch).
    return _Solution(x, loss, dflt, waves, n_solves, equity=inc)


def eisenberg_noe(
    liabilities: ArrayLike | sp.sparray | sp.spmatrix,
    external_assets: ArrayLike,
    *,
    alpha: float = 1.0,
    beta: float = 1.0,
    external_liabilities: ArrayLike | None = None,
    out: ClearingResult | None = None,
) -> ClearingResult:
    r"""Greatest clearing vector of Eisenberg–Noe (2001) / Rogers–Veraart (2013), batched.

    .. math::

        p = \Phi(p), \qquad \Phi(p)_i = \begin{cases}
            \bar p_i & e_i + (\Pi^\top p)_i \ge \bar p_i \\
            \alpha e_i + \beta (\Pi^\top p)_i & \text{otherwise}
        \end{cases}

    with :math:`\bar p_i = \sum_j L_{ij} + l^e_i` and :math:`\Pi_{ij} = L_{ij} / \bar p_i`.
    The greatest solution is computed exactly by the fictitious-default / greatest clearing
    vector algorithm (grow the default set, solve the linear system restricted to it with a
    sparse LU), for all S scenarios in one vectorised pass.

    Parameters
    ----------
    liabilities : array_like or scipy.sparse array, shape (n, n)
        ``liabilities[i, j]`` = nominal amount entity ``i`` owes entity ``j`` (USD, >= 0, zero
        diagonal). Sparse input is used as is (no densification).
    external_assets : array_like, shape (n,) or (n, S)
        External (non-interbank) assets :math:`e` of each entity, USD, >= 0; one column per
        scenario (e.g. the same balance sheets under S shocks).
    alpha : float, default 1.0
        Fraction of external assets a defaulting entity realises (Rogers–Veraart), in [0, 1].
    beta : float, default 1.0
        Fraction of interbank assets a defaulting entity realises, in [0, 1].
    external_liabilities : array_like, shape (n,), optional
        Debt owed to creditors outside the network, USD, >= 0, *pari passu* with interbank
        debt (as in Gandy & Veraart's ``systemicrisk``). Omitted: external liabilities are not
        modelled (or, equivalently, are junior to interbank debt and already netted out of
        ``external_assets``).
    out : ClearingResult, optional
        A result of an earlier call with the same shape of ``external_assets``, to be
        reused: its ``payments``, ``equity``, ``defaulted`` and ``credit_loss`` arrays are
        overwritten with this answer (the same bits as without ``out``) and are the arrays of
        the returned result. For callers that clear repeatedly: no new (n, S) output memory,
        whose first touch dominates a cold call on large batches (see Notes). They must not
        share memory with ``external_assets``; the earlier result is no longer valid.

    Returns
    -------
    ClearingResult
        Payments, equity ``e + Pi^T p - pbar``, defaults, default waves and the rest.

    Raises
    ------
    lahar.errors.DataError
        Negative, NaN or infinite entries, a non-square matrix, a non-zero diagonal, shapes
        that do not match, or ``alpha``/``beta`` outside [0, 1]. The message names the
        parameter, the position and the value.

    See Also
    --------
    prepare_clearing : prepare a network once, then clear it for many external assets (with
        a warm start).
    lahar.contagion.debtrank : distress propagation without defaults.

    Notes
    -----
    *Equity convention.* ``equity = e + Pi^T p - pbar`` as in NetworkValuation (test vector
    TV-1 of ``docs/contagion.md``): the value left to shareholders after paying all creditors in
    full, negative for a defaulted entity (whose creditors absorb the shortfall). With
    ``external_liabilities`` these are part of ``pbar`` and share pro rata in the entity's
    payment. The *senior* convention (external creditors paid first, as in NEVA and
    ``paolobarucca/eisenbergnoe``) is obtained by passing ``external_assets`` net of external
    liabilities, floored at zero, and no ``external_liabilities``; the two conventions give
    different answers on the same data (TV-6 of ``docs/contagion.md``).

    *Algorithm.* Every iterate stays above the greatest clearing vector (monotonicity of
    :math:`\Phi`), so the default set only grows; the result is exact up to the rounding of the
    sparse LU solve. The default test carries a relative guard of ``1e-12 * pbar_i`` so that an
    entity with exactly zero equity counts as solvent. With ``beta = 1`` the defaulted block is
    non-singular because a closed group of entities owing only each other cannot all be in
    default at the greatest clearing vector (Eisenberg & Noe 2001, Lemma 3 and Theorem 2).

    *Cost.* One pass over ``external_assets`` and the outputs, then work proportional to the
    creditors of entities whose shortfall moved, not to ``n * S`` per round; an entity that
    nobody's default reaches is never touched after the first pass. Without numba (or with
    ``LAHAR_NO_NUMBA=1``) a slower pure numpy/scipy engine gives the same results. The
    outputs are three (n, S) float arrays and one boolean: at n = 10^6, S = 64 about 1.6 GB
    whose first touch (the operating system zeroing fresh pages) can cost more than the
    clearing itself; ``out`` reuses an earlier result's memory instead.

    References
    ----------
    .. [1] Eisenberg, L. and Noe, T. H. (2001). Systemic risk in financial systems.
       *Management Science* 47(2), 236–249.
    .. [2] Rogers, L. C. G. and Veraart, L. A. M. (2013). Failure and rescue in an interbank
       network. *Management Science* 59(4), 882–898.
    .. [3] Gandy, A. and Veraart, L. A. M. (2024). systemicrisk: A toolbox for systemic risk,
       R package version 0.4.3 (``default_clearing``).

    Examples
    --------
    Three banks (TV-1 of ``docs/contagion.md``, from NetworkValuation): bank 0 owes 20 to bank 1 and 10 to bank 2, and so
    on; each holds 10 of external assets.

    >>> import numpy as np
    >>> from lahar.contagion import eisenberg_noe
    >>> L = np.array([[0, 20, 10], [5, 0, 24], [10, 0, 0]], dtype=float)
    >>> res = eisenberg_noe(L, np.array([10.0, 10.0, 10.0]))
    >>> print(np.round(res.payments, 4))
    [24.5455 26.3636 10.    ]
    >>> print(np.round(res.equity, 4))
    [-5.4545 -2.6364 30.    ]
    >>> res.defaulted.tolist(), res.waves
    ([True, True, False], 2)

    A batch: the same banks under three haircuts on external assets, in one call.

    >>> e = np.array([10.0, 10.0, 10.0])[:, None] * np.array([1.0, 0.5, 0.0])
    >>> print(np.round(eisenberg_noe(L, e).payments, 3))
    [[24.545 17.922 11.299]
     [26.364 16.948  7.532]
     [10.    10.    10.   ]]
    """
    system = _prepare(liabilities, external_liabilities, _FUNC)
    return system._solve(external_assets, alpha, beta, None, _FUNC, out=out)


def _result(
    system: ClearingSystem,
    sol: _Solution,
    e: NDArray[np.float64],
    was_1d: bool,
    out: _Buffers | None = None,
) -> ClearingResult:
    n, n_scen = e.shape
    if out is not None and sol.x is not out.x:  # the numpy engine: copy into the caller's
        np.copyto(out.x, sol.x)
        np.copyto(out.loss, sol.loss)
        np.copyto(out.dflt, sol.defaulted)
        sol = _Solution(out.x, out.loss, out.dflt, sol.waves, sol.n_solves)
    payments = sol.x  # converted in place: p = pbar - x
    if out is not None:
        equity = out.equity
    elif sol.equity is not None:
        equity = sol.equity
    else:
        equity = np.empty_like(payments)
    if _kernels.available() and payments.size:
        _kernels.clearing_outputs(
            e, payments, sol.loss, system.obligations, system.interbank_assets, equity
        )
    else:
        np.subtract(system.obligations[:, None], payments, out=payments)
        np.subtract(e, sol.loss, out=equity)
        equity += (system.interbank_assets - system.obligations)[:, None]
    ext_share = np.divide(
        system.external_liabilities,
        system.obligations,
        out=np.zeros(n),
        where=system.obligations > 0,
    )
    if out is not None:  # the caller's arrays themselves, of the shape they were given
        payments, equity, defaulted, credit_loss = out.arrays
    elif was_1d:
        payments, equity = payments[:, 0], equity[:, 0]
        defaulted, credit_loss = sol.defaulted[:, 0], sol.loss[:, 0]
    else:
        defaulted, credit_loss = sol.defaulted, sol.loss
    return ClearingResult(
        payments=payments,
        equity=equity,
        defaulted=defaulted,
        waves=int(sol.waves[0]) if was_1d else sol.waves,
        obligations=system.obligations.copy(),
        credit_loss=credit_loss,
        external_share=ext_share,
        n_solves=sol.n_solves,
    )
