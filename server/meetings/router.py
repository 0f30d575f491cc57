"""Routes of meetings (/meetings...); those of attendance statistics (/stats...) are in stats_router.py."""

import io
from typing import Annotated, Literal
from urllib.parse import quote

import segno
from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from server.deps import ArrivedAt, CurrentPrincipal, DbSession, ReadPrincipal, WriteGate
from server.meetings import (
    absence,
    agenda_docs,
    attendance,
    calendar,
    checkin,
    exports,
    minutes,
    public,
    regular,
    service,
    stats,
)
from server.meetings.deps import in_write_transaction
from server.openapi import AUTHED, errors
from shared.schemas.common import Page
from shared.schemas.meetings import (
    ID_MAX,
    AbsenceDecision,
    AbsenceRequestCreate,
    AbsenceRequestPublic,
    AgendaReminderPublic,
    AgendaUnread,
    AttendanceBulk,
    AttendanceBulkItem,
    AttendanceChangePublic,
    AttendanceSet,
    AttendanceSheet,
    CalendarLink,
    CheckinCode,
    CheckinCodeSchedule,
    CheckinPublic,
    CheckinRequest,
    DraftRegularRequest,
    Instant,
    MeetingCancel,
    MeetingCounts,
    MeetingCreate,
    MeetingKind,
    MeetingPublic,
    MeetingStatus,
    MeetingUpdate,
    MinutesPublic,
    MinutesUpdate,
    ResolutionIn,
    ResolutionPublic,
)

router = APIRouter(prefix="/meetings", tags=["meetings"])
Fmt = Literal["csv", "xlsx"]
PathId = Annotated[int, Path(ge=1, le=ID_MAX)]
QueryId = Annotated[int | None, Query(ge=1, le=ID_MAX)]


def file_response(data: bytes, media_type: str, filename: str) -> Response:
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "private, no-store",
        },
    )


# ---- calendar (the feed is public: the token is the credential) ----


@router.get(
    "/calendar/{token}.ics",
    response_class=Response,
    responses=errors(404),
    summary="Lịch iCalendar riêng của đảng viên (không cần đăng nhập; mã trong đường dẫn là khóa)",
)
def calendar_feed(token: Annotated[str, Path(max_length=100)], db: DbSession) -> Response:
    return Response(
        calendar.feed(db, token),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


@router.post(
    "/calendar/token", response_model=CalendarLink, status_code=status.HTTP_201_CREATED, responses=AUTHED
)
def calendar_issue(request: Request, principal: CurrentPrincipal, db: DbSession) -> CalendarLink:
    out = calendar.issue(db, principal, str(request.base_url))
    db.commit()
    return out


@router.delete("/calendar/token", status_code=status.HTTP_204_NO_CONTENT, responses=AUTHED)
def calendar_revoke(principal: CurrentPrincipal, db: DbSession) -> None:
    calendar.revoke(db, principal)
    db.commit()


# ---- meetings ----


@router.post(
    "/draft-regular",
    response_model=MeetingPublic,
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 404, 422),
)
def draft_regular(
    body: DraftRegularRequest, response: Response, principal: CurrentPrincipal, db: DbSession
) -> MeetingPublic:
    """Draft the cell's regular meeting of a month from its rule; 200 with the existing one if any."""
    org = service._leader_cell(db, principal, body.org_id)
    assert org.id is not None
    meeting, created = regular.draft_next_regular(db, org.id, body.month, actor=principal)
    db.commit()
    if not created:
        response.status_code = status.HTTP_200_OK
    return public.one_public(db, principal, meeting)


@router.post(
    "",
    response_model=MeetingPublic,
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 404, 409, 422),
)
def create_meeting(body: MeetingCreate, principal: CurrentPrincipal, db: DbSession) -> MeetingPublic:
    meeting = service.create(db, principal, body)
    db.commit()
    return public.one_public(db, principal, meeting)


