r"""BEA's US input–output tables and lahar's bridges to them (``lahar/data/bea``).

The shipped files (see ``data/bea/README.md``) are BEA's summary-level use and make tables,
its published totals and requirements tables, NIPA full-time-equivalent employment, and two
curated mappings: AI-capex categories to the BEA commodity they buy
(``ai_capex_bridge.csv``) and the network's entity kinds to BEA industries
(``kind_industries.csv``). Everything here reads those files, checks them and returns plain
arrays; the models of :mod:`lahar.macro` take the arrays and read nothing.

:func:`load_bea` derives the industry-by-industry coefficients the way BEA itself does and
publishes them (Horowitz & Planting 2009, ch. 12; BEA 2024 Handbook of Methods):

* ``B = U diag(g)^-1`` (commodity-by-industry direct requirements, 73 commodities incl.
  ``Used`` scrap/second-hand goods and ``Other`` noncomparable imports),
* ``D = V diag(q)^-1`` (market shares; ``V`` the make table, ``q`` commodity output),
* scrap adjustment: industry ``i`` also produces scrap ``h_i`` (make column ``Used``), which is
  not a primary product, so ``W = diag(g / (g - h)) D`` (BEA's transformation matrix; the
  ``Used`` and ``Other`` columns of ``V`` are dropped),
* ``A = W B_71`` (industry-by-industry technical coefficients, the 71 comparable commodity
  rows of ``B``; the ``Used`` and ``Other`` rows are leakages, like value added),
* ``L = (I - A)^-1`` (industry-by-industry total requirements, BEA's published table).

These are the table's own coefficients, as BEA publishes them, so they are computed here, in
the data layer (which imports no model); the Leontief, Ghosh and multiplier models that use
them live in :mod:`lahar.macro.input_output`.

References
----------
Horowitz, K. J. and Planting, M. A. (2009). *Concepts and Methods of the U.S. Input-Output
Accounts*. Bureau of Economic Analysis (updated 2009), ch. 12.
U.S. Bureau of Economic Analysis (2024). Input-Output Accounts Data: Make and Use tables,
summary level, 1997–2023, after redefinitions, producers' prices.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import scipy.linalg as sla
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_choice, check_int, check_scalar, check_vector, fail
from lahar.errors import DataError, Problem
from lahar.network import KINDS

__all__ = [
    "BEA_DIR",
    "EMPLOYMENT_YEAR",
    "IOTable",
    "capex_bridge",
    "capex_categories",
    "industry_of_kind",
    "load_bea",
    "scenario_table",
    "published_requirements",
]

BEA_DIR: Path = Path(__file__).resolve().parent / "bea"
"""Folder of the shipped BEA tables and bridges."""

#: Employment figures come from NIPA Table 6.5D for this year (its 2019 release).
EMPLOYMENT_YEAR = 2017


# --------------------------------------------------------------------------- reading


@cache
def _numbered(name: str) -> tuple[tuple[int, dict[str, str]], ...]:
    """The rows of a shipped BEA file with the line each starts on, as the file shows it."""
    path = BEA_DIR / name
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            out, start = [], 2
            for row in reader:
                out.append((start, row))
                start = reader.line_num + 1
            return tuple(out)
    except FileNotFoundError as exc:  # pragma: no cover - broken install
        raise DataError([Problem(name, None, "-", f"missing shipped BEA file {path}")]) from exc


def _rows(name: str) -> tuple[dict[str, str], ...]:
    return tuple(r for _, r in _numbered(name))


@cache
def _codes() -> dict[str, tuple[tuple[str, str], ...]]:
    """BEA codes and names by role (industry, commodity, value_added, final_demand), in order."""
    out: dict[str, list[tuple[str, str]]] = {}
    for r in _rows("codes.csv"):
        out.setdefault(r["role"], []).append((r["code"], r["name"]))
    return {role: tuple(v) for role, v in out.items()}


def _code_list(role: str) -> list[str]:
    return [c for c, _ in _codes()[role]]


def _matrix(
    rows: tuple[dict[str, str], ...],
    year: int,
    row_key: str,
    col_key: str,
    value_key: str,
    row_codes: list[str],
    col_codes: list[str],
    extra: dict[str, str] | None = None,
) -> NDArray[np.float64]:
    ri = {c: i for i, c in enumerate(row_codes)}
    ci = {c: j for j, c in enumerate(col_codes)}
    out = np.zeros((len(row_codes), len(col_codes)))
    for r in rows:
        if int(r["year"]) != year or any(r[k] != v for k, v in (extra or {}).items()):
            continue
        i, j = ri.get(r[row_key]), ci.get(r[col_key])
        if i is not None and j is not None:
            out[i, j] = float(r[value_key])
    return out


def _years(name: str) -> list[int]:
    return sorted({int(r["year"]) for r in _rows(name)})


@cache
def _raw(year: int) -> dict[str, NDArray[np.float64]]:
    """Raw BEA arrays for one year: use, make, published totals (millions of USD)."""
    ind, com = _code_list("industry"), _code_list("commodity")
    va, fd = _code_list("value_added"), _code_list("final_demand")
    use = _matrix(_rows("use.csv"), year, "row", "column", "musd", com + va, ind + fd)
    make = _matrix(_rows("make.csv"), year, "industry", "commodity", "musd", ind, com)
    tot = _rows("totals.csv")
    g = _matrix(tot, year, "code", "quantity", "musd", ind, ["industry_output"])[:, 0]
    q = _matrix(tot, year, "code", "quantity", "musd", com, ["commodity_output"])[:, 0]
    return {
        "use_intermediate": use[: len(com), : len(ind)],
        "use_final": use[: len(com), len(ind) :],
        "value_added": use[len(com) :, : len(ind)],
        "make": make,
        "industry_output": g,
        "commodity_output": q,
    }


def published_requirements(
    table: str, year: int, vintage: int | None = None
) -> NDArray[np.float64]:
    """BEA's published coefficient table, as shipped (to check :func:`load_bea` against).

    Parameters
    ----------
    table : {"direct", "total"}
        ``"direct"``: commodity-by-industry direct requirements, rows = the 73 commodities then
        V001–V003, columns = the 71 industries. ``"total"``: industry-by-industry total
        requirements, 71 x 71.
    year : int
        Table year (2023 for ``"direct"``, 2017 for ``"total"``).
    vintage : int, optional
        BEA release year of a ``"total"`` table (2021); default any.

    Returns
    -------
    ndarray

    Raises
    ------
    DataError
        Unknown ``table``, or no such table shipped for ``year``.

    Examples
    --------
    >>> pub = published_requirements("direct", 2023)
    >>> pub.shape
    (76, 71)
    """
    func = "published_requirements"
    check_choice(table, "table", func, ("direct", "total"))
    year = check_int(year, "year", func)
    name = "direct_requirements.csv" if table == "direct" else "total_requirements.csv"
    years = _years(name)
    if year not in years:
        raise fail(func, "year", f"one of {years} (the shipped {table} tables)", str(year))
    ind = _code_list("industry")
    if table == "direct":
        rows = _code_list("commodity") + _code_list("value_added")
        return _matrix(_rows(name), year, "row", "column", "coefficient", rows, ind)
    extra = None if vintage is None else {"vintage": str(vintage)}
    return _matrix(_rows(name), year, "row", "column", "coefficient", ind, ind, extra)


def _transformation(
    make: NDArray[np.float64],
    industry_output: NDArray[np.float64],
    commodity_output: NDArray[np.float64],
    *,
    scrap: int,
    drop: tuple[int, ...],
) -> NDArray[np.float64]:
    """BEA's scrap-adjusted market-share matrix ``W = diag(g/(g-h)) V diag(q)^-1``.

    Columns listed in ``drop`` (scrap, noncomparable imports) are set to zero.
    """
    q = commodity_output.copy()
    keep = np.ones(q.size, dtype=bool)
    keep[list(drop)] = False
    d = np.zeros_like(make)
    d[:, keep] = make[:, keep] / q[keep]
    h = make[:, scrap]
    nonscrap = (industry_output - h) / industry_output
    return d / nonscrap[:, None]


def _fte_by_industry(year: int, compensation: NDArray[np.float64]) -> NDArray[np.float64]:
    """NIPA Table 6.5D full-time-equivalent employees mapped to the 71 BEA industries.

    One-to-one lines are copied; a NIPA line shared by several IO industries (real estate →
    HS + ORE; federal general government → GFGD + GFGN) is split by the industries' shares of
    compensation of employees (V001) in ``compensation`` (same order as the industries).
    Returns persons (NIPA publishes thousands).
    """
    codes = _code_list("industry")
    mapping = {r["code"]: int(r["nipa_line"]) for r in _rows("fte_map.csv")}
    fte = {
        int(r["line"]): float(r["thousands"]) * 1e3
        for r in _rows("nipa_fte.csv")
        if int(r["year"]) == year
    }
    if not fte:
        raise DataError([Problem("nipa_fte.csv", None, "year", f"no figures for {year}")])
    missing = [c for c in codes if c not in mapping]
    if missing:
        raise DataError([Problem("fte_map.csv", None, "code", f"no NIPA line for {missing}")])
    lines = np.array([mapping[c] for c in codes])
    out = np.zeros(len(codes))
    for line in np.unique(lines):
        members = np.flatnonzero(lines == line)
        comp = compensation[members]
        share = comp / comp.sum() if comp.sum() > 0 else np.full(members.size, 1 / members.size)
        out[members] = fte[int(line)] * share
    return out


def _leontief_inverse(a: NDArray[np.float64], year: int) -> NDArray[np.float64]:
    """``L = (I - A)^-1`` of a shipped table, with one LU factorisation (LAPACK getrf).

    The table must describe a productive economy: ``A`` finite with spectral radius < 1 (BEA's
    use tables hold a few small negative cells, so column sums alone do not certify it).
    """
    rho = float(np.abs(np.linalg.eigvals(a)).max()) if np.isfinite(a).all() else np.inf
    if not rho < 1:
        raise DataError(
            [
                Problem(
                    "use.csv",
                    None,
                    "musd",
                    f"the {year} table is not productive: spectral radius of A is {rho:.6g} "
                    "(must be < 1)",
                )
            ]
        )
    n = a.shape[0]
    lu = sla.lu_factor(np.eye(n) - a, check_finite=False)
    return np.asarray(sla.lu_solve(lu, np.eye(n), check_finite=False))


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True, eq=False, repr=False)
class IOTable:
    """A US industry-by-industry input–output table with its satellite accounts.

    Made by :func:`load_bea`: BEA's tables and the coefficients BEA derives from them, nothing
    modelled. Money is in millions of current US dollars of ``year`` at producers' prices;
    industries are BEA summary codes in BEA's order. The models of
    :mod:`lahar.macro.input_output` take its arrays.

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
    final_demand_commodities : ndarray, shape (73, 20)
        The same columns by commodity as BEA's use table prints them (imports included, also
        for a ``domestic`` table).
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
    final_demand_commodities: NDArray[np.float64]
    final_demand_categories: tuple[str, ...]
    final_demand_names: tuple[str, ...]

    def __repr__(self) -> str:
        kind = "domestic" if self.domestic else "total (imports as if domestic)"
        return (
            f"<IOTable BEA {self.year}, {kind}: {self.n} industries, "
            f"{len(self.commodities)} commodities>"
        )

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
        r"""Industry shares of personal consumption expenditures (BEA column F010).

        .. math:: s_i = \frac{f^{ind}_{i,F010}}{\sum_k (W f^{com}_{F010})_k}

        For a full table they sum to 1; for a ``domestic`` table they sum to the domestic
        share of PCE (< 1): the rest of a consumption dollar buys imports.

        Returns
        -------
        ndarray, shape (71,)

        Examples
        --------
        >>> t = load_bea(2023, domestic=True)
        >>> print(f"{t.pce_shares().sum():.3f} of a consumption dollar buys US output")
        0.955 of a consumption dollar buys US output
        """
        k = self.final_demand_categories.index("F010")
        total = (self.market_shares @ self.final_demand_commodities[:, k]).sum()
        return self.final_demand[:, k] / total

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
            :func:`~lahar.macro.input_output.type_ii_multipliers` /
            :func:`~lahar.macro.input_output.closed_model`.

        Examples
        --------
        >>> from lahar.macro.input_output import type_i_multipliers, type_ii_multipliers
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

        Examples
        --------
        >>> t = load_bea(2023)
        >>> f = t.commodity_to_industry(np.eye(73)[t.commodities.index("23")])
        >>> print(f"{f.sum():.3f} of a dollar of construction lands on industries")
        1.000 of a dollar of construction lands on industries
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
        No table for ``year``, or a shipped table that does not make a productive economy.

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
    Miller, R. E. and Blair, P. D. (2009). *Input–Output Analysis: Foundations and
    Extensions*, 2nd ed., Cambridge University Press, §5.3 (industry-based technology) and
    §2.3.

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
    year = check_int(year, "year", "load_bea")
    years = _years("use.csv")
    if year not in years:
        raise fail("load_bea", "year", f"one of {years} (the shipped BEA use tables)", str(year))
    raw = _raw(year)
    codes = _codes()
    ind, com, fd = codes["industry"], codes["commodity"], codes["final_demand"]
    com_codes = [c for c, _ in com]
    fd_codes = [c for c, _ in fd]
    g, q = raw["industry_output"], raw["commodity_output"]
    scrap, other = com_codes.index("Used"), com_codes.index("Other")
    w = _transformation(raw["make"], g, q, scrap=scrap, drop=(scrap, other))
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
    ell = _leontief_inverse(a, year)
    va = raw["value_added"]
    comp = va[0]
    value_added = va.sum(axis=0)
    emp_raw = _raw(EMPLOYMENT_YEAR)
    fte = _fte_by_industry(EMPLOYMENT_YEAR, emp_raw["value_added"][0])
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
        final_demand_commodities=final_com.copy(),
        final_demand_categories=tuple(fd_codes),
        final_demand_names=tuple(nm for _, nm in fd),
    )


