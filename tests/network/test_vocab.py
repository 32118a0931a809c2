"""The data model's vocabularies are generated from the schema: the module must be current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lahar.data import schema
from lahar.network import COMMITMENT_LAYERS, LAYERS, STATUSES, TERM_REQUIRED

ROOT = Path(__file__).resolve().parents[2]


def test_generated_vocabulary_is_current() -> None:
    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_vocab.py"), "--check"], check=False
    )
    assert res.returncode == 0, "run `python scripts/gen_vocab.py` after editing the schema"


def test_vocabulary_follows_the_schema_and_layer_table() -> None:
    fields = {f.name: f for f in schema()["exposures.csv"]}
    assert fields["layer"].allowed == LAYERS
    assert fields["status"].allowed == STATUSES
    # layers.csv: cloud contracts and leases are commitments with a required term; equity is not
    assert {"cloud_contract", "lease"} <= set(COMMITMENT_LAYERS) & set(TERM_REQUIRED)
    assert "equity" not in COMMITMENT_LAYERS
