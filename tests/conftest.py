"""Shared test setup: real data from ../shared/data, read-only."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("LANDMARK_SHARED_DATA", REPO.parent / "shared" / "data"))

# Loaders find the shared datasets through the cache variable (they only read there).
os.environ.setdefault("LANDMARK_DATA_DIR", str(SHARED_DATA))
os.environ.setdefault("PYTHONWARNINGS", "ignore")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the project's test data is missing: expected {SHARED_DATA} (set LANDMARK_SHARED_DATA)")
    return SHARED_DATA
