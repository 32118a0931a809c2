"""Exact minimum-cost routing with unit edge costs: the kernel behind ``max_circulation``.

The largest circulation ``C`` inside flows ``F`` is ``F - R`` where ``R`` is the cheapest flow,
at cost 1 per dollar per edge, that carries every node's net imbalance ``b = out - in`` with
``0 <= R <= F`` (``R = F`` itself is feasible). We solve that min-cost flow with the
primal-dual (successive shortest path) method: Dijkstra on reduced costs from a super-source
finds the current shortest distance; a Dinic max-flow on the arcs of zero reduced cost then
pushes as much as possible at that distance; repeat until every imbalance is routed
(Ahuja, Magnanti & Orlin 1993, chapters 7 and 9). All costs are integers, so potentials
stay integers and the optimum is exact up to the float tolerance ``tol`` below which a residual
capacity counts as zero.

The kernels are compiled with numba when :func:`lahar._numba.enabled` (installed and not switched
off; cached in lahar's user cache directory) and run as plain Python otherwise (correct, slow:
callers choose the LP route instead). Arcs are stored in CSR
order by tail (``rev[a]`` is the reverse arc of ``a``), so scanning a node's arcs reads memory
sequentially; nodes are numbered by decreasing degree so the hubs stay in cache.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lahar import _numba

HAVE_NUMBA = _numba.enabled()


def njit(**kwargs):  # noqa: ANN003, ANN201
    """Compile with ``numba.njit(**kwargs)``, cached in lahar's cache directory (no-op without numba)."""

    def decorate(f):  # noqa: ANN001, ANN202
        if not HAVE_NUMBA:
            return f
        with _numba.caching():  # pragma: no cover - exercised either way
            return _numba.load().njit(**kwargs)(f)

    return decorate


__all__ = ["HAVE_NUMBA", "min_cost_route"]


@njit(cache=True)
def _heap_push(hk, hv, size, key, val):  # noqa: ANN001, ANN202
    i = size
    hk[i] = key
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] <= hk[i]:
            break
        hk[p], hk[i] = hk[i], hk[p]
        hv[p], hv[i] = hv[i], hv[p]
        i = p
    return size + 1


