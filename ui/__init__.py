"""Shared UI helpers: URL-bound widgets, Altair chart builders, common widgets."""
