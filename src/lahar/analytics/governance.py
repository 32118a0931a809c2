r"""Conflicts of interest: paths from an official through a family firm to the money.

An official is tied (``governance`` layer) to firms: a family firm, a former firm, a firm whose
fees or stake benefit him or her. :func:`official_paths` follows those ties and then the firms'
deals in any layer, up to a number of hops, and lists every path with the dollars on each edge,
flagging the paths that end at a beneficiary of the official's policy (e.g. an importer whose
chip-export licence the official's department approves).

References
----------
.. [1] Johnson, D. B. (1975). Finding all the elementary circuits of a directed graph.
   *SIAM Journal on Computing* 4(1), 77–84. (Bounded depth-first enumeration of simple paths.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_int, check_matrix, fail

__all__ = ["Paths", "official_paths"]


@dataclass(frozen=True)
class Paths:
    """Paths official → firm → ... with their dollars.

    Attributes
    ----------
    nodes : tuple of tuple of int
        Each path as entity positions, starting at the official.
    dollars : tuple of tuple of float
        Dollars on each edge of the path (0 = tie without a sourced amount).
    to_beneficiary : tuple of bool
        Whether the path ends at a beneficiary of the official's policy.
    """

    nodes: tuple[tuple[int, ...], ...]
    dollars: tuple[tuple[float, ...], ...]
    to_beneficiary: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.nodes)


def _mask(x: ArrayLike | None, name: str, func: str, n: int) -> NDArray[np.bool_]:
    if x is None:
        return np.zeros(n, dtype=bool)
    a = np.asarray(x)
    if a.shape != (n,) or a.dtype != bool:
        raise fail(func, name, f"a boolean array of shape ({n},)", f"{a.dtype} of shape {a.shape}")
    return a


def official_paths(
    ties: sp.sparray | sp.spmatrix | ArrayLike,
    links: sp.sparray | sp.spmatrix | ArrayLike,
    officials: ArrayLike,
    *,
    beneficiaries: ArrayLike | None = None,
    max_hops: int = 2,
    exclude: ArrayLike | None = None,
) -> Paths:
    r"""Simple paths official → tied firm → (deals) → ..., with the dollars on each edge.

    The first edge is a governance tie :math:`G_{oi} > 0` or a stored tie of amount 0 (pass a
    pattern matrix); the next ``max_hops - 1`` edges follow deals in either direction, weighted
    :math:`L_{ij} + L_{ji}`. Every prefix is a path, so a tie with no further deal is listed
    on its own.

    Parameters
    ----------
    ties : sparse or array_like, shape (n, n)
        Governance ties; the stored pattern counts, values are the dollars (0 = unknown).
    links : sparse or array_like, shape (n, n)
        Deals between entities (USD; stored zeros count as ties without a figure).
    officials : array_like of int
        Positions of the officials.
    beneficiaries : array_like of bool, shape (n,), optional
        Entities that benefit from the officials' policies.
    max_hops : int, default 2
        Longest path in edges (>= 1).
    exclude : array_like of bool, shape (n,), optional
        Entities never stepped through (e.g. governments, whose every deal would connect
        everything); they can still end a first-hop tie.

    Returns
    -------
    Paths
        In depth-first order from each official, edges in position order.

    Examples
    --------
    Official 0 is tied to firm 1, which holds $600M in firm 2, which 3 pays $5:

    >>> T = sp.csr_array(([0.0], ([0], [1])), shape=(4, 4))
    >>> L = sp.csr_array(([600e6, 5.0], ([1, 3], [2, 2])), shape=(4, 4))
    >>> p = official_paths(T, L, [0], beneficiaries=[False, False, True, False], max_hops=3)
    >>> p.nodes, p.to_beneficiary
    (((0, 1), (0, 1, 2), (0, 1, 2, 3)), (False, True, False))
    >>> p.dollars[2]
    (0.0, 600000000.0, 5.0)
    """
    func = "official_paths"
    max_hops = check_int(max_hops, "max_hops", func, low=1)
    T = sp.csr_array(check_matrix(ties, "ties", func))
    n = T.shape[0]
    L = sp.csr_array(check_matrix(links, "links", func, n=n))
    ben = _mask(beneficiaries, "beneficiaries", func, n)
    skip = _mask(exclude, "exclude", func, n)
    who = np.asarray(officials).ravel()
    if who.size and (not np.issubdtype(who.dtype, np.integer) or who.min() < 0 or who.max() >= n):
        raise fail(func, "officials", f"integer positions in [0, {n})", repr(who.tolist()[:5]))
    U = sp.csr_array(L + L.T)  # undirected deal weights (pattern kept, zeros included)
    pattern = sp.csr_array((np.ones(L.nnz), L.indices, L.indptr), shape=L.shape)
    P = sp.csr_array(pattern + pattern.T)
    nodes: list[tuple[int, ...]] = []
    dollars: list[tuple[float, ...]] = []
    flags: list[bool] = []

    def extend(path: list[int], amounts: list[float]) -> None:
        nodes.append(tuple(path))
        dollars.append(tuple(amounts))
        flags.append(bool(ben[path[-1]]))
        if len(path) - 1 >= max_hops or skip[path[-1]]:
            return
        u = path[-1]
        for k in range(P.indptr[u], P.indptr[u + 1]):
            v = int(P.indices[k])
            if v in path:
                continue
            extend([*path, v], [*amounts, float(U[u, v])])

    for o in who.astype(np.int64).tolist():
        row = slice(T.indptr[o], T.indptr[o + 1])
        for v, amt in zip(T.indices[row].tolist(), T.data[row].tolist(), strict=True):
            extend([o, int(v)], [float(amt)])
    return Paths(tuple(nodes), tuple(dollars), tuple(flags))
