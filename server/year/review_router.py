"""Routes of the year-end self-review (/year/reviews..., /year/orgs/{id}/reviews...).

Thin: the body is parsed by its shared schema, the review of the path is found with the caller's rights by
a dependency (server/year/deps.py -> review_access.py), the service does the work (server/year/review.py)
and the answer is a shared schema. The cap on the top level comes from the settings (`review_top_share`).
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from server.deps import AppSettings, CurrentPrincipal, DbSession
from server.openapi import errors
from server.year import review, review_access, review_exports, review_stats
from server.year.deps import ConfirmableReview, ProposableReview, ReadableReview
from shared.schemas.review import (
    ID_MAX,
    YEAR_MAX,
    YEAR_MIN,
    ReviewConfirmation,
    ReviewExemption,
    ReviewPage,
    ReviewProposal,
    ReviewPublic,
    ReviewStatus,
    ReviewSummary,
    ReviewUpdate,
)

router = APIRouter(prefix="/year", tags=["year"])
YearPath = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX)]
YearQuery = Annotated[int, Query(ge=YEAR_MIN, le=YEAR_MAX)]
OrgId = Annotated[int, Path(ge=1, le=ID_MAX)]
Format = Annotated[Literal["csv", "xlsx"], Query(alias="format")]
ONE = errors(401, 403, 404, 422)
CHANGE = errors(401, 403, 404, 409, 422)


@router.get("/reviews/mine/{year}", response_model=ReviewPublic, responses=errors(401, 403, 422),
            summary="Bản kiểm điểm của mình trong một năm, kèm số liệu trong năm (mẫu trống nếu chưa viết)")
def my_review(year: YearPath, principal: CurrentPrincipal, db: DbSession) -> ReviewPublic:
    return review.mine(db, principal, year)


@router.put("/reviews/mine/{year}", response_model=ReviewPublic, responses=errors(401, 403, 409, 422),
            summary="Viết, sửa bản kiểm điểm, tự xếp loại, gửi chi bộ (sửa được đến khi chi bộ xếp loại)")
def save_my_review(year: YearPath, body: ReviewUpdate, principal: CurrentPrincipal, db: DbSession
                   ) -> ReviewPublic:
    saved = review.save(db, principal, year, body)
    db.commit()
    return review.to_public(db, saved)


@router.get("/reviews", response_model=ReviewPage, responses=errors(401, 404, 422),
            summary="Các bản kiểm điểm người gọi được xem (của mình, của chi bộ, của cấp dưới)")
def list_reviews(principal: CurrentPrincipal, db: DbSession,
                 year: Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX)] = None,
                 org_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
                 status: ReviewStatus | None = None, limit: int = Query(default=50, ge=1, le=200),
                 offset: int = Query(default=0, ge=0, le=1_000_000)) -> ReviewPage:
    return review.list_visible(db, principal, year=year, org_id=org_id, status=status, limit=limit,
                               offset=offset)


@router.put("/reviews/exemption", response_model=ReviewPublic, responses=CHANGE,
            summary="Chi bộ ghi đảng viên được miễn kiểm điểm, xếp loại trong năm (kèm lý do), hoặc bỏ miễn")
def set_exemption(body: ReviewExemption, principal: CurrentPrincipal, db: DbSession) -> ReviewPublic:
    member = review_access.exemptable(db, principal, body.member_id)
    saved = review.set_exemption(db, principal, member, body)
    db.commit()
    return review.to_public(db, saved, viewer=principal, with_facts=False)


@router.get("/reviews/{review_id}", response_model=ReviewPublic, responses=ONE,
            summary="Một bản kiểm điểm, kèm các số liệu trong năm của đảng viên")
def get_review(found: ReadableReview, principal: CurrentPrincipal, db: DbSession) -> ReviewPublic:
    return review.to_public(db, found, viewer=principal)


@router.put("/reviews/{review_id}/proposal", response_model=ReviewPublic, responses=CHANGE,
            summary="Chi bộ đề xuất mức xếp loại sau buổi sinh hoạt kiểm điểm (cảnh báo nếu vượt tỷ lệ)")
def propose_level(body: ReviewProposal, found: ProposableReview, principal: CurrentPrincipal, db: DbSession,
                  settings: AppSettings) -> ReviewPublic:
    warnings = review.propose(db, principal, found, body, share=settings.review_top_share)
    db.commit()
    return review.to_public(db, found, with_facts=False).model_copy(update={"warnings": warnings})


@router.put("/reviews/{review_id}/confirmation", response_model=ReviewPublic, responses=CHANGE,
            summary="Cấp ủy cấp trên quyết định mức xếp loại (cảnh báo nếu vượt tỷ lệ, không tự đổi mức)")
def confirm_level(body: ReviewConfirmation, found: ConfirmableReview, principal: CurrentPrincipal,
                  db: DbSession, settings: AppSettings) -> ReviewPublic:
    target, unit = found
    warnings = review.confirm(db, principal, target, unit, body, share=settings.review_top_share)
    db.commit()
    return review.to_public(db, target, with_facts=False).model_copy(update={"warnings": warnings})


@router.get("/orgs/{org_id}/reviews/summary", response_model=ReviewSummary, responses=ONE,
            summary="Kết quả tự xếp loại, chi bộ đề xuất, cấp ủy quyết định theo từng chi bộ trực thuộc")
def review_summary(org_id: OrgId, year: YearQuery, principal: CurrentPrincipal, db: DbSession,
                   settings: AppSettings) -> ReviewSummary:
    return review_stats.summary(db, principal, org_id, year, settings.review_top_share)


@router.get("/orgs/{org_id}/reviews/export", response_class=Response, responses=ONE,
            summary="Xuất danh sách kiểm điểm, xếp loại đảng viên (XLSX hoặc CSV, tiêu đề tiếng Việt)")
def export_reviews(org_id: OrgId, year: YearQuery, principal: CurrentPrincipal, db: DbSession,
                   fmt: Format = "xlsx") -> Response:
    title, headers, body = review_exports.org_table(db, principal, org_id, year)
    data, media = review_exports.render(fmt, title, headers, body)
    filename = f"xep-loai-dang-vien-{year}-to-chuc-{org_id}.{fmt}"  # ASCII: no filename* needed
    return Response(data, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})
