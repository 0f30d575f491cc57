"""Timed work: one leader scheduler per deployment, idempotent jobs, missed runs caught up on start."""
