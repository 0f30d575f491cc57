"""Invalid time zones and extreme dates, everywhere the API takes a date, a time or a month: a 422 in
the one error shape naming the field, never a 500 and never a value stored."""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from server.documents.models import Document
from server.meetings.models import Meeting
from server.records.members import Member
from tests.server.documents.factories import create_doc
from tests.server.meetings.factories import make_meeting

BAD_INSTANTS = [
    "2026-12-04T19:30:00",  # naive: 19:30 where?
    "2026-12-04T19:30:00+25:00",  # no such offset
    "2026-12-04T19:30:00 Asia/Saigon",  # a zone name is not ISO 8601
    "2026-02-30T19:30:00+07:00",  # no such day
    "9999-12-31T23:59:59-12:00",  # beyond year 9999 in UTC
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "2501-01-01T00:00:00+07:00",
    "1800-01-01T00:00:00+07:00",
    "99999-01-01T00:00:00Z",
    "",
]
BAD_DAYS = ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01", "2026-02-30", "19/05/2026", "20260519"]
Call = tuple[str, str, str, dict | None, dict | None, str]
BAD_MONTHS = ["9999-12", "0001-01", "1899-12", "2201-01", "2026-13", "2026-1", ""]


def _assert_refused(resp, field: str) -> None:
    assert resp.status_code == 422, (resp.status_code, resp.text)
    body = resp.json()
    assert body["code"] == "validation_error" and body["message"].startswith("Dữ liệu không hợp lệ")
    assert field in {e["field"] for e in body["errors"]}, body


@pytest.fixture
def cast(client, world, login, db):
    """Who calls, and a meeting and a document to call about."""
    meeting = make_meeting(db, world.cell, starts_at=datetime(2030, 6, 5, 12, tzinfo=UTC))
    world.cell.meeting_day = 5
    db.add(world.cell)
    db.commit()
    staff, sec, member = login(world.staff), login(world.secretary), login(world.member)
    doc = create_doc(client, staff, "Nghị quyết thử ngày tháng", [world.cell.id])
    return {"staff": staff, "sec": sec, "member": member, "meeting": meeting.id, "doc": doc["id"],
            "target": world.member.member.id, "cell": world.cell.id, "sibling": world.sibling_cell.id}


def _instant_calls(c: dict[str, Any], value: str) -> list[Call]:
    """(who, method, url, json, params, field) of every route taking an instant."""
    meeting = {"title": "Họp thử", "kind": "thematic", "org_id": c["cell"]}
    doc = {"title": "Văn bản thử", "doc_type": "resolution", "category": "documents",
           "audience_org_ids": [c["cell"]]}
    return [
        ("sec", "POST", "/api/v1/meetings", {**meeting, "starts_at": value}, None, "starts_at"),
        ("sec", "POST", "/api/v1/meetings",
         {**meeting, "starts_at": "2030-06-05T19:30:00+07:00", "ends_at": value}, None, "ends_at"),
        ("sec", "PATCH", f"/api/v1/meetings/{c['meeting']}", {"starts_at": value}, None, "starts_at"),
        ("sec", "GET", "/api/v1/meetings", None, {"since": value}, "since"),
        ("sec", "GET", "/api/v1/meetings", None, {"until": value}, "until"),
        ("member", "POST", f"/api/v1/meetings/{c['meeting']}/check-ins",
         {"code": "123456", "client_id": "dev-00000001", "checked_in_at": value}, None, "checked_in_at"),
        ("staff", "POST", "/api/v1/documents", {**doc, "publish_at": value}, None, "publish_at"),
        ("staff", "POST", "/api/v1/documents", {**doc, "status": "draft", "comments_until": value}, None,
         "comments_until"),
        ("staff", "PATCH", f"/api/v1/documents/{c['doc']}", {"comments_until": value}, None,
         "comments_until"),
        ("member", "POST", f"/api/v1/documents/{c['doc']}/read", {"read_at": value}, None, "read_at"),
        ("member", "POST", f"/api/v1/documents/{c['doc']}/studied", {"read_at": value}, None, "read_at"),
    ]


def _day_calls(c: dict[str, Any], value: str) -> list[Call]:
    new = {"full_name": "Đặng Văn Ngày", "org_id": c["cell"]}
    doc = {"title": "Văn bản thử", "doc_type": "resolution", "category": "documents",
           "audience_org_ids": [c["cell"]]}
    return [
        ("staff", "POST", "/api/v1/members", {**new, "birth_date": value}, None, "birth_date"),
        ("staff", "POST", "/api/v1/members", {**new, "admitted_on": value}, None, "admitted_on"),
        ("staff", "PATCH", f"/api/v1/members/{c['target']}", {"official_on": value}, None, "official_on"),
        ("staff", "POST", f"/api/v1/members/{c['target']}/transfer",
         {"to_org_id": c["sibling"], "effective_on": value}, None, "effective_on"),
        ("staff", "POST", "/api/v1/documents", {**doc, "issued_on": value}, None, "issued_on"),
        ("staff", "PATCH", f"/api/v1/documents/{c['doc']}", {"effective_on": value}, None, "effective_on"),
    ]


def _month_calls(c: dict[str, Any], value: str) -> list[Call]:
    return [
        ("sec", "POST", "/api/v1/meetings/draft-regular", {"month": value}, None, "month"),
        ("staff", "GET", f"/api/v1/stats/orgs/{c['cell']}/overview", None, {"month": value}, "month"),
    ]


def _counts(db) -> tuple[int, ...]:
    db.rollback()
    tables = (Meeting, Document, Member)
    return tuple(db.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)


@pytest.mark.parametrize(("kind", "values"), [("instant", BAD_INSTANTS), ("day", BAD_DAYS),
                                              ("month", BAD_MONTHS)])
def test_every_date_field_refuses_impossible_values(client, db, cast, kind, values):
    calls = {"instant": _instant_calls, "day": _day_calls, "month": _month_calls}[kind]
    before = _counts(db)
    tried = 0
    for value in values:
        for who, method, url, body, params, field in calls(cast, value):
            resp = client.request(method, url, json=body, params=params, headers=cast[who])
            _assert_refused(resp, field)
            tried += 1
    assert _counts(db) == before
    assert tried == len(values) * len(calls(cast, ""))


def test_the_same_calls_with_good_values_are_accepted(client, cast):
    """The calls above are right in every other respect: the date alone made them fail."""
    good = {"instant": "2030-06-05T19:35:00+07:00", "day": "2000-05-19", "month": "2030-07"}
    for kind, calls in (("instant", _instant_calls), ("day", _day_calls), ("month", _month_calls)):
        for who, method, url, body, params, field in calls(cast, good[kind]):
            resp = client.request(method, url, json=body, params=params, headers=cast[who])
            # Some are refused for another reason (a wrong check-in code, comments on a published
            # document): what matters is that the date itself passed.
            assert resp.status_code < 500, (method, url, resp.text)
            assert resp.json().get("code") != "validation_error", (method, url, field, resp.text)
