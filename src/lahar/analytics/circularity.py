r"""Circular money: the largest circulation, round-trip shares and the largest cycles.

A *money-flow matrix* ``F`` (``F[i, j]`` = dollars per period paid or invested by ``i`` into
``j``) carries circular money when some of what ``i`` pays out comes back to ``i``. Three
measures, from the whole graph down to single firms:

* :func:`max_circulation` — the largest circulation ``C`` inside ``F``: ``0 <= C <= F`` and
  inflow = outflow at every node, maximising :math:`\sum_e C_e`. Whatever ``C`` carries is money
  that can be traced going round; ``F - C`` is the acyclic rest (money that enters and leaves
  the network). Exact, by a min-cost-flow reduction (see the function).
* :func:`round_trip` — per firm, the probability that a dollar it pays into the network comes
  back to it, when every firm re-spends money in proportion to its outgoing flows and keeps the
  rest outside the network (an absorbing Markov chain), and the dollars that this brings back.
* :func:`top_cycles` — the largest simple cycles (A → B → A, A → B → C → A, ...) by the value
  that can go round them (the smallest flow on the cycle).

:func:`money_flows` builds ``F`` from a :class:`~lahar.network.Network` with explicit
assumptions: which layers move money and in which direction, annualisation of multi-year
contracts, and a weight per deal status.

References
----------
.. [1] Ahuja, R. K., Magnanti, T. L. & Orlin, J. B. (1993). *Network Flows: Theory,
   Algorithms, and Applications*. Prentice Hall. (Circulations, ch. 1; Dinic's layered-network
   algorithm, ch. 7; successive shortest paths and the primal-dual method, ch. 9.)
.. [2] Fleischman, T., Dini, P. & Littera, G. (2020). Liquidity-saving through
   obligation-clearing and mutual credit: an effective monetary innovation for SMEs in times of
   crisis. *Journal of Risk and Financial Management* 13(12), 295. (Maximum circulation of a
   payment network as the part that can be netted.)
.. [3] Kemeny, J. G. & Snell, J. L. (1960). *Finite Markov Chains*. Van Nostrand. (Absorbing
   chains, the fundamental matrix :math:`N = (I - Q)^{-1}` and return probabilities.)
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import connected_components

from lahar import _numba
from lahar._validation import (
    check_choice,
    check_int,
    check_matrix,
    check_scalar,
    check_vector,
    fail,
)
from lahar.errors import ConvergenceError

if TYPE_CHECKING:
    from lahar.network import Network

__all__ = [
    "FORWARD_LAYERS",
    "REVERSED_LAYERS",
    "Circulation",
    "Cycles",
    "RoundTrip",
    "max_circulation",
    "money_flow_table",
    "money_flows",
    "round_trip",
    "top_cycles",
]

FORWARD_LAYERS: tuple[str, ...] = (
    "equity",
    "debt",
    "investment_pledge",
    "purchase_commitment",
    "cloud_contract",
    "chip_purchase",
    "lease",
    "power_purchase",
)
"""Layers whose money goes source → target (investor → investee, lender → borrower, buyer →
seller)."""

REVERSED_LAYERS: tuple[str, ...] = ("chip_export",)
"""Layers whose money goes target → source (chips go exporter → importer, money comes back)."""

_AUTO_LP_MAX_EDGES = 5_000
_HAVE_NUMBA = _numba.enabled()  # numba is imported only when the kernel is first needed
_TOL = 1e-13  # residual capacities (relative to the largest flow) at or below this are zero


def money_flow_table(
    net: Network,
    *,
    status_weights: Mapping[str, float] | None,
    annualize: bool = True,
    termless_years: float | None = None,
    holdings: bool = False,
    exclude: Sequence[str] | None = None,
    reverse: Sequence[str] | None = None,
    layers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per-exposure money flows: who pays whom how much per period, and why.

    Each kept exposure becomes one row with its payer, payee and flow (USD per period)
    ``amount_usd × weight[status] / years``, where ``years`` is the network's convention
    :attr:`~lahar.network.Network.years` (``term_years`` for multi-year contracts, the
    dataset's ``termless_years`` for one-off amounts) when ``annualize``. Rules, in order:

    * Equity, debt, investment pledges and the purchase layers (purchase commitments, cloud
      contracts, chip purchases, leases, power purchases) pay source → target; chip exports pay
      target → source (the chips go the other way); governance and guarantees (contingent)
      move no money.
    * A row superseded (``supersedes`` column) by another kept row is dropped (a row
      replaced by one that moves no money, such as a stake value, keeps counting).
    * Rows whose ``money_flow`` column says ``exclude`` are dropped (stake values, stakes
      received for nothing); the column gives the reason in the row's note.
    * Rows whose ``money_flow`` says ``reverse`` pay target → source instead (a warrant
      granted by the issuer); they are exempt from the holdings rule below.
    * Unless ``holdings``, equity rows with status ``reported`` or ``estimate`` in an entity
      with a ticker are left out: they value shares bought on the market (13F holdings, index
      funds), money paid to other shareholders, not to the company.

    Parameters
    ----------
    net : Network
        The network.
    status_weights : mapping of str to float or None
        Weight per status: the share of a headline amount counted as flowing (the dataset's
        table is :func:`lahar.data.status_weights`); ``None`` = 1 for all (headline amounts).
    annualize : bool, default True
        Express flows per year (see above); ``False`` keeps whole amounts.
    termless_years : float, optional
        Years over which one-off amounts are spread when ``annualize``, instead of the
        network's convention (:attr:`~lahar.network.Network.termless_years`); 1 counts them
        whole in the year.
    holdings : bool, default False
        Count market holdings of listed shares as money paid to the company.
    exclude : sequence of str, optional
        Exposure ids to leave out, instead of the rows whose ``money_flow`` is ``exclude``.
    reverse : sequence of str, optional
        Exposure ids whose money goes against their layer's direction, instead of the rows
        whose ``money_flow`` is ``reverse``.
    layers : sequence of str, optional
        Restrict to these money layers (default: all of :data:`FORWARD_LAYERS` and
        :data:`REVERSED_LAYERS`).

    Returns
    -------
    pandas.DataFrame
        Columns ``id, payer, payee, layer, status, amount_usd, years, weight, flow_usd`` and
        integer positions ``i, j`` (payer, payee) in ``net.ids``; rows in exposure order.

    Raises
    ------
    lahar.errors.DataError
        An unknown or non-money layer, a status without a weight, ``termless_years`` <= 0.

    See Also
    --------
    money_flows : the same as a sparse matrix.
    """
    return _flow_table(
        net,
        annualize=annualize,
        status_weights=status_weights,
        termless_years=termless_years,
        holdings=holdings,
        exclude=exclude,
        reverse=reverse,
        layers=layers,
        func="money_flow_table",
    )


