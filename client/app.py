"""The Flet entry point: one AppState and one Router per browser tab (web) or app instance (phone)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import flet as ft

from client.router import Builder, Router
from client.state.app import AppState, ClientConfig
from client.state.prefs import FletPrefs, MemoryPrefs, Prefs
from client.views import (
    agenda,
    auth,
    documents,
    home,
    meetings,
    profile,
    review,
    secretary,
    secretary_meeting,
    staff,
    staff_documents,
    staff_members,
    staff_orgs,
    study,
    study_cell,
    study_edit,
    year,
)
from client.views.ui import app_theme

log = logging.getLogger(__name__)

ROUTES: list[tuple[str, Builder, str | None]] = [
    ("/login", auth.login, None),
    ("/home", home.home, "member"),
    ("/meetings", meetings.meetings_list, "member"),
    ("/meetings/{meeting_id}", meetings.meeting_detail, "member"),
    ("/history", meetings.history, "member"),
    ("/check-in", meetings.check_in_link, "member"),
    ("/documents", documents.documents_list, "member"),
    ("/documents/{document_id}", documents.document_detail, "member"),
    ("/study", documents.study, "member"),
    ("/inbox", profile.inbox, "member"),
    ("/profile", profile.profile, "member"),
    ("/year", year.my_year, "member"),
    ("/year/study", study.my_studies, "member"),
    ("/year/study/{check_id}", study.take_check, "member"),
    ("/documents/{document_id}/essay", study.write_essay, "member"),
    ("/year/review", review.my_review, "member"),
    ("/secretary", secretary.secretary_home, "secretary"),
    ("/secretary/new", secretary.plan_meeting, "secretary"),
    ("/secretary/meetings/{meeting_id}", secretary.run_meeting, "secretary"),
    ("/secretary/meetings/{meeting_id}/check-in", secretary_meeting.meeting_checkin, "secretary"),
    ("/secretary/meetings/{meeting_id}/attendance", secretary_meeting.meeting_attendance, "secretary"),
    ("/secretary/meetings/{meeting_id}/minutes", secretary_meeting.meeting_minutes, "secretary"),
    ("/secretary/meetings/{meeting_id}/agenda", agenda.edit_agenda, "secretary"),
    ("/secretary/year", year.cell_year, "secretary"),
    ("/secretary/year/{commitment_id}", year.cell_commitment, "secretary"),
    ("/secretary/study", study_cell.cell_study, "secretary"),
    ("/secretary/reviews", review.cell_reviews, "secretary"),
    ("/secretary/reviews/{review_id}", review.review_detail, "secretary"),
    ("/staff", staff.staff_home, "staff"),
    ("/staff/publish", staff_documents.publish, "staff"),
    ("/staff/audit", staff.audit, "staff"),
    ("/staff/members", staff_members.members, "staff"),
    ("/staff/members/new", staff_members.new_member, "staff"),
    ("/staff/orgs", staff_orgs.orgs, "staff"),
    ("/staff/drafts", staff_documents.drafts, "staff"),
    ("/staff/drafts/{document_id}", staff_documents.draft_comments, "staff"),
    ("/staff/study", study_cell.staff_checks, "staff"),
    ("/staff/study/new", study_edit.pick_document, "staff"),  # before {check_id}: the first match wins
    ("/staff/study/new/{document_id}", study_edit.new_check, "staff"),
    ("/staff/study/{check_id}/edit", study_edit.edit_check, "staff"),
    ("/staff/study/{check_id}", study_cell.staff_figures, "staff"),
    ("/staff/reviews", review.staff_reviews, "staff"),
    ("/staff/reviews/{review_id}", review.staff_review, "staff"),
]


def default_config() -> ClientConfig:
    data = os.environ.get("FLET_APP_STORAGE_DATA") or os.environ.get("SOTAY_CLIENT_DATA") or "./data/client"
    return ClientConfig(
        server_url=os.environ.get("SOTAY_SERVER_URL", ""),
        data_root=Path(data),
        fixed_server=os.environ.get("SOTAY_FIXED_SERVER") == "1",
        device_name=os.environ.get("SOTAY_DEVICE_NAME", "Sổ tay đảng viên (trình duyệt)"),
    )


def make_main(config: ClientConfig | None = None, prefs_factory: Any = None):
    """Build the Flet `main` for a config; every session gets its own state and store."""
    cfg = config or default_config()

    async def main(page: ft.Page) -> None:
        page.title = "Sổ tay đảng viên"
        page.theme_mode = ft.ThemeMode.LIGHT
        page.padding = 0
        prefs: Prefs
        if prefs_factory is not None:
            prefs = prefs_factory(page)
        else:
            try:
                prefs = FletPrefs(ft.SharedPreferences())
            except Exception:  # pragma: no cover - older runtimes
                prefs = MemoryPrefs()
        app = AppState(ClientConfig(**vars(cfg)), prefs)
        router = Router(page, app, ROUTES)

        # A web session outlives its tab: Flet keeps it for an hour after the tab closes, in case it comes
        # back, and only then fires on_close. So the periodic work (screen pollers, the sync loop and its
        # event stream) stops on disconnect and starts again if the same session reconnects.
        async def on_disconnect(e: Any) -> None:
            router.pause()
            app.pause()

        async def on_connect(e: Any) -> None:
            if app.signed_in and not app.syncing:
                page.run_task(app.run_sync)
            router.resume()

        async def on_expire(e: Any) -> None:
            await app._close(wipe=False)  # the session is gone for good: release its store and connections

        page.on_disconnect = on_disconnect
        page.on_connect = on_connect
        page.on_close = on_expire
        restored = False
        try:
            restored = await app.restore()
        except Exception:
            log.exception("restoring the saved sign-in failed")
        if restored:
            page.run_task(app.run_sync)
        original = app.sign_in

        async def sign_in_and_sync(*args: Any, **kwargs: Any) -> None:
            await original(*args, **kwargs)
            page.run_task(app.run_sync)

        app.sign_in = sign_in_and_sync  # type: ignore[method-assign]
        page.theme = app_theme(app.text_scale, app.high_contrast)
        # Routes are handled only once the saved sign-in is restored: a deep link opened on a fresh load
        # (the QR's check-in, a reload) would otherwise be drawn twice, once as if signed out.
        page.on_route_change = router.on_route_change
        await router.show(page.route or "/")

    return main
