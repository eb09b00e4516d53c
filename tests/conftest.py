from __future__ import annotations

import pytest

from abm.core.params import ModelParams
from tests.helpers.support import small_params


@pytest.fixture
def small() -> ModelParams:
    return small_params()
