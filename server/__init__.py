"""Sổ tay đảng viên sync server (FastAPI + SQLModel)."""
