r"""Fire sales through overlapping portfolios: Greenwood, Landier & Thesmar (2015), batched.

Firm ``n`` holds total assets :math:`A_n` spread over K asset classes with weights
:math:`M_{nk}`. An asset-return shock :math:`F` costs it :math:`-A_n (MF)_n`; to return to its
target leverage :math:`b_n` it sells :math:`b_n` dollars of assets per dollar lost, pro rata to
its portfolio; sales move prices linearly, :math:`\Delta p_k = -\ell_k \sum_n M_{nk}\,
\text{sales}_n`, and the price moves hit every holder: the *second-round* (indirect) loss is
:math:`-A_n (M \Delta p)_n`.

.. math::

    \text{losses} = A \odot M L M^\top B A \odot (-MF), \qquad L = \operatorname{diag}(\ell),
    \; B = \operatorname{diag}(b)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lahar._validation import as_batch, check_rect_matrix, check_vector, fail
from lahar.contagion._common import row_sums

__all__ = ["FireSaleResult", "fire_sale"]

_FUNC = "fire_sale()"


@dataclass(frozen=True)
class FireSaleResult:
    r"""One round of fire sales for a batch of asset-return shocks.

    Firm arrays have shape ``(N,)`` for one shock and ``(N, S)`` for a batch, asset arrays
    ``(K,)`` or ``(K, S)``; per-scenario scalars are floats or shape ``(S,)``.

    Attributes
    ----------
    losses : ndarray
        Second-round (indirect) dollar loss of each firm caused by everyone's sales,
        :math:`-A_n (M \Delta p)_n`.
    direct_losses : ndarray
        First-round dollar loss from the shock itself, :math:`-A_n (MF)_n`.
    sales : ndarray
        Dollar sales of each firm, :math:`b_n \times` direct loss (negative = purchases).
    price_change : ndarray
        Price impact per asset class, :math:`\Delta p_k` (a return, <= 0 after a loss).
    aggregate_vulnerability : float or ndarray
        :math:`AV = \sum_n \text{losses}_n / \sum_n E_n`: the share of the system's
        equity wiped out by fire sales.
    systemicness : ndarray
        :math:`S_n`: the part of ``AV`` caused by firm ``n``'s sales (``sum(S_n) == AV``).
    indirect_vulnerability : ndarray
        :math:`IV_n = \text{losses}_n / E_n`: the share of firm ``n``'s equity lost to
        everyone's fire sales.
    """

    losses: NDArray[np.float64]
    direct_losses: NDArray[np.float64]
    sales: NDArray[np.float64]
    price_change: NDArray[np.float64]
    aggregate_vulnerability: float | NDArray[np.float64]
    systemicness: NDArray[np.float64]
    indirect_vulnerability: NDArray[np.float64]


def fire_sale(
    assets: ArrayLike,
    weights: ArrayLike | sp.sparray | sp.spmatrix,
    leverage: ArrayLike,
    price_impact: ArrayLike,
    shock: ArrayLike,
    *,
    equity: ArrayLike | None = None,
) -> FireSaleResult:
    r"""Second-round fire-sale losses of Greenwood, Landier & Thesmar (2015), batched.

    .. math::

        \text{direct} = -A \odot (MF), \quad \text{sales} = b \odot \text{direct},\quad
        \Delta p = -\ell \odot (M^\top \text{sales}),\quad
        \text{losses} = -A \odot (M \Delta p)

    .. math::

        AV = \frac{\mathbf 1^\top \text{losses}}{\mathbf 1^\top E},\qquad
        S_n = \frac{\text{sales}_n\, \big(M (\ell \odot M^\top A)\big)_n}{\mathbf 1^\top E},
        \qquad IV_n = \frac{\text{losses}_n}{E_n}

    Parameters
    ----------
    assets : array_like, shape (N,)
        Total assets :math:`A_n` of each firm, USD, >= 0.
    weights : array_like or scipy.sparse array, shape (N, K)
        Portfolio weights :math:`M_{nk}` (share of firm ``n``'s assets in asset class ``k``),
        >= 0, rows summing to at most 1 (the rest is held in assets that are never sold at a
        discount, e.g. cash).
    leverage : array_like, shape (N,)
        Target leverage :math:`b_n` >= 0: dollars of assets sold per dollar of equity lost.
        GLT define :math:`b_n = D_n / E_n` (debt over equity): selling :math:`b_n` times the
        loss and repaying debt restores the initial ratio.
    price_impact : array_like, shape (K,)
        Price impact :math:`\ell_k` >= 0: return per dollar of net sales of asset ``k``
        (for scale: :math:`10^{-13}` per dollar moves the price by 10 basis points per
        $10 billion sold).
    shock : array_like, shape (K,) or (K, S)
        Asset returns :math:`F` (e.g. ``-0.02`` = a 2 % fall), >= -1; one column per
        scenario.
    equity : array_like, shape (N,), optional
        Equity :math:`E_n` > 0 for ``AV`` and ``IV``; default ``assets / leverage`` (leverage
        read as assets over equity, as in test vector TV-10 of ``docs/contagion.md``).

    Returns
    -------
    FireSaleResult

    Raises
    ------
    lahar.errors.DataError
        Shapes that do not match, NaN, negative entries, rows of ``weights`` summing to more
        than 1, returns below -1, or no way to get a positive equity.

    Notes
    -----
    The model is linear, as in GLT: a positive return makes firms *buy* (negative sales)
    and pushes prices up. It is one round of sales; :func:`lahar.contagion.cascade` iterates
    sales to a fixed point with caps. Price impacts are not capped here (a price can fall by
    more than 100 % if ``price_impact`` is unrealistically large).

    References
    ----------
    .. [1] Greenwood, R., Landier, A. and Thesmar, D. (2015). Vulnerable banks. *Journal of
       Financial Economics* 115(3), 471–485.

    Examples
    --------
    Two banks, two assets (TV-10 of ``docs/contagion.md``): asset 0 falls by 2 %.

    >>> import numpy as np
    >>> from lahar.contagion import fire_sale
    >>> res = fire_sale(
    ...     assets=[100.0, 50.0],
    ...     weights=[[0.5, 0.5], [0.2, 0.8]],
    ...     leverage=[10.0, 10.0],
    ...     price_impact=[1e-3, 2e-3],
    ...     shock=[-0.02, 0.0],
    ... )
    >>> print(np.round(res.losses, 4), round(res.aggregate_vulnerability, 4))
    [0.93  0.582] 0.1008
    >>> print(np.round(res.systemicness, 4), np.round(res.indirect_vulnerability, 4))
    [0.08   0.0208] [0.093  0.1164]
    """
    shape = np.shape(assets)
    if len(shape) != 1:
        raise fail(_FUNC, "assets", "a 1-D array of shape (N,)", f"shape {shape}")
    n = shape[0]
    a = check_vector(assets, "assets", _FUNC, n=n)
    m = check_rect_matrix(weights, "weights", _FUNC, shape=(n, None))
    k = m.shape[1]
    sums = row_sums(m) if sp.issparse(m) else m.sum(axis=1)
    over = np.flatnonzero(sums > 1.0 + 1e-9)
    if over.size:
        i = int(over[0])
        raise fail(
            _FUNC, "weights", "a matrix whose rows sum to at most 1", f"row {i} sums to {sums[i]:g}"
        )
    b = check_vector(leverage, "leverage", _FUNC, n=n)
    ell = check_vector(price_impact, "price_impact", _FUNC, n=k)
    f_in = check_vector(shock, "shock", _FUNC, n=k, batch=True, nonneg=False)
    low = f_in < -1.0
    if low.any():
        pos = [int(x) for x in np.unravel_index(int(np.flatnonzero(low.ravel())[0]), f_in.shape)]
        raise fail(_FUNC, "shock", "asset returns >= -1", f"{f_in[tuple(pos)]:g} at {pos}")
    if equity is None:
        bad = np.flatnonzero(b <= 0)
        if bad.size:
            i = int(bad[0])
            raise fail(
                _FUNC,
                "leverage",
                "> 0 when 'equity' is not given (equity = assets / leverage)",
                f"{b[i]:g} at [{i}]",
            )
        eq = a / b
    else:
        eq = check_vector(equity, "equity", _FUNC, n=n, positive=True)
    if (eq <= 0).any():
        i = int(np.flatnonzero(eq <= 0)[0])
        raise fail(
            _FUNC, "assets", "> 0 when equity is derived as assets / leverage", f"{a[i]:g} at [{i}]"
        )

    f, was_1d = as_batch(f_in, contiguous=True)
    mt = m.T
    direct = -a[:, None] * np.asarray(m @ f)
    sales = b[:, None] * direct
    dp = -ell[:, None] * np.asarray(mt @ sales)
    losses = -a[:, None] * np.asarray(m @ dp)
    total_equity = eq.sum()
    av = losses.sum(axis=0) / total_equity
    holdings = np.asarray(mt @ a).reshape(-1)  # dollar holdings of each asset class
    reach = np.asarray(m @ (ell * holdings)).reshape(-1)
    syst = sales * (reach / total_equity)[:, None]
    iv = losses / eq[:, None]
    if was_1d:
        return FireSaleResult(
            losses=losses[:, 0],
            direct_losses=direct[:, 0],
            sales=sales[:, 0],
            price_change=dp[:, 0],
            aggregate_vulnerability=float(av[0]),
            systemicness=syst[:, 0],
            indirect_vulnerability=iv[:, 0],
        )
    return FireSaleResult(
        losses=losses,
        direct_losses=direct,
        sales=sales,
        price_change=dp,
        aggregate_vulnerability=av,
        systemicness=syst,
        indirect_vulnerability=iv,
    )
