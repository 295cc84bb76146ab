"""Scores of a data set's own images (the papers' real-data rows)."""