def _flow_table(
    net: Network,
    *,
    annualize: bool,
    status_weights: Mapping[str, float] | None,
    termless_years: float | None,
    holdings: bool,
    exclude: Sequence[str] | Mapping[str, str] | None,
    reverse: Sequence[str] | Mapping[str, str] | None,
    layers: Sequence[str] | None,
    func: str,
) -> pd.DataFrame:
    chosen = tuple(layers) if layers is not None else FORWARD_LAYERS + REVERSED_LAYERS
    known = set(FORWARD_LAYERS) | set(REVERSED_LAYERS)
    bad = [x for x in chosen if x not in known]
    if bad:
        raise fail(
            func,
            "layers",
            f"money layers ({', '.join(FORWARD_LAYERS + REVERSED_LAYERS)})",
            repr(bad),
        )
    if termless_years is not None:
        termless_years = check_scalar(
            termless_years, "termless_years", func, low=0.0, low_open=True
        )
    ex = net.exposures
    src = np.asarray(net.source, dtype=np.int64)
    dst = np.asarray(net.target, dtype=np.int64)
    layer = ex["layer"].to_numpy(dtype=object)
    status = ex["status"].to_numpy(dtype=object)
    ids = ex["id"].to_numpy(dtype=object)
    curated = net.exposure_column("money_flow")
    keep = np.isin(layer, np.asarray(chosen, dtype=object))
    if exclude is None:
        keep &= curated != "exclude"
    else:
        keep &= ~np.isin(ids, np.asarray(list(exclude), dtype=object))
    by = np.asarray(net.superseded_by)
    replaced = by >= 0
    replaced[replaced] = keep[by[replaced]]
    keep &= ~replaced
    if reverse is None:
        flip = curated == "reverse"
    else:
        flip = np.isin(ids, np.asarray(list(reverse), dtype=object))
    if not holdings and "ticker" in net.entities.columns:
        listed = net.entities["ticker"].notna().to_numpy()
        holding = (layer == "equity") & np.isin(status, ["reported", "estimate"]) & listed[dst]
        keep &= ~(holding & ~flip)
    amount = np.asarray(net.amount, dtype=np.float64)
    if status_weights is None:
        weight = np.ones(len(ex))
    else:
        present = sorted(set(status[keep]))
        missing = [x for x in present if x not in status_weights]
        if missing:
            raise fail(
                func,
                "status_weights",
                "a weight for every status present",
                f"no weight for {missing}",
            )
        checked = {
            k: check_scalar(v, f"status_weights[{k!r}]", func, low=0.0)
            for k, v in status_weights.items()
        }
        weight = np.array([checked.get(x, 0.0) for x in status])
    years = np.ones(len(ex))
    if annualize:
        years = np.asarray(net.years, dtype=np.float64)
        if termless_years is not None:
            years = np.where(np.isnan(net.term), termless_years, years)
    backward = np.isin(layer, np.asarray(REVERSED_LAYERS, dtype=object)) ^ flip
    i = np.where(backward, dst, src)
    j = np.where(backward, src, dst)
    names = np.asarray(net.ids, dtype=object)
    sel = np.flatnonzero(keep)
    return pd.DataFrame(
        {
            "id": ids[sel],
            "payer": names[i[sel]],
            "payee": names[j[sel]],
            "layer": layer[sel],
            "status": status[sel],
            "amount_usd": amount[sel],
            "years": years[sel],
            "weight": weight[sel],
            "flow_usd": amount[sel] * weight[sel] / years[sel],
            "i": i[sel],
            "j": j[sel],
        }
    )


