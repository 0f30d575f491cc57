"""Demo organisations, members, accounts and roles: Đảng bộ tỉnh Nghệ An (names from the seed articles)."""

from datetime import date, timedelta

from sqlmodel import Session

from server.auth import security
from server.demo.context import DEMO_PASSWORD
from server.orgs import service as orgs
from server.records.members import Member, Membership, RoleAssignment, User
from shared.enums import MemberKind, OrgKind, Role
from shared.text import fold

# (key, name, kind, code, parent key, meeting day, meeting time)
ORGS = [
    ("tinh", "Đảng bộ tỉnh Nghệ An", OrgKind.province, "NA", None, None, None),
    ("khoi", "Đảng bộ Khối các cơ quan tỉnh", OrgKind.block, "NA-KCQ", "tinh", None, None),
    ("btc", "Đảng bộ Ban Tổ chức Tỉnh ủy", OrgKind.grassroots, "NA-KCQ-BTC", "khoi", None, None),
    ("tcdv", "Chi bộ Phòng Tổ chức đảng, đảng viên", OrgKind.cell, "NA-BTC-TCDV", "btc", 4, "16:00"),
    ("thcs", "Chi bộ Phòng Tổng hợp và Chính sách cán bộ", OrgKind.cell, "NA-BTC-THCS", "btc", 4, "16:30"),
    ("tccb", "Chi bộ Phòng Tổ chức cán bộ", OrgKind.cell, "NA-BTC-TCCB", "btc", 5, "16:00"),
    ("quychau", "Đảng bộ huyện Quỳ Châu", OrgKind.district, "NA-QC", "tinh", None, None),
    ("chaunga", "Đảng bộ xã Châu Nga", OrgKind.grassroots, "NA-QC-CN", "quychau", None, None),
    ("banpoong", "Chi bộ bản Poòng", OrgKind.cell, "NA-QC-CN-POONG", "chaunga", 3, "19:30"),
    ("bancham", "Chi bộ bản Chăm Puông", OrgKind.cell, "NA-QC-CN-CHAMPUONG", "chaunga", 5, "19:30"),
]

# (username or None, full name, cell key, position, kind)
PEOPLE = [
    (None, "Lê Đức Cường", "tcdv", "Trưởng ban Tổ chức Tỉnh ủy", MemberKind.official),
    ("bithu.tcdv", "Dương Phúc Sáu", "tcdv", "Trưởng phòng Tổ chức đảng, đảng viên; Bí thư chi bộ",
     MemberKind.official),
    ("dangvien.tcdv", "Nguyễn Thị Thu Hà", "tcdv", "Chuyên viên", MemberKind.official),
    (None, "Trần Văn Hùng", "tcdv", "Phó Trưởng phòng", MemberKind.official),
    (None, "Hoàng Thị Lan", "tcdv", "Chuyên viên chính", MemberKind.official),
    (None, "Phan Đình Tuấn", "tcdv", "Chuyên viên", MemberKind.official),
    (None, "Võ Thị Mai Anh", "tcdv", "Chuyên viên", MemberKind.probationary),
    (None, "Nguyễn Hữu Thắng", "tcdv", "Chuyên viên", MemberKind.official),
    (None, "Lê Quốc Khánh", "thcs", "Phó Trưởng ban Thường trực; Bí thư chi bộ", MemberKind.official),
    ("bantochuc", "Đặng Thị Hồng Nhung", "thcs", "Chuyên viên Văn phòng Ban", MemberKind.official),
    (None, "Nguyễn Văn Bình", "thcs", "Trưởng phòng Tổng hợp", MemberKind.official),
    (None, "Trần Thị Thanh Huyền", "thcs", "Chuyên viên", MemberKind.official),
    (None, "Hồ Sỹ Quang", "thcs", "Chuyên viên", MemberKind.official),
    (None, "Lê Thị Hương Giang", "thcs", "Chuyên viên", MemberKind.official),
    (None, "Phạm Văn Đức", "thcs", "Chuyên viên", MemberKind.probationary),
    (None, "Nguyễn Đình Lợi", "tccb", "Trưởng phòng Tổ chức cán bộ; Bí thư chi bộ", MemberKind.official),
    (None, "Thái Thị Ngọc", "tccb", "Phó Trưởng phòng", MemberKind.official),
    (None, "Cao Xuân Hòa", "tccb", "Chuyên viên chính", MemberKind.official),
    (None, "Đinh Thị Phương", "tccb", "Chuyên viên", MemberKind.official),
    (None, "Nguyễn Cảnh Toàn", "tccb", "Chuyên viên", MemberKind.official),
    (None, "Bùi Thị Thảo", "tccb", "Chuyên viên", MemberKind.official),
    (None, "Lữ Văn Xuân", "banpoong", "Bí thư chi bộ, Trưởng bản", MemberKind.official),
    ("dangvien.chaunga", "Lô Thị Hoa", "banpoong", "Chi hội trưởng Phụ nữ", MemberKind.official),
    (None, "Vi Văn Thanh", "banpoong", "Công an viên", MemberKind.official),
    (None, "Sầm Văn Pọm", "banpoong", "Nông dân", MemberKind.official),
    (None, "Lang Thị Duyên", "banpoong", "Giáo viên", MemberKind.official),
    (None, "Ngân Văn Hải", "banpoong", "Nông dân", MemberKind.probationary),
    (None, "Lương Văn Chiến", "banpoong", "Cựu chiến binh", MemberKind.exempt),
    (None, "Hà Văn Tình", "banpoong", "Nông dân", MemberKind.official),
    (None, "Quang Thị Xoan", "banpoong", "Y tá thôn bản", MemberKind.official),
    (None, "Lô Văn Bằng", "bancham", "Bí thư chi bộ", MemberKind.official),
    (None, "Vi Thị Hằng", "bancham", "Trưởng ban công tác Mặt trận", MemberKind.official),
    (None, "Lữ Văn Thông", "bancham", "Nông dân", MemberKind.official),
    (None, "Lang Văn Sơn", "bancham", "Nông dân", MemberKind.official),
    (None, "Ngân Thị Mai", "bancham", "Giáo viên", MemberKind.official),
    (None, "Sầm Thị Nương", "bancham", "Nông dân", MemberKind.probationary),
    (None, "Hà Văn Khăm", "bancham", "Cựu chiến binh", MemberKind.exempt),
    (None, "Lò Văn Tiến", "bancham", "Nông dân", MemberKind.official),
    (None, "Vi Văn Dũng", "bancham", "Dân quân", MemberKind.official),
    (None, "Quang Văn Minh", "bancham", "Nông dân", MemberKind.official),
]



