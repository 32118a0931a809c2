"""The data model: entities, typed exposures and layer matrices over one stable entity order.

A :class:`Network` is immutable. Exposures are held column-wise in numpy arrays (source and
target as integer positions in the entity order, layer and status as small integer codes), so
a layer matrix is one vectorised ``coo -> csr`` conversion and a network of 10^6 entities and
10^7 exposures builds in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lahar.errors import DataError
from lahar.network._vocab import CONFIDENCES, KINDS, LAYERS, STATUSES

__all__ = [
    "CONFIDENCES",
    "KINDS",
    "LAYERS",
    "STATUSES",
    "Entity",
    "Exposure",
    "Network",
]

_ENTITY_COLUMNS = ("id", "name", "kind", "country", "parent")
_EXPOSURE_CORE = ("id", "source", "target", "layer", "amount_usd", "status", "term_years")
_FACT_RANK_CONFIDENCE = {"high": 0, "medium": 1, "low": 2}
_FACT_RANK_STATUS = {"reported": 0, "guidance": 1, "estimate": 2}
_FACT_RANK_BASIS = {"year": 0, "point": 0, "ttm": 1, "run_rate": 2}
_PARTIAL_BASES = ("half", "quarter", "multi_year")
"""Facts that cover part of a year (or several years): never taken as a year's figure."""


@dataclass(frozen=True)
class Entity:
    """One firm, fund, government, person or asset of the network.

    Attributes
    ----------
    id : str
        Stable identifier (lower-case slug in the shipped data).
    name : str
        Display name.
    kind : str
        One of :data:`KINDS`.
    country : str or None
        ISO 3166-1 alpha-2 code.
    parent : str or None
        Id of the controlling entity.
    """

    id: str
    name: str
    kind: str
    country: str | None = None
    parent: str | None = None


@dataclass(frozen=True)
class Exposure:
    """One typed tie ``source -> target`` in a layer.

    Attributes
    ----------
    id : str
        Stable identifier.
    source, target : str
        Entity ids; the meaning of the direction depends on the layer (``docs/data.md``).
    layer : str
        One of :data:`LAYERS`.
    amount_usd : float
        Nominal USD; for multi-year contracts the total over ``term_years``.
    status : str
        One of :data:`STATUSES`.
    term_years : float or None
        Contract length in years, if a multi-year commitment.
    """

    id: str
    source: str
    target: str
    layer: str
    amount_usd: float
    status: str
    term_years: float | None = None


def _names(value: str | Iterable[str] | None, allowed: tuple[str, ...], what: str) -> list[str]:
    if value is None:
        return list(allowed)
    names = [value] if isinstance(value, str) else list(value)
    unknown = [v for v in names if v not in allowed]
    if unknown:
        msg = f"Unknown {what} {unknown!r}; expected one of {', '.join(allowed)}."
        raise ValueError(msg)
    return names


def _readonly(a: NDArray[Any]) -> NDArray[Any]:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def _index_dtype(n: int, m: int) -> type:
    return np.int32 if max(n, m) < 2**31 - 1 else np.int64


