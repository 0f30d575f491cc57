"""Options, the shapes the steps share (organisations, the summary, progress) and small helpers."""

import bisect
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TextIO

from shared.docnumber import DocType
from shared.enums import MemberKind, OrgKind
from shared.timefmt import VN_TZ

PROVINCE = "Hồng Lam"


PROVINCE_CODE = "HL"


CHUNK = 10_000  # rows per INSERT: large enough to amortise the round trip, small enough to stream


READS_MAX = 2_000_000  # read receipts are the one table that could explode (audience x documents)


RECENT_DAYS = 90  # documents younger than this at --until have readers


DOC_SPAN_DAYS = 4 * 365


CARD_BASE = 38_000_000


# Members a cell of each kind holds, before scaling to --members: (low, high) of a uniform draw.
CELL_SIZES: dict[str, tuple[int, int]] = {
    "village": (15, 45), "urban": (15, 50), "office": (10, 25), "commune": (8, 20), "school": (6, 20),
    "health": (5, 15), "police": (10, 35), "military": (10, 30), "enterprise": (10, 40),
}


MEETING_TIMES: dict[str, list[str]] = {
    "village": ["19:30", "19:30", "20:00", "19:00"], "urban": ["19:30", "20:00"],
    "office": ["16:00", "16:30", "14:00"], "commune": ["16:00", "16:30"], "school": ["16:30", "17:00"],
    "health": ["16:30"], "police": ["14:00", "16:00"], "military": ["14:00", "16:00"],
    "enterprise": ["16:30", "17:00"],
}


FEMALE_SHARE = {"school": 0.7, "health": 0.7, "police": 0.15, "military": 0.08}


MEETING_DAYS = [3, 3, 4, 4, 5, 5, 6, 7, 8, 10]


# Share of documents issued at each level (a level without organisations is left out).
ISSUE_LEVELS = [("province", 0.05), ("block", 0.02), ("district", 0.2), ("grassroots", 0.43), ("cell", 0.3)]


DOC_TYPES: dict[str, list[tuple[DocType, int]]] = {
    "committee": [(DocType.resolution, 10), (DocType.directive, 6), (DocType.conclusion, 6),
                  (DocType.regulation, 5), (DocType.decision, 10), (DocType.statute, 3),
                  (DocType.guidance, 12), (DocType.plan, 22), (DocType.notice, 14), (DocType.report, 8),
                  (DocType.scheme, 2), (DocType.letter, 2)],
    "cell": [(DocType.guidance, 3), (DocType.notice, 3), (DocType.report, 2), (DocType.plan, 2)],
}


CENTRAL_ISSUERS = ["Ban Chấp hành Trung ương", "Bộ Chính trị", "Ban Bí thư"]


KIND_CODES = {MemberKind.official: 0, MemberKind.probationary: 1, MemberKind.exempt: 2}


EXEMPT = KIND_CODES[MemberKind.exempt]


class GenerateError(Exception):
    """Refusal the command line shows as it is (exit status 2)."""


@dataclass(frozen=True)
class Options:
    """The command's arguments (the same defaults)."""

    members: int = 250_000
    cells: int = 10_000
    documents: int = 50_000
    months: int = 12
    seed: int = 1
    password: str = "tinh-thu-2026"
    until: date = date(2026, 12, 1)
    force: bool = False


@dataclass(eq=False)
class Org:
    """An organisation while the tree is built; ids and member ranges follow depth-first order."""

    id: int
    name: str
    kind: OrgKind
    code: str
    parent: "Org | None"
    depth: int
    style: str = ""  # cells: what the cell is (village, office, school...); grassroots: commune/agency/area
    title: str = ""  # the committee ("Huyện ủy Yên Thành", "Đảng ủy xã Nam Hòa"): positions, summaries
    issuer: str = ""  # what its document numbers end with ("HU" in 12-NQ/HU)
    staff: int = 0  # staff accounts the committee gets
    meeting_day: int | None = None
    meeting_time: str | None = None
    path: tuple[int, ...] = ()  # ids from the province down to itself
    office: "Org | None" = None  # the cell its staff belong to
    lo: int = 0  # members [lo, hi) of the subtree: contiguous because cells are numbered depth-first
    hi: int = 0
    counters: dict[str, int] = field(default_factory=dict)


