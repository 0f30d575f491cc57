"""Job runs keyed by (job, key): the key names the period or the item, so each is done once."""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.fields import utc_field


class JobRun(SQLModel, table=True):
    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "key", name="uq_job_run_job_key"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=60)
    key: str = Field(max_length=120)
    started_at: datetime = utc_field(default_now=True)
    finished_at: datetime | None = utc_field(nullable=True)
    owner: str | None = Field(default=None, max_length=120)
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
