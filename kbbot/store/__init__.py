"""Persistence: typed models, engines and migrations."""
