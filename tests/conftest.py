from __future__ import annotations

import pytest
from support import small_params

from abm.params import ModelParams


@pytest.fixture
def small() -> ModelParams:
    return small_params()
