"""Shipped gravity model specs (YAML) and the small packaged inputs for potentials."""
