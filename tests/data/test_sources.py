"""Source classes and the primary-or-press share of the shipped dataset (issue 10, item 3)."""

from __future__ import annotations

import pytest

from lahar.data import read_tables
from lahar.data.audit import source_class_shares

MEASURED_FLOOR = 0.60
"""Primary-or-press share measured on 2026-12-02: 60.3 % after the re-sourcing pass, 58.4 % once
the 30 market values of listed firms (mostly market-data pages, class secondary) were merged, 60.3 %
after the third re-sourcing pass (442 of 733 rows); a ratchet: raise it, never lower it."""

TARGET = 0.60
"""Acceptance target of issue 10: at least 60 % of exposure and fact rows cite primary or press."""


@pytest.fixture(scope="module")
def tables():
    return read_tables()


def test_every_source_is_classified(tables):
    cls = tables["sources"]["source_class"]
    assert cls.notna().all()
    assert set(cls) <= {"primary", "press", "secondary", "unknown"}


def test_share_is_counted_over_exposure_and_fact_rows(tables):
    # Recount by hand from the tables: the function must agree.
    cls = tables["sources"].set_index("id")["source_class"]
    cited = list(tables["exposures"]["source_id"]) + list(tables["facts"]["source_id"])
    strong = sum(cls[s] in ("primary", "press") for s in cited)
    shares = source_class_shares()
    assert shares["primary"] + shares["press"] == pytest.approx(strong / len(cited))


def test_primary_or_press_share_does_not_fall():
    shares = source_class_shares()
    assert shares["primary"] + shares["press"] >= MEASURED_FLOOR


def test_primary_or_press_share_meets_the_target():
    shares = source_class_shares()
    assert shares["primary"] + shares["press"] >= TARGET


def test_no_high_confidence_on_a_weak_source(tables):
    cls = tables["sources"].set_index("id")["source_class"]
    for name in ("exposures", "facts"):
        t = tables[name]
        weak = t["source_id"].map(cls).isin(["secondary", "unknown"])
        assert not (weak & (t["confidence"] == "high")).any(), name
