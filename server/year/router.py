"""Routes of the member's year (/year...): yearly commitments.

Thin: the body is parsed by its shared schema, the commitment of the path is found with the caller's
rights by a dependency (server/year/deps.py), the service does the work and the answer is a shared schema.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from server.deps import CurrentPrincipal, DbSession
from server.openapi import errors
from server.year import exports, service, stats
from server.year.deps import LedCommitment, OwnCommitment, ReadableCommitment
from shared.schemas.year import (
    ID_MAX,
    YEAR_MAX,
    YEAR_MIN,
    CellCommitments,
    CommitmentCreate,
    CommitmentDecision,
    CommitmentPage,
    CommitmentPublic,
    CommitmentRemarks,
    CommitmentResults,
    CommitmentStatus,
    CommitmentSummary,
    CommitmentUpdate,
)

router = APIRouter(prefix="/year", tags=["year"])
YearQuery = Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX)]
OrgQuery = Annotated[int | None, Query(ge=1, le=ID_MAX)]
CellId = Annotated[int, Path(ge=1, le=ID_MAX)]
Format = Annotated[Literal["csv", "xlsx"], Query(alias="format")]
ONE = errors(401, 403, 404, 422)
CHANGE = errors(401, 403, 404, 409, 422)


@router.post("/commitments", response_model=CommitmentPublic, status_code=status.HTTP_201_CREATED,
             responses=errors(401, 403, 409, 422), summary="Đăng ký cam kết năm (lưu nháp hoặc gửi duyệt)")
def create_commitment(body: CommitmentCreate, principal: CurrentPrincipal, db: DbSession) -> CommitmentPublic:
    commitment = service.create(db, principal, body)
    db.commit()
    return service.one_public(db, commitment)


@router.get("/commitments", response_model=CommitmentPage, responses=errors(401, 404, 422),
            summary="Các bản đăng ký cam kết người gọi được xem (của mình, của chi bộ, của cấp dưới)")
def list_commitments(principal: CurrentPrincipal, db: DbSession, year: YearQuery = None,
                     org_id: OrgQuery = None, status: CommitmentStatus | None = None,
                     limit: int = Query(default=50, ge=1, le=200), offset: int = Query(default=0, ge=0,
                                                                                       le=1_000_000),
                     ) -> CommitmentPage:
    return service.list_visible(db, principal, year=year, org_id=org_id, status=status, limit=limit,
                                offset=offset)


@router.get("/commitments/mine", response_model=list[CommitmentPublic], responses=errors(401),
            summary="Các bản đăng ký cam kết của chính mình, năm mới nhất trước")
def my_commitments(principal: CurrentPrincipal, db: DbSession) -> list[CommitmentPublic]:
    return service.mine(db, principal)


@router.get("/commitments/{commitment_id}", response_model=CommitmentPublic, responses=ONE)
def get_commitment(commitment: ReadableCommitment, db: DbSession) -> CommitmentPublic:
    return service.one_public(db, commitment)


@router.patch("/commitments/{commitment_id}", response_model=CommitmentPublic, responses=CHANGE,
              summary="Sửa nội dung (bản nháp hoặc bản bị trả lại)")
def update_commitment(body: CommitmentUpdate, commitment: OwnCommitment, principal: CurrentPrincipal,
                      db: DbSession) -> CommitmentPublic:
    service.update_items(db, principal, commitment, body.items)
    db.commit()
    return service.one_public(db, commitment)


@router.delete("/commitments/{commitment_id}", status_code=status.HTTP_204_NO_CONTENT, responses=CHANGE,
               summary="Xóa bản nháp chưa gửi")
def delete_commitment(commitment: OwnCommitment, principal: CurrentPrincipal, db: DbSession) -> None:
    service.delete_draft(db, principal, commitment)
    db.commit()


@router.post("/commitments/{commitment_id}/submit", response_model=CommitmentPublic, responses=CHANGE,
             summary="Gửi chi bộ duyệt")
def submit_commitment(commitment: OwnCommitment, principal: CurrentPrincipal, db: DbSession
                      ) -> CommitmentPublic:
    service.submit(db, principal, commitment)
    db.commit()
    return service.one_public(db, commitment)


@router.post("/commitments/{commitment_id}/decision", response_model=CommitmentPublic, responses=CHANGE,
             summary="Chi bộ duyệt hoặc trả lại (kèm ý kiến)")
def decide_commitment(body: CommitmentDecision, commitment: LedCommitment, principal: CurrentPrincipal,
                      db: DbSession) -> CommitmentPublic:
    service.decide(db, principal, commitment, body)
    db.commit()
    return service.one_public(db, commitment)


@router.put("/commitments/{commitment_id}/results", response_model=CommitmentPublic, responses=CHANGE,
            summary="Đảng viên tự ghi kết quả thực hiện từng mục (bản đã duyệt)")
def set_results(body: CommitmentResults, commitment: OwnCommitment, principal: CurrentPrincipal,
                db: DbSession) -> CommitmentPublic:
    service.set_results(db, principal, commitment, body.results)
    db.commit()
    return service.one_public(db, commitment)


@router.put("/commitments/{commitment_id}/remarks", response_model=CommitmentPublic, responses=CHANGE,
            summary="Nhận xét của chi bộ về từng mục (bản đã duyệt)")
def set_remarks(body: CommitmentRemarks, commitment: LedCommitment, principal: CurrentPrincipal,
                db: DbSession) -> CommitmentPublic:
    service.set_remarks(db, principal, commitment, body)
    db.commit()
    return service.one_public(db, commitment)


@router.get("/cells/{cell_id}/commitments", response_model=CellCommitments, responses=ONE,
            summary="Tình hình đăng ký cam kết của cả chi bộ trong một năm")
def cell_commitments(cell_id: CellId, principal: CurrentPrincipal, db: DbSession,
                     year: Annotated[int, Query(ge=YEAR_MIN, le=YEAR_MAX)]) -> CellCommitments:
    return service.cell_overview(db, principal, cell_id, year)


@router.get("/cells/{cell_id}/commitments/export", response_class=Response, responses=ONE,
            summary="Xuất danh sách đăng ký cam kết của chi bộ (XLSX hoặc CSV, mỗi mục một dòng)")
def export_cell_commitments(cell_id: CellId, principal: CurrentPrincipal, db: DbSession,
                            year: Annotated[int, Query(ge=YEAR_MIN, le=YEAR_MAX)],
                            fmt: Format = "xlsx") -> Response:
    title, headers, body = exports.cell_table(db, principal, cell_id, year)
    data, media = exports.render(fmt, title, headers, body)
    filename = f"dang-ky-cam-ket-{year}-chi-bo-{cell_id}.{fmt}"  # ASCII: no filename* needed
    return Response(data, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


@router.get("/orgs/{org_id}/commitments/summary", response_model=CommitmentSummary, responses=ONE,
            summary="Tình hình đăng ký cam kết theo từng chi bộ trực thuộc (cán bộ cấp ủy)")
def commitment_summary(org_id: CellId, principal: CurrentPrincipal, db: DbSession,
                       year: Annotated[int, Query(ge=YEAR_MIN, le=YEAR_MAX)]) -> CommitmentSummary:
    return stats.summary(db, principal, org_id, year)
