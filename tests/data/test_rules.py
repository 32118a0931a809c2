"""Each consistency rule of ``lahar data validate``, planted as a fault in a copy of the mini set.

The mini fixture (tests/fixtures/mini) is valid; each test changes one thing and checks that the
CLI names the file, the line (header = 1; X6 spans lines 7-8) and the field.
"""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from lahar.cli import app
from lahar.data import validate


def edit(path: Path, row_id: str, **values: str) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    for r in rows:
        if r["id"] == row_id:
            r.update(values)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def append(path: Path, **values: str) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        fields = next(csv.reader(fh))
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=fields, lineterminator="\n", restval="").writerow(values)


def fact(entity: str, metric: str, value: str) -> dict[str, str]:
    return dict(
        id="F9",
        entity=entity,
        year="2025",
        metric=metric,
        value=value,
        unit="USD",
        status="reported",
        basis="point",
        source_id="S4",
        confidence="high",
    )


def cli_problems(d: Path) -> str:
    result = CliRunner().invoke(app, ["data", "validate", str(d)])
    assert result.exit_code == 1, result.output
    return result.output


def test_mini_fixture_is_valid(mini_dir):
    assert validate(mini_dir) == []


def test_source_class_is_required(mini_dir):
    edit(mini_dir / "sources.csv", "S2", source_class="")
    assert "sources.csv:3: source_class: required value is empty" in cli_problems(mini_dir)


def test_high_confidence_needs_primary_or_press(mini_dir):
    # X1 (line 2) and X2 cite S1; X1 is high. F1 (line 2) cites S4 and is high.
    edit(mini_dir / "sources.csv", "S1", source_class="secondary")
    edit(mini_dir / "sources.csv", "S4", source_class="unknown")
    out = cli_problems(mini_dir)
    assert (
        "exposures.csv:2: confidence: high needs a primary or press source; S1 is secondary" in out
    )
    assert "facts.csv:2: confidence: high needs a primary or press source; S4 is unknown" in out
    assert "exposures.csv:3: confidence" not in out  # X2 is low: allowed on any source


def test_estimate_is_never_high(mini_dir):
    edit(mini_dir / "exposures.csv", "X2", confidence="high")
    assert "exposures.csv:3: confidence: an estimate is low or medium" in cli_problems(mini_dir)


def test_capacity_only_on_equity_and_debt(mini_dir):
    edit(mini_dir / "exposures.csv", "X4", capacity="client")  # a cloud contract
    edit(mini_dir / "exposures.csv", "X1", capacity="client")  # equity: allowed
    out = cli_problems(mini_dir)
    assert "exposures.csv:5: capacity: capacity applies to equity and debt" in out
    assert "exposures.csv:2: capacity" not in out


def test_same_day_overlap_needs_a_link(mini_dir):
    row = dict(
        id="X7",
        source="nvidia",
        target="openai",
        layer="equity",
        amount_usd="30000000000",
        status="committed",
        date="2025-09-22",
        source_id="S1",
        confidence="medium",
    )
    append(mini_dir / "exposures.csv", **row)
    assert "exposures.csv:9: supersedes: X7 and X1 tie the same" in cli_problems(mini_dir)
    # Either link clears it: X7 supersedes X1, or the two name each other as additive.
    edit(mini_dir / "exposures.csv", "X7", supersedes="X1")
    assert validate(mini_dir) == []
    edit(mini_dir / "exposures.csv", "X7", supersedes="", note="adds to X1")
    edit(mini_dir / "exposures.csv", "X1", note="LOI; adds to X7")
    assert validate(mini_dir) == []


def test_stake_larger_than_issuer_market_value(mini_dir):
    # X1: Nvidia's $100B stake in OpenAI (line 2) against an OpenAI valued at $50B.
    append(mini_dir / "facts.csv", **fact("openai", "market_cap", "50000000000"))
    out = cli_problems(mini_dir)
    assert "exposures.csv:2: amount_usd: stake $100,000,000,000 exceeds openai's market" in out
    assert "(facts.csv:6)" in out


def test_own_stakes_larger_than_total_assets(mini_dir):
    # X6 (lines 7-8): Nvidia's drawn $10B loan to Oracle; X1 is only announced (not held).
    append(mini_dir / "facts.csv", **fact("nvidia", "total_assets", "8000000000"))
    out = cli_problems(mini_dir)
    assert "exposures.csv:7: capacity: nvidia's own equity and debt holdings sum to $10,0" in out
    # Held for clients, the same loan does not count against Nvidia's own assets.
    edit(mini_dir / "exposures.csv", "X6", capacity="client")
    assert validate(mini_dir) == []


def test_stage_dates(mini_dir):
    # X2 (line 3) is an estimate: it cannot have completed; X6 (lines 7-8) is drawn.
    edit(mini_dir / "exposures.csv", "X2", completed_date="2025-10-01")
    edit(mini_dir / "exposures.csv", "X6", committed_date="2025-12-31", completed_date="2025-06-30")
    out = cli_problems(mini_dir)
    assert "exposures.csv:3: completed_date: a completed deal is drawn (or reported)" in out
    assert "exposures.csv:7: completed_date: completed 2025-06-30 before it was committed" in out
    edit(mini_dir / "exposures.csv", "X2", completed_date="")
    edit(mini_dir / "exposures.csv", "X6", completed_date="2026-01-15")
    assert validate(mini_dir) == []
