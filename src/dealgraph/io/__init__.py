"""Importers and exporters: native JSON today; CSV presets, XES, OCEL and Parquet to come."""
