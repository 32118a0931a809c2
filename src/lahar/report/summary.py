"""Summary of the dataset held in a store: what ``lahar run`` prints."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lahar.store import Store

__all__ = ["DatasetSummary", "dataset_summary"]


@dataclass(frozen=True)
class DatasetSummary:
    """Tables describing a dataset.

    Attributes
    ----------
    entities_by_kind : DataFrame
        ``kind, entities``.
    exposures_by_layer : DataFrame
        ``layer, status, exposures, amount_usd`` (nominal USD, not annualised) of the current
        exposures: a row superseded by a later one (its id in another row's ``supersedes``)
        is left out here and in ``confidence`` and ``largest``.
    sourced : DataFrame
        ``table, rows, sourced_rows, sourced_share, sources_with_url``: rows whose source id
        resolves to a source with a URL.
    confidence : DataFrame
        ``confidence, exposures, amount_usd, amount_share`` of exposures.
    largest : DataFrame
        The ten largest exposures with their source.
    superseded : DataFrame
        ``layer, exposures, amount_usd`` of the superseded rows, shown apart.
    """

    entities_by_kind: pd.DataFrame
    exposures_by_layer: pd.DataFrame
    sourced: pd.DataFrame
    confidence: pd.DataFrame
    largest: pd.DataFrame
    superseded: pd.DataFrame


# Rows that no other row supersedes (the convention of Network.exposures).
_CURRENT = (
    "(SELECT * FROM exposures WHERE id NOT IN "
    "(SELECT supersedes FROM exposures WHERE supersedes IS NOT NULL))"
)


def dataset_summary(store: Store, *, top: int = 10) -> DatasetSummary:
    """Summarise the dataset in ``store`` with SQL.

    Parameters
    ----------
    store : Store
        A store holding an imported dataset.
    top : int, default 10
        How many of the largest exposures to list.

    Returns
    -------
    DatasetSummary
    """
    q = store.sql
    sourced = q(
        """
        WITH s AS (SELECT id FROM sources WHERE url LIKE 'http%')
        SELECT 'entities' AS "table", count(*) AS rows,
               count(*) FILTER (WHERE source_id IN (SELECT id FROM s)) AS sourced_rows
        FROM entities
        UNION ALL
        SELECT 'exposures', count(*), count(*) FILTER (WHERE source_id IN (SELECT id FROM s))
        FROM exposures
        UNION ALL
        SELECT 'facts', count(*), count(*) FILTER (WHERE source_id IN (SELECT id FROM s))
        FROM facts
        """
    )
    sourced["sourced_share"] = sourced["sourced_rows"] / sourced["rows"].where(sourced["rows"] > 0)
    return DatasetSummary(
        entities_by_kind=q(
            "SELECT kind, count(*) AS entities FROM entities GROUP BY kind ORDER BY entities DESC, kind"
        ),
        exposures_by_layer=q(
            f"""SELECT layer, status, count(*) AS exposures, sum(amount_usd) AS amount_usd
               FROM {_CURRENT} GROUP BY layer, status ORDER BY layer, status"""
        ),
        sourced=sourced,
        confidence=q(
            f"""SELECT confidence, count(*) AS exposures, sum(amount_usd) AS amount_usd,
                      sum(amount_usd) / (SELECT sum(amount_usd) FROM {_CURRENT}) AS amount_share
               FROM {_CURRENT} GROUP BY confidence
               ORDER BY CASE confidence WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END"""
        ),
        largest=q(
            f"""SELECT e.id, src.name AS source, tgt.name AS target, e.layer, e.status,
                       e.amount_usd, e.term_years, s.publication, strftime(s.date, '%Y-%m-%d') AS date
                FROM {_CURRENT} e
                JOIN entities src ON src.id = e.source
                JOIN entities tgt ON tgt.id = e.target
                LEFT JOIN sources s ON s.id = e.source_id
                ORDER BY e.amount_usd DESC, e.id LIMIT {int(top)}"""
        ),
        superseded=q(
            f"""SELECT layer, count(*) AS exposures, sum(amount_usd) AS amount_usd
               FROM exposures WHERE id NOT IN (SELECT id FROM {_CURRENT})
               GROUP BY layer ORDER BY layer"""
        ),
    )
