"""Step: the tree written, then members with their accounts and roles."""

import json
import random
from array import array
from datetime import date, timedelta

from sqlalchemy import func, insert, select
from sqlmodel import Session, col

from server.auth.security import hash_password
from server.documents.models import Document
from server.generate import names
from server.generate.province.base import (
    CARD_BASE,
    CELL_SIZES,
    FEMALE_SHARE,
    KIND_CODES,
    GenerateError,
    apportion,
    cumulative,
)
from server.generate.province.state import Run
from server.generate.province.tree import build_tree
from server.generate.province.writer import (
    Writer,
    insert_rows,
    wipe,
)
from server.meetings.models import Meeting
from server.records.audit import AuditEntry
from server.records.members import Member, Membership, RoleAssignment, User
from server.records.orgs import Organization, OrgClosure
from shared.enums import MemberKind, OrgKind, Role
from shared.text import fold


class People(Run):
    """Step: the tree written, then members with their accounts and roles."""

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
        family = [n for n, _ in names.FAMILY_NAMES], cumulative(names.FAMILY_NAMES)
        male = [n for n, _ in names.MALE_MIDDLE], cumulative(names.MALE_MIDDLE)
        female = [n for n, _ in names.FEMALE_MIDDLE], cumulative(names.FEMALE_MIDDLE)
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
