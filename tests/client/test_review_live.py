"""The year-end self-review against the real server: the review written and sent with the network off goes
out later as `review.save`; the cell's proposal and the committee's decision reach the member through the
`self_review` entity of the feed. Server and client read the same real clock (this year in Vietnam)."""


from client.api import Api
from client.state.review import SAVED_OFFLINE, MyReviewState, ReviewsState, fact_lines
from tests.client.live import signed_in


async def test_sent_offline_then_proposed_confirmed_and_seen_by_the_member(live_server, world, tmp_path):
    url = live_server.url
    member = await signed_in(url, tmp_path / "m", world.member)
    leader = await signed_in(url, tmp_path / "s", world.secretary)
    staff = await signed_in(url, tmp_path / "c", world.staff)

    mine = MyReviewState(member)
    await mine.load()
    assert mine.error is None and mine.status() is None
    assert fact_lines(mine.facts())[0].startswith("Sinh hoạt chi bộ: 0 buổi đã tổ chức")
    mine.start_editing()
    mine.set_section("strengths", "Dự đủ các buổi sinh hoạt, gương mẫu ở nơi cư trú")
    mine.set_section("shortcomings", "Có lúc nộp bài thu hoạch chậm")
    mine.set_level("excellent")

    real = member.api
    member.api = member.engine.api = Api("http://127.0.0.1:9")  # type: ignore[union-attr] # nobody there
    said = await mine.save(submit=True)
    assert (said.queued, said.message) == (True, SAVED_OFFLINE)
    assert mine.status() == "submitted" and mine.facts() is not None  # the form stays on the device
    member.api = member.engine.api = real  # type: ignore[union-attr]
    assert await member.sync_now()
    assert mine.status() == "submitted" and mine.notice() is None
    assert mine.review()["strengths"] == "Dự đủ các buổi sinh hoạt, gương mẫu ở nơi cư trú"

    cell = ReviewsState(leader)
    await cell.load()
    assert cell.error is None, cell.error
    [row] = [m for m in cell.members if m.member_id == world.member.member.id]
    assert row.status == "submitted" and row.review is not None
    opened = await cell.open(row.review.id)
    assert opened is not None and opened.facts is not None and cell.level == "excellent"
    proposed = await cell.decide()  # 1 "xuất sắc" against 0 "tốt": warned, not blocked
    assert proposed.ok, proposed.message
    assert cell.desk.warnings and "20%" in cell.desk.warnings[0]  # shown beside the levels

    committee = ReviewsState(staff, staff=True)
    await committee.load()
    assert committee.error is None, committee.error
    assert committee.summary is not None and committee.summary.totals.proposed.excellent == 1
    assert committee.summary_warnings()
    await committee.open(row.review.id)
    committee.level = "good"
    confirmed = await committee.decide()
    assert confirmed.ok, confirmed.message
    name, data = await committee.export()
    assert name.endswith(".xlsx") and data[:2] == b"PK"

    await member.sync_now()
    assert mine.status() == "confirmed" and not mine.editable and mine.locked_reason()
    assert [stage for stage, _ in mine.levels()] == ["Tự xếp loại", "Chi bộ đề xuất", "Cấp ủy quyết định"]
    assert mine.levels()[2][1] == "Hoàn thành tốt nhiệm vụ"
    for app in (member, leader, staff):
        await app.sign_out()
