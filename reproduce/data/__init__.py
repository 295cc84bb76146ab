"""Data sets used by the reproduction harness (the loaders import their heavy deps lazily)."""
