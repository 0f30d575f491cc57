"""Authorisation matrix: every /api/v1 route x every kind of caller, with the outcome each must get.

The route table is read from the app: a route without an entry here fails `test_every_route_has_an_entry`.
One expectation string per case, one letter per signed-in caller in `CALLERS` order:
  member_a, secretary_a (cell A1-1), member_b, secretary_b (cell B1-1, another district),
  staff_low (commune committee above cell A), staff_above (province), admin.
Letters: o = 2xx, f = 403, n = 404 (out of view: not even its existence), x = passed the gate but refused
for the object's state or the input (400/409/422/429).
Anonymous callers and a signed-out session get 401 on every guarded route, checked beside the string.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from server.app import API_PREFIX, create_app
from tests.server.authz_stage import CALLERS, NOBODY, Stage, open_stage
from tests.server.documents.factories import pdf_bytes
from tests.server.test_route_security import PUBLIC

A = "/api/v1"
VOTE = {"title": "Nghị quyết", "votes_for": 0, "votes_against": 0, "votes_abstain": 0}
MEETING = {"title": "Họp", "kind": "regular", "starts_at": "{starts_at}", "org_id": "{cell_a}"}
DOC = {"title": "Văn bản mới", "doc_type": "resolution", "category": "documents",
       "audience_org_ids": ["{cell_a}"]}
PASSWORD = {"new_password": "mat-khau-moi-dai-1"}
M, D, DD = "/meetings/{meeting}", "/documents/{document}", "/documents/{draft_document}"
C, CD, CA = ("/year/commitments/{commitment}", "/year/commitments/{draft_commitment}",
             "/year/commitments/{approved_commitment}")
COMMITMENT = {"year": "{this_year}", "items": [{"text": "Cam kết làm theo"}]}
ITEMS = {"items": [{"text": "Cam kết đã sửa"}]}
SC, SF, SE = "/study/checks/{study_check}", "/study/checks/{study_check_future}", "/study/essays/{essay}"
STUDY_CHECK = {"document_id": "{document}", "title": "Kiểm tra", "audience_org_ids": ["{cell_a}"],
               "questions": [{"text": f"Câu {i}?", "options": ["A", "B"], "correct": [0]} for i in range(5)],
               "time_limit_minutes": 30, "opens_at": "2099-01-01T00:00:00+07:00",
               "closes_at": "2099-02-01T00:00:00+07:00"}
ATTEMPT = {"started_at": "{quiz_started}", "answered_at": "{quiz_answered}", "answers": [[0]] * 5}
ESSAY_TEXT = "Bài thu hoạch sau học tập nghị quyết, liên hệ bản thân và đăng ký làm theo. " * 4
R, RD, RP = "/year/reviews/{review}", "/year/reviews/{draft_review}", "/year/reviews/{proposed_review}"
REVIEW = {"strengths": "Gương mẫu", "shortcomings": "Còn chậm", "self_level": "good"}
EXEMPT = {"member_id": "{member_a}", "year": "{this_year}", "exempt": True, "reason": "Tuổi cao, sức yếu"}

# (method, route path) -> cases: (url, body, expected letters, note). {name} is filled from the stage's ids.
MATRIX: dict[tuple[str, str], list[tuple[str, object, str, str]]] = {
    ("GET", "/auth/sessions"): [("", None, "ooooooo", "own sessions only")],
    ("DELETE", "/auth/sessions/{session_id}"): [("/auth/sessions/999999", None, "nnnnnnn",
                                                 "another's or unknown session: 404")],
    ("POST", "/auth/sessions/revoke-others"): [("", None, "ooooooo", "")],
    ("POST", "/auth/logout"): [("", None, "ooooooo", "")],
    ("POST", "/auth/password"): [("", {"current_password": "sai-mat-khau", "new_password": "mat-khau-moi-1"},
                                  "xxxxxxx", "own account; the current password is required")],
    ("GET", "/me"): [("", None, "ooooooo", "")],
    ("GET", "/orgs"): [("", None, "ooooooo", "each sees their own tree")],
    ("GET", "/orgs/{org_id}"): [("/orgs/{cell_a}", None, "oonnooo", ""),
                                ("/orgs/{province}", None, "ooooooo", "ancestors of one's cell are visible")],
    ("POST", "/orgs"): [("", {"name": "Chi bộ mới", "kind": "cell", "code": "MOI1", "parent_id": "{commune}"},
                         "ffffooo", "staff of the parent or above"),
                        ("", {"name": "Xã mới", "kind": "grassroots", "code": "MOI2",
                              "parent_id": "{district}"}, "fffffoo", "above the commune staff")],
    ("PATCH", "/orgs/{org_id}"): [("/orgs/{cell_a}", {"name": "Chi bộ đổi tên"}, "ffffooo", ""),
                                  ("/orgs/{district}", {"name": "Huyện đổi tên"}, "fffffoo", "")],
    ("GET", "/members"): [("", None, "ooooooo", "filtered to what each may see")],
    ("POST", "/members"): [("", {"full_name": "Người Mới", "org_id": "{cell_a}"}, "ffffooo", "")],
    ("POST", "/members/import"): [("", b"STT\n", "ffffxxx", "staff only; this file itself is refused")],
    ("GET", "/members/{member_id}"): [("/members/{member_a}", None, "oonnooo", "")],
    # Issue 10 item 1 (role reach): staff_low manages cell A1-2, where the province staff's and an admin's
    # member records sit, but not their roles.
    ("PATCH", "/members/{member_id}"): [
        ("/members/{member_a}", {"phone": "0900000001"}, "ffffooo", "secretaries read, staff change"),
        ("/members/{province_staff}", {"phone": "0900000002"}, "fffffoo", "item 1: a role above staff_low"),
        ("/members/{province_staff}", {"is_active": False}, "fffffxo", "item 1; staff_above: not oneself"),
        ("/members/{cell_admin}", {"is_active": False}, "ffffffo", "item 1: an admin, by admins only"),
    ],
    ("POST", "/members/{member_id}/transfer"): [
        ("/members/{member_a}/transfer", {"to_org_id": "{cell_a2}"}, "ffffooo", ""),
        ("/members/{province_staff}/transfer", {"to_org_id": "{cell_a}"}, "fffffoo", "item 1"),
        ("/members/{cell_admin}/transfer", {"to_org_id": "{cell_a}"}, "ffffffo", "item 1"),
    ],
    ("GET", "/members/{member_id}/history"): [("/members/{member_a}/history", None, "oonnooo", "")],
    ("POST", "/members/{member_id}/account"): [
        ("/members/{bare_member}/account", {"username": "tai.khoan.moi", "password": "mat-khau-dai-3"},
         "ffffooo", ""),
        ("/members/{province_staff}/account", {"username": "tai.khoan.hai", "password": "mat-khau-dai-3"},
         "fffffxx", "item 1; has one already: 409 account_exists for those in reach"),
    ],
    ("POST", "/members/{member_id}/password"): [
        ("/members/{member_a}/password", PASSWORD, "ffffooo", ""),
        ("/members/{province_staff}/password", PASSWORD, "fffffoo", "item 1: the province's own staff"),
        ("/members/{cell_admin}/password", PASSWORD, "ffffffo", "item 1: an admin whose record is in A1-2"),
    ],
    ("POST", "/members/{member_id}/sessions/end"): [
        ("/members/{member_a}/sessions/end", None, "ffffooo", "lost phone: staff in reach end its sessions"),
        ("/members/{province_staff}/sessions/end", None, "fffffoo", "item 1: the province's own staff"),
        ("/members/{cell_admin}/sessions/end", None, "ffffffo", "item 1: an admin whose record is in A1-2"),
    ],
    ("GET", "/members/{member_id}/roles"): [("/members/{secretary_a}/roles", None, "nonnooo",
                                              "a plain member sees only their own record")],
    ("POST", "/members/{member_id}/roles"): [
        ("/members/{member_a}/roles", {"role": "cell_committee", "org_id": "{cell_a}"}, "ffffooo", ""),
        ("/members/{member_a}/roles", {"role": "staff", "org_id": "{commune}"}, "ffffooo", "own level"),
        ("/members/{member_a}/roles", {"role": "staff", "org_id": "{district}"}, "fffffoo",
         "item 1: no granting above oneself"),
        ("/members/{member_a}/roles", {"role": "admin"}, "ffffffo", "admin by admins only"),
        ("/members/{province_staff}/roles", {"role": "cell_committee", "org_id": "{cell_a2}"}, "fffffoo",
         "item 1: nothing granted to an account above"),
    ],
    ("DELETE", "/members/{member_id}/roles/{role_id}"): [
        ("/members/{secretary_a}/roles/{secretary_role}", None, "ffffooo", ""),
        ("/members/{province_staff}/roles/{province_role}", None, "fffffoo", "item 1"),
    ],
    ("GET", "/audit"): [("", None, "ffffooo", "staff: their subtree's entries")],
    ("POST", "/meetings/calendar/token"): [("", None, "oooooox", "one's own feed")],
    ("DELETE", "/meetings/calendar/token"): [("", None, "ooooooo", "")],
    ("POST", "/meetings/draft-regular"): [("", {"month": "{next_month}", "org_id": "{cell_a}"}, "fonnffo",
                                           "cell leaders (and admins) draft; staff do not")],
    ("POST", "/meetings"): [("", MEETING, "fonnffo", "")],
    ("GET", "/meetings"): [("", None, "ooooooo", "")],
    ("GET", "/meetings/{meeting_id}"): [(M, None, "oonnooo", "")],
    ("PATCH", "/meetings/{meeting_id}"): [("/meetings/{draft_meeting}", {"title": "Đổi tên"}, "nonnffo",
                                           "drafts are hidden from members")],
    ("DELETE", "/meetings/{meeting_id}"): [("/meetings/{draft_meeting}", None, "nonnffo", "")],
    ("POST", "/meetings/{meeting_id}/schedule"): [("/meetings/{draft_meeting}/schedule", None, "nonnffo",
                                                   "")],
    ("POST", "/meetings/{meeting_id}/cancel"): [("/meetings/{scheduled_meeting}/cancel", {"reason": "Lý do"},
                                                 "fonnffo", "")],
    ("POST", "/meetings/{meeting_id}/close"): [("/meetings/{held_meeting}/close", None, "fonnffo", "")],
    ("POST", "/meetings/{meeting_id}/check-in/open"): [("/meetings/{scheduled_meeting}/check-in/open", None,
                                                        "fonnffo", "")],
    ("GET", "/meetings/{meeting_id}/check-in/code"): [(M + "/check-in/code", None, "fonnffo", "")],
    ("GET", "/meetings/{meeting_id}/check-in/codes"): [(M + "/check-in/codes", None, "fonnffo", "")],
    ("GET", "/meetings/{meeting_id}/check-in/qr"): [(M + "/check-in/qr", None, "fonnffo", "")],
    ("POST", "/meetings/{meeting_id}/check-ins"): [
        (M + "/check-ins", {"code": "{checkin_code}", "client_id": "matrix-0001"}, "oonnnnn", ""),
    ],
    ("GET", "/meetings/{meeting_id}/agenda/unread"): [(M + "/agenda/unread", None, "fonnooo",
                                                       "as attendance: the cell's leaders and staff above")],
    ("POST", "/meetings/{meeting_id}/agenda/{position}/remind"): [
        (M + "/agenda/1/remind", None, "fonnffo", "the cell's leaders and admins; staff read only"),
        (M + "/agenda/7/remind", None, "fnnnffn", "no such item: 404 for those who may run the meeting"),
    ],
    ("GET", "/meetings/{meeting_id}/attendance"): [(M + "/attendance", None, "fonnooo", "")],
    ("PUT", "/meetings/{meeting_id}/attendance/{member_id}"): [
        (M + "/attendance/{member_a}", {"status": "present"}, "fonnffo", ""),
    ],
    ("POST", "/meetings/{meeting_id}/attendance/bulk"): [
        (M + "/attendance/bulk", {"items": [{"member_id": "{member_a}", "status": "present"}]},
         "fonnffo", ""),
    ],
    ("GET", "/meetings/{meeting_id}/attendance/history"): [(M + "/attendance/history", None,
                                                            "fonnooo", "")],
    ("GET", "/meetings/{meeting_id}/attendance/export"): [(M + "/attendance/export", None,
                                                           "fonnooo", "")],
    ("GET", "/meetings/{meeting_id}/stats"): [(M + "/stats", None, "oonnooo", "")],
    ("GET", "/meetings/{meeting_id}/absence-requests"): [(M + "/absence-requests", None,
                                                          "oonnooo", "")],
    ("POST", "/meetings/{meeting_id}/absence-requests"): [("/meetings/{scheduled_meeting}/absence-requests",
                                                           {"reason": "Bận việc"}, "oonnnnn", "")],
    ("DELETE", "/meetings/{meeting_id}/absence-requests/mine"): [
        (M + "/absence-requests/mine", None, "onnnnnn", ""),
    ],
    ("POST", "/meetings/{meeting_id}/absence-requests/{request_id}/decision"): [
        (M + "/absence-requests/{request}/decision", {"approve": True}, "fonnffo", ""),
    ],
    ("GET", "/meetings/{meeting_id}/minutes"): [(M + "/minutes", None, "nonnooo", "")],
    ("PUT", "/meetings/{meeting_id}/minutes"): [(M + "/minutes", {"text": "Biên bản"}, "fonnffo", "")],
    ("POST", "/meetings/{meeting_id}/resolutions"): [("/meetings/{held_meeting}/resolutions", VOTE, "fonnffo",
                                                      "cell leaders and admins; staff read")],
    ("PUT", "/meetings/{meeting_id}/resolutions/{resolution_id}"): [
        (M + "/resolutions/{resolution}", VOTE, "fonnffo", ""),
    ],
    ("DELETE", "/meetings/{meeting_id}/resolutions/{resolution_id}"): [
        (M + "/resolutions/{resolution}", None, "fonnffo", ""),
    ],
    ("GET", "/stats/members/{member_id}"): [("/stats/members/{member_a}", None, "oonnooo", "")],
    ("GET", "/stats/cells/{cell_id}"): [("/stats/cells/{cell_a}", None, "fonnooo", "")],
    ("GET", "/stats/cells/{cell_id}/attendance/export"): [("/stats/cells/{cell_a}/attendance/export", None,
                                                           "fonnooo", "")],
    ("GET", "/stats/orgs/{org_id}/overview"): [("/stats/orgs/{district}/overview", None, "nnnnnoo", "")],
    ("POST", "/documents"): [("", DOC, "ffffooo", "")],
    ("GET", "/documents"): [("", None, "ooooooo", "")],
    ("GET", "/documents/topics"): [("", None, "ooooooo", "")],
    ("GET", "/documents/{document_id}"): [(D, None, "oonnooo", "")],
    ("GET", "/documents/{document_id}/versions"): [(D + "/versions", None, "oonnooo", "")],
    ("PATCH", "/documents/{document_id}"): [(D, {"title": "Sửa tài liệu"}, "ffnnooo", "")],
    ("POST", "/documents/{document_id}/withdraw"): [(D + "/withdraw", None, "ffnnooo", "")],
    ("POST", "/documents/{document_id}/publish"): [(DD + "/publish", None, "ffnnooo", "")],
    ("DELETE", "/documents/{document_id}"): [(DD, None, "ffnnooo", "")],
    ("DELETE", "/attachments/{attachment_id}"): [("/attachments/{attachment}", None, "ffnnooo", "")],
    ("POST", "/documents/{document_id}/attachments"): [(D + "/attachments", pdf_bytes(),
                                                        "ffnnooo", "")],
    ("GET", "/attachments/{attachment_id}"): [("/attachments/{attachment}", None, "oonnooo", "")],
    ("HEAD", "/attachments/{attachment_id}"): [("/attachments/{attachment}", None, "oonnooo", "")],
    ("POST", "/documents/{document_id}/read"): [(D + "/read", None, "oonnooo", "")],
    ("POST", "/documents/{document_id}/studied"): [(D + "/studied", None, "oonnooo", "")],
    ("DELETE", "/documents/{document_id}/studied"): [(D + "/studied", None, "oonnooo", "")],
    ("PUT", "/documents/{document_id}/bookmark"): [(D + "/bookmark", None, "oonnooo", "")],
    ("DELETE", "/documents/{document_id}/bookmark"): [(D + "/bookmark", None, "oonnooo", "")],
    ("GET", "/documents/{document_id}/read-stats"): [(D + "/read-stats", None, "fonnooo", "")],
    ("GET", "/documents/read-rates"): [
        ("/documents/read-rates?org_id={cell_a}&document_id={document}", None, "fofnooo",
         "plain members 403 as for read-stats; another cell's secretary: cell A out of scope, 404"),
        ("/documents/read-rates?org_id={cell_b}&document_id={document}", None, "fnfonoo",
         "cell B's secretary: 200 without the document they cannot see"),
    ],
    ("GET", "/documents/study-rates"): [
        ("/documents/study-rates?org_id={cell_a}&document_id={document}", None, "fonnooo",
         "the read-stats rules: members 403, the study material out of view 404"),
        ("/documents/study-rates?org_id={cell_b}&document_id={document}", None, "fnnnnoo",
         "cell B out of scope for cell A's secretary and the commune staff: 404"),
    ],
    ("GET", "/documents/{document_id}/readers"): [(D + "/readers", None, "fonnooo", "")],
    ("POST", "/documents/{document_id}/comments"): [(DD + "/comments", {"body": "Góp ý"},
                                                     "oonnooo", "")],
    ("GET", "/documents/{document_id}/comments"): [(DD + "/comments", None, "oonnooo", "")],
    ("GET", "/documents/{document_id}/comments/export"): [(DD + "/comments/export",
                                                           None, "ffnnooo", "")],
    ("GET", "/sync"): [("", None, "ooooooo", "each device gets its own scope's feed")],
    ("POST", "/sync/push"): [("", {"actions": []}, "ooooooo", "actions are checked one by one (tests/sync)")],
    ("POST", "/events/ticket"): [("", None, "ooooooo", "")],
    ("GET", "/notifications"): [("", None, "ooooooo", "one's own inbox")],
    ("POST", "/notifications/read"): [("", {"all": True}, "ooooooo", "")],
    ("POST", "/year/commitments"): [("", COMMITMENT, "xooooof",
                                     "member_a has this year's: 409; the admin is no member: 403")],
    ("GET", "/year/commitments"): [("", None, "ooooooo", "filtered to what each may read")],
    ("GET", "/year/commitments/mine"): [("", None, "ooooooo", "")],
    ("GET", "/year/commitments/{commitment_id}"): [(C, None, "oonnooo", ""),
                                                   (CD, None, "onnnnnn", "a draft is its author's only")],
    ("PATCH", "/year/commitments/{commitment_id}"): [(CD, ITEMS, "onnnnnn", ""),
                                                     (C, ITEMS, "xfnnfff", "submitted: locked (409)")],
    ("DELETE", "/year/commitments/{commitment_id}"): [(CD, None, "onnnnnn", "")],
    ("POST", "/year/commitments/{commitment_id}/submit"): [(CD + "/submit", None, "onnnnnn", "")],
    ("POST", "/year/commitments/{commitment_id}/decision"): [(C + "/decision", {"approve": True}, "fonnffo",
                                                              "the cell's leaders (and admins); staff read")],
    ("PUT", "/year/commitments/{commitment_id}/results"): [
        (CA + "/results", {"results": [{"item_id": "{approved_item}", "result": "Đã làm"}]}, "ofnnfff",
         "the member's own"),
    ],
    ("PUT", "/year/commitments/{commitment_id}/remarks"): [
        (CA + "/remarks", {"remarks": [{"item_id": "{approved_item}", "remark": "Tốt"}]}, "fonnffo", ""),
    ],
    ("GET", "/year/cells/{cell_id}/commitments"): [("/year/cells/{cell_a}/commitments?year={this_year}", None,
                                                    "fonnooo", "leaders and staff above; members 403")],
    ("GET", "/year/orgs/{org_id}/commitments/summary"): [
        ("/year/orgs/{district}/commitments/summary?year={this_year}", None, "nnnnnoo", "staff above"),
        ("/year/orgs/{cell_a}/commitments/summary?year={this_year}", None, "nonnooo", "its leaders too"),
    ],
    ("GET", "/year/cells/{cell_id}/commitments/export"): [
        ("/year/cells/{cell_a}/commitments/export?year={this_year}", None, "fonnooo", ""),
    ],
    ("POST", "/study/checks"): [("", STUDY_CHECK, "ffffooo", "staff whose subtree holds the audience")],
    ("GET", "/study/checks"): [("", None, "ooooooo", "filtered to what each may read")],
    ("GET", "/study/checks/{check_id}"): [(SC, None, "oonnooo", "the audience and staff reaching it")],
    ("PATCH", "/study/checks/{check_id}"): [(SF, {"title": "Kiểm tra mới"}, "ffnnooo", ""),
                                            (SC, {"time_limit_minutes": 10}, "ffnnxxx", "open: locked")],
    ("DELETE", "/study/checks/{check_id}"): [(SF, None, "ffnnooo", ""), (SC, None, "ffnnxxx", "open")],
    ("POST", "/study/checks/{check_id}/attempts"): [(SC + "/attempts", ATTEMPT, "oonnfff",
                                                     "members of the audience; its managers never")],
    ("GET", "/study/checks/{check_id}/figures"): [(SC + "/figures?org_id={cell_a}", None, "nonnooo", "")],
    ("GET", "/study/checks/{check_id}/figures/export"): [
        (SC + "/figures/export?org_id={cell_a}", None, "nonnooo", "")],
    ("POST", "/study/essays"): [("", {"document_id": "{document}", "text": ESSAY_TEXT}, "xonnnnf",
                                 "members the document reaches; member_a has handed one in")],
    ("GET", "/study/essays"): [("", None, "ooooooo", "own, and the led cell's")],
    ("GET", "/study/essays/{essay_id}"): [(SE, None, "oonnnno", "its member and its cell's leaders")],
    ("POST", "/study/essays/{essay_id}/receive"): [(SE + "/receive", {}, "fonnnno", "")],
    ("GET", "/year/reviews/mine/{year}"): [("/year/reviews/mine/{this_year}", None, "oooooof",
                                            "one's own form; the admin is no member: 403")],
    ("PUT", "/year/reviews/mine/{year}"): [("/year/reviews/mine/{this_year}", REVIEW, "oooooof",
                                            "member_a's submitted one is still editable")],
    ("GET", "/year/reviews"): [("", None, "ooooooo", "filtered to what each may read")],
    ("PUT", "/year/reviews/exemption"): [("", EXEMPT, "nonnnno", "the cell's leaders (and admins)")],
    ("GET", "/year/reviews/{review_id}"): [(R, None, "oonnooo", ""),
                                           (RD, None, "onnnnnn", "a draft is its author's only"),
                                           (RP, None, "nonnooo", "a fellow member of the cell: 404")],
    ("PUT", "/year/reviews/{review_id}/proposal"): [(R + "/proposal", {"level": "good"}, "fonnffo",
                                                     "the cell's leaders (and admins); staff read")],
    ("PUT", "/year/reviews/{review_id}/confirmation"): [
        (RP + "/confirmation", {"level": "good"}, "nfnnooo", "staff above the cell (and admins)"),
    ],
    ("GET", "/year/orgs/{org_id}/reviews/summary"): [
        ("/year/orgs/{district}/reviews/summary?year={this_year}", None, "nnnnnoo", "staff above"),
        ("/year/orgs/{cell_a}/reviews/summary?year={this_year}", None, "nonnooo", "its leaders too"),
    ],
    ("GET", "/year/orgs/{org_id}/reviews/export"): [
        ("/year/orgs/{district}/reviews/export?year={this_year}", None, "nnnnnoo", ""),
    ],
}
# Public by design (see test_route_security.PUBLIC): what every caller, signed in or not, gets.
PUBLIC_CASES: dict[tuple[str, str], tuple[str, object, int] | None] = {
    ("GET", "/health"): ("", None, 200),
    ("GET", "/info"): ("", None, 200),
    ("POST", "/auth/login"): ("", {"username": "khong.co", "password": "sai-mat-khau-1"}, 401),
    ("POST", "/auth/refresh"): ("", {"refresh_token": "khong-hop-le"}, 401),
    ("GET", "/meetings/calendar/{token}.ics"): ("/meetings/calendar/not-a-token.ics", None, 404),
    ("GET", "/events"): None,  # an endless stream: its own credential checks live in sync/test_events.py
}
LETTER = {"f": (403,), "n": (404,), "x": (400, 409, 422, 429)}


def _routes(app) -> Iterator[tuple[str, str]]:
    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute) and ctx.path.startswith(API_PREFIX):
            for method in sorted(ctx.methods or ()):
                yield method, ctx.path.removeprefix(A)


def _fill(value, ids):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _moment(stage: Stage) -> dict[str, str]:
    """Values that depend on the clock: the live meeting's current code, a date ahead of now."""
    ahead = datetime.now(UTC) + timedelta(days=40)
    just = datetime.now(UTC)
    return {"checkin_code": stage.checkin_code(), "next_month": f"{ahead:%Y-%m}",
            "quiz_started": (just - timedelta(minutes=5)).isoformat(), "quiz_answered": just.isoformat(),
            "starts_at": ahead.replace(microsecond=0).isoformat()}


