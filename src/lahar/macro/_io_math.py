"""Input–output algebra: Leontief and Ghosh quantity models, multipliers, satellite effects.

Pure functions over numpy / scipy arrays; re-exported by :mod:`lahar.macro.input_output`.
Conventions (Miller & Blair 2009, ch. 2): ``Z[i, j]`` is the flow from industry ``i`` to
industry ``j``, ``x`` gross output, ``A = Z diag(x)^-1`` the technical (input) coefficients
(column ``j`` = inputs per unit of ``j``'s output), ``B = diag(x)^-1 Z`` the allocation (output)
coefficients (row ``i`` = shares of ``i``'s output sold to each buyer). Final demand and primary
inputs come as ``(n,)`` or ``(n, S)`` arrays (S scenarios); every result keeps the input's ndim.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import ArrayLike, NDArray

from lahar._validation import (
    as_batch,
    check_choice,
    check_int,
    check_matrix,
    check_scalar,
    check_vector,
    fail,
    restore_shape,
)

__all__ = [
    "IOEffects",
    "LeontiefFactor",
    "allocation_coefficients",
    "closed_model",
    "factorize",
    "ghosh",
    "io_effects",
    "leontief",
    "spectral_radius_bound",
    "technical_coefficients",
    "total_requirements",
    "type_i_multipliers",
    "type_ii_multipliers",
]

Matrix: TypeAlias = NDArray[np.float64] | sp.sparray | sp.spmatrix

# Right-hand sides per SuperLU triangular solve (see LeontiefFactor.solve).
_SPARSE_CHUNK = 64

# Size rules, measured with benchmarks/bench_io.py and the crossover sweep recorded in
# docs/performance.md (2-core AMD EPYC, OpenBLAS, S = 1,000 final-demand columns):
# * sparse input with n <= _DENSE_MAX_N is factored dense: LAPACK beats SuperLU there (n = 250:
#   5.7 ms against 27 ms; n = 500: 37 against 95 ms), while at n = 1,000 they are level and
#   from 2,000 sectors the sparse factor wins (0.56 s against 0.80 s);
# * a dense factor with n <= _INVERSE_MAX_N solves S >= n columns as one matrix product with
#   the explicit inverse (pymrio's way): OpenBLAS's triangular solves are slow on small
#   matrices (BEA, n = 71, S = 10^4: 16 ms for getrs against 2.5 ms for the product, the
#   inverse itself 0.1 ms), while at n = 1,000 getrs is faster than inverting (103 ms against
#   168 ms). I - A of a productive table is an M-matrix with a modest condition number, so
#   the inverse loses nothing measurable (tests: agreement with the LU solve to 1e-12).
_DENSE_MAX_N = 500
_INVERSE_MAX_N = 500


@dataclass(frozen=True)
class LeontiefFactor:
    """An LU factorisation of ``I - M`` for a coefficient matrix ``M``, reusable across calls.

    Made by :func:`factorize`; pass it wherever a function takes ``technical_coefficients``
    (or ``allocation_coefficients``) to skip refactoring the same matrix.

    Attributes
    ----------
    n : int
        Number of industries.
    sparse : bool
        True when factored with SuperLU (``scipy.sparse.linalg.splu``), False for LAPACK
        ``getrf`` (``scipy.linalg.lu_factor``).
    spectral_radius_upper : float
        A certified upper bound on the spectral radius of ``|M|`` (Collatz–Wielandt), or
        ``nan`` when the check was skipped.
    """

    n: int
    sparse: bool
    spectral_radius_upper: float
    _lu: Any = field(repr=False, compare=False)
    _inverse: dict = field(default_factory=dict, repr=False, compare=False)

    def _explicit_inverse(self) -> NDArray[np.float64]:
        """``(I - M)^-1`` (small dense factors), computed once and kept."""
        if "L" not in self._inverse:
            self._inverse["L"] = sla.lu_solve(self._dense_lu(), np.eye(self.n), check_finite=False)
        return self._inverse["L"]

    def _checked_solve(
        self, rhs: ArrayLike, name: str, func: str, transpose: bool = False
    ) -> NDArray[np.float64]:
        """Check ``rhs`` and solve; many columns on a small dense factor in one product.

        That product carries one extra row of ones, so it also yields the column sums of
        ``rhs``: a NaN or inf anywhere makes their total non-finite, which replaces a separate
        validation pass over ``rhs`` (then the full check names the entry).
        """
        b = rhs if isinstance(rhs, np.ndarray) and rhs.dtype == np.float64 else None
        if (
            self.sparse
            or b is None
            or b.ndim != 2
            or b.shape[0] != self.n
            or b.shape[1] < self.n
            or self.n > _INVERSE_MAX_N
        ):
            b = check_vector(rhs, name, func, n=self.n, nonneg=False, batch=True)
            return self._solve(b, transpose)
        key = "LT+1" if transpose else "L+1"
        if key not in self._inverse:
            inv = self._explicit_inverse()
            self._inverse[key] = np.vstack([inv.T if transpose else inv, np.ones(self.n)])
        out = self._inverse[key] @ b
        if not np.isfinite(out[-1].sum()):
            check_vector(b, name, func, n=self.n, nonneg=False, batch=True)
        return out[:-1]

    def _dense_lu(self) -> Any:
        """LAPACK LU of ``I - M`` (made on first use for factors that start from the inverse)."""
        if self._lu is not None:
            return self._lu
        if "lu" not in self._inverse:
            self._inverse["lu"] = sla.lu_factor(self._inverse["I-M"], check_finite=False)
        return self._inverse["lu"]

    def solve(self, rhs: ArrayLike, *, transpose: bool = False) -> NDArray[np.float64]:
        """Solve ``(I - M) y = rhs`` (or ``(I - M)^T y = rhs``) for all columns at once.

        Parameters
        ----------
        rhs : array_like, shape (n,) or (n, S)
            Right-hand sides, one per column.
        transpose : bool, default False
            Solve with the transposed matrix (Ghosh model, multipliers).

        Returns
        -------
        ndarray, same shape as ``rhs``
        """
        b = check_vector(rhs, "rhs", "LeontiefFactor.solve", n=self.n, nonneg=False, batch=True)
        return self._solve(b, transpose)

    def _solve(self, b: NDArray[np.float64], transpose: bool = False) -> NDArray[np.float64]:
        """:meth:`solve` for an already checked float64 ``b``."""
        trans = "T" if transpose else "N"
        if not self.sparse:
            if b.ndim == 2 and b.shape[1] >= self.n and self.n <= _INVERSE_MAX_N:
                inv = self._explicit_inverse()  # one matrix product beats getrs (see above)
                return (inv.T if transpose else inv) @ b
            lu = self._dense_lu()
            return sla.lu_solve(lu, b, trans=1 if transpose else 0, check_finite=False)
        if b.ndim == 1 or b.shape[1] <= _SPARSE_CHUNK:
            return np.asarray(self._lu.solve(np.asfortranarray(b), trans=trans))
        # SuperLU's triangular solves run several times faster on cache-sized blocks of
        # right-hand sides than on one (n, S) block (measured: benchmarks/bench_io.py).
        out = np.empty(b.shape, order="F")
        for j in range(0, b.shape[1], _SPARSE_CHUNK):
            block = np.asfortranarray(b[:, j : j + _SPARSE_CHUNK])
            out[:, j : j + _SPARSE_CHUNK] = self._lu.solve(block, trans=trans)
        return out


def technical_coefficients(flows: ArrayLike, output: ArrayLike) -> NDArray[np.float64]:
    """Input (technical) coefficients ``A = Z diag(x)^-1``.

    .. math:: a_{ij} = z_{ij} / x_j

    Parameters
    ----------
    flows : array_like, shape (n, n)
        Inter-industry flows ``Z`` (row = seller, column = buyer), >= 0.
    output : array_like, shape (n,)
        Gross output ``x`` > 0.

    Returns
    -------
    ndarray, shape (n, n)

    Raises
    ------
    lahar.errors.DataError
        Non-square flows, NaN, negative entries, or an output that is not > 0.

    References
    ----------
    Miller, R. E. and Blair, P. D. (2009). *Input–Output Analysis: Foundations and
    Extensions*, 2nd ed., Cambridge University Press, eq. (2.4).

    Examples
    --------
    >>> technical_coefficients([[150, 500], [200, 100]], [1000, 2000])
    array([[0.15, 0.25],
           [0.2 , 0.05]])
    """
    z = np.asarray(check_matrix(flows, "flows", "technical_coefficients"))
    x = _positive_output(output, z.shape[0], "technical_coefficients")
    return z / x[None, :]


def allocation_coefficients(flows: ArrayLike, output: ArrayLike) -> NDArray[np.float64]:
    """Output (allocation) coefficients of the Ghosh model ``B = diag(x)^-1 Z``.

    .. math:: b_{ij} = z_{ij} / x_i

    Parameters
    ----------
    flows : array_like, shape (n, n)
        Inter-industry flows ``Z`` (row = seller, column = buyer), >= 0.
    output : array_like, shape (n,)
        Gross output ``x`` > 0.

    Returns
    -------
    ndarray, shape (n, n)

    References
    ----------
    Miller & Blair (2009), section 12.1, eq. (12.1).

    Examples
    --------
    >>> allocation_coefficients([[150, 500], [200, 100]], [1000, 2000])
    array([[0.15, 0.5 ],
           [0.1 , 0.05]])
    """
    z = np.asarray(check_matrix(flows, "flows", "allocation_coefficients"))
    x = _positive_output(output, z.shape[0], "allocation_coefficients")
    return z / x[:, None]


def _positive_output(output: ArrayLike, n: int, func: str) -> NDArray[np.float64]:
    x = check_vector(output, "output", func, n=n)
    if (x <= 0).any():
        k = int(np.flatnonzero(x <= 0)[0])
        raise fail(
            func,
            "output",
            "> 0 everywhere (drop industries without output before computing coefficients)",
            f"{x[k]:g} at [{k}]",
        )
    return x


def spectral_radius_bound(
    matrix: Matrix, *, max_iter: int = 200, tol: float = 1e-9
) -> tuple[float, float]:
    r"""Certified bounds ``(lower, upper)`` on the spectral radius of ``|M|``.

    Power iteration on the entry-wise absolute value ``|M|`` with the Collatz–Wielandt bounds:
    for any positive vector ``v``,

    .. math:: \min_i \frac{(|M| v)_i}{v_i} \le \rho(|M|) \le \max_i \frac{(|M| v)_i}{v_i},

    and ``rho(M) <= rho(|M|)``. So ``upper < 1`` certifies that ``I - M`` is invertible and its
    Neumann series converges; for a non-negative ``M``, ``lower >= 1`` proves it does not. The
    iteration stops as soon as one of the two decides, or the bounds meet within ``tol``.
    Costs one sparse (or dense) matrix–vector product per iteration; no eigen-solver.

    Parameters
    ----------
    matrix : ndarray or scipy sparse, shape (n, n)
        Coefficient matrix.
    max_iter : int, default 200
        Iteration cap.
    tol : float, default 1e-9
        Stop when ``upper - lower <= tol``.

    Returns
    -------
    (float, float)

    References
    ----------
    Horn, R. A. and Johnson, C. R. (2013). *Matrix Analysis*, 2nd ed., Cambridge University
    Press, Corollary 8.1.31 (Collatz–Wielandt).

    Examples
    --------
    The first product already certifies Miller & Blair's example (true radius 0.3291):

    >>> lo, hi = spectral_radius_bound(np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> print(f"{lo:.2f} <= rho <= {hi:.2f}")
    0.25 <= rho <= 0.40
    >>> lo, hi = spectral_radius_bound(np.array([[0.5, 0.6], [0.6, 0.5]]))
    >>> print(f"{lo:.2f} <= rho <= {hi:.2f}")
    1.10 <= rho <= 1.10
    """
    func = "spectral_radius_bound"
    checked = check_matrix(matrix, "matrix", func, nonneg=False)
    max_iter = check_int(max_iter, "max_iter", func, low=1)
    tol = check_scalar(tol, "tol", func, low=0.0)
    m = abs(checked) if sp.issparse(checked) else np.abs(checked)
    n = m.shape[0]
    v = np.ones(n)
    lower, upper = 0.0, np.inf
    for _ in range(max_iter):
        w = m @ v
        ratio = w / v
        lower, upper = max(lower, float(ratio.min())), min(upper, float(ratio.max()))
        if upper < 1.0 or upper - lower <= tol or lower >= 1.0:
            break
        # Keep v strictly positive so the bounds stay valid for reducible matrices.
        v = w / w.max() + 1e-12 if w.max() > 0 else np.ones(n)
    return lower, upper


def factorize(
    coefficients: Matrix | LeontiefFactor,
    *,
    check_spectral: bool = True,
    permc_spec: str = "MMD_AT_PLUS_A",
    method: str = "auto",
) -> LeontiefFactor:
    """Factor ``I - M`` once (LU) for many solves.

    Dense input uses LAPACK via :func:`scipy.linalg.lu_factor`; sparse input (any scipy sparse
    array or matrix) uses SuperLU via :func:`scipy.sparse.linalg.splu`, except small tables
    (up to 500 industries), which are factored dense: LAPACK is faster there. A small dense
    factor solves many right-hand sides (at least ``n``) as one product with the explicit
    inverse, computed once from the factor.

    Parameters
    ----------
    coefficients : ndarray or scipy sparse, shape (n, n), or LeontiefFactor
        Technical coefficients ``A`` (or allocation coefficients ``B``). May hold small
        negative entries (BEA's published tables do); a factor is returned unchanged.
    check_spectral : bool, default True
        Certify ``rho(|M|) < 1`` before factoring: by the largest column sum of ``|M|`` when
        it is below 1, else with :func:`spectral_radius_bound`. Turn it off only for a matrix
        you know to be productive; a singular ``I - M`` still raises.
    permc_spec : str, default "MMD_AT_PLUS_A"
        SuperLU column ordering (sparse input only). ``I - A`` has a full, dominant diagonal,
        so a symmetric ordering of ``A + A^T`` with a diagonal-preferring pivot threshold
        (0.1, SuperLU's symmetric mode) keeps fill far lower than the unsymmetric default
        ``"COLAMD"`` (10x fewer factor entries on the benchmark's 10^4-sector table).
    method : {"auto", "dense", "sparse"}, default "auto"
        ``"auto"``: SuperLU for sparse input with more than 500 industries, LAPACK otherwise
        (the crossover measured in ``docs/performance.md``); ``"dense"`` or ``"sparse"``
        force one (``"sparse"`` converts dense input).

    Returns
    -------
    LeontiefFactor

    Raises
    ------
    lahar.errors.DataError
        ``M`` not square, or NaN/inf entries; spectral radius ``>= 1`` (not productive: some output would have to be negative or
        infinite) or ``I - M`` singular.

    Examples
    --------
    >>> f = factorize(np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> f.solve([350.0, 1700.0]).round(6)
    array([1000., 2000.])
    """
    check_choice(
        permc_spec, "permc_spec", "factorize", ("NATURAL", "MMD_ATA", "MMD_AT_PLUS_A", "COLAMD")
    )
    return _factor(
        coefficients,
        "coefficients",
        "factorize",
        check_spectral=check_spectral,
        permc_spec=permc_spec,
        method=method,
    )


def _factor(
    coefficients: Matrix | LeontiefFactor,
    name: str,
    func: str,
    *,
    check_spectral: bool = True,
    permc_spec: str = "MMD_AT_PLUS_A",
    method: str = "auto",
) -> LeontiefFactor:
    """:func:`factorize` with the caller's parameter and function names in its errors."""
    if isinstance(coefficients, LeontiefFactor):
        return coefficients
    method = check_choice(method, "method", func, ("auto", "dense", "sparse"))
    m = check_matrix(coefficients, name, func, nonneg=False)
    n = m.shape[0]
    upper = float("nan")
    if check_spectral and n > 0:
        # rho(M) <= rho(|M|) <= max column sum of |M|: one pass certifies a table whose
        # industries all have value added (every column sum below 1), the usual case.
        lower, upper = 0.0, _max_colsum(m)
        if upper >= 1.0:
            lower, upper = spectral_radius_bound(m)
        if upper >= 1.0:
            negative = bool((np.asarray(m.data if sp.issparse(m) else m) < 0).any())
            if lower >= 1.0 and not negative:
                raise fail(
                    func,
                    name,
                    "a matrix of spectral radius < 1 (a productive economy)",
                    f"a spectral radius of at least {lower:.6g} (max column sum "
                    f"{_max_colsum(m):.6g}: some column sums are too large)",
                )
            # Not certified (negative entries, or slow convergence): fall back to eigenvalues.
            rho = _dense_spectral_radius(m)
            if rho >= 1.0:
                raise fail(
                    func,
                    name,
                    "a matrix of spectral radius < 1 (a productive economy)",
                    f"a spectral radius of {rho:.6g}",
                )
            upper = rho
    if method == "sparse" and not sp.issparse(m):
        m = sp.csc_array(m)
    elif sp.issparse(m) and (method == "dense" or (method == "auto" and n <= _DENSE_MAX_N)):
        m = m.toarray()  # type: ignore[union-attr]  # scipy is untyped: issparse() does not narrow
    if sp.issparse(m):
        eye = sp.identity(n, format="csc", dtype=np.float64)
        try:
            lu = spla.splu(
                (eye - m).tocsc(),
                permc_spec=permc_spec,
                diag_pivot_thresh=0.1,
                options={"SymmetricMode": True},
            )
        except RuntimeError as exc:  # SuperLU: "Factor is exactly singular"
            raise fail(
                func,
                name,
                "a matrix M with I - M non-singular (no industry whose inputs equal its output)",
                f"a singular I - M ({exc})",
            ) from exc
        return LeontiefFactor(n=n, sparse=True, spectral_radius_upper=upper, _lu=lu)
    if n <= _INVERSE_MAX_N:
        return _small_dense_factor(m, upper, name, func)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sla.LinAlgWarning)
        lu, piv = sla.lu_factor(np.eye(n) - m, check_finite=False)
    diag = np.abs(np.diag(lu))
    if n and (diag.min() <= np.finfo(float).eps * max(1.0, diag.max()) * n):
        k = int(diag.argmin())
        raise fail(
            func,
            name,
            "a matrix M with I - M non-singular (no industry whose inputs equal its output)",
            f"a singular I - M (zero pivot at industry {k})",
        )
    return LeontiefFactor(n=n, sparse=False, spectral_radius_upper=upper, _lu=(lu, piv))


def _small_dense_factor(
    m: NDArray[np.float64], upper: float, name: str, func: str
) -> LeontiefFactor:
    """A small table's factor, starting from the explicit inverse (numpy's LAPACK).

    numpy and scipy each bundle their own OpenBLAS with its own thread pool; alternating the
    two on a busy machine stalls each call for a scheduler time slice (measured: 12-45 ms
    instead of 0.4 ms for BEA's table, S = 10^3), so the inverse and the products that use
    it stay with numpy, as pymrio's do; scipy's LU is made only if a solve with fewer than n
    columns asks for it.
    """
    n = m.shape[0]
    i_m = np.eye(n) - m
    try:
        inv = np.linalg.inv(i_m)
    except np.linalg.LinAlgError:
        inv = np.full((n, n), np.inf)
    # 1-norm condition number; singular to working precision when it reaches 1 / (n eps)
    cond = np.abs(i_m).sum(axis=0).max() * np.abs(inv).sum(axis=0).max()
    if not np.isfinite(cond) or cond * n * np.finfo(float).eps >= 1.0:
        raise fail(
            func,
            name,
            "a matrix M with I - M non-singular (no industry whose inputs equal its output)",
            f"a singular I - M (condition number {cond:.3g})",
        )
    return LeontiefFactor(
        n=n, sparse=False, spectral_radius_upper=upper, _lu=None, _inverse={"L": inv, "I-M": i_m}
    )


def _max_colsum(m: Matrix) -> float:
    return float(np.max(np.asarray(abs(m).sum(axis=0)).ravel()))


def _dense_spectral_radius(m: Matrix) -> float:
    n = m.shape[0]
    dense = m
    if sp.issparse(m):
        if n > 4000:
            vals = spla.eigs(m, k=1, which="LM", return_eigenvectors=False, maxiter=10 * n)
            return float(np.abs(vals).max())
        dense = cast(Any, m).toarray()
    return float(np.abs(np.linalg.eigvals(dense)).max()) if n else 0.0


def leontief(
    technical_coefficients: Matrix | LeontiefFactor,
    final_demand: ArrayLike,
    *,
    check_spectral: bool = True,
) -> NDArray[np.float64]:
    r"""Gross output that satisfies a final demand: the Leontief demand-driven model.

    .. math:: x = A x + f \iff x = (I - A)^{-1} f = L f

    ``I - A`` is factored once (LU; sparse input with SuperLU) and all ``S`` columns of ``f``
    are solved in one call; the inverse ``L`` is never formed. Linear, so it applies equally to
    levels and to changes (``Δx = L Δf``).

    Parameters
    ----------
    technical_coefficients : ndarray or scipy sparse, shape (n, n), or LeontiefFactor
        ``A``: inputs from industry ``i`` per unit of industry ``j``'s output.
    final_demand : array_like, shape (n,) or (n, S)
        Final demand ``f`` (or its change) by industry, one column per scenario; may be
        negative (a demand cut).
    check_spectral : bool, default True
        See :func:`factorize`.

    Returns
    -------
    ndarray, shape like ``final_demand``
        Gross output ``x`` (or its change), in the units of ``final_demand``.

    Raises
    ------
    lahar.errors.DataError
        Non-square ``A``, NaN/inf, a shape mismatch between ``A`` and ``final_demand``,
        spectral radius of ``A`` >= 1 or ``I - A`` singular.

    See Also
    --------
    factorize : factor once, reuse across calls.
    ghosh : the supply-driven counterpart.

    Notes
    -----
    Assumes fixed input proportions (constant returns, no substitution), no capacity limits and
    an unchanged price structure; effects are upper bounds where supply is constrained and ignore
    financing, inventories and dynamics (Miller & Blair 2009, §2.6).

    References
    ----------
    Leontief, W. (1936). Quantitative input and output relations in the economic system of the
    United States. *Review of Economics and Statistics* 18(3), 105–125.
    Miller & Blair (2009), §2.3 (numerical example reproduced below).

    Examples
    --------
    Miller & Blair's two-sector example: with ``A = [[.15, .25], [.20, .05]]`` a final demand of
    ``(600, 1500)`` needs gross output ``(1247.52, 1841.58)``.

    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> print(np.round(leontief(A, [600.0, 1500.0]), 2))
    [1247.52 1841.58]
    >>> leontief(A, np.array([[600.0, 350.0], [1500.0, 1700.0]])).round(2)
    array([[1247.52, 1000.  ],
           [1841.58, 2000.  ]])
    """
    lu = _factor(
        technical_coefficients, "technical_coefficients", "leontief", check_spectral=check_spectral
    )
    return lu._checked_solve(final_demand, "final_demand", "leontief")


def ghosh(
    allocation_coefficients: Matrix | LeontiefFactor,
    primary_inputs: ArrayLike,
    *,
    check_spectral: bool = True,
) -> NDArray[np.float64]:
    r"""Gross output pushed by primary inputs: the Ghosh supply-driven model.

    .. math:: x^T = x^T B + v^T \iff x = (I - B)^{-T} v

    with ``B = diag(x)^-1 Z`` the allocation coefficients (:func:`allocation_coefficients`)
    and ``v`` primary inputs (value added plus imports) by industry. ``I - B`` is factored once
    and the transposed system solved for all ``S`` columns.

    Parameters
    ----------
    allocation_coefficients : ndarray or scipy sparse, shape (n, n), or LeontiefFactor
        ``B``: share of industry ``i``'s output sold to industry ``j``.
    primary_inputs : array_like, shape (n,) or (n, S)
        Primary inputs ``v`` (or their change, e.g. a cut in power or chip supply).
    check_spectral : bool, default True
        See :func:`factorize`.

    Returns
    -------
    ndarray, shape like ``primary_inputs``

    Raises
    ------
    lahar.errors.DataError
        As for :func:`leontief`.

    Notes
    -----
    Use it for a supply shock (a chip or power shortage that limits what downstream industries
    can produce), and read the result as an accounting of where a supply cut lands, not as a
    behavioural model. The criticisms (Oosterhaven 1988, 1996; de Mesnard 2009): it assumes
    fixed *output* shares, so a buyer's output does not depend on its own inputs — a plant keeps
    producing while its supplies vanish, and outputs move with no change in demand; with the
    Leontief model it is joint-stable only in trivial cases. Dietzenbacher (1997) rescues it as
    a *price* model (cost-push of primary-input prices), which is the reading we recommend.

    References
    ----------
    Ghosh, A. (1958). Input–output approach in an allocation system. *Economica* 25(97), 58–64.
    Oosterhaven, J. (1988). On the plausibility of the supply-driven input–output model.
    *Journal of Regional Science* 28(2), 203–217.
    Dietzenbacher, E. (1997). In vindication of the Ghosh model: a reinterpretation as a price
    model. *Journal of Regional Science* 37(4), 629–651.
    de Mesnard, L. (2009). Is the Ghosh model interesting? *Journal of Regional Science* 49(2),
    361–372.
    Miller & Blair (2009), §12.1.

    Examples
    --------
    The supply-side reading of Miller & Blair's example: primary inputs ``v = x - Z^T 1 =
    (650, 1400)`` reproduce ``x = (1000, 2000)``.

    >>> B = allocation_coefficients([[150, 500], [200, 100]], [1000, 2000])
    >>> ghosh(B, [650.0, 1400.0]).round(6)
    array([1000., 2000.])
    """
    lu = _factor(
        allocation_coefficients, "allocation_coefficients", "ghosh", check_spectral=check_spectral
    )
    return lu._checked_solve(primary_inputs, "primary_inputs", "ghosh", transpose=True)


def total_requirements(
    technical_coefficients: Matrix | LeontiefFactor, *, check_spectral: bool = True
) -> NDArray[np.float64]:
    """The Leontief inverse ``L = (I - A)^{-1}`` as a dense matrix.

    Solves ``(I - A) L = I`` with one LU factorisation. Dense ``n x n`` output: fine for the
    71-industry BEA table, memory-bound (8 n^2 bytes) for large sparse systems, where
    :func:`leontief` on the final demands of interest is the better choice.

    Parameters
    ----------
    technical_coefficients : ndarray or scipy sparse, shape (n, n), or LeontiefFactor
    check_spectral : bool, default True

    Returns
    -------
    ndarray, shape (n, n)
        ``L[i, j]``: output of ``i`` needed per unit of final demand for ``j``.

    References
    ----------
    Miller & Blair (2009), eq. (2.11).

    Examples
    --------
    >>> total_requirements(np.array([[0.15, 0.25], [0.20, 0.05]])).round(6)
    array([[1.254125, 0.330033],
           [0.264026, 1.122112]])
    """
    lu = _factor(
        technical_coefficients,
        "technical_coefficients",
        "total_requirements",
        check_spectral=check_spectral,
    )
    if not lu.sparse and lu.n <= _INVERSE_MAX_N:
        return lu._explicit_inverse().copy()
    return lu.solve(np.eye(lu.n))


def _coefficient_rows(coefficients: ArrayLike | None, n: int, func: str) -> NDArray[np.float64]:
    if coefficients is None:
        return np.ones(n)
    return check_vector(coefficients, "coefficients", func, n=n, nonneg=False, batch=True)


def _ratio(total: NDArray[np.float64], direct: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.full_like(total, np.nan)
    nz = direct != 0
    out[nz] = total[nz] / direct[nz]
    return out


def type_i_multipliers(
    technical_coefficients: Matrix | LeontiefFactor,
    *,
    coefficients: ArrayLike | None = None,
    ratio: bool = False,
    check_spectral: bool = True,
) -> NDArray[np.float64]:
    r"""Type I (open-model) multipliers: total effect per unit of final demand.

    .. math:: m_j = \sum_i c_i L_{ij} = (c^T L)_j,
              \qquad \text{ratio form: } m_j / c_j

    With ``coefficients=None`` (``c = 1``) these are the simple output multipliers, the column
    sums of ``L``. With value-added, compensation or employment coefficients they are the
    corresponding simple multipliers (e.g. jobs per dollar of final demand); ``ratio=True`` gives
    the Type I ratio (total / direct) multipliers. Computed as ``L^T c`` by one transposed solve.

    Parameters
    ----------
    technical_coefficients : ndarray or scipy sparse, shape (n, n), or LeontiefFactor
    coefficients : array_like, shape (n,) or (n, K), optional
        Satellite coefficients per unit of output (one column per kind); default ones.
    ratio : bool, default False
        Divide by the direct coefficient; industries with ``c_j = 0`` get ``nan``.
    check_spectral : bool, default True

    Returns
    -------
    ndarray, shape like ``coefficients`` (``(n,)`` by default)

    References
    ----------
    Miller & Blair (2009), §6.2 (output multipliers, eq. 6.1) and §6.3 (income and employment
    multipliers, Type I).

    Examples
    --------
    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> type_i_multipliers(A).round(6)
    array([1.518152, 1.452145])
    >>> type_i_multipliers(A, coefficients=[0.3, 0.25], ratio=True).round(4)
    array([1.4741, 1.5182])
    """
    lu = _factor(
        technical_coefficients,
        "technical_coefficients",
        "type_i_multipliers",
        check_spectral=check_spectral,
    )
    c = _coefficient_rows(coefficients, lu.n, "type_i_multipliers")
    m = lu.solve(c, transpose=True)
    return _ratio(m, c) if ratio else m


def closed_model(
    technical_coefficients: Matrix,
    household_input: ArrayLike,
    household_consumption: ArrayLike,
) -> Matrix:
    r"""Close the model with respect to households: border ``A`` with a labour row and column.

    .. math:: \bar A = \begin{pmatrix} A & h_c \\ h_r^T & 0 \end{pmatrix}

    ``h_r[j]``: household income (compensation) per unit of industry ``j``'s output;
    ``h_c[i]``: household purchases from industry ``i`` per unit of household income.

    Parameters
    ----------
    technical_coefficients : ndarray or scipy sparse, shape (n, n)
    household_input : array_like, shape (n,)
        Labour-income row ``h_r`` (e.g. compensation / output), >= 0.
    household_consumption : array_like, shape (n,)
        Consumption column ``h_c`` (e.g. personal consumption by industry / household income),
        >= 0.

    Returns
    -------
    ndarray or scipy.sparse.csr_array, shape (n + 1, n + 1)
        Sparse if ``A`` is sparse.

    References
    ----------
    Miller & Blair (2009), §2.5.1, eq. (2.27).

    Examples
    --------
    >>> closed_model(np.array([[0.15, 0.25], [0.2, 0.05]]), [0.3, 0.25], [0.05, 0.4])
    array([[0.15, 0.25, 0.05],
           [0.2 , 0.05, 0.4 ],
           [0.3 , 0.25, 0.  ]])
    """
    return _closed(technical_coefficients, household_input, household_consumption, "closed_model")


def _closed(
    technical_coefficients: Matrix,
    household_input: ArrayLike,
    household_consumption: ArrayLike,
    func: str,
) -> Matrix:
    a = check_matrix(technical_coefficients, "technical_coefficients", func, nonneg=False)
    n = a.shape[0]
    hr = check_vector(household_input, "household_input", func, n=n)
    hc = check_vector(household_consumption, "household_consumption", func, n=n)
    if sp.issparse(a):
        return sp.block_array(
            [[a, sp.csr_array(hc[:, None])], [sp.csr_array(hr[None, :]), None]], format="csr"
        )
    out = np.zeros((n + 1, n + 1))
    out[:n, :n] = a
    out[:n, n] = hc
    out[n, :n] = hr
    return out


def type_ii_multipliers(
    technical_coefficients: Matrix,
    household_input: ArrayLike,
    household_consumption: ArrayLike,
    *,
    coefficients: ArrayLike | None = None,
    ratio: bool = False,
    check_spectral: bool = True,
) -> NDArray[np.float64]:
    r"""Type II multipliers: open-model effects plus induced household spending.

    .. math:: m^{II}_j = \sum_{i \le n} c_i \bar L_{ij}, \qquad
              \bar L = (I - \bar A)^{-1}

    with ``\bar A`` from :func:`closed_model` (households endogenous: their income is the
    compensation row, their spending the personal-consumption column). The household row of
    ``\bar L`` is excluded from the sum, as in Miller & Blair's Type II output multipliers.

    Parameters
    ----------
    technical_coefficients : ndarray or scipy sparse, shape (n, n)
    household_input, household_consumption : array_like, shape (n,)
        See :func:`closed_model`.
    coefficients : array_like, shape (n,) or (n, K), optional
        Satellite coefficients (default ones: output multipliers).
    ratio : bool, default False
        Type II ratio multipliers (total incl. induced / direct); ``nan`` where ``c_j = 0``.
    check_spectral : bool, default True

    Returns
    -------
    ndarray, shape like ``coefficients`` (``(n,)`` by default)

    Raises
    ------
    DataError
        The closed model is not productive (households spend more than the economy can
        return as income: spectral radius of ``\bar A`` >= 1).

    Notes
    -----
    Type II multipliers exceed Type I ones; the gap (the induced effect) depends heavily on the
    share of income households spend on domestic output, so report both. Independent check:
    the Schur complement gives ``\bar L_{11} = L + L h_c h_r^T L / (1 - h_r^T L h_c)``.

    References
    ----------
    Miller & Blair (2009), §2.5 and §6.2.2 (Type II output multipliers, eq. 6.4).

    Examples
    --------
    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> m2 = type_ii_multipliers(A, [0.3, 0.25], [0.05, 0.4])
    >>> m1 = type_i_multipliers(A)
    >>> bool((m2 > m1).all())
    True
    >>> m2.round(4)
    array([1.8698, 1.7539])
    """
    func = "type_ii_multipliers"
    abar = _closed(technical_coefficients, household_input, household_consumption, func)
    n = abar.shape[0] - 1
    lu = _factor(abar, "technical_coefficients", func, check_spectral=check_spectral)
    c = _coefficient_rows(coefficients, n, "type_ii_multipliers")
    c2, was_1d = as_batch(c)
    ext = np.vstack([c2, np.zeros((1, c2.shape[1]))])
    m = restore_shape(lu.solve(ext, transpose=True)[:n], was_1d)
    return _ratio(m, c) if ratio else m


@dataclass(frozen=True)
class IOEffects:
    """Effects of a final-demand change by industry (from :func:`io_effects`).

    All arrays have the shape of the final demand: ``(n,)`` or ``(n, S)``.

    Attributes
    ----------
    output : ndarray
        Gross output change ``Δx = L Δf`` (units of the final demand).
    value_added : ndarray or None
        ``v ∘ Δx``: value added (GDP by industry) change, same money units.
    compensation : ndarray or None
        ``w ∘ Δx``: compensation of employees change.
    employment : ndarray or None
        ``e ∘ Δx``: employment change, in the units of the employment coefficients (e.g. FTE
        jobs per unit of output).
    """

    output: NDArray[np.float64]
    value_added: NDArray[np.float64] | None
    compensation: NDArray[np.float64] | None
    employment: NDArray[np.float64] | None


def io_effects(
    technical_coefficients: Matrix | LeontiefFactor,
    final_demand: ArrayLike,
    *,
    value_added_coefficients: ArrayLike | None = None,
    compensation_coefficients: ArrayLike | None = None,
    employment_coefficients: ArrayLike | None = None,
    check_spectral: bool = True,
) -> IOEffects:
    r"""Output, value added, compensation and jobs by industry for a final-demand change.

    .. math:: Δx = L Δf, \quad ΔV = \hat v Δx, \quad ΔW = \hat w Δx, \quad ΔE = \hat e Δx

    with ``v, w, e`` value added, compensation and employment per unit of gross output
    (satellite coefficients; Miller & Blair 2009, §2.4 and §6.3).

    Parameters
    ----------
    technical_coefficients : ndarray or scipy sparse, shape (n, n), or LeontiefFactor
    final_demand : array_like, shape (n,) or (n, S)
        Final-demand change by industry.
    value_added_coefficients, compensation_coefficients, employment_coefficients : array_like, shape (n,), optional
        Satellite coefficients per unit of output; a field is None when not given.
    check_spectral : bool, default True

    Returns
    -------
    IOEffects

    References
    ----------
    Miller & Blair (2009), §2.4 and §6.3.

    Examples
    --------
    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> fx = io_effects(A, [-100.0, 0.0], value_added_coefficients=[0.65, 0.7],
    ...                 employment_coefficients=[0.01, 0.002])
    >>> fx.output.round(3), fx.value_added.round(3), fx.employment.round(4)
    (array([-125.413,  -26.403]), array([-81.518, -18.482]), array([-1.2541, -0.0528]))
    """
    func = "io_effects"
    lu = _factor(
        technical_coefficients, "technical_coefficients", func, check_spectral=check_spectral
    )
    f = check_vector(final_demand, "final_demand", func, n=lu.n, nonneg=False, batch=True)
    x = lu.solve(f)

    def sat(c: ArrayLike | None, name: str) -> NDArray[np.float64] | None:
        if c is None:
            return None
        cv = check_vector(c, name, func, n=lu.n, nonneg=False)
        return cv[:, None] * x if x.ndim == 2 else cv * x

    return IOEffects(
        output=x,
        value_added=sat(value_added_coefficients, "value_added_coefficients"),
        compensation=sat(compensation_coefficients, "compensation_coefficients"),
        employment=sat(employment_coefficients, "employment_coefficients"),
    )