@dataclass
class Summary:
    """What the command prints at the end."""

    counts: dict[str, int]
    samples: list[tuple[str, str, str]]  # (who, username, where)
    phases: list[tuple[str, float]]
    password: str


class Progress:
    """One line per phase on stderr with counts and seconds, so a long run shows where it is."""

    def __init__(self, out: TextIO):
        self.out = out
        self.start = self.mark = time.perf_counter()
        self.phases: list[tuple[str, float]] = []

    def done(self, phase: str, detail: str) -> None:
        """Close the phase that began at the previous call."""
        now = time.perf_counter()
        took, self.mark = now - self.mark, now
        self.phases.append((phase, took))
        print(f"[{now - self.start:7.1f} s] {phase}: {detail} ({took:.1f} s)", file=self.out, flush=True)


def split(rng: random.Random, total: int, weights: Sequence[float], minimum: int = 1) -> list[int]:
    """`total` cut into parts of at least `minimum` along the weights, fewer parts when it is too small."""
    n = max(1, min(len(weights), total // max(minimum, 1)))
    return apportion(total, [w * rng.uniform(0.7, 1.3) for w in weights[:n]], min(minimum, total))


def apportion(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Integer shares of `total` proportional to the weights (largest remainder), each at least `minimum`."""
    rest = total - minimum * len(weights)
    whole = sum(weights)
    raw = [rest * w / whole for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [minimum + p for p in parts]


def local(day: date, hhmm: str) -> datetime:
    """A Vietnamese wall-clock time as aware UTC."""
    hh, mm = (int(p) for p in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=VN_TZ).astimezone(UTC)


def month_add(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) `delta` months later (earlier when negative)."""
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def cumulative(weighted: Sequence[tuple[Any, float]]) -> list[float]:
    """Cumulative weights for random.choices (computed once instead of on every draw)."""
    total, out = 0.0, []
    for _, w in weighted:
        total += w
        out.append(total)
    return out


def nth_member(ranges: list[tuple[int, int]], n: int) -> int:
    """The n-th member index of the union of disjoint ranges."""
    for lo, hi in ranges:
        if n < hi - lo:
            return lo + n
        n -= hi - lo
    raise IndexError(n)


def linked(index: dict[int, tuple[list[float], list[int]]], path: tuple[int, ...], starts: datetime
            ) -> list[int]:
    """The newest documents (at most two) addressed to the cell's path in the 45 days before a meeting."""
    before = starts.timestamp() - 86400
    found = []
    for org_id in path:
        times, ids = index.get(org_id, ([], []))
        j = bisect.bisect_left(times, before)
        if j and times[j - 1] >= before - 44 * 86400:
            found.append((times[j - 1], ids[j - 1]))
    return [doc_id for _, doc_id in sorted(found, reverse=True)[:2]]


def minutes_text(cell: Org, title: str, location: str, starts: datetime, tally: dict[str, int]) -> str:
    """The minutes of a held meeting, with the attendance it had."""
    start, end = starts.astimezone(VN_TZ), (starts + timedelta(hours=2)).astimezone(VN_TZ)
    came = tally["present"] + tally["late"]
    return (
        f"BIÊN BẢN SINH HOẠT {cell.name.upper()}\n"
        f"Thời gian: {start:%H} giờ {start:%M}, ngày {start:%d/%m/%Y}. Địa điểm: {location}.\n"
        f"Nội dung: {title}.\n"
        f"Đảng viên phải dự: {tally['roster']}; có mặt: {came} (đến muộn {tally['late']}); vắng có lý do: "
        f"{tally['excused']}; vắng không lý do: {tally['absent']}.\n"
        "1. Bí thư chi bộ đánh giá kết quả thực hiện nhiệm vụ, thông tin thời sự.\n"
        "2. Đảng viên thảo luận, đóng góp ý kiến; chi bộ thống nhất nhiệm vụ thời gian tới.\n"
        f"Cuộc họp kết thúc lúc {end:%H} giờ {end:%M} cùng ngày."
    )


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF of a few ASCII lines (core font, no embedding: a few hundred bytes)."""
    def esc(value: str) -> str:
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 13 Tf 60 780 Td 20 TL " + " ".join(f"({esc(line)}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode("ascii")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return bytes(out)
