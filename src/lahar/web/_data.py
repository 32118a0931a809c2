"""The dataset of a store, held in memory for the API: entities, figures, exposures, sources.

Read once when the app starts (the store's four dataset tables and the
:class:`~lahar.network.Network` built from them); every list is then a filter over these
frames. The conventions are the network's: the figure that counts for an entity is
:meth:`Network.fact_rows <lahar.network.Network.fact_rows>`, an exposure is current unless a
later row supersedes it (:attr:`Network.current <lahar.network.Network.current>`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lahar.data import metrics, network_from_tables
from lahar.errors import StoreError
from lahar.network import Network
from lahar.store import Store

__all__ = ["BALANCE_SHEET", "Dataset", "cell", "records"]

BALANCE_SHEET: tuple[str, ...] = (
    "total_assets",
    "cash",
    "debt",
    "lease_liabilities",
    "book_equity",
    "market_cap",
)
"""Metrics shown as an entity's balance sheet, in this order (USD stocks of metrics.csv)."""

_FIGURE_COLUMNS = (
    "metric",
    "value",
    "low",
    "high",
    "unit",
    "nature",
    "year",
    "period",
    "period_end",
    "basis",
    "status",
    "confidence",
    "source_id",
)
"""Columns of a :class:`~lahar.web._models.Figure`, as in the facts table."""


def cell(v: Any) -> Any:
    """A value JSON can carry: numpy scalars to Python, NaN/NaT/inf to None."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, bool | int | str):
        return v
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return str(v)


def records(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows of a frame as dicts of JSON-safe cells."""
    cols = list(frame.columns if columns is None else columns)
    data = [frame[c].tolist() if c in frame.columns else [None] * len(frame) for c in cols]
    return [{c: cell(v) for c, v in zip(cols, row, strict=True)} for row in zip(*data, strict=True)]


def _contains(col: pd.Series, text: str) -> pd.Series:
    return col.fillna("").astype(str).str.contains(text, case=False, regex=False)


