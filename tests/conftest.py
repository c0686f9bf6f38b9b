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


@pytest.fixture(scope="module")
def one_thread():
    """Tiny nets step several times faster on one thread than on two (what their configs ask
    for with ``threads: 1``); restored after the module."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
