"""Flet client of Sổ tay đảng viên: offline-first phone app for members, secretaries and staff."""
