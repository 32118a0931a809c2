"""Shared fixtures: the hand-made mini dataset and temporary copies of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs a fixed set of examples (no flaky red builds); locally hypothesis explores afresh.
# A failure found locally goes into the test as an @example so CI keeps checking it.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    """A writable copy of the mini dataset (5 entities, 6 exposures)."""
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest
