"""Routes of attendance statistics (/stats...): a member's year, a cell's year and its export, a subtree."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from server.deps import CurrentPrincipal, DbSession
from server.meetings import exports, stats
from server.meetings.router import Fmt, PathId, file_response
from server.openapi import errors
from shared.schemas.common import Month
from shared.schemas.meetings import CellStats, MemberYearStats, SubtreeOverview

stats_router = APIRouter(prefix="/stats", tags=["statistics"])
Year = Annotated[int | None, Query(ge=2000, le=2100)]


@stats_router.get("/members/{member_id}", response_model=MemberYearStats, responses=errors(401, 404))
def member_stats(
    member_id: PathId, principal: CurrentPrincipal, db: DbSession, year: Year = None
) -> MemberYearStats:
    return stats.member_year(db, principal, member_id, year)


@stats_router.get("/cells/{cell_id}", response_model=CellStats, responses=errors(401, 403, 404, 422))
def cell_stats(cell_id: PathId, principal: CurrentPrincipal, db: DbSession, year: Year = None) -> CellStats:
    return stats.cell_year(db, principal, cell_id, year)


@stats_router.get(
    "/cells/{cell_id}/attendance/export", response_class=Response, responses=errors(401, 403, 404, 422)
)
def export_year(
    cell_id: PathId,
    principal: CurrentPrincipal,
    db: DbSession,
    year: Year = None,
    fmt: Annotated[Fmt, Query(alias="format")] = "xlsx",
) -> Response:
    year = year or stats.local_now().year
    title, headers, body = exports.year_table(db, principal, cell_id, year)
    data, media = exports.render(fmt, title, headers, body)
    return file_response(data, media, f"diem-danh-nam-{year}-chi-bo-{cell_id}.{fmt}")


@stats_router.get("/orgs/{org_id}/overview", response_model=SubtreeOverview, responses=errors(401, 404, 422))
def subtree_overview(
    org_id: PathId,
    principal: CurrentPrincipal,
    db: DbSession,
    month: Annotated[Month | None, Query()] = None,
) -> SubtreeOverview:
    return stats.overview(db, principal, org_id, month)
