"""Tests of lahar.analytics.geopolitics and .governance: groupby and networkx references."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from lahar.analytics.geopolitics import chip_capital_ledger
from lahar.analytics.governance import official_paths


def test_ledger_matches_pandas() -> None:
    rng = np.random.default_rng(1)
    cc = rng.choice(["AE", "SA", "QA", "CN"], 30)
    cu = rng.uniform(0, 5, 30) * (rng.random(30) > 0.5)
    cn = rng.integers(0, 1000, 30).astype(float)
    pc = rng.choice(["AE", "SA", "QA"], 12)
    pu = rng.uniform(0, 100, 12)
    led = chip_capital_ledger(cc, cu, cn, pc, pu)
    chips = pd.Series(cu).groupby(cc).sum()
    pledged = pd.Series(pu).groupby(pc).sum()
    for k, c in enumerate(led.countries):
        assert led.chips_usd[k] == pytest.approx(chips.get(c, 0.0))
        assert led.pledged_usd[k] == pytest.approx(pledged.get(c, 0.0))


def test_official_paths_match_networkx() -> None:
    rng = np.random.default_rng(3)
    n = 12
    T = sp.csr_array(([0.0, 1.0], ([0, 0], [3, 4])), shape=(n, n))
    dense = (rng.random((n, n)) < 0.2) * rng.uniform(1, 10, (n, n))
    np.fill_diagonal(dense, 0)
    dense[:, 0] = dense[0, :] = 0  # the official has no deals
    L = sp.csr_array(dense)
    p = official_paths(T, L, [0], max_hops=3)
    G = nx.Graph()
    G.add_edges_from(zip(*np.nonzero(dense + dense.T), strict=True))
    expect = set()
    for first in (3, 4):
        expect.add((0, first))
        if first in G:
            for target in G.nodes:
                for path in nx.all_simple_paths(G, first, target, cutoff=2):
                    if 0 not in path:
                        expect.add((0, *path))
    assert set(p.nodes) == expect
    for path, amounts in zip(p.nodes, p.dollars, strict=True):
        for k in range(1, len(path) - 1):
            u, v = path[k], path[k + 1]
            assert amounts[k] == pytest.approx(dense[u, v] + dense[v, u])


def test_official_paths_exclude_and_errors() -> None:
    T = sp.csr_array(([1.0], ([0], [1])), shape=(3, 3))
    L = sp.csr_array(([2.0], ([1], [2])), shape=(3, 3))
    p = official_paths(T, L, [0], exclude=[False, True, False])
    assert p.nodes == ((0, 1),)
    with pytest.raises(ValueError, match=r"'max_hops' parameter of official_paths\(\)"):
        official_paths(T, L, [0], max_hops=0)
