"""The province generator: organisation tree, members with accounts and roles, documents with their readers,
months of meetings with attendance, written with bulk INSERTs in chunks (never one ORM object per row).

Everything derives from the options: one random.Random per phase seeded from --seed, every date from
--until (never the clock). The same arguments give the same database, but for the password hash (salted).

No sync change log is written: a device's first sync reads the tables themselves (a snapshot, see
server/sync/service.py), and the cursor it ends with starts at the counter's current version, so an
up-to-date poll has nothing to fetch. Only --force, which empties a database devices may have synced
with, moves the sync horizon past every older cursor so that they start again from a snapshot.
"""

import bisect
import json
import random
import sys
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TextIO

from sqlalchemy import JSON, Date, Table, bindparam, func, insert, select, text, update
from sqlmodel import Session, SQLModel, col

import server.models  # noqa: F401  (every table in the metadata, for --force)
from server.auth.security import hash_password
from server.config import Settings
from server.db import Database, UTCDateTime
from server.documents import search
from server.documents.models import (
    Attachment,
    Document,
    DocumentAudience,
    DocumentComment,
    FileBlob,
    ReadMark,
)
from server.documents.storage import get_store
from server.generate import names, texts
from server.meetings.models import AbsenceRequest, AgendaItem, Attendance, Meeting
from server.notifications.models import Notification
from server.records.audit import AuditEntry
from server.records.changelog import next_version
from server.records.members import Member, Membership, RoleAssignment, User
from server.records.orgs import Organization, OrgClosure
from server.sync.models_ext import SyncHorizon
from shared import docnumber
from shared.docnumber import DOC_TYPE_CODES, DOC_TYPE_LABELS, DocType
from shared.enums import MemberKind, OrgKind, Role
from shared.schemas.auth import PASSWORD_MAX, PASSWORD_MIN
from shared.text import fold, slug
from shared.timefmt import VN_TZ, fmt_datetime

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


# ---------------------------------------------------------------------------------------------------------
# The organisation tree


class Tree:
    """Adds organisations depth-first: a node's whole subtree before its next sibling."""

    def __init__(self, rng: random.Random, first_id: int):
        self.rng = rng
        self.next_id = first_id
        self.orgs: list[Org] = []
        self.used_places: set[str] = set()

    def add(self, parent: Org | None, name: str, kind: OrgKind, *, style: str = "", title: str = "",
            issuer: str = "", staff: int = 0) -> Org:
        """One organisation under `parent`, with a code unique among its siblings."""
        if parent is None:
            code = PROVINCE_CODE
        else:
            letter = {OrgKind.district: "H", OrgKind.block: "K", OrgKind.grassroots: "D"}.get(kind, "C")
            parent.counters[letter] = n = parent.counters.get(letter, 0) + 1
            code = f"{parent.code}-{letter}{n:02d}"
        org = Org(id=self.next_id, name=name, kind=kind, code=code, parent=parent, style=style, title=title,
                  depth=parent.depth + 1 if parent else 0, issuer=issuer, staff=staff)
        org.path = (parent.path if parent else ()) + (org.id,)
        if kind is OrgKind.cell:
            org.meeting_day = self.rng.choice(MEETING_DAYS)
            org.meeting_time = self.rng.choice(MEETING_TIMES[style])
        self.next_id += 1
        self.orgs.append(org)
        return org

    def cells(self, parent: Org, labels: Iterable[str], style: str) -> None:
        """Cells named "Chi bộ <label>" under `parent`."""
        for label in labels:
            self.add(parent, f"Chi bộ {label}", OrgKind.cell, style=style)

    def place(self, avoid: str = "") -> str:
        """A two-syllable place name not used yet in this province."""
        for _ in range(1000):
            name = f"{self.rng.choice(names.PLACE_FIRST)} {self.rng.choice(names.PLACE_SECOND)}"
            first, second = name.split()
            if first != second and name not in self.used_places and name != avoid:
                self.used_places.add(name)
                return name
        raise GenerateError("Không đủ tên địa danh cho số tổ chức yêu cầu.")


def labels(units: Sequence[str], count: int) -> list[str]:
    """`count` unit names, numbered once the list runs out ("Phòng Nghiệp vụ 2")."""
    return [units[k] if k < len(units) else f"{units[k % len(units)]} {k // len(units) + 1}"
            for k in range(count)]


