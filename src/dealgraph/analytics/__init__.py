"""Patterns across deals, written once as Ibis expressions (DuckDB by default)."""
