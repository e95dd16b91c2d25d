"""Shared fixtures: isolated settings per test, and the shared data dir (read-only)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pricewise.config import Settings, get_settings

SHARED_DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``slow`` run only with PRICEWISE_SLOW_TESTS=1 (`make test-slow`)."""
    if os.environ.get("PRICEWISE_SLOW_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set PRICEWISE_SLOW_TESTS=1 (make test-slow) to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own artifacts dir and fresh settings; the real data dir stays readable."""
    for key in list(os.environ):
        if key.startswith("PRICEWISE_") and key != "PRICEWISE_SLOW_TESTS":
            monkeypatch.delenv(key)
    monkeypatch.setenv("PRICEWISE_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("PRICEWISE_DATA_DIR", str(SHARED_DATA))
    monkeypatch.setenv("PRICEWISE_CONFIG", str(tmp_path / "no-such-pricewise.toml"))
    # Tests price with the cheap constant pricer unless they choose another (the product default is heavier).
    monkeypatch.setenv("PRICEWISE_PRICERS__DEFAULT", "constant")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def settings() -> Settings:
    return get_settings()


@pytest.fixture
def shared_data() -> Path:
    assert SHARED_DATA.is_dir(), f"tests need ../shared/data beside the project ({SHARED_DATA})"
    return SHARED_DATA
