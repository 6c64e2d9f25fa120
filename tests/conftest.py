"""Shared fixtures: small seeded data sets in the course's shapes."""

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _servers_do_not_freeze(monkeypatch) -> None:
    """`nnplay serve` turns on NNPLAY_FREEZE_STARTUP_OBJECTS for its workers through the
    environment; a test that runs it in-process would leave it on for every later test's apps
    (`gc.freeze` in a process that builds many of them). Off in every test, put back after it."""
    monkeypatch.setenv("NNPLAY_FREEZE_STARTUP_OBJECTS", "0")
