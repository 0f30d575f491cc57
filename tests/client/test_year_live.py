"""Commitments against the real server: the client's actions, payloads and feed entity as the server has them.

The server here reads the real clock and takes commitments for last, this and next year in Vietnam time;
the client states default to this year in Vietnam time by the same real clock, so this holds on any day."""

from datetime import UTC, datetime

from client.api import Api
from client.state.year import SAVED_OFFLINE, CellYearState, MyYearState, this_year
from tests.client.live import signed_in


async def test_register_return_resend_approve_result_remark_through_the_outbox(live_server, world, tmp_path):
    url = live_server.url
    member = await signed_in(url, tmp_path / "m", world.member)
    leader = await signed_in(url, tmp_path / "s", world.secretary)
    mine = MyYearState(member)
    mine.start_editing()
    mine.set_text(0, "Tham gia hiến máu tình nguyện")
    mine.set_category(0, "volunteer")
    mine.add_item()
    mine.set_text(1, "Đọc sách về Bác")

    real = member.api
    member.api = member.engine.api = Api("http://127.0.0.1:9")  # type: ignore[union-attr] # nobody there
    said = await mine.save(submit=True)
    assert (said.queued, said.message) == (True, SAVED_OFFLINE)
    member.api = member.engine.api = real  # type: ignore[union-attr]
    assert await member.sync_now()
    assert mine.status() == "submitted" and mine.notice() is None
    assert mine.commitment() is not None and mine.commitment()["items"][0]["category"] == "volunteer"

    cell = CellYearState(leader)
    await cell.load()
    assert cell.error is None
    [row] = cell.rows("submitted")
    assert row.member_id == world.member.member.id and row.items == 2
    assert (await cell.open(row.commitment_id)) is not None
    returned = await cell.decide(row.commitment_id, approve=False, comment="Ghi rõ sách nào.")
    assert returned.ok, returned.message

    await member.sync_now()
    assert mine.status() == "returned" and mine.return_comment() == "Ghi rõ sách nào."
    mine.start_editing()
    mine.set_text(1, "Đọc xong cuốn Đường cách mệnh")
    assert (await mine.save(submit=True)).ok

    await leader.sync_now()
    approved = await cell.decide(row.commitment_id, approve=True)
    assert approved.ok, approved.message
    await member.sync_now()
    mine.start_editing()
    assert mine.status() == "approved"
    first = int(mine.shown_items()[0]["id"])
    mine.results[first] = "Đã hiến máu 2 lần"
    assert (await mine.save_results()).ok

    await leader.sync_now()
    await cell.open(row.commitment_id)
    cell.remarks[first] = "Gương mẫu"
    assert (await cell.save_remarks(row.commitment_id)).ok
    await member.sync_now()
    item = MyYearState(member).shown_items()[0]
    assert (item["result"], item["remark"]) == ("Đã hiến máu 2 lần", "Gương mẫu")

    # a secretary does not decide their own: said on the device, as the server would refuse it
    own = MyYearState(leader)
    own.start_editing()
    own.set_text(0, "Giữ gìn phẩm chất đạo đức")
    assert (await own.save(submit=True)).ok
    refused = await CellYearState(leader).decide(int(own.commitment()["id"]), approve=True)
    assert not refused.ok and not refused.queued and refused.message
    for app in (member, leader):
        await app.sign_out()


async def test_each_commitment_action_also_goes_through_its_own_routes(live_server, world):
    """For a server without /sync/push: `send_action` maps every commitment action onto the REST routes."""
    year = this_year(datetime.now(UTC))  # the server reads the real clock too: see the module's docstring
    member, leader = Api(live_server.url), Api(live_server.url)
    await member.login(world.member.username, world.member.password)
    await leader.login(world.secretary.username, world.secretary.password)
    now = datetime.now(UTC)
    items = [{"text": "Tham gia hiến máu tình nguyện", "category": "volunteer"}]
    draft = await member.send_action(
        "commitment.save", {"year": year, "items": items, "submit": False}, "a", now
    )
    assert draft["status"] == "draft"
    items.append({"text": "Đọc sách về Bác", "category": None})
    sent = await member.send_action(
        "commitment.save", {"year": year, "items": items, "submit": True}, "b", now
    )
    assert (sent["id"], sent["status"], len(sent["items"])) == (draft["id"], "submitted", 2)
    cid = sent["id"]
    done = await leader.send_action("commitment.decide", {"commitment_id": cid, "approve": True}, "c", now)
    assert done["status"] == "approved"
    item = done["items"][0]["id"]
    results = {"commitment_id": cid, "results": [{"item_id": item, "result": "Đã hiến máu"}]}
    assert (await member.send_action("commitment.result", results, "d", now))["items"][0]["result"]
    remarks = {"commitment_id": cid, "remarks": [{"item_id": item, "remark": "Tốt"}]}
    assert (await leader.send_action("commitment.remark", remarks, "e", now))["items"][0]["remark"] == "Tốt"
    overview = await leader.cell_commitments(world.cell.id, year)
    assert [m.status for m in overview.members if m.member_id == world.member.member.id] == ["approved"]
    await member.aclose()
    await leader.aclose()