@njit(cache=True)
def _heap_pop(hk, hv, size):  # noqa: ANN001, ANN202
    key = hk[0]
    val = hv[0]
    size -= 1
    hk[0] = hk[size]
    hv[0] = hv[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        c = left
        if left + 1 < size and hk[left + 1] < hk[left]:
            c = left + 1
        if hk[i] <= hk[c]:
            break
        hk[c], hk[i] = hk[i], hk[c]
        hv[c], hv[i] = hv[i], hv[c]
        i = c
    return key, val, size


@njit(cache=True)
def _dijkstra(first, rev, head, res, cost, n_nodes, s, t, tol, pi, dist, done, hk, hv):  # noqa: ANN001, ANN202
    # Shortest distances from s on reduced costs (non-negative integers), then the potential
    # update pi += min(dist, dist[t]) that keeps every residual reduced cost >= 0.
    inf = np.int64(1) << np.int64(60)
    for v in range(n_nodes):
        dist[v] = inf
        done[v] = False
    dist[s] = 0
    size = _heap_push(hk, hv, 0, 0, s)
    while size > 0:
        d, u, size = _heap_pop(hk, hv, size)
        if done[u]:
            continue
        done[u] = True
        pu = pi[u]
        for a in range(first[u], first[u + 1]):
            if res[a] <= tol:
                continue
            v = head[a]
            nd = d + cost[a] + pu - pi[v]
            if nd < dist[v]:
                dist[v] = nd
                size = _heap_push(hk, hv, size, nd, v)
    if dist[t] >= inf:
        return False
    dt = dist[t]
    for v in range(n_nodes):
        pi[v] += dist[v] if dist[v] < dt else dt
    return True


@njit(cache=True)
def _bfs(first, rev, head, res, cost, n_nodes, s, t, tol, pi, level, queue):  # noqa: ANN001, ANN202
    # Dinic levels over admissible arcs (residual > tol, zero reduced cost); stops at t's level.
    for v in range(n_nodes):
        level[v] = -1
    level[s] = 0
    qh = 0
    qt = 1
    queue[0] = s
    while qh < qt:
        u = queue[qh]
        qh += 1
        lu = level[u]
        if level[t] >= 0 and lu >= level[t]:
            break
        pu = pi[u]
        for a in range(first[u], first[u + 1]):
            if res[a] <= tol:
                continue
            v = head[a]
            if level[v] >= 0 or cost[a] + pu - pi[v] != 0:
                continue
            level[v] = lu + 1
            queue[qt] = v
            qt += 1
    return level[t] >= 0


@njit(cache=True)
def _dfs(first, rev, head, res, cost, n_nodes, s, t, tol, pi, level, it, path):  # noqa: ANN001, ANN202
    # Blocking flow on the level graph: iterative DFS with current-arc pointers; dead ends are
    # pruned by setting their level to -1; after an augmentation the search resumes from the
    # tail of the first saturated arc.
    total = 0.0
    for v in range(n_nodes):
        it[v] = first[v]
    depth = 0
    u = s
    while True:
        if u == t:
            delta = res[path[0]]
            for q in range(1, depth):
                if res[path[q]] < delta:
                    delta = res[path[q]]
            back = depth
            for q in range(depth):
                a = path[q]
                res[a] -= delta
                res[rev[a]] += delta
                if res[a] <= tol and q < back:
                    back = q
            total += delta
            depth = back
            u = s if depth == 0 else head[path[depth - 1]]
            continue
        advanced = False
        while it[u] < first[u + 1]:
            a = it[u]
            v = head[a]
            if res[a] > tol and level[v] == level[u] + 1 and cost[a] + pi[u] - pi[v] == 0:
                path[depth] = a
                depth += 1
                u = v
                advanced = True
                break
            it[u] += 1
        if advanced:
            continue
        if u == s:
            break
        level[u] = -1
        depth -= 1
        a = path[depth]
        u = head[rev[a]]
        it[u] += 1
    return total


@njit(cache=True)
def _route(first, rev, head, res, cost, n_nodes, s, t, tol):  # noqa: ANN001, ANN202
    """Primal-dual min-cost max-flow from s to t; ``res`` is updated in place.

    Returns (flow routed, number of shortest-path phases).
    """
    pi = np.zeros(n_nodes, dtype=np.int64)
    dist = np.empty(n_nodes, dtype=np.int64)
    done = np.zeros(n_nodes, dtype=np.bool_)
    hk = np.empty(head.shape[0] + n_nodes + 1, dtype=np.int64)
    hv = np.empty(head.shape[0] + n_nodes + 1, dtype=np.int64)
    level = np.empty(n_nodes, dtype=np.int64)
    queue = np.empty(n_nodes, dtype=np.int64)
    it = np.empty(n_nodes, dtype=np.int64)
    path = np.empty(n_nodes + 1, dtype=np.int64)
    total = 0.0
    phases = 0
    while _dijkstra(first, rev, head, res, cost, n_nodes, s, t, tol, pi, dist, done, hk, hv):
        phases += 1
        while _bfs(first, rev, head, res, cost, n_nodes, s, t, tol, pi, level, queue):
            total += _dfs(first, rev, head, res, cost, n_nodes, s, t, tol, pi, level, it, path)
    return total, phases


def min_cost_route(
    n: int,
    src: NDArray[np.int64],
    dst: NDArray[np.int64],
    cap: NDArray[np.float64],
    supply: NDArray[np.float64],
    *,
    tol: float,
) -> tuple[NDArray[np.float64], float, int]:
    """Cheapest flow (cost 1 per unit per edge) meeting ``supply`` within capacities ``cap``.

    Parameters
    ----------
    n : int
        Number of nodes.
    src, dst : ndarray of int, shape (m,)
        Edge ends.
    cap : ndarray of float, shape (m,)
        Capacities (> 0).
    supply : ndarray of float, shape (n,)
        Net outflow required at each node (sums to 0); positive = source, negative = sink.
    tol : float
        Residual capacities at or below ``tol`` count as zero.

    Returns
    -------
    flow : ndarray, shape (m,)
        Flow on each edge, ``0 <= flow <= cap``.
    routed : float
        Amount routed from the supplies (equals the positive part of ``supply`` when feasible).
    phases : int
        Shortest-path phases used.
    """
    m = cap.shape[0]
    # renumber nodes by decreasing degree (hubs first): better cache locality, same answer
    degree = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(-degree, kind="stable")] = np.arange(n)
    src = rank[src]
    dst = rank[dst]
    supply = supply[np.argsort(rank)]
    pos = np.flatnonzero(supply > tol)
    neg = np.flatnonzero(supply < -tol)
    s, t = n, n + 1
    n_nodes = n + 2
    tails = np.concatenate([src, np.full(pos.size, s), neg]).astype(np.int64)
    heads = np.concatenate([dst, pos, np.full(neg.size, t)]).astype(np.int64)
    caps = np.concatenate([cap, supply[pos], -supply[neg]]).astype(np.float64)
    costs = np.concatenate([np.ones(m, np.int64), np.zeros(pos.size + neg.size, np.int64)])
    k = tails.size
    head = np.empty(2 * k, dtype=np.int64)
    head[0::2] = heads
    head[1::2] = tails
    res = np.zeros(2 * k, dtype=np.float64)
    res[0::2] = caps
    cost = np.empty(2 * k, dtype=np.int64)
    cost[0::2] = costs
    cost[1::2] = -costs
    tail = np.empty(2 * k, dtype=np.int64)
    tail[0::2] = tails
    tail[1::2] = heads
    order = np.argsort(tail, kind="stable")
    where = np.empty(2 * k, dtype=np.int64)
    where[order] = np.arange(2 * k)
    partner = np.arange(2 * k) ^ 1
    idx = np.int32 if 2 * k < 2**31 - 1 else np.int64
    rev = where[partner[order]].astype(idx)
    head = head[order].astype(idx)
    res = res[order]
    cost = cost[order].astype(np.int8)
    first = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n_nodes), out=first[1:])
    routed, phases = _route(first, rev, head, res, cost, n_nodes, s, t, tol)
    flow = res[where[1 : 2 * m : 2]].copy()
    np.clip(flow, 0.0, cap, out=flow)
    return flow, float(routed), int(phases)
