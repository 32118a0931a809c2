"""``dataset_summary``: superseded exposures are shown apart, not counted twice."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from lahar.report import dataset_summary
from lahar.store import Store

from ..conftest import MINI


def test_superseded_rows_are_left_out_and_shown_apart(tmp_path: Path) -> None:
    d = tmp_path / "mini"
    shutil.copytree(MINI, d)
    path = d / "exposures.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    x4 = next(r for r in rows if r[0] == "X4")  # openai -> oracle cloud contract, $300B
    x7 = list(x4)
    x7[0], x7[head.index("amount_usd")] = "X7", "250000000000"
    x7[head.index("supersedes")] = "X4"
    rows.append(x7)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    store = Store(tmp_path / "s.duckdb")
    store.import_dataset(d)
    s = dataset_summary(store)
    cloud = s.exposures_by_layer.query("layer == 'cloud_contract'")
    assert cloud["exposures"].tolist() == [1]
    assert cloud["amount_usd"].tolist() == [2.5e11]  # X7 only, not X4 + X7
    assert s.superseded.to_dict("records") == [
        {"layer": "cloud_contract", "exposures": 1, "amount_usd": 3e11}
    ]
    assert "X4" not in s.largest["id"].tolist()
    assert s.confidence["exposures"].sum() == 6  # 7 rows, one superseded
