"""The daily cleanup job: what expires in auth, the sync feed and notifications (it spans them all, so it
sits with the wiring, on the app floor)."""

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from server.auth import service as auth_service
from server.auth.models import RefreshToken
from server.notifications import service as notifications
from server.scheduler.models import JobRun
from server.scheduler.service import JobContext, rowcount
from server.sync import service as sync_service
from server.sync.models_ext import SyncAction


def cleanup(session: Session, ctx: JobContext) -> str:
    """Expired device sessions, spent refresh tokens, old offline-action receipts and old change log."""
    now = ctx.now
    tokens = rowcount(session.execute(
        delete(RefreshToken).where(col(RefreshToken.expires_at) < now - timedelta(days=1))))
    # Sessions expired or revoked a week ago: the audit log keeps their history.
    sessions = auth_service.purge_stale_sessions(session, older_than_days=7, now=now)
    days = ctx.db.settings.sync_log_days
    receipts = rowcount(session.execute(
        delete(SyncAction).where(col(SyncAction.created_at) < now - timedelta(days=days))))
    notes = notifications.prune(session, older_than=now - timedelta(days=days))
    pruned = sync_service.prune(session, older_than=now - timedelta(days=days))
    # Periods are only ever computed for "now", so old run records can go (per-item keys too: their
    # items, such as a meeting's reminders, are long past).
    runs = rowcount(session.execute(delete(JobRun).where(col(JobRun.started_at) < now - timedelta(days=days),
                                                         col(JobRun.job) != "cleanup")))
    return (f"tokens={tokens} sessions={sessions} receipts={receipts} notifications={notes} "
            f"changes={pruned} runs={runs}")
