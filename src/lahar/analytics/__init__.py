"""Analytics: the article's claims as numbers a reader can check.

One module per topic, each a set of pure functions over arrays and network layers; sourced
inputs are arguments (the report passes the dataset's values from ``parameters.csv``):

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

The tables ``lahar analyze`` prints are built in :mod:`lahar.report.findings`.
"""