def build_tree(rng: random.Random, first_id: int, cells: int) -> list[Org]:
    """The province with its own agencies, then ~20 districts of communes, exactly `cells` chi bộ."""
    tree = Tree(rng, first_id)
    province = tree.add(None, f"Đảng bộ tỉnh {PROVINCE}", OrgKind.province, title="Tỉnh ủy", issuer="TU",
                        staff=5)
    own = max(1, round(cells * 0.08))
    n_districts = min(max(2, min(20, round(cells / 480))), (cells - own) // 2)
    _province_units(tree, province, own)
    kinds = ["thành phố"] + ["thị xã" if i in (4, 11) else "huyện" for i in range(1, n_districts)]
    for kind, budget in zip(kinds, split(rng, cells - own, [1.0] * n_districts, 2), strict=True):
        _district(tree, province, kind, tree.place(), budget)
    _assign_offices(tree.orgs)
    return tree.orgs


def _province_units(tree: Tree, province: Org, budget: int) -> None:
    """The province's own agencies, enterprises, police and army (the first holds the province's staff)."""
    builders = [_agencies_block, _enterprise_block, _police, _military]
    parts = split(tree.rng, budget, [0.5, 0.15, 0.2, 0.15])
    for build, part in zip(builders, parts, strict=False):
        build(tree, province, part)


def _agencies_block(tree: Tree, province: Org, budget: int) -> None:
    """The province's departments and the party's own boards, the Organisation Board first."""
    block = tree.add(province, "Đảng bộ Khối các cơ quan tỉnh", OrgKind.block,
                     title="Đảng ủy Khối các cơ quan tỉnh", issuer="ĐUK", staff=2)
    agencies = names.PROVINCE_AGENCIES[: max(1, min(len(names.PROVINCE_AGENCIES), budget // 6))]
    for agency, part in zip(agencies, split(tree.rng, budget, [1.0] * len(agencies)), strict=False):
        units = (names.BTC_UNITS if "Ban Tổ chức" in agency else names.HOSPITAL_UNITS if "Bệnh viện" in agency
                 else names.SCHOOL_UNITS if "Trường" in agency else names.AGENCY_UNITS)
        _agency(tree, block, agency, units, part, "health" if "Bệnh viện" in agency else "office")


def _enterprise_block(tree: Tree, province: Org, budget: int) -> None:
    """State companies of the province, each a party committee over its workshops and offices."""
    block = tree.add(province, "Đảng bộ Khối Doanh nghiệp tỉnh", OrgKind.block,
                     title="Đảng ủy Khối Doanh nghiệp tỉnh", issuer="ĐUK", staff=2)
    firms = names.ENTERPRISES[: max(1, min(len(names.ENTERPRISES), budget // 5))]
    for firm, part in zip(firms, split(tree.rng, budget, [1.0] * len(firms)), strict=False):
        _agency(tree, block, firm, names.ENTERPRISE_UNITS, part, "enterprise")


def _police(tree: Tree, province: Org, budget: int) -> None:
    """The provincial police: departments, then teams."""
    _force(tree, province, "Công an tỉnh", names.POLICE_DEPARTMENTS, [f"Đội {k}" for k in range(1, 9)],
           budget, "police")


def _military(tree: Tree, province: Org, budget: int) -> None:
    """The provincial military command: departments, then boards and companies."""
    units = ["Ban Tác chiến", "Ban Quân lực", "Ban Tuyên huấn", "Ban Cán bộ", "Ban Quân nhu", "Đại đội 1",
             "Đại đội 2", "Đại đội 3"]
    _force(tree, province, "Quân sự tỉnh", names.MILITARY_DEPARTMENTS, units, budget, "military")


def _force(tree: Tree, parent: Org, name: str, departments: list[str], units: list[str], budget: int,
           style: str) -> None:
    """Police or army: a party committee over departments, which have their own committee once large
    enough (the fifth level of the tree)."""
    if budget == 1:
        tree.add(parent, f"Chi bộ {name}", OrgKind.cell, style=style)
        return
    top = tree.add(parent, f"Đảng bộ {name}", OrgKind.grassroots, style="agency", title=f"Đảng ủy {name}",
                   issuer="ĐU", staff=1)
    depts = departments[: max(1, min(len(departments), budget // 4))]
    for dept, part in zip(depts, split(tree.rng, budget, [1.0] * len(depts)), strict=False):
        _agency(tree, top, dept, units, part, style, staff=0, area=True)


def _agency(tree: Tree, parent: Org, name: str, units: Sequence[str], budget: int, style: str, *,
            staff: int = 1, area: bool = False) -> None:
    """An agency: a party committee over its units' cells, or a single cell when it is small."""
    if budget == 1:
        tree.add(parent, f"Chi bộ {name}", OrgKind.cell, style=style)
        return
    org = tree.add(parent, f"Đảng bộ {name}", OrgKind.grassroots, style="area" if area else "agency",
                   title=f"Đảng ủy {name}", issuer="ĐU", staff=staff)
    tree.cells(org, labels(units, budget), style)


def _district(tree: Tree, province: Org, kind: str, name: str, budget: int) -> None:
    """A district: its office cell, agencies and high schools once large, then communes."""
    rng = tree.rng
    committee = {"huyện": "Huyện ủy", "thành phố": "Thành ủy", "thị xã": "Thị ủy"}[kind]
    district = tree.add(province, f"Đảng bộ {kind} {name}", OrgKind.district, title=f"{committee} {name}",
                        issuer="HU" if kind == "huyện" else "TU", staff=3)
    tree.add(district, f"Chi bộ Cơ quan {committee} {name}", OrgKind.cell, style="office")
    used = 1
    if budget >= 40:
        agencies = names.DISTRICT_AGENCIES[: min(len(names.DISTRICT_AGENCIES), 2 + budget // 300)]
        share = max(2 * len(agencies), round(budget * 0.08))
        units = {"Quân sự": names.DISTRICT_MILITARY_UNITS, "Công an": names.DISTRICT_POLICE_UNITS,
                 "Cơ quan Mặt trận và các đoàn thể": names.MASS_ORGANISATIONS}
        styles = {"Quân sự": "military", "Công an": "police"}
        for agency, part in zip(agencies, split(rng, share, [1.0] * len(agencies), 2), strict=False):
            _agency(tree, district, f"{agency} {kind} {name}", units.get(agency, names.DISTRICT_DEPARTMENTS),
                    part, styles.get(agency, "office"))
        used += share
    if budget - used >= 20:
        schools = min(4, 1 + (budget - used) // 200)
        tree.cells(district, [f"Trường THPT {name}" + (f" {k + 1}" if schools > 1 else "")
                              for k in range(schools)], "school")
        used += schools
        if budget - used >= 60:
            tree.add(district, f"Chi bộ Trung tâm Y tế {kind} {name}", OrgKind.cell, style="health")
            used += 1
    rest = budget - used
    if rest <= 0:
        return
    n_communes = max(1, round(rest / 22))
    village = rng.choice(["thôn", "thôn", "xóm", "bản"]) if kind == "huyện" else "thôn"
    for i, part in enumerate(split(rng, rest, [1.0] * n_communes)):
        if kind == "huyện":
            ctype = "thị trấn" if i == 0 else "xã"
        else:
            ctype = "phường" if rng.random() < (0.7 if kind == "thành phố" else 0.5) else "xã"
        _commune(tree, district, ctype, tree.place(avoid=name), part, village)


def _commune(tree: Tree, district: Org, ctype: str, name: str, budget: int, village: str) -> None:
    """A commune: its office cell (the commune's staff), schools and services, then residential cells,
    grouped under "Đảng bộ bộ phận" in some large communes."""
    rng = tree.rng
    commune = tree.add(district, f"Đảng bộ {ctype} {name}", OrgKind.grassroots, style="commune",
                       title=f"Đảng ủy {ctype} {name}", issuer="ĐU", staff=2)
    tree.add(commune, f"Chi bộ Cơ quan {ctype} {name}", OrgKind.cell, style="commune")
    services = names.COMMUNE_SERVICES[: max(0, min(len(names.COMMUNE_SERVICES), (budget - 1) // 4))]
    for label, style in services:
        tree.add(commune, "Chi bộ " + label.format(n=name, t=ctype), OrgKind.cell, style=style)
    homes = _residential(rng, ctype, village, budget - 1 - len(services))
    style = "village" if ctype == "xã" else "urban"
    if len(homes) >= 16 and rng.random() < 0.2:  # the fifth level: "Đảng bộ bộ phận" between them
        groups = min(4, len(homes) // 8)
        start = 0
        for k, part in enumerate(split(rng, len(homes), [1.0] * groups), start=1):
            area = tree.add(commune, f"Đảng bộ bộ phận khu vực {k}", OrgKind.grassroots, style="area",
                            title=f"Đảng ủy bộ phận khu vực {k}", issuer="ĐU")
            tree.cells(area, homes[start:start + part], style)
            start += part
    else:
        tree.cells(commune, homes, style)


def _residential(rng: random.Random, ctype: str, village: str, count: int) -> list[str]:
    """Names of a commune's villages or wards: "thôn 3", "khối phố 5", "bản Huồi Cọ"."""
    if count <= 0:
        return []
    if ctype == "phường":
        word = rng.choice(["khối phố", "tổ dân phố"])
    elif ctype == "thị trấn":
        word = "khối"
    elif village == "bản":
        pairs = [f"bản {a} {b}" for a in names.BAN_SYLLABLES for b in names.BAN_SYLLABLES if a != b]
        if count <= len(pairs):
            return rng.sample(pairs, count)
        word = "bản"
    else:
        word = village
    return [f"{word} {k}" for k in range(1, count + 1)]


def _assign_offices(orgs: list[Org]) -> None:
    """Each committee's staff sit in the first cell of its subtree: its office cell by construction."""
    for org in orgs:
        if org.kind is OrgKind.cell:
            node = org.parent
            while node is not None and node.office is None:
                node.office = org
                node = node.parent


# ---------------------------------------------------------------------------------------------------------
# Generation


@dataclass
class Doc:
    """What later phases need of a document (the row itself is written and dropped)."""

    id: int
    published_at: datetime | None
    live: bool
    category: str
    ranges: list[tuple[int, int]]
    comments_open: bool
    audience: list[int]
    title: str
    summary: str


class Writer:
    """Rows buffered per table and written CHUNK at a time, parent tables first (foreign keys are checked
    row by row, so a child must never reach the database before its parent)."""

    def __init__(self, session: Session, models: Sequence[type[SQLModel]]):
        self.session = session
        self.tables: list[Table] = [m.__table__ for m in models]  # type: ignore[attr-defined]
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in self.tables}
        self.counts: dict[str, int] = {t.name: 0 for t in self.tables}

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        """Buffer one row (written at the next step() or flush())."""
        self.rows[str(model.__tablename__)].append(row)

    def step(self) -> None:
        """Write once a buffer is full; called between whole entities, so a parent row is never left
        behind its children."""
        if any(len(buf) >= CHUNK for buf in self.rows.values()):
            self.flush()

    def flush(self) -> None:
        """Write every buffer, in the order the tables were given."""
        for table in self.tables:
            buf = self.rows[table.name]
            if buf:
                write(self.session, table, buf)
                self.counts[table.name] += len(buf)
                buf.clear()


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> int:
    """Bulk INSERT in chunks."""
    table = model.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), CHUNK):
        write(session, table, rows[start:start + CHUNK])
    return len(rows)


def write(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany INSERT of rows that all have the same keys.

    PostgreSQL takes the Core INSERT. On SQLite the rows go to the driver as tuples with their values
    already in the text form SQLAlchemy stores: its per-value type processing made the Core INSERT three
    times slower than the database itself (16 µs against 5 µs a row of attendance, measured).
    """
    if session.get_bind().dialect.name != "sqlite":
        session.execute(insert(table), list(rows))
        return
    keys = list(rows[0])
    columns = []
    for key in keys:
        values = [row[key] for row in rows]
        convert = _sqlite_form(table.c[key].type)
        if convert is json.dumps:
            values = [None if v is None else json.dumps(v) for v in values]
        elif convert is not None:
            # Dates repeat (every attendance row of a meeting closes at the same time): convert each once.
            seen: dict[Any, Any] = {None: None}
            values = [seen[v] if v in seen else seen.setdefault(v, convert(v)) for v in values]
        columns.append(values)
    sql = f'INSERT INTO "{table.name}" ({", ".join(keys)}) VALUES ({", ".join("?" * len(keys))})'
    session.connection().exec_driver_sql(sql, list(zip(*columns, strict=True)))


def _sqlite_form(type_: Any) -> Any:
    """How SQLAlchemy writes a value of this column type to SQLite, or None when the driver's own
    conversion is the same (text, numbers, booleans)."""
    if isinstance(type_, UTCDateTime):
        return _utc_text
    if isinstance(type_, Date):
        return date.isoformat
    if isinstance(type_, JSON):
        return json.dumps
    return None


def _utc_text(value: datetime) -> str:
    """SQLAlchemy's SQLite form of an aware datetime: naive UTC, always with microseconds."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


class Generator:
    """One run: each phase writes its tables and leaves what the next needs (ids, member ranges)."""

    def __init__(self, db: Database, settings: Settings, options: Options, progress: Progress):
        self.db, self.settings, self.opt, self.progress = db, settings, options, progress
        self.until = local(options.until, "00:00")
        self.rollout = self.until - timedelta(days=400)  # when the accounts were created
        self.counts: dict[str, int] = {}
        self.orgs: list[Org] = []
        self.cells: list[Org] = []
        self.usernames: list[str] = []
        self.staff_of: dict[int, list[int]] = {}  # org id -> member indices of its staff
        self.docs: list[Doc] = []
        self.base: dict[str, int] = {}  # largest id already in each table written with explicit ids
        self.taken: dict[str, int] = {}  # usernames handed out, by base: how many
        self.existing_users: set[str] = set()

    def rng(self, phase: str) -> random.Random:
        """Each phase its own stream: changing one phase leaves the others' data as it was."""
        return random.Random(f"{self.opt.seed}:{phase}")

    def member_id(self, index: int) -> int:
        """Member ids follow the member indices (cells in depth-first order)."""
        return self.base["member"] + 1 + index

    def user_id(self, index: int) -> int:
        """Each member's account has the same index; the administrator comes last."""
        return self.base["user_account"] + 1 + index

    # -- setup ------------------------------------------------------------------------------------------

    def prepare(self, session: Session) -> None:
        """Refuse a database with organisations (or wipe it with --force); read where ids start."""
        orgs = session.execute(select(func.count()).select_from(Organization)).scalar_one()
        if orgs and not self.opt.force:
            raise GenerateError(
                f"Cơ sở dữ liệu đã có {orgs} tổ chức đảng: chỉ tạo dữ liệu thử vào CSDL trống "
                "(dùng --force để xóa toàn bộ dữ liệu hiện có rồi tạo lại).")
        if orgs:
            wipe(session)
        for model in (Organization, Member, User, Document, Meeting):
            table = model.__table__  # type: ignore[attr-defined]
            self.base[table.name] = int(session.execute(select(func.max(table.c.id))).scalar_one() or 0)
        self.existing_users = set(session.execute(select(col(User.username))).scalars())

    # -- organisations ------------------------------------------------------------------------------------

    def organisations(self, session: Session) -> None:
        """The tree and its closure table (every ancestor-descendant pair, itself included)."""
        self.orgs = build_tree(self.rng("tree"), self.base["organization"] + 1, self.opt.cells)
        self.cells = [o for o in self.orgs if o.kind is OrgKind.cell]
        at = self.rollout - timedelta(days=30)
        rows = [{"id": o.id, "name": o.name, "kind": o.kind.value, "code": o.code,
                 "parent_id": o.parent.id if o.parent else None, "depth": o.depth,
                 "meeting_day": o.meeting_day, "meeting_time": o.meeting_time, "created_at": at,
                 "updated_at": at} for o in self.orgs]
        insert_rows(session, Organization, rows)
        closure = [{"ancestor_id": a, "descendant_id": o.id, "distance": len(o.path) - 1 - i}
                   for o in self.orgs for i, a in enumerate(o.path)]
        insert_rows(session, OrgClosure, closure)
        self.counts.update(organization=len(rows), org_closure=len(closure))
        kinds = {k: sum(1 for o in self.orgs if o.kind is k) for k in OrgKind}
        detail = ", ".join(f"{k.value} {n:,}" for k, n in kinds.items())
        self.progress.done("tổ chức", f"{len(rows):,} tổ chức ({detail}), {len(closure):,} quan hệ cấp trên")

    # -- members ------------------------------------------------------------------------------------------

    def cell_sizes(self, rng: random.Random) -> list[int]:
        """Members per cell, by kind of cell, scaled to exactly --members: at least 10 when there are
        enough members (3 at worst, a chi bộ's legal minimum)."""
        weights = [rng.uniform(*CELL_SIZES[c.style]) for c in self.cells]
        return apportion(self.opt.members, weights, max(3, min(10, self.opt.members // self.opt.cells // 2)))

    def members(self, session: Session) -> None:
        """Members with their history row and account; leaders of every cell; staff of every committee."""
        rng = self.rng("members")
        sizes = self.cell_sizes(rng)
        start = 0
        for cell, size in zip(self.cells, sizes, strict=True):
            cell.lo, cell.hi = start, start + size
            start += size
        self._fold_ranges()
        roles = self._pick_staff()
        # Once for every account: argon2 is slow on purpose (a quarter of a second each).
        self.password_hash = password_hash = hash_password(self.opt.password)
        self.kind = bytearray(self.opt.members)  # 0 official, 1 probationary, 2 exempt
        self.joined = array("i", bytes(4 * self.opt.members))  # date ordinal of joining the cell
        self.cell_of = array("i", bytes(4 * self.opt.members))
        writer = Writer(session, [Member, User, Membership])
        family = [n for n, _ in names.FAMILY_NAMES], _cumulative(names.FAMILY_NAMES)
        male = [n for n, _ in names.MALE_MIDDLE], _cumulative(names.MALE_MIDDLE)
        female = [n for n, _ in names.FEMALE_MIDDLE], _cumulative(names.FEMALE_MIDDLE)
        until = self.opt.until
        for cell in self.cells:
            female_share = FEMALE_SHARE.get(cell.style, 0.38)
            old = cell.style in ("village", "urban")
            for i in range(cell.lo, cell.hi):
                woman = rng.random() < female_share
                middle = female if woman else male
                full_name = " ".join((rng.choices(family[0], cum_weights=family[1])[0],
                                      rng.choices(middle[0], cum_weights=middle[1])[0],
                                      rng.choice(names.FEMALE_GIVEN if woman else names.MALE_GIVEN)))
                age = int(rng.triangular(22, 90, 55) if old else rng.triangular(23, 60, 38))
                birth = date(until.year - age, rng.randint(1, 12), rng.randint(1, 28))
                kind = MemberKind.official
                if old and age >= 70 and rng.random() < 0.45:
                    kind = MemberKind.exempt
                elif age < 45 and rng.random() < 0.06:
                    kind = MemberKind.probationary
                if kind is MemberKind.probationary:
                    admitted = until - timedelta(days=rng.randint(20, 360))
                    official = None
                else:
                    years = rng.uniform(18, max(19, min(age - 2, 45)))
                    admitted = min(birth + timedelta(days=int(years * 365.25)), until - timedelta(days=400))
                    official = admitted + timedelta(days=365 + rng.randint(0, 30))
                self.kind[i] = KIND_CODES[kind]
                self.cell_of[i] = cell.id
                jobs = names.EXEMPT_POSITIONS if kind is MemberKind.exempt else names.POSITIONS[cell.style]
                position = roles.get(i) or rng.choice(jobs)
                folded = fold(full_name)
                username = self._username(folded)
                self.usernames.append(username)
                mid, uid = self.member_id(i), self.user_id(i)
                writer.add(Member, {
                    "id": mid, "full_name": full_name, "name_folded": folded, "birth_date": birth,
                    "card_number": f"{CARD_BASE + 3 * i + rng.randint(0, 2):08d}", "admitted_on": admitted,
                    "official_on": official, "kind": kind.value, "org_id": cell.id, "position": position,
                    "phone": f"{rng.choice(('09', '03', '08', '07'))}{rng.randint(0, 99_999_999):08d}"
                    if rng.random() < 0.85 else None,
                    "created_at": self.rollout, "updated_at": self.rollout})
                writer.add(User, {
                    "id": uid, "username": username, "password_hash": password_hash, "member_id": mid,
                    "display_name": full_name, "is_active": True, "is_demo": False,
                    "password_changed_at": self.rollout, "created_at": self.rollout})
                # Some transferred in later ("chuyển sinh hoạt"), never the leaders; history kept short.
                moved = rng.random() < 0.2 and i - cell.lo >= 5
                started = admitted + timedelta(days=rng.randint(30, max(31, (until - admitted).days - 30))) \
                    if moved and (until - admitted).days > 90 else admitted
                self.joined[i] = started.toordinal()
                writer.add(Membership, {
                    "member_id": mid, "org_id": cell.id, "started_on": started, "ended_on": None,
                    "note": "Chuyển đến sinh hoạt" if started != admitted else "Kết nạp",
                    "created_at": self.rollout})
                writer.step()
        writer.flush()
        self.counts.update({"member": writer.counts["member"], "user_account": writer.counts["user_account"],
                            "membership": writer.counts["membership"]})
        self._roles(session)
        self.progress.done("đảng viên", f"{self.opt.members:,} đảng viên và tài khoản, "
                                        f"{self.counts['role_assignment']:,} vai trò")

    def _fold_ranges(self) -> None:
        """Member range of every organisation = the union of its cells' (contiguous, depth-first)."""
        for org in self.orgs:
            if org.kind is not OrgKind.cell:
                org.lo, org.hi = self.opt.members, 0
        for cell in self.cells:
            node = cell.parent
            while node is not None:
                node.lo, node.hi = min(node.lo, cell.lo), max(node.hi, cell.hi)
                node = node.parent

    def _pick_staff(self) -> dict[int, str]:
        """Staff of each committee from the end of its office cell (the first members lead the cell);
        returns the position written for leaders and staff, by member index."""
        positions: dict[int, str] = {}
        for cell in self.cells:
            size = cell.hi - cell.lo
            positions[cell.lo] = "Bí thư chi bộ" + (", Trưởng thôn" if cell.style == "village" else "")
            positions[cell.lo + 1] = "Phó Bí thư chi bộ"
            for k in range(self._committee_size(size)):
                positions[cell.lo + 2 + k] = "Chi ủy viên"
        used: dict[int, int] = {}
        for org in self.orgs:
            if not org.staff or org.office is None:
                continue
            office = org.office
            room = max(1, office.hi - office.lo - 2)
            picked = []
            for _ in range(min(org.staff, room)):
                k = used.get(office.id, 0)
                used[office.id] = k + 1
                picked.append(office.hi - 1 - k % room)
            self.staff_of[org.id] = picked
            where = "Ban Tổ chức " if org.kind in (OrgKind.province, OrgKind.district) else "Văn phòng "
            for index in picked:
                positions.setdefault(index, f"Chuyên viên {where}{org.title}")
        return positions

    @staticmethod
    def _committee_size(size: int) -> int:
        """Chi ủy viên besides the secretary and deputy: a chi ủy from 9 members, larger from 30."""
        return 0 if size < 9 else 1 if size < 30 else 3

    def _username(self, folded: str) -> str:
        """Given name then initials ("Nguyễn Thị Thu Hà" -> "hantt"), numbered from the second one."""
        words = folded.split()
        base = words[-1] + "".join(w[0] for w in words[:-1])
        n = self.taken.get(base, 0)
        while True:
            n += 1
            name = base if n == 1 else f"{base}{n}"
            if name not in self.existing_users:
                self.taken[base] = n
                return name

    def _roles(self, session: Session) -> None:
        """Secretary, deputy and committee of every cell, staff of every committee, one administrator."""
        rows = []
        for cell in self.cells:
            size = cell.hi - cell.lo
            leaders = [(cell.lo, Role.secretary), (cell.lo + 1, Role.deputy_secretary)]
            leaders += [(cell.lo + 2 + k, Role.cell_committee) for k in range(self._committee_size(size))]
            rows += [{"user_id": self.user_id(i), "role": r.value, "org_id": cell.id,
                      "created_at": self.rollout, "created_by": None} for i, r in leaders]
        for org_id, picked in self.staff_of.items():
            rows += [{"user_id": self.user_id(i), "role": Role.staff.value, "org_id": org_id,
                      "created_at": self.rollout, "created_by": None} for i in picked]
        admin = self._username("quantri")
        self.admin = admin
        self.admin_id = self.user_id(self.opt.members)
        session.execute(insert(User.__table__), [{  # type: ignore[attr-defined]
            "id": self.admin_id, "username": admin, "password_hash": self.password_hash,
            "member_id": None, "display_name": "Quản trị hệ thống", "is_active": True, "is_demo": False,
            "password_changed_at": self.rollout, "created_at": self.rollout}])
        rows.append({"user_id": self.admin_id, "role": Role.admin.value, "org_id": None,
                     "created_at": self.rollout, "created_by": None})
        self.counts["user_account"] += 1
        self.counts["role_assignment"] = insert_rows(session, RoleAssignment, rows)
        # As create-admin leaves it, with what was generated: whoever reads the log sees the data is not real.
        opt = self.opt
        insert_rows(session, AuditEntry, [{
            "at": self.rollout, "actor_user_id": None, "action": "user.admin_created", "target_type": "user",
            "target_id": str(self.admin_id), "org_id": None, "client_address": None,
            "detail": json.dumps({"generated": {"members": opt.members, "cells": opt.cells,
                                                "documents": opt.documents, "months": opt.months,
                                                "seed": opt.seed, "until": opt.until.isoformat()}})}])

    # -- documents ----------------------------------------------------------------------------------------

    def store_files(self) -> None:
        """One small PDF per document type, stored before the documents' transaction (a database store
        writes through its own connection, which would wait on ours)."""
        store = get_store(self.settings)
        self.blobs: dict[str, tuple[str, int]] = {}
        for doc_type in DocType:
            label = DOC_TYPE_LABELS[doc_type]
            pdf = make_pdf([f"DANG BO TINH {fold(PROVINCE).upper()}", fold(label).upper(),
                            "Tai lieu thu nghiem do trinh tao du lieu sinh ra.",
                            "Khong phai van ban that; dung de do hieu nang."])
            writer = store.new_upload(max_bytes=max(len(pdf), 1024))
            writer.write(pdf)
            pending = writer.finish()
            store.put(pending)
            self.blobs[doc_type.value] = (pending.sha256, pending.size)

    def _issuers(self) -> dict[str, list[Org]]:
        """Who issues documents at each level; intermediate committees ("bộ phận") leave it to the commune."""
        pools: dict[str, list[Org]] = {level: [] for level, _ in ISSUE_LEVELS}
        for org in self.orgs:
            if org.kind is OrgKind.grassroots:
                if org.style != "area":
                    pools["grassroots"].append(org)
            else:
                pools[org.kind.value].append(org)
        return pools

    def _author(self, org: Org) -> int:
        """The account that wrote a document of `org`: a staff member of it or above, a cell's secretary."""
        if org.kind is OrgKind.cell:
            return self.user_id(org.lo)
        node: Org | None = org
        while node is not None:
            if self.staff_of.get(node.id):
                return self.user_id(self.staff_of[node.id][0])
            node = node.parent
        return self.admin_id

    @staticmethod
    def _committee(org: Org) -> str:
        """Who signs: "Ban Thường vụ Huyện ủy Yên Thành", "Đảng ủy xã Nam Hòa", the cell itself."""
        if org.kind in (OrgKind.province, OrgKind.district, OrgKind.block):
            return f"Ban Thường vụ {org.title}"
        return org.title or org.name

    def documents(self, session: Session) -> None:
        """Documents at every level, oldest first; most published, some drafts, scheduled, withdrawn,
        superseded; each with its audience, a PDF and its search index entry."""
        rng = self.rng("documents")
        pools = self._issuers()
        levels = [(level, w) for level, w in ISSUE_LEVELS if pools[level]]
        level_names, level_cum = [lv for lv, _ in levels], _cumulative(levels)
        types = {key: ([t for t, _ in v], _cumulative(v)) for key, v in DOC_TYPES.items()}
        ages = sorted((1 + int(rng.random() ** 1.3 * DOC_SPAN_DAYS) for _ in range(self.opt.documents)),
                      reverse=True)
        rows: list[dict[str, Any]] = []
        audience: list[dict[str, Any]] = []
        numbers: dict[tuple[int, str, int], int] = {}
        latest: dict[tuple[int, str], int] = {}  # (org, type) -> index of the newest published row
        superseded: list[dict[str, int]] = []
        committees: dict[int, list[Org]] = {}  # the committees under each one: audiences of some documents
        for org in self.orgs:
            if org.parent is not None and org.kind is not OrgKind.cell:
                committees.setdefault(org.parent.id, []).append(org)
        for k, age in enumerate(ages):
            doc_id = self.base["document"] + 1 + k
            level = rng.choices(level_names, cum_weights=level_cum)[0]
            org = rng.choice(pools[level])
            central = level == "province" and rng.random() < 0.4
            doc_type = rng.choices(*types["cell" if level == "cell" else "committee"])[0]
            issued = self.opt.until - timedelta(days=age)
            row, meta = self._document(rng, doc_id, org, doc_type, issued, age, central, numbers)
            targets = [org]
            if org.kind in (OrgKind.province, OrgKind.district) and not central and rng.random() < 0.06:
                children = committees.get(org.id, [])
                if len(children) >= 2:
                    targets = sorted(rng.sample(children, min(len(children), rng.randint(2, 3))),
                                     key=lambda o: o.id)
            meta.audience = [o.id for o in targets]
            meta.ranges = [(o.lo, o.hi) for o in targets]
            audience += [{"document_id": doc_id, "org_id": o.id} for o in targets]
            key = (org.id, doc_type.value)
            if row["status"] == "published":
                prev = latest.get(key)
                if prev is not None and rng.random() < 0.03:
                    old = rows[prev]
                    old.update(status="superseded", updated_at=row["published_at"])
                    row.update(replaces_id=old["id"], version=old["version"] + 1)
                    superseded.append({"old": old["id"], "new": doc_id})
                latest[key] = k
            rows.append(row)
            self.docs.append(meta)
        # Written only now: until the last document is drawn, a later one may supersede an earlier one.
        attachments, index = [], []
        bodies: dict[str, str] = {}  # bodies repeat (a few paragraphs combined): tokenise each once
        for row in rows:
            sha, _size = self.blobs[row["doc_type"]]
            label = f"{DOC_TYPE_LABELS[DocType(row['doc_type'])]} {row['number'] or row['id']}"
            attachments.append({"document_id": row["id"], "sha256": sha, "filename": f"{slug(label)}.pdf",
                                "created_by": row["created_by"], "created_at": row["created_at"]})
            # model_construct: only read by index_text, a third of the cost of a table model's __init__
            entry = search.index_text(Document.model_construct(
                title=row["title"], number=row["number"], type_code=row["type_code"], topic=row["topic"],
                summary=row["summary"], body=""))
            body = bodies.get(row["body"])
            if body is None:
                body = bodies[row["body"]] = search.index_text(Document.model_construct(
                    title="", number=None, type_code=None, topic=None, summary=None, body=row["body"])).body
            index.append({"id": row["id"], "title": entry.title, "summary": entry.summary, "body": body})
        insert_rows(session, Document, rows)
        if superseded:  # after the INSERT: the row pointed at must exist when the foreign key is checked
            table = Document.__table__  # type: ignore[attr-defined]
            session.execute(update(table).where(table.c.id == bindparam("old"))
                            .values(superseded_by_id=bindparam("new")), superseded)
        insert_rows(session, DocumentAudience, audience)
        known = set(session.execute(select(col(FileBlob.sha256))).scalars())
        insert_rows(session, FileBlob, [
            {"sha256": sha, "size": size, "content_type": "application/pdf", "created_at": self.rollout}
            for sha, size in sorted(set(self.blobs.values())) if sha not in known])
        insert_rows(session, Attachment, attachments)
        for start in range(0, len(index), CHUNK):
            search.bulk_index_rows(session, index[start:start + CHUNK])
        statuses: dict[str, int] = {}
        for row in rows:
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
        self.counts.update(document=len(rows), document_audience=len(audience),
                           document_attachment=len(attachments))
        self.progress.done("văn bản", f"{len(rows):,} văn bản ("
                           + ", ".join(f"{s} {n:,}" for s, n in sorted(statuses.items()))
                           + f"), {len(audience):,} nơi nhận")

    def _document(self, rng: random.Random, doc_id: int, org: Org, doc_type: DocType, issued: date, age: int,
                  central: bool, numbers: dict[tuple[int, str, int], int]) -> tuple[dict[str, Any], Doc]:
        """One document row (status, number, dates, texts) and what later phases keep of it."""
        roll = rng.random()
        status = ("draft" if age <= 30 and roll < 0.12 else "scheduled" if age <= 30 and roll < 0.17
                  else "withdrawn" if roll > 0.99 else "published")
        code = DOC_TYPE_CODES[doc_type]
        number = None
        if org.kind is not OrgKind.cell and status != "draft":
            if central:
                number = f"{rng.randint(1, 150)}-{code}/TW"
            else:
                key = (org.id, code, issued.year)
                numbers[key] = n = numbers.get(key, 0) + 1
                number = f"{n}-{code}/{org.issuer}"
        parsed = docnumber.parse(number) if number else None
        subject = rng.choice(texts.SUBJECTS).format(year=issued.year, next=issued.year + 1)
        cited = rng.choice(texts.CITED)
        if org.kind is OrgKind.cell:
            category, topic = "meeting", None
            title = f"Tài liệu sinh hoạt chi bộ tháng {issued.month:02d}/{issued.year} về {subject}"
        else:
            study = rng.random() < 0.12
            category, topic = ("study", rng.choice(texts.STUDY_TOPICS)) if study else ("documents", None)
            title = rng.choice(texts.TITLE_TEMPLATES[doc_type.value]).format(subject=subject, cited=cited)
        signer = rng.choice(CENTRAL_ISSUERS) if central else self._committee(org)
        summary = rng.choice(texts.SUMMARIES).format(cited=cited, issuer=signer, subject=subject)
        paragraphs = sorted(rng.sample(range(len(texts.BODY_PARAGRAPHS)), rng.randint(3, 6)))
        body = "\n\n".join(texts.BODY_PARAGRAPHS[p] for p in paragraphs)
        cap = self.until - timedelta(hours=1)
        published = publish_at = withdrawn = comments_until = None
        if status == "scheduled":
            publish_at = local(self.opt.until + timedelta(days=rng.randint(1, 10)), "07:30")
        elif status != "draft":
            hhmm = f"{rng.randint(7, 16)}:{rng.choice(('00', '15', '30', '45'))}"
            published = publish_at = min(local(issued + timedelta(days=rng.randint(0, 3)), hhmm), cap)
            if status == "withdrawn":
                withdrawn = min(published + timedelta(days=rng.randint(1, 20)), cap)
        elif rng.random() < 0.7:  # a draft opened for comments by the audience
            comments_until = local(self.opt.until + timedelta(days=rng.randint(5, 25)), "17:00")
        created = (published or self.until - timedelta(hours=rng.randint(2, 200))) - timedelta(
            days=rng.randint(1, 5))
        row = {
            "id": doc_id, "title": title, "doc_type": doc_type.value,
            "number": (parsed.display if parsed.explicit_code else parsed.number) if parsed else None,
            "number_key": next(iter(parsed.tokens()), None) if parsed else None,
            "type_code": code, "issuer": parsed.issuer if parsed else None,
            "issuer_key": fold(parsed.issuer).replace(" ", "") if parsed and parsed.issuer else None,
            "issued_on": issued if status != "draft" else None,
            "effective_on": issued if doc_type in (DocType.resolution, DocType.regulation, DocType.decision,
                                                   DocType.statute) and status != "draft" else None,
            "year": issued.year, "category": category, "topic": topic, "status": status,
            "publish_at": publish_at, "published_at": published, "withdrawn_at": withdrawn,
            "offline_allowed": rng.random() < 0.95, "comments_until": comments_until, "replaces_id": None,
            "superseded_by_id": None, "version": 1, "created_by": self._author(org), "created_at": created,
            "updated_at": withdrawn or published or created, "summary": summary, "body": body,
        }
        meta = Doc(id=doc_id, published_at=published, live=status == "published", category=category,
                   ranges=[], comments_open=comments_until is not None, audience=[], title=title,
                   summary=summary)
        return row, meta

    # -- reads and comments -------------------------------------------------------------------------------

    def reads(self, session: Session) -> None:
        """Read receipts for a share of the audience of recent documents, scaled to stay under READS_MAX."""
        rng = self.rng("reads")
        horizon = self.until - timedelta(days=RECENT_DAYS)
        # Superseded documents stay live too: `live` marks those published when generated.
        recent = [d for d in self.docs if d.live and d.published_at is not None and d.published_at >= horizon]
        # Fewer readers yet for the newest documents.
        shares = [rng.uniform(0.25, 0.85) * min(1.0, 0.1 + (self.until - published).days / 10)
                  for published in (d.published_at or self.until for d in recent)]
        sizes = [sum(hi - lo for lo, hi in d.ranges) for d in recent]
        potential = sum(s * n for s, n in zip(shares, sizes, strict=True))
        budget = min(READS_MAX, self.opt.members * 8)
        scale = min(1.0, budget / potential) if potential else 0.0
        writer = Writer(session, [ReadMark])
        cap = self.until - timedelta(minutes=1)
        mean = 1 / (2 * 86400)  # half of the readers open a document within about a day and a half
        for doc, share, size in zip(recent, shares, sizes, strict=True):
            published = doc.published_at
            assert published is not None
            for pick in sorted(rng.sample(range(size), int(size * share * scale))):
                i = _nth_member(doc.ranges, pick)
                read_at = min(published + timedelta(seconds=rng.expovariate(mean)), cap)
                studied = (min(read_at + timedelta(hours=rng.uniform(1, 72)), cap)
                           if doc.category == "study" and rng.random() < 0.5 else None)
                writer.add(ReadMark, {
                    "document_id": doc.id, "user_id": self.user_id(i), "member_id": self.member_id(i),
                    "read_at": read_at, "studied_at": studied,
                    "received_at": min(read_at + timedelta(seconds=rng.randint(1, 3600)), cap)})
            writer.step()
        writer.flush()
        self.counts["document_read"] = writer.counts["document_read"]
        self.progress.done("lượt đọc", f"{self.counts['document_read']:,} lượt đọc của {len(recent):,} "
                                       f"văn bản {RECENT_DAYS} ngày gần nhất")

    def comments(self, session: Session) -> None:
        """A few comments on each draft open for comments, by members of its audience."""
        rng = self.rng("comments")
        rows = []
        for doc in self.docs:
            if not doc.comments_open:
                continue
            size = sum(hi - lo for lo, hi in doc.ranges)
            for pick in sorted(rng.sample(range(size), min(size, rng.randint(2, 10)))):
                i = _nth_member(doc.ranges, pick)
                rows.append({"document_id": doc.id, "user_id": self.user_id(i),
                             "member_id": self.member_id(i), "org_id": self.cell_of[i],
                             "body": rng.choice(texts.COMMENTS),
                             "created_at": self.until - timedelta(minutes=rng.randint(10, 20_000))})
        self.counts["document_comment"] = insert_rows(session, DocumentComment, rows)
        self.progress.done("góp ý", f"{len(rows):,} góp ý dự thảo")

    # -- meetings -----------------------------------------------------------------------------------------

    def meetings(self, session: Session) -> None:
        """Per cell: a regular meeting each month (closed, with attendance and minutes), a thematic one in
        the middle month of most quarters, and the next regular meeting scheduled."""
        rng = self.rng("meetings")
        links = self._document_index()
        writer = Writer(session, [Meeting, AgendaItem, Attendance, AbsenceRequest])
        self.next_meeting = self.base["meeting"] + 1
        self.upcoming: list[tuple[int, Org, str, datetime, str]] = []
        attendance = {c.id: rng.uniform(0.8, 0.98) for c in self.cells}
        first = month_add(self.opt.until.year, self.opt.until.month, -self.opt.months)
        held_last: set[int] = set()
        for step in range(self.opt.months + 2):
            year, month = month_add(*first, step)
            for cell in self.cells:
                assert cell.meeting_day is not None and cell.meeting_time is not None
                starts = local(date(year, month, cell.meeting_day), cell.meeting_time)
                closed = starts + timedelta(hours=2) <= self.until
                if step == self.opt.months + 1 and cell.id not in held_last:
                    continue  # the month of --until is still ahead for this cell: that one is the next
                if step == self.opt.months and closed:
                    held_last.add(cell.id)
                prev = month_add(year, month, -1)[1]
                agenda = [t.format(prev=f"{prev:02d}", month=f"{month:02d}") for t in texts.REGULAR_AGENDA]
                docs = _linked(links, cell.path, starts)
                title = f"Sinh hoạt chi bộ thường kỳ tháng {month:02d}/{year}"
                self._meeting(writer, rng, cell, "regular", title, starts, closed, f"{year:04d}-{month:02d}",
                              agenda, docs, attendance[cell.id])
                thematic = local(date(year, month, 15), cell.meeting_time)
                if (month % 3 == 2 and step < self.opt.months and thematic + timedelta(hours=2) <= self.until
                        and rng.random() < 0.75):
                    self._meeting(writer, rng, cell, "thematic", rng.choice(texts.THEMATIC), thematic, True,
                                  None, texts.THEMATIC_AGENDA, [], attendance[cell.id])
        writer.flush()
        self.counts.update(writer.counts)
        self.progress.done("sinh hoạt", f"{writer.counts['meeting']:,} buổi sinh hoạt, "
                                        f"{writer.counts['attendance']:,} lượt điểm danh, "
                                        f"{writer.counts['meeting_agenda_item']:,} mục nội dung, "
                                        f"{writer.counts['absence_request']:,} đơn báo vắng")

    def _document_index(self) -> dict[int, tuple[list[float], list[int]]]:
        """Live documents by audience organisation, by publication time: what a meeting can take up."""
        pairs: dict[int, list[tuple[float, int]]] = {}
        for doc in self.docs:
            if doc.live and doc.published_at is not None:
                for org_id in doc.audience:
                    pairs.setdefault(org_id, []).append((doc.published_at.timestamp(), doc.id))
        return {org_id: ([t for t, _ in sorted(v)], [i for _, i in sorted(v)]) for org_id, v in pairs.items()}

    def _meeting(self, writer: Writer, rng: random.Random, cell: Org, kind: str, title: str,
                 starts: datetime, closed: bool, regular_month: str | None, agenda: list[str],
                 docs: list[int], p: float) -> None:
        """One meeting with its agenda; held ones with attendance and minutes, upcoming ones with a few
        absence requests waiting for the secretary."""
        meeting_id = self.next_meeting
        self.next_meeting += 1
        secretary = self.user_id(cell.lo)
        ends = starts + timedelta(hours=2)
        drafted = min(starts - timedelta(days=12), self.until - timedelta(days=1))
        place = cell.name.removeprefix("Chi bộ ")
        location = f"Nhà văn hóa {place}" if cell.style in ("village", "urban") else f"Phòng họp {place}"
        row = {
            "id": meeting_id, "org_id": cell.id, "kind": kind, "status": "closed" if closed else "scheduled",
            "title": title, "starts_at": starts, "ends_at": ends, "location": location, "online_link": None,
            "description": None, "regular_month": regular_month, "checkin_before_minutes": 30,
            "checkin_after_minutes": 60, "grace_minutes": 10, "checkin_secret": None, "checkin_interval": 30,
            "checkin_opened_at": starts - timedelta(minutes=30) if closed else None, "minutes_text": None,
            "minutes_published_at": None, "minutes_updated_by": None, "cancel_reason": None,
            "closed_at": ends if closed else None, "cancelled_at": None, "created_by": secretary,
            "created_at": drafted, "updated_at": ends if closed else drafted,
        }
        if closed:
            tally = self._attend(writer, rng, cell, meeting_id, starts, p)
            row["minutes_text"] = _minutes(cell, title, location, starts, tally)
            row["minutes_published_at"] = ends + timedelta(days=1)
            row["minutes_updated_by"] = secretary
        else:
            self.upcoming.append((meeting_id, cell, title, starts, location))
            for i in range(cell.lo, cell.hi):
                if rng.random() < 0.01:
                    asked = self.until - timedelta(hours=rng.randint(1, 72))
                    writer.add(AbsenceRequest, {
                        "meeting_id": meeting_id, "member_id": self.member_id(i),
                        "reason": rng.choice(texts.EXCUSES), "status": "pending", "decided_by": None,
                        "decided_at": None, "decision_note": None,
                        "created_at": asked, "updated_at": asked})
        writer.add(Meeting, row)
        for position, item in enumerate(agenda, start=1):
            writer.add(AgendaItem, {"meeting_id": meeting_id, "position": position, "title": item,
                                    "presenter": "Bí thư chi bộ" if position == 1 else None, "notes": None,
                                    "document_ids": docs if position == 2 else []})
        writer.step()

    def _attend(self, writer: Writer, rng: random.Random, cell: Org, meeting_id: int, starts: datetime,
                p: float) -> dict[str, int]:
        """Attendance of a held meeting: check-ins, a few marked by hand, excused absences with their
        approved request, absences set at closing. Returns the tally the minutes state."""
        secretary = self.user_id(cell.lo)
        day = starts.astimezone(VN_TZ).date().toordinal()
        ends = starts + timedelta(hours=2)
        tally = {"roster": 0, "present": 0, "late": 0, "excused": 0, "absent": 0}
        for i in range(cell.lo, cell.hi):
            if self.joined[i] > day:
                continue  # not in this cell yet
            exempt = self.kind[i] == EXEMPT
            if exempt and rng.random() > 0.15:
                continue  # exempt members rarely come and are not expected
            if exempt or rng.random() < p:
                status = "late" if rng.random() < 0.07 else "present"
            else:
                status = "excused" if rng.random() < 0.55 else "absent"
            tally["roster"] += not exempt
            tally[status] += 1
            member_id = self.member_id(i)
            row: dict[str, Any] = {
                "meeting_id": meeting_id, "member_id": member_id, "status": status, "expected": not exempt,
                "source": "close", "note": None, "client_id": None, "checkin_fingerprint": None,
                "checkin_status": None, "checked_in_at": None, "checkin_recorded_at": None,
                "checkin_offline": False, "updated_by": None, "updated_at": ends}
            if status in ("present", "late") and rng.random() < 0.92:
                at = starts + (timedelta(minutes=rng.randint(11, 45)) if status == "late"
                               else -timedelta(minutes=rng.randint(0, 25)))
                offline = rng.random() < 0.03
                recorded = at + timedelta(minutes=rng.randint(20, 600)) if offline else at
                row.update(source="checkin", client_id=f"gen-{meeting_id}-{member_id}", checkin_status=status,
                           checked_in_at=at, checkin_recorded_at=recorded, checkin_offline=offline,
                           updated_at=recorded)
            elif status in ("present", "late"):
                row.update(source="manual", updated_by=secretary)
            elif status == "excused":
                reason = rng.choice(texts.EXCUSES)
                decided = starts - timedelta(days=1)
                row.update(source="absence_request", note=reason, updated_by=secretary, updated_at=decided)
                writer.add(AbsenceRequest, {
                    "meeting_id": meeting_id, "member_id": member_id, "reason": reason, "status": "approved",
                    "decided_by": secretary, "decided_at": decided, "decision_note": None,
                    "created_at": decided - timedelta(days=1), "updated_at": decided})
            writer.add(Attendance, row)
        return tally

    # -- notifications and the end ------------------------------------------------------------------------

    def notifications(self, session: Session) -> None:
        """What the inbox shows: a welcome, documents of the last 30 days, the upcoming meetings."""
        province = self.orgs[0]
        rows = [{"kind": "welcome", "title": "Chào mừng đến với Sổ tay đảng viên điện tử",
                 "body": "Văn bản, lịch sinh hoạt chi bộ và thông báo của cấp ủy được cập nhật tại đây.",
                 "ref_type": None, "ref_id": None, "user_id": None, "org_id": province.id,
                 "created_at": self.rollout}]
        heads = {"documents": "Văn bản mới", "study": "Tài liệu học tập mới",
                 "meeting": "Tài liệu họp chi bộ"}
        since = self.until - timedelta(days=30)
        for doc in self.docs:
            if doc.live and doc.published_at is not None and doc.published_at >= since:
                rows += [{"kind": "document_published", "title": f"{heads[doc.category]}: {doc.title}"[:200],
                          "body": doc.summary[:500], "ref_type": "document", "ref_id": doc.id,
                          "user_id": None, "org_id": org_id, "created_at": doc.published_at}
                         for org_id in doc.audience]
        for meeting_id, cell, title, starts, location in self.upcoming:
            rows.append({"kind": "meeting_scheduled", "title": f"Lịch sinh hoạt: {title}"[:200],
                         "body": f"Thời gian: {fmt_datetime(starts)}. Địa điểm: {location}",
                         "ref_type": "meeting", "ref_id": meeting_id, "user_id": None, "org_id": cell.id,
                         "created_at": min(starts - timedelta(days=12), self.until - timedelta(days=1))})
        self.counts["notification"] = insert_rows(session, Notification, rows)
        self.progress.done("thông báo", f"{len(rows):,} thông báo")

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids written here, refresh the planner's statistics."""
        with self.db.transaction() as session:
            dialect = session.get_bind().dialect.name
            if dialect == "postgresql":
                for name in ("organization", "member", "user_account", "document", "meeting"):
                    session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"))
            session.execute(text("ANALYZE"))
        if dialect == "sqlite":
            # Outside any transaction (the engine's BEGIN hook would wrap a pooled connection in one): fold
            # the write-ahead log, gigabytes after a full run, back into the database file.
            raw = self.db.engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
            finally:
                raw.close()
        self.progress.done("hoàn tất", "thống kê cho bộ lập kế hoạch truy vấn")

    def summary(self) -> Summary:
        """The counts, and one account of each kind to sign in with."""
        province = self.orgs[0]
        cell = next((c for c in self.cells if c.style in ("village", "urban")), self.cells[0])
        commune = next((o for o in self.orgs if o.style == "commune" and self.staff_of.get(o.id)), None)
        district = next((o for o in self.orgs if o.kind is OrgKind.district), None)
        samples = [("đảng viên", self.usernames[cell.hi - 1], cell.name),
                   ("bí thư chi bộ", self.usernames[cell.lo], cell.name)]
        for who, org in (("cán bộ xã", commune), ("cán bộ huyện", district), ("cán bộ tỉnh", province)):
            if org is not None:
                samples.append((who, self.usernames[self.staff_of[org.id][0]], org.name))
        samples.append(("quản trị", self.admin, "toàn hệ thống"))
        return Summary(counts=dict(self.counts), samples=samples, phases=self.progress.phases,
                       password=self.opt.password)


def _cumulative(weighted: Sequence[tuple[Any, float]]) -> list[float]:
    """Cumulative weights for random.choices (computed once instead of on every draw)."""
    total, out = 0.0, []
    for _, w in weighted:
        total += w
        out.append(total)
    return out


def _nth_member(ranges: list[tuple[int, int]], n: int) -> int:
    """The n-th member index of the union of disjoint ranges."""
    for lo, hi in ranges:
        if n < hi - lo:
            return lo + n
        n -= hi - lo
    raise IndexError(n)


def _linked(index: dict[int, tuple[list[float], list[int]]], path: tuple[int, ...], starts: datetime
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


def _minutes(cell: Org, title: str, location: str, starts: datetime, tally: dict[str, int]) -> str:
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


def wipe(session: Session) -> None:
    """--force: empty every table but the migrations' bookkeeping and the sync counter. The sync horizon
    moves past every cursor handed out before, so devices that synced get 410 and download afresh."""
    keep = {"alembic_version", "sync_counter", "sync_horizon"}
    tables = [t for t in reversed(SQLModel.metadata.sorted_tables) if t.name not in keep]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " CASCADE"))
    else:
        session.execute(text("DELETE FROM document_fts"))
        for table in tables:
            session.execute(table.delete())
    version = next_version(session)
    horizon = session.get(SyncHorizon, 1)
    if horizon is None:
        session.add(SyncHorizon(id=1, version=version, pruned_at=datetime.now(UTC)))
    else:
        horizon.version, horizon.pruned_at = version, datetime.now(UTC)
    session.flush()


def check(options: Options) -> None:
    """Refuse sizes the tree cannot be built with."""
    if options.cells < 5:
        raise GenerateError("Cần ít nhất 5 chi bộ (--cells).")
    if options.members < 3 * options.cells:
        raise GenerateError("Mỗi chi bộ cần ít nhất 3 đảng viên: --members phải ít nhất gấp 3 lần --cells.")
    if options.documents < 0 or options.months < 0:
        raise GenerateError("--documents và --months không được âm.")
    if not PASSWORD_MIN <= len(options.password) <= PASSWORD_MAX:
        raise GenerateError(f"Mật khẩu phải dài từ {PASSWORD_MIN} đến {PASSWORD_MAX} ký tự.")


def run(settings: Settings, options: Options, out: TextIO = sys.stderr) -> Summary:
    """Generate into the configured (migrated) database, one transaction per phase."""
    check(options)
    progress = Progress(out)
    db = Database(settings)
    try:
        gen = Generator(db, settings, options, progress)
        with transaction(db) as session:
            gen.prepare(session)
            gen.organisations(session)
        with transaction(db) as session:
            gen.members(session)
        gen.store_files()
        with transaction(db) as session:
            gen.documents(session)
        with transaction(db) as session:
            gen.reads(session)
            gen.comments(session)
        with transaction(db) as session:
            gen.meetings(session)
        with transaction(db) as session:
            gen.notifications(session)
        gen.finish()
        return gen.summary()
    finally:
        db.dispose()


@contextmanager
def transaction(db: Database) -> Iterator[Session]:
    """A write transaction; on SQLite with a 256 MB page cache (2 MB by default), or each row inserted
    into the random-order indexes (attendance by member, read receipts by user) reads pages from disk
    once the tables outgrow the cache."""
    with db.transaction() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("PRAGMA cache_size = -262144"))
        yield session
