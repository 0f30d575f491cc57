"""Meetings of the chi bộ: planning, check-in, attendance, minutes, resolutions, statistics."""
