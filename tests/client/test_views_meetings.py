"""The member's meeting view on a fake page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.client.fakes import NOT_OPEN
from tests.client.pages import by_id, make, said


async def test_the_meeting_screen_replaces_saved_with_the_servers_verdict_never_both(tmp_path):
    """Issue 12, item 6: offline the screen says the check-in is saved (no success); after the sync, only
    the server's refusal is on the screen."""

    from client.views import meetings

    app, router, page = make(tmp_path)
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    starts = datetime.now(UTC) + timedelta(minutes=10)
    app.store.put("meeting", 5, {"id": 5, "org_id": 4, "title": "Sinh hoạt tháng 11", "status": "scheduled",
                                 "starts_at": starts.isoformat(),
                                 "checkin_opens_at": (starts - timedelta(minutes=30)).isoformat(),
                                 "checkin_closes_at": (starts + timedelta(minutes=60)).isoformat()})
    api = app.api
    api.push_answers["111111"] = {"status": "refused", "code": "checkin_not_open",
                                  "message": NOT_OPEN}
    screen = meetings.meeting_detail(router.ctx, "5")
    api.offline = True
    by_id(screen.body, "checkin-code").value = "111111"
    await by_id(screen.body, "checkin-submit").on_click(None)
    assert by_id(screen.body, "checkin-result").value == "Đã lưu điểm danh, sẽ xác nhận khi có mạng."
    assert "Đã điểm danh" not in said(screen.body)

    api.offline = False
    await app.sync_now()
    screen.redraw()
    assert by_id(screen.body, "checkin-result").value == NOT_OPEN
    assert "Đã lưu điểm danh" not in said(screen.body) and "chờ gửi" not in said(screen.body)
