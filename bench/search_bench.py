"""Document search and listing with 50,000 documents: prints p50/p99 per typical query.

    /work/venv/bin/python bench/search_bench.py [--docs 50000] [--runs 40] [--postgres URL]

Builds a province (10 districts x 10 grassroots x 10 cells = 1,000 cells) and N documents addressed to the
province, a district, a grassroots party or a cell, indexes them with the same code as the server, then times
server.documents.public.list_documents (visibility + search + ranking + page building) for a member and a
district staff member. `--province SOURCE` times the same on the generated province instead (its data
directory or database URL, read only; bench/province.py): the member of poll_rate's picks, and the first
staff account of that member's district.
"""

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from bench import province as generated  # noqa: E402
from server.auth.principal import Principal  # noqa: E402
from server.config import Settings  # noqa: E402
from server.db import Database  # noqa: E402
from server.documents import public, search  # noqa: E402
from server.documents.models import Document, DocumentAudience  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.orgs import service as orgs  # noqa: E402
from server.records.members import Member, RoleAssignment, User  # noqa: E402
from server.timeutil import utcnow  # noqa: E402
from shared import docnumber  # noqa: E402
from shared.docnumber import DOC_TYPE_CODES, DOC_TYPE_LABELS, DocType  # noqa: E402
from shared.enums import OrgKind, Role  # noqa: E402
from shared.text import fold  # noqa: E402

SUBJECTS = [
    "tăng cường củng cố, xây dựng tổ chức cơ sở đảng",
    "nâng cao chất lượng đội ngũ đảng viên",
    "lấy phiếu tín nhiệm đối với chức danh lãnh đạo, quản lý",
    "những điều đảng viên không được làm",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "đại hội đảng bộ các cấp",
    "bầu cử đại biểu Quốc hội và Hội đồng nhân dân",
    "phát triển đảng viên trong học sinh, sinh viên",
    "chuyển đổi số trong công tác tổ chức xây dựng Đảng",
    "sắp xếp tổ chức bộ máy tinh gọn, hiệu lực, hiệu quả",
    "công tác kiểm tra, giám sát và thi hành kỷ luật đảng",
    "bảo vệ chính trị nội bộ",
    "nâng cao chất lượng sinh hoạt chi bộ",
    "xây dựng nông thôn mới, đô thị văn minh",
    "công tác cán bộ, quy hoạch, luân chuyển",
    "phòng, chống tham nhũng, tiêu cực",
    "an sinh xã hội, giảm nghèo",
]
FILLER = (
    "Các cấp ủy, tổ chức đảng quán triệt, triển khai thực hiện nghiêm túc; phân công rõ trách nhiệm, thời "
    "gian hoàn thành; định kỳ sơ kết, tổng kết, báo cáo kết quả về cấp ủy cấp trên. "
)
ISSUERS = ["TW", "TU", "HU", "ĐU", "BTCTW"]


def _doc(doc_id: int, title: str, number: str, summary: str, body: str) -> Document:
    return Document(
        id=doc_id,
        title=title,
        number=number,
        summary=summary,
        body=body,
        doc_type="plan",
        category="documents",
        status="published",
        type_code=number.split("-")[1].split("/")[0],
    )


