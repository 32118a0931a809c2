r"""The purchase-commitment channel: suppliers lose the margin on commitments a buyer walks away from.

The AI build-out runs on multi-year purchase commitments: labs and neoclouds commit to buy
cloud capacity, chips and data-centre leases for years ahead, and suppliers (hyperscalers,
chipmakers, neoclouds, builders) book them as backlog and borrow against them. When a buyer
cannot pay, the supplier does not lose the face value of the contract (it keeps the capacity or
chips it would have delivered) but the *margin* it expected to earn on it, discounted to today.

For buyer ``i``, supplier ``j`` and each status ``s`` of the commitment,

.. math::

    \text{loss}_j = m_j \sum_i d_i \sum_s w_s\, c^{(s)}_{ij}\; a(T^{(s)}_{ij}, r),
    \qquad a(T, r) = \frac{1 - (1 + r)^{-T}}{r} \quad (a(T, 0) = T),

with :math:`c_{ij}` the *annual* amount committed, :math:`T` the remaining term in years,
:math:`r` the discount rate, :math:`m_j` the supplier's gross margin, :math:`w_s` the weight of
the commitment's status (announced < committed < drawn) and :math:`d_i` the fraction of buyer
``i``'s commitments that will not be honoured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lahar._validation import as_batch, check_array, check_scalar, check_vector, fail
from lahar.contagion._common import check_square, row_sums

__all__ = [
    "CommitmentResult",
    "annuity_factor",
    "commitment_losses",
]

_FUNC = "commitment_losses()"


@dataclass(frozen=True)
class CommitmentResult:
    """Losses of suppliers from commitments that buyers do not honour.

    Per-entity arrays have shape ``(n,)`` for one scenario and ``(n, S)`` for a batch.

    Attributes
    ----------
    losses : ndarray
        Present value of the gross margin each *supplier* loses, USD (hits its equity).
    lost_revenue : ndarray
        Present value of the revenue each supplier loses (``losses`` before the margin), USD.
    unpaid : ndarray
        Present value of the (status-weighted) commitments each *buyer* does not honour, USD.
    exposure : scipy.sparse.csr_array, shape (n, n)
        ``exposure[i, j]`` = margin supplier ``j`` would lose if buyer ``i`` walked away from
        everything (``default_fraction = 1``), USD: the channel's exposure matrix.
    """

    losses: NDArray[np.float64]
    lost_revenue: NDArray[np.float64]
    unpaid: NDArray[np.float64]
    exposure: sp.csr_array


def annuity_factor(term_years: ArrayLike, discount_rate: float) -> NDArray[np.float64]:
    r"""Present value of 1 USD a year for ``term_years`` years, paid at year ends.

    .. math:: a(T, r) = \frac{1 - (1 + r)^{-T}}{r}, \qquad a(T, 0) = T

    Parameters
    ----------
    term_years : array_like
        Remaining terms in years (> 0; fractional terms use the same formula).
    discount_rate : float
        Annual discount rate ``r`` >= 0.

    Returns
    -------
    ndarray
        Same shape as ``term_years``.

    Raises
    ------
    lahar.errors.DataError
        A negative, NaN or infinite term or rate.

    Examples
    --------
    >>> from lahar.contagion import annuity_factor
    >>> print(annuity_factor([1.0, 5.0], 0.08).round(4), annuity_factor(5.0, 0.0))
    [0.9259 3.9927] 5.0
    """
    t = check_array(term_years, "term_years", "annuity_factor", low=0.0)
    discount_rate = check_scalar(discount_rate, "discount_rate", "annuity_factor", low=0.0)
    if discount_rate == 0.0:
        return t.copy()
    return -np.expm1(-t * np.log1p(discount_rate)) / discount_rate


def _present_value(mat: sp.csr_array, term: Any, status: str, rate: float, n: int) -> sp.csr_array:
    """``mat`` (annual amounts) times the annuity factor of each entry's remaining term."""
    label = "term_years" if status == "" else f"term_years['{status}']"
    if np.ndim(term) == 0 and not sp.issparse(term):
        t = check_scalar(term, label, _FUNC, low=0.0, low_open=True)
        out = mat.copy()
        out.data = out.data * annuity_factor(t, rate)
        return out
    tmat = check_square(term, label, _FUNC, n=n, zero_diagonal=False)
    if mat.nnz == 0:
        return mat.copy()
    rows = np.repeat(np.arange(n), np.diff(mat.indptr))
    terms = np.asarray(tmat[rows, mat.indices]).reshape(-1)
    missing = np.flatnonzero(terms <= 0)
    if missing.size:
        k = int(missing[0])
        raise fail(
            _FUNC,
            label,
            "> 0 wherever a commitment is non-zero",
            f"{terms[k]:g} at [{int(rows[k])}, {int(mat.indices[k])}]",
        )
    out = mat.copy()
    out.data = out.data * annuity_factor(terms, rate)
    return out