def scenario_table() -> IOTable:
    """The input–output table of the scenarios: BEA's latest summary table, domestic.

    One place decides which table every scenario, report and face uses: :func:`load_bea`'s
    default (latest) year with imports removed (``domestic=True``: most AI hardware is
    imported, so its demand leaks out of US GDP and jobs).

    Returns
    -------
    IOTable

    Examples
    --------
    >>> t = scenario_table()
    >>> t.year, t.domestic
    (2023, True)
    """
    return load_bea(domestic=True)


# --------------------------------------------------------------------------- bridges


@cache
def _bridge() -> tuple[tuple[str, str], ...]:
    """``(category, commodity)`` of ``ai_capex_bridge.csv``, checked against BEA's codes."""
    name = "ai_capex_bridge.csv"
    commodities = set(_code_list("commodity"))
    problems: list[Problem] = []
    seen: set[str] = set()
    out = []
    for line, r in _numbered(name):
        cat, com = r["category"].strip(), r["commodity"].strip()
        if not cat:
            problems.append(Problem(name, line, "category", "empty category"))
        elif cat in seen:
            problems.append(Problem(name, line, "category", f"duplicate category {cat!r}"))
        seen.add(cat)
        if com not in commodities:
            problems.append(
                Problem(name, line, "commodity", f"{com!r} is not a BEA summary commodity code")
            )
        out.append((cat, com))
    if not out:
        problems.append(Problem(name, None, "-", "no capex categories"))
    if problems:
        raise DataError(problems)
    return tuple(out)


