"""Views: functions that draw controls from state and nothing else."""
