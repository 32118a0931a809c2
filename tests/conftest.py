"""Shared fixtures: the hand-made mini dataset and temporary copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    """A writable copy of the mini dataset (5 entities, 6 exposures)."""
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest
