"""Profile state: the inbox."""

from __future__ import annotations


async def test_opening_a_notification_marks_only_it_read(made):
    from client.state.profile import InboxState

    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    for i in (1, 2):
        app.store.put(
            "notification", i, {"id": i, "title": f"Thông báo {i}", "created_at": f"2026-11-2{i}T00:00:00Z"}
        )
    inbox = InboxState(app)
    assert inbox.unread_count() == 2
    await inbox.mark_read([1])
    assert inbox.unread_count() == 1 and app.store.get("notification", 1)["read_at"]
    await inbox.mark_all_read()
    assert inbox.unread_count() == 0
