"""Cooperation-hub pages, one module per resource (organisations, agreements, ...)."""
