"""Imports every table model so SQLModel.metadata (and Alembic) sees the whole schema."""

from sqlmodel import SQLModel

import server.auth.models
import server.documents.models
import server.meetings.models
import server.notifications.models
import server.records.audit
import server.records.changelog
import server.records.members
import server.records.orgs
import server.scheduler.models
import server.study.models
import server.sync.models_ext
import server.year.models  # noqa: F401

metadata = SQLModel.metadata

__all__ = ["metadata"]