def build(settings: Settings, n_docs: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    db = Database(settings)
    with db.transaction() as s:
        province = orgs.create(s, name="Tỉnh thử", kind=OrgKind.province, code="P", parent_id=None)
        districts, grassroots, cells = [], [], []
        for d in range(10):
            dist = orgs.create(
                s, name=f"Huyện {d}", kind=OrgKind.district, code=f"D{d}", parent_id=province.id
            )
            districts.append(dist.id)
            for g in range(10):
                gr = orgs.create(
                    s, name=f"Xã {d}-{g}", kind=OrgKind.grassroots, code=f"G{d}-{g}", parent_id=dist.id
                )
                grassroots.append(gr.id)
                for c in range(10):
                    cell = orgs.create(
                        s,
                        name=f"Chi bộ {d}-{g}-{c}",
                        kind=OrgKind.cell,
                        code=f"C{d}-{g}-{c}",
                        parent_id=gr.id,
                    )
                    cells.append(cell.id)
        member = Member(full_name="Người đọc", name_folded="nguoi doc", org_id=int(cells[0] or 0))
        s.add(member)
        s.flush()
        user = User(username="doc", password_hash="x", member_id=member.id)
        staff_user = User(username="canbo", password_hash="x")
        s.add_all([user, staff_user])
        s.flush()
        staff_role = RoleAssignment(
            user_id=int(staff_user.id or 0), role=Role.staff.value, org_id=districts[0]
        )
        s.add(staff_role)
        s.flush()
        ids = dict(
            province=province.id, district=districts[0], member=member.id, user=user.id, staff=staff_user.id
        )
    now = utcnow()
    types = list(DocType)
    batch = 2000
    for start in range(0, n_docs, batch):
        docs, audiences, fts = [], [], []
        for i in range(start, min(start + batch, n_docs)):
            doc_type = rng.choice(types)
            number = f"{rng.randint(1, 400)}-{DOC_TYPE_CODES[doc_type]}/{rng.choice(ISSUERS)}"
            subject = rng.choice(SUBJECTS)
            cited = f"{rng.randint(1, 400)}-NQ/TW"
            title = f"{DOC_TYPE_LABELS[doc_type]} về {subject}"
            summary = f"Thực hiện Nghị quyết số {cited}; {rng.choice(SUBJECTS)}."
            body = FILLER * rng.randint(2, 8) + f"Về {rng.choice(SUBJECTS)}."
            parsed = docnumber.parse(number)
            assert parsed is not None
            year = rng.randint(2015, 2025)
            docs.append(
                dict(
                    id=i + 1,
                    title=title,
                    doc_type=doc_type.value,
                    number=parsed.display,
                    type_code=parsed.type_code,
                    issuer=parsed.issuer,
                    issuer_key=fold(parsed.issuer or ""),
                    number_key=parsed.tokens()[0],
                    year=year,
                    summary=summary,
                    body=body,
                    category=rng.choice(["documents", "documents", "study"]),
                    status="published",
                    published_at=now,
                    publish_at=now,
                    offline_allowed=True,
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            roll = rng.random()
            target = (
                ids["province"]
                if roll < 0.1
                else rng.choice(districts)
                if roll < 0.35
                else rng.choice(grassroots)
                if roll < 0.65
                else rng.choice(cells)
            )
            audiences.append(dict(document_id=i + 1, org_id=target))
            fts.append((i + 1, title, number, summary, body))
        with db.transaction() as s:
            s.execute(insert(Document), docs)
            s.execute(insert(DocumentAudience), audiences)
            rows = []
            for doc_id, title, number, summary, body in fts:
                t = search.index_text(_doc(doc_id, title, number, summary, body))
                rows.append(dict(id=doc_id, title=t.title, summary=t.summary, body=t.body))
            search.bulk_index_rows(s, rows)
    with db.transaction() as s:
        if not search.is_sqlite(s):
            s.execute(text("SELECT setval(pg_get_serial_sequence('document', 'id'), :n)"), {"n": n_docs})
            s.execute(text("ANALYZE"))
        else:
            s.execute(text("ANALYZE"))
    db.dispose()
    return ids


QUERIES = [
    ("list, newest first", {}),
    ("list, category=study, year=2020", {"category": "study", "year": 2020}),
    ("q=nghị quyết 21", {"q": "nghị quyết 21"}),
    ("q=21-NQ/TW", {"q": "21-NQ/TW"}),
    ("q=nghi quyet (no marks)", {"q": "nghi quyet"}),
    ("q=to chuc co so dang", {"q": "to chuc co so dang"}),
    ("q=phiếu tín nhiệm, type=regulation", {"q": "phiếu tín nhiệm", "doc_type": "regulation"}),
    ("q=phat trien dang vi (prefix)", {"q": "phat trien dang vi"}),
    ('q=hostile "(* NEAR OR', {"q": '"(* NEAR OR'}),
]


def measure(settings: Settings, ids: dict, runs: int) -> None:
    db = Database(settings)
    with db.session() as s:
        member = Principal(
            user=s.get(User, ids["user"]), member=s.get(Member, ids["member"]), session_id=None, roles=[]
        )
        staff_user = s.get(User, ids["staff"])
        roles = list(
            s.execute(select(RoleAssignment).where(RoleAssignment.user_id == ids["staff"])).scalars()
        )
        staff = Principal(user=staff_user, member=None, session_id=None, roles=roles)
    print(f"{'query':42} {'who':7} {'total':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for label, params in QUERIES:
        for who, principal in (("member", member), ("staff", staff)):
            times, total = [], 0
            for _ in range(runs):
                with db.session() as s:
                    t0 = time.perf_counter()
                    page = public.list_documents(s, principal, limit=20, **params)
                    times.append((time.perf_counter() - t0) * 1000)
                    total = page.total
            times.sort()
            p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
            print(f"{label:42} {who:7} {total:7d} {statistics.median(times):8.1f} {p99:8.1f}")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument(
        "--postgres", metavar="URL", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--province", metavar="SOURCE",
                        help="the generated province: its data directory (SQLite) or database URL")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sotay-bench-"))
    if args.province:
        source = generated.Province(args.province)
        with generated.database(source.url) as conn:
            account = generated.member(conn)
            staff = generated.district_staff(conn, account.district_id)
        ids = dict(member=account.member_id, user=account.user_id, staff=staff)
        settings = Settings(data_dir=data_dir, database_url=source.url, secret_key="b" * 48,
                            run_scheduler=False)
        try:
            print(f"{source.engine_name}: the generated province; member {account.username}, district "
                  f"{account.district_id}'s staff user {staff}; {args.runs} runs each")
            measure(settings, ids, args.runs)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
        return
    admin = None
    name = None
    if args.postgres:
        name = f"sotay_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = args.postgres.rsplit("/", 1)[0] + "/" + name
        settings = Settings(data_dir=data_dir, database_url=url, secret_key="b" * 48, run_scheduler=False)
    else:
        settings = Settings(data_dir=data_dir, secret_key="b" * 48, run_scheduler=False)
    try:
        upgrade(settings)
        t0 = time.perf_counter()
        ids = build(settings, args.docs)
        engine = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"{engine}: built {args.docs} documents in {time.perf_counter() - t0:.1f}s; {args.runs} runs each"
        )
        measure(settings, ids, args.runs)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
