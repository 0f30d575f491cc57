"""Very long strings and characters no keyboard types: bounded everywhere, refused with a 422 (a 413 when
the body passes its route's size limit) in the one error shape, never a 500; text already stored with them
still exports."""

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from server.app import body_limit_rules
from server.documents.models import DocumentComment
from server.records.members import Member
from tests.server.documents.factories import create_doc
from tests.server.meetings.factories import make_meeting, mark

_FILE_PART = "contentMediaType"


def _unbounded(spec: dict[str, Any]) -> list[str]:
    """Every string or list a client may send (parameters and bodies) with no upper bound."""
    comps = spec["components"]["schemas"]
    found: list[str] = []

    def walk(s: dict[str, Any], where: str, seen: frozenset[str]) -> None:
        if "$ref" in s:
            name = s["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(comps[name], where, seen | {name})
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in s.get(key, []):
                walk(sub, where, seen)
        kind = s.get("type")
        bounded = {"maxLength", "pattern", "enum", "const", "format", _FILE_PART} & s.keys()
        if kind == "string" and not bounded:
            found.append(where)
        if kind == "array":
            if "maxItems" not in s:
                found.append(where)
            walk(s.get("items", {}), where + "[]", seen)
        for name, sub in s.get("properties", {}).items():
            walk(sub, f"{where}.{name}", seen)

    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for param in op.get("parameters", []):
                walk(param["schema"], f"{method.upper()} {path} {param['in']}:{param['name']}", frozenset())
            for content in op.get("requestBody", {}).get("content", {}).values():
                walk(content["schema"], f"{method.upper()} {path} body", frozenset())
    return found


def test_every_string_and_list_a_client_sends_has_a_bound(app):
    # A new field without max_length (or a pattern) fails here, before a client can send 100 MB into it.
    assert _unbounded(app.openapi()) == []


@pytest.fixture
def cast(client, world, login, db):
    meeting = make_meeting(db, world.cell, starts_at=datetime(2030, 6, 5, 12, tzinfo=UTC))
    db.commit()
    staff, sec = login(world.staff), login(world.secretary)
    doc = create_doc(client, staff, "Dự thảo lấy ý kiến", [world.cell.id], status="draft",
                     comments_until=(datetime.now(UTC) + timedelta(days=30)).isoformat())
    return {"staff": staff, "sec": sec, "member": login(world.member), "meeting": meeting.id,
            "doc": doc["id"], "cell": world.cell.id, "target": world.member.member.id}


def _text_calls(c: dict[str, Any], text: str) -> list[tuple[str, str, str, dict[str, Any], str]]:
    """(who, method, url, body, field) of routes taking free text, one field each."""
    return [
        ("staff", "POST", "/api/v1/members", {"full_name": text, "org_id": c["cell"]}, "full_name"),
        ("staff", "PATCH", f"/api/v1/members/{c['target']}", {"position": text}, "position"),
        ("staff", "POST", "/api/v1/orgs",
         {"name": text, "kind": "cell", "code": "cb-x", "parent_id": c["cell"]}, "name"),
        ("sec", "POST", "/api/v1/meetings", {"title": text, "kind": "thematic",
                                             "starts_at": "2030-06-06T19:30:00+07:00"}, "title"),
        ("sec", "PATCH", f"/api/v1/meetings/{c['meeting']}", {"location": text}, "location"),
        ("sec", "POST", f"/api/v1/meetings/{c['meeting']}/cancel", {"reason": text}, "reason"),
        ("member", "POST", f"/api/v1/meetings/{c['meeting']}/absence-requests", {"reason": text}, "reason"),
        ("staff", "PATCH", f"/api/v1/documents/{c['doc']}", {"title": text}, "title"),
        ("member", "POST", f"/api/v1/documents/{c['doc']}/comments", {"body": text}, "body"),
        ("member", "POST", "/api/v1/auth/login", {"username": text, "password": "x"}, "username"),
    ]


def _refused(resp, field: str, phrase: str | None = None) -> None:
    assert resp.status_code == 422, (resp.status_code, resp.text[:300])
    body = resp.json()
    assert body["code"] == "validation_error"
    [error] = [e for e in body["errors"] if e["field"] == field]
    if phrase:
        assert phrase in error["message"]


def _body_limit(app, method: str, url: str) -> int:
    for rule in body_limit_rules(app.state.settings):
        if rule.method == method and rule.pattern().match(url):
            return rule.limit()
    return int(app.state.settings.json_max_bytes)


@pytest.mark.parametrize("size", [5_001, 1_000_001])
def test_very_long_strings_are_refused(app, client, cast, size):
    text = "Đảng viên " * (size // 10 + 1)
    for who, method, url, body, field in _text_calls(cast, text):
        resp = client.request(method, url, json=body, headers=cast[who])
        if len(json.dumps(body, ensure_ascii=False).encode()) > _body_limit(app, method, url):
            # Over the route's body limit: refused before the body is read (server/kit/limits.py).
            assert resp.status_code == 413 and resp.json()["code"] == "payload_too_large", (url, resp.text)
        else:
            _refused(resp, field, "Quá dài")
    for url, param in (("/api/v1/members", "q"), ("/api/v1/orgs", "q"), ("/api/v1/documents", "q"),
                       ("/api/v1/audit", "action")):
        resp = client.get(url, params={param: text[:20_000]}, headers=cast["staff"])
        _refused(resp, param, "Quá dài")
    resp = client.get("/api/v1/meetings/calendar/" + "a" * 5000 + ".ics")
    _refused(resp, "token", "Quá dài")


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\x7f", "\x9b", "\ud800", "\udfff"])
def test_control_characters_and_lone_surrogates_are_refused(client, cast, bad):
    for who, method, url, body, field in _text_calls(cast, f"Nguyễn Văn{bad} Điều khiển"):
        # json.dumps keeps a lone surrogate as the escape a broken client would send
        raw = json.dumps(body).encode()
        headers = {**cast[who], "Content-Type": "application/json"}
        resp = client.request(method, url, content=raw, headers=headers)
        _refused(resp, field, "ký tự")


def test_line_breaks_and_tabs_stay_allowed_in_multiline_text(client, cast):
    resp = client.post(f"/api/v1/documents/{cast['doc']}/comments", headers=cast["member"],
                       json={"body": "Góp ý:\n\t1. Sửa điều 2.\r\n\t2. Bỏ điều 5."})
    assert resp.status_code == 201, resp.text


def test_text_stored_with_control_characters_still_exports(client, db, world, cast):
    """Rows written before the API refused them (or by an import): the XLSX exports open, text kept."""
    member = db.get(Member, world.member.member.id)
    member.full_name = "Trần\x00 Thị\x0b Đảng\x1b"
    db.add(DocumentComment(document_id=cast["doc"], user_id=world.member.user.id,
                           member_id=member.id, body="=cmd|' /C calc'!A0\x07 góp ý\x02"))
    meeting = make_meeting(db, world.cell, starts_at=datetime(2025, 6, 5, 12, tzinfo=UTC), status="closed")
    mark(db, meeting, world.member, "present")
    db.commit()
    resp = client.get(f"/api/v1/meetings/{meeting.id}/attendance/export", params={"format": "xlsx"},
                      headers=cast["sec"])
    assert resp.status_code == 200, resp.text
    names = [c.value for c in load_workbook(io.BytesIO(resp.content)).active["B"]]
    assert "Trần Thị Đảng" in names
    resp = client.get(f"/api/v1/documents/{cast['doc']}/comments/export", params={"format": "xlsx"},
                      headers=cast["staff"])
    assert resp.status_code == 200, resp.text
    cell = [c for c in load_workbook(io.BytesIO(resp.content)).active["E"] if c.value and "cmd" in c.value][0]
    assert cell.value == "=cmd|' /C calc'!A0 góp ý" and cell.data_type == "s"  # text, never a formula
