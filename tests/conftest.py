from __future__ import annotations

import pytest

from abm.params import ModelParams
from support import small_params


@pytest.fixture
def small() -> ModelParams:
    return small_params()