def money_flows(
    net: Network,
    *,
    status_weights: Mapping[str, float] | None,
    annualize: bool = True,
    termless_years: float | None = None,
    holdings: bool = False,
    exclude: Sequence[str] | None = None,
    reverse: Sequence[str] | None = None,
    layers: Sequence[str] | None = None,
) -> sp.csr_array:
    r"""Money-flow matrix of a network: ``F[i, j]`` = USD per year paid by ``i`` to ``j``.

    .. math:: F_{ij} = \sum_{e:\, i \to j} \frac{a_e\, w_{s(e)}}{y_e}

    over the kept exposures ``e`` that move money from ``i`` to ``j`` (amount :math:`a_e`,
    status weight :math:`w_{s(e)}`, years :math:`y_e`); the rules are those of
    :func:`money_flow_table`, which lists every term of the sum.

    Parameters
    ----------
    net : Network
        The network.
    status_weights, annualize, termless_years, holdings, exclude, reverse, layers
        As for :func:`money_flow_table`.

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(n, n)``, USD per year (whole USD if not ``annualize``), in the order of
        ``net.ids``.

    Raises
    ------
    lahar.errors.DataError
        As for :func:`money_flow_table`.

    Examples
    --------
    >>> import pandas as pd
    >>> from lahar.network import Network
    >>> ents = pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"], "kind": ["other"] * 2})
    >>> exps = pd.DataFrame({"id": ["x1", "x2"], "source": ["a", "b"], "target": ["b", "a"],
    ...                      "layer": ["equity", "cloud_contract"], "amount_usd": [100.0, 300.0],
    ...                      "status": ["drawn", "committed"], "term_years": [None, 5.0]})
    >>> net = Network.from_frames(ents, exps, termless_years=5.0)
    >>> w = {"drawn": 1.0, "committed": 0.5}
    >>> money_flows(net, status_weights=w).toarray()  # 100 / 5 years; 300 over 5 years at 0.5
    array([[ 0., 20.],
           [30.,  0.]])
    >>> money_flows(net, status_weights=w, termless_years=1.0).toarray()
    array([[  0., 100.],
           [ 30.,   0.]])
    """
    t = _flow_table(
        net,
        func="money_flows",
        annualize=annualize,
        status_weights=status_weights,
        termless_years=termless_years,
        holdings=holdings,
        exclude=exclude,
        reverse=reverse,
        layers=layers,
    )
    out = sp.csr_array(
        (t["flow_usd"].to_numpy(), (t["i"].to_numpy(), t["j"].to_numpy())),
        shape=(net.n, net.n),
    )
    out.sum_duplicates()
    out.eliminate_zeros()
    return out


