"""Re-check the dataset by hand: a reproducible random sample of sourced rows, and source shares.

:func:`sample_rows` draws rows of ``exposures.csv``, ``facts.csv`` and ``parameters.csv``
uniformly without replacement, and returns each row's figure with the source it rests on
(publication, date, address) and that source's class, so that anyone can look the figure up
again. :func:`source_class_shares` measures how much of the dataset rests on primary documents
and established press (the rules are in ``docs/data.md``, "Sources and confidence").
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from lahar.data._validate import _dir, read_tables
from lahar.errors import DataError

__all__ = ["AUDIT_COLUMNS", "sample_rows", "source_class_shares"]

AUDIT_COLUMNS: tuple[str, ...] = (
    "file",
    "id",
    "row",
    "figure",
    "unit",
    "status",
    "confidence",
    "source_id",
    "source_class",
    "publication",
    "date",
    "url",
)
"""Columns of the frame :func:`sample_rows` returns."""


def _check_count(x: object, name: str, minimum: int) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < minimum:
        raise DataError(
            f"The '{name}' parameter of sample_rows() must be an integer >= {minimum}. "
            f"Got {x!r} instead."
        )
    return int(x)


def _parameters(directory: Path) -> pd.DataFrame:
    path = directory / "parameters.csv"
    if not path.exists():
        return pd.DataFrame(columns=["id", "name", "value", "unit", "status", "source_id"])
    with path.open(encoding="utf-8", newline="") as fh:
        return pd.DataFrame(list(csv.DictReader(fh)), dtype="str")


def _pool(directory: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every auditable row (exposures, facts, parameters, in file order) and the sources."""
    tables = read_tables(directory)
    x, f, p = tables["exposures"], tables["facts"], _parameters(directory)
    parts = [
        pd.DataFrame(
            {
                "file": "exposures.csv",
                "id": x["id"],
                "row": x["source"]
                + " -> "
                + x["target"]
                + " ("
                + x["layer"]
                + ", "
                + x["date"]
                + ")",
                "figure": x["amount_usd"].astype("float64"),
                "unit": "USD",
                "status": x["status"],
                "confidence": x["confidence"],
                "source_id": x["source_id"],
            }
        ),
        pd.DataFrame(
            {
                "file": "facts.csv",
                "id": f["id"],
                "row": f["entity"] + " " + f["metric"] + " " + f["year"].astype(str),
                "figure": f["value"].astype("float64"),
                "unit": f["unit"],
                "status": f["status"],
                "confidence": f["confidence"],
                "source_id": f["source_id"],
            }
        ),
        pd.DataFrame(
            {
                "file": "parameters.csv",
                "id": p["id"],
                "row": p["name"],
                "figure": pd.to_numeric(p["value"], errors="coerce"),
                "unit": p["unit"],
                "status": p["status"],
                "confidence": "-",
                "source_id": p["source_id"],
            }
        ),
    ]
    pool = pd.concat([q for q in parts if len(q)], ignore_index=True)
    return pool, tables["sources"]


def sample_rows(n: int = 50, seed: int = 0, directory: str | Path | None = None) -> pd.DataFrame:
    """Draw a reproducible random sample of sourced rows to re-check by hand.

    The pool is every row of ``exposures.csv``, ``facts.csv`` and ``parameters.csv`` in file
    order; ``numpy.random.default_rng(seed).choice(len(pool), min(n, len(pool)),
    replace=False)`` picks the rows, which are returned in pool order. The same dataset and
    seed always give the same sample.

    Parameters
    ----------
    n : int, default 50
        Number of rows (>= 1); the whole pool if it has fewer.
    seed : int, default 0
        Seed of the generator (>= 0).
    directory : str or Path, optional
        Dataset folder; default: the shipped dataset.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AUDIT_COLUMNS`: the file and id of the row, what it describes, the
        figure and its unit, status and confidence, and its source (id, class, publication,
        date, url).

    Raises
    ------
    DataError
        The dataset does not validate, or ``n`` or ``seed`` is out of range.

    Examples
    --------
    >>> from lahar.data.audit import sample_rows
    >>> s = sample_rows(5, seed=1)
    >>> len(s), s["url"].str.startswith("http").all()
    (5, np.True_)
    >>> s["id"].tolist() == sample_rows(5, seed=1)["id"].tolist()
    True
    """
    n, seed = _check_count(n, "n", 1), _check_count(seed, "seed", 0)
    pool, sources = _pool(_dir(directory))
    pick = np.sort(np.random.default_rng(seed).choice(len(pool), min(n, len(pool)), replace=False))
    out = pool.iloc[pick].merge(
        sources[["id", "source_class", "publication", "date", "url"]].rename(
            columns={"id": "source_id"}
        ),
        on="source_id",
        how="left",
    )
    return out.loc[:, list(AUDIT_COLUMNS)].reset_index(drop=True)


def source_class_shares(directory: str | Path | None = None) -> pd.Series:
    """Share of exposure and fact rows by the class of the source they cite.

    Parameters
    ----------
    directory : str or Path, optional
        Dataset folder; default: the shipped dataset.

    Returns
    -------
    pandas.Series
        Index ``primary``, ``press``, ``secondary``, ``unknown``; values are fractions of all
        exposure and fact rows (they sum to 1).

    Examples
    --------
    >>> from lahar.data.audit import source_class_shares
    >>> s = source_class_shares()
    >>> bool(abs(s.sum() - 1) < 1e-12)
    True
    """
    tables = read_tables(_dir(directory))
    cls = tables["sources"].set_index("id")["source_class"]
    cited = pd.concat([tables["exposures"]["source_id"], tables["facts"]["source_id"]])
    counts = cited.map(cls).value_counts()
    shares = counts.reindex(["primary", "press", "secondary", "unknown"], fill_value=0) / len(cited)
    return shares.astype("float64").rename("share").rename_axis("source_class")