@dataclass(frozen=True)
class Dataset:
    """A store's dataset, ready to page and filter.

    Attributes
    ----------
    network : Network
        The network built from the store (the shipped parameters' conventions).
    entities, exposures, facts, sources : DataFrame
        The tables; ``exposures`` has ``current``, ``source_name`` and ``target_name`` added.
    figures : DataFrame
        The figure that counts for each (entity, metric): :meth:`Network.fact_rows`.
    digest : str or None
        The store's dataset digest.
    """

    network: Network
    entities: pd.DataFrame
    exposures: pd.DataFrame
    facts: pd.DataFrame
    sources: pd.DataFrame
    figures: pd.DataFrame
    digest: str | None

    @classmethod
    def from_store(cls, store: Store) -> Dataset:
        """Read a store's dataset and build its network (raises StoreError when it has none)."""
        tables = store.read_tables()
        if tables["entities"].empty:
            raise StoreError(f"Store {store.path} holds no dataset; run `lahar data import` first.")
        net = network_from_tables(tables)
        ents = tables["entities"].reset_index(drop=True)
        names = dict(zip(ents["id"], ents["name"], strict=True))
        exp = net.exposures
        exp["current"] = net.current
        exp["source_name"] = exp["source"].map(names)
        exp["target_name"] = exp["target"].map(names)
        units = {k: (m.unit, m.nature) for k, m in metrics().items()}
        facts = tables["facts"]
        rows = []
        for metric in pd.unique(facts["metric"]):
            r = net.fact_rows(str(metric))
            if not r.empty:
                r = r.assign(entity=net.ids[r["position"].to_numpy()])
                rows.append(r)
        figures = pd.concat(rows, ignore_index=True) if rows else facts.head(0).assign(position=[])
        figures["nature"] = figures["metric"].map(lambda m: units.get(m, (None, None))[1])
        digest = store.sql("SELECT value FROM lahar_meta WHERE key = 'dataset_digest'")
        return cls(
            network=net,
            entities=ents,
            exposures=exp,
            facts=facts,
            sources=tables["sources"],
            figures=figures,
            digest=None if digest.empty else str(digest["value"].iloc[0]),
        )

    # ------------------------------------------------------------------ entities
    def entity_rows(
        self, *, q: str | None = None, kind: str | None = None, country: str | None = None
    ) -> pd.DataFrame:
        """Entities matching a search (id, name or ticker contain ``q``), kind and country."""
        e = self.entities
        keep = np.ones(len(e), dtype=bool)
        if q:
            keep &= (
                _contains(e["id"], q) | _contains(e["name"], q) | _contains(e["ticker"], q)
            ).to_numpy()
        if kind:
            keep &= (e["kind"] == kind).to_numpy()
        if country:
            keep &= (e["country"].str.upper() == country.upper()).to_numpy()
        return e[keep]

    def balance_sheets(self, ids: Iterable[str]) -> dict[str, dict[str, float]]:
        """Balance-sheet figures (:data:`BALANCE_SHEET`) of some entities."""
        wanted = list(ids)
        f = self.figures
        f = f[f["entity"].isin(wanted) & f["metric"].isin(BALANCE_SHEET)]
        out: dict[str, dict[str, float]] = {e: {} for e in wanted}
        for ent, metric, value in zip(f["entity"], f["metric"], f["value"], strict=True):
            v = cell(value)
            if v is not None:
                out[ent][metric] = float(v)
        order = {m: k for k, m in enumerate(BALANCE_SHEET)}
        return {e: dict(sorted(d.items(), key=lambda kv: order[kv[0]])) for e, d in out.items()}

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        """One entity as a dict, with its balance sheet; None if unknown."""
        hit = self.entities[self.entities["id"] == entity_id]
        if hit.empty:
            return None
        row = records(hit)[0]
        row["end_investor"] = row.get("end_investor") == "yes"
        row["balance_sheet"] = self.balance_sheets([entity_id])[entity_id]
        return row

    def entity_list(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        """Entity rows as dicts with their balance sheets."""
        sheets = self.balance_sheets(frame["id"])
        out = records(frame)
        for row in out:
            row["end_investor"] = row.get("end_investor") == "yes"
            row["balance_sheet"] = sheets[row["id"]]
        return out

    def figures_of(self, entity_id: str) -> list[dict[str, Any]]:
        """The figures that count for an entity: balance sheet first, then metric order."""
        f = self.figures[self.figures["entity"] == entity_id]
        order: dict[str, int] = {}
        for m in (*BALANCE_SHEET, *metrics()):
            order.setdefault(m, len(order))
        f = f.assign(_o=f["metric"].map(order).fillna(len(order))).sort_values("_o")
        rows = records(f, [*_FIGURE_COLUMNS, "id"])
        for r in rows:
            r["fact_id"] = r.pop("id")
        return rows

    # ------------------------------------------------------------------ exposures
    def exposure_rows(
        self,
        *,
        layer: str | None = None,
        status: str | None = None,
        entity: str | None = None,
        source: str | None = None,
        target: str | None = None,
        current: bool | None = None,
    ) -> pd.DataFrame:
        """Exposures matching the filters (``entity``: either side)."""
        x = self.exposures
        keep = np.ones(len(x), dtype=bool)
        for col, val in (("layer", layer), ("status", status), ("source", source)):
            if val:
                keep &= (x[col] == val).to_numpy()
        if target:
            keep &= (x["target"] == target).to_numpy()
        if entity:
            keep &= ((x["source"] == entity) | (x["target"] == entity)).to_numpy()
        if current is not None:
            keep &= x["current"].to_numpy() == current
        return x[keep]

    # ------------------------------------------------------------------ sources, facts
    def source_rows(self, *, q: str | None = None, source_class: str | None = None) -> pd.DataFrame:
        """Sources whose publication or title contains ``q``, of a class."""
        s = self.sources
        keep = np.ones(len(s), dtype=bool)
        if q:
            keep &= (
                _contains(s["publication"], q) | _contains(s["title"], q) | _contains(s["id"], q)
            ).to_numpy()
        if source_class:
            keep &= (s["source_class"] == source_class).to_numpy()
        return s[keep]

    def sources_by_id(self, ids: Iterable[Any]) -> list[dict[str, Any]]:
        """The sources of some ids (missing ids skipped), in id order of first use."""
        seen: dict[str, None] = {}
        for i in ids:
            if isinstance(i, str) and i:
                seen.setdefault(i, None)
        s = self.sources.set_index("id", drop=False)
        found = [i for i in seen if i in s.index]
        return records(s.loc[found]) if found else []

    def cited_by(self, source_id: str) -> dict[str, int]:
        """How many rows of each table cite a source."""
        return {
            "entities": int((self.entities["source_id"] == source_id).sum()),
            "exposures": int((self.exposures["source_id"] == source_id).sum()),
            "facts": int((self.facts["source_id"] == source_id).sum()),
        }

    def fact_rows(
        self,
        *,
        entity: str | None = None,
        metric: str | None = None,
        year: int | None = None,
        status: str | None = None,
    ) -> pd.DataFrame:
        """Facts matching the filters."""
        f = self.facts
        keep = np.ones(len(f), dtype=bool)
        for col, val in (("entity", entity), ("metric", metric), ("status", status)):
            if val:
                keep &= (f[col] == val).to_numpy()
        if year is not None:
            keep &= (f["year"] == year).to_numpy()
        return f[keep]

    def counts(self) -> Mapping[str, int]:
        """Rows of each dataset table."""
        return {
            "entities": len(self.entities),
            "exposures": len(self.exposures),
            "facts": len(self.facts),
            "sources": len(self.sources),
        }
