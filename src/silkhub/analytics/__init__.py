"""Analytics services: DuckDB queries over the imported tables, calling pure ``core`` functions."""
