"""Synthetic AI-economy-like networks for tests and benchmarks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lahar.network._core import LAYERS, STATUSES, Network

__all__ = ["synthetic"]

# Share of exposures per layer and, per layer, the status mix (announced, committed, drawn,
# reported, estimate). These are modelling choices for a realistic-looking test network, not
# estimates of the real economy.
_LAYER_SHARE = {
    "debt": 0.50,
    "equity": 0.15,
    "purchase_commitment": 0.10,
    "cloud_contract": 0.10,
    "chip_purchase": 0.10,
    "lease": 0.05,
}
_STATUS_MIX = {
    "debt": (0.0, 0.2, 0.8, 0.0, 0.0),
    "equity": (0.1, 0.1, 0.3, 0.5, 0.0),
    "purchase_commitment": (0.3, 0.5, 0.2, 0.0, 0.0),
    "cloud_contract": (0.3, 0.5, 0.2, 0.0, 0.0),
    "chip_purchase": (0.3, 0.4, 0.3, 0.0, 0.0),
    "lease": (0.1, 0.6, 0.3, 0.0, 0.0),
}
_TERMED = ("purchase_commitment", "cloud_contract", "chip_purchase", "lease")
_FIRM_KINDS = ("hyperscaler", "chipmaker", "neocloud", "ai_lab", "bank", "private_credit", "other")


def synthetic(
    n: int,
    m: int,
    *,
    seed: int | np.random.SeedSequence = 0,
    tail: float = 1.5,
    year: int = 2025,
) -> Network:
    """Generate a random network with heavy-tailed sizes and degrees.

    Firm sizes (external assets, USD) are Pareto with tail index ``tail``; each exposure picks
    its ends with probability proportional to size (a Chung–Lu construction, so degrees are
    heavy-tailed too) and an amount proportional to the source's size times a log-normal
    factor. Layers and statuses are drawn from fixed mixes (half of the exposures are debt).
    Balance sheets are consistent: a firm's total assets are its external assets plus its
    claims (debt lent and equity held) plus what it borrowed (invested externally); book
    equity is 5–25 % of total assets, capped so that liabilities stay non-negative.

    Parameters
    ----------
    n : int
        Number of entities (>= 2).
    m : int
        Number of exposures (>= 0); self-loops are redirected to the next entity.
    seed : int or numpy.random.SeedSequence, default 0
        Seed; the same seed gives the same network.
    tail : float, default 1.5
        Pareto tail index of firm sizes (smaller = heavier tail).
    year : int, default 2025
        Year of the generated facts.

    Returns
    -------
    Network
        Facts ``external_assets``, ``total_assets``, ``book_equity``, ``cash`` and ``debt``
        for every entity in ``year``.

    Examples
    --------
    >>> from lahar.network import synthetic
    >>> net = synthetic(1000, 5000, seed=1)
    >>> net.n, net.m
    (1000, 5000)
    >>> bool((net.fact("book_equity") > 0).all())
    True
    """
    if n < 2 or m < 0:
        raise ValueError(f"synthetic needs n >= 2 and m >= 0; got n={n}, m={m}.")
    rng = np.random.default_rng(seed)
    size = (rng.pareto(tail, n) + 1.0) * 1e8
    cdf = np.cumsum(size)
    cdf /= cdf[-1]
    idt = np.int32 if n < 2**31 - 1 else np.int64
    src = np.searchsorted(cdf, rng.random(m)).astype(idt)
    dst = np.searchsorted(cdf, rng.random(m)).astype(idt)
    np.minimum(src, n - 1, out=src)
    np.minimum(dst, n - 1, out=dst)
    loops = src == dst
    dst[loops] = (dst[loops] + 1) % n
    amount = size[src] * 0.02 * rng.lognormal(0.0, 1.0, m)

    layer_names = list(_LAYER_SHARE)
    layer_pick = rng.choice(len(layer_names), m, p=list(_LAYER_SHARE.values()))
    layer = np.empty(m, dtype=np.int8)
    status = np.empty(m, dtype=np.int8)
    term = np.full(m, np.nan)
    for k, name in enumerate(layer_names):
        sel = np.flatnonzero(layer_pick == k)
        layer[sel] = LAYERS.index(name)
        status[sel] = rng.choice(len(STATUSES), sel.size, p=_STATUS_MIX[name])
        if name in _TERMED:
            term[sel] = rng.integers(1, 9, sel.size)

    is_debt = layer == LAYERS.index("debt")
    is_equity = layer == LAYERS.index("equity")
    lent = np.bincount(src[is_debt], amount[is_debt], minlength=n)
    owed = np.bincount(dst[is_debt], amount[is_debt], minlength=n)
    held = np.bincount(src[is_equity], amount[is_equity], minlength=n)
    external = size + owed
    total = external + lent + held
    equity = np.minimum(rng.uniform(0.05, 0.25, n) * total, 0.5 * (size + lent + held))

    ids = np.char.add("f", np.char.zfill(np.arange(n).astype(str), len(str(n - 1)))).astype(object)
    metrics = {
        "external_assets": external,
        "total_assets": total,
        "book_equity": equity,
        "cash": 0.05 * size,
        "debt": owed + (total - equity - owed) * 0.5,
    }
    facts = pd.DataFrame(
        {
            "entity": np.tile(ids, len(metrics)),
            "year": np.full(n * len(metrics), year, dtype=np.int64),
            "metric": np.repeat(np.array(list(metrics), dtype=object), n),
            "value": np.concatenate(list(metrics.values())),
        }
    )
    kinds = np.asarray(_FIRM_KINDS, dtype=object)[rng.integers(0, len(_FIRM_KINDS), n)]
    return Network.from_arrays(
        ids, src, dst, amount, layer=layer, status=status, term_years=term, kinds=kinds, facts=facts
    )
