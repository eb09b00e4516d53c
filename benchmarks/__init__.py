"""Benchmarks: speed, memory and result size of the model, and an idiomatic-Mesa peer reference.

Run `uv run python -m benchmarks.run` (see docs/performance.md). Benchmarks print figures; tests never
assert timings.
"""
