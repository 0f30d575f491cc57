"""Secretary state: the vote rule, planning a meeting in Vietnam time."""

from __future__ import annotations

from client.state.secretary import SecretaryState, compute_vote
from tests.client.fakes import SECRETARY


def test_vote_passes_with_more_than_half_of_the_base():
    assert compute_vote(6, 2, 2, 10).passed is True
    assert compute_vote(5, 3, 2, 10).passed is False  # exactly half is not more than half
    assert compute_vote(0, 0, 0, 0).passed is False
    assert "THÔNG QUA" in compute_vote(6, 2, 2, 10).words


async def test_secretary_plans_a_meeting_in_vietnam_time(made):
    app, apis = made(me=SECRETARY)
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    assert app.is_secretary and app.led_cell_ids == [4]
    sec = SecretaryState(app)
    bad = await sec.create_meeting("Sinh hoạt", "regular", "31/02/2026", "19:30", "", [])
    assert bad.message == "Ngày phải có dạng dd/mm/yyyy, ví dụ 04/12/2026."
    apis[-1].answers["/meetings"] = {"id": 9, "title": "Sinh hoạt tháng 12"}
    # The clock reads 23:59 on 31/12/2026 in Vietnam: a meeting earlier that month is already past.
    past = await sec.create_meeting("Sinh hoạt tháng 12", "regular", "04/12/2026", "19:30", "", [])
    assert not past.ok and "chưa qua" in past.message
    assert apis[-1].posted == [] or apis[-1].posted[-1][0] != "/meetings"
    ok = await sec.create_meeting(
        "Sinh hoạt tháng 12",
        "regular",
        "04/01/2027",
        "19:30",
        "Hội trường",
        ["Đánh giá tháng", " ", "Nhiệm vụ tháng tới"],
    )
    assert ok.ok
    path, body = apis[-1].posted[-1]
    assert body["starts_at"] == "2027-01-04T12:30:00+00:00"  # 19:30 in Vietnam, sent as UTC
    assert body["agenda"] == [{"title": "Đánh giá tháng"}, {"title": "Nhiệm vụ tháng tới"}]
    assert body["org_id"] == 4
    assert app.store.get("meeting", 9)["title"] == "Sinh hoạt tháng 12"