def seed(session: Session, ctx) -> None:  # type: ignore[no-untyped-def]
    for key, name, org_kind, code, parent, day, time in ORGS:
        org = orgs.create(session, name=name, kind=org_kind, code=code,
                          parent_id=ctx.orgs[parent] if parent else None, meeting_day=day, meeting_time=time)
        ctx.orgs[key] = org.id
    demo_hash = security.hash_password(DEMO_PASSWORD)
    rng = ctx.rng
    today = date.today()
    card = 93000100
    for index, (username, full_name, cell, position, kind) in enumerate(PEOPLE):
        birth = date(rng.randint(1962, 1996), rng.randint(1, 12), rng.randint(1, 28))
        admitted = birth + timedelta(days=365 * rng.randint(20, 28) + rng.randint(0, 300))
        admitted = min(admitted, today - timedelta(days=200))
        official = admitted + timedelta(days=365) if kind != MemberKind.probationary else None
        card += rng.randint(3, 97)
        member = Member(full_name=full_name, name_folded=fold(full_name), birth_date=birth,
                        card_number=f"{card:08d}", admitted_on=admitted, official_on=official,
                        kind=kind.value, org_id=ctx.orgs[cell], position=position,
                        phone=f"09{rng.randint(10000000, 99999999)}")
        session.add(member)
        session.flush()
        session.add(Membership(member_id=member.id, org_id=ctx.orgs[cell], started_on=admitted,
                               note="Dữ liệu mẫu"))
        ctx.members[username or f"{cell}:{index}"] = member.id
        ctx.cell_members.setdefault(cell, []).append(member.id)
        if username:
            user = User(username=username, password_hash=demo_hash, member_id=member.id,
                        display_name=full_name, is_demo=True)
            session.add(user)
            session.flush()
            ctx.users[username] = user.id
    admin = User(username="admin", password_hash=demo_hash, display_name="Quản trị hệ thống", is_demo=True)
    session.add(admin)
    session.flush()
    ctx.users["admin"] = admin.id
    session.add(RoleAssignment(user_id=admin.id, role=Role.admin.value))
    session.add(RoleAssignment(user_id=ctx.users["bantochuc"], role=Role.staff.value,
                               org_id=ctx.orgs["tinh"]))
    session.add(RoleAssignment(user_id=ctx.users["bithu.tcdv"], role=Role.secretary.value,
                               org_id=ctx.orgs["tcdv"]))
    session.flush()