def capex_categories() -> tuple[str, ...]:
    """The AI-capex categories of :func:`capex_bridge`, in the file's order.

    From ``data/bea/ai_capex_bridge.csv``; each has a ``capex_share_<category>`` row in
    ``parameters.csv`` (its share of AI capex).

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> capex_categories()[:3]
    ('it_equipment', 'construction', 'electrical_equipment')
    """
    return tuple(c for c, _ in _bridge())


def capex_bridge(table: IOTable | None = None) -> NDArray[np.float64]:
    """The AI-capex bridge: which BEA commodity each capex category buys.

    ``data/bea/ai_capex_bridge.csv`` assigns each category of :func:`capex_categories` to one
    BEA summary commodity by its NAICS definition: chips/servers/network gear → 334 (computer
    and electronic products), data-centre construction → 23, transformers and switchgear →
    335, cooling plant and turbines → 333, packaged software → 511, custom software and
    integration → 5415, cloud and hosting bought from others → 514, electricity and grid
    connections → 22. Values are at producers' prices (margins are not split out). Pass the
    result to :func:`lahar.macro.input_output.capex_final_demand`.

    Parameters
    ----------
    table : IOTable, optional
        Only its commodity order is used; default the BEA order.

    Returns
    -------
    ndarray, shape (73, K)
        Column ``k`` is a unit vector on the commodity bought by category ``k``.

    Raises
    ------
    DataError
        The bridge names a commodity missing from ``table`` (or from BEA's codes).

    References
    ----------
    U.S. Census Bureau, North American Industry Classification System (NAICS) 2017;
    BEA (2024), Input-Output Accounts: concordance of BEA industry codes to NAICS.

    Examples
    --------
    >>> M = capex_bridge()
    >>> t = load_bea(2023)
    >>> M.shape, capex_categories()[0], t.commodities[int(M[:, 0].argmax())]
    ((73, 8), 'it_equipment', '334')
    """
    commodities = table.commodities if table is not None else tuple(_code_list("commodity"))
    rows = _bridge()
    out = np.zeros((len(commodities), len(rows)))
    for k, (cat, com) in enumerate(rows):
        if com not in commodities:
            raise fail(
                "capex_bridge",
                "table",
                f"a table with commodity {com!r} (bought by {cat!r})",
                repr(table),
            )
        out[commodities.index(com), k] = 1.0
    return out


@cache
def _kinds() -> dict[str, str]:
    """``kind -> industry`` of ``kind_industries.csv``, checked against the network's kinds."""
    name = "kind_industries.csv"
    industries = set(_code_list("industry"))
    problems: list[Problem] = []
    out: dict[str, str] = {}
    for line, r in _numbered(name):
        kind, code = r["kind"].strip(), r["industry"].strip()
        if kind not in KINDS:
            problems.append(Problem(name, line, "kind", f"{kind!r} is not an entity kind"))
        elif kind in out:
            problems.append(Problem(name, line, "kind", f"duplicate kind {kind!r}"))
        if code and code not in industries:
            problems.append(
                Problem(name, line, "industry", f"{code!r} is not a BEA summary industry code")
            )
        out[kind] = code
    if problems:
        raise DataError(problems)
    return out


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
    DataError
        A kind the file does not map (the message lists the mapped ones).

    Examples
    --------
    >>> industry_of_kind("chipmaker"), industry_of_kind("hyperscaler"), industry_of_kind("person")
    ('334', '514', None)
    """
    rows = _kinds()
    check_choice(kind, "kind", "industry_of_kind", tuple(rows))
    return rows[kind] or None
