"""Fixtures of the calibration tests."""

from tests.helpers.calibration import config_copy  # noqa: F401 (a fixture)
