"""Deterministic generator of a province's party organisation for benchmarks (`python -m server generate`)."""
