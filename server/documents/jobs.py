"""Jobs of documents: publication of documents scheduled for later."""

from sqlmodel import Session

from server.documents import service as documents
from server.scheduler.service import Job, JobContext, every_minutes


def publish_documents(session: Session, ctx: JobContext) -> str:

    return f"published={len(documents.publish_due(session, ctx.now))}"


def document_jobs() -> list[Job]:
    return [Job("publish_documents", every_minutes(1), publish_documents)]