@router.get("", response_model=Page[MeetingPublic], responses=AUTHED)
def list_meetings(
    principal: CurrentPrincipal,
    db: DbSession,
    org_id: QueryId = None,
    status_: Annotated[MeetingStatus | None, Query(alias="status")] = None,
    kind: MeetingKind | None = None,
    since: Instant | None = None,
    until: Instant | None = None,
    order: Annotated[
        Literal["asc", "desc"], Query(description="asc: sắp tới trước (dùng với since)")
    ] = "desc",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[MeetingPublic]:
    rows, total = service.list_meetings(
        db,
        principal,
        org_id=org_id,
        status=status_.value if status_ else None,
        kind=kind.value if kind else None,
        ascending=order == "asc",
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return Page[MeetingPublic](
        items=public.to_public(db, principal, rows), total=total, limit=limit, offset=offset
    )


@router.get("/{meeting_id}", response_model=MeetingPublic, responses=errors(401, 404))
def get_meeting(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> MeetingPublic:
    return public.one_public(db, principal, service.get_readable(db, principal, meeting_id))


@router.patch("/{meeting_id}", response_model=MeetingPublic, responses=errors(401, 403, 404, 409, 422))
def update_meeting(
    meeting_id: PathId, body: MeetingUpdate, principal: CurrentPrincipal, db: DbSession
) -> MeetingPublic:
    meeting = service.update(db, principal, meeting_id, body)
    db.commit()
    return public.one_public(db, principal, meeting)


@router.delete("/{meeting_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 403, 404, 409))
def delete_meeting(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> None:
    service.delete_draft(db, principal, meeting_id)
    db.commit()


@router.post("/{meeting_id}/schedule", response_model=MeetingPublic, responses=errors(401, 403, 404, 409))
def schedule_meeting(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> MeetingPublic:
    meeting = service.schedule(db, principal, meeting_id)
    db.commit()
    return public.one_public(db, principal, meeting)


@router.post("/{meeting_id}/cancel", response_model=MeetingPublic, responses=errors(401, 403, 404, 409, 422))
def cancel_meeting(
    meeting_id: PathId, body: MeetingCancel, principal: CurrentPrincipal, db: DbSession
) -> MeetingPublic:
    meeting = service.cancel(db, principal, meeting_id, body.reason)
    db.commit()
    return public.one_public(db, principal, meeting)


@router.post("/{meeting_id}/close", response_model=MeetingPublic, responses=errors(401, 403, 404, 409))
def close_meeting(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> MeetingPublic:
    meeting = attendance.close(db, principal, meeting_id)
    db.commit()
    return public.one_public(db, principal, meeting)


# ---- check-in ----


@router.post("/{meeting_id}/check-in/open", response_model=CheckinCode, responses=errors(401, 403, 404, 409))
def open_checkin(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> CheckinCode:
    out = checkin.open_checkin(db, principal, meeting_id)
    db.commit()
    return out


@router.get("/{meeting_id}/check-in/code", response_model=CheckinCode, responses=errors(401, 403, 404, 409))
def checkin_code(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> CheckinCode:
    return checkin.current_code(db, principal, meeting_id)[1]


@router.get(
    "/{meeting_id}/check-in/codes", response_model=CheckinCodeSchedule, responses=errors(401, 403, 404, 409)
)
def checkin_codes(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> CheckinCodeSchedule:
    """The codes of the rest of the window for a secretary's device that may go offline (audited)."""
    out = checkin.code_schedule(db, principal, meeting_id)
    db.commit()  # keep the audit entry of who fetched the codes
    return out


@router.get(
    "/{meeting_id}/check-in/qr",
    response_class=Response,
    responses=errors(401, 403, 404, 409),
    summary="Mã QR của mã điểm danh hiện tại (SVG hoặc PNG) cho màn hình bí thư",
)
def checkin_qr(
    meeting_id: PathId,
    principal: CurrentPrincipal,
    db: DbSession,
    fmt: Annotated[Literal["svg", "png"], Query(alias="format")] = "svg",
    scale: Annotated[int, Query(ge=1, le=40)] = 10,
) -> Response:
    _meeting, code = checkin.current_code(db, principal, meeting_id)
    buf = io.BytesIO()
    segno.make(code.qr_payload, error="m").save(buf, kind=fmt, scale=scale, border=2)
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    return Response(
        buf.getvalue(),
        media_type=media,
        headers={"Cache-Control": "no-store", "X-Checkin-Expires-At": code.expires_at.isoformat()},
    )


@router.post(
    "/{meeting_id}/check-ins",
    response_model=CheckinPublic,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 404, 409, 422, 429),
)
async def check_in(
    arrived: ArrivedAt,
    meeting_id: PathId,
    body: CheckinRequest,
    request: Request,
    response: Response,
    principal: ReadPrincipal,
    _gate: WriteGate,
) -> CheckinPublic:
    """201 when recorded; 200 with the same body when this client_id (or this member) already checked in."""

    def work(db: Session) -> tuple[CheckinPublic, bool]:
        try:
            out = checkin.check_in(db, principal, meeting_id, body, arrived_at=arrived)
        except checkin.CheckinRejected as exc:
            db.rollback()
            checkin.record_failure(db, principal, meeting_id, exc)  # counts towards the wrong-code limit
            db.commit()
            raise
        db.commit()
        return out

    out, created = await run_in_threadpool(in_write_transaction, request.app.state.db, work)
    if not created:
        response.status_code = status.HTTP_200_OK
    return out


# ---- documents on the agenda ----


@router.get("/{meeting_id}/agenda/unread", response_model=AgendaUnread, responses=errors(401, 403, 404))
def agenda_unread(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> AgendaUnread:
    return agenda_docs.unread(db, principal, meeting_id)


@router.post(
    "/{meeting_id}/agenda/{position}/remind",
    response_model=AgendaReminderPublic,
    responses=errors(401, 403, 404, 409, 422),
)
def agenda_remind(
    meeting_id: PathId, position: Annotated[int, Path(ge=1, le=100)], principal: CurrentPrincipal,
    db: DbSession,
) -> AgendaReminderPublic:
    out = agenda_docs.remind(db, principal, meeting_id, position)
    db.commit()
    return out


# ---- attendance ----


@router.get("/{meeting_id}/attendance", response_model=AttendanceSheet, responses=errors(401, 403, 404))
def get_attendance(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> AttendanceSheet:
    return attendance.read_sheet(db, principal, meeting_id)


@router.put(
    "/{meeting_id}/attendance/{member_id}",
    response_model=AttendanceSheet,
    responses=errors(401, 403, 404, 409, 422),
)
def set_attendance(
    meeting_id: PathId, member_id: PathId, body: AttendanceSet, principal: CurrentPrincipal, db: DbSession
) -> AttendanceSheet:
    out = attendance.set_many(
        db,
        principal,
        meeting_id,
        [AttendanceBulkItem(member_id=member_id, status=body.status, note=body.note)],
    )
    db.commit()
    return out


@router.post(
    "/{meeting_id}/attendance/bulk", response_model=AttendanceSheet, responses=errors(401, 403, 404, 409, 422)
)
def set_attendance_bulk(
    meeting_id: PathId, body: AttendanceBulk, principal: CurrentPrincipal, db: DbSession
) -> AttendanceSheet:
    out = attendance.set_many(db, principal, meeting_id, body.items)
    db.commit()
    return out


@router.get(
    "/{meeting_id}/attendance/history",
    response_model=list[AttendanceChangePublic],
    responses=errors(401, 403, 404),
)
def attendance_history(
    meeting_id: PathId, principal: CurrentPrincipal, db: DbSession
) -> list[AttendanceChangePublic]:
    return attendance.history(db, principal, meeting_id)


@router.get("/{meeting_id}/attendance/export", response_class=Response, responses=errors(401, 403, 404, 422))
def export_attendance(
    meeting_id: PathId,
    principal: CurrentPrincipal,
    db: DbSession,
    fmt: Annotated[Fmt, Query(alias="format")] = "xlsx",
) -> Response:
    title, headers, body = exports.meeting_table(db, principal, meeting_id)
    data, media = exports.render(fmt, title, headers, body)
    return file_response(data, media, f"diem-danh-cuoc-hop-{meeting_id}.{fmt}")


@router.get("/{meeting_id}/stats", response_model=MeetingCounts, responses=errors(401, 404))
def meeting_stats(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> MeetingCounts:
    return stats.meeting_counts(db, principal, meeting_id)


# ---- absence requests ----


@router.get(
    "/{meeting_id}/absence-requests", response_model=list[AbsenceRequestPublic], responses=errors(401, 404)
)
def list_absence_requests(
    meeting_id: PathId, principal: CurrentPrincipal, db: DbSession
) -> list[AbsenceRequestPublic]:
    return absence.list_requests(db, principal, meeting_id)


@router.post(
    "/{meeting_id}/absence-requests",
    response_model=AbsenceRequestPublic,
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 404, 409, 422),
)
def request_absence(
    meeting_id: PathId,
    body: AbsenceRequestCreate,
    response: Response,
    principal: CurrentPrincipal,
    db: DbSession,
) -> AbsenceRequestPublic:
    out, created = absence.request_absence(db, principal, meeting_id, body.reason)
    db.commit()
    if not created:
        response.status_code = status.HTTP_200_OK
    return out


@router.delete(
    "/{meeting_id}/absence-requests/mine",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 404, 409),
)
def withdraw_absence(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> None:
    absence.withdraw_absence(db, principal, meeting_id)
    db.commit()


@router.post(
    "/{meeting_id}/absence-requests/{request_id}/decision",
    response_model=AbsenceRequestPublic,
    responses=errors(401, 403, 404, 409, 422),
)
def decide_absence(
    meeting_id: PathId, request_id: PathId, body: AbsenceDecision, principal: CurrentPrincipal, db: DbSession
) -> AbsenceRequestPublic:
    out = absence.decide(db, principal, meeting_id, request_id, body.approve, body.note)
    db.commit()
    return out


# ---- minutes and resolutions ----


@router.get("/{meeting_id}/minutes", response_model=MinutesPublic, responses=errors(401, 404))
def get_minutes(meeting_id: PathId, principal: CurrentPrincipal, db: DbSession) -> MinutesPublic:
    return minutes.read_minutes(db, principal, meeting_id)


@router.put("/{meeting_id}/minutes", response_model=MinutesPublic, responses=errors(401, 403, 404, 409, 422))
def put_minutes(
    meeting_id: PathId, body: MinutesUpdate, principal: CurrentPrincipal, db: DbSession
) -> MinutesPublic:
    out = minutes.write_minutes(db, principal, meeting_id, body)
    db.commit()
    return out


@router.post(
    "/{meeting_id}/resolutions",
    response_model=ResolutionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 404, 409, 422),
)
def add_resolution(
    meeting_id: PathId, body: ResolutionIn, principal: CurrentPrincipal, db: DbSession
) -> ResolutionPublic:
    out = minutes.add_resolution(db, principal, meeting_id, body)
    db.commit()
    return out


@router.put(
    "/{meeting_id}/resolutions/{resolution_id}",
    response_model=ResolutionPublic,
    responses=errors(401, 403, 404, 409, 422),
)
def update_resolution(
    meeting_id: PathId, resolution_id: PathId, body: ResolutionIn, principal: CurrentPrincipal, db: DbSession
) -> ResolutionPublic:
    out = minutes.update_resolution(db, principal, meeting_id, resolution_id, body)
    db.commit()
    return out


@router.delete(
    "/{meeting_id}/resolutions/{resolution_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404),
)
def delete_resolution(
    meeting_id: PathId, resolution_id: PathId, principal: CurrentPrincipal, db: DbSession
) -> None:
    minutes.delete_resolution(db, principal, meeting_id, resolution_id)
    db.commit()