def commitment_losses(
    commitments: ArrayLike | sp.sparray | sp.spmatrix | Mapping[str, Any],
    default_fraction: ArrayLike,
    *,
    margin: float | ArrayLike,
    term_years: float | ArrayLike | sp.sparray | Mapping[str, Any],
    discount_rate: float,
    status_weight: float | Mapping[str, float] | None = None,
) -> CommitmentResult:
    r"""Suppliers' loss of margin when buyers default on multi-year purchase commitments.

    .. math::

        \text{losses}_j = m_j \sum_i d_i\, V_{ij}, \qquad
        V_{ij} = \sum_s w_s\, c^{(s)}_{ij}\, \frac{1 - (1 + r)^{-T^{(s)}_{ij}}}{r}

    Parameters
    ----------
    commitments : array_like, scipy.sparse array, or mapping of str to those, shape (n, n)
        ``commitments[i, j]`` = *annual* amount buyer ``i`` committed to buy from supplier
        ``j`` (cloud capacity, chips, leases), USD per year, >= 0, zero diagonal. A mapping
        from status (``"announced"``, ``"committed"``, ``"drawn"``, ...) to such matrices
        weighs each status by ``status_weight``; ``lahar.network.Network.layer(...,
        status=s, annualize=True)`` gives one matrix per status.
    default_fraction : array_like, shape (n,) or (n, S)
        Fraction :math:`d_i \in [0, 1]` of buyer ``i``'s remaining commitments that will not
        be honoured (1 = the buyer defaults and walks away from everything), one column per
        scenario.
    margin : float or array_like, shape (n,)
        Gross margin :math:`m_j \in [0, 1]` of each supplier (for example Nvidia's GAAP gross
        margin was 73.4 % in Q3 FY2026: NVIDIA's results press release of 19 Nov 2025). No
        default: margins differ by an order of magnitude between chip designers and GPU
        renters.
    term_years : float, array_like / sparse (n, n), or mapping of str to those
        Remaining term :math:`T` of each commitment in years (> 0 wherever a commitment is
        non-zero); a mapping gives one per status.
    discount_rate : float
        Annual discount rate :math:`r` >= 0 (the dataset's ``commitment_discount_rate`` in
        ``parameters.csv``, with its reasoning and range).
    status_weight : float or mapping of str to float, optional
        Weight :math:`w_s` >= 0 per status, required when ``commitments`` is a mapping by
        status (the dataset's table: :func:`lahar.data.status_weights`). For a single matrix a
        float multiplier (default 1.0).

    Returns
    -------
    CommitmentResult
        Supplier losses (``losses``), lost revenue, buyers' unpaid commitments and the
        exposure matrix, all in present-value USD.

    Raises
    ------
    lahar.errors.DataError
        Bad shapes, NaN, negative amounts, a default fraction or margin outside [0, 1], a
        non-positive term where a commitment is non-zero, or a status without a weight.

    See Also
    --------
    lahar.contagion.cascade : feeds these losses into equity, debt clearing and fire sales.

    Notes
    -----
    Assumptions, all of which a scenario can vary:

    * the supplier loses only its gross margin: it keeps (and can redeploy or sell) the
      capacity, chips or buildings it would have delivered; a supplier that built capacity
      specifically for the buyer and cannot redeploy it loses more (set ``margin`` closer
      to 1);
    * payments are level over the remaining term and paid at year ends;
    * the status weights stand in for the probability that an announced or signed deal
      would actually have been executed;
    * the loss is booked at once, as a fall in the supplier's equity (a write-down of
      backlog / remaining performance obligations), which is how :func:`cascade` uses it.

    References
    ----------
    .. [1] lahar ``docs/contagion.md``, section "Purchase-commitment channel" (derivation and
       parameter sources).

    Examples
    --------
    A lab (0) committed 10 a year for 5 years to a cloud (1), and 4 a year for 2 years to a
    chipmaker (2). The lab defaults; the cloud has a 30 % margin, the chipmaker 70 %.

    >>> import numpy as np
    >>> from lahar.contagion import commitment_losses
    >>> C = np.array([[0, 10.0, 4.0], [0, 0, 0], [0, 0, 0]])
    >>> T = np.array([[0, 5.0, 2.0], [0, 0, 0], [0, 0, 0]])
    >>> res = commitment_losses(C, [1.0, 0.0, 0.0], margin=[0.0, 0.3, 0.7], term_years=T,
    ...                         discount_rate=0.08)
    >>> print(np.round(res.losses, 3))
    [ 0.    11.978  4.993]
    """
    n_guess = _size_of(commitments)
    rate = check_scalar(discount_rate, "discount_rate", _FUNC, low=0.0)
    layers = _layers(commitments, term_years, status_weight, n_guess)
    n = n_guess
    value = sp.csr_array((n, n))
    for status, mat, weight, term in layers:
        value = value + weight * _present_value(mat, term, status, rate, n)
    value = sp.csr_array(value)
    value.sum_duplicates()
    d_in = check_vector(default_fraction, "default_fraction", _FUNC, n=n, batch=True)
    _check_at_most_one(d_in, "default_fraction")
    m_arr = _margin(margin, n)
    d, was_1d = as_batch(d_in, contiguous=True)
    lost_revenue = np.asarray(value.T @ d)
    losses = lost_revenue * m_arr[:, None]
    unpaid = d * row_sums(value)[:, None]
    exposure = sp.csr_array(value * m_arr[None, :])
    if was_1d:
        return CommitmentResult(
            losses=losses[:, 0],
            lost_revenue=lost_revenue[:, 0],
            unpaid=unpaid[:, 0],
            exposure=exposure,
        )
    return CommitmentResult(
        losses=losses, lost_revenue=lost_revenue, unpaid=unpaid, exposure=exposure
    )


