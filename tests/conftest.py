"""Shared fixtures: small seeded data sets in the course's shapes."""

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