def _url(route_path: str, url: str, ids) -> str:
    return A + (_fill(url, ids) if url else route_path)


def _agrees(letter: str, status: int) -> bool:
    if letter == "?":
        return False
    return 200 <= status < 300 if letter == "o" else status in LETTER[letter]


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Stage]:
    yield from open_stage(tmp_path_factory.mktemp("matrix"), sqlite_template)


def _missing(app) -> list[tuple[str, str]]:
    return sorted(set(_routes(app)) - set(MATRIX) - set(PUBLIC_CASES))


def test_every_route_has_an_entry(stage):
    routes = set(_routes(stage.app))
    entries = set(MATRIX) | set(PUBLIC_CASES)
    assert _missing(stage.app) == [], "routes without an entry in the authorisation matrix"
    assert sorted(entries - routes) == [], "stale entries"
    assert {(m, A + p) for m, p in PUBLIC_CASES} == set(PUBLIC), "public here and in test_route_security"
    assert not set(MATRIX) & set(PUBLIC_CASES)


def test_a_new_route_without_an_entry_is_reported(stage):
    from fastapi import APIRouter

    app = create_app(stage.app.state.settings, migrate=False)
    router = APIRouter()

    @router.post("/members/{member_id}/promote")
    def promote(member_id: int) -> dict[str, int]:
        return {"id": member_id}

    app.include_router(router, prefix=API_PREFIX)
    assert _missing(app) == [("POST", "/members/{member_id}/promote")]


