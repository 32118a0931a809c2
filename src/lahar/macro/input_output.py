r"""Input–output models of the US economy: where a cut in AI spending lands.

The Leontief quantity model turns a change in final demand (AI capex, consumption) into the
gross output, value added (GDP), compensation and jobs it supports in every industry, through
the whole supply chain:

.. math:: x = A x + f \;\Rightarrow\; \Delta x = (I - A)^{-1} \Delta f = L\,\Delta f

The Ghosh model is its supply-side counterpart (read it as a price / cost-push model).
:func:`load_bea` ships BEA's 71-industry summary tables (2023, BEA's 2024 release) and derives
the industry-by-industry coefficients as BEA does; :func:`capex_final_demand` bridges AI-capex
categories (chips, data-centre construction, power equipment, software...) to industries, and
:func:`industry_of_kind` maps the network's entity kinds (hyperscaler, chipmaker...) to BEA
industries.

Every model function takes ``(n,)`` or ``(n, S)`` right-hand sides (S scenarios) and solves all
columns with one LU factorisation (dense LAPACK or sparse SuperLU).

References
----------
Miller, R. E. and Blair, P. D. (2009). *Input–Output Analysis: Foundations and Extensions*,
2nd ed. Cambridge University Press.
Horowitz, K. J. and Planting, M. A. (2009). *Concepts and Methods of the U.S. Input-Output
Accounts*. Bureau of Economic Analysis (updated 2009), ch. 12.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_scalar, check_vector
from lahar.macro._bea import (
    BEA_DIR,
    bea_tables,
    fte_by_industry,
    published_requirements,
    read_codes,
    transformation,
)
from lahar.macro._io_math import (
    IOEffects,
    LeontiefFactor,
    allocation_coefficients,
    closed_model,
    factorize,
    ghosh,
    io_effects,
    leontief,
    spectral_radius_bound,
    technical_coefficients,
    total_requirements,
    type_i_multipliers,
    type_ii_multipliers,
)

__all__ = [
    "CAPEX_CATEGORIES",
    "IOEffects",
    "IOTable",
    "LeontiefFactor",
    "allocation_coefficients",
    "capex_bridge",
    "capex_final_demand",
    "closed_model",
    "factorize",
    "ghosh",
    "industry_of_kind",
    "io_effects",
    "leontief",
    "load_bea",
    "published_requirements",
    "spectral_radius_bound",
    "technical_coefficients",
    "total_requirements",
    "type_i_multipliers",
    "type_ii_multipliers",
]

#: Employment figures come from NIPA Table 6.5D for this year (its 2019 release).
EMPLOYMENT_YEAR = 2017


@dataclass(frozen=True, eq=False, repr=False)
class IOTable:
    """A US industry-by-industry input–output table with its satellite accounts.

    Made by :func:`load_bea`. Money is in millions of current US dollars of ``year`` at
    producers' prices; industries are BEA summary codes in BEA's order.

    Attributes
    ----------
    year : int
        Table year.
    domestic : bool
        True when imports were removed (import-proportionality), so effects are on US output.
    industries, industry_names : tuple of str
        The 71 BEA summary industry codes (e.g. ``"334"``, ``"5415"``) and names.
    commodities, commodity_names : tuple of str
        The 73 commodity codes: the 71 industries' primary products plus ``Used`` (scrap,
        used and second-hand goods) and ``Other`` (noncomparable imports and rest-of-world
        adjustment).
    technical_coefficients : ndarray, shape (71, 71)
        ``A = W B``: input from industry ``i`` per dollar of industry ``j``'s output.
    total_requirements : ndarray, shape (71, 71)
        ``L = (I - A)^-1``.
    direct_requirements : ndarray, shape (73, 71)
        ``B = U diag(g)^-1``: commodity inputs per dollar of industry output (domestic part
        only when ``domestic``).
    market_shares : ndarray, shape (71, 73)
        ``W``: scrap-adjusted share of each commodity produced by each industry (``Used`` and
        ``Other`` columns zero).
    import_shares : ndarray, shape (73,)
        Imports / (commodity output − exports + imports): share of US use of a commodity that
        is imported (0 for ``Used``/``Other`` bookkeeping rows).
    output : ndarray, shape (71,)
        Industry gross output ``g`` (BEA's published total industry output).
    commodity_output : ndarray, shape (73,)
        Commodity output ``q``.
    value_added, compensation : ndarray, shape (71,)
        Value added (V001 + V002 + V003) and compensation of employees (V001) by industry.
    value_added_coefficients, compensation_coefficients : ndarray, shape (71,)
        The same per dollar of output.
    employment : ndarray, shape (71,)
        Full-time-equivalent employees in :data:`EMPLOYMENT_YEAR` (NIPA Table 6.5D).
    employment_coefficients : ndarray, shape (71,)
        FTE jobs per million dollars of output at :data:`EMPLOYMENT_YEAR` prices
        (``employment / output`` of that year); deflate a nominal output change before
        applying it (see Notes in :func:`load_bea`).
    final_demand : ndarray, shape (71, 20)
        BEA final-demand columns (PCE, investment, exports, imports, government) converted to
        industries with ``W`` (domestic part only when ``domestic``).
    final_demand_categories, final_demand_names : tuple of str
        Their BEA codes (``F010`` personal consumption ... ``F10N``) and names.
    """

    year: int
    domestic: bool
    industries: tuple[str, ...]
    industry_names: tuple[str, ...]
    commodities: tuple[str, ...]
    commodity_names: tuple[str, ...]
    technical_coefficients: NDArray[np.float64]
    total_requirements: NDArray[np.float64]
    direct_requirements: NDArray[np.float64]
    market_shares: NDArray[np.float64]
    import_shares: NDArray[np.float64]
    output: NDArray[np.float64]
    commodity_output: NDArray[np.float64]
    value_added: NDArray[np.float64]
    compensation: NDArray[np.float64]
    value_added_coefficients: NDArray[np.float64]
    compensation_coefficients: NDArray[np.float64]
    employment: NDArray[np.float64]
    employment_coefficients: NDArray[np.float64]
    final_demand: NDArray[np.float64]
    final_demand_categories: tuple[str, ...]
    final_demand_names: tuple[str, ...]

    def __repr__(self) -> str:
        kind = "domestic" if self.domestic else "total (imports as if domestic)"
        return f"<IOTable BEA {self.year}, {kind}: {self.n} industries, {len(self.commodities)} commodities>"

    @property
    def n(self) -> int:
        """Number of industries."""
        return len(self.industries)

    def index(self, code: str) -> int:
        """Position of a BEA industry code.

        Raises
        ------
        KeyError
            Unknown code (the message lists valid codes).
        """
        try:
            return self.industries.index(code)
        except ValueError:
            raise KeyError(
                f"Unknown BEA industry code {code!r}; valid codes: {', '.join(self.industries)}"
            ) from None

    def pce_shares(self) -> NDArray[np.float64]:
        """Industry shares of personal consumption expenditures (BEA column F010).

        For a full table they sum to 1; for a ``domestic`` table they sum to the domestic
        share of PCE (< 1): the rest of a consumption dollar buys imports.

        Returns
        -------
        ndarray, shape (71,)
        """
        f = bea_tables(self.year)["use_final"][:, self.final_demand_categories.index("F010")]
        pce = self.final_demand[:, self.final_demand_categories.index("F010")]
        return pce / (self.market_shares @ f).sum()

    def household_closure(
        self, consumption_per_income: float
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Household row and column that close the model for Type II multipliers.

        ``h_r`` = compensation per dollar of output (BEA row V001); ``h_c`` = PCE shares by
        industry × ``consumption_per_income`` (household spending per dollar of compensation).

        Parameters
        ----------
        consumption_per_income : float
            Dollars of consumption per dollar of compensation, >= 0. Miller & Blair's
            textbook closure (all PCE over compensation) is 1.32 in 2023 and makes households
            spend more than they earn from work, inflating Type II multipliers; spending out
            of compensation after taxes and saving is lower (the example uses 0.6, an
            illustration, not a sourced figure). A modelling choice: state it.

        Returns
        -------
        (ndarray, ndarray)
            ``household_input`` and ``household_consumption`` for
            :func:`type_ii_multipliers` / :func:`closed_model`.

        Examples
        --------
        >>> t = load_bea(2023, domestic=True)
        >>> hr, hc = t.household_closure(0.6)
        >>> m1 = type_i_multipliers(t.technical_coefficients)
        >>> m2 = type_ii_multipliers(t.technical_coefficients, hr, hc)
        >>> i = t.index("334")
        >>> print(f"334 output multiplier: type I {m1[i]:.3f}, type II {m2[i]:.3f}")
        334 output multiplier: type I 1.280, type II 1.898
        """
        consumption_per_income = check_scalar(
            consumption_per_income, "consumption_per_income", "IOTable.household_closure", low=0.0
        )
        return self.compensation_coefficients.copy(), self.pce_shares() * consumption_per_income

    def commodity_to_industry(self, commodity_demand: ArrayLike) -> NDArray[np.float64]:
        r"""Convert final demand for commodities (73 rows) into final demand on industries.

        .. math:: f_{ind} = W \,\mathrm{diag}(1 - m)\, f_{com}

        (``m`` = import shares when ``domestic``, else 0).

        Parameters
        ----------
        commodity_demand : array_like, shape (73,) or (73, S)

        Returns
        -------
        ndarray, shape (71,) or (71, S)
        """
        f = check_vector(
            commodity_demand,
            "commodity_demand",
            "IOTable.commodity_to_industry",
            n=len(self.commodities),
            nonneg=False,
            batch=True,
        )
        keep = 1 - self.import_shares if self.domestic else np.ones(len(self.commodities))
        scaled = f * (keep[:, None] if f.ndim == 2 else keep)
        return self.market_shares @ scaled


def load_bea(year: int = 2023, *, domestic: bool = False) -> IOTable:
    r"""Load BEA's summary US input–output table (71 industries) and derive its coefficients.

    BEA's industry-by-industry construction (after redefinitions, producers' prices), from the
    shipped use (``U``) and make (``V``) tables:

    .. math::

        B = U\,\hat g^{-1}, \quad D = V\,\hat q^{-1}, \quad
        W = \widehat{\left(\tfrac{g}{g - h}\right)} D, \quad A = W B, \quad L = (I-A)^{-1}

    where ``g`` is industry output, ``q`` commodity output and ``h`` each industry's output of
    scrap (make-table column ``Used``).

    Parameters
    ----------
    year : int, default 2023
        2023 (latest, BEA's 2024 release) or 2017 (same release; used to check against BEA's
        published total requirements).
    domestic : bool, default False
        Remove imports under the import-proportionality assumption (every user of a commodity
        imports the same share ``m_c`` of it): ``B_dom = diag(1 - m) B``. BEA's published
        total requirements, like the default here, treat imports as if produced at home and
        so overstate US effects; use ``domestic=True`` for impacts on US GDP and jobs —
        most AI hardware is imported.

    Returns
    -------
    IOTable

    Raises
    ------
    DataError
        No table for ``year``.

    Notes
    -----
    *Scrap, used goods and noncomparable imports.* BEA treats scrap as a secondary product of
    the industries that generate it, not as a product they make on purpose: it is removed
    from the market shares and each industry's remaining shares are scaled up by
    ``g / (g - h)`` so that an industry's output is still fully attributed. The ``Used``
    (scrap, used and second-hand goods) and ``Other`` (noncomparable imports, rest-of-world
    adjustment) rows of ``B`` have no domestic producing industry in ``A``; like value added
    they leak out of the inter-industry loop (Horowitz & Planting 2009, ch. 12).

    *Employment.* No BEA employment table keyed to the 71 IO industries ships with lahar. We
    map NIPA Table 6.5D (full-time-equivalent employees, July 2019 release) to the IO codes:
    one-to-one by industry name for 67 industries, real estate split into housing (HS) and
    other real estate (ORE), and federal general government into defence (GFGD) and
    nondefence (GFGN), by their compensation shares (``data/bea/fte_map.csv``). Employment
    therefore refers to :data:`EMPLOYMENT_YEAR` (2017): ``employment_coefficients`` are 2017
    FTE per million dollars of 2017 output (BEA 2024 release), i.e. 2017 labour intensity.
    Applied to a later nominal change they need the change deflated to 2017 prices, and they
    ignore labour-productivity growth since 2017 (so job counts are on the high side).

    References
    ----------
    U.S. Bureau of Economic Analysis (2024). Input-Output Accounts Data: Make and Use tables,
    summary level, 1997–2023, after redefinitions, producers' prices.
    Horowitz & Planting (2009), ch. 12 (derivation of the requirements tables).
    Miller & Blair (2009), §5.3 (industry-based technology) and §2.3.

    Examples
    --------
    >>> t = load_bea(2023)
    >>> t.n, t.industries[:3], t.output.shape
    (71, ('111CA', '113FF', '211'), (71,))
    >>> bool(np.allclose(t.total_requirements @ (np.eye(71) - t.technical_coefficients),
    ...                  np.eye(71)))
    True
    >>> print(f"{t.output.sum() / 1e6:.1f} trillion USD gross output")
    48.4 trillion USD gross output
    """
    raw = bea_tables(year)
    codes = read_codes()
    ind = codes["industry"]
    com = codes["commodity"]
    fd = codes["final_demand"]
    com_codes = [c for c, _ in com]
    fd_codes = [c for c, _ in fd]
    g, q = raw["industry_output"], raw["commodity_output"]
    scrap, other = com_codes.index("Used"), com_codes.index("Other")
    w = transformation(raw["make"], g, q, scrap=scrap, drop=(scrap, other))
    b = raw["use_intermediate"] / g[None, :]
    final_com = raw["use_final"]
    exports = final_com[:, fd_codes.index("F040")]
    imports = -final_com[:, fd_codes.index("F050")]
    supply = q - exports + imports
    m = np.zeros(len(com_codes))
    ok = supply > 0
    m[ok] = np.clip(imports[ok] / supply[ok], 0.0, 1.0)
    m[[scrap, other]] = 0.0
    if domestic:
        b = b * (1 - m)[:, None]
        final_ind = w @ (final_com * (1 - m)[:, None])
    else:
        final_ind = w @ final_com
    a = w @ b  # W's Used/Other columns are 0: those rows of B leak out, like value added
    ell = total_requirements(a)
    va = raw["value_added"]
    comp = va[0]
    value_added = va.sum(axis=0)
    emp_raw = bea_tables(EMPLOYMENT_YEAR)
    fte = fte_by_industry(EMPLOYMENT_YEAR, emp_raw["value_added"][0])
    emp_coef = fte / emp_raw["industry_output"]
    return IOTable(
        year=year,
        domestic=domestic,
        industries=tuple(c for c, _ in ind),
        industry_names=tuple(nm for _, nm in ind),
        commodities=tuple(com_codes),
        commodity_names=tuple(nm for _, nm in com),
        technical_coefficients=a,
        total_requirements=ell,
        direct_requirements=b,
        market_shares=w,
        import_shares=m,
        output=g.copy(),
        commodity_output=q.copy(),
        value_added=value_added,
        compensation=comp.copy(),
        value_added_coefficients=value_added / g,
        compensation_coefficients=comp / g,
        employment=fte,
        employment_coefficients=emp_coef,
        final_demand=final_ind,
        final_demand_categories=tuple(fd_codes),
        final_demand_names=tuple(nm for _, nm in fd),
    )


def _csv(name: str) -> list[dict[str, str]]:
    with (BEA_DIR / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def _bridge_rows() -> tuple[dict[str, str], ...]:
    return tuple(_csv("ai_capex_bridge.csv"))


#: AI-capex categories of :func:`capex_bridge` (``data/bea/ai_capex_bridge.csv``).
CAPEX_CATEGORIES: tuple[str, ...] = tuple(r["category"] for r in _bridge_rows())


def capex_bridge(table: IOTable | None = None) -> NDArray[np.float64]:
    """The AI-capex bridge: which BEA commodity each capex category buys.

    ``data/bea/ai_capex_bridge.csv`` assigns each category in :data:`CAPEX_CATEGORIES` to one
    BEA summary commodity by its NAICS definition: chips/servers/network gear → 334 (computer
    and electronic products), data-centre construction → 23, transformers and switchgear →
    335, cooling plant and turbines → 333, packaged software → 511, custom software and
    integration → 5415, cloud and hosting bought from others → 514, electricity and grid
    connections → 22. Values are at producers' prices (margins are not split out).

    Parameters
    ----------
    table : IOTable, optional
        Only its commodity order is used; default the BEA order.

    Returns
    -------
    ndarray, shape (73, K)
        Column ``k`` is a unit vector on the commodity bought by category ``k``.

    References
    ----------
    U.S. Census Bureau, North American Industry Classification System (NAICS) 2017;
    BEA (2024), Input-Output Accounts: concordance of BEA industry codes to NAICS.

    Examples
    --------
    >>> M = capex_bridge()
    >>> M.shape, CAPEX_CATEGORIES[0]
    ((73, 8), 'it_equipment')
    """
    commodities = (
        table.commodities if table is not None else tuple(c for c, _ in read_codes()["commodity"])
    )
    out = np.zeros((len(commodities), len(CAPEX_CATEGORIES)))
    for k, r in enumerate(_bridge_rows()):
        out[commodities.index(r["commodity"]), k] = 1.0
    return out


def capex_final_demand(table: IOTable, category_spending: ArrayLike) -> NDArray[np.float64]:
    r"""Final demand on industries from spending by AI-capex category.

    .. math:: f = W\,\mathrm{diag}(1 - m)\, M\, s

    with ``M`` the :func:`capex_bridge`, ``s`` spending by category, ``m`` import shares (only
    for a ``domestic`` table: imported GPUs do not raise US output).

    Parameters
    ----------
    table : IOTable
    category_spending : array_like, shape (K,) or (K, S)
        Spending (or its change) per category in :data:`CAPEX_CATEGORIES` order, in the
        table's money units (millions of USD).

    Returns
    -------
    ndarray, shape (71,) or (71, S)

    Examples
    --------
    >>> t = load_bea(2023, domestic=True)
    >>> f = capex_final_demand(t, np.eye(8)[0] * -1000.0)   # $1bn less IT equipment
    >>> print(f"{f.sum():.0f} of -1000 lands on US industries")
    -381 of -1000 lands on US industries
    """
    s = check_vector(
        category_spending,
        "category_spending",
        "capex_final_demand",
        n=len(CAPEX_CATEGORIES),
        nonneg=False,
        batch=True,
    )
    return table.commodity_to_industry(capex_bridge(table) @ s)


@cache
def _kind_rows() -> dict[str, dict[str, str]]:
    return {r["kind"]: r for r in _csv("kind_industries.csv")}


def industry_of_kind(kind: str) -> str | None:
    """The BEA summary industry of an entity kind of the shipped network.

    From ``data/bea/kind_industries.csv`` (NAICS-based): hyperscaler, neocloud and ai_lab →
    514 (data processing, hosting, information services); chipmaker → 334; utility and
    power_plant → 22; bank → 521CI; private_credit and asset_manager → 523; spv, index_fund
    and pension → 525; real_estate → ORE; government → GFGN. ``None`` for kinds that are not
    US industries (sovereign_fund, person) or have no default (other).

    Parameters
    ----------
    kind : str
        An ``entities.csv`` kind (see ``data/schema.csv``).

    Returns
    -------
    str or None

    Raises
    ------
    KeyError
        Unknown kind (the message lists the valid ones).

    Examples
    --------
    >>> industry_of_kind("chipmaker"), industry_of_kind("hyperscaler"), industry_of_kind("person")
    ('334', '514', None)
    """
    rows = _kind_rows()
    if kind not in rows:
        raise KeyError(f"Unknown entity kind {kind!r}; valid kinds: {', '.join(rows)}")
    code = rows[kind]["industry"]
    return code or None
