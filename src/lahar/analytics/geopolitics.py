r"""Gulf capital and chips: the ledger of chips exported against capital pledged into the US.

The article's trade: advanced US chips go to the Gulf (export licences for G42, Humain and
Microsoft's UAE data centres), and Gulf capital is pledged into the US (the UAE's $1.4T
framework, Saudi Arabia's $600B, Qatar's $500B). :func:`chip_capital_ledger` nets the two per
country, in dollars and, where the dollar value of a chip deal is not disclosed, in chips.

References
----------
.. [1] The White House (2025). Fact sheets on the US–UAE, US–Saudi and US–Qatar economic
   agreements, March–May 2025 (cited through the sources of the dataset's pledge rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_array

__all__ = ["Ledger", "chip_capital_ledger"]


@dataclass(frozen=True)
class Ledger:
    """Chips received and capital pledged, per country.

    Attributes
    ----------
    countries : tuple of str
        Country codes, sorted.
    chips_usd : ndarray
        Dollar value of chips exported to the country (where disclosed).
    chip_units : ndarray
        Chips (GPUs) exported to the country (where disclosed).
    pledged_usd : ndarray
        Capital the country pledged into the US.
    pledged_per_chip_dollar : ndarray
        ``pledged_usd / chips_usd`` (NaN where no chip dollars are disclosed).
    """

    countries: tuple[str, ...]
    chips_usd: NDArray[np.float64]
    chip_units: NDArray[np.float64]
    pledged_usd: NDArray[np.float64]
    pledged_per_chip_dollar: NDArray[np.float64]


def chip_capital_ledger(
    chip_country: ArrayLike,
    chip_usd: ArrayLike,
    chip_units: ArrayLike,
    pledge_country: ArrayLike,
    pledge_usd: ArrayLike,
) -> Ledger:
    r"""Per-country ledger: :math:`C_k = \sum_{d \to k} \$_d`, :math:`P_k = \sum_{d: k \to US} \$_d`.

    Parameters
    ----------
    chip_country : array_like of str, shape (a,)
        Importing country of each chip-export deal.
    chip_usd, chip_units : array_like, shape (a,)
        Dollar value and number of chips of each deal (0 or NaN = not disclosed).
    pledge_country : array_like of str, shape (b,)
        Country of the investor of each pledge into the US.
    pledge_usd : array_like, shape (b,)
        Amount of each pledge (USD).

    Returns
    -------
    Ledger

    Examples
    --------
    >>> led = chip_capital_ledger(["AE", "SA", "AE"], [0, 10e9, 0], [1e5, 0, 35e3],
    ...                           ["AE", "SA"], [1.4e12, 600e9])
    >>> led.countries, (led.pledged_usd / 1e9).tolist(), led.chip_units.tolist()
    (('AE', 'SA'), [1400.0, 600.0], [135000.0, 0.0])
    >>> led.pledged_per_chip_dollar.round(1).tolist()
    [nan, 60.0]
    """
    func = "chip_capital_ledger"
    cc = np.asarray(chip_country, dtype=object).ravel()
    pc = np.asarray(pledge_country, dtype=object).ravel()
    a, b = (cc.size,), (pc.size,)
    cu = np.nan_to_num(check_array(chip_usd, "chip_usd", func, shape=a, low=0.0, allow_nan=True))
    cn = np.nan_to_num(
        check_array(chip_units, "chip_units", func, shape=a, low=0.0, allow_nan=True)
    )
    pu = np.nan_to_num(
        check_array(pledge_usd, "pledge_usd", func, shape=b, low=0.0, allow_nan=True)
    )
    countries = tuple(sorted(set(map(str, cc)) | set(map(str, pc))))
    pos = {c: i for i, c in enumerate(countries)}
    k = len(countries)
    ci = np.array([pos[str(c)] for c in cc], dtype=np.int64)
    pi = np.array([pos[str(c)] for c in pc], dtype=np.int64)
    chips = np.asarray(np.bincount(ci, cu, minlength=k), dtype=np.float64)
    units = np.asarray(np.bincount(ci, cn, minlength=k), dtype=np.float64)
    pledged = np.asarray(np.bincount(pi, pu, minlength=k), dtype=np.float64)
    ratio = np.where(chips > 0, pledged / np.where(chips > 0, chips, 1.0), np.nan)
    return Ledger(countries, chips, units, pledged, ratio)
