"""Benchmarks: each one generates its data, measures its own limit in the same run and reports a ratio."""