# --------------------------------------------------------------------------- circulation
@dataclass(frozen=True)
class Circulation:
    r"""The largest circulation inside a flow matrix.

    Attributes
    ----------
    total : float
        :math:`\sum_e C_e`, the sum over edges of the circulating flow (USD per period). A
        dollar going round a cycle of length k counts k times, once per edge, as it does in
        the reported revenue of the k firms it passes through.
    flows : scipy.sparse.csr_array, shape (n, n)
        ``C``: circulating flow on each edge, ``0 <= C <= F``.
    through : ndarray, shape (n,)
        Circulating inflow (= outflow) of each node, ``C.sum(axis=0)``.
    share : float
        ``total / F.sum()``: the share of all flow that is circular (0 when ``F`` is empty).
    residual : float
        Largest imbalance ``|inflow - outflow|`` of ``C`` at any node (USD; round-off only).
    method : str
        ``"flow"`` (primal-dual min-cost flow) or ``"highs"`` (linear programme).
    """

    total: float
    flows: sp.csr_array
    through: NDArray[np.float64]
    share: float
    residual: float
    method: str


def max_circulation(
    flows: ArrayLike | sp.sparray | sp.spmatrix,
    *,
    method: Literal["auto", "flow", "highs"] = "auto",
) -> Circulation:
    r"""Largest circulation inside a flow matrix (exact).

    .. math:: \max_C \sum_{(i,j)} C_{ij} \quad \text{s.t.} \quad 0 \le C \le F,\quad
              \sum_j C_{ij} = \sum_j C_{ji} \;\; \forall i

    Only edges inside a strongly connected component can carry circulation, so the others are
    dropped first. Writing :math:`C = F - R`, the problem is the cheapest flow :math:`R`, at cost
    1 per dollar per edge, that carries each node's net imbalance
    :math:`b_i = \sum_j F_{ij} - \sum_j F_{ji}` within capacities :math:`F` — a min-cost flow
    with unit costs, solved exactly by the primal-dual method (Dijkstra on reduced costs, then a
    Dinic max-flow on the zero-reduced-cost arcs, repeated; Ahuja, Magnanti & Orlin 1993
    [1]_). ``method="highs"`` solves the same linear programme with HiGHS instead.

    Parameters
    ----------
    flows : array_like or scipy.sparse array, shape (n, n)
        ``F[i, j]`` >= 0: money paid by ``i`` to ``j`` per period (USD).
    method : {"auto", "flow", "highs"}, default "auto"
        ``"flow"``: the min-cost-flow kernel (compiled with numba, a core dependency; pure
        Python, slow, on a platform without it). ``"highs"``: ``scipy.optimize.linprog`` with
        HiGHS on the sparse incidence matrix. ``"auto"``: HiGHS for small problems (up to 5,000
        edges inside strongly connected components, where it takes milliseconds and needs no
        compilation), the kernel above that when numba is available.

    Returns
    -------
    Circulation
        Total, the circulation matrix, per-node throughput and the circular share.

    Raises
    ------
    lahar.errors.DataError
        ``flows`` not square, negative, NaN or infinite; unknown ``method``.
    ConvergenceError
        HiGHS reports a failure (never expected: the problem is feasible and bounded).

    See Also
    --------
    round_trip : per-firm probability that money comes back.
    top_cycles : the largest single cycles.

    Notes
    -----
    Exact up to float round-off: the kernel treats residual capacities below
    :math:`10^{-13} \max F` as zero; HiGHS runs with feasibility tolerances of
    :math:`10^{-10}` on flows scaled to :math:`\max F = 1`. The optimum ``total`` is unique;
    the matrix ``C`` attaining it may not be.

    On a 10^5-node synthetic network (4.6·10^5 edges inside strongly connected components)
    the kernel takes ~3.4 s, HiGHS ~32 s; see ``benchmarks/bench_circularity.py`` and
    ``docs/performance.md``.

    References
    ----------
    .. [1] Ahuja, R. K., Magnanti, T. L. & Orlin, J. B. (1993). *Network Flows: Theory,
       Algorithms, and Applications*. Prentice Hall, chapters 1, 7 and 9.

    Examples
    --------
    A invests 100 in B; B buys 80 from A and 20 from C. The 80 that goes A → B → A circulates
    and counts on both edges:

    >>> import numpy as np
    >>> F = np.array([[0, 100, 0],
    ...               [80, 0, 20],
    ...               [0, 0, 0]], dtype=float)
    >>> c = max_circulation(F)
    >>> c.total
    160.0
    >>> c.flows.toarray()
    array([[ 0., 80.,  0.],
           [80.,  0.,  0.],
           [ 0.,  0.,  0.]])
    >>> round(c.share, 3)
    0.8
    """
    F = _as_csr(flows, "flows", "max_circulation")
    check_choice(method, "method", "max_circulation", ("auto", "flow", "highs"))
    n = F.shape[0]
    coo = F.tocoo()
    s = coo.row.astype(np.int64)
    d = coo.col.astype(np.int64)
    f = coo.data
    keep = f > 0
    s, d, f = s[keep], d[keep], f[keep]
    loops = s == d
    _, label = connected_components(
        sp.csr_array((np.ones(s.size), (s, d)), shape=(n, n)), directed=True, connection="strong"
    )
    inner = (label[s] == label[d]) & ~loops
    si, di, fi = s[inner], d[inner], f[inner]
    c = np.zeros(fi.size)
    used = method
    if fi.size:
        scale = float(fi.max())
        fs = fi / scale
        if method == "auto":
            used = "flow" if _HAVE_NUMBA and fi.size > _AUTO_LP_MAX_EDGES else "highs"
        c = _circulation_flow(n, si, di, fs) if used == "flow" else _circulation_lp(n, si, di, fs)
        c *= scale
    elif method == "auto":
        used = "highs"
    # self-loops circulate whole
    rows = np.concatenate([si, s[loops]])
    cols = np.concatenate([di, d[loops]])
    vals = np.concatenate([c, f[loops]])
    C = sp.csr_array((vals, (rows, cols)), shape=(n, n))
    C.sum_duplicates()
    C.eliminate_zeros()
    total = float(vals.sum())
    through = np.asarray(C.sum(axis=0), dtype=np.float64).ravel()
    outflow = np.asarray(C.sum(axis=1), dtype=np.float64).ravel()
    residual = float(np.abs(through - outflow).max()) if n else 0.0
    all_flow = float(f.sum())
    return Circulation(
        total=total,
        flows=C,
        through=through,
        share=total / all_flow if all_flow > 0 else 0.0,
        residual=residual,
        method=used,
    )


