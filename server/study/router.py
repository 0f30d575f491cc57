"""Routes of study checks and bài thu hoạch (/study...).

Thin: the body is parsed by its shared schema, the check or essay of the path is found with the caller's
rights by a dependency (server/study/deps.py), the service does the work and the answer is a shared schema.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from server.deps import CurrentPrincipal, DbSession
from server.openapi import errors
from server.study import essays, exports, service, stats
from server.study.deps import ManagedCheck, ReadableCheck, ReadableEssay, ReceivedEssay, TakenCheck
from shared.schemas.study import (
    ID_MAX,
    AttemptCreate,
    AttemptPublic,
    EssayCreate,
    EssayPage,
    EssayPublic,
    EssayReceive,
    StudyCheckCreate,
    StudyCheckPage,
    StudyCheckPublic,
    StudyCheckUpdate,
    StudyFigures,
)

router = APIRouter(prefix="/study", tags=["study"])
IdQuery = Annotated[int | None, Query(ge=1, le=ID_MAX)]
OrgQuery = Annotated[int, Query(ge=1, le=ID_MAX)]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Format = Annotated[Literal["csv", "xlsx"], Query(alias="format")]
ONE = errors(401, 403, 404, 422)
CHANGE = errors(401, 403, 404, 409, 422)


@router.post(
    "/checks",
    response_model=StudyCheckPublic,
    status_code=status.HTTP_201_CREATED,
    responses=ONE,
    summary="Tạo bài kiểm tra nhận thức về một nghị quyết hoặc tài liệu học tập (cán bộ cấp ủy)",
)
def create_check(body: StudyCheckCreate, principal: CurrentPrincipal, db: DbSession) -> StudyCheckPublic:
    check = service.create(db, principal, body)
    db.commit()
    return service.one_public(db, principal, check)


@router.get(
    "/checks",
    response_model=StudyCheckPage,
    responses=errors(401, 422),
    summary="Các bài kiểm tra người gọi được xem (dành cho mình, hoặc do mình phụ trách)",
)
def list_checks(
    principal: CurrentPrincipal,
    db: DbSession,
    document_id: IdQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> StudyCheckPage:
    items, total = service.list_visible(db, principal, document_id=document_id, limit=limit, offset=offset)
    return StudyCheckPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/checks/{check_id}", response_model=StudyCheckPublic, responses=ONE)
def get_check(check: ReadableCheck, principal: CurrentPrincipal, db: DbSession) -> StudyCheckPublic:
    return service.one_public(db, principal, check)


@router.patch(
    "/checks/{check_id}",
    response_model=StudyCheckPublic,
    responses=CHANGE,
    summary="Sửa bài kiểm tra (đã mở: chỉ tên và lùi giờ đóng)",
)
def update_check(
    body: StudyCheckUpdate, check: ManagedCheck, principal: CurrentPrincipal, db: DbSession
) -> StudyCheckPublic:
    service.update(db, principal, check, body)
    db.commit()
    return service.one_public(db, principal, check)


@router.delete(
    "/checks/{check_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=CHANGE,
    summary="Xóa bài kiểm tra chưa mở",
)
def delete_check(check: ManagedCheck, principal: CurrentPrincipal, db: DbSession) -> None:
    service.delete_check(db, principal, check)
    db.commit()


@router.post(
    "/checks/{check_id}/attempts",
    response_model=AttemptPublic,
    status_code=status.HTTP_201_CREATED,
    responses=CHANGE,
    summary="Nộp bài làm (mỗi đảng viên một lần; điểm tính trên máy chủ)",
)
def take_check(
    body: AttemptCreate, check: TakenCheck, principal: CurrentPrincipal, db: DbSession
) -> AttemptPublic:
    attempt = service.take(db, principal, check, body)
    db.commit()
    return service.attempt_public(attempt, service.key_shown(check, attempt, manager=False))


@router.get(
    "/checks/{check_id}/figures",
    response_model=StudyFigures,
    responses=ONE,
    summary="Tham gia, điểm trung bình và bài thu hoạch theo từng chi bộ dưới một tổ chức",
)
def check_figures(
    check: ReadableCheck, principal: CurrentPrincipal, db: DbSession, org_id: OrgQuery
) -> StudyFigures:
    return stats.figures(db, principal, check, org_id)


@router.get(
    "/checks/{check_id}/figures/export",
    response_class=Response,
    responses=ONE,
    summary="Xuất kết quả theo chi bộ (XLSX hoặc CSV)",
)
def export_figures(
    check: ReadableCheck, principal: CurrentPrincipal, db: DbSession, org_id: OrgQuery, fmt: Format = "xlsx"
) -> Response:
    title, headers, body = exports.table(db, principal, check, org_id)
    data, media = exports.render(fmt, title, headers, body)
    filename = f"kiem-tra-{check.id}-to-chuc-{org_id}.{fmt}"  # ASCII: no filename* needed
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.post(
    "/essays",
    response_model=EssayPublic,
    status_code=status.HTTP_201_CREATED,
    responses=CHANGE,
    summary="Nộp bài thu hoạch về một văn bản học tập",
)
def submit_essay(body: EssayCreate, principal: CurrentPrincipal, db: DbSession) -> EssayPublic:
    essay = essays.submit(db, principal, body)
    db.commit()
    return essays.to_public(db, [essay])[0]


@router.get(
    "/essays",
    response_model=EssayPage,
    responses=errors(401, 422),
    summary="Bài thu hoạch của mình, và của chi bộ mình phụ trách",
)
def list_essays(
    principal: CurrentPrincipal,
    db: DbSession,
    document_id: IdQuery = None,
    org_id: IdQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EssayPage:
    return essays.list_visible(
        db, principal, document_id=document_id, org_id=org_id, limit=limit, offset=offset
    )


@router.get("/essays/{essay_id}", response_model=EssayPublic, responses=ONE)
def get_essay(essay: ReadableEssay, db: DbSession) -> EssayPublic:
    return essays.to_public(db, [essay])[0]


@router.post(
    "/essays/{essay_id}/receive",
    response_model=EssayPublic,
    responses=CHANGE,
    summary="Chi bộ xác nhận đã nhận bài thu hoạch (kèm nhận xét)",
)
def receive_essay(
    body: EssayReceive, essay: ReceivedEssay, principal: CurrentPrincipal, db: DbSession
) -> EssayPublic:
    essays.receive(db, principal, essay, body)
    db.commit()
    return essays.to_public(db, [essay])[0]
