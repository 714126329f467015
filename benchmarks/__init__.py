"""Benchmarks: ``python -m benchmarks`` runs them all, prints a table and writes results.json."""