def _as_csr(a: Any, name: str, func: str) -> sp.csr_array:
    m = check_matrix(a, name, func)
    if not sp.issparse(m):
        m = sp.csr_array(m)
    m = sp.csr_array(m, dtype=np.float64, copy=True)
    m.sum_duplicates()
    m.eliminate_zeros()
    return m


def _circulation_flow(
    n: int, s: NDArray[np.int64], d: NDArray[np.int64], f: NDArray[np.float64]
) -> NDArray[np.float64]:
    from lahar.analytics._flowkernel import min_cost_route  # numba loads here, not at import

    supply = np.asarray(
        np.bincount(s, f, minlength=n) - np.bincount(d, f, minlength=n), dtype=np.float64
    )
    r, _, _ = min_cost_route(n, s, d, f, supply, tol=_TOL)
    return np.clip(f - r, 0.0, f)


def _circulation_lp(
    n: int, s: NDArray[np.int64], d: NDArray[np.int64], f: NDArray[np.float64]
) -> NDArray[np.float64]:
    from scipy.optimize import linprog  # imported here: it costs ~0.1 s at start-up

    nodes, inv = np.unique(np.concatenate([s, d]), return_inverse=True)
    m = f.size
    cols = np.arange(m)
    incidence = sp.csc_array(
        (np.concatenate([np.ones(m), -np.ones(m)]), (inv, np.concatenate([cols, cols]))),
        shape=(nodes.size, m),
    )
    res = linprog(
        -np.ones(m),
        A_eq=incidence,
        b_eq=np.zeros(nodes.size),
        bounds=np.column_stack([np.zeros(m), f]),
        method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    if res.status != 0:
        raise ConvergenceError(
            f"HiGHS could not solve the max-circulation LP: {res.message}",
            n_iter=int(getattr(res, "nit", 0)),
            residual=float("nan"),
        )
    return np.clip(res.x, 0.0, f)


# --------------------------------------------------------------------------- round trips
@dataclass(frozen=True)
class RoundTrip:
    r"""Per-firm round trips of money.

    Attributes
    ----------
    share : ndarray, shape (n,)
        :math:`r_i`: probability that a dollar ``i`` pays into the network (split over its
        outgoing flows in proportion) comes back to ``i``; 0 for firms that pay nothing in.
    returned : ndarray, shape (n,)
        :math:`r_i \cdot out_i`: USD per period of ``i``'s own payments that come back to it.
    revenue_share : ndarray, shape (n,)
        ``returned / in``: share of ``i``'s inflow from the network that is its own money coming
        back; NaN where the inflow is 0.
    turnover : ndarray, shape (n,)
        :math:`T_i`, the money each firm disposes of per period, as used (see
        :func:`round_trip`).
    """

    share: NDArray[np.float64]
    returned: NDArray[np.float64]
    revenue_share: NDArray[np.float64]
    turnover: NDArray[np.float64]


def round_trip(
    flows: ArrayLike | sp.sparray | sp.spmatrix,
    *,
    turnover: ArrayLike | None = None,
    nodes: Sequence[int] | NDArray[np.integer] | None = None,
) -> RoundTrip:
    r"""Probability that a firm's money comes back to it, and the dollars that do.

    A dollar held by firm ``j`` is paid to ``k`` with probability :math:`P_{jk} = F_{jk}/T_j`
    and leaves the network (wages, outside suppliers, profit, cash) with probability
    :math:`1 - \sum_k F_{jk}/T_j`, where :math:`T_j = \max(\text{turnover}_j, out_j, in_j)` is
    the money ``j`` disposes of per period. A dollar that ``i`` pays into the network goes to
    ``k`` with probability :math:`F_{ik}/out_i`. The round-trip share :math:`r_i` is the
    probability that it reaches ``i`` again before leaving the network. With the fundamental
    matrix :math:`N = (I - P)^{-1}` of the absorbing chain (Kemeny & Snell 1960 [1]_), the
    return probability from ``i`` under ``P`` is :math:`1 - 1/N_{ii}`, hence

    .. math:: r_i = \frac{T_i}{out_i}\left(1 - \frac{1}{N_{ii}}\right), \qquad
              \text{returned}_i = r_i\, out_i = T_i \left(1 - \frac{1}{N_{ii}}\right).

    Parameters
    ----------
    flows : array_like or scipy.sparse array, shape (n, n)
        ``F[i, j]`` >= 0: money paid by ``i`` to ``j`` per period (USD), e.g. from
        :func:`money_flows`.
    turnover : array_like, shape (n,), optional
        Money each firm disposes of per period (USD), e.g. its total revenue; NaN = unknown.
        Default (and where NaN): :math:`\max(out_i, in_i)`, i.e. no money leaks out of a firm
        beyond the gap between what it receives and what it pays on. Larger turnover means more
        of each dollar leaks out of the network and less comes back.
    nodes : sequence of int, optional
        Compute only these firms (others get 0 / NaN); useful on very large graphs, where each
        firm costs one sparse solve.

    Returns
    -------
    RoundTrip
        ``share``, ``returned``, ``revenue_share`` and the ``turnover`` used.

    Raises
    ------
    lahar.errors.DataError
        Bad ``flows`` (see :func:`max_circulation`), ``turnover`` negative or of the wrong
        shape, ``nodes`` out of range.

    Notes
    -----
    Only the strongly connected component of ``i`` matters (a dollar that leaves it cannot come
    back), so the chain is solved per component: densely up to 2,000 nodes, else with one sparse
    LU and a solve per requested firm. A component with no leak at all (every member pays on all
    it disposes of and nothing leaves the component) returns every dollar: :math:`r_i = 1`.
    Proportional re-spending assumes money is fungible inside a firm; it is the standard
    assumption of flow tracing (the "proportional sharing" principle of power-flow tracing).

    References
    ----------
    .. [1] Kemeny, J. G. & Snell, J. L. (1960). *Finite Markov Chains*. Van Nostrand,
       chapter III (absorbing Markov chains, the fundamental matrix).

    Examples
    --------
    A invests 100 in B; B buys 80 from A and 20 from C. A dollar from A reaches B and comes back
    with probability 0.8, so 80 of A's 100 comes back: all of A's network revenue.

    >>> import numpy as np
    >>> F = np.array([[0, 100, 0], [80, 0, 20], [0, 0, 0]], dtype=float)
    >>> rt = round_trip(F)
    >>> rt.share.round(3), rt.returned.round(1)
    (array([0.8, 0.8, 0. ]), array([80., 80.,  0.]))
    >>> rt.revenue_share.round(3)
    array([1. , 0.8, 0. ])

    If A also has 300 of outside revenue (turnover 400), a dollar that comes back to A is
    re-spent in the network only with probability 1/4, which does not change A's own share but
    lowers B's:

    >>> round_trip(F, turnover=[400, np.nan, np.nan]).share.round(3)
    array([0.8, 0.2, 0. ])
    """
    F = _as_csr(flows, "flows", "round_trip")
    n = F.shape[0]
    out = np.asarray(F.sum(axis=1), dtype=np.float64).ravel()
    inn = np.asarray(F.sum(axis=0), dtype=np.float64).ravel()
    T = np.maximum(out, inn)
    if turnover is not None:
        tv = check_vector(
            np.nan_to_num(np.asarray(turnover, dtype=np.float64), nan=0.0),
            "turnover",
            "round_trip",
            n=n,
        )
        T = np.maximum(T, tv)
    want = np.ones(n, dtype=bool)
    if nodes is not None:
        idx = np.asarray(nodes, dtype=np.int64).ravel()
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise fail("round_trip", "nodes", f"positions in [0, {n})", f"{idx.min()}..{idx.max()}")
        want = np.zeros(n, dtype=bool)
        want[idx] = True
    inv_t = np.divide(1.0, T, out=np.zeros(n), where=T > 0)
    P = sp.csr_array(sp.diags_array(inv_t) @ F)
    ncomp, label = connected_components(P, directed=True, connection="strong")
    ret_prob = np.zeros(n)  # probability of returning under P (first step may leak)
    sizes = np.bincount(label, minlength=ncomp)
    diag_self = P.diagonal()
    for comp in np.unique(label[want & (out > 0)]):
        members = np.flatnonzero(label == comp)
        if sizes[comp] == 1 and diag_self[members[0]] == 0:
            continue
        Q = P[members][:, members]
        leak = 1.0 - np.asarray(Q.sum(axis=1)).ravel()
        targets = np.flatnonzero(want[members])
        if leak.max() <= 1e-12:
            ret_prob[members[targets]] = 1.0
            continue
        ret_prob[members[targets]] = _return_probability(Q, targets)
    returned = np.clip(T * ret_prob, 0.0, out)
    share = np.divide(returned, out, out=np.zeros(n), where=out > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        revenue_share = np.where(inn > 0, returned / np.where(inn > 0, inn, 1.0), np.nan)
    if nodes is not None:
        share[~want] = 0.0
        returned[~want] = 0.0
        revenue_share[~want] = np.nan
    return RoundTrip(share=share, returned=returned, revenue_share=revenue_share, turnover=T)


def _return_probability(Q: sp.csr_array, targets: NDArray[np.int64]) -> NDArray[np.float64]:
    """Probability of returning to each of ``targets`` for a substochastic irreducible ``Q``.

    With :math:`N = (I - Q)^{-1}`, the return probability is :math:`1 - 1/N_{ii}`
    :math:`= (N_{ii} - 1)/N_{ii} = (QN)_{ii} / N_{ii}`; the last form is a ratio of sums of
    non-negative terms, so it keeps full relative precision when the return probability is
    tiny (``1 - 1/N_ii`` would cancel).
    """
    k = Q.shape[0]
    out = np.empty(targets.size)
    if k <= 2000:
        a = np.eye(k) - Q.toarray()

        def solve(rhs: NDArray[np.float64]) -> NDArray[np.float64]:
            return np.linalg.solve(a, rhs)
    else:
        solve = spla.splu(sp.csc_matrix(sp.eye(k, format="csc") - sp.csc_matrix(Q))).solve
    for start in range(0, targets.size, 256):
        block = targets[start : start + 256]
        cols = np.arange(block.size)
        rhs = np.zeros((k, block.size))
        rhs[block, cols] = 1.0
        n_cols = solve(rhs)  # columns `block` of N
        out[start : start + block.size] = (Q @ n_cols)[block, cols] / n_cols[block, cols]
    return out


# --------------------------------------------------------------------------- cycles
@dataclass(frozen=True)
class Cycles:
    """The largest simple cycles of a flow matrix.

    Attributes
    ----------
    nodes : tuple of tuple of int
        Each cycle as the positions it visits, starting from its smallest position
        (``(0, 3, 1)`` is 0 → 3 → 1 → 0).
    values : ndarray, shape (k,)
        Value of each cycle: the smallest flow on its edges, the most that can go round it
        (USD per period). Cycles share edges, so values do not add up.
    """

    nodes: tuple[tuple[int, ...], ...]
    values: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.nodes)


def top_cycles(
    flows: ArrayLike | sp.sparray | sp.spmatrix,
    *,
    k: int = 10,
    max_length: int = 4,
) -> Cycles:
    r"""The ``k`` simple cycles of largest value, up to ``max_length`` edges.

    The value of a cycle :math:`(v_1, \dots, v_L)` is its bottleneck
    :math:`\min_\ell F_{v_\ell v_{\ell+1}}` (with :math:`v_{L+1} = v_1`). Cycles are enumerated by
    depth-first search from each node over larger positions only (so each cycle is found once,
    as in Johnson 1975 [1]_), inside strongly connected components, following the largest flows
    first and pruning every path whose bottleneck cannot beat the current k-th best.

    Parameters
    ----------
    flows : array_like or scipy.sparse array, shape (n, n)
        ``F[i, j]`` >= 0 (USD per period).
    k : int, default 10
        How many cycles to return (>= 1).
    max_length : int, default 4
        Longest cycle considered, in edges (>= 2).

    Returns
    -------
    Cycles
        Sorted by decreasing value, ties by node positions.

    Raises
    ------
    lahar.errors.DataError
        Bad ``flows``; ``k`` < 1 or ``max_length`` < 2.

    References
    ----------
    .. [1] Johnson, D. B. (1975). Finding all the elementary circuits of a directed graph.
       *SIAM Journal on Computing* 4(1), 77–84.

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[0, 100, 0], [80, 0, 20], [30, 0, 0]], dtype=float)
    >>> cy = top_cycles(F, k=3)
    >>> cy.nodes, cy.values
    (((0, 1), (0, 1, 2)), array([80., 20.]))
    """
    k = check_int(k, "k", "top_cycles", low=1)
    max_length = check_int(max_length, "max_length", "top_cycles", low=2)
    F = _as_csr(flows, "flows", "top_cycles")
    n = F.shape[0]
    F.setdiag(0.0)
    F.eliminate_zeros()
    _, label = connected_components(F, directed=True, connection="strong")
    coo = F.tocoo()
    inner = label[coo.row] == label[coo.col]
    rows, cols, vals = coo.row[inner], coo.col[inner], coo.data[inner]
    order = np.lexsort((cols, -vals, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    start = np.searchsorted(rows, np.arange(n + 1))
    adj = [
        list(
            zip(
                cols[start[u] : start[u + 1]].tolist(),
                vals[start[u] : start[u + 1]].tolist(),
                strict=True,
            )
        )
        for u in range(n)
    ]
    back = [dict(a) for a in adj]  # back[u][s] = F[u, s]
    best: list[tuple[float, tuple[int, ...]]] = []  # min-heap of (value, negated order key)

    def threshold() -> float:
        return best[0][0] if len(best) >= k else 0.0

    def offer(value: float, cyc: tuple[int, ...]) -> None:
        item = (value, tuple(-x for x in cyc))
        if len(best) < k:
            heapq.heappush(best, item)
        elif item > best[0]:
            heapq.heapreplace(best, item)

    for s0 in range(n):
        if not adj[s0]:
            continue
        path = [s0]
        on_path = {s0}
        stack = [(iter(adj[s0]), np.inf)]
        while stack:
            it, bottleneck = stack[-1]
            advanced = False
            for v, fv in it:
                if v <= s0 or v in on_path:
                    continue
                b = min(bottleneck, fv)
                if b < threshold():
                    break  # later edges are smaller still
                closing = back[v].get(s0)
                if closing is not None:
                    offer(min(b, closing), (*path, v))
                if len(path) + 1 < max_length:
                    path.append(v)
                    on_path.add(v)
                    stack.append((iter(adj[v]), b))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if len(path) > 1:
                    on_path.discard(path.pop())
    ranked = sorted(best, key=lambda x: (-x[0], tuple(-y for y in x[1])))
    return Cycles(
        nodes=tuple(tuple(-y for y in c) for _, c in ranked),
        values=np.array([v for v, _ in ranked], dtype=np.float64),
    )
