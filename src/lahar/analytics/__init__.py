"""Analytics: the article's claims as numbers a reader can check.

One module per topic, each a set of pure functions over arrays and network layers, with the
source of every default assumption in its docstring:

* :mod:`lahar.analytics.circularity` — money flows, the largest circulation (exact min-cost
  flow), round-trip shares (absorbing Markov chain), the largest cycles.
* :mod:`lahar.analytics.leverage` — credit ratios with off-balance-sheet debt, GPU collateral
  under book vs economic depreciation, loan-to-value, the refinancing wall.
* :mod:`lahar.analytics.gap` — the monetization gap (Sequoia's method, Bain's anchor) and the
  years to close it under adoption curves.
* :mod:`lahar.analytics.concentration` — top-k share, HHI bounds, savings riding on the top.
* :mod:`lahar.analytics.energy` — GW to TWh, share of US electricity, PPA economics.
* :mod:`lahar.analytics.geopolitics` — chips exported vs capital pledged, per country.
* :mod:`lahar.analytics.governance` — paths official → tied firm → deals, with dollars.
* :mod:`lahar.analytics.findings` — all of the above as tables on a network (``lahar analyze``).
"""
