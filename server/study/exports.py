"""A study check's figures by cell as a table (XLSX or CSV, Vietnamese headers): one row per cell."""

from typing import Any

from sqlmodel import Session

from server import tables
from server.auth.principal import Principal
from server.study import stats
from server.study.models import StudyCheck

HEADERS = [
    "STT",
    "Chi bộ",
    "Số đảng viên",
    "Đã làm bài",
    "Tỷ lệ tham gia (%)",
    "Điểm trung bình (thang 10)",
    "Bài thu hoạch đã nhận",
]
WIDTHS = [5, 40, 14, 12, 16, 22, 20]


def _rate(taken: int, members: int) -> Any:
    return round(100 * taken / members, 1) if members else ""


def table(
    session: Session, principal: Principal, check: StudyCheck, org_id: int
) -> tuple[str, list[str], list[list[Any]]]:
    found = stats.figures(session, principal, check, org_id)
    body: list[list[Any]] = [
        [
            number,
            r.name,
            r.members,
            r.taken,
            _rate(r.taken, r.members),
            "" if r.average_score is None else r.average_score,
            r.essays_received,
        ]
        for number, r in enumerate(found.cells, start=1)
    ]
    t = found.totals
    body.append(
        [
            "",
            f"Cộng: {t.name}",
            t.members,
            t.taken,
            _rate(t.taken, t.members),
            "" if t.average_score is None else t.average_score,
            t.essays_received,
        ]
    )
    return f"Kết quả kiểm tra: {check.title}", HEADERS, body


def render(fmt: str, title: str, headers: list[str], body: list[list[Any]]) -> tuple[bytes, str]:
    return tables.render(fmt, headers, body, title=title, sheet="Kiểm tra", widths=WIDTHS, freeze="C3")
