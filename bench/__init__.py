"""Benchmarks, run one at a time as `python -m bench.<name>` from the repository root."""