class Network:
    """An immutable multi-layer network of entities and exposures.

    Build one with :meth:`from_frames`, :meth:`from_arrays`, :meth:`from_arrow`,
    :func:`lahar.data.load_network` (the shipped dataset) or :func:`lahar.network.synthetic`.

    Parameters
    ----------
    entities : pandas.DataFrame
        One row per entity with at least ``id``, ``name`` and ``kind``; row order is the entity
        order of every layer matrix.
    source, target : ndarray of int
        Positions of each exposure's ends in the entity order.
    layer, status : ndarray of int8
        Codes into :data:`LAYERS` and :data:`STATUSES`.
    amount : ndarray of float64
        Nominal USD.
    term_years : ndarray of float64
        Contract length, NaN where none.
    exposure_extra : pandas.DataFrame, optional
        Further exposure columns (``id``, ``date``, ``source_id``, ...), row-aligned.
    facts : pandas.DataFrame, optional
        Entity-level figures (``entity``, ``year``, ``metric``, ``value``, ...).

    Notes
    -----
    Use the ``from_*`` constructors; ``__init__`` trusts its inputs.

    Examples
    --------
    >>> import pandas as pd
    >>> from lahar.network import Network
    >>> ents = pd.DataFrame({"id": ["a", "b", "c"], "name": ["A", "B", "C"],
    ...                      "kind": ["chipmaker", "ai_lab", "neocloud"]})
    >>> exps = pd.DataFrame({
    ...     "id": ["x1", "x2", "x3"], "source": ["a", "b", "b"], "target": ["b", "a", "c"],
    ...     "layer": ["equity", "chip_purchase", "cloud_contract"],
    ...     "amount_usd": [100.0, 80.0, 60.0], "status": ["committed", "drawn", "committed"],
    ...     "term_years": [None, None, 3.0]})
    >>> net = Network.from_frames(ents, exps)
    >>> net.layer("cloud_contract", annualize=True).toarray()[1]
    array([ 0.,  0., 20.])
    >>> net.layer(("equity", "chip_purchase")).sum()
    np.float64(180.0)
    """

    __slots__ = (
        "_amount",
        "_entities",
        "_extra",
        "_facts",
        "_ids",
        "_index",
        "_layer",
        "_source",
        "_status",
        "_superseded",
        "_superseded_by",
        "_target",
        "_term",
        "_termless_years",
    )

    def __init__(
        self,
        entities: pd.DataFrame,
        source: NDArray[np.integer],
        target: NDArray[np.integer],
        layer: NDArray[np.int8],
        status: NDArray[np.int8],
        amount: NDArray[np.float64],
        term_years: NDArray[np.float64],
        *,
        exposure_extra: pd.DataFrame | None = None,
        facts: pd.DataFrame | None = None,
        termless_years: float = 1.0,
    ) -> None:
        if not (np.isfinite(termless_years) and termless_years > 0):
            msg = (
                "The 'termless_years' parameter of Network() must be a float > 0. "
                f"Got {termless_years!r} instead."
            )
            raise DataError(msg)
        self._termless_years = float(termless_years)
        self._entities = entities.reset_index(drop=True)
        self._ids = _readonly(self._entities["id"].to_numpy(dtype=object))
        self._index = pd.Index(self._ids)
        self._source = _readonly(source)
        self._target = _readonly(target)
        self._layer = _readonly(layer.astype(np.int8, copy=False))
        self._status = _readonly(status.astype(np.int8, copy=False))
        self._amount = _readonly(amount.astype(np.float64, copy=False))
        self._term = _readonly(term_years.astype(np.float64, copy=False))
        self._extra = None if exposure_extra is None else exposure_extra.reset_index(drop=True)
        by = np.full(len(self._amount), -1, dtype=np.int64)
        if self._extra is not None and {"id", "supersedes"} <= set(self._extra.columns):
            newer = np.flatnonzero(self._extra["supersedes"].notna().to_numpy())
            if newer.size:
                old = _positions(
                    self._extra["supersedes"].iloc[newer], _arrow_strings(self._extra["id"])
                )
                ok = old >= 0
                by[old[ok]] = newer[ok]
        self._superseded_by = _readonly(by)
        self._superseded = _readonly(by >= 0)
        self._facts = None if facts is None else facts.reset_index(drop=True)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(
        cls,
        ids: ArrayLike,
        source: ArrayLike,
        target: ArrayLike,
        amount: ArrayLike,
        *,
        layer: str | ArrayLike = "debt",
        status: str | ArrayLike = "drawn",
        term_years: ArrayLike | None = None,
        kinds: str | ArrayLike = "other",
        names: ArrayLike | None = None,
        facts: pd.DataFrame | None = None,
        termless_years: float = 1.0,
    ) -> Network:
        """Build a network from integer positions (the fast path for large networks).

        Parameters
        ----------
        ids : array_like of str, shape (n,)
            Entity ids, unique.
        source, target : array_like of int, shape (m,)
            Positions into ``ids``.
        amount : array_like of float, shape (m,)
            Nominal USD, >= 0.
        layer, status : str or array_like of str or int8 codes, optional
            One value for all exposures or one per exposure.
        term_years : array_like of float, optional
            NaN where not a multi-year contract.
        kinds, names : str or array_like, optional
            Entity kinds (default ``"other"``) and names (default: the ids).
        facts : pandas.DataFrame, optional
            Long-format facts (``entity``, ``year``, ``metric``, ``value``).
        termless_years : float, default 1.0
            Years over which an amount without ``term_years`` is paid (see
            :attr:`Network.years`).

        Returns
        -------
        Network
        """
        ids = np.asarray(ids, dtype=object)
        n = ids.size
        src = np.asarray(source)
        dst = np.asarray(target)
        amt = np.asarray(amount, dtype=np.float64)
        m = amt.size
        if src.shape != (m,) or dst.shape != (m,):
            msg = f"source, target and amount must have the same length; got {src.shape}, {dst.shape}, {amt.shape}."
            raise ValueError(msg)
        problems = []
        for name, pos in (("source", src), ("target", dst)):
            if m and (pos.min() < 0 or pos.max() >= n):
                problems.append(
                    f"{name} positions must lie in [0, {n}); got range [{pos.min()}, {pos.max()}]"
                )
        if not np.isfinite(amt).all() or (amt < 0).any():
            bad = int(np.flatnonzero(~np.isfinite(amt) | (amt < 0))[0])
            problems.append(f"amount must be finite and >= 0; got {amt[bad]} at exposure {bad}")
        if pd.Index(ids).has_duplicates:
            problems.append("entity ids must be unique")
        if problems:
            raise DataError("; ".join(problems))
        idt = _index_dtype(n, m)
        layer_codes = _codes(layer, LAYERS, "layer", m)
        status_codes = _codes(status, STATUSES, "status", m)
        term = (
            np.full(m, np.nan) if term_years is None else np.asarray(term_years, dtype=np.float64)
        )
        entities = pd.DataFrame(
            {
                "id": ids,
                "name": ids if names is None else np.asarray(names, dtype=object),
                "kind": np.broadcast_to(np.asarray(kinds, dtype=object), (n,)),
            }
        )
        return cls(
            entities,
            src.astype(idt, copy=False),
            dst.astype(idt, copy=False),
            layer_codes,
            status_codes,
            amt,
            term,
            facts=facts,
            termless_years=termless_years,
        )

    @classmethod
    def from_frames(
        cls,
        entities: pd.DataFrame,
        exposures: pd.DataFrame,
        facts: pd.DataFrame | None = None,
        *,
        termless_years: float = 1.0,
    ) -> Network:
        """Build a network from tables with entity ids (vectorised; no loop over rows).

        Parameters
        ----------
        entities : pandas.DataFrame
            Columns ``id``, ``name``, ``kind`` and optionally ``country``, ``parent`` and more.
        exposures : pandas.DataFrame
            Columns ``source``, ``target``, ``layer``, ``amount_usd``, ``status`` and optionally
            ``id``, ``term_years`` and more (kept as they are).
        facts : pandas.DataFrame, optional
            Columns ``entity``, ``year``, ``metric``, ``value`` and optionally more (``basis``,
            ``period_end``, ``low``, ``high``, ``status``, ``confidence``: see :meth:`fact`).
        termless_years : float, default 1.0
            Years over which an amount without ``term_years`` is paid (see
            :attr:`Network.years`).

        Returns
        -------
        Network

        Raises
        ------
        DataError
            Missing columns, unknown entity ids, layers or statuses, negative amounts; every
            problem is listed with its row.
        """
        problems: list[str] = []
        for frame, cols, what in (
            (entities, ("id", "name", "kind"), "entities"),
            (exposures, ("source", "target", "layer", "amount_usd", "status"), "exposures"),
        ):
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                problems.append(f"{what}: missing columns {missing}")
        if problems:
            raise DataError("; ".join(problems))
        keys = _arrow_strings(entities["id"])
        if pc.count_distinct(keys).as_py() != len(keys):
            counts = pc.value_counts(keys)
            dup = [
                str(v)
                for v, c in zip(counts.field(0), counts.field(1), strict=True)
                if c.as_py() > 1
            ]
            raise DataError(f"entities: duplicate ids {dup[:5]}")
        src = _positions(exposures["source"], keys)
        dst = _positions(exposures["target"], keys)
        for name, pos in (("source", src), ("target", dst)):
            bad = np.flatnonzero(pos < 0)
            if bad.size:
                vals = exposures[name].to_numpy(dtype=object)[bad[:5]].tolist()
                problems.append(f"exposures: unknown {name} ids {vals} (rows {bad[:5].tolist()})")
        amount = pd.to_numeric(exposures["amount_usd"], errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(amount) | (amount < 0))
        if bad.size:
            problems.append(
                f"exposures: amount_usd must be finite and >= 0 (rows {bad[:5].tolist()})"
            )
        try:
            layer = _codes(exposures["layer"], LAYERS, "layer", len(exposures))
            status = _codes(exposures["status"], STATUSES, "status", len(exposures))
        except ValueError as exc:
            problems.append(f"exposures: {exc}")
        if facts is not None:
            missing = [c for c in ("entity", "year", "metric", "value") if c not in facts.columns]
            if missing:
                problems.append(f"facts: missing columns {missing}")
            else:
                unknown = _positions(facts["entity"], keys) < 0
                if unknown.any():
                    rows = np.flatnonzero(unknown)[:5].tolist()
                    problems.append(f"facts: unknown entity ids (rows {rows})")
        if problems:
            raise DataError("; ".join(problems))
        term = (
            pd.to_numeric(exposures["term_years"], errors="coerce").to_numpy(dtype=np.float64)
            if "term_years" in exposures.columns
            else np.full(len(exposures), np.nan)
        )
        idt = _index_dtype(len(keys), len(exposures))
        extra_cols = [c for c in exposures.columns if c not in _EXPOSURE_CORE[1:]]
        extra = exposures[extra_cols] if extra_cols else None
        return cls(
            entities,
            src.astype(idt),
            dst.astype(idt),
            layer,
            status,
            amount,
            term,
            exposure_extra=extra,
            facts=facts,
            termless_years=termless_years,
        )

    @classmethod
    def from_arrow(cls, tables: Mapping[str, pa.Table], *, termless_years: float = 1.0) -> Network:
        """Build a network from Arrow tables ``entities``, ``exposures`` and optional ``facts``."""
        facts = tables.get("facts")
        return cls.from_frames(
            tables["entities"].to_pandas(),
            tables["exposures"].to_pandas(),
            None if facts is None else facts.to_pandas(),
            termless_years=termless_years,
        )

    # ------------------------------------------------------------------ export
    def to_pandas(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
        """Return ``(entities, exposures, facts)`` as DataFrames (copies)."""
        return self.entities, self.exposures, self.facts

    def to_arrow(self) -> dict[str, pa.Table]:
        """Return the tables as ``{"entities", "exposures"[, "facts"]}`` Arrow tables."""
        out = {
            "entities": pa.Table.from_pandas(self._entities, preserve_index=False),
            "exposures": pa.Table.from_pandas(self.exposures, preserve_index=False),
        }
        if self._facts is not None:
            out["facts"] = pa.Table.from_pandas(self._facts, preserve_index=False)
        return out

    # ------------------------------------------------------------------ properties
    @property
    def n(self) -> int:
        """Number of entities."""
        return len(self._ids)

    @property
    def m(self) -> int:
        """Number of exposures."""
        return len(self._amount)

    @property
    def ids(self) -> NDArray[np.object_]:
        """Entity ids in the stable order of every layer matrix (read-only)."""
        return self._ids

    @property
    def kinds(self) -> NDArray[np.object_]:
        """Entity kinds, aligned with :attr:`ids`."""
        return self._entities["kind"].to_numpy(dtype=object)

    @property
    def entities(self) -> pd.DataFrame:
        """The entity table (a copy; row i is entity i)."""
        return self._entities.copy()

    @property
    def exposures(self) -> pd.DataFrame:
        """The exposure table with entity ids, layer and status names (a new frame)."""
        core = pd.DataFrame(
            {
                "source": pd.array(self._ids[self._source], dtype="str"),
                "target": pd.array(self._ids[self._target], dtype="str"),
                "layer": pd.array(np.asarray(LAYERS, dtype=object)[self._layer], dtype="str"),
                "amount_usd": self._amount,
                "status": pd.array(np.asarray(STATUSES, dtype=object)[self._status], dtype="str"),
                "term_years": self._term,
            }
        )
        if self._extra is None or "id" not in self._extra:
            ids = np.char.add("x", np.arange(self.m).astype(str))
            core.insert(0, "id", pd.array(ids, dtype="str"))
        else:
            core.insert(0, "id", self._extra["id"].to_numpy())
        if self._extra is None:
            return core
        rest = [c for c in self._extra.columns if c != "id"]
        return pd.concat([core, self._extra[rest]], axis=1) if rest else core

    @property
    def facts(self) -> pd.DataFrame | None:
        """Entity-level figures in long format (a copy), or None."""
        return None if self._facts is None else self._facts.copy()

    @property
    def source(self) -> NDArray[np.integer]:
        """Source position of each exposure (read-only)."""
        return self._source

    @property
    def target(self) -> NDArray[np.integer]:
        """Target position of each exposure (read-only)."""
        return self._target

    @property
    def amount(self) -> NDArray[np.float64]:
        """Amount (nominal USD) of each exposure (read-only)."""
        return self._amount

    @property
    def term(self) -> NDArray[np.float64]:
        """``term_years`` of each exposure, NaN where the amount has no term (read-only)."""
        return self._term

    @property
    def layer_codes(self) -> NDArray[np.int8]:
        """Layer of each exposure as a code into :data:`LAYERS` (read-only)."""
        return self._layer

    @property
    def status_codes(self) -> NDArray[np.int8]:
        """Status of each exposure as a code into :data:`STATUSES` (read-only)."""
        return self._status

    @property
    def termless_years(self) -> float:
        """Years over which an amount without ``term_years`` is paid (see :attr:`years`)."""
        return self._termless_years

    @property
    def years(self) -> NDArray[np.float64]:
        r"""Years over which each exposure's amount is paid: the convention for every model.

        ``term_years`` where the row has one; otherwise :attr:`termless_years`, the dataset's
        convention for one-off amounts (equity rounds, loans, chip orders, pledges), which are
        paid or delivered over several years. An annual flow is ``amount / years``
        (:meth:`layer` with ``annualize=True``, money flows, commitment valuation). The shipped
        dataset sets it from the ``termless_years`` parameter (:func:`lahar.data.load_network`);
        a network built by hand defaults to 1 (a termless amount is one year's flow).
        """
        return np.where(np.isnan(self._term), self._termless_years, self._term)

    @property
    def current(self) -> NDArray[np.bool_]:
        """Exposures not replaced by a later row (``supersedes``): the figures that count now."""
        return ~self._superseded

    @property
    def superseded_by(self) -> NDArray[np.int64]:
        """Position of the exposure that replaces each row, -1 where none (read-only)."""
        return self._superseded_by

    def exposure_column(self, name: str) -> NDArray[np.object_]:
        """An optional exposure column (``capacity``, ``money_flow``, ``date``...) as an array.

        Missing values (and a column the network does not have) are ``None``.
        """
        if self._extra is None or name not in self._extra.columns:
            return np.full(self.m, None, dtype=object)
        col = self._extra[name]
        values: NDArray[np.object_] = col.to_numpy(dtype=object, copy=True)
        values[col.isna().to_numpy()] = None
        return values

    def __repr__(self) -> str:
        return f"<Network: {self.n} entities, {self.m} exposures>"

    def __len__(self) -> int:
        return self.n

    # ------------------------------------------------------------------ lookups
    def index_of(self, ids: str | Iterable[str]) -> int | NDArray[np.intp]:
        """Position(s) of entity id(s) in the entity order.

        Raises
        ------
        KeyError
            An id is not in the network.
        """
        if isinstance(ids, str):
            pos = self._index.get_indexer([ids])
            if pos[0] < 0:
                raise KeyError(f"No entity {ids!r} in the network.")
            return int(pos[0])
        wanted = list(ids)
        pos = self._index.get_indexer(wanted)
        if (pos < 0).any():
            missing = [w for w, p in zip(wanted, pos, strict=True) if p < 0]
            raise KeyError(f"No entities {missing[:5]!r} in the network.")
        return pos

    def entity(self, id: str) -> Entity:  # noqa: A002 - the natural name
        """Return one entity as an :class:`Entity`."""
        row = self._entities.iloc[self.index_of(id)]

        def opt(col: str) -> str | None:
            v = row.get(col)
            return (
                None
                if v is None or (isinstance(v, float) and np.isnan(v)) or pd.isna(v)
                else str(v)
            )

        return Entity(
            str(row["id"]), str(row["name"]), str(row["kind"]), opt("country"), opt("parent")
        )

    def exposure_list(self, layer: str | Iterable[str] | None = None) -> list[Exposure]:
        """Exposures as :class:`Exposure` objects (for small networks and inspection)."""
        frame = self.exposures
        if layer is not None:
            frame = frame[frame["layer"].isin(_names(layer, LAYERS, "layer"))]
        return [
            Exposure(
                str(r.id),
                str(r.source),
                str(r.target),
                str(r.layer),
                float(r.amount_usd),
                str(r.status),
                None if np.isnan(r.term_years) else float(r.term_years),
            )
            for r in frame.itertuples(index=False)
        ]

    # ------------------------------------------------------------------ layers
    def _mask(
        self,
        layer: str | Iterable[str] | None,
        status: str | Iterable[str] | None,
        include_superseded: bool = False,
    ) -> NDArray[np.bool_]:
        lcodes = [LAYERS.index(x) for x in _names(layer, LAYERS, "layer")]
        mask = np.isin(self._layer, np.asarray(lcodes, dtype=np.int8))
        if not include_superseded:
            mask &= ~self._superseded
        if status is not None:
            scodes = [STATUSES.index(x) for x in _names(status, STATUSES, "status")]
            mask &= np.isin(self._status, np.asarray(scodes, dtype=np.int8))
        return mask

    def layer(
        self,
        layer: str | Sequence[str],
        *,
        status: str | Sequence[str] | None = None,
        annualize: bool = False,
        weights: Mapping[str, float] | None = None,
        include_superseded: bool = False,
    ) -> sp.csr_array:
        """Layer matrix: ``A[i, j]`` = total amount of exposures ``i -> j`` in the layer(s).

        Parameters
        ----------
        layer : str or sequence of str
            One layer name, or several whose matrices are summed.
        status : str or sequence of str, optional
            Keep only exposures with these statuses (default: all).
        annualize : bool, default False
            Divide each amount by the years over which it is paid (:attr:`years`: the term, or
            :attr:`termless_years` for an amount without one).
        weights : mapping of str to float, optional
            Weight per status (e.g. ``{"announced": 0.25, "committed": 0.5, "drawn": 1.0}``);
            every status present in the selection must have a weight.
        include_superseded : bool, default False
            Keep exposures that a later exposure ``supersedes`` (e.g. a letter of intent
            replaced by a signed deal); by default only the newest figure counts.

        Returns
        -------
        scipy.sparse.csr_array
            Shape ``(n, n)``, float64, duplicates summed, in the entity order :attr:`ids`.
        """
        mask = self._mask(layer, status, include_superseded)
        vals = self._amount[mask]
        if annualize:
            vals = vals / self.years[mask]
        if weights is not None:
            present = {STATUSES[c] for c in np.unique(self._status[mask])}
            missing = sorted(present - set(weights))
            if missing:
                msg = (
                    "The 'weights' parameter of Network.layer() must give a weight for every "
                    f"status present in the selected layers. Got no weight for {missing} instead."
                )
                raise DataError(msg)
            table = np.array([float(weights.get(s, 0.0)) for s in STATUSES])
            if (table < 0).any() or not np.isfinite(table).all():
                msg = (
                    "The 'weights' parameter of Network.layer() must hold finite weights >= 0. "
                    f"Got {dict(weights)!r} instead."
                )
                raise DataError(msg)
            vals = vals * table[self._status[mask]]
        n = self.n
        coo = sp.coo_array((vals, (self._source[mask], self._target[mask])), shape=(n, n))
        out = coo.tocsr()
        out.sum_duplicates()
        return out

    # ------------------------------------------------------------------ facts
    def fact(
        self,
        metric: str,
        year: int | None = None,
        *,
        status: str | Iterable[str] | None = None,
        which: str = "value",
    ) -> NDArray[np.float64]:
        """One figure per entity: ``metric`` as of ``year``, chosen by :meth:`fact_rows`.

        Parameters
        ----------
        metric : str
            A facts metric (e.g. ``"book_equity"``, ``"revenue"``).
        year : int, optional
            The latest figure of this year or an earlier one (default: the latest overall).
        status : str or iterable of str, optional
            Only facts of these statuses (``reported``, ``guidance``, ``estimate``).
        which : {"value", "low", "high"}, default "value"
            The central value or an end of its range (``low``/``high`` fall back to the value
            where a figure has no range).

        Returns
        -------
        ndarray, shape (n,)
            NaN where the entity has no such figure.

        Examples
        --------
        A full year is never replaced by a later quarter:

        >>> import pandas as pd
        >>> from lahar.network import Network
        >>> facts = pd.DataFrame({
        ...     "entity": ["a", "a", "a"], "year": [2025, 2026, 2025], "metric": ["revenue"] * 3,
        ...     "value": [57.4, 14.9, 50.0], "basis": ["year", "quarter", "run_rate"],
        ...     "period_end": ["2025-05-31", "2025-08-31", "2025-03-31"]})
        >>> net = Network.from_arrays(["a"], [], [], [], facts=facts)
        >>> net.fact("revenue").tolist()
        [57.4]
        """
        if which not in ("value", "low", "high"):
            msg = f"The 'which' parameter of Network.fact() must be 'value', 'low' or 'high'. Got {which!r} instead."
            raise DataError(msg)
        out = np.full(self.n, np.nan)
        rows = self.fact_rows(metric, year, status=status)
        if rows.empty:
            return out
        vals = rows["value"].to_numpy(dtype=np.float64)
        if which != "value" and which in rows:
            end = rows[which].to_numpy(dtype=np.float64)
            vals = np.where(np.isnan(end), vals, end)
        out[rows["position"].to_numpy()] = vals
        return out

    def fact_rows(
        self,
        metric: str,
        year: int | None = None,
        *,
        status: str | Iterable[str] | None = None,
        partial: bool = False,
    ) -> pd.DataFrame:
        """The facts row that counts for each entity: the one convention for "a firm's figure".

        Rules, in order (each breaks the ties of the one before):

        1. Rows of ``metric`` with ``year <= year`` (all rows when ``year`` is None), and of the
           given ``status`` when one is given.
        2. Unless ``partial``, rows whose ``basis`` covers part of a year or several years
           (``half``, ``quarter``, ``multi_year``) are left out: a full-year flow is never
           silently replaced by a quarter. Stocks (``basis = point``) are figures at a date.
        3. The latest ``year``, then the latest ``period_end`` (a stock at its latest date).
        4. A full year before a trailing twelve months before a run-rate (``basis``).
        5. The most confident (high > medium > low), then reported > guidance > estimate,
           then the last row of the file.

        Parameters
        ----------
        metric : str
            A facts metric.
        year : int, optional
            Latest fiscal or calendar year to consider.
        status : str or iterable of str, optional
            Keep only these statuses.
        partial : bool, default False
            Also consider figures of part of a year (or of several years).

        Returns
        -------
        pandas.DataFrame
            One row per entity that has a figure: the facts columns plus ``position`` (the
            entity's position in :attr:`ids`), in entity order.
        """
        if self._facts is None or len(self._facts) == 0:
            return pd.DataFrame({"position": pd.Series([], dtype=np.int64)})
        f = self._facts
        keep = (f["metric"] == metric).to_numpy().copy()
        if year is not None:
            keep &= (f["year"] <= year).to_numpy()
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            keep &= f["status"].isin(wanted).to_numpy() if "status" in f else False
        if not partial and "basis" in f:
            keep &= ~f["basis"].isin(_PARTIAL_BASES).to_numpy()
        rows = np.flatnonzero(keep)
        f = f.iloc[rows]
        pos = self._index.get_indexer(f["entity"].to_numpy(dtype=object))

        def rank(col: str, table: Mapping[str, int]) -> Any:
            return f[col].map(table).fillna(3).to_numpy() if col in f else 0

        end = (
            pd.to_datetime(f["period_end"], errors="coerce").to_numpy()
            if "period_end" in f
            else np.full(len(f), np.datetime64("NaT", "ns"))
        )
        order = pd.DataFrame(
            {
                "pos": pos,
                "year": f["year"].to_numpy(),
                "end": end,
                "basis": rank("basis", _FACT_RANK_BASIS),
                "conf": rank("confidence", _FACT_RANK_CONFIDENCE),
                "stat": rank("status", _FACT_RANK_STATUS),
                "row": np.arange(len(f)),
            }
        )
        order = order[order["pos"] >= 0].sort_values(
            ["pos", "year", "end", "basis", "conf", "stat", "row"],
            ascending=[True, False, False, True, True, True, False],
            na_position="last",
        )
        best = order.drop_duplicates("pos", keep="first")
        out = f.iloc[best["row"].to_numpy()].reset_index(drop=True)
        out.insert(0, "position", best["pos"].to_numpy())
        if "value" in out:
            out["value"] = pd.to_numeric(out["value"], errors="coerce")
        return out

    # ------------------------------------------------------------------ sub-networks
    def subnetwork(self, entities: Iterable[str] | NDArray[np.bool_]) -> Network:
        """Restrict the network to some entities and the exposures between them.

        Parameters
        ----------
        entities : iterable of str or boolean mask of shape (n,)
            Entity ids to keep, or a mask over :attr:`ids`; the kept entities keep their
            relative order.
        """
        arr = np.asarray(entities if not isinstance(entities, str) else [entities])
        if arr.dtype == bool:
            if arr.shape != (self.n,):
                raise ValueError(f"A boolean mask must have shape ({self.n},); got {arr.shape}.")
            keep = arr
        else:
            keep = np.zeros(self.n, dtype=bool)
            keep[self.index_of(list(arr))] = True
        newpos = np.cumsum(keep) - 1
        emask = keep[self._source] & keep[self._target]
        ents = self._entities[keep]
        facts = None
        if self._facts is not None:
            facts = self._facts[self._facts["entity"].isin(set(ents["id"]))]
        idt = _index_dtype(int(keep.sum()), int(emask.sum()))
        return Network(
            ents,
            newpos[self._source[emask]].astype(idt),
            newpos[self._target[emask]].astype(idt),
            self._layer[emask],
            self._status[emask],
            self._amount[emask],
            self._term[emask],
            exposure_extra=None if self._extra is None else self._extra[emask],
            facts=facts,
            termless_years=self._termless_years,
        )

    def select(
        self,
        *,
        layers: str | Iterable[str] | None = None,
        status: str | Iterable[str] | None = None,
    ) -> Network:
        """Keep all entities but only the exposures of some layers and/or statuses.

        Superseded exposures are kept (and stay superseded) so the result can be written back
        as a dataset.
        """
        mask = self._mask(layers, status, include_superseded=True)
        return Network(
            self._entities,
            self._source[mask],
            self._target[mask],
            self._layer[mask],
            self._status[mask],
            self._amount[mask],
            self._term[mask],
            exposure_extra=None if self._extra is None else self._extra[mask],
            facts=self._facts,
            termless_years=self._termless_years,
        )

    def equals(self, other: object) -> bool:
        """Whether two networks hold the same entities, exposures and facts, in the same order."""
        if not isinstance(other, Network):
            return False
        for x, y in zip(self.to_pandas(), other.to_pandas(), strict=True):
            if (x is None) != (y is None):
                return False
            if x is None:
                continue
            try:
                pd.testing.assert_frame_equal(
                    x.reset_index(drop=True),
                    y.reset_index(drop=True),
                    check_dtype=False,
                    check_exact=True,
                )
            except AssertionError:
                return False
        return True


def _arrow_strings(values: ArrayLike | pd.Series) -> pa.Array:
    """Values as an Arrow string array (zero-copy for Arrow-backed pandas string columns)."""
    if not isinstance(values, pd.Series):
        values = np.asarray(values, dtype=object)
    arr = pa.array(values, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    return arr


def _positions(values: ArrayLike | pd.Series, keys: pa.Array) -> NDArray[np.int64]:
    """Position of each value in ``keys`` (an Arrow hash lookup), -1 where absent."""
    pos = pc.fill_null(pc.index_in(_arrow_strings(values), value_set=keys), -1)
    return pos.to_numpy(zero_copy_only=False)


def _codes(
    values: str | ArrayLike | pd.Series, allowed: tuple[str, ...], what: str, m: int
) -> NDArray[np.int8]:
    """Map names (or pass through int codes) to int8 codes, raising on unknown names."""
    if isinstance(values, str):
        _names(values, allowed, what)
        return np.full(m, allowed.index(values), dtype=np.int8)
    if not isinstance(values, pd.Series):
        arr = np.asarray(values)
        if arr.dtype.kind in "iu":
            if arr.size and (arr.min() < 0 or arr.max() >= len(allowed)):
                raise ValueError(f"{what} codes must lie in [0, {len(allowed)}).")
            return arr.astype(np.int8)
    codes = _positions(values, pa.array(allowed))
    bad = np.flatnonzero(codes < 0)
    if bad.size:
        found = sorted({str(v) for v in np.asarray(values, dtype=object)[bad[:20]]})
        msg = f"unknown {what} values {found} (rows {bad[:5].tolist()}); expected one of {', '.join(allowed)}"
        raise ValueError(msg)
    return codes.astype(np.int8)
