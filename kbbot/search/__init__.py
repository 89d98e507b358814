"""Ranked full-text retrieval over questions, answers and shared posts (issue 6)."""