def test_public_routes_answer_everyone_alike(stage):
    for (method, path), case in PUBLIC_CASES.items():
        if case is None:
            continue
        url, body, expected = case
        # Failed sign-ins count towards the address's limit: three tries, not nine, for those routes.
        callers = (*NOBODY, *CALLERS) if method == "GET" else (*NOBODY, "member_a")
        for caller in callers:
            resp = stage.call(caller, method, _url(path, url, stage.ids), _fill(body, stage.ids))
            assert resp.status_code == expected, (caller, method, path, resp.status_code, resp.text)


def _run(stage: Stage) -> tuple[list[str], int]:
    """Every case for every caller; reads first, each write undone before the next call."""
    problems, calls = [], 0
    order = sorted(MATRIX.items(), key=lambda item: item[0][0] not in ("GET", "HEAD"))
    for (method, path), cases in order:
        for url, body, expected, _note in cases:
            full = _url(path, url, stage.ids)
            payload = _fill(body, {**stage.ids, **_moment(stage)})
            for caller in NOBODY:
                resp = stage.call(caller, method, full, payload)
                calls += 1
                if resp.status_code != 401:
                    problems.append(f"{method} {full} {caller}: {resp.status_code}")
            got = []
            for caller in CALLERS:
                resp = stage.call(caller, method, full, payload)
                calls += 1
                got.append(str(resp.status_code))
                if method not in ("GET", "HEAD") and resp.status_code < 400:
                    stage.restore()
                if resp.status_code >= 500:
                    problems.append(f"{method} {full} {caller}: {resp.status_code} {resp.text[:200]}")
            if not all(_agrees(letter, int(status)) for letter, status in zip(expected, got, strict=True)):
                problems.append(f"{method} {path} [{url}] expected {expected} got {' '.join(got)}")
    return problems, calls


def test_the_matrix(stage):
    problems, calls = _run(stage)
    assert calls >= 9 * len(MATRIX)
    assert problems == [], "\n".join(dict.fromkeys(problems))
