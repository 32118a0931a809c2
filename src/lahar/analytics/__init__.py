"""Analytics: the article's claims as numbers a reader can check.

One module per topic, each a set of pure functions over arrays and network layers:

* :mod:`lahar.analytics.circularity` — circular money (max circulation, round trips, cycles)
"""
