"""What the app plugs together, named in one place so a reader (and a tool) can follow every link.

Each domain lists what it offers: its routers, its sync providers and offline-action handlers
(`<domain>/sync.py`), its scheduled jobs (`<domain>/jobs.py`). The app factory (server/app.py) calls
`install_sync` and `routers`; the lifespan (server/lifespan.py) runs `jobs`. A new domain adds a line here.
"""

from fastapi import APIRouter

from server.audit.router import router as audit_router
from server.auth.router import router as auth_router
from server.documents import jobs as document_jobs
from server.documents import review_facts as document_review_facts
from server.documents import sync as documents_sync
from server.documents.router import router as documents_router
from server.housekeeping import cleanup
from server.meetings import jobs as meeting_jobs
from server.meetings import sync as meetings_sync
from server.meetings.router import router as meetings_router
from server.meetings.stats_router import stats_router as meeting_stats_router
from server.members.router import router as members_router
from server.notifications import actions as notification_actions
from server.notifications import provider as notification_provider
from server.notifications.router import router as notifications_router
from server.orgs.router import router as orgs_router
from server.scheduler.service import Job, daily
from server.study import jobs as study_jobs
from server.study import review_facts as study_review_facts
from server.study import sync as study_sync
from server.study.router import router as study_router
from server.sync import actions, registry
from server.sync import providers as record_providers
from server.sync.registry import Provider
from server.sync.router import router as sync_router
from server.system.router import router as system_router
from server.year import review_facts
from server.year import sync as year_sync
from server.year.review_router import router as review_router
from server.year.router import router as year_router


def routers() -> list[APIRouter]:
    return [system_router, auth_router, orgs_router, members_router, audit_router,
            meetings_router, meeting_stats_router, documents_router, sync_router, notifications_router,
            year_router, study_router, review_router]


def sync_providers() -> list[Provider]:
    """Every entity type on devices; a snapshot sends them in this order."""
    return [*record_providers.PROVIDERS, *meetings_sync.PROVIDERS, *documents_sync.PROVIDERS,
            *notification_provider.PROVIDERS, *year_sync.PROVIDERS,
            *study_sync.PROVIDERS]


def action_handlers() -> dict[str, actions.Handler]:
    return {**notification_actions.HANDLERS, **meetings_sync.HANDLERS, **documents_sync.HANDLERS,
            **year_sync.HANDLERS, **study_sync.HANDLERS}


def install_sync() -> None:
    """Register the providers and handlers with the sync machinery (the same ones again on a second app)."""
    for provider in sync_providers():
        registry.register(provider)
    for action_type, handler in action_handlers().items():
        actions.register(action_type, handler)
    for entity_type, fn in meetings_sync.RELEVANCE.items():
        registry.add_relevance(entity_type, fn)
    install_review_facts()


def install_review_facts() -> None:
    """The figures other domains add to a member's year-end self-review form (studied documents, study
    checks and bài thu hoạch)."""
    review_facts.add_provider("documents", document_review_facts.studied)
    review_facts.add_provider("study", study_review_facts.taken)


def jobs() -> list[Job]:
    return [Job("cleanup", daily, cleanup), *meeting_jobs.meeting_jobs(), *document_jobs.document_jobs(),
            *study_jobs.study_jobs()]
