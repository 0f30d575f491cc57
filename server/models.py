"""Imports every table model so SQLModel.metadata (and Alembic) sees the whole schema."""

from sqlmodel import SQLModel

import server.audit.models
import server.auth.models
import server.documents.models
import server.meetings.models
import server.members.models
import server.notifications.models
import server.orgs.models
import server.scheduler.models
import server.sync.models
import server.sync.models_ext
import server.year.models  # noqa: F401

metadata = SQLModel.metadata

__all__ = ["metadata"]