def _size_of(commitments: Any) -> int:
    first = next(iter(commitments.values())) if isinstance(commitments, Mapping) else commitments
    if isinstance(commitments, Mapping) and not commitments:
        raise fail(_FUNC, "commitments", "a matrix or a non-empty mapping of matrices", "{}")
    shape = first.shape if sp.issparse(first) else np.shape(first)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise fail(_FUNC, "commitments", "a square 2-D matrix", f"shape {tuple(shape)}")
    return int(shape[0])


def _layers(
    commitments: Any, term_years: Any, status_weight: Any, n: int
) -> list[tuple[str, sp.csr_array, float, Any]]:
    if not isinstance(commitments, Mapping):
        w = 1.0 if status_weight is None else status_weight
        if isinstance(w, Mapping):
            raise fail(
                _FUNC,
                "status_weight",
                "a float when 'commitments' is a single matrix",
                "a mapping",
            )
        w = check_scalar(w, "status_weight", _FUNC, low=0.0)
        if isinstance(term_years, Mapping):
            raise fail(
                _FUNC,
                "term_years",
                "a float or a matrix when 'commitments' is a single matrix",
                "a mapping",
            )
        mat = check_square(commitments, "commitments", _FUNC, n=n)
        return [("", mat, w, term_years)]
    weights = status_weight
    if not isinstance(weights, Mapping):
        raise fail(
            _FUNC,
            "status_weight",
            "a mapping of status to weight when 'commitments' is a mapping",
            repr(weights),
        )
    out = []
    for status, raw in commitments.items():
        if status not in weights:
            raise fail(
                _FUNC,
                "status_weight",
                f"a mapping with a weight for every status in 'commitments' (add '{status}')",
                f"keys {sorted(weights)}",
            )
        w = check_scalar(weights[status], f"status_weight['{status}']", _FUNC, low=0.0)
        mat = check_square(raw, f"commitments['{status}']", _FUNC, n=n)
        if isinstance(term_years, Mapping):
            if status not in term_years:
                raise fail(
                    _FUNC,
                    "term_years",
                    f"a mapping with an entry for '{status}'",
                    f"keys {sorted(term_years)}",
                )
            term = term_years[status]
        else:
            term = term_years
        out.append((str(status), mat, w, term))
    return out


def _check_at_most_one(v: NDArray[np.float64], name: str) -> None:
    over = v > 1.0
    if over.any():
        pos = [int(x) for x in np.unravel_index(int(np.flatnonzero(over.ravel())[0]), v.shape)]
        raise fail(_FUNC, name, "in [0, 1]", f"{v[tuple(pos)]:g} at {pos}")


def _margin(margin: Any, n: int) -> NDArray[np.float64]:
    if np.ndim(margin) == 0:
        m = check_scalar(margin, "margin", _FUNC, low=0.0, high=1.0)
        return np.full(n, m)
    arr = np.array(check_vector(margin, "margin", _FUNC, n=n))
    _check_at_most_one(arr, "margin")
    return arr
