"""Study checks and bài thu hoạch against the real server: a check taken with the network off and sent after
its close (answered before it: counted), the key never on the device before, an essay queued offline and
received by the cell; staff writing and editing a check through the app's form."""

import asyncio
from datetime import timedelta
from pathlib import Path

from client import study_api
from client.api import Api, ApiError
from client.state.app import AppState
from client.state.study import ESSAY_SAVED_OFFLINE, SAVED_OFFLINE, CellStudyState, QuizState, StudyState
from client.state.study_edit import REFUSALS, CheckEditor, refusal_words
from server.timeutil import utcnow
from shared.schemas.study import StudyCheckUpdate
from shared.timefmt import to_local
from tests.client.live import signed_in
from tests.factories import Person
from tests.server.study.factories import ESSAY, make_check, make_study_doc, right_answers

DEAD = "http://127.0.0.1:9"  # nobody there: the network is off


async def _device(url: str, root: Path, person: Person) -> AppState:
    """Signed in and synced once: the checks and essays on the device."""
    app = await signed_in(url, root, person)
    await app.sync_now()
    return app


def _offline(app: AppState, url: str) -> None:
    app.api = app.engine.api = Api(url)  # type: ignore[union-attr]


async def test_a_check_answered_offline_before_the_close_is_sent_after_it_and_counts(
    live_server, world, db, tmp_path
):
    doc = make_study_doc(db, [world.province])
    now = utcnow()
    closes = now + timedelta(seconds=6)
    check = make_check(db, doc, [world.province], opens_at=now - timedelta(minutes=5), closes_at=closes,
                       minutes=10)
    db.commit()
    member = await _device(live_server.url, tmp_path / "m", world.member)
    state = StudyState(member)
    [mine] = state.checks()
    assert mine["id"] == check.id and state.state_words(mine) == "Đang mở"
    assert all(q.get("correct") is None for q in mine["questions"])  # no key on the device before answering

    quiz = QuizState(member, int(mine["id"]))
    quiz.start()
    for n, options in enumerate(right_answers()):
        for option in options:
            quiz.choose(n, option)
    real = member.api
    _offline(member, DEAD)
    said = await quiz.submit()
    assert (said.queued, said.message) == (True, SAVED_OFFLINE)
    assert state.state_words(state.check(check.id)) == "Đã làm, chờ gửi"

    await asyncio.sleep(max(0.0, (closes - utcnow()).total_seconds()) + 1)
    member.api = member.engine.api = real  # type: ignore[union-attr]  # the network is back, after the close
    assert await member.sync_now()
    assert member.store.outbox() == []  # type: ignore[union-attr]
    verdict = state.verdict(state.check(check.id))
    assert verdict is not None and verdict.message == "Đã nộp bài: đúng 5/5 câu, 10/10 điểm", verdict

    # bài thu hoạch: written offline, sent later, received by the cell with a remark
    _offline(member, DEAD)
    said = await state.submit_essay(doc.id, ESSAY)
    assert (said.queued, said.message) == (True, ESSAY_SAVED_OFFLINE)
    member.api = member.engine.api = real  # type: ignore[union-attr]
    assert await member.sync_now()
    assert state.essay_words(doc.id).message.endswith("chờ chi bộ nhận.")

    secretary = world.secretary
    leader = await _device(live_server.url, tmp_path / "s", secretary)
    cell = CellStudyState(leader)
    [essay] = cell.essays()
    received = await cell.receive(int(essay["id"]), "Có liên hệ bản thân")
    assert received.ok, received.message
    await cell.load_figures(check.id)
    assert cell.error is None
    assert (cell.figures[check.id].totals.taken, cell.figures[check.id].totals.essays_received) == (1, 1)
    await member.sync_now()
    assert state.essay_words(doc.id).message.endswith("Nhận xét của chi bộ: Có liên hệ bản thân")
    for app in (member, leader):
        await app.sign_out()


async def test_staff_write_and_edit_a_check_through_the_form_and_the_server_holds_it_to_its_rules(
    live_server, world, db, tmp_path
):
    doc = make_study_doc(db, [world.province])
    opened = make_check(db, doc, [world.province], opens_at=utcnow() - timedelta(minutes=5),
                        closes_at=utcnow() + timedelta(days=1))
    db.commit()
    who = world.province_staff
    staff = await _device(live_server.url, tmp_path / "st", who)
    editor = CheckEditor(staff, document_id=doc.id)
    await editor.load()
    assert editor.error is None and editor.document_title == doc.title
    assert editor.audience == {world.province.id}  # the staff member's own organisation
    editor.title = "Kiểm tra nhận thức Nghị quyết"
    for i, q in enumerate(editor.questions):
        q.text, q.options = f"Câu hỏi {i + 1}?", ["Đúng", "Sai", "Chưa rõ"]
        editor.set_correct(i, i % 3)
    said = await editor.save()
    assert said.ok, said.message
    check_id = editor.check_id
    assert check_id is not None

    again = CheckEditor(staff, check_id=check_id)  # not open yet (tomorrow 07:00): changed in full
    await again.load()
    assert not again.opened and [q.correct for q in again.questions] == [[0], [1], [2], [0], [1]]
    again.questions[0].text = "Câu hỏi đã sửa?"
    again.minutes = "25"
    said = await again.save()
    assert said.ok, said.message
    shown = await study_api.get_check(staff.require_api(), check_id)
    assert (shown.questions[0].text, shown.time_limit_minutes) == ("Câu hỏi đã sửa?", 25)

    late = CheckEditor(staff, check_id=opened.id)  # open: only the title and a later close
    await late.load()
    assert late.opened and late.locked_words().startswith("Bài kiểm tra đã mở lúc")
    late.closes_day = (to_local(opened.closes_at) + timedelta(days=2)).strftime("%d/%m/%Y")
    said = await late.save()
    assert said.ok, said.message
    try:  # what the form does not offer once open, the server refuses too: said as what to do
        await study_api.update_check(staff.require_api(), opened.id, StudyCheckUpdate(time_limit_minutes=5))
        raise AssertionError("the server changed an open check's time limit")
    except ApiError as exc:
        assert exc.status == 409 and refusal_words(exc).startswith("Bài kiểm tra đã mở nên chỉ sửa được")

    district = world.staff  # staff of one district cannot set a check for another
    other = await _device(live_server.url, tmp_path / "d", district)
    outside = CheckEditor(other, document_id=doc.id)
    outside.title = "Kiểm tra"
    for i, q in enumerate(outside.questions):
        q.text, q.options = f"Câu hỏi {i + 1}?", ["Đúng", "Sai"]
        outside.set_correct(i, 0)
    outside.audience = {world.other_district.id}
    said = await outside.save()
    assert said.message == REFUSALS["audience_out_of_reach"]

    assert not (await late.delete()).ok  # open: it stays, and the form does not even send it
    gone = await again.delete()  # not yet open: deleted on the server
    assert gone.ok, gone.message
    try:
        await study_api.get_check(staff.require_api(), check_id)
        raise AssertionError("the deleted check is still there")
    except ApiError as exc:
        assert exc.status == 404
    for app in (staff, other):
        await app.sign_out()
