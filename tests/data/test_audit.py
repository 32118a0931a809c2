"""``lahar.data.audit`` and ``lahar data audit`` on the mini fixture and the shipped dataset."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from lahar.cli import app
from lahar.data.audit import AUDIT_COLUMNS, sample_rows, source_class_shares
from lahar.errors import DataError

from ..conftest import MINI


def test_sample_is_the_documented_draw():
    # Mini pool: X1..X6 then F1..F4 (no parameters.csv); the draw is numpy's, sorted.
    want = np.sort(np.random.default_rng(11).choice(10, 4, replace=False))
    ids = ["X1", "X2", "X3", "X4", "X5", "X6", "F1", "F2", "F3", "F4"]
    s = sample_rows(4, seed=11, directory=MINI)
    assert list(s.columns) == list(AUDIT_COLUMNS)
    assert s["id"].tolist() == [ids[i] for i in want]


def test_sample_carries_figure_and_source():
    s = sample_rows(10, seed=0, directory=MINI).set_index("id")
    assert len(s) == 10  # the whole pool
    assert s.loc["X4", "figure"] == 300e9
    assert s.loc["X4", "row"] == "openai -> oracle (cloud_contract, 2025-09-10)"
    assert s.loc["X4", "publication"] == "CNBC"
    assert s.loc["X4", "source_class"] == "press"
    assert s.loc["F2", "row"] == "nvidia book_equity 2024"
    assert s.loc["F2", "url"] == "https://www.sec.gov/example"
    assert s.loc["F2", "source_class"] == "primary"


def test_sample_is_reproducible_and_seed_dependent():
    a, b = sample_rows(50, seed=5), sample_rows(50, seed=5)
    assert a.equals(b)
    assert a["id"].tolist() != sample_rows(50, seed=6)["id"].tolist()
    assert a["url"].notna().all()
    assert a["source_class"].notna().all()
    assert set(a["file"]) <= {"exposures.csv", "facts.csv", "parameters.csv"}


@pytest.mark.parametrize(("n", "seed"), [(0, 1), (5, -1), (2.5, 1), (True, 1)])
def test_bad_arguments(n, seed):
    with pytest.raises(DataError, match="parameter of sample_rows"):
        sample_rows(n, seed, directory=MINI)


def test_source_class_shares_by_hand():
    # Mini: X1, X2 cite S1, X3 S2, X4, X5 S3 (all press); X6 and F1..F4 cite S4 (primary).
    s = source_class_shares(MINI)
    assert s["press"] == pytest.approx(5 / 10)
    assert s["primary"] == pytest.approx(5 / 10)
    assert s["secondary"] == 0
    assert s["unknown"] == 0


def test_cli_audit():
    result = CliRunner().invoke(app, ["data", "audit", str(MINI), "--n", "3", "--seed", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 4
    assert lines[-1] == (
        "exposure and fact rows by source class: primary 50.0%, press 50.0%, secondary 0.0%, "
        "unknown 0.0%"
    )
